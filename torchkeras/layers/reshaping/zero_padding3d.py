"""ZeroPadding3D: zero-padding layer for 3D (e.g. spatio-temporal) data."""

from torchkeras.layers.reshaping.zero_padding_base import BaseZeroPadding
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ZeroPadding3D")
class ZeroPadding3D(BaseZeroPadding):
    """Zero-padding layer for 3D data (spatial or spatio-temporal).

    Args:
        padding: int (all sides), tuple of 3 ints (symmetric per axis), or
            tuple of 3 ``(before, after)`` pairs.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        5D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with the padded spatial dims.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 3, 4, 5, 6))
        >>> keras.layers.ZeroPadding3D(1)(x).shape
        torch.Size([2, 5, 6, 7, 6])
    """

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(3, padding, data_format=data_format, **kwargs)
