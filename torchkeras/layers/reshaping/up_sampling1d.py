"""UpSampling1D: upsampling layer for 1D inputs."""

from torchkeras.layers.reshaping.up_sampling_base import BaseUpSampling
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.UpSampling1D")
class UpSampling1D(BaseUpSampling):
    """Upsampling layer for 1D inputs.

    Repeats each step/row/column ``size`` times along its axis (nearest
    neighbour), as Keras does.

    Args:
        size: int, the upsampling factor of the steps axis.
        data_format: ``"channels_last"`` (default; tf.keras has no such
            argument here) or ``"channels_first"``.

    Input shape:
        3D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with every spatial dim multiplied by its factor.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 3, 4))
        >>> keras.layers.UpSampling1D(2)(x).shape
        torch.Size([2, 6, 4])
    """

    def __init__(self, size=2, data_format=None, **kwargs):
        # Keras's UpSampling1D has no `data_format`: steps are axis 1.
        super().__init__(1, size, data_format=data_format
                         or "channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size[0]
        if self.data_format != "channels_last":
            config["data_format"] = self.data_format
        return config
