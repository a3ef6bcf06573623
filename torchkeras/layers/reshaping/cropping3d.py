"""Cropping3D: cropping layer for 3D data (e.g. spatial or spatio-temporal)."""

from torchkeras.layers.reshaping.cropping_base import BaseCropping
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Cropping3D")
class Cropping3D(BaseCropping):
    """Cropping layer for 3D data (e.g. spatial or spatio-temporal).

    Args:
        cropping: int (all sides), tuple of 3 ints (symmetric per axis), or
            tuple of 3 ``(before, after)`` pairs.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        5D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with the cropped spatial dims.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 6, 6, 6, 3))
        >>> keras.layers.Cropping3D()(x).shape
        torch.Size([2, 4, 4, 4, 3])
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None,
                 **kwargs):
        super().__init__(3, cropping, data_format=data_format, **kwargs)
