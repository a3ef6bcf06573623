"""GlobalAveragePooling1D: global average pooling over 1D data."""

import torch

from torchkeras.layers.pooling.base_global_pooling import (
    BaseGlobalPooling,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.GlobalAveragePooling1D",
    "keras.layers.GlobalAvgPool1D",
)
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling operation for 1D data.

    Reduces every spatial axis with a mean.

    Args:
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        keepdims: whether to keep the spatial axes with size 1 (default
            ``False``).

    Call arguments:
        inputs: the 3D input.
        mask: optional boolean ``(batch_size, steps)``; masked steps are
            left out of the average (as Keras does).

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
        >>> keras.layers.GlobalAveragePooling1D()(x).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format,
                         keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs.mean(dim=self._axes, keepdim=self.keepdims)
        step_axis = self._axes[0]
        mask = mask.unsqueeze(2 if step_axis == 1 else 1)
        total = torch.where(mask, inputs, 0).sum(step_axis,
                                                 keepdim=self.keepdims)
        count = mask.to(inputs.dtype).sum(step_axis, keepdim=self.keepdims)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None
