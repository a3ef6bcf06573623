"""RandomCrop: random windows in training, a centered one at inference."""

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.base_image_layer import (
    BaseRandomImageLayer,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.RandomCrop",
    "keras.layers.experimental.preprocessing.RandomCrop",
)
class RandomCrop(BaseRandomImageLayer):
    """A preprocessing layer which randomly crops images during training.

    In training, one random ``(height, width)`` window (the same offsets
    for the whole batch, as Keras draws them) is cut from images larger
    than the target. At inference, and for images not larger than the
    target, the image is cropped to the target aspect ratio around its
    center and resized (tf.keras 2 and early Keras 3 behaviour: the output
    always has the declared shape; recent Keras 3 returns inference inputs
    unchanged, which breaks the static shape).

    Args:
        height: Height of the output, in pixels.
        width: Width of the output, in pixels.
        seed: integer seed of the layer's random generator.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Examples:
        >>> import numpy as np
        >>> import torchkeras as keras
        >>> layer = keras.layers.RandomCrop(2, 3, seed=0)
        >>> layer(np.ones((4, 5, 6, 1)), training=True).shape
        torch.Size([4, 2, 3, 1])
    """

    def __init__(self, height, width, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def _augment(self, images):
        in_height, in_width = images.shape[1], images.shape[2]
        if in_height <= self.height or in_width <= self.width:
            return self._infer(images)
        draws = self._uniform((2,), 0.0, 1.0, "cpu")
        top = int(draws[0] * (in_height - self.height + 1))
        left = int(draws[1] * (in_width - self.width + 1))
        return images[:, top:top + self.height, left:left + self.width]

    def _infer(self, images):
        return image_utils.smart_resize(images, self.height, self.width)

    def compute_output_shape(self, input_shape):
        return image_utils.spatial_output_shape(
            input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height": self.height, "width": self.width})
        return config_
