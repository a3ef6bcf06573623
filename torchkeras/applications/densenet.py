"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., 2016): dense
blocks, where each convolution block's 32 new channels are concatenated
to its input, separated by transition blocks that halve the channels and
the resolution.

Layer names are Keras's (``conv2_block1_0_bn``, ``pool2_conv``, ...); the
two stem paddings are unnamed in Keras and keep their automatic names.
"""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.applications.resnet import named_pool
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "densenet/")
_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.")
_CLASSES_ERROR = (
    'If using `weights` as `"imagenet"` with `include_top` as true, '
    "`classes` should be 1000")
_CHANNELS_FIRST_ERROR = (
    "DenseNet does not support the `channels_first` image data format. "
    "Switch to `channels_last` by editing your local config file at "
    "~/.keras/keras.json")
# blocks per dense block: (weights name, md5 with the classifier, md5
# without it).
_FILES = {
    (6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7",
                      "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b",
                      "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807",
                      "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPSILON = 1.001e-5
_BN_AXIS = 3  # DenseNet is channels_last only


def _bn(name):
    return layers.BatchNormalization(axis=_BN_AXIS, epsilon=_EPSILON,
                                     name=name)


def dense_block(x, blocks, name):
    """`blocks` convolution blocks, each adding 32 channels."""
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    """Batch norm, ReLU, a 1x1 convolution to `reduction` times the
    channels, then 2x2 average pooling."""
    x = _bn(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[_BN_AXIS] * reduction), 1, use_bias=False,
                      name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    """Batch norm, ReLU, 1x1 convolution (4 * `growth_rate`), batch norm,
    ReLU, 3x3 convolution (`growth_rate`), concatenated to `x`."""
    x1 = _bn(f"{name}_0_bn")(x)
    x1 = layers.Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False,
                       name=f"{name}_1_conv")(x1)
    x1 = _bn(f"{name}_1_bn")(x1)
    x1 = layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                       name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=_BN_AXIS, name=f"{name}_concat")([x, x1])


def build_densenet(blocks, include_top, weights, input_tensor, input_shape,
                   pooling, classes, classifier_activation, name):
    """A DenseNet with ``blocks`` (4 counts) convolution blocks per dense
    block; ``weights="imagenet"`` needs one of the 3 published counts."""
    if backend.image_data_format() == "channels_first":
        raise ValueError(_CHANNELS_FIRST_ERROR)
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, count in enumerate(blocks):
        x = dense_block(x, count, name=f"conv{i + 2}")
        if i < len(blocks) - 1:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = _bn("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = named_pool(x, pooling)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    if weights == "imagenet":
        known = _FILES.get(tuple(blocks))
        if known is None:
            raise ValueError("weights_path undefined")
        weights_name, top_hash, notop_hash = known
        suffix = "" if include_top else "_notop"
        file_name = (f"{weights_name}_weights_tf_dim_ordering_tf_kernels"
                     f"{suffix}.h5")
        _common.load_weights(
            model, weights, file_name=file_name,
            origin=f"{_BASE}{file_name}",
            file_hash=top_hash if include_top else notop_hash)
    else:
        _common.load_weights(model, weights)
    return model


@keras_export("keras.applications.densenet.DenseNet121",
              "keras.applications.DenseNet121")
def DenseNet121(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet121"):
    """Instantiates DenseNet121: dense blocks of 6, 12, 24 and 16
    convolution blocks (inputs: `densenet.preprocess_input`, torch mode;
    channels_last only).

    Args:
        include_top: whether to end with global average pooling and the
            ``predictions`` layer.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(224, 224, 3)`` with the classifier and ImageNet
            weights; otherwise any 3-channel shape of at least 32x32.
        pooling: without the classifier, `None` (4D output), ``"avg"``
            (layer ``avg_pool``) or ``"max"`` (``max_pool``).
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: under the ``channels_first`` data format, and for the
            arguments Keras rejects.

    Examples:
        >>> model = keras.applications.DenseNet121(
        ...     weights=None, input_shape=(32, 32, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    return build_densenet([6, 12, 24, 16], include_top, weights,
                          input_tensor, input_shape, pooling, classes,
                          classifier_activation, name=name)


@keras_export("keras.applications.densenet.DenseNet169",
              "keras.applications.DenseNet169")
def DenseNet169(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet169"):
    """Instantiates the DenseNet169 architecture.

    Dense blocks of 6, 12, 32 and 32 convolution blocks; inputs as for
    `DenseNet121`: `densenet.preprocess_input`, torch mode (channels_last
    only).

    Args:
        include_top: whether to end with global average pooling and the
            ``predictions`` layer.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(224, 224, 3)`` with the classifier and ImageNet
            weights; otherwise any 3-channel shape of at least 32x32.
        pooling: without the classifier, `None` (4D output), ``"avg"``
            (layer ``avg_pool``) or ``"max"`` (``max_pool``).
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: under the ``channels_first`` data format, and for the
            arguments Keras rejects.

    Examples:
        >>> model = keras.applications.DenseNet169(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 1664)
    """
    return build_densenet([6, 12, 32, 32], include_top, weights,
                          input_tensor, input_shape, pooling, classes,
                          classifier_activation, name=name)


@keras_export("keras.applications.densenet.DenseNet201",
              "keras.applications.DenseNet201")
def DenseNet201(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet201"):
    """Instantiates the DenseNet201 architecture.

    Dense blocks of 6, 12, 48 and 32 convolution blocks; inputs as for
    `DenseNet121`: `densenet.preprocess_input`, torch mode (channels_last
    only).

    Args:
        include_top: whether to end with global average pooling and the
            ``predictions`` layer.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(224, 224, 3)`` with the classifier and ImageNet
            weights; otherwise any 3-channel shape of at least 32x32.
        pooling: without the classifier, `None` (4D output), ``"avg"``
            (layer ``avg_pool``) or ``"max"`` (``max_pool``).
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: under the ``channels_first`` data format, and for the
            arguments Keras rejects.

    Examples:
        >>> model = keras.applications.DenseNet201(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 1920)
    """
    return build_densenet([6, 12, 48, 32], include_top, weights,
                          input_tensor, input_shape, pooling, classes,
                          classifier_activation, name=name)


@keras_export("keras.applications.densenet.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the DenseNet models.

    Torch mode: pixels are divided by 255, then each channel is
    standardized with the ImageNet mean `(0.485, 0.456, 0.406)` and
    standard deviation `(0.229, 0.224, 0.225)`.

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
        >>> out = keras.applications.densenet.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [2.249, 0.205, -1.804]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="torch")


@keras_export("keras.applications.densenet.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a DenseNet model.

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
        >>> keras.applications.densenet.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
