"""RandomRotation: rotates images about their center in training."""

import math

import torch

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.base_image_layer import (
    BaseRandomImageLayer,
)
from torchkeras.utils.registry import keras_export


def rotation_matrices(angles, height, width):
    """Keras's rotation about the image center: ``(N, 6)`` matrices."""
    cos, sin = torch.cos(angles), torch.sin(angles)
    h, w = height - 1.0, width - 1.0
    x_offset = (w - (cos * w - sin * h)) / 2.0
    y_offset = (h - (sin * w + cos * h)) / 2.0
    return torch.stack([cos, -sin, x_offset, sin, cos, y_offset], dim=1)


@keras_export(
    "keras.layers.RandomRotation",
    "keras.layers.experimental.preprocessing.RandomRotation",
)
class RandomRotation(BaseRandomImageLayer):
    """A preprocessing layer which randomly rotates images during training.

    Each image turns by an angle drawn uniformly in
    ``[lower * 2pi, upper * 2pi]`` (positive: counter-clockwise); pixels
    from outside the image follow ``fill_mode``. Identity at inference.

    Args:
        factor: a float ``f`` (range ``(-f, f)``) or a pair ``(lower,
            upper)``, as fractions of a full turn.
        fill_mode: ``'reflect'``, ``'wrap'``, ``'constant'`` or
            ``'nearest'``.
        interpolation: ``'bilinear'`` or ``'nearest'``.
        seed: integer seed of the layer's random generator.
        fill_value: the value outside the image for ``'constant'``.
        value_range: accepted for Keras compatibility; unused.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Examples:
        >>> images = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
        >>> layer = keras.layers.RandomRotation((0.25, 0.25),
        ...                                     interpolation="nearest")
        >>> layer(images, training=True)[0, :, :, 0]  # a quarter turn
        tensor([[2., 5., 8.],
                [1., 4., 7.],
                [0., 3., 6.]])
        >>> bool((layer(images) == torch.as_tensor(images)).all())  # inference
        True
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, value_range=(0, 255),
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor
        self.lower, self.upper = image_utils.factor_range(
            factor, "factor", "RandomRotation")
        image_utils.check_choice(fill_mode, image_utils.FILL_MODES,
                                 "fill_mode", "RandomRotation")
        image_utils.check_choice(interpolation, ("nearest", "bilinear"),
                                 "interpolation", "RandomRotation")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self.value_range = value_range

    def _augment(self, images):
        n, height, width = images.shape[:3]
        angles = self._uniform((n,), self.lower * 2 * math.pi,
                               self.upper * 2 * math.pi, "cpu")
        matrices = rotation_matrices(angles, float(height), float(width))
        return image_utils.affine_transform(
            images, matrices, self.interpolation, self.fill_mode,
            self.fill_value)

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "factor": list(self.factor) if isinstance(
                self.factor, tuple) else self.factor,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
            "value_range": list(self.value_range),
        })
        return config_
