"""BaseDepthwiseConv: the N-D depthwise convolution (DepthwiseConv1D/2D).

Each input channel is convolved with its own ``depth_multiplier`` filters:
torch's grouped convolution with ``groups = in_channels``. The kernel is
stored as torch's ``(in * depth_multiplier, 1, k...)`` and converted to
Keras's ``(k..., in, depth_multiplier)`` at the ``get_weights`` boundary
(``conv_utils.DepthwiseKernelLayout``). The weight is named
``depthwise_kernel`` as in tf.keras (Keras 3 calls it ``kernel``; both
attributes work).
"""

from torchkeras import activations
from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.convolutional.base_conv import BaseConv
from torchkeras.layers.convolutional.base_conv import pop_unit_groups
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer


class BaseDepthwiseConv(BaseConv):
    """Abstract N-D depthwise convolution layer.

    Args:
        rank: the number of spatial dimensions.
        depth_multiplier: output channels per input channel.
        kernel_size, strides, padding, data_format, dilation_rate: as for
            ``BaseConv``.
        activation: activation function (default linear).
        use_bias: whether to add a bias of ``in * depth_multiplier``.
        depthwise_initializer: default ``"glorot_uniform"``.
        bias_initializer: default ``"zeros"``.
        depthwise_regularizer, bias_regularizer, activity_regularizer:
            optional regularizers.
        depthwise_constraint, bias_constraint: optional constraints.
    """

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        pop_unit_groups(kwargs, type(self).__name__)
        Layer.__init__(self, activity_regularizer=activity_regularizer,
                       **kwargs)
        self.rank = rank
        self.depth_multiplier = check_depth_multiplier(depth_multiplier)
        self._set_geometry(kernel_size, strides, padding, dilation_rate,
                           data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.groups = None
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = conv_utils.add_kernel(
            self, "depthwise_kernel",
            self.kernel_size + (channels, self.depth_multiplier),
            conv_utils.DepthwiseKernelLayout(self.rank,
                                             self.depth_multiplier),
            self.depthwise_initializer, self.depthwise_regularizer,
            self.depthwise_constraint)
        self.kernel = self.depthwise_kernel  # Keras 3's name
        self.groups = channels
        self.bias = self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def _output_channels(self, input_shape):
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        return None if channels is None else channels * self.depth_multiplier

    def get_config(self):
        config = Layer.get_config(self)
        config.update({"depth_multiplier": self.depth_multiplier})
        config.update(self._geometry_config())
        config.update(self._weights_config(["depthwise"]))
        return config


def check_depth_multiplier(depth_multiplier):
    if (not isinstance(depth_multiplier, int)
            or isinstance(depth_multiplier, bool) or depth_multiplier <= 0):
        raise ValueError(
            "Invalid value for argument `depth_multiplier`. Expected a "
            "strictly positive integer. Received: "
            f"depth_multiplier={depth_multiplier}"
        )
    return depth_multiplier
