"""VGG16 and VGG19 (Simonyan & Zisserman, 2014): five blocks of 3x3
convolutions and a max-pool, then two 4096-unit layers."""

from torchkeras import backend
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
_WEIGHTS_ERROR = _common.WEIGHTS_ERROR.replace("`imagenet`", "'imagenet'")


def build_vgg(convs_per_block, name, weights_files, *, include_top, weights,
              input_tensor, input_shape, pooling, classes,
              classifier_activation):
    """`convs_per_block`: 5 counts (VGG16: 2, 2, 3, 3, 3); `weights_files`:
    ``{include_top: (file name, md5)}``."""
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    x = img_input
    for block, (convs, filters) in enumerate(
            zip(convs_per_block, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu",
                              padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2),
                                name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)
    file_name, file_hash = weights_files[include_top]
    _common.load_weights(
        model, weights, file_name=file_name,
        origin=f"{_BASE}{name}/{file_name}", file_hash=file_hash)
    return model
