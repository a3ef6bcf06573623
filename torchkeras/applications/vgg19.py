"""VGG19: 16 convolutions in five blocks, then the classifier."""

from torchkeras.applications import _vgg
from torchkeras.applications import imagenet_utils
from torchkeras.utils.registry import keras_export

_FILES = {
    True: ("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
           "cbe5617147190e668d6c5d5026f83318"),
    False: ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "253f8cb515780f3b799900260a226db6"),
}


@keras_export("keras.applications.vgg19.VGG19", "keras.applications.VGG19")
def VGG19(include_top=True, weights="imagenet", input_tensor=None,
          input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    """Instantiates the VGG19 model (inputs: `vgg19.preprocess_input`).

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
    """
    return _vgg.build_vgg(
        (2, 2, 4, 4, 4), name, _FILES, include_top=include_top,
        weights=weights, input_tensor=input_tensor, input_shape=input_shape,
        pooling=pooling, classes=classes,
        classifier_activation=classifier_activation)


@keras_export("keras.applications.vgg19.preprocess_input")
def preprocess_input(x, data_format=None):
    """Caffe mode: RGB to BGR, minus the ImageNet mean, no scaling."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="caffe")


@keras_export("keras.applications.vgg19.decode_predictions")
def decode_predictions(preds, top=5):
    """See `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
