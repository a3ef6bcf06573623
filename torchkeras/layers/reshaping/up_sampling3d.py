"""UpSampling3D: upsampling layer for 3D inputs."""

from torchkeras.layers.reshaping.up_sampling_base import BaseUpSampling
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.UpSampling3D")
class UpSampling3D(BaseUpSampling):
    """Upsampling layer for 3D inputs.

    Repeats each step/row/column ``size`` times along its axis (nearest
    neighbour), as Keras does.

    Args:
        size: int or tuple of 3 ints, the factors of the 3 spatial axes.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        5D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with every spatial dim multiplied by its factor.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 3, 4, 5, 6))
        >>> keras.layers.UpSampling3D(2)(x).shape
        torch.Size([2, 6, 8, 10, 6])
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format=data_format, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
