"""BasePooling: windowed max/average pooling with Keras's semantics.

Runs ``F.max_pool*d``/``F.avg_pool*d`` on a channels-first view of the
inputs (zero copy for channels-last inputs; rank 1 runs as 2-D with a unit
height). Keras's ``'same'`` padding (TF's: ``pad_before = pad_total // 2``,
the extra pixel at the end) needs no padded copy: torch's symmetric
``padding = pad_before`` with ``ceil_mode=True`` produces exactly TF's
windows, the extra end pixel being the part of the last window that
``ceil_mode`` lets hang off the input. Max pooling ignores padding (as TF's
``-inf``) and average pooling excludes it from the divisor
(``count_include_pad=False``), as TF does.
"""

import torch.nn.functional as F

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer

_MAX_POOL = {1: F.max_pool2d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool2d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    """Abstract N-D pooling layer.

    Args:
        pool_size: int or tuple of ``pool_dimensions`` ints.
        strides: int or tuple, or ``None`` (default) for ``pool_size``.
        pool_dimensions: the number of spatial dimensions.
        pool_mode: ``"max"`` or ``"average"``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
    """

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max",
                 padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        rank = pool_dimensions
        self.pool_size = conv_utils.standardize_tuple(pool_size, rank,
                                                      "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = conv_utils.standardize_tuple(strides, rank, "strides")
        self.padding = conv_utils.standardize_padding(padding)
        self.data_format = conv_utils.standardize_data_format(data_format)
        self.pool_mode = pool_mode
        self._rank = rank
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def call(self, inputs):
        rank = self._rank
        pads = (0,) * rank
        if self.padding == "same":
            sizes = conv_utils.spatial_shape(inputs.shape, self.data_format)
            pads = tuple(conv_utils.same_padding(n, k, s)[0] for n, k, s in
                         zip(sizes, self.pool_size, self.strides))
        x = conv_utils.to_channels_first(inputs, rank, self.data_format)
        args = (conv_utils.torch_args(self.pool_size, rank, 1),
                conv_utils.torch_args(self.strides, rank, 1),
                conv_utils.torch_args(pads, rank, 0))
        ceil_mode = self.padding == "same"
        if self.pool_mode == "max":
            y = _MAX_POOL[rank](x, *args, ceil_mode=ceil_mode)
        else:
            y = _AVG_POOL[rank](x, *args, ceil_mode=ceil_mode,
                                count_include_pad=False)
        return conv_utils.from_channels_first(y, rank, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [
            conv_utils.conv_output_length(n, k, self.padding, s)
            for n, k, s in zip(
                conv_utils.spatial_shape(input_shape, self.data_format),
                self.pool_size, self.strides)]
        conv_utils.check_positive_output(self, input_shape, spatial)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        return conv_utils.with_spatial(input_shape, spatial, channels,
                                       self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        })
        return config
