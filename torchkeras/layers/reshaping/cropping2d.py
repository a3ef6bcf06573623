"""Cropping2D: cropping layer for 2D input (e.g. picture)."""

from torchkeras.layers.reshaping.cropping_base import BaseCropping
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Cropping2D")
class Cropping2D(BaseCropping):
    """Cropping layer for 2D input (e.g. picture).

    Args:
        cropping: int (all sides), tuple of 2 ints (symmetric per axis), or
            ``((top_crop, bottom_crop), (left_crop, right_crop))``.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        4D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with the cropped spatial dims.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 28, 28, 3))
        >>> keras.layers.Cropping2D(((2, 2), (4, 4)))(x).shape
        torch.Size([2, 24, 20, 3])
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format=data_format, **kwargs)
