"""GlobalMaxPooling1D: global max pooling over 1D data."""

from torchkeras.layers.pooling.base_global_pooling import (
    BaseGlobalPooling,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.GlobalMaxPooling1D",
    "keras.layers.GlobalMaxPool1D",
)
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling operation for 1D data.

    Reduces every spatial axis with a maximum.

    Args:
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        keepdims: whether to keep the spatial axes with size 1 (default
            ``False``).

    Input shape:
        ``(batch_size, steps, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        ``(batch_size, channels)``, or with ``keepdims`` the input rank with
        spatial dims of 1.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 6, 3))
        >>> keras.layers.GlobalMaxPooling1D()(x).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format,
                         keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.amax(dim=self._axes, keepdim=self.keepdims)
