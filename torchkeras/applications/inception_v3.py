"""InceptionV3 (Szegedy et al., 2015): a convolutional stem, then eleven
Inception modules (``mixed0`` to ``mixed10``) whose parallel branches are
concatenated.

Only the concatenations are named in Keras; every convolution, batch norm,
activation and pooling keeps its automatic name (``conv2d_12``, ...), in
Keras's creation order, so the published files load by name too.
"""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "inception_v3/")
_FILES = {
    True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
           "9a0d58056eeedaa3f26cb7ebd46da564"),
    False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "bcbd6486424b2319ff4ef7d526e38f63"),
}
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded; Received: weights={weights}")
_CLASSES_ERROR = (
    'If using `weights="imagenet"` with `include_top=True`, `classes` '
    "should be 1000. Received classes={classes}")


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1),
              name=None):
    """Convolution without bias, batch norm without scale, ReLU; `name`
    names the three layers (``{name}_conv``, ``{name}_bn``, `name`)."""
    bn_axis = 1 if backend.image_data_format() == "channels_first" else 3
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides,
                      padding=padding, use_bias=False,
                      name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(
        axis=bn_axis, scale=False,
        name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _avg_pool_branch(x, filters):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _module_a(x, pool_filters, name, axis):
    """35x35 module: 1x1, 1x1-5x5, 1x1-3x3-3x3 and pool-1x1 branches."""
    branch1x1 = conv2d_bn(x, 64, 1, 1)
    branch5x5 = conv2d_bn(x, 48, 1, 1)
    branch5x5 = conv2d_bn(branch5x5, 64, 5, 5)
    branch3x3dbl = conv2d_bn(x, 64, 1, 1)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3)
    branch_pool = _avg_pool_branch(x, pool_filters)
    return layers.concatenate(
        [branch1x1, branch5x5, branch3x3dbl, branch_pool], axis=axis,
        name=name)


def _module_c(x, filters, name, axis):
    """17x17 module with factorised 7x7 branches of `filters` channels."""
    branch1x1 = conv2d_bn(x, 192, 1, 1)
    branch7x7 = conv2d_bn(x, filters, 1, 1)
    branch7x7 = conv2d_bn(branch7x7, filters, 1, 7)
    branch7x7 = conv2d_bn(branch7x7, 192, 7, 1)
    branch7x7dbl = conv2d_bn(x, filters, 1, 1)
    branch7x7dbl = conv2d_bn(branch7x7dbl, filters, 7, 1)
    branch7x7dbl = conv2d_bn(branch7x7dbl, filters, 1, 7)
    branch7x7dbl = conv2d_bn(branch7x7dbl, filters, 7, 1)
    branch7x7dbl = conv2d_bn(branch7x7dbl, 192, 1, 7)
    branch_pool = _avg_pool_branch(x, 192)
    return layers.concatenate(
        [branch1x1, branch7x7, branch7x7dbl, branch_pool], axis=axis,
        name=name)


def _module_e(x, i, axis):
    """8x8 module (``mixed9``, ``mixed10``) with split 1x3/3x1 branches."""
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3_1 = conv2d_bn(branch3x3, 384, 1, 3)
    branch3x3_2 = conv2d_bn(branch3x3, 384, 3, 1)
    branch3x3 = layers.concatenate([branch3x3_1, branch3x3_2], axis=axis,
                                   name=f"mixed9_{i}")
    branch3x3dbl = conv2d_bn(x, 448, 1, 1)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 384, 3, 3)
    branch3x3dbl_1 = conv2d_bn(branch3x3dbl, 384, 1, 3)
    branch3x3dbl_2 = conv2d_bn(branch3x3dbl, 384, 3, 1)
    branch3x3dbl = layers.concatenate([branch3x3dbl_1, branch3x3dbl_2],
                                      axis=axis)
    branch_pool = _avg_pool_branch(x, 192)
    return layers.concatenate(
        [branch1x1, branch3x3, branch3x3dbl, branch_pool], axis=axis,
        name=f"mixed{9 + i}")


@keras_export("keras.applications.inception_v3.InceptionV3",
              "keras.applications.InceptionV3")
def InceptionV3(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="inception_v3"):
    """Instantiates InceptionV3 (inputs: `inception_v3.preprocess_input`,
    tf mode).

    Args:
        include_top: whether to end with global average pooling and the
            ``predictions`` layer.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(299, 299, 3)`` with the classifier and ImageNet
            weights; otherwise any 3-channel shape of at least 75x75.
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
        >>> model = keras.applications.InceptionV3(
        ...     weights=None, input_shape=(75, 75, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=75,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    axis = 1 if backend.image_data_format() == "channels_first" else 3

    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    x = _module_a(x, 32, "mixed0", axis)
    x = _module_a(x, 64, "mixed1", axis)
    x = _module_a(x, 64, "mixed2", axis)

    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    branch3x3dbl = conv2d_bn(x, 64, 1, 1)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2),
                             padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([branch3x3, branch3x3dbl, branch_pool],
                           axis=axis, name="mixed3")

    x = _module_c(x, 128, "mixed4", axis)
    x = _module_c(x, 160, "mixed5", axis)
    x = _module_c(x, 160, "mixed6", axis)
    x = _module_c(x, 192, "mixed7", axis)

    branch3x3 = conv2d_bn(x, 192, 1, 1)
    branch3x3 = conv2d_bn(branch3x3, 320, 3, 3, strides=(2, 2),
                          padding="valid")
    branch7x7x3 = conv2d_bn(x, 192, 1, 1)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 1, 7)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 7, 1)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, strides=(2, 2),
                            padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([branch3x3, branch7x7x3, branch_pool],
                           axis=axis, name="mixed8")

    x = _module_e(x, 0, axis)
    x = _module_e(x, 1, axis)

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


@keras_export("keras.applications.inception_v3.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the InceptionV3 models.

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
        >>> out = keras.applications.inception_v3.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.inception_v3.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a InceptionV3 model.

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
        >>> keras.applications.inception_v3.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
