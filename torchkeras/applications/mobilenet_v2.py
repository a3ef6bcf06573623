"""MobileNetV2 (Sandler et al., 2018): a 3x3 convolution, then 17
inverted residual blocks (1x1 expansion, depthwise 3x3, linear 1x1
projection, with a residual connection where shapes allow), then a 1x1
convolution to 1280 channels."""

import warnings

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet_v2/")
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.  Received `weights={weights}`")
_CLASSES_ERROR = (
    'If using `weights="imagenet"` with `include_top` as true, `classes` '
    "should be 1000. Received `classes={classes}`")
_SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of the 17 inverted residual blocks.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6),
           (32, 1, 6), (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
           (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6),
           (160, 1, 6), (320, 1, 6))


def _check_input_tensor(input_shape, input_tensor, channels_first):
    """Keras's checks of an `input_shape` given with an `input_tensor`."""
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError(
            "input_tensor is not a Keras tensor; Received "
            f"`input_tensor={input_tensor}`")
    if channels_first and input_tensor.shape[1] != input_shape[1]:
        raise ValueError(
            "input_shape[1] must equal shape(input_tensor)[1] when "
            "`image_data_format` is `channels_first`; Received "
            f"`input_tensor.shape={input_tensor.shape}`, "
            f"`input_shape={input_shape}`")
    if not channels_first and input_tensor.shape[2] != input_shape[1]:
        raise ValueError(
            "input_tensor.shape[2] must equal input_shape[1]; Received "
            f"`input_tensor.shape={input_tensor.shape}`, "
            f"`input_shape={input_shape}`")


def _default_size(input_shape, input_tensor, channels_first):
    """The ImageNet size the given shape (or tensor) asks for, else 224."""
    if input_shape is not None:
        rows, cols = input_shape[1:3] if channels_first else input_shape[:2]
    elif input_tensor is not None and backend.is_keras_tensor(input_tensor):
        first = 2 if channels_first else 1
        rows, cols = input_tensor.shape[first:first + 2]
    else:
        return 224
    return rows if rows == cols and rows in _SIZES else 224


@keras_export("keras.applications.mobilenet_v2.MobileNetV2",
              "keras.applications.MobileNetV2")
def MobileNetV2(input_shape=None, alpha=1.0, include_top=True,
                weights="imagenet", input_tensor=None, pooling=None,
                classes=1000, classifier_activation="softmax", name=None):
    """Instantiates MobileNetV2 (inputs: `mobilenet_v2.preprocess_input`).

    Args:
        input_shape: `None` (``(224, 224, 3)`` with the classifier), or a
            3-channel shape of at least 32x32; ImageNet weights exist for
            square inputs of 96, 128, 160, 192 and 224.
        alpha: width multiplier (ImageNet weights: 0.35, 0.5, 0.75, 1.0,
            1.3 or 1.4); above 1 it also widens the last convolution.
        include_top: whether to end with the dense classifier.
        weights: `None`, ``"imagenet"`` or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        pooling: without the classifier, `None`, ``"avg"`` or ``"max"``.
        classes: number of classes (1000 for ImageNet weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name; `None` means
            ``"mobilenetv2_{alpha:.2f}_{rows}"``.

    Returns:
        A functional `Model`.

    Examples:
        >>> model = keras.applications.MobileNetV2(
        ...     weights=None, input_shape=(32, 32, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    data_format = backend.image_data_format()
    channels_first = data_format == "channels_first"
    if input_shape is not None and input_tensor is not None:
        _check_input_tensor(input_shape, input_tensor, channels_first)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=_default_size(input_shape, input_tensor, channels_first),
        min_size=32, data_format=data_format, require_flatten=include_top,
        weights=weights)
    rows, cols = input_shape[1:3] if channels_first else input_shape[:2]
    if weights == "imagenet":
        if alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
            raise ValueError(
                "If imagenet weights are being loaded, alpha must be one of "
                "`0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; "
                f"Received `alpha={alpha}`")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is "
                "not in [96, 128, 160, 192, 224]. Weights for input shape "
                "(224, 224) will be loaded as the default.", stacklevel=2)

    img_input = _common.image_input(input_shape, input_tensor)
    axis = 1 if channels_first else -1
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3,
                      strides=(2, 2), padding="same", use_bias=False,
                      name="Conv1")(img_input)
    x = _batch_norm(axis, "bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion=expansion, stride=stride,
                                alpha=alpha, filters=filters,
                                block_id=block_id)
    # The last convolution is only ever widened, never narrowed.
    last_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False,
                      name="Conv_1")(x)
    x = _batch_norm(axis, "Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        file_name = ("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_"
                     f"{float(alpha)}_{rows}"
                     f"{'' if include_top else '_no_top'}.h5")
        _common.load_weights(model, weights, file_name=file_name,
                             origin=BASE_WEIGHT_PATH + file_name)
    else:
        _common.load_weights(model, weights)
    return model


def _batch_norm(axis, name):
    return layers.BatchNormalization(axis=axis, epsilon=1e-3,
                                     momentum=0.999, name=name)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expansion (not in block 0), depthwise 3x3, projection; the input is
    added back when stride and channels allow."""
    axis = 1 if backend.image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[axis]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1,
                          padding="same", use_bias=False, activation=None,
                          name=f"{prefix}expand")(x)
        x = _batch_norm(axis, f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size=3, strides=stride, activation=None, use_bias=False,
        padding="same" if stride == 1 else "valid",
        name=f"{prefix}depthwise")(x)
    x = _batch_norm(axis, f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same",
                      use_bias=False, activation=None,
                      name=f"{prefix}project")(x)
    x = _batch_norm(axis, f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _make_divisible(v, divisor, min_value=None):
    """`v` rounded to a multiple of `divisor` (at least `min_value`), never
    more than 10% below `v`."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


@keras_export("keras.applications.mobilenet_v2.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the MobileNetV2 models.

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
        >>> out = keras.applications.mobilenet_v2.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.mobilenet_v2.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a MobileNetV2 model.

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
        >>> keras.applications.mobilenet_v2.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
