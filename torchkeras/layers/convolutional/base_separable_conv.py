"""BaseSeparableConv: depthwise then pointwise convolution (SeparableConv*).

The depthwise step (``groups = in_channels``, carrying strides, padding and
dilation) and the pointwise ``1 x 1`` step (carrying the bias) are two calls
of torch's fused convolution on the same channels-first view. Weights, in
Keras's order and names: ``depthwise_kernel`` ``(k..., in,
depth_multiplier)``, ``pointwise_kernel`` ``(1..., in * depth_multiplier,
filters)``, ``bias`` ``(filters,)``; stored in torch layouts.
"""

from torchkeras import activations
from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.convolutional.base_conv import BaseConv
from torchkeras.layers.convolutional.base_conv import check_filters
from torchkeras.layers.convolutional.base_conv import pop_unit_groups
from torchkeras.layers.convolutional.base_depthwise_conv import (
    check_depth_multiplier,
)
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer


class BaseSeparableConv(BaseConv):
    """Abstract N-D separable convolution layer.

    Args:
        rank: the number of spatial dimensions.
        depth_multiplier: depthwise output channels per input channel.
        filters: the number of output channels of the pointwise step.
        kernel_size, strides, padding, data_format, dilation_rate: as for
            ``BaseConv`` (they apply to the depthwise step).
        activation: activation function (default linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer, pointwise_initializer: default
            ``"glorot_uniform"``; bias_initializer: default ``"zeros"``.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer,
        activity_regularizer: optional regularizers.
        depthwise_constraint, pointwise_constraint, bias_constraint:
            optional constraints.
    """

    def __init__(self, rank, depth_multiplier, filters, kernel_size,
                 strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        pop_unit_groups(kwargs, type(self).__name__)
        Layer.__init__(self, activity_regularizer=activity_regularizer,
                       **kwargs)
        self.rank = rank
        self.depth_multiplier = check_depth_multiplier(depth_multiplier)
        self.filters = check_filters(filters)
        self._set_geometry(kernel_size, strides, padding, dilation_rate,
                           data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.groups = None
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        middle = channels * self.depth_multiplier
        self.depthwise_kernel = conv_utils.add_kernel(
            self, "depthwise_kernel",
            self.kernel_size + (channels, self.depth_multiplier),
            conv_utils.DepthwiseKernelLayout(self.rank,
                                             self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer,
            self.depthwise_constraint)
        self.pointwise_kernel = conv_utils.add_kernel(
            self, "pointwise_kernel",
            (1,) * self.rank + (middle, self.filters),
            conv_utils.ConvKernelLayout(self.rank),
            self.pointwise_initializer, self.pointwise_regularizer,
            self.pointwise_constraint)
        self.groups = channels
        self.bias = self._add_bias(self.filters)
        self.built = True

    def _convolve(self, x, pads):
        depthwise, pointwise = self.depthwise_kernel, self.pointwise_kernel
        if self.rank == 1:
            depthwise = depthwise.unsqueeze(2)
            pointwise = pointwise.unsqueeze(2)
        conv = conv_utils.CONV_FUNCTIONS[self.rank]
        y = conv(x, depthwise, None, self._torch_strides, pads,
                 self._torch_dilation, self.groups)
        return conv(y, pointwise, self.bias)

    def get_config(self):
        config = Layer.get_config(self)
        config.update({"depth_multiplier": self.depth_multiplier,
                       "filters": self.filters})
        config.update(self._geometry_config())
        config.update(self._weights_config(["depthwise", "pointwise"]))
        return config

