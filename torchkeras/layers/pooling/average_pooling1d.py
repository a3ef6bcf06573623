"""AveragePooling1D: average pooling over 1D windows."""

from torchkeras.layers.pooling.base_pooling import BasePooling
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.AveragePooling1D", "keras.layers.AvgPool1D")
class AveragePooling1D(BasePooling):
    """Average pooling operation for 1D data.

    Slides a ``pool_size`` window by ``strides`` and returns the mean over
    each window; with ``"same"`` the padding is excluded from the average,
    as in Keras.
    Output length per spatial axis: ``"valid"``: ``(n - pool) // s + 1``;
    ``"same"``: ``ceil(n / s)``.

    Args:
        pool_size: int or tuple of 1 int (default 2).
        strides: int or tuple of 1 int, or ``None`` (default) for
            ``pool_size``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.

    Input shape:
        ``(batch_size, steps, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        The pooled spatial dims, channels unchanged.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((2, 6, 3))
        >>> keras.layers.AveragePooling1D()(x).shape
        torch.Size([2, 3, 3])
    """

    def __init__(self, pool_size=2, strides=None, padding="valid",
                 data_format=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1,
                         pool_mode="average", padding=padding,
                         data_format=data_format, **kwargs)
