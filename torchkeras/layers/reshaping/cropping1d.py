"""Cropping1D: cropping layer for 1D input (e.g. temporal sequence)."""

from torchkeras.layers.reshaping.cropping_base import BaseCropping
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Cropping1D")
class Cropping1D(BaseCropping):
    """Cropping layer for 1D input (e.g. temporal sequence).

    Args:
        cropping: int, or tuple of 2 ints ``(left_crop, right_crop)`` for
            the steps axis.
        data_format: ``"channels_last"`` (default; tf.keras has no such
            argument here) or ``"channels_first"``.

    Input shape:
        3D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with the cropped spatial dims.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 6, 4))
        >>> keras.layers.Cropping1D((1, 2))(x).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, cropping=(1, 1), data_format=None, **kwargs):
        # Keras's Cropping1D has no `data_format`: steps are axis 1.
        super().__init__(1, cropping, data_format=data_format
                         or "channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping[0]
        # Written only when not the default: tf.keras has no such key.
        if self.data_format == "channels_last":
            del config["data_format"]
        return config
