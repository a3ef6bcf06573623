"""BaseZeroPadding: zeros added before and after each spatial axis.

The shared part of ZeroPadding1D/2D/3D: Keras's argument forms (int, tuple
of ints, tuple of ``(before, after)`` pairs) and one ``F.pad`` in the Keras
layout (which keeps a channels-last tensor channels-last).
"""

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer


class BaseZeroPadding(Layer):
    """Abstract zero-padding layer over ``rank`` spatial axes.

    Args:
        rank: the number of spatial axes.
        padding: int, tuple of ``rank`` ints, or tuple of ``rank`` pairs.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._rank = rank
        self.padding = conv_utils.standardize_symmetric_pairs(
            padding, rank, "padding")
        self.data_format = conv_utils.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def call(self, inputs):
        return conv_utils.pad_spatial(inputs, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [
            None if n is None else n + before + after
            for n, (before, after) in zip(
                conv_utils.spatial_shape(input_shape, self.data_format),
                self.padding)]
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        return conv_utils.with_spatial(input_shape, spatial, channels,
                                       self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding,
                       "data_format": self.data_format})
        return config
