"""VGG16: 13 convolutions in five blocks, then the classifier."""

from torchkeras.applications import _vgg
from torchkeras.applications import imagenet_utils
from torchkeras.utils.registry import keras_export

_FILES = {
    True: ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
           "64373286793e3c8b2b4e3219cbf3544b"),
    False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc"),
}


@keras_export("keras.applications.vgg16.VGG16", "keras.applications.VGG16")
def VGG16(include_top=True, weights="imagenet", input_tensor=None,
          input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    """Instantiates the VGG16 model (inputs: `vgg16.preprocess_input`).

    Args:
        include_top: whether to end with the 3 fully-connected layers.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(224, 224, 3)`` with the classifier; without it,
            any 3-channel shape of at least 32x32.
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
        >>> model = keras.applications.VGG16(
        ...     weights=None, input_shape=(32, 32, 3), classes=10)
        >>> model.output_shape
        (None, 10)
    """
    return _vgg.build_vgg(
        (2, 2, 3, 3, 3), name, _FILES, include_top=include_top,
        weights=weights, input_tensor=input_tensor, input_shape=input_shape,
        pooling=pooling, classes=classes,
        classifier_activation=classifier_activation)


@keras_export("keras.applications.vgg16.preprocess_input")
def preprocess_input(x, data_format=None):
    """Preprocesses a batch of images for the VGG16 models.

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
        >>> out = keras.applications.vgg16.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [-103.939, 11.221, 131.32]
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="caffe")


@keras_export("keras.applications.vgg16.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a VGG16 model.

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
        >>> keras.applications.vgg16.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
