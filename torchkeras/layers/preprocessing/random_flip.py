"""RandomFlip: flips images left-right and/or up-down in training."""

import torch

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.base_image_layer import (
    BaseRandomImageLayer,
)
from torchkeras.utils.registry import keras_export

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


@keras_export(
    "keras.layers.RandomFlip",
    "keras.layers.experimental.preprocessing.RandomFlip",
)
class RandomFlip(BaseRandomImageLayer):
    """A preprocessing layer which randomly flips images during training.

    Each image is flipped with probability 1/2; with
    ``'horizontal_and_vertical'`` one draw flips it along both axes, as in
    Keras 3. At inference the layer is the identity.

    Args:
        mode: ``'horizontal'``, ``'vertical'`` or
            ``'horizontal_and_vertical'``.
        seed: integer seed of the layer's random generator.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.RandomFlip("horizontal", seed=1)
        >>> x = torch.ones((2, 4, 4, 3))
        >>> bool((layer(x, training=False) == x).all())
        True
    """

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        image_utils.check_choice(
            mode, (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL), "mode",
            "RandomFlip")
        self.mode = mode

    def _augment(self, images):
        flips = self._uniform((images.shape[0], 1, 1, 1), 0.0, 1.0,
                              images.device) <= 0.5
        out = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            out = torch.where(flips, out.flip(2), out)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            out = torch.where(flips, out.flip(1), out)
        return out

    def get_config(self):
        config_ = super().get_config()
        config_["mode"] = self.mode
        return config_
