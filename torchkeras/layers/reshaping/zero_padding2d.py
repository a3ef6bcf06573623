"""ZeroPadding2D: zero-padding layer for 2D input (e.g. picture)."""

from torchkeras.layers.reshaping.zero_padding_base import BaseZeroPadding
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ZeroPadding2D")
class ZeroPadding2D(BaseZeroPadding):
    """Zero-padding layer for 2D input (e.g. picture).

    Args:
        padding: int (all sides), tuple of 2 ints ``(symmetric_height_pad,
            symmetric_width_pad)``, or ``((top_pad, bottom_pad), (left_pad,
            right_pad))``.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        4D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with the padded spatial dims.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 3, 4, 5))
        >>> keras.layers.ZeroPadding2D(((1, 0), (2, 1)))(x).shape
        torch.Size([2, 4, 7, 5])
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format=data_format, **kwargs)
