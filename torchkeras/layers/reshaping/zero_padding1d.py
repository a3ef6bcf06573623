"""ZeroPadding1D: zero-padding layer for 1D input (e.g. temporal sequence)."""

from torchkeras.layers.reshaping.zero_padding_base import BaseZeroPadding
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ZeroPadding1D")
class ZeroPadding1D(BaseZeroPadding):
    """Zero-padding layer for 1D input (e.g. temporal sequence).

    Args:
        padding: int, or tuple of 2 ints ``(left_pad, right_pad)`` for the
            steps axis.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        3D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with the padded spatial dims.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 3, 4))
        >>> keras.layers.ZeroPadding1D(2)(x).shape
        torch.Size([2, 7, 4])
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format=data_format, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding[0]
        # Written only when not the default: tf.keras has no such key.
        if self.data_format == "channels_last":
            del config["data_format"]
        return config
