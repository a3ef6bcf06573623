"""NASNet-A (Zoph et al., 2018), Mobile and Large: a stem, two reduction
cells, then three stacks of normal cells separated by reduction cells;
each cell combines separable convolutions and poolings of the last two
cells' outputs (``p``, the previous, and ``ip``, the current input).

Only ``channels_last`` is supported, as in Keras.
"""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/nasnet/")
NASNET_MOBILE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-mobile.h5"
NASNET_MOBILE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-mobile-no-top.h5"
NASNET_LARGE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-large.h5"
NASNET_LARGE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-large-no-top.h5"
# {(default size, include_top): (file name, origin, md5)}
_FILES = {
    (224, True): ("nasnet_mobile.h5", NASNET_MOBILE_WEIGHT_PATH,
                  "020fb642bf7360b370c678b08e0adf61"),
    (224, False): ("nasnet_mobile_no_top.h5",
                   NASNET_MOBILE_WEIGHT_PATH_NO_TOP,
                   "1ed92395b5b598bdda52abe5c0dbfd63"),
    (331, True): ("nasnet_large.h5", NASNET_LARGE_WEIGHT_PATH,
                  "11577c9a518f0070763c2b964a382f17"),
    (331, False): ("nasnet_large_no_top.h5", NASNET_LARGE_WEIGHT_PATH_NO_TOP,
                   "d81d89dc07e6e56530c4e77faddd61b5"),
}
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.")
_CLASSES_ERROR = (
    'If using `weights` as `"imagenet"` with `include_top` as true, '
    "`classes` should be 1000")
_BN = {"momentum": 0.9997, "epsilon": 1e-3}
_CHANNELS = -1  # channels_last only


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6,
           stem_block_filters=96, skip_reduction=True, filter_multiplier=2,
           include_top=True, weights="imagenet", input_tensor=None,
           pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax", name="NASNet"):
    """A NASNet-A model (not exported, as in Keras: use `NASNetMobile` or
    `NASNetLarge`).

    Args:
        penultimate_filters: channels of the last cells (a multiple of
            ``24 * filter_multiplier ** 2``).
        num_blocks: normal cells in each of the three stacks.
        stem_block_filters: filters of the first convolution.
        skip_reduction: whether the cells after a reduction cell take the
            cell before it as their ``p``.
        filter_multiplier: filter growth at each reduction.
        default_size: the input size with the classifier (224 for the
            Mobile weights, 331 for the Large ones; `None`: 331).

    The other arguments are those of `NASNetLarge`.
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError(
            "NASNet does not support the `channels_first` image data "
            "format. Switch to `channels_last` by editing your local "
            "config file at ~/.keras/keras.json")
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    if (isinstance(input_shape, tuple) and None in input_shape
            and weights == "imagenet"):
        raise ValueError(
            "When specifying the input shape of a NASNet and loading "
            "`ImageNet` weights, the input_shape argument must be static "
            f"(no None entries). Got: `input_shape={input_shape}`.")
    if default_size is None:
        default_size = 331
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    if penultimate_filters % (24 * (filter_multiplier**2)) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a "
            "multiple of 24 * (`filter_multiplier` ** 2). "
            f"Current value: {penultimate_filters}")
    filters = penultimate_filters // 24

    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2),
                      padding="valid", use_bias=False, name="stem_conv1",
                      kernel_initializer="he_normal")(img_input)
    x = layers.BatchNormalization(axis=_CHANNELS, name="stem_bn1", **_BN)(x)
    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier**2),
                             block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier,
                             block_id="stem_2")
    for stack in range(3):
        if stack:
            x, p0 = _reduction_a_cell(
                x, p, filters * filter_multiplier**stack,
                block_id=f"reduce_{stack * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            x, p = _normal_a_cell(
                x, p, filters * filter_multiplier**stack,
                block_id=f"{stack * num_blocks + i + 1 if stack else i}")
    x = layers.Activation("relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        if default_size not in (224, 331):
            raise ValueError(
                "ImageNet weights can only be loaded with NASNetLarge or "
                "NASNetMobile")
        file_name, origin, file_hash = _FILES[default_size, include_top]
        _common.load_weights(model, weights, file_name=file_name,
                             origin=origin, file_hash=file_hash)
    else:
        _common.load_weights(model, weights)
    return model


_ARGS_DOC = """
    Args:
        input_shape: `None` (``({size}, {size}, 3)``), or a 3-channel shape
            of at least 32x32; with the classifier and ImageNet weights,
            ``({size}, {size}, 3)``.
        include_top: whether to end with the dense classifier.
        weights: `None`, ``"imagenet"`` or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        pooling: without the classifier, `None`, ``"avg"`` or ``"max"``.
        classes: number of classes (1000 for ImageNet weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.
    """


@keras_export("keras.applications.nasnet.NASNetMobile",
              "keras.applications.NASNetMobile")
def NASNetMobile(input_shape=None, include_top=True, weights="imagenet",
                 input_tensor=None, pooling=None, classes=1000,
                 classifier_activation="softmax", name="nasnet_mobile"):
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(
        input_shape, penultimate_filters=1056, num_blocks=4,
        stem_block_filters=32, skip_reduction=False, filter_multiplier=2,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        pooling=pooling, classes=classes, default_size=224,
        classifier_activation=classifier_activation, name=name)


@keras_export("keras.applications.nasnet.NASNetLarge",
              "keras.applications.NASNetLarge")
def NASNetLarge(input_shape=None, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="nasnet_large"):
    return NASNet(
        input_shape, penultimate_filters=4032, num_blocks=6,
        stem_block_filters=96, skip_reduction=True, filter_multiplier=2,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        pooling=pooling, classes=classes, default_size=331,
        classifier_activation=classifier_activation, name=name)


NASNetMobile.__doc__ = ("Instantiates NASNet-A Mobile (inputs: "
                        "`nasnet.preprocess_input`).\n"
                        + _ARGS_DOC.replace("{size}", "224")
                        + _common.doc_example("NASNetMobile"))
NASNetLarge.__doc__ = ("Instantiates NASNet-A Large (inputs: "
                       "`nasnet.preprocess_input`).\n"
                       + _ARGS_DOC.replace("{size}", "331")
                       + _common.doc_example("NASNetLarge", 4032))


def _bn(name):
    return layers.BatchNormalization(axis=_CHANNELS, name=name, **_BN)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1),
                          block_id=None):
    """ReLU, separable convolution, batch norm, twice (the first one
    strided, after a TF-"same" padding, when `strides` is 2)."""
    x = layers.Activation("relu")(ip)
    conv_pad = "same"
    if strides == (2, 2):
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"separable_conv_1_pad_{block_id}")(x)
        conv_pad = "valid"
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                               name=f"separable_conv_1_{block_id}",
                               padding=conv_pad, use_bias=False)(x)
    x = _bn(f"separable_conv_1_bn_{block_id}")(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size,
                               name=f"separable_conv_2_{block_id}",
                               padding="same", use_bias=False)(x)
    return _bn(f"separable_conv_2_bn_{block_id}")(x)


def _adjust_block(p, ip, filters, block_id=None):
    """`p` matched to `ip`: halved spatially (two offset 1x1 paths,
    concatenated) or projected to `filters` channels when they differ."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D(
            (1, 1), strides=(2, 2), padding="valid",
            name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = layers.Conv2D(filters // 2, (1, 1), padding="same",
                           use_bias=False, name=f"adjust_conv_1_{block_id}",
                           kernel_initializer="he_normal")(p1)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D(
            (1, 1), strides=(2, 2), padding="valid",
            name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = layers.Conv2D(filters // 2, (1, 1), padding="same",
                           use_bias=False, name=f"adjust_conv_2_{block_id}",
                           kernel_initializer="he_normal")(p2)
        p = layers.concatenate([p1, p2], axis=_CHANNELS)
        return _bn(f"adjust_bn_{block_id}")(p)
    if p.shape[_CHANNELS] != filters:
        p = layers.Activation("relu")(p)
        p = layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same",
                          name=f"adjust_conv_projection_{block_id}",
                          use_bias=False, kernel_initializer="he_normal")(p)
        return _bn(f"adjust_bn_{block_id}")(p)
    return p


def _squeeze(ip, filters, kind, block_id):
    """ReLU, 1x1 convolution and batch norm of the cell's input."""
    h = layers.Activation("relu")(ip)
    h = layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same",
                      name=f"{kind}_conv_1_{block_id}", use_bias=False,
                      kernel_initializer="he_normal")(h)
    return _bn(f"{kind}_bn_1_{block_id}")(h)


def _avg_pool(strides, padding, name):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding,
                                   name=name)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A normal cell: five pairwise sums, concatenated with `p`; returns
    ``(output, ip)``."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "normal", block_id)
    x1 = layers.add([
        _separable_conv_block(h, filters, kernel_size=(5, 5),
                              block_id=f"normal_left1_{block_id}"),
        _separable_conv_block(p, filters,
                              block_id=f"normal_right1_{block_id}")],
        name=f"normal_add_1_{block_id}")
    x2 = layers.add([
        _separable_conv_block(p, filters, (5, 5),
                              block_id=f"normal_left2_{block_id}"),
        _separable_conv_block(p, filters, (3, 3),
                              block_id=f"normal_right2_{block_id}")],
        name=f"normal_add_2_{block_id}")
    x3 = _avg_pool((1, 1), "same", f"normal_left3_{block_id}")(h)
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
    x4_1 = _avg_pool((1, 1), "same", f"normal_left4_{block_id}")(p)
    x4_2 = _avg_pool((1, 1), "same", f"normal_right4_{block_id}")(p)
    x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
    x5 = _separable_conv_block(h, filters,
                               block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=_CHANNELS,
                           name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A reduction cell (stride 2): four sums, concatenated; returns
    ``(output, ip)``."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "reduction", block_id)
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    x1_1 = _separable_conv_block(h, filters, (5, 5), strides=(2, 2),
                                 block_id=f"reduction_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                 block_id=f"reduction_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
    x2_1 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                               name=f"reduction_left2_{block_id}")(h3)
    x2_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                 block_id=f"reduction_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
    x3_1 = _avg_pool((2, 2), "valid", f"reduction_left3_{block_id}")(h3)
    x3_2 = _separable_conv_block(p, filters, (5, 5), strides=(2, 2),
                                 block_id=f"reduction_right3_{block_id}")
    x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
    x4 = _avg_pool((1, 1), "same", f"reduction_left4_{block_id}")(x1)
    x4 = layers.add([x2, x4])
    x5_1 = _separable_conv_block(x1, filters, (3, 3),
                                 block_id=f"reduction_left4_{block_id}")
    x5_2 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                               name=f"reduction_right5_{block_id}")(h3)
    x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=_CHANNELS,
                           name=f"reduction_concat_{block_id}")
    return x, ip


@keras_export("keras.applications.nasnet.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the NASNet models.

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
        >>> out = keras.applications.nasnet.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.nasnet.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a NASNet model.

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
        >>> keras.applications.nasnet.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
