"""ResNet50, ResNet101 and ResNet152 (He et al., 2015), and the parts
ResNetV2 (``resnet_v2``) shares with them: the stem, the residual stacks of
both versions and the head.

Layer names are Keras's (``conv1_conv``, ``conv2_block1_0_conv``, ...), so
the published ImageNet files load by name as well as by topology.
"""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.utils.registry import keras_export

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
_WEIGHTS_ERROR = _common.WEIGHTS_ERROR.replace("`imagenet`", "'imagenet'")
# weights name: (md5 with the classifier, md5 without it).
_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107",
                 "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5",
                  "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62",
                  "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0",
                   "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971",
                    "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9",
                    "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPSILON = 1.001e-5


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _bn(name):
    return layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPSILON,
                                     name=name)


def named_pool(x, pooling):
    """`pooling` without the classifier, with Keras's layer names
    (``avg_pool``, ``max_pool``) as ResNet and DenseNet name them."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def residual_block_v1(x, filters, kernel_size=3, stride=1,
                      conv_shortcut=True, name=None):
    """Bottleneck block of ResNet v1: 1x1, `kernel_size`, 1x1 (4 *
    `filters` channels), each followed by batch norm, added to the
    shortcut (a strided 1x1 projection, or `x` itself), then ReLU."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(x)
        shortcut = _bn(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME",
                      name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _bn(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """`blocks` v1 blocks; the first projects (stride `stride1`)."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False,
                              name=f"{name}_block{i}")
    return x


def residual_block_v2(x, filters, kernel_size=3, stride=1,
                      conv_shortcut=False, name=None):
    """Pre-activation block of ResNet v2: batch norm and ReLU first, then
    1x1, `kernel_size` (strided, explicitly padded), 1x1; the shortcut is
    a 1x1 projection of the pre-activation, or `x` (max-pooled with size 1
    when strided)."""
    preact = _bn(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False,
                      name=f"{name}_1_conv")(preact)
    x = _bn(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)),
                             name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = _bn(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """`blocks` v2 blocks: the first projects, the last strides by
    `stride1`."""
    x = residual_block_v2(x, filters, conv_shortcut=True,
                          name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1,
                             name=f"{name}_block{blocks}")


def build_resnet(stack_fn, preact, use_bias, *, include_top, weights,
                 input_tensor, input_shape, pooling, classes,
                 classifier_activation, name, weights_name):
    """The stem, ``stack_fn(x)``, and the head of a ResNet (v1 when not
    `preact`, v2 when `preact`); ``weights="imagenet"`` loads the
    published file of `weights_name` (``"resnet50"``, ...)."""
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)),
                             name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias,
                      name="conv1_conv")(x)
    if not preact:
        x = _bn("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = _bn("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = named_pool(x, pooling)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    suffix = "" if include_top else "_notop"
    file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    _common.load_weights(
        model, weights, file_name=file_name, origin=f"{_BASE}{file_name}",
        file_hash=_HASHES[weights_name][0 if include_top else 1])
    return model


def _resnet_v1(blocks, weights_name, arguments):
    def stack_fn(x):
        x = stack_residual_blocks_v1(x, 64, blocks[0], stride1=1,
                                     name="conv2")
        x = stack_residual_blocks_v1(x, 128, blocks[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, blocks[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, blocks[3], name="conv5")

    return build_resnet(stack_fn, False, True, weights_name=weights_name,
                        **arguments)


@keras_export("keras.applications.resnet50.ResNet50",
              "keras.applications.resnet.ResNet50",
              "keras.applications.ResNet50")
def ResNet50(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    """Instantiates ResNet50: bottleneck blocks in stacks of 3, 4, 6
    and 3 (inputs: `resnet.preprocess_input`, caffe mode).

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
        >>> model = keras.applications.ResNet50(
        ...     weights=None, input_shape=(32, 32, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    return _resnet_v1((3, 4, 6, 3), "resnet50", dict(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name))


@keras_export("keras.applications.resnet.ResNet101",
              "keras.applications.ResNet101")
def ResNet101(include_top=True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet101"):
    """Instantiates the ResNet101 architecture.

    Stacks of 3, 4, 23 and 3 bottleneck blocks (ResNet v1); inputs as for
    `ResNet50`: `resnet.preprocess_input`, caffe mode.

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
        >>> model = keras.applications.ResNet101(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 2048)
    """
    return _resnet_v1((3, 4, 23, 3), "resnet101", dict(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name))


@keras_export("keras.applications.resnet.ResNet152",
              "keras.applications.ResNet152")
def ResNet152(include_top=True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet152"):
    """Instantiates the ResNet152 architecture.

    Stacks of 3, 8, 36 and 3 bottleneck blocks (ResNet v1); inputs as for
    `ResNet50`: `resnet.preprocess_input`, caffe mode.

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
        >>> model = keras.applications.ResNet152(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3),
        ...     pooling="avg")
        >>> model.output_shape
        (None, 2048)
    """
    return _resnet_v1((3, 8, 36, 3), "resnet152", dict(
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation, name=name))


@keras_export("keras.applications.resnet50.preprocess_input",
              "keras.applications.resnet.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the ResNet models.

    Caffe mode: the channels go from RGB to BGR, then each loses its
    ImageNet mean (`103.939, 116.779, 123.68` in BGR order); no scaling.

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
        >>> out = keras.applications.resnet.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [-103.939, 11.221, 131.32]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="caffe")


@keras_export("keras.applications.resnet50.decode_predictions",
              "keras.applications.resnet.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a ResNet model.

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
        >>> keras.applications.resnet.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
