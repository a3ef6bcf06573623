"""Inception-ResNet-v2 (Szegedy et al., 2016): an Inception stem, then
10 Inception-ResNet-A, 20 -B and 10 -C blocks (separated by reduction
blocks); each block adds its scaled branch mix to its input."""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export
from torchkeras.utils.serialization import register_keras_serializable

BASE_WEIGHT_URL = ("https://storage.googleapis.com/tensorflow/"
                   "keras-applications/inception_resnet_v2/")
_FILES = {
    True: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
           "e693bd0210a403b3192acc6073ad2e96"),
    False: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "d19885ff4a710c122648d3b5c3b684e4"),
}
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.")
_CLASSES_ERROR = (
    'If using `weights="imagenet"` with `include_top=True`, `classes` '
    "should be 1000. Received classes={classes}")


def _channel_axis():
    return 1 if backend.image_data_format() == "channels_first" else 3


@keras_export("keras.applications.inception_resnet_v2.InceptionResNetV2",
              "keras.applications.InceptionResNetV2")
def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax",
                      name="inception_resnet_v2"):
    """Instantiates the Inception-ResNet-v2 architecture.

    Inputs: `inception_resnet_v2.preprocess_input` (tf mode).

    Args:
        include_top: whether to end with the dense classifier.
        weights: `None`, ``"imagenet"`` or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(299, 299, 3)`` with the classifier; without it,
            any 3-channel shape of at least 75x75.
        pooling: without the classifier, `None`, ``"avg"`` or ``"max"``.
        classes: number of classes (1000 for ImageNet weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Examples:
        >>> model = keras.applications.InceptionResNetV2(
        ...     weights=None, include_top=False, input_shape=(75, 75, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 1536)
    """
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=75,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    axis = _channel_axis()

    # Stem: 35 x 35 x 192 at the default size.
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    # Mixed 5b (Inception-A): 35 x 35 x 320.
    branch_0 = conv2d_bn(x, 96, 1)
    branch_1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    branch_2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branch_pool = conv2d_bn(branch_pool, 64, 1)
    x = layers.Concatenate(axis=axis, name="mixed_5b")(
        [branch_0, branch_1, branch_2, branch_pool])
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35",
                                   block_idx=block_idx)

    # Mixed 6a (Reduction-A): 17 x 17 x 1088.
    branch_0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(conv2d_bn(x, 256, 1), 256, 3)
    branch_1 = conv2d_bn(branch_1, 384, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")(
        [branch_0, branch_1, branch_pool])
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17",
                                   block_idx=block_idx)

    # Mixed 7a (Reduction-B): 8 x 8 x 2080.
    branch_0 = conv2d_bn(x, 256, 1)
    branch_0 = conv2d_bn(branch_0, 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(x, 256, 1)
    branch_1 = conv2d_bn(branch_1, 288, 3, strides=2, padding="valid")
    branch_2 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3)
    branch_2 = conv2d_bn(branch_2, 320, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_7a")(
        [branch_0, branch_1, branch_2, branch_pool])
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8",
                                   block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None,
                               block_type="block8", block_idx=10)

    # Final convolution: 8 x 8 x 1536.
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    file_name, file_hash = _FILES[include_top]
    _common.load_weights(model, weights, file_name=file_name,
                         origin=BASE_WEIGHT_URL + file_name,
                         file_hash=file_hash)
    return model


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same",
              activation="relu", use_bias=False, name=None):
    """Convolution, then (without bias) batch norm without scale, then
    `activation`; with a `name`, the others are ``{name}_bn`` and
    ``{name}_ac``."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(
            axis=_channel_axis(), scale=False,
            name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(
            activation, name=None if name is None else f"{name}_ac")(x)
    return x


@register_keras_serializable(package="torchkeras.applications")
class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: a block's residual sum.

    Args:
        scale: the factor of the second input.
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale})
        return config

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """An Inception-ResNet block: its branches concatenated, projected by a
    1x1 convolution to the input's channels, scaled and added to the input.

    Args:
        block_type: ``"block35"`` (A), ``"block17"`` (B) or ``"block8"``
            (C); with `block_idx`, it names the layers.
        activation: applied after the sum (`None`: none).

    Raises:
        ValueError: for another `block_type`.
    """
    if block_type == "block35":
        branch_0 = conv2d_bn(x, 32, 1)
        branch_1 = conv2d_bn(conv2d_bn(x, 32, 1), 32, 3)
        branch_2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)
        branches = [branch_0, branch_1, branch_2]
    elif block_type == "block17":
        branch_0 = conv2d_bn(x, 192, 1)
        branch_1 = conv2d_bn(conv2d_bn(x, 128, 1), 160, [1, 7])
        branch_1 = conv2d_bn(branch_1, 192, [7, 1])
        branches = [branch_0, branch_1]
    elif block_type == "block8":
        branch_0 = conv2d_bn(x, 192, 1)
        branch_1 = conv2d_bn(conv2d_bn(x, 192, 1), 224, [1, 3])
        branch_1 = conv2d_bn(branch_1, 256, [3, 1])
        branches = [branch_0, branch_1]
    else:
        raise ValueError(
            "Unknown Inception-ResNet block type. Expects \"block35\", "
            f"\"block17\" or \"block8\", but got: {block_type}")
    block_name = f"{block_type}_{block_idx}"
    axis = _channel_axis()
    mixed = layers.Concatenate(axis=axis, name=f"{block_name}_mixed")(
        branches)
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


@keras_export("keras.applications.inception_resnet_v2.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the InceptionResNetV2 models.

    TF mode: pixels are scaled from `[0, 255]` to `[-1, 1]`
    (`x / 127.5 - 1`).

    Args:
        x: Images with pixel values in `[0, 255]`: a NumPy array, tensor or
            `KerasTensor`, 3D or 4D, with 3 color channels.
        data_format: Data format of the images, `"channels_last"` or
            `"channels_first"`; `None` means
            `keras.config.image_data_format()`.

    Returns:
        The preprocessed images, `float32`. A float NumPy array is
        overwritten in place; a tensor gives a new tensor.

    Examples:
        >>> images = np.array([[[255.0, 128.0, 0.0]]], "float32")
        >>> out = keras.applications.inception_resnet_v2.preprocess_input(
        ...     images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.inception_resnet_v2.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a InceptionResNetV2 model.

    The same as `keras.applications.imagenet_utils.decode_predictions`:
    the class names come from `imagenet_class_index.json` in the Keras
    cache, downloaded on first use.

    Args:
        preds: Predictions of shape `(samples, 1000)`.
        top: How many of the best guesses to return per sample.

    Returns:
        One list per sample of `(class_name, class_description, score)`
        tuples, best first.

    Raises:
        ValueError: when `preds` is not of shape `(samples, 1000)`.

    Examples:
        >>> preds = np.zeros((1, 10))  # not the 1000 ImageNet classes
        >>> keras.applications.inception_resnet_v2.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
