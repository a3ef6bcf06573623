"""BaseGlobalPooling: max or mean over every spatial axis.

Reduces the spatial axes directly in the Keras layout (a single fused torch
reduction, no permute); ``keepdims`` keeps them with size 1.
"""

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Abstract global pooling layer.

    Args:
        pool_dimensions: the number of spatial dimensions.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        keepdims: whether to keep the spatial axes (with size 1).
    """

    def __init__(self, pool_dimensions, data_format=None, keepdims=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.data_format = conv_utils.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self._rank = pool_dimensions
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + pool_dimensions))
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if not self.keepdims:
            return (input_shape[0], channels)
        return conv_utils.with_spatial(input_shape, (1,) * self._rank,
                                       channels, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format,
                       "keepdims": self.keepdims})
        return config
