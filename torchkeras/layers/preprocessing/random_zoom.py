"""RandomZoom: zooms images in or out about their center in training."""

import torch

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.base_image_layer import (
    BaseRandomImageLayer,
)
from torchkeras.utils.registry import keras_export


def zoom_matrices(zoom_y, zoom_x, height, width):
    """Keras's zoom about the image center: ``(N, 6)`` matrices."""
    x_offset = ((width - 1.0) / 2.0) * (1.0 - zoom_x)
    y_offset = ((height - 1.0) / 2.0) * (1.0 - zoom_y)
    zeros = torch.zeros_like(zoom_x)
    return torch.stack([zoom_x, zeros, x_offset, zeros, zoom_y, y_offset],
                       dim=1)


@keras_export(
    "keras.layers.RandomZoom",
    "keras.layers.experimental.preprocessing.RandomZoom",
)
class RandomZoom(BaseRandomImageLayer):
    """A preprocessing layer which randomly zooms images during training.

    A factor ``f`` zooms by ``1 + f``: positive values zoom out (the image
    shrinks, ``fill_mode`` fills the border), negative values zoom in.
    Identity at inference.

    Args:
        height_factor: a float ``f`` (range ``(-f, f)``) or a pair; values
            must be at least -1.
        width_factor: the same for the width; None keeps the aspect ratio
            (the height's zoom is used).
        fill_mode: ``'reflect'``, ``'wrap'``, ``'constant'`` or
            ``'nearest'``.
        interpolation: ``'bilinear'`` or ``'nearest'``.
        seed: integer seed of the layer's random generator.
        fill_value: the value outside the image for ``'constant'``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Examples:
        >>> images = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
        >>> layer = keras.layers.RandomZoom((-0.5, -0.5),
        ...                                 interpolation="nearest")
        >>> layer(images, training=True)[0, :, :, 0]  # zoom in 2x
        tensor([[ 5.,  5.,  6.,  6.],
                [ 5.,  5.,  6.,  6.],
                [ 9.,  9., 10., 10.],
                [ 9.,  9., 10., 10.]])
    """

    def __init__(self, height_factor, width_factor=None,
                 fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = self._range(
            height_factor, "height_factor")
        self.width_lower = self.width_upper = None
        if width_factor is not None:
            self.width_lower, self.width_upper = self._range(
                width_factor, "width_factor")
        image_utils.check_choice(fill_mode, image_utils.FILL_MODES,
                                 "fill_mode", "RandomZoom")
        image_utils.check_choice(interpolation, ("nearest", "bilinear"),
                                 "interpolation", "RandomZoom")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    @staticmethod
    def _range(factor, name):
        lower, upper = image_utils.factor_range(factor, name, "RandomZoom")
        if lower < -1.0 or upper < -1.0:
            raise ValueError(
                f"`{name}` argument must have values larger than -1. "
                f"Received: {name}={factor}"
            )
        return lower, upper

    def _augment(self, images):
        n, height, width = images.shape[:3]
        zoom_y = self._uniform((n,), 1.0 + self.height_lower,
                               1.0 + self.height_upper, "cpu")
        zoom_x = zoom_y
        if self.width_factor is not None:
            zoom_x = self._uniform((n,), 1.0 + self.width_lower,
                                   1.0 + self.width_upper, "cpu")
        matrices = zoom_matrices(zoom_y, zoom_x, float(height), float(width))
        return image_utils.affine_transform(
            images, matrices, self.interpolation, self.fill_mode,
            self.fill_value)

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "height_factor": _plain(self.height_factor),
            "width_factor": _plain(self.width_factor),
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
        })
        return config_


def _plain(factor):
    return list(factor) if isinstance(factor, tuple) else factor
