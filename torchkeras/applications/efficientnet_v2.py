"""EfficientNetV2 B0-B3, S, M and L (Tan & Le, 2021): fused MBConv
blocks (one regular convolution in place of expansion and depthwise) in the
early stages, MBConv blocks with squeeze-and-excitation after.

With ``include_preprocessing=True`` (the default) the model takes pixels in
``[0, 255]``: the B variants rescale by 1/255 and normalize with the
ImageNet mean and variance (a `Normalization` with fixed statistics, no
weights), S, M and L rescale to ``[-1, 1]``. `preprocess_input` passes its
input through unchanged.
"""

import copy
import math

from torchkeras import backend
from torchkeras import initializers
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/efficientnet_v2/")

# (with the classifier, without it): md5 of Keras's files.
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188",
           "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc",
           "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7",
           "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0",
           "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016",
           "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd",
           "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935",
           "b0b66b5c863aef5b46e8608fe1711615"),
}


def _stages(*rows):
    """Stage dicts from ``(conv_type, repeats, in, out, expand, se,
    strides)`` rows; every kernel is 3x3. conv_type 1 is fused."""
    keys = ("conv_type", "num_repeat", "input_filters", "output_filters",
            "expand_ratio", "se_ratio", "strides")
    return [dict(zip(keys, row), kernel_size=3) for row in rows]


_B_STAGES = _stages(
    (1, 1, 32, 16, 1, 0, 1),
    (1, 2, 16, 32, 4, 0, 2),
    (1, 2, 32, 48, 4, 0, 2),
    (0, 3, 48, 96, 4, 0.25, 2),
    (0, 5, 96, 112, 6, 0.25, 1),
    (0, 8, 112, 192, 6, 0.25, 2),
)

DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": _stages(
        (1, 2, 24, 24, 1, 0, 1),
        (1, 4, 24, 48, 4, 0, 2),
        (1, 4, 48, 64, 4, 0, 2),
        (0, 6, 64, 128, 4, 0.25, 2),
        (0, 9, 128, 160, 6, 0.25, 1),
        (0, 15, 160, 256, 6, 0.25, 2),
    ),
    "efficientnetv2-m": _stages(
        (1, 3, 24, 24, 1, 0, 1),
        (1, 5, 24, 48, 4, 0, 2),
        (1, 5, 48, 80, 4, 0, 2),
        (0, 7, 80, 160, 4, 0.25, 2),
        (0, 14, 160, 176, 6, 0.25, 1),
        (0, 18, 176, 304, 6, 0.25, 2),
        (0, 5, 304, 512, 6, 0.25, 1),
    ),
    "efficientnetv2-l": _stages(
        (1, 4, 32, 32, 1, 0, 1),
        (1, 7, 32, 64, 4, 0, 2),
        (1, 7, 64, 96, 4, 0, 2),
        (0, 10, 96, 192, 4, 0.25, 2),
        (0, 19, 192, 224, 6, 0.25, 1),
        (0, 25, 224, 384, 6, 0.25, 2),
        (0, 7, 384, 640, 6, 0.25, 1),
    ),
    "efficientnetv2-b0": _B_STAGES,
    "efficientnetv2-b1": _B_STAGES,
    "efficientnetv2-b2": _B_STAGES,
    "efficientnetv2-b3": _B_STAGES,
}

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

_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.Received: weights={weights}")
_CLASSES_ERROR = ('If using `weights="imagenet"` with `include_top` as '
                  "true, `classes` should be 1000")


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """``filters * width_coefficient`` rounded to a multiple of
    `depth_divisor`, at least `min_depth` (or `depth_divisor`)."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2)
                   // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    """``repeats * depth_coefficient``, rounded up."""
    return int(math.ceil(depth_coefficient * repeats))


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _conv(filters, kernel_size, name, strides=1, **kwargs):
    return layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                         kernel_initializer=CONV_KERNEL_INITIALIZER,
                         padding="same", use_bias=False, name=name, **kwargs)


def _batch_norm(bn_momentum, name):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=bn_momentum,
                                     name=name)


def _squeeze_excite(x, filters, input_filters, se_ratio, activation, name):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se_shape = (filters, 1, 1) if _bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER,
                       name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER,
                       name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x, inputs, survival_probability, name):
    if survival_probability:
        # Keras passes the probability as the dropout rate; inference
        # ignores it, and the ImageNet weights do not depend on it.
        x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                           name=f"{name}drop")(x)
    return layers.add([x, inputs], name=f"{name}add")


def MBConvBlock(input_filters, output_filters, expand_ratio=1,
                kernel_size=3, strides=1, se_ratio=0.0, bn_momentum=0.9,
                activation="swish", survival_probability=0.8, name=None):
    """Mobile inverted bottleneck: 1x1 expansion, depthwise convolution,
    squeeze-and-excitation, 1x1 projection. Returns ``apply(inputs)``."""
    if name is None:
        name = backend.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, 1, f"{name}expand_conv",
                      data_format=backend.image_data_format())(x)
            x = _batch_norm(bn_momentum, f"{name}expand_bn")(x)
            x = layers.Activation(activation,
                                  name=f"{name}expand_activation")(x)
        x = layers.DepthwiseConv2D(
            kernel_size=kernel_size, strides=strides,
            depthwise_initializer=CONV_KERNEL_INITIALIZER, padding="same",
            data_format=backend.image_data_format(), use_bias=False,
            name=f"{name}dwconv2")(x)
        x = _batch_norm(bn_momentum, f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio,
                                activation, name)
        x = _conv(output_filters, 1, f"{name}project_conv",
                  data_format=backend.image_data_format())(x)
        x = _batch_norm(bn_momentum, f"{name}project_bn")(x)
        if strides == 1 and input_filters == output_filters:
            x = _residual(x, inputs, survival_probability, name)
        return x

    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1,
                     kernel_size=3, strides=1, se_ratio=0.0, bn_momentum=0.9,
                     activation="swish", survival_probability=0.8,
                     name=None):
    """Fused MBConv: one regular convolution does the expansion and the
    spatial filtering. Returns ``apply(inputs)``."""
    if name is None:
        name = backend.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, kernel_size, f"{name}expand_conv",
                      strides=strides,
                      data_format=backend.image_data_format())(x)
            x = _batch_norm(bn_momentum, f"{name}expand_bn")(x)
            x = layers.Activation(activation=activation,
                                  name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, filters, input_filters, se_ratio,
                                activation, name)
        fused = expand_ratio == 1
        x = _conv(output_filters, kernel_size if fused else 1,
                  f"{name}project_conv", strides=strides if fused else 1)(x)
        x = _batch_norm(bn_momentum, f"{name}project_bn")(x)
        if fused:
            x = layers.Activation(activation=activation,
                                  name=f"{name}project_activation")(x)
        if strides == 1 and input_filters == output_filters:
            x = _residual(x, inputs, survival_probability, name)
        return x

    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size,
                   dropout_rate=0.2, drop_connect_rate=0.2, depth_divisor=8,
                   min_depth=8, bn_momentum=0.9, activation="swish",
                   blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    """Builds an EfficientNetV2 from its scaling coefficients.

    Args:
        width_coefficient: multiplier of every layer's filters.
        depth_coefficient: multiplier of every stage's block count.
        default_size: the input size of the ImageNet weights.
        dropout_rate: dropout before the classifier.
        drop_connect_rate: largest rate of the residual dropouts.
        depth_divisor: filters are rounded to a multiple of it.
        min_depth: the fewest filters of a layer.
        bn_momentum: momentum of the BatchNormalization layers.
        activation: activation of the convolutions.
        blocks_args: ``"default"`` (the variant's stages, looked up by
            `weights_name`) or a list of stage dicts.
        name, include_top, weights, input_tensor, input_shape, pooling,
        classes, classifier_activation, include_preprocessing: see
            `EfficientNetV2B0`.
        weights_name: ``"b0"`` ... ``"b3"``, ``"-s"``, ``"-m"``, ``"-l"``:
            the variant (its stages, preprocessing and files).

    Returns:
        A functional `Model`.
    """
    # Keras looks the stages up by `name` (a custom name fails there); the
    # variant's own name is used here, as it is for the files.
    variant = f"efficientnetv2-{weights_name.lstrip('-')}" if (
        weights_name) else name
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[variant]
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    bn_axis = _bn_axis()

    def filters_of(count):
        return round_filters(count, width_coefficient, min_depth,
                             depth_divisor)

    x = img_input
    if include_preprocessing:
        channels = input_shape[bn_axis - 1]
        if variant.split("-")[-1].startswith("b") and channels == 3:
            # V1's preprocessing: ImageNet mean and std after 1/255.
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(
                mean=[0.485, 0.456, 0.406],
                variance=[0.229**2, 0.224**2, 0.225**2], axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    x = _conv(filters_of(blocks_args[0]["input_filters"]), 3, "stem_conv",
              strides=2)(x)
    x = _batch_norm(bn_momentum, "stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    done = 0
    total = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(
                "The number of repeats in `EfficientNetV2` must be > 0. "
                f"Received: num_repeat={args['num_repeat']}")
        args["input_filters"] = filters_of(args["input_filters"])
        args["output_filters"] = filters_of(args["output_filters"])
        block = (MBConvBlock, FusedMBConvBlock)[args.pop("conv_type")]
        repeats = round_repeats(args.pop("num_repeat"), depth_coefficient)
        for j in range(repeats):
            if j > 0:  # only a stage's first block strides and widens
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * done / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)(x)
            done += 1

    x = _conv(filters_of(1280), 1, "top_conv",
              data_format=backend.image_data_format())(x)
    x = _batch_norm(bn_momentum, "top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0.0),
                         name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        file_name = variant + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    else:
        file_name = file_hash = None
    _common.load_weights(model, weights, file_name=file_name,
                         origin=f"{BASE_WEIGHTS_PATH}{file_name}",
                         file_hash=file_hash)
    return model


# weights_name: (width, depth, default size)
_VARIANTS = {
    "b0": (1.0, 1.0, 224),
    "b1": (1.0, 1.1, 240),
    "b2": (1.1, 1.2, 260),
    "b3": (1.2, 1.4, 300),
    "-s": (1.0, 1.0, 384),
    "-m": (1.0, 1.0, 480),
    "-l": (1.0, 1.0, 480),
}


def _variant(key, name, include_top, weights, input_tensor, input_shape,
             pooling, classes, classifier_activation, include_preprocessing):
    width, depth, size = _VARIANTS[key]
    return EfficientNetV2(
        width_coefficient=width, depth_coefficient=depth, default_size=size,
        name=name, include_top=include_top, weights=weights,
        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
        classes=classes, classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name=key)


_DOC = """Instantiates EfficientNetV2{key} ({size}x{size} ImageNet input).

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
        include_preprocessing: whether the model scales its inputs itself
            (pixels in ``[0, 255]``); without it, inputs in ``[-1, 1]``.
        name: the model's name.

    Returns:
        A functional `Model`.
    """


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2B0",
              "keras.applications.EfficientNetV2B0")
def EfficientNetV2B0(include_top=True, weights="imagenet", input_tensor=None,
                     input_shape=None, pooling=None, classes=1000,
                     classifier_activation="softmax",
                     include_preprocessing=True, name="efficientnetv2-b0"):
    return _variant("b0", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2B1",
              "keras.applications.EfficientNetV2B1")
def EfficientNetV2B1(include_top=True, weights="imagenet", input_tensor=None,
                     input_shape=None, pooling=None, classes=1000,
                     classifier_activation="softmax",
                     include_preprocessing=True, name="efficientnetv2-b1"):
    return _variant("b1", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2B2",
              "keras.applications.EfficientNetV2B2")
def EfficientNetV2B2(include_top=True, weights="imagenet", input_tensor=None,
                     input_shape=None, pooling=None, classes=1000,
                     classifier_activation="softmax",
                     include_preprocessing=True, name="efficientnetv2-b2"):
    return _variant("b2", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2B3",
              "keras.applications.EfficientNetV2B3")
def EfficientNetV2B3(include_top=True, weights="imagenet", input_tensor=None,
                     input_shape=None, pooling=None, classes=1000,
                     classifier_activation="softmax",
                     include_preprocessing=True, name="efficientnetv2-b3"):
    return _variant("b3", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2S",
              "keras.applications.EfficientNetV2S")
def EfficientNetV2S(include_top=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax",
                    include_preprocessing=True, name="efficientnetv2-s"):
    return _variant("-s", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2M",
              "keras.applications.EfficientNetV2M")
def EfficientNetV2M(include_top=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax",
                    include_preprocessing=True, name="efficientnetv2-m"):
    return _variant("-m", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


@keras_export("keras.applications.efficientnet_v2.EfficientNetV2L",
              "keras.applications.EfficientNetV2L")
def EfficientNetV2L(include_top=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax",
                    include_preprocessing=True, name="efficientnetv2-l"):
    return _variant("-l", name, include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    include_preprocessing)


# The docstring examples of the big variants build feature extractors
# (the size of their pooled features); the others 10-class classifiers.
_DOC_FEATURES = {"EfficientNetV2S": 1280, "EfficientNetV2M": 1280}
# The biggest only show the argument check (see `_common.doc_example`).
_DOC_PARAMETERS = {"EfficientNetV2L": "118 million"}

for _key, _fn in zip(_VARIANTS, (EfficientNetV2B0, EfficientNetV2B1,
                                 EfficientNetV2B2, EfficientNetV2B3,
                                 EfficientNetV2S, EfficientNetV2M,
                                 EfficientNetV2L)):
    _fn.__doc__ = _DOC.format(key=_key.strip("-").upper(),
                              size=_VARIANTS[_key][2]) + (
        _common.doc_example(_fn.__name__, _DOC_FEATURES.get(_fn.__name__),
                            _DOC_PARAMETERS.get(_fn.__name__)))
del _key, _fn


@keras_export("keras.applications.efficientnet_v2.preprocess_input")
def preprocess_input(x, data_format=None):
    """Returns the images unchanged (for the EfficientNetV2 models).

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
        >>> out = keras.applications.efficientnet_v2.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [255.0, 128.0, 0.0]
    """
    return x


@keras_export("keras.applications.efficientnet_v2.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a EfficientNetV2 model.

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
        >>> keras.applications.efficientnet_v2.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
