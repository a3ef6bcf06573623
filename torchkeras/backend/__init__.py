"""The Keras backend namespace (``import torchkeras.backend as K``)."""

from torchkeras.backend.config import epsilon as epsilon
from torchkeras.backend.config import floatx as floatx
from torchkeras.backend.config import image_data_format as image_data_format
from torchkeras.backend.config import set_epsilon as set_epsilon
from torchkeras.backend.config import set_floatx as set_floatx
from torchkeras.backend.config import (
    set_image_data_format as set_image_data_format,
)
from torchkeras.backend.config import standardize_dtype as standardize_dtype
from torchkeras.backend.device import current_device as current_device
from torchkeras.backend.device import device as device
from torchkeras.backend.device import set_device as set_device
from torchkeras.backend.global_state import clear_session as clear_session
from torchkeras.backend.session import ConfigProto as ConfigProto
from torchkeras.backend.session import GPUOptions as GPUOptions
from torchkeras.backend.session import Session as Session
from torchkeras.backend.session import get_session as get_session
from torchkeras.backend.session import set_session as set_session
from torchkeras.backend.keras_backend import int_shape as int_shape
from torchkeras.backend.keras_backend import is_keras_tensor as is_keras_tensor
from torchkeras.backend.keras_backend import ndim as ndim
from torchkeras.backend.keras_backend import shape as shape
from torchkeras.backend.keras_backend import dtype as dtype
from torchkeras.backend.keras_backend import cast as cast
from torchkeras.backend.keras_backend import constant as constant
from torchkeras.backend.keras_backend import variable as variable
from torchkeras.backend.keras_backend import get_value as get_value
from torchkeras.backend.keras_backend import batch_get_value as batch_get_value
from torchkeras.backend.keras_backend import set_value as set_value
from torchkeras.backend.keras_backend import batch_set_value as batch_set_value
from torchkeras.backend.keras_backend import eval as eval
from torchkeras.backend.keras_backend import zeros as zeros
from torchkeras.backend.keras_backend import ones as ones
from torchkeras.backend.keras_backend import eye as eye
from torchkeras.backend.keras_backend import zeros_like as zeros_like
from torchkeras.backend.keras_backend import ones_like as ones_like
from torchkeras.backend.keras_backend import sum as sum
from torchkeras.backend.keras_backend import mean as mean
from torchkeras.backend.keras_backend import prod as prod
from torchkeras.backend.keras_backend import max as max
from torchkeras.backend.keras_backend import min as min
from torchkeras.backend.keras_backend import std as std
from torchkeras.backend.keras_backend import var as var
from torchkeras.backend.keras_backend import any as any
from torchkeras.backend.keras_backend import all as all
from torchkeras.backend.keras_backend import argmax as argmax
from torchkeras.backend.keras_backend import argmin as argmin
from torchkeras.backend.keras_backend import square as square
from torchkeras.backend.keras_backend import sqrt as sqrt
from torchkeras.backend.keras_backend import abs as abs
from torchkeras.backend.keras_backend import exp as exp
from torchkeras.backend.keras_backend import log as log
from torchkeras.backend.keras_backend import pow as pow
from torchkeras.backend.keras_backend import sign as sign
from torchkeras.backend.keras_backend import round as round
from torchkeras.backend.keras_backend import clip as clip
from torchkeras.backend.keras_backend import maximum as maximum
from torchkeras.backend.keras_backend import minimum as minimum
from torchkeras.backend.keras_backend import equal as equal
from torchkeras.backend.keras_backend import not_equal as not_equal
from torchkeras.backend.keras_backend import greater as greater
from torchkeras.backend.keras_backend import greater_equal as greater_equal
from torchkeras.backend.keras_backend import less as less
from torchkeras.backend.keras_backend import less_equal as less_equal
from torchkeras.backend.keras_backend import switch as switch
from torchkeras.backend.keras_backend import dot as dot
from torchkeras.backend.keras_backend import batch_dot as batch_dot
from torchkeras.backend.keras_backend import transpose as transpose
from torchkeras.backend.keras_backend import (
    permute_dimensions as permute_dimensions,
)
from torchkeras.backend.keras_backend import reshape as reshape
from torchkeras.backend.keras_backend import flatten as flatten
from torchkeras.backend.keras_backend import batch_flatten as batch_flatten
from torchkeras.backend.keras_backend import expand_dims as expand_dims
from torchkeras.backend.keras_backend import squeeze as squeeze
from torchkeras.backend.keras_backend import concatenate as concatenate
from torchkeras.backend.keras_backend import stack as stack
from torchkeras.backend.keras_backend import tile as tile
from torchkeras.backend.keras_backend import repeat_elements as repeat_elements
from torchkeras.backend.keras_backend import gather as gather
from torchkeras.backend.keras_backend import one_hot as one_hot
from torchkeras.backend.keras_backend import softmax as softmax
from torchkeras.backend.keras_backend import sigmoid as sigmoid
from torchkeras.backend.keras_backend import relu as relu
from torchkeras.backend.keras_backend import tanh as tanh
from torchkeras.backend.keras_backend import l2_normalize as l2_normalize
from torchkeras.backend.keras_backend import (
    categorical_crossentropy as categorical_crossentropy,
)
from torchkeras.backend.keras_backend import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from torchkeras.backend.keras_backend import (
    binary_crossentropy as binary_crossentropy,
)
from torchkeras.backend.keras_backend import random_normal as random_normal
from torchkeras.backend.keras_backend import random_uniform as random_uniform
from torchkeras.backend.keras_backend import learning_phase as learning_phase
from torchkeras.backend.keras_backend import (
    set_learning_phase as set_learning_phase,
)
from torchkeras.backend.keras_backend import in_train_phase as in_train_phase
from torchkeras.backend.keras_backend import in_test_phase as in_test_phase
from torchkeras.backend.keras_backend import function as function
from torchkeras.backend.keras_backend import count_params as count_params
from torchkeras.backend.keras_backend import stop_gradient as stop_gradient
from torchkeras.backend.keras_backend import backend as backend
from torchkeras.backend.keras_backend import arange as arange
from torchkeras.backend.keras_backend import (
    batch_normalization as batch_normalization,
)
from torchkeras.backend.keras_backend import bias_add as bias_add
from torchkeras.backend.keras_backend import (
    binary_focal_crossentropy as binary_focal_crossentropy,
)
from torchkeras.backend.keras_backend import cast_to_floatx as cast_to_floatx
from torchkeras.backend.keras_backend import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from torchkeras.backend.keras_backend import conv1d as conv1d
from torchkeras.backend.keras_backend import conv2d as conv2d
from torchkeras.backend.keras_backend import (
    conv2d_transpose as conv2d_transpose,
)
from torchkeras.backend.keras_backend import conv3d as conv3d
from torchkeras.backend.keras_backend import cos as cos
from torchkeras.backend.keras_backend import cumprod as cumprod
from torchkeras.backend.keras_backend import cumsum as cumsum
from torchkeras.backend.keras_backend import (
    depthwise_conv2d as depthwise_conv2d,
)
from torchkeras.backend.keras_backend import dropout as dropout
from torchkeras.backend.keras_backend import elu as elu
from torchkeras.backend.keras_backend import foldl as foldl
from torchkeras.backend.keras_backend import foldr as foldr
from torchkeras.backend.keras_backend import get_uid as get_uid
from torchkeras.backend.keras_backend import gradients as gradients
from torchkeras.backend.keras_backend import hard_sigmoid as hard_sigmoid
from torchkeras.backend.keras_backend import in_top_k as in_top_k
from torchkeras.backend.keras_backend import is_sparse as is_sparse
from torchkeras.backend.keras_backend import (
    learning_phase_scope as learning_phase_scope,
)
from torchkeras.backend.keras_backend import local_conv1d as local_conv1d
from torchkeras.backend.keras_backend import local_conv2d as local_conv2d
from torchkeras.backend.keras_backend import (
    manual_variable_initialization as manual_variable_initialization,
)
from torchkeras.backend.keras_backend import map_fn as map_fn
from torchkeras.backend.keras_backend import (
    moving_average_update as moving_average_update,
)
from torchkeras.backend.keras_backend import name_scope as name_scope
from torchkeras.backend.keras_backend import (
    normalize_batch_in_training as normalize_batch_in_training,
)
from torchkeras.backend.keras_backend import placeholder as placeholder
from torchkeras.backend.keras_backend import pool2d as pool2d
from torchkeras.backend.keras_backend import pool3d as pool3d
from torchkeras.backend.keras_backend import print_tensor as print_tensor
from torchkeras.backend.keras_backend import (
    random_bernoulli as random_bernoulli,
)
from torchkeras.backend.keras_backend import random_binomial as random_binomial
from torchkeras.backend.keras_backend import (
    random_normal_variable as random_normal_variable,
)
from torchkeras.backend.keras_backend import (
    random_uniform_variable as random_uniform_variable,
)
from torchkeras.backend.keras_backend import repeat as repeat
from torchkeras.backend.keras_backend import reset_uids as reset_uids
from torchkeras.backend.keras_backend import resize_images as resize_images
from torchkeras.backend.keras_backend import resize_volumes as resize_volumes
from torchkeras.backend.keras_backend import reverse as reverse
from torchkeras.backend.keras_backend import rnn as rnn
from torchkeras.backend.keras_backend import (
    separable_conv2d as separable_conv2d,
)
from torchkeras.backend.keras_backend import sin as sin
from torchkeras.backend.keras_backend import softplus as softplus
from torchkeras.backend.keras_backend import softsign as softsign
from torchkeras.backend.keras_backend import (
    spatial_2d_padding as spatial_2d_padding,
)
from torchkeras.backend.keras_backend import (
    spatial_3d_padding as spatial_3d_padding,
)
from torchkeras.backend.keras_backend import (
    temporal_padding as temporal_padding,
)
from torchkeras.backend.keras_backend import to_dense as to_dense
from torchkeras.backend.keras_backend import (
    truncated_normal as truncated_normal,
)
from torchkeras.backend.keras_backend import update as update
from torchkeras.backend.keras_backend import update_add as update_add
from torchkeras.backend.keras_backend import update_sub as update_sub
from torchkeras.backend.keras_backend import (
    ctc_batch_cost as ctc_batch_cost,
)
from torchkeras.backend.ctc import ctc_decode as ctc_decode
from torchkeras.backend.ctc import (
    ctc_label_dense_to_sparse as ctc_label_dense_to_sparse,
)
