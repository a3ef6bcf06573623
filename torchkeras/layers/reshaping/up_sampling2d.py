"""UpSampling2D: upsampling layer for 2D inputs."""

from torchkeras.layers.reshaping.up_sampling_base import BaseUpSampling
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.UpSampling2D")
class UpSampling2D(BaseUpSampling):
    """Upsampling layer for 2D inputs.

    Repeats each step/row/column ``size`` times along its axis (nearest
    neighbour), as Keras does.

    Args:
        size: int or tuple of 2 ints, the factors for rows and columns.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        interpolation: ``"nearest"`` (repeat rows and columns, default) or
            ``"bilinear"`` (TF's half-pixel bilinear resize).

    Input shape:
        4D tensor ``(batch_size, spatial..., channels)``
        (channels_last) or ``(batch_size, channels, spatial...)``.

    Output shape:
        The same with every spatial dim multiplied by its factor.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 3, 4, 5))
        >>> keras.layers.UpSampling2D((2, 3))(x).shape
        torch.Size([2, 6, 12, 5])
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest",
                 **kwargs):
        super().__init__(2, size, data_format=data_format,
                         interpolation=interpolation, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config
