"""The Keras 3 ``keras.ops`` namespace (a minimal subset), on torch."""

from torchkeras.ops.core import cast as cast
from torchkeras.ops.core import convert_to_tensor as convert_to_tensor
from torchkeras.ops.nn import binary_crossentropy as binary_crossentropy
from torchkeras.ops.nn import (
    categorical_crossentropy as categorical_crossentropy,
)
from torchkeras.ops.nn import ctc_decode as ctc_decode
from torchkeras.ops.nn import ctc_loss as ctc_loss
from torchkeras.ops.nn import log_softmax as log_softmax
from torchkeras.ops.nn import normalize as normalize
from torchkeras.ops.nn import one_hot as one_hot
from torchkeras.ops.nn import sigmoid as sigmoid
from torchkeras.ops.nn import softmax as softmax
from torchkeras.ops.nn import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from torchkeras.ops.numpy import abs as abs
from torchkeras.ops.numpy import argmax as argmax
from torchkeras.ops.numpy import clip as clip
from torchkeras.ops.numpy import exp as exp
from torchkeras.ops.numpy import expand_dims as expand_dims
from torchkeras.ops.numpy import eye as eye
from torchkeras.ops.numpy import log as log
from torchkeras.ops.numpy import matmul as matmul
from torchkeras.ops.numpy import maximum as maximum
from torchkeras.ops.numpy import mean as mean
from torchkeras.ops.numpy import minimum as minimum
from torchkeras.ops.numpy import reshape as reshape
from torchkeras.ops.numpy import sqrt as sqrt
from torchkeras.ops.numpy import square as square
from torchkeras.ops.numpy import squeeze as squeeze
from torchkeras.ops.numpy import sum as sum
from torchkeras.ops.numpy import transpose as transpose
from torchkeras.ops.numpy import where as where
