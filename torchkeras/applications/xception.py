"""Xception (Chollet, 2017): depthwise separable convolutions in an entry
flow of strided residual blocks, a middle flow of 8 identity blocks and an
exit flow.

Named layers carry Keras's names (``block2_sepconv1``, ...); the residual
projections, their batch norms and the additions are unnamed in Keras
too, so they keep the same automatic names (``conv2d``, ``add_1``, ...).
"""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "xception/")
_FILES = {
    True: ("xception_weights_tf_dim_ordering_tf_kernels.h5",
           "0a58e3b7378bc2990ea3b43d5981f1f6"),
    False: ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "b0042744bf5b25fce3cb969f33bebb97"),
}
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), 'imagenet' (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.")


def _sepconv_bn(x, filters, prefix, i, channel_axis):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same",
                               use_bias=False,
                               name=f"{prefix}_sepconv{i}")(x)
    return layers.BatchNormalization(axis=channel_axis,
                                     name=f"{prefix}_sepconv{i}_bn")(x)


def _strided_block(x, filters, prefix, channel_axis, first_relu=True):
    """Two separable convolutions (``filters``: 2 counts) and a strided
    max-pool, added to a strided 1x1 projection of the input. Block 2
    starts without ReLU (its input is already activated) and names its
    one ReLU ``block2_sepconv2_act``."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2),
                             padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=channel_axis)(residual)
    if first_relu:
        x = layers.Activation("relu", name=f"{prefix}_sepconv1_act")(x)
    x = _sepconv_bn(x, filters[0], prefix, 1, channel_axis)
    x = layers.Activation("relu", name=f"{prefix}_sepconv2_act")(x)
    x = _sepconv_bn(x, filters[1], prefix, 2, channel_axis)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same",
                            name=f"{prefix}_pool")(x)
    return layers.add([x, residual])


def _middle_block(x, prefix, channel_axis):
    """Three ReLU-separable convolution-batch norm steps (728 channels)
    added to the input."""
    residual = x
    for i in (1, 2, 3):
        x = layers.Activation("relu", name=f"{prefix}_sepconv{i}_act")(x)
        x = _sepconv_bn(x, 728, prefix, i, channel_axis)
    return layers.add([x, residual])


@keras_export("keras.applications.xception.Xception",
              "keras.applications.Xception")
def Xception(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    """Instantiates Xception (inputs: `xception.preprocess_input`, tf
    mode).

    Args:
        include_top: whether to end with global average pooling and the
            ``predictions`` layer.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(299, 299, 3)`` with the classifier and ImageNet
            weights; otherwise any 3-channel shape of at least 71x71.
        pooling: without the classifier, `None` (4D output), ``"avg"``
            or ``"max"``.
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Examples:
        >>> model = keras.applications.Xception(
        ...     weights=None, input_shape=(71, 71, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=71,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    channel_axis = (1 if backend.image_data_format() == "channels_first"
                    else -1)

    x = img_input
    for i, (filters, strides) in enumerate(((32, (2, 2)), (64, (1, 1))),
                                           start=1):
        x = layers.Conv2D(filters, (3, 3), strides=strides, use_bias=False,
                          name=f"block1_conv{i}")(x)
        x = layers.BatchNormalization(axis=channel_axis,
                                      name=f"block1_conv{i}_bn")(x)
        x = layers.Activation("relu", name=f"block1_conv{i}_act")(x)
    x = _strided_block(x, (128, 128), "block2", channel_axis,
                       first_relu=False)
    x = _strided_block(x, (256, 256), "block3", channel_axis)
    x = _strided_block(x, (728, 728), "block4", channel_axis)
    for i in range(5, 13):
        x = _middle_block(x, f"block{i}", channel_axis)
    x = _strided_block(x, (728, 1024), "block13", channel_axis)
    x = _sepconv_bn(x, 1536, "block14", 1, channel_axis)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sepconv_bn(x, 2048, "block14", 2, channel_axis)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

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
                         origin=f"{_BASE}{file_name}", file_hash=file_hash)
    return model


@keras_export("keras.applications.xception.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the Xception models.

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
        >>> out = keras.applications.xception.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.xception.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a Xception model.

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
        >>> keras.applications.xception.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
