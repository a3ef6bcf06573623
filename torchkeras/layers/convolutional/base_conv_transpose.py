"""BaseConvTranspose: the N-D transposed convolution (Conv*DTranspose).

Semantics are TF's ``conv*d_transpose`` as tf.keras calls it: the output
length is Keras's ``deconv_output_length`` and the result is the gradient of
a ``padding`` convolution from that output back to the input, so with
``"same"`` the crop is ``pad_total // 2`` at the start (TF's placement).
Keras 3's torch backend differs from TF for some kernel/stride pairs (it
warns about it); this layer matches TF, whose files it loads.

torch's ``F.conv_transpose2d/3d`` runs with ``padding = pad_before`` and an
``output_padding`` that makes up the length; where TF crops one more pixel at
the end than at the start, the extra output row is sliced off (a view).
The kernel is stored as torch's ``(in, filters, k...)``; Keras's layout is
``(k..., filters, in)``.
"""

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.convolutional.base_conv import BaseConv
from torchkeras.layers.convolutional.base_conv import pop_unit_groups


class BaseConvTranspose(BaseConv):
    """Abstract N-D transposed convolution layer.

    Args:
        rank: the number of spatial dimensions.
        filters: the number of output channels.
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple of ``rank`` ints.
        padding: ``"valid"`` or ``"same"``.
        output_padding: int or tuple of ``rank`` ints, each smaller than its
            stride, added to the end of the output; ``None`` (default)
            infers the output size as Keras does.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: int or tuple of ``rank`` ints.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as for ``BaseConv``.
    """

    _causal_ok = False

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        pop_unit_groups(kwargs, type(self).__name__)
        super().__init__(
            rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = conv_utils.standardize_tuple(
                output_padding, rank, "output_padding", allow_zero=True)
            if any(p >= s for p, s in zip(self.output_padding,
                                          self.strides)):
                raise ValueError(
                    "`output_padding` must be < `strides`. Received: "
                    f"output_padding={self.output_padding}, "
                    f"strides={self.strides}"
                )

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = conv_utils.add_kernel(
            self, "kernel", self.kernel_size + (self.filters, channels),
            conv_utils.ConvKernelLayout(self.rank), self.kernel_initializer,
            self.kernel_regularizer, self.kernel_constraint)
        self.bias = self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        sizes = conv_utils.spatial_shape(inputs.shape, self.data_format)
        pads, output_pads, lengths = self._torch_padding(sizes)
        x = conv_utils.to_channels_first(inputs, self.rank, self.data_format)
        kernel = self.kernel.unsqueeze(2) if self.rank == 1 else self.kernel
        conv = conv_utils.CONV_TRANSPOSE_FUNCTIONS[self.rank]
        y = conv(x, kernel, self.bias, self._torch_strides,
                 conv_utils.torch_args(pads, self.rank, 0),
                 conv_utils.torch_args(output_pads, self.rank, 0), 1,
                 self._torch_dilation)
        y = _crop_end(y, lengths, self.rank)
        y = conv_utils.from_channels_first(y, self.rank, self.data_format)
        return self._activate(y)

    def _torch_padding(self, sizes):
        """torch ``padding``/``output_padding`` and TF's output lengths."""
        pads, output_pads, lengths = [], [], []
        for i, n in enumerate(sizes):
            k = conv_utils.effective_kernel(self.kernel_size[i],
                                            self.dilation_rate[i])
            s = self.strides[i]
            out = conv_utils.conv_transpose_output_length(
                n, self.kernel_size[i], self.padding,
                None if self.output_padding is None
                else self.output_padding[i], s, self.dilation_rate[i])
            full = (n - 1) * s + k
            before = 0
            if self.padding == "same":
                before = max(full - out, 0) // 2
            pads.append(before)
            output_pads.append(max(out + 2 * before - full, 0))
            lengths.append(out)
        return tuple(pads), tuple(output_pads), tuple(lengths)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [
            conv_utils.conv_transpose_output_length(
                n, self.kernel_size[i], self.padding,
                None if self.output_padding is None
                else self.output_padding[i], self.strides[i],
                self.dilation_rate[i])
            for i, n in enumerate(
                conv_utils.spatial_shape(input_shape, self.data_format))]
        conv_utils.check_positive_output(self, input_shape, spatial)
        return conv_utils.with_spatial(input_shape, spatial, self.filters,
                                       self.data_format)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = self.output_padding
        return config


def _crop_end(y, lengths, rank):
    """Slices the channels-first output down to ``lengths`` (a view)."""
    spatial = y.shape[-rank:]
    if tuple(spatial) == tuple(lengths):
        return y
    index = (Ellipsis,) + tuple(slice(0, n) for n in lengths)
    return y[index]
