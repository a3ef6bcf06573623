"""MobileNet (Howard et al., 2017): a 3x3 convolution, then 13 depthwise
separable blocks (depthwise 3x3, pointwise 1x1, each with batch norm and
ReLU6), with a width multiplier `alpha` on every convolution."""

import warnings

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet/")
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), 'imagenet' (pre-training on ImageNet), or the path "
    "to the weights file to be loaded. Received weights={weights}")
_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}
# (pointwise filters, strides) of the 13 depthwise separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
           (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
           (1024, 1))


@keras_export("keras.applications.mobilenet.MobileNet",
              "keras.applications.MobileNet")
def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3,
              include_top=True, weights="imagenet", input_tensor=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              name=None):
    """Instantiates MobileNet (inputs: `mobilenet.preprocess_input`).

    Args:
        input_shape: `None` (``(224, 224, 3)`` with the classifier), or a
            3-channel shape of at least 32x32; ImageNet weights exist for
            square inputs of 128, 160, 192 and 224.
        alpha: width multiplier of every convolution (ImageNet weights:
            0.25, 0.5, 0.75 or 1.0).
        depth_multiplier: depth multiplier of the depthwise convolutions
            (1 with ImageNet weights).
        dropout: dropout rate before the classifier.
        include_top: whether to end with the 1x1-convolution classifier.
        weights: `None`, ``"imagenet"`` or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        pooling: without the classifier, `None`, ``"avg"`` or ``"max"``.
        classes: number of classes (1000 for ImageNet weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name; `None` means
            ``"mobilenet_{alpha:.2f}_{rows}"``.

    Returns:
        A functional `Model`.

    Examples:
        >>> model = keras.applications.MobileNet(
        ...     weights=None, input_shape=(32, 32, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR)
    data_format = backend.image_data_format()
    row_axis = 0 if data_format == "channels_last" else 1
    default_size = 224
    if input_shape is not None:
        rows, cols = input_shape[row_axis], input_shape[row_axis + 1]
        if rows == cols and rows in _SIZES:
            default_size = rows
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=data_format, require_flatten=include_top,
        weights=weights)
    rows, cols = input_shape[row_axis], input_shape[row_axis + 1]
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(
                "If imagenet weights are being loaded, depth multiplier "
                "must be 1.  Received depth_multiplier="
                f"{depth_multiplier}")
        if alpha not in (0.25, 0.50, 0.75, 1.0):
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one "
                "of`0.25`, `0.50`, `0.75` or `1.0` only.  Received "
                f"alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is "
                "not in [128, 160, 192, 224]. Weights for input shape "
                "(224, 224) will be loaded as the default.", stacklevel=2)

    img_input = _common.image_input(input_shape, input_tensor)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                  strides=(stride, stride),
                                  block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same",
                          name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation,
                              name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        suffix = "tf.h5" if include_top else "tf_no_top.h5"
        file_name = (f"mobilenet_{_ALPHA_TEXT.get(alpha, '2_5')}_{rows}_"
                     f"{suffix}")
        _common.load_weights(model, weights, file_name=file_name,
                             origin=BASE_WEIGHT_PATH + file_name)
    else:
        _common.load_weights(model, weights)
    return model


def _channel_axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """The stem: convolution, batch norm, ReLU6 (``conv1*``)."""
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same",
                      use_bias=False, strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=_channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha,
                          depth_multiplier=1, strides=(1, 1), block_id=1):
    """Depthwise 3x3 and pointwise 1x1, each followed by batch norm and
    ReLU6; a strided block pads bottom and right first."""
    axis = _channel_axis()
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)),
                                 name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D(
        (3, 3), padding="same" if strides == (1, 1) else "valid",
        depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
        name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1),
                      padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


@keras_export("keras.applications.mobilenet.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the MobileNet models.

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
        >>> out = keras.applications.mobilenet.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.mobilenet.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a MobileNet model.

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
        >>> keras.applications.mobilenet.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
