"""The ``layers`` namespace, as tf.keras spells it."""

from torchkeras.layers.core.dense import Dense as Dense
from torchkeras.layers.core.input_layer import Input as Input
from torchkeras.layers.core.input_layer import InputLayer as InputLayer
from torchkeras.layers.input_spec import InputSpec as InputSpec
from torchkeras.layers.layer import Layer as Layer
from torchkeras.layers.activations.elu import ELU as ELU
from torchkeras.layers.activations.leaky_relu import (
    LeakyReLU as LeakyReLU,
)
from torchkeras.layers.activations.prelu import PReLU as PReLU
from torchkeras.layers.activations.relu import ReLU as ReLU
from torchkeras.layers.activations.softmax import (
    Softmax as Softmax,
)
from torchkeras.layers.core.activation import (
    Activation as Activation,
)
from torchkeras.layers.core.lambda_layer import Lambda as Lambda
from torchkeras.layers.merging.add import Add as Add
from torchkeras.layers.merging.add import add as add
from torchkeras.layers.merging.average import Average as Average
from torchkeras.layers.merging.average import average as average
from torchkeras.layers.merging.concatenate import (
    Concatenate as Concatenate,
)
from torchkeras.layers.merging.concatenate import (
    concatenate as concatenate,
)
from torchkeras.layers.merging.dot import Dot as Dot
from torchkeras.layers.merging.dot import dot as dot
from torchkeras.layers.merging.maximum import Maximum as Maximum
from torchkeras.layers.merging.maximum import maximum as maximum
from torchkeras.layers.merging.minimum import Minimum as Minimum
from torchkeras.layers.merging.minimum import minimum as minimum
from torchkeras.layers.merging.multiply import (
    Multiply as Multiply,
)
from torchkeras.layers.merging.multiply import (
    multiply as multiply,
)
from torchkeras.layers.merging.subtract import (
    Subtract as Subtract,
)
from torchkeras.layers.merging.subtract import (
    subtract as subtract,
)
from torchkeras.layers.normalization.batch_normalization import (
    BatchNormalization as BatchNormalization,
)
from torchkeras.layers.normalization.group_normalization import (
    GroupNormalization as GroupNormalization,
)
from torchkeras.layers.normalization.layer_normalization import (
    LayerNormalization as LayerNormalization,
)
from torchkeras.layers.normalization.unit_normalization import (
    UnitNormalization as UnitNormalization,
)
from torchkeras.layers.regularization.activity_regularization import (
    ActivityRegularization as ActivityRegularization,
)
from torchkeras.layers.regularization.alpha_dropout import (
    AlphaDropout as AlphaDropout,
)
from torchkeras.layers.regularization.dropout import (
    Dropout as Dropout,
)
from torchkeras.layers.regularization.gaussian_dropout import (
    GaussianDropout as GaussianDropout,
)
from torchkeras.layers.regularization.gaussian_noise import (
    GaussianNoise as GaussianNoise,
)
from torchkeras.layers.regularization.spatial_dropout import (
    SpatialDropout1D as SpatialDropout1D,
)
from torchkeras.layers.regularization.spatial_dropout import (
    SpatialDropout2D as SpatialDropout2D,
)
from torchkeras.layers.regularization.spatial_dropout import (
    SpatialDropout3D as SpatialDropout3D,
)
from torchkeras.layers.reshaping.flatten import Flatten as Flatten  # noqa
from torchkeras.layers.reshaping.permute import Permute as Permute  # noqa
from torchkeras.layers.reshaping.repeat_vector import (
    RepeatVector as RepeatVector,
)
from torchkeras.layers.reshaping.reshape import Reshape as Reshape  # noqa

# Convolution, pooling, padding/cropping/upsampling, Embedding and
# Masking layers (appended).
from torchkeras.layers.convolutional.conv1d import (
    Conv1D as Conv1D,
)
from torchkeras.layers.convolutional.conv1d import (
    Conv1D as Convolution1D,
)
from torchkeras.layers.convolutional.conv2d import (
    Conv2D as Conv2D,
)
from torchkeras.layers.convolutional.conv3d import (
    Conv3D as Conv3D,
)
from torchkeras.layers.convolutional.conv1d_transpose import (
    Conv1DTranspose as Conv1DTranspose,
)
from torchkeras.layers.convolutional.conv1d_transpose import (
    Conv1DTranspose as Convolution1DTranspose,
)
from torchkeras.layers.convolutional.conv2d_transpose import (
    Conv2DTranspose as Conv2DTranspose,
)
from torchkeras.layers.convolutional.conv2d_transpose import (
    Conv2DTranspose as Convolution2DTranspose,
)
from torchkeras.layers.convolutional.conv3d_transpose import (
    Conv3DTranspose as Conv3DTranspose,
)
from torchkeras.layers.convolutional.conv3d_transpose import (
    Conv3DTranspose as Convolution3DTranspose,
)
from torchkeras.layers.convolutional.depthwise_conv1d import (
    DepthwiseConv1D as DepthwiseConv1D,
)
from torchkeras.layers.convolutional.depthwise_conv2d import (
    DepthwiseConv2D as DepthwiseConv2D,
)
from torchkeras.layers.convolutional.separable_conv1d import (
    SeparableConv1D as SeparableConv1D,
)
from torchkeras.layers.convolutional.separable_conv1d import (
    SeparableConv1D as SeparableConvolution1D,
)
from torchkeras.layers.convolutional.separable_conv2d import (
    SeparableConv2D as SeparableConv2D,
)
from torchkeras.layers.convolutional.separable_conv2d import (
    SeparableConv2D as SeparableConvolution2D,
)
from torchkeras.layers.core.embedding import (
    Embedding as Embedding,
)
from torchkeras.layers.core.masking import Masking as Masking
from torchkeras.layers.pooling.max_pooling1d import (
    MaxPooling1D as MaxPooling1D,
)
from torchkeras.layers.pooling.max_pooling1d import (
    MaxPooling1D as MaxPool1D,
)
from torchkeras.layers.pooling.average_pooling1d import (
    AveragePooling1D as AveragePooling1D,
)
from torchkeras.layers.pooling.average_pooling1d import (
    AveragePooling1D as AvgPool1D,
)
from torchkeras.layers.pooling.global_max_pooling1d import (
    GlobalMaxPooling1D as GlobalMaxPooling1D,
)
from torchkeras.layers.pooling.global_max_pooling1d import (
    GlobalMaxPooling1D as GlobalMaxPool1D,
)
from torchkeras.layers.pooling.global_average_pooling1d import (
    GlobalAveragePooling1D as GlobalAveragePooling1D,
)
from torchkeras.layers.pooling.global_average_pooling1d import (
    GlobalAveragePooling1D as GlobalAvgPool1D,
)
from torchkeras.layers.pooling.max_pooling2d import (
    MaxPooling2D as MaxPooling2D,
)
from torchkeras.layers.pooling.max_pooling2d import (
    MaxPooling2D as MaxPool2D,
)
from torchkeras.layers.pooling.average_pooling2d import (
    AveragePooling2D as AveragePooling2D,
)
from torchkeras.layers.pooling.average_pooling2d import (
    AveragePooling2D as AvgPool2D,
)
from torchkeras.layers.pooling.global_max_pooling2d import (
    GlobalMaxPooling2D as GlobalMaxPooling2D,
)
from torchkeras.layers.pooling.global_max_pooling2d import (
    GlobalMaxPooling2D as GlobalMaxPool2D,
)
from torchkeras.layers.pooling.global_average_pooling2d import (
    GlobalAveragePooling2D as GlobalAveragePooling2D,
)
from torchkeras.layers.pooling.global_average_pooling2d import (
    GlobalAveragePooling2D as GlobalAvgPool2D,
)
from torchkeras.layers.pooling.max_pooling3d import (
    MaxPooling3D as MaxPooling3D,
)
from torchkeras.layers.pooling.max_pooling3d import (
    MaxPooling3D as MaxPool3D,
)
from torchkeras.layers.pooling.average_pooling3d import (
    AveragePooling3D as AveragePooling3D,
)
from torchkeras.layers.pooling.average_pooling3d import (
    AveragePooling3D as AvgPool3D,
)
from torchkeras.layers.pooling.global_max_pooling3d import (
    GlobalMaxPooling3D as GlobalMaxPooling3D,
)
from torchkeras.layers.pooling.global_max_pooling3d import (
    GlobalMaxPooling3D as GlobalMaxPool3D,
)
from torchkeras.layers.pooling.global_average_pooling3d import (
    GlobalAveragePooling3D as GlobalAveragePooling3D,
)
from torchkeras.layers.pooling.global_average_pooling3d import (
    GlobalAveragePooling3D as GlobalAvgPool3D,
)
from torchkeras.layers.reshaping.cropping1d import (
    Cropping1D as Cropping1D,
)
from torchkeras.layers.reshaping.up_sampling1d import (
    UpSampling1D as UpSampling1D,
)
from torchkeras.layers.reshaping.zero_padding1d import (
    ZeroPadding1D as ZeroPadding1D,
)
from torchkeras.layers.reshaping.cropping2d import (
    Cropping2D as Cropping2D,
)
from torchkeras.layers.reshaping.up_sampling2d import (
    UpSampling2D as UpSampling2D,
)
from torchkeras.layers.reshaping.zero_padding2d import (
    ZeroPadding2D as ZeroPadding2D,
)
from torchkeras.layers.reshaping.cropping3d import (
    Cropping3D as Cropping3D,
)
from torchkeras.layers.reshaping.up_sampling3d import (
    UpSampling3D as UpSampling3D,
)
from torchkeras.layers.reshaping.zero_padding3d import (
    ZeroPadding3D as ZeroPadding3D,
)

# Recurrent layers, their cells and the RNN wrappers (appended).
from torchkeras.layers.rnn.bidirectional import (
    Bidirectional as Bidirectional,
)
from torchkeras.layers.rnn.conv_lstm1d import (
    ConvLSTM1D as ConvLSTM1D,
)
from torchkeras.layers.rnn.conv_lstm2d import (
    ConvLSTM2D as ConvLSTM2D,
)
from torchkeras.layers.rnn.conv_lstm3d import (
    ConvLSTM3D as ConvLSTM3D,
)
from torchkeras.layers.rnn.gru import GRU as GRU
from torchkeras.layers.rnn.gru import GRUCell as GRUCell
from torchkeras.layers.rnn.lstm import LSTM as LSTM
from torchkeras.layers.rnn.lstm import LSTMCell as LSTMCell
from torchkeras.layers.rnn.rnn import RNN as RNN
from torchkeras.layers.rnn.simple_rnn import (
    SimpleRNN as SimpleRNN,
)
from torchkeras.layers.rnn.simple_rnn import (
    SimpleRNNCell as SimpleRNNCell,
)
from torchkeras.layers.rnn.stacked_rnn_cells import (
    StackedRNNCells as StackedRNNCells,
)
from torchkeras.layers.rnn.time_distributed import (
    TimeDistributed as TimeDistributed,
)
from torchkeras.layers.attention.additive_attention import (
    AdditiveAttention as AdditiveAttention,
)
from torchkeras.layers.attention.attention import (
    Attention as Attention,
)
from torchkeras.layers.attention.multi_head_attention import (
    MultiHeadAttention as MultiHeadAttention,
)

# Preprocessing layers: lookups, hashing, text, normalization, images
# (appended).
from torchkeras.layers.preprocessing.category_encoding import (
    CategoryEncoding as CategoryEncoding,
)
from torchkeras.layers.preprocessing.center_crop import (
    CenterCrop as CenterCrop,
)
from torchkeras.layers.preprocessing.discretization import (
    Discretization as Discretization,
)
from torchkeras.layers.preprocessing.hashing import (
    Hashing as Hashing,
)
from torchkeras.layers.preprocessing.integer_lookup import (
    IntegerLookup as IntegerLookup,
)
from torchkeras.layers.preprocessing.normalization import (
    Normalization as Normalization,
)
from torchkeras.layers.preprocessing.random_crop import (
    RandomCrop as RandomCrop,
)
from torchkeras.layers.preprocessing.random_flip import (
    RandomFlip as RandomFlip,
)
from torchkeras.layers.preprocessing.random_rotation import (
    RandomRotation as RandomRotation,
)
from torchkeras.layers.preprocessing.random_zoom import (
    RandomZoom as RandomZoom,
)
from torchkeras.layers.preprocessing.rescaling import (
    Rescaling as Rescaling,
)
from torchkeras.layers.preprocessing.resizing import (
    Resizing as Resizing,
)
from torchkeras.layers.preprocessing.string_lookup import (
    StringLookup as StringLookup,
)
from torchkeras.layers.preprocessing.text_vectorization import (
    TextVectorization as TextVectorization,
)

# Keras 1 argument names (Keras 2.0-2.2 accepted them with a warning) and
# the Keras 1 class names that read Keras 1 positional kernel sizes.
from torchkeras.layers import legacy_interfaces as _legacy  # noqa: E402

Convolution2D = _legacy.keras1_name(Conv2D)
Convolution3D = _legacy.keras1_name(Conv3D)
_legacy.install(globals())

# tf.keras 2.2-2.5's `layers.experimental.preprocessing` path.
from torchkeras.layers import experimental as experimental  # noqa: E402


def serialize(layer):
    from torchkeras.utils.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    from torchkeras.utils.serialization import deserialize_keras_object

    if isinstance(config, dict) and _is_recorded_op(config):
        from torchkeras.layers.core.tf_op_layer import TFOpLambda

        class_name = config["class_name"]
        if class_name in ("TFOpLambda", "SlicingOpLambda"):
            return TFOpLambda.from_config(config["config"])
        return TFOpLambda.from_keras3_config(class_name, config["config"])
    return deserialize_keras_object(
        config, module_objects=_layer_objects(),
        custom_objects=custom_objects, printable_module_name="layer")


def _is_recorded_op(config):
    """A Keras 3 operation class or tf.keras 2's TFOpLambda entry."""
    module = config.get("module") or ""
    if module.startswith("keras.src.ops"):
        return True
    return config.get("class_name") in ("TFOpLambda", "SlicingOpLambda")


def _layer_objects():
    import torchkeras.engine.model as model_module
    import torchkeras.engine.sequential as sequential_module

    objects = {k: v for k, v in globals().items()
               if isinstance(v, type) and issubclass(v, Layer)}
    objects["Model"] = model_module.Model
    objects["Functional"] = model_module.Functional
    objects["Sequential"] = sequential_module.Sequential
    return objects
