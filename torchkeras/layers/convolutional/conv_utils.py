"""Shared pieces of the convolution and pooling families.

This module owns three things the conv, pooling and reshaping layers share:

- argument standardisation with Keras's rules and messages
  (``standardize_tuple``, ``standardize_padding``,
  ``standardize_data_format``);
- Keras's padding arithmetic: output lengths and TF's ``'same'`` placement,
  which puts the odd extra pixel at the bottom/right
  (``pad_total = max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)``,
  ``pad_before = pad_total // 2``);
- the bridge between Keras layouts and torch's: inputs in Keras layout
  become a channels-first *view* (``movedim``; a channels-last tensor is then
  in torch's ``channels_last`` memory format, so no copy is made), rank-1
  inputs get a unit height so they run on the 2-D kernels, and kernels are
  stored in torch layout and converted to Keras layout at the
  ``get_weights``/``set_weights`` boundary (``KernelLayoutMixin``).

The layers themselves live in ``base_conv.py`` and friends.
"""

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend import config as backend_config

# ----------------------------------------------------------------------
# Argument standardisation.


def standardize_data_format(data_format):
    """``None`` becomes ``image_data_format()``; checks the value."""
    if data_format is None:
        return backend_config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', "
            f"'channels_last'}}. Received: data_format={data_format}"
        )
    return value


def standardize_tuple(value, n, name, allow_zero=False):
    """An int or an iterable of ``n`` ints as a tuple of ``n`` ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value),) * n
    try:
        value = tuple(value)
    except TypeError:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. "
            f"Received {name}={value}"
        ) from None
    if len(value) != n or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            for v in value):
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. "
            f"Received {name}={value}"
        )
    value = tuple(int(v) for v in value)
    floor = 0 if allow_zero else 1
    if any(v < floor for v in value):
        kind = "< 0" if allow_zero else "<= 0"
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers, "
            f"without values {kind}. Received {name}={value}"
        )
    return value


def standardize_padding(value, allow_causal=False):
    """``'valid'``, ``'same'`` (and ``'causal'`` where allowed), lowered."""
    allowed = ("valid", "same", "causal") if allow_causal else (
        "valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {allowed}. Received: "
            f"padding={value}"
        )
    return padding


def standardize_symmetric_pairs(value, rank, name):
    """Keras's padding/cropping forms as ``rank`` ``(before, after)`` pairs.

    Accepts an int (all sides), a tuple of ``rank`` ints (symmetric per
    axis) or a tuple of ``rank`` pairs. Rank 1 also accepts one pair.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = standardize_tuple(value, 2, name, allow_zero=True)
        return (pair,) * rank
    if not hasattr(value, "__len__"):
        raise ValueError(
            f"`{name}` should be an int, a tuple of {rank} ints or a tuple "
            f"of {rank} tuples of 2 ints. Received: {name}={value}"
        )
    if rank == 1:
        return (standardize_tuple(value, 2, name, allow_zero=True),)
    if len(value) != rank:
        raise ValueError(
            f"`{name}` should have {rank} elements. Received: "
            f"{name}={value}"
        )
    return tuple(
        standardize_tuple(v, 2, f"entry {i} of {name}", allow_zero=True)
        for i, v in enumerate(value))


# ----------------------------------------------------------------------
# Padding arithmetic (Keras / TF semantics).


def effective_kernel(kernel, dilation):
    return (kernel - 1) * dilation + 1


def conv_output_length(length, kernel, padding, stride, dilation=1):
    """Keras's output length of a conv or pool; ``None`` stays ``None``."""
    if length is None:
        return None
    if padding in ("same", "causal"):
        return (length - 1) // stride + 1
    return (length - effective_kernel(kernel, dilation)) // stride + 1


def same_padding(length, kernel, stride, dilation=1):
    """TF's ``'same'`` padding ``(before, after)``: extra pixel after."""
    out = -(-length // stride)  # ceil(length / stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation)
                - length, 0)
    return total // 2, total - total // 2


def conv_transpose_output_length(length, kernel, padding, output_padding,
                                 stride, dilation=1):
    """Keras's ``deconv_output_length``; ``None`` stays ``None``."""
    if length is None:
        return None
    k = effective_kernel(kernel, dilation)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(k - stride, 0)
        return length * stride
    pad = k // 2 if padding == "same" else 0
    return (length - 1) * stride + k - 2 * pad + output_padding


def spatial_shape(shape, data_format):
    """The spatial dims of a Keras-layout shape."""
    shape = tuple(shape)
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def with_spatial(shape, spatial, channels, data_format):
    """A Keras-layout shape from batch, spatial dims and channels."""
    if data_format == "channels_last":
        return (shape[0],) + tuple(spatial) + (channels,)
    return (shape[0], channels) + tuple(spatial)


def channel_dim(shape, data_format):
    return shape[-1] if data_format == "channels_last" else shape[1]


# ----------------------------------------------------------------------
# Keras layout <-> torch channels-first views.


def to_channels_first(x, rank, data_format):
    """A channels-first view of a Keras-layout tensor (no copy).

    Rank-1 inputs get a unit height (``(N, C, 1, L)``) so that they run on
    the 2-D kernels, which accept the channels-last memory format; torch's
    1-D kernels copy a permuted input.
    """
    if data_format == "channels_last":
        x = x.movedim(-1, 1)
    if rank == 1:
        x = x.unsqueeze(2)
    return x


def from_channels_first(y, rank, data_format):
    """Inverse of ``to_channels_first`` (a view)."""
    if rank == 1:
        y = y.squeeze(2)
    if data_format == "channels_last":
        y = y.movedim(1, -1)
    return y


def torch_args(values, rank, fill):
    """Per-dim kernel arguments, with the unit height for rank 1."""
    values = tuple(values)
    return (fill,) + values if rank == 1 else values


def pad_spatial(x, pads, data_format, value=0.0):
    """``F.pad`` of the spatial dims of a Keras-layout tensor.

    Padding in the Keras layout keeps a channels-last tensor channels-last.
    """
    flat = []
    for before, after in reversed(list(pads)):
        flat += [before, after]
    if data_format == "channels_last":
        flat = [0, 0] + flat
    return F.pad(x, flat, value=value)


CONV_FUNCTIONS = {1: F.conv2d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE_FUNCTIONS = {1: F.conv_transpose2d, 2: F.conv_transpose2d,
                            3: F.conv_transpose3d}


# ----------------------------------------------------------------------
# Kernel layouts.


class ConvKernelLayout:
    """Keras ``(k..., a, b)`` <-> torch ``(b, a, k...)``.

    Conv kernels are Keras ``(k..., in / groups, out)`` and torch
    ``(out, in / groups, k...)``; transposed conv kernels are Keras
    ``(k..., out, in)`` and torch ``(in, out, k...)``: the same permutation.
    """

    def __init__(self, rank):
        self.rank = rank

    def to_keras(self, t):
        return t.permute(*range(2, self.rank + 2), 1, 0)

    def from_keras(self, t):
        return t.permute(self.rank + 1, self.rank, *range(self.rank))

    def torch_shape(self, keras_shape):
        keras_shape = tuple(keras_shape)
        return (keras_shape[-1], keras_shape[-2]) + keras_shape[:-2]

    def keras_shape(self, torch_shape):
        torch_shape = tuple(torch_shape)
        return torch_shape[2:] + (torch_shape[1], torch_shape[0])


class DepthwiseKernelLayout:
    """Keras ``(k..., in, depth_multiplier)`` <-> torch ``(in * dm, 1, k...)``.

    Output channel ``c * depth_multiplier + m`` of torch's grouped conv is
    Keras's ``(c, m)``, so the two are a permute and a reshape apart.
    """

    def __init__(self, rank, depth_multiplier):
        self.rank = rank
        self.depth_multiplier = depth_multiplier

    def to_keras(self, t):
        kernel = tuple(t.shape[2:])
        t = t.reshape((t.shape[0] // self.depth_multiplier,
                       self.depth_multiplier) + kernel)
        return t.permute(*range(2, self.rank + 2), 0, 1)

    def from_keras(self, t):
        t = t.permute(self.rank, self.rank + 1, *range(self.rank))
        return t.reshape((-1, 1) + tuple(t.shape[2:]))

    def torch_shape(self, keras_shape):
        keras_shape = tuple(keras_shape)
        return (keras_shape[-2] * keras_shape[-1], 1) + keras_shape[:-2]

    def keras_shape(self, torch_shape):
        torch_shape = tuple(torch_shape)
        return torch_shape[2:] + (torch_shape[0] // self.depth_multiplier,
                                  self.depth_multiplier)


class _KerasLayoutInitializer:
    """Runs an initializer on the Keras shape (so fans are Keras's) and
    returns the value in torch layout and the kernel's memory format."""

    def __init__(self, initializer, layout, keras_shape, channels_last):
        self.initializer = initializer
        self.layout = layout
        self.keras_shape = tuple(keras_shape)
        self.channels_last = channels_last

    def __call__(self, shape, dtype=None):
        value = torch.as_tensor(self.initializer(self.keras_shape,
                                                 dtype=dtype))
        value = self.layout.from_keras(value)
        return kernel_memory_format(value, self.channels_last)


def kernel_memory_format(kernel, channels_last):
    """A torch-layout kernel ``(a, b, k...)``, stored contiguous or, for
    channels-last layers, in the ``channels_last`` memory format (physical
    order ``(a, k..., b)``; rank 1 included, for its 2-D view).

    torch runs a channels-last input with a channels-last kernel; storing it
    so saves a kernel copy in every forward and backward call.
    """
    if not channels_last:
        return kernel.contiguous()
    rank = kernel.ndim - 2
    physical = kernel.permute(0, *range(2, rank + 2), 1).contiguous()
    return physical.permute(0, rank + 1, *range(1, rank + 1))


class _KerasLayoutRegularizer:
    """Applies a regularizer to the Keras-layout view of a kernel."""

    def __init__(self, regularizer, layout):
        self.regularizer = regularizer
        self.layout = layout

    def __call__(self, weight):
        return self.regularizer(self.layout.to_keras(weight))


class _KerasLayoutConstraint:
    """Applies a constraint (e.g. ``MaxNorm(axis=[0, 1, 2])``) in Keras
    layout and returns the result in torch layout."""

    def __init__(self, constraint, layout):
        self.constraint = constraint
        self.layout = layout

    def __call__(self, weight):
        out = self.constraint(self.layout.to_keras(weight))
        return self.layout.from_keras(torch.as_tensor(out))


def add_kernel(layer, name, keras_shape, layout, initializer, regularizer,
               constraint):
    """Adds a kernel stored in torch layout whose Keras layout is
    ``keras_shape``; initializer, regularizer and constraint see Keras's
    layout, as in Keras. Channels-last layers store it in the
    ``channels_last`` memory format (``kernel_memory_format``)."""
    from torchkeras import initializers

    init = _KerasLayoutInitializer(
        initializers.get(initializer), layout, keras_shape,
        layer.data_format == "channels_last")
    reg = None if regularizer is None else _KerasLayoutRegularizer(
        regularizer, layout)
    con = None if constraint is None else _KerasLayoutConstraint(
        constraint, layout)
    var = layer.add_weight(name=name, shape=layout.torch_shape(keras_shape),
                           initializer=init, regularizer=reg,
                           constraint=con)
    layer.__dict__.setdefault("_kernel_layouts", {})[var._keras_name] = (
        layout)
    return var


class KernelLayoutMixin:
    """``get_weights``/``set_weights`` hooks for kernels in torch layout.

    Weights added with ``add_kernel`` convert; the others (biases) pass
    through the ``Layer`` defaults.
    """

    def _kernel_layout(self, weight):
        layouts = self.__dict__.get("_kernel_layouts", {})
        return layouts.get(getattr(weight, "_keras_name", None))

    def _to_keras_layout(self, weight):
        layout = self._kernel_layout(weight)
        if layout is None:
            return super()._to_keras_layout(weight)
        value = layout.to_keras(weight.detach()).cpu().numpy()
        return np.ascontiguousarray(value)

    def _from_keras_layout(self, weight, array):
        layout = self._kernel_layout(weight)
        if layout is None:
            return super()._from_keras_layout(weight, array)
        value = torch.as_tensor(np.asarray(array), dtype=weight.dtype)
        return layout.from_keras(value)

    def _keras_shape(self, weight):
        layout = self._kernel_layout(weight)
        if layout is None:
            return super()._keras_shape(weight)
        return layout.keras_shape(weight.shape)


def check_positive_output(layer, input_shape, output_spatial):
    """Keras's 'negative output size' error, naming the layer."""
    if any(d is not None and d <= 0 for d in output_spatial):
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}): computed "
            "output size would be zero or negative. Received: "
            f"input_shape={tuple(input_shape)}"
        )


def pad_for_conv(inputs, rank, padding, kernel_size, strides, dilation,
                 data_format):
    """Resolves ``'same'``/``'causal'`` padding for a conv or pool input.

    Returns ``(inputs, pads)``: symmetric padding goes to the torch kernel
    as ``pads``; asymmetric padding (odd ``'same'`` totals, ``'causal'``) is
    applied here with ``F.pad`` and ``pads`` is zeros.
    """
    zeros = (0,) * rank
    if padding == "valid":
        return inputs, zeros
    if padding == "causal":
        pairs = [(effective_kernel(kernel_size[0], dilation[0]) - 1, 0)]
    else:
        sizes = spatial_shape(inputs.shape, data_format)
        pairs = [same_padding(n, k, s, d) for n, k, s, d in
                 zip(sizes, kernel_size, strides, dilation)]
    if all(before == after for before, after in pairs):
        return inputs, tuple(before for before, _ in pairs)
    return pad_spatial(inputs, pairs, data_format), zeros
