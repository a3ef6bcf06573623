"""BaseConv: the N-D convolution that Conv1D, Conv2D and Conv3D specialise.

The kernel is stored in torch layout ``(filters, in / groups, k...)`` and
run with torch's fused ``F.conv2d``/``F.conv3d`` (rank-1 convolutions run as
2-D ones with a unit height). Channels-last inputs reach the kernel as a
channels-first view in torch's ``channels_last`` memory format, so neither
the input nor the output is copied. ``get_weights`` speaks Keras's
``(k..., in / groups, filters)`` layout (see ``conv_utils``).
"""

import numpy as np

from torchkeras import activations
from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer


class BaseConv(conv_utils.KernelLayoutMixin, Layer):
    """Abstract N-D convolution layer (the base of ``Conv1D/2D/3D``).

    Computes ``activation(conv(inputs, kernel) + bias)``.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: the number of output channels.
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple of ``rank`` ints; ``strides > 1`` is
            incompatible with ``dilation_rate > 1``.
        padding: ``"valid"``, ``"same"`` (TF's placement: the odd extra
            pixel goes at the bottom/right) or, for rank 1, ``"causal"``.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        dilation_rate: int or tuple of ``rank`` ints.
        groups: number of groups the input channels are split into.
        activation: activation function (default linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (seeing the
            Keras layout of the kernel).
        kernel_regularizer, bias_regularizer, activity_regularizer:
            optional regularizers.
        kernel_constraint, bias_constraint: optional constraints, applied
            to the Keras layout of the kernel.
    """

    _causal_ok = True  # rank-1 forward convolutions accept "causal"

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = check_filters(filters)
        self.groups = _check_groups(groups, filters)
        self._set_geometry(kernel_size, strides, padding, dilation_rate,
                           data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _set_geometry(self, kernel_size, strides, padding, dilation_rate,
                      data_format):
        """Standardises and checks the window arguments (all conv kinds)."""
        rank = self.rank
        self.kernel_size = conv_utils.standardize_tuple(
            kernel_size, rank, "kernel_size")
        self.strides = conv_utils.standardize_tuple(strides, rank, "strides")
        self.dilation_rate = conv_utils.standardize_tuple(
            dilation_rate, rank, "dilation_rate")
        self.padding = conv_utils.standardize_padding(
            padding, allow_causal=rank == 1 and self._causal_ok)
        self.data_format = conv_utils.standardize_data_format(data_format)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self._torch_strides = conv_utils.torch_args(self.strides, rank, 1)
        self._torch_dilation = conv_utils.torch_args(
            self.dilation_rate, rank, 1)

    def _input_channels(self, input_shape):
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}': the channel dimension of the inputs "
                "should be defined. Found None. Received: "
                f"input_shape={tuple(input_shape)}"
            )
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={axis: channels})
        return channels

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups != 0:
            raise ValueError(
                f"Layer '{self.name}': the number of input channels must be "
                "evenly divisible by the number of groups. Received "
                f"groups={self.groups}, but the input has {channels} "
                f"channels (full input shape is {tuple(input_shape)})."
            )
        self.compute_output_shape(input_shape)
        self.kernel = conv_utils.add_kernel(
            self, "kernel",
            self.kernel_size + (channels // self.groups, self.filters),
            conv_utils.ConvKernelLayout(self.rank), self.kernel_initializer,
            self.kernel_regularizer, self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        self.built = True

    def _add_bias(self, size):
        if not self.use_bias:
            return None
        return self.add_weight(
            name="bias", shape=(size,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint)

    def call(self, inputs):
        x, pads = conv_utils.pad_for_conv(
            inputs, self.rank, self.padding, self.kernel_size, self.strides,
            self.dilation_rate, self.data_format)
        x = conv_utils.to_channels_first(x, self.rank, self.data_format)
        y = self._convolve(x, conv_utils.torch_args(pads, self.rank, 0))
        y = conv_utils.from_channels_first(y, self.rank, self.data_format)
        return self._activate(y)

    def _activate(self, y):
        if self.activation is activations.linear:
            return y
        return self.activation(y)

    def _convolve(self, x, pads):
        """The torch kernel on a channels-first view, bias fused."""
        kernel = self.kernel.unsqueeze(2) if self.rank == 1 else self.kernel
        conv = conv_utils.CONV_FUNCTIONS[self.rank]
        return conv(x, kernel, self.bias, self._torch_strides, pads,
                    self._torch_dilation, self.groups)

    def _output_channels(self, input_shape):
        return self.filters

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [
            conv_utils.conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(
                conv_utils.spatial_shape(input_shape, self.data_format),
                self.kernel_size, self.strides, self.dilation_rate)]
        conv_utils.check_positive_output(self, input_shape, spatial)
        return conv_utils.with_spatial(
            input_shape, spatial, self._output_channels(input_shape),
            self.data_format)

    def _geometry_config(self):
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }

    def _weights_config(self, prefixes):
        """Activation, bias and per-kernel settings, in Keras's key order."""
        config = {"activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias}
        for kind, serialize in (("initializer", initializers.serialize),
                                ("regularizer", regularizers.serialize),
                                ("constraint", constraints.serialize)):
            for prefix in tuple(prefixes) + ("bias",):
                key = f"{prefix}_{kind}"
                config[key] = serialize(getattr(self, key))
            if kind == "regularizer":
                config["activity_regularizer"] = regularizers.serialize(
                    self.activity_regularizer)
        return config

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters})
        config.update(self._geometry_config())
        config.update({"groups": self.groups})
        config.update(self._weights_config(["kernel"]))
        return config


def pop_unit_groups(kwargs, class_name):
    """tf.keras writes ``groups: 1`` into the configs of the conv layers
    that cannot group (transposed, depthwise, separable); accept that."""
    groups = kwargs.pop("groups", 1)
    if groups != 1:
        raise ValueError(
            f"{class_name} does not support grouped convolution; `groups` "
            f"must be 1. Received: groups={groups}"
        )


def check_filters(filters):
    if (not isinstance(filters, (int, np.integer)) or isinstance(filters, bool)
            or filters <= 0):
        raise ValueError(
            "Invalid value for argument `filters`. Expected a strictly "
            f"positive integer. Received: filters={filters}"
        )
    return int(filters)


def _check_groups(groups, filters):
    if not isinstance(groups, int) or groups <= 0:
        raise ValueError(
            "The number of groups must be a positive integer. "
            f"Received: groups={groups}"
        )
    if filters % groups != 0:
        raise ValueError(
            "The number of filters must be evenly divisible by the number "
            f"of groups. Received: groups={groups}, filters={filters}"
        )
    return groups
