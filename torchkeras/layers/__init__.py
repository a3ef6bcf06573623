"""The ``layers`` namespace, as tf.keras spells it."""

from torchkeras.layers.core.dense import Dense as Dense
from torchkeras.layers.core.input_layer import Input as Input
from torchkeras.layers.core.input_layer import InputLayer as InputLayer
from torchkeras.layers.core.op_layer import OpLayer as OpLayer
from torchkeras.layers.input_spec import InputSpec as InputSpec
from torchkeras.layers.layer import Layer as Layer


def serialize(layer):
    from torchkeras.utils.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    from torchkeras.utils.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=_layer_objects(),
        custom_objects=custom_objects, printable_module_name="layer")


def _layer_objects():
    import torchkeras.engine.model as model_module
    import torchkeras.engine.sequential as sequential_module

    objects = {k: v for k, v in globals().items()
               if isinstance(v, type) and issubclass(v, Layer)}
    objects["Model"] = model_module.Model
    objects["Functional"] = model_module.Functional
    objects["Sequential"] = sequential_module.Sequential
    return objects

# Core, regularization, reshaping, merging, normalization and activation
# layers (appended; `_layer_objects` reads these names at call time).
from torchkeras.layers.activations.elu import ELU as ELU  # noqa: E402
from torchkeras.layers.activations.leaky_relu import (  # noqa: E402
    LeakyReLU as LeakyReLU,
)
from torchkeras.layers.activations.prelu import PReLU as PReLU  # noqa: E402
from torchkeras.layers.activations.relu import ReLU as ReLU  # noqa: E402
from torchkeras.layers.activations.softmax import (  # noqa: E402
    Softmax as Softmax,
)
from torchkeras.layers.core.activation import (  # noqa: E402
    Activation as Activation,
)
from torchkeras.layers.core.lambda_layer import Lambda as Lambda  # noqa: E402
from torchkeras.layers.merging.add import Add as Add  # noqa: E402
from torchkeras.layers.merging.add import add as add  # noqa: E402
from torchkeras.layers.merging.average import Average as Average  # noqa: E402
from torchkeras.layers.merging.average import average as average  # noqa: E402
from torchkeras.layers.merging.concatenate import (  # noqa: E402
    Concatenate as Concatenate,
)
from torchkeras.layers.merging.concatenate import (  # noqa: E402
    concatenate as concatenate,
)
from torchkeras.layers.merging.dot import Dot as Dot  # noqa: E402
from torchkeras.layers.merging.dot import dot as dot  # noqa: E402
from torchkeras.layers.merging.maximum import Maximum as Maximum  # noqa: E402
from torchkeras.layers.merging.maximum import maximum as maximum  # noqa: E402
from torchkeras.layers.merging.minimum import Minimum as Minimum  # noqa: E402
from torchkeras.layers.merging.minimum import minimum as minimum  # noqa: E402
from torchkeras.layers.merging.multiply import (  # noqa: E402
    Multiply as Multiply,
)
from torchkeras.layers.merging.multiply import (  # noqa: E402
    multiply as multiply,
)
from torchkeras.layers.merging.subtract import (  # noqa: E402
    Subtract as Subtract,
)
from torchkeras.layers.merging.subtract import (  # noqa: E402
    subtract as subtract,
)
from torchkeras.layers.normalization.batch_normalization import (  # noqa
    BatchNormalization as BatchNormalization,
)
from torchkeras.layers.normalization.group_normalization import (  # noqa
    GroupNormalization as GroupNormalization,
)
from torchkeras.layers.normalization.layer_normalization import (  # noqa
    LayerNormalization as LayerNormalization,
)
from torchkeras.layers.normalization.unit_normalization import (  # noqa
    UnitNormalization as UnitNormalization,
)
from torchkeras.layers.regularization.activity_regularization import (  # noqa
    ActivityRegularization as ActivityRegularization,
)
from torchkeras.layers.regularization.alpha_dropout import (  # noqa: E402
    AlphaDropout as AlphaDropout,
)
from torchkeras.layers.regularization.dropout import (  # noqa: E402
    Dropout as Dropout,
)
from torchkeras.layers.regularization.gaussian_dropout import (  # noqa
    GaussianDropout as GaussianDropout,
)
from torchkeras.layers.regularization.gaussian_noise import (  # noqa: E402
    GaussianNoise as GaussianNoise,
)
from torchkeras.layers.regularization.spatial_dropout import (  # noqa: E402
    SpatialDropout1D as SpatialDropout1D,
)
from torchkeras.layers.regularization.spatial_dropout import (  # noqa: E402
    SpatialDropout2D as SpatialDropout2D,
)
from torchkeras.layers.regularization.spatial_dropout import (  # noqa: E402
    SpatialDropout3D as SpatialDropout3D,
)
from torchkeras.layers.reshaping.flatten import Flatten as Flatten  # noqa
from torchkeras.layers.reshaping.permute import Permute as Permute  # noqa
from torchkeras.layers.reshaping.repeat_vector import (  # noqa: E402
    RepeatVector as RepeatVector,
)
from torchkeras.layers.reshaping.reshape import Reshape as Reshape  # noqa

# Convolution, pooling, padding/cropping/upsampling, Embedding and
# Masking layers (appended).
from torchkeras.layers.convolutional.conv1d import (  # noqa: E402
    Conv1D as Conv1D,
)
from torchkeras.layers.convolutional.conv1d import (  # noqa: E402
    Conv1D as Convolution1D,
)
from torchkeras.layers.convolutional.conv2d import (  # noqa: E402
    Conv2D as Conv2D,
)
from torchkeras.layers.convolutional.conv2d import (  # noqa: E402
    Conv2D as Convolution2D,
)
from torchkeras.layers.convolutional.conv3d import (  # noqa: E402
    Conv3D as Conv3D,
)
from torchkeras.layers.convolutional.conv3d import (  # noqa: E402
    Conv3D as Convolution3D,
)
from torchkeras.layers.convolutional.conv1d_transpose import (  # noqa: E402
    Conv1DTranspose as Conv1DTranspose,
)
from torchkeras.layers.convolutional.conv1d_transpose import (  # noqa: E402
    Conv1DTranspose as Convolution1DTranspose,
)
from torchkeras.layers.convolutional.conv2d_transpose import (  # noqa: E402
    Conv2DTranspose as Conv2DTranspose,
)
from torchkeras.layers.convolutional.conv2d_transpose import (  # noqa: E402
    Conv2DTranspose as Convolution2DTranspose,
)
from torchkeras.layers.convolutional.conv3d_transpose import (  # noqa: E402
    Conv3DTranspose as Conv3DTranspose,
)
from torchkeras.layers.convolutional.conv3d_transpose import (  # noqa: E402
    Conv3DTranspose as Convolution3DTranspose,
)
from torchkeras.layers.convolutional.depthwise_conv1d import (  # noqa: E402
    DepthwiseConv1D as DepthwiseConv1D,
)
from torchkeras.layers.convolutional.depthwise_conv2d import (  # noqa: E402
    DepthwiseConv2D as DepthwiseConv2D,
)
from torchkeras.layers.convolutional.separable_conv1d import (  # noqa: E402
    SeparableConv1D as SeparableConv1D,
)
from torchkeras.layers.convolutional.separable_conv1d import (  # noqa: E402
    SeparableConv1D as SeparableConvolution1D,
)
from torchkeras.layers.convolutional.separable_conv2d import (  # noqa: E402
    SeparableConv2D as SeparableConv2D,
)
from torchkeras.layers.convolutional.separable_conv2d import (  # noqa: E402
    SeparableConv2D as SeparableConvolution2D,
)
from torchkeras.layers.core.embedding import (  # noqa: E402
    Embedding as Embedding,
)
from torchkeras.layers.core.masking import Masking as Masking  # noqa: E402
from torchkeras.layers.pooling.max_pooling1d import (  # noqa: E402
    MaxPooling1D as MaxPooling1D,
)
from torchkeras.layers.pooling.max_pooling1d import (  # noqa: E402
    MaxPooling1D as MaxPool1D,
)
from torchkeras.layers.pooling.average_pooling1d import (  # noqa: E402
    AveragePooling1D as AveragePooling1D,
)
from torchkeras.layers.pooling.average_pooling1d import (  # noqa: E402
    AveragePooling1D as AvgPool1D,
)
from torchkeras.layers.pooling.global_max_pooling1d import (  # noqa: E402
    GlobalMaxPooling1D as GlobalMaxPooling1D,
)
from torchkeras.layers.pooling.global_max_pooling1d import (  # noqa: E402
    GlobalMaxPooling1D as GlobalMaxPool1D,
)
from torchkeras.layers.pooling.global_average_pooling1d import (  # noqa: E402
    GlobalAveragePooling1D as GlobalAveragePooling1D,
)
from torchkeras.layers.pooling.global_average_pooling1d import (  # noqa: E402
    GlobalAveragePooling1D as GlobalAvgPool1D,
)
from torchkeras.layers.pooling.max_pooling2d import (  # noqa: E402
    MaxPooling2D as MaxPooling2D,
)
from torchkeras.layers.pooling.max_pooling2d import (  # noqa: E402
    MaxPooling2D as MaxPool2D,
)
from torchkeras.layers.pooling.average_pooling2d import (  # noqa: E402
    AveragePooling2D as AveragePooling2D,
)
from torchkeras.layers.pooling.average_pooling2d import (  # noqa: E402
    AveragePooling2D as AvgPool2D,
)
from torchkeras.layers.pooling.global_max_pooling2d import (  # noqa: E402
    GlobalMaxPooling2D as GlobalMaxPooling2D,
)
from torchkeras.layers.pooling.global_max_pooling2d import (  # noqa: E402
    GlobalMaxPooling2D as GlobalMaxPool2D,
)
from torchkeras.layers.pooling.global_average_pooling2d import (  # noqa: E402
    GlobalAveragePooling2D as GlobalAveragePooling2D,
)
from torchkeras.layers.pooling.global_average_pooling2d import (  # noqa: E402
    GlobalAveragePooling2D as GlobalAvgPool2D,
)
from torchkeras.layers.pooling.max_pooling3d import (  # noqa: E402
    MaxPooling3D as MaxPooling3D,
)
from torchkeras.layers.pooling.max_pooling3d import (  # noqa: E402
    MaxPooling3D as MaxPool3D,
)
from torchkeras.layers.pooling.average_pooling3d import (  # noqa: E402
    AveragePooling3D as AveragePooling3D,
)
from torchkeras.layers.pooling.average_pooling3d import (  # noqa: E402
    AveragePooling3D as AvgPool3D,
)
from torchkeras.layers.pooling.global_max_pooling3d import (  # noqa: E402
    GlobalMaxPooling3D as GlobalMaxPooling3D,
)
from torchkeras.layers.pooling.global_max_pooling3d import (  # noqa: E402
    GlobalMaxPooling3D as GlobalMaxPool3D,
)
from torchkeras.layers.pooling.global_average_pooling3d import (  # noqa: E402
    GlobalAveragePooling3D as GlobalAveragePooling3D,
)
from torchkeras.layers.pooling.global_average_pooling3d import (  # noqa: E402
    GlobalAveragePooling3D as GlobalAvgPool3D,
)
from torchkeras.layers.reshaping.cropping1d import (  # noqa: E402
    Cropping1D as Cropping1D,
)
from torchkeras.layers.reshaping.up_sampling1d import (  # noqa: E402
    UpSampling1D as UpSampling1D,
)
from torchkeras.layers.reshaping.zero_padding1d import (  # noqa: E402
    ZeroPadding1D as ZeroPadding1D,
)
from torchkeras.layers.reshaping.cropping2d import (  # noqa: E402
    Cropping2D as Cropping2D,
)
from torchkeras.layers.reshaping.up_sampling2d import (  # noqa: E402
    UpSampling2D as UpSampling2D,
)
from torchkeras.layers.reshaping.zero_padding2d import (  # noqa: E402
    ZeroPadding2D as ZeroPadding2D,
)
from torchkeras.layers.reshaping.cropping3d import (  # noqa: E402
    Cropping3D as Cropping3D,
)
from torchkeras.layers.reshaping.up_sampling3d import (  # noqa: E402
    UpSampling3D as UpSampling3D,
)
from torchkeras.layers.reshaping.zero_padding3d import (  # noqa: E402
    ZeroPadding3D as ZeroPadding3D,
)

# Recurrent layers, their cells and the RNN wrappers (appended).
from torchkeras.layers.rnn.bidirectional import (  # noqa: E402
    Bidirectional as Bidirectional,
)
from torchkeras.layers.rnn.gru import GRU as GRU  # noqa: E402
from torchkeras.layers.rnn.gru import GRUCell as GRUCell  # noqa: E402
from torchkeras.layers.rnn.lstm import LSTM as LSTM  # noqa: E402
from torchkeras.layers.rnn.lstm import LSTMCell as LSTMCell  # noqa: E402
from torchkeras.layers.rnn.rnn import RNN as RNN  # noqa: E402
from torchkeras.layers.rnn.simple_rnn import (  # noqa: E402
    SimpleRNN as SimpleRNN,
)
from torchkeras.layers.rnn.simple_rnn import (  # noqa: E402
    SimpleRNNCell as SimpleRNNCell,
)
from torchkeras.layers.rnn.stacked_rnn_cells import (  # noqa: E402
    StackedRNNCells as StackedRNNCells,
)
from torchkeras.layers.rnn.time_distributed import (  # noqa: E402
    TimeDistributed as TimeDistributed,
)
from torchkeras.layers.attention.additive_attention import (  # noqa: E402
    AdditiveAttention as AdditiveAttention,
)
from torchkeras.layers.attention.attention import (  # noqa: E402
    Attention as Attention,
)
from torchkeras.layers.attention.multi_head_attention import (  # noqa: E402
    MultiHeadAttention as MultiHeadAttention,
)

# Preprocessing layers: lookups, hashing, text, normalization, images
# (appended).
from torchkeras.layers.preprocessing.category_encoding import (  # noqa: E402
    CategoryEncoding as CategoryEncoding,
)
from torchkeras.layers.preprocessing.center_crop import (  # noqa: E402
    CenterCrop as CenterCrop,
)
from torchkeras.layers.preprocessing.discretization import (  # noqa: E402
    Discretization as Discretization,
)
from torchkeras.layers.preprocessing.hashing import (  # noqa: E402
    Hashing as Hashing,
)
from torchkeras.layers.preprocessing.integer_lookup import (  # noqa: E402
    IntegerLookup as IntegerLookup,
)
from torchkeras.layers.preprocessing.normalization import (  # noqa: E402
    Normalization as Normalization,
)
from torchkeras.layers.preprocessing.random_crop import (  # noqa: E402
    RandomCrop as RandomCrop,
)
from torchkeras.layers.preprocessing.random_flip import (  # noqa: E402
    RandomFlip as RandomFlip,
)
from torchkeras.layers.preprocessing.random_rotation import (  # noqa: E402
    RandomRotation as RandomRotation,
)
from torchkeras.layers.preprocessing.random_zoom import (  # noqa: E402
    RandomZoom as RandomZoom,
)
from torchkeras.layers.preprocessing.rescaling import (  # noqa: E402
    Rescaling as Rescaling,
)
from torchkeras.layers.preprocessing.resizing import (  # noqa: E402
    Resizing as Resizing,
)
from torchkeras.layers.preprocessing.string_lookup import (  # noqa: E402
    StringLookup as StringLookup,
)
from torchkeras.layers.preprocessing.text_vectorization import (  # noqa
    TextVectorization as TextVectorization,
)
