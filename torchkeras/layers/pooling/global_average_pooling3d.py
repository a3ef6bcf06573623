"""GlobalAveragePooling3D: global average pooling over 3D data."""

from torchkeras.layers.pooling.base_global_pooling import (
    BaseGlobalPooling,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.GlobalAveragePooling3D",
    "keras.layers.GlobalAvgPool3D",
)
class GlobalAveragePooling3D(BaseGlobalPooling):
    """Global average pooling operation for 3D data.

    Reduces every spatial axis with a mean.

    Args:
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        keepdims: whether to keep the spatial axes with size 1 (default
            ``False``).

    Input shape:
        ``(batch_size, d1, d2, d3, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        ``(batch_size, channels)``, or with ``keepdims`` the input rank with
        spatial dims of 1.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 6, 6, 6, 3))
        >>> keras.layers.GlobalAveragePooling3D()(x).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format,
                         keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.mean(dim=self._axes, keepdim=self.keepdims)
