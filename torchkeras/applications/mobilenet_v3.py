"""MobileNetV3 (Howard et al., 2019), Small and Large: inverted residual
blocks with squeeze-and-excitation and hard-swish, found by architecture
search; ``minimalistic`` drops both (ReLU, 3x3 kernels, no SE).

The models rescale their inputs themselves (``include_preprocessing``), so
`preprocess_input` passes the pixels through.
"""

import warnings

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet_v3/")
# {model: (md5 with the classifier, md5 without)}
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": (
        "675e7b876c45c57e9e63e6d90a36599c",
        "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": (
        "99cd97fb2fcdad2bf028eb838de69e37",
        "cde8136e733e811080d9fcd8a252f7e4"),
}
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.  Received weights={weights}")
_CLASSES_ERROR = (
    'If using `weights="imagenet"` with `include_top` as true, `classes` '
    "should be 1000.  Received classes={classes}")

# Blocks: (expansion, filters, kernel, stride, squeeze-excite, activation)
# where kernel "k", SE "se" and activation "act" follow `minimalistic`
# (5 / 0.25 / hard-swish, or 3 / none / ReLU).
_SMALL = (
    (1, 16, 3, 2, "se", "relu"), (72 / 16, 24, 3, 2, None, "relu"),
    (88 / 24, 24, 3, 1, None, "relu"), (4, 40, "k", 2, "se", "act"),
    (6, 40, "k", 1, "se", "act"), (6, 40, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"), (3, 48, "k", 1, "se", "act"),
    (6, 96, "k", 2, "se", "act"), (6, 96, "k", 1, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
)
_LARGE = (
    (1, 16, 3, 1, None, "relu"), (4, 24, 3, 2, None, "relu"),
    (3, 24, 3, 1, None, "relu"), (3, 40, "k", 2, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"), (3, 40, "k", 1, "se", "relu"),
    (6, 80, 3, 2, None, "act"), (2.5, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"), (2.3, 80, 3, 1, None, "act"),
    (6, 112, 3, 1, "se", "act"), (6, 112, 3, 1, "se", "act"),
    (6, 160, "k", 2, "se", "act"), (6, 160, "k", 1, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
)


def _mobilenet_v3(blocks, last_point_ch, input_shape, alpha, model_type,
                  minimalistic, include_top, weights, input_tensor, classes,
                  pooling, dropout_rate, classifier_activation,
                  include_preprocessing, name):
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    channels_first = backend.image_data_format() == "channels_first"
    if input_shape is not None and input_tensor is not None:
        _check_input_tensor(input_shape, input_tensor, channels_first)
    if (input_shape is None and input_tensor is not None
            and backend.is_keras_tensor(input_tensor)):
        # Keras builds (cols, rows) from the tensor: same for square images.
        if channels_first:
            rows, cols = input_tensor.shape[2:4]
            input_shape = (3, cols, rows)
        else:
            rows, cols = input_tensor.shape[1:3]
            input_shape = (cols, rows, 3)
    if input_shape is None and input_tensor is None:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    rows, cols = input_shape[1:3] if channels_first else input_shape[:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(
            "Input size must be at least 32x32; Received `input_shape="
            f"{input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)
                or minimalistic and alpha != 1.0):
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one of "
                "`0.75`, `1.0` for non minimalistic or `1.0` for "
                "minimalistic only.")
        if rows != cols or rows != 224:
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not "
                "224. Weights for input shape (224, 224) will be loaded as "
                "the default.", stacklevel=3)

    img_input = _common.image_input(input_shape, input_tensor)
    axis = 1 if channels_first else -1
    if minimalistic:
        kernel, activation, se_ratio = 3, relu, None
    else:
        kernel, activation, se_ratio = 5, hard_swish, 0.25
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same",
                      use_bias=False, name="conv")(x)
    x = _batch_norm(axis, "conv_bn")(x)
    x = activation(x)
    for block_id, (expansion, filters, k, stride, se, act) in enumerate(
            blocks):
        x = _inverted_res_block(
            x, expansion, _depth(filters * alpha),
            kernel if k == "k" else k, stride, se and se_ratio,
            activation if act == "act" else relu, block_id)
    last_conv_ch = _depth(x.shape[axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same",
                      use_bias=False, name="conv_1")(x)
    x = _batch_norm(axis, "conv_1_bn")(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same",
                          use_bias=True, name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same",
                          name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation,
                              name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        model_name = (f"{model_type}{'_minimalistic' if minimalistic else ''}"
                      f"_224_{alpha}_float")
        if include_top:
            file_name = f"weights_mobilenet_v3_{model_name}.h5"
            file_hash = WEIGHTS_HASHES[model_name][0]
        else:
            file_name = f"weights_mobilenet_v3_{model_name}_no_top_v2.h5"
            file_hash = WEIGHTS_HASHES[model_name][1]
        _common.load_weights(model, weights, file_name=file_name,
                             origin=BASE_WEIGHT_PATH + file_name,
                             file_hash=file_hash)
    else:
        _common.load_weights(model, weights)
    return model


def _check_input_tensor(input_shape, input_tensor, channels_first):
    """Keras's checks of an `input_shape` given with an `input_tensor`."""
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError("input_tensor specified: ", input_tensor,
                         "is not a keras tensor")
    if channels_first and input_tensor.shape[1] != input_shape[1]:
        raise ValueError(
            "When backend.image_data_format()=channels_first, "
            "input_shape[1] must equal input_tensor.shape[1].  Received "
            f"input_shape={input_shape}, input_tensor.shape="
            f"{input_tensor.shape}")
    if not channels_first and input_tensor.shape[2] != input_shape[1]:
        raise ValueError(
            "input_shape[1] must equal input_tensor.shape[2].  Received "
            f"input_shape={input_shape}, input_tensor.shape="
            f"{input_tensor.shape}")


_ARGS_DOC = """
    Args:
        input_shape: `None` (any size), or a 3-channel shape of at least
            32x32; ImageNet weights were trained at ``(224, 224, 3)``.
        alpha: width multiplier (ImageNet weights: 0.75 or 1.0, 1.0 when
            minimalistic); above 1 it also widens the last convolution.
        minimalistic: ReLU and 3x3 kernels throughout, without
            squeeze-and-excitation and hard-swish.
        include_top: whether to end with the 1x1-convolution classifier.
        weights: `None`, ``"imagenet"`` or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        classes: number of classes (1000 for ImageNet weights).
        pooling: without the classifier, `None`, ``"avg"`` or ``"max"``.
        dropout_rate: dropout rate before the logits (0: no `Dropout`).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        include_preprocessing: whether the model starts with a
            `Rescaling` of pixels ``[0, 255]`` to ``[-1, 1]``.
        name: the model's name.

    Returns:
        A functional `Model`.
    """


@keras_export("keras.applications.MobileNetV3Small")
def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False,
                     include_top=True, weights="imagenet", input_tensor=None,
                     classes=1000, pooling=None, dropout_rate=0.2,
                     classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Small"):
    return _mobilenet_v3(
        _SMALL, 1024, input_shape, alpha, "small", minimalistic, include_top,
        weights, input_tensor, classes, pooling, dropout_rate,
        classifier_activation, include_preprocessing, name)


@keras_export("keras.applications.MobileNetV3Large")
def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False,
                     include_top=True, weights="imagenet", input_tensor=None,
                     classes=1000, pooling=None, dropout_rate=0.2,
                     classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Large"):
    return _mobilenet_v3(
        _LARGE, 1280, input_shape, alpha, "large", minimalistic, include_top,
        weights, input_tensor, classes, pooling, dropout_rate,
        classifier_activation, include_preprocessing, name)


MobileNetV3Small.__doc__ = ("Instantiates MobileNetV3Small.\n" + _ARGS_DOC
                            + _common.doc_example("MobileNetV3Small"))
MobileNetV3Large.__doc__ = ("Instantiates MobileNetV3Large.\n" + _ARGS_DOC
                            + _common.doc_example("MobileNetV3Large", 960))


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    # As Keras: one ReLU layer between two operations on the tensor.
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _depth(v, divisor=8, min_value=None):
    """`v` rounded to a multiple of `divisor` (at least `min_value`), never
    more than 10% below `v`."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _batch_norm(axis, name):
    return layers.BatchNormalization(axis=axis, epsilon=1e-3,
                                     momentum=0.999, name=name)


def _se_block(inputs, filters, se_ratio, prefix):
    """Squeeze-and-excitation: channel weights from the pooled input."""
    x = layers.GlobalAveragePooling2D(
        keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1,
                      padding="same", name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio,
                        activation, block_id):
    """Expansion (not in block 0), depthwise, optional SE, projection; the
    input is added back when stride and channels allow."""
    axis = 1 if backend.image_data_format() == "channels_first" else -1
    shortcut = x
    prefix = "expanded_conv_"
    infilters = x.shape[axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1,
                          padding="same", use_bias=False,
                          name=f"{prefix}expand")(x)
        x = _batch_norm(axis, f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid",
                               use_bias=False, name=f"{prefix}depthwise")(x)
    x = _batch_norm(axis, f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _batch_norm(axis, f"{prefix}project_bn")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


@keras_export("keras.applications.mobilenet_v3.preprocess_input")
def preprocess_input(x, data_format=None):
    """Returns the images unchanged (for the MobileNetV3 models).

    The identity: these models take pixels in `[0, 255]` and
    preprocess them themselves. The function is kept so that code written
    for other families runs unchanged.

    Args:
        x: Images with pixel values in `[0, 255]`: a NumPy array, tensor or
            `KerasTensor`, 3D or 4D, with 3 color channels.
        data_format: Ignored; accepted for the common signature.

    Returns:
        `x` itself.

    Examples:
        >>> images = np.array([[[255.0, 128.0, 0.0]]], "float32")
        >>> out = keras.applications.mobilenet_v3.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [255.0, 128.0, 0.0]
    """
    del data_format
    return x


@keras_export("keras.applications.mobilenet_v3.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a MobileNetV3 model.

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
        >>> keras.applications.mobilenet_v3.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
