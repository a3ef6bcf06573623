"""EfficientNet B0 to B7 (Tan & Le, 2019): inverted residual blocks with
squeeze-and-excitation, scaled in width, depth and resolution together.

The model preprocesses its own inputs (pixels in ``[0, 255]``): a
`Rescaling` by 1/255 and a `Normalization` whose mean, variance and count
are weights of the ImageNet files. With ``weights="imagenet"`` a second
`Rescaling` (``1 / sqrt(std)`` per channel) follows, as Keras adds it to
reproduce the original implementation's ``(x - mean) / var``; so
`preprocess_input` passes its input through unchanged.
"""

import copy
import math

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"

# (with the classifier, without it): md5 of Keras's files.
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac",
           "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540",
           "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad",
           "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0",
           "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc",
           "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a",
           "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5",
           "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99",
           "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}


def _stage(kernel_size, repeats, filters_in, filters_out, expand_ratio,
           strides):
    return {"kernel_size": kernel_size, "repeats": repeats,
            "filters_in": filters_in, "filters_out": filters_out,
            "expand_ratio": expand_ratio, "id_skip": True,
            "strides": strides, "se_ratio": 0.25}


# The seven stages of B0; the other variants scale filters and repeats.
DEFAULT_BLOCKS_ARGS = [
    _stage(3, 1, 32, 16, 1, 1),
    _stage(3, 2, 16, 24, 6, 2),
    _stage(5, 2, 24, 40, 6, 2),
    _stage(3, 3, 40, 80, 6, 2),
    _stage(5, 3, 80, 112, 6, 1),
    _stage(5, 4, 112, 192, 6, 2),
    _stage(3, 1, 192, 320, 6, 1),
]

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out",
               "distribution": "truncated_normal"},
}

DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out",
               "distribution": "uniform"},
}

IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]

_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.")
_CLASSES_ERROR = ('If using `weights="imagenet"` with `include_top` as '
                  "true, `classes` should be 1000")


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def EfficientNet(width_coefficient, depth_coefficient, default_size,
                 dropout_rate=0.2, drop_connect_rate=0.2, depth_divisor=8,
                 activation="swish", blocks_args="default",
                 name="efficientnet", include_top=True, weights="imagenet",
                 input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax",
                 weights_name=None):
    """Builds an EfficientNet from its scaling coefficients.

    Args:
        width_coefficient: multiplier of every layer's filters.
        depth_coefficient: multiplier of every stage's block count.
        default_size: the input size of the ImageNet weights.
        dropout_rate: dropout before the classifier.
        drop_connect_rate: largest dropout rate on the residual branches
            (rising linearly from 0 over the blocks).
        depth_divisor: filters are rounded to a multiple of it.
        activation: activation of the convolutions.
        blocks_args: ``"default"`` (B0's stages) or a list of stage dicts.
        name, include_top, weights, input_tensor, input_shape, pooling,
        classes, classifier_activation: see `EfficientNetB0`.
        weights_name: ``"b0"`` ... ``"b7"``, the key of the files' hashes.

    Returns:
        A functional `Model`.
    """
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    bn_axis = _bn_axis()

    def round_filters(filters):
        filters *= width_coefficient
        rounded = max(depth_divisor, int(filters + depth_divisor / 2)
                      // depth_divisor * depth_divisor)
        if rounded < 0.9 * filters:  # never more than 10% below
            rounded += depth_divisor
        return int(rounded)

    def round_repeats(repeats):
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    normalization = layers.Normalization(axis=bn_axis)
    x = normalization(x)
    if weights == "imagenet":
        # The files' variance is std**2; the original divides by std**2.
        x = layers.Rescaling(
            [1.0 / math.sqrt(std) for std in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                             name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32), 3, strides=2, padding="valid",
                      use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER,
                      name="stem_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    done = 0
    total = float(sum(round_repeats(a["repeats"]) for a in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["repeats"] <= 0:
            raise ValueError(
                "The number of repeats in `EfficientNet` must be > 0. "
                f"Received: repeats={args['repeats']}")
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for j in range(round_repeats(args.pop("repeats"))):
            if j > 0:  # only a stage's first block strides and widens
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * done / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            done += 1

    x = layers.Conv2D(round_filters(1280), 1, padding="same",
                      use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER,
                      name="top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        file_name = name + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    else:
        file_name = file_hash = None
    _common.load_weights(model, weights, file_name=file_name,
                         origin=f"{BASE_WEIGHTS_PATH}{file_name}",
                         file_hash=file_hash)
    return model


def block(inputs, activation="swish", drop_rate=0.0, name="",
          filters_in=32, filters_out=16, kernel_size=3, strides=1,
          expand_ratio=1, se_ratio=0.0, id_skip=True):
    """One inverted residual block (MBConv): 1x1 expansion, depthwise
    convolution, squeeze-and-excitation, 1x1 projection, and the residual
    (with drop-connect) when the shapes allow it.

    Returns:
        The block's output tensor.
    """
    bn_axis = _bn_axis()
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=CONV_KERNEL_INITIALIZER,
                          name=f"{name}expand_conv")(inputs)
        x = layers.BatchNormalization(axis=bn_axis,
                                      name=f"{name}expand_bn")(x)
        x = layers.Activation(activation,
                              name=f"{name}expand_activation")(x)
    else:
        x = inputs

    if strides == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"{name}dwconv_pad")(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding=conv_pad, use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)

    if 0 < se_ratio <= 1:
        filters_se = max(1, int(filters_in * se_ratio))
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se_shape = (filters, 1, 1) if bn_axis == 1 else (1, 1, filters)
        se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
        se = layers.Conv2D(filters_se, 1, padding="same",
                           activation=activation,
                           kernel_initializer=CONV_KERNEL_INITIALIZER,
                           name=f"{name}se_reduce")(se)
        se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                           kernel_initializer=CONV_KERNEL_INITIALIZER,
                           name=f"{name}se_expand")(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")

    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER,
                      name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1),
                               name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


# name: (width, depth, default size, dropout before the classifier)
_VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}


def _variant(key, name, include_top, weights, input_tensor, input_shape,
             pooling, classes, classifier_activation):
    width, depth, size, dropout = _VARIANTS[key]
    return EfficientNet(
        width, depth, size, dropout, name=name, include_top=include_top,
        weights=weights, input_tensor=input_tensor, input_shape=input_shape,
        pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, weights_name=key)


_DOC = """Instantiates EfficientNet{key} ({size}x{size} ImageNet input).

    The model takes pixels in ``[0, 255]`` and preprocesses them itself
    (`preprocess_input` is a pass-through).

    Args:
        include_top: whether to end with the 1000-class classifier.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``({size}, {size}, 3)`` with the classifier and
            ImageNet weights; otherwise any shape of at least 32x32.
        pooling: without the classifier, `None` (4D output), ``"avg"``
            or ``"max"``.
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.
    """


@keras_export("keras.applications.efficientnet.EfficientNetB0",
              "keras.applications.EfficientNetB0")
def EfficientNetB0(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb0"):
    return _variant("b0", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB1",
              "keras.applications.EfficientNetB1")
def EfficientNetB1(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb1"):
    return _variant("b1", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB2",
              "keras.applications.EfficientNetB2")
def EfficientNetB2(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb2"):
    return _variant("b2", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB3",
              "keras.applications.EfficientNetB3")
def EfficientNetB3(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb3"):
    return _variant("b3", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB4",
              "keras.applications.EfficientNetB4")
def EfficientNetB4(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb4"):
    return _variant("b4", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB5",
              "keras.applications.EfficientNetB5")
def EfficientNetB5(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb5"):
    return _variant("b5", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB6",
              "keras.applications.EfficientNetB6")
def EfficientNetB6(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb6"):
    return _variant("b6", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


@keras_export("keras.applications.efficientnet.EfficientNetB7",
              "keras.applications.EfficientNetB7")
def EfficientNetB7(include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax", name="efficientnetb7"):
    return _variant("b7", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation)


# The docstring examples of the big variants build feature extractors
# (the size of their pooled features); the others 10-class classifiers.
_DOC_FEATURES = {"b3": 1536, "b4": 1792, "b5": 2048, "b6": 2304,
                 "b7": 2560}

for _key, _fn in zip(_VARIANTS, (EfficientNetB0, EfficientNetB1,
                                 EfficientNetB2, EfficientNetB3,
                                 EfficientNetB4, EfficientNetB5,
                                 EfficientNetB6, EfficientNetB7)):
    _fn.__doc__ = _DOC.format(key=_key.upper(), size=_VARIANTS[_key][2]) + (
        _common.doc_example(_fn.__name__, _DOC_FEATURES.get(_key)))
del _key, _fn


@keras_export("keras.applications.efficientnet.preprocess_input")
def preprocess_input(x, data_format=None):
    """Returns the images unchanged (for the EfficientNet models).

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
        >>> out = keras.applications.efficientnet.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [255.0, 128.0, 0.0]
    """
    return x


@keras_export("keras.applications.efficientnet.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a EfficientNet model.

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
        >>> keras.applications.efficientnet.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
