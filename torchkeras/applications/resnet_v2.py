"""ResNet50V2, ResNet101V2 and ResNet152V2 (He et al., 2016): ResNet with
pre-activation blocks (batch norm and ReLU before each convolution), built
by `resnet.build_resnet` with Keras's layer names."""

from torchkeras.applications import imagenet_utils
from torchkeras.applications import resnet
from torchkeras.utils.registry import keras_export


def _resnet_v2(blocks, weights_name, arguments):
    def stack_fn(x):
        x = resnet.stack_residual_blocks_v2(x, 64, blocks[0], name="conv2")
        x = resnet.stack_residual_blocks_v2(x, 128, blocks[1], name="conv3")
        x = resnet.stack_residual_blocks_v2(x, 256, blocks[2], name="conv4")
        return resnet.stack_residual_blocks_v2(x, 512, blocks[3], stride1=1,
                                               name="conv5")

    return resnet.build_resnet(stack_fn, True, True,
                               weights_name=weights_name, **arguments)


@keras_export("keras.applications.ResNet50V2",
              "keras.applications.resnet_v2.ResNet50V2")
def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None,
               input_shape=None, pooling=None, classes=1000,
               classifier_activation="softmax", name="resnet50v2"):
    """Instantiates ResNet50V2: pre-activation bottleneck blocks in
    stacks of 3, 4, 6 and 3 (inputs: `resnet_v2.preprocess_input`, tf
    mode).

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

    Examples:
        >>> model = keras.applications.ResNet50V2(
        ...     weights=None, input_shape=(32, 32, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    return _resnet_v2((3, 4, 6, 3), "resnet50v2", dict(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name))


@keras_export("keras.applications.ResNet101V2",
              "keras.applications.resnet_v2.ResNet101V2")
def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="resnet101v2"):
    """Instantiates the ResNet101V2 architecture.

    Stacks of 3, 4, 23 and 3 pre-activation bottleneck blocks; inputs as
    for `ResNet50V2`: `resnet_v2.preprocess_input`, tf mode.

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

    Examples:
        >>> model = keras.applications.ResNet101V2(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 2048)
    """
    return _resnet_v2((3, 4, 23, 3), "resnet101v2", dict(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name))


@keras_export("keras.applications.ResNet152V2",
              "keras.applications.resnet_v2.ResNet152V2")
def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="resnet152v2"):
    """Instantiates the ResNet152V2 architecture.

    Stacks of 3, 8, 36 and 3 pre-activation bottleneck blocks; inputs as
    for `ResNet50V2`: `resnet_v2.preprocess_input`, tf mode.

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

    Examples:
        >>> model = keras.applications.ResNet152V2(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 2048)
    """
    return _resnet_v2((3, 8, 36, 3), "resnet152v2", dict(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name))


@keras_export("keras.applications.resnet_v2.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the ResNetV2 models.

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
        >>> out = keras.applications.resnet_v2.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [1.0, 0.004, -1.0]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


@keras_export("keras.applications.resnet_v2.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a ResNetV2 model.

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
        >>> keras.applications.resnet_v2.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
