"""Neural-network operations of ``torchkeras.ops`` (Keras 3 ``ops/nn.py``).

Owns the activations, convolutions and pooling (Keras kernel layouts and
``data_format``, TF-style ``"same"`` padding), normalizations, attention,
the element-wise crossentropies that the losses build on (Keras's
probability clipping by ``backend.epsilon()``, torch's fused kernels for
logits), and the Keras 3 CTC ops (``ctc_loss`` on logits, ``ctc_decode``
with ``mask_index`` as the blank; the CTC machinery lives in
``backend/ctc.py``). Each op runs torch's own kernel where it has one.

When ``from_logits=False`` and the prediction carries ``_keras_logits``
(set on a softmax/sigmoid output, as Keras does), the crossentropies use
those logits instead: tf.keras gets the same effect from the graph.
"""

import math
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend import config as backend_config
from torchkeras.backend import ctc as backend_ctc
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _float(x):
    """``x`` as a tensor, ints and bools cast to ``floatx``."""
    x = convert_to_tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(backend_config.to_torch_dtype(backend_config.floatx()))
    return x


def _promote(*xs):
    xs = [_float(x) for x in xs]
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = torch.promote_types(dtype, x.dtype)
    return [x.to(dtype=dtype, device=xs[0].device) for x in xs]


# --------------------------------------------------------------------------
# Activations.


@keras_op(tf=("nn.relu", ("features",)))
def relu(x):
    return torch.relu(convert_to_tensor(x))


@keras_op(tf=("nn.relu6", ("features",)))
def relu6(x):
    x = convert_to_tensor(x)
    return torch.clamp(x, 0, 6) if not x.is_floating_point() else F.relu6(x)


@keras_op(tf=("math.sigmoid", ("x",)))
def sigmoid(x):
    return torch.sigmoid(_float(x))


@keras_op()
def sparse_sigmoid(x):
    """0 below -1, 1 above 1, ``(x + 1) / 2`` between."""
    return torch.clamp(0.5 * (_float(x) + 1.0), 0.0, 1.0)


@keras_op(tf=("math.softplus", ("features",)))
def softplus(x):
    x = _float(x)
    return torch.logaddexp(x, torch.zeros_like(x))


@keras_op(tf=("nn.softsign", ("features",)))
def softsign(x):
    return F.softsign(_float(x))


@keras_op()
def soft_shrink(x, threshold=0.5):
    return F.softshrink(_float(x), threshold)


@keras_op()
def sparse_plus(x):
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` between."""
    x = _float(x)
    middle = 0.25 * torch.square(x + 1.0)
    return torch.where(x <= -1.0, torch.zeros_like(x),
                       torch.where(x >= 1.0, x, middle))


@keras_op(tf=("nn.silu", ("features",)))
def silu(x):
    return F.silu(_float(x))


@keras_op(tf=("nn.swish", ("features",)))
def swish(x):
    return F.silu(_float(x))


@keras_op()
def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``."""
    x = _float(x)
    return 0.5 * (x + torch.sqrt(torch.square(x) + b))


@keras_op(tf=("math.log_sigmoid", ("x",)))
def log_sigmoid(x):
    return F.logsigmoid(_float(x))


@keras_op(tf=("nn.leaky_relu", ("features", "alpha")))
def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_float(x), negative_slope)


@keras_op()
def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return F.hardsigmoid(_float(x))


@keras_op()
def hard_silu(x):
    """``x * hard_sigmoid(x)``."""
    return F.hardswish(_float(x))


@keras_op()
def hard_swish(x):
    return F.hardswish(_float(x))


@keras_op()
def hard_tanh(x):
    return F.hardtanh(_float(x))


@keras_op()
def elu(x, alpha=1.0):
    return F.elu(_float(x), alpha)


@keras_op(tf=("nn.selu", ("features",)))
def selu(x):
    return F.selu(_float(x))


@keras_op(tf=("nn.gelu", ("features", "approximate")))
def gelu(x, approximate=True):
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


@keras_op()
def celu(x, alpha=1.0):
    return F.celu(_float(x), alpha)


@keras_op()
def glu(x, axis=-1):
    """``a * sigmoid(b)`` of the two halves of ``x`` along ``axis``."""
    x = _float(x)
    if x.shape[axis] % 2:
        raise ValueError(
            "`glu` expects an even size along `axis`. Received: "
            f"x.shape={tuple(x.shape)}, axis={axis}")
    return F.glu(x, dim=axis)


@keras_op()
def tanh_shrink(x):
    return F.tanhshrink(_float(x))


@keras_op()
def hard_shrink(x, threshold=0.5):
    return F.hardshrink(_float(x), threshold)


@keras_op()
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return F.threshold(_float(x), threshold, default_value)


def _axes(axis, ndim):
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


@keras_op(tf=("nn.softmax", ("logits", "axis")))
def softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, (list, tuple)):
        dims = _axes(axis, x.ndim)
        return torch.exp(x - torch.logsumexp(x, dim=dims, keepdim=True))
    return F.softmax(x, dim=axis)


@keras_op(tf=("nn.log_softmax", ("logits", "axis")))
def log_softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, (list, tuple)):
        dims = _axes(axis, x.ndim)
        return x - torch.logsumexp(x, dim=dims, keepdim=True)
    return F.log_softmax(x, dim=axis)


@keras_op()
def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the simplex along ``axis``."""
    x = _float(x)
    z = torch.sort(x, dim=axis, descending=True).values
    cumsum = torch.cumsum(z, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype,
                     device=x.device).reshape(shape)
    support = z - (cumsum - 1.0) / r > 0
    k = support.sum(dim=axis, keepdim=True).to(x.dtype)
    tau = (torch.where(support, cumsum, torch.zeros_like(cumsum)).sum(
        dim=axis, keepdim=True) - 1.0) / k
    return torch.clamp(x - tau, min=0.0)


@keras_op()
def polar(abs_, angle):
    """The complex number with magnitude ``abs_`` and phase ``angle``."""
    abs_, angle = _promote(abs_, angle)
    return torch.polar(abs_, angle)


# --------------------------------------------------------------------------
# Encodings.


@keras_op()
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encodes integer ``x``; negative entries give all zeros."""
    _dense_only("one_hot", sparse)
    x = convert_to_tensor(x).long()
    out = F.one_hot(x.clamp(min=0), num_classes) * (x >= 0)[..., None]
    dtype = dtype or backend_config.floatx()
    return out.to(backend_config.to_torch_dtype(dtype)).movedim(-1, axis)


@keras_op()
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False,
              **kwargs):
    """Multi-hot encodes integer ``inputs``: one row of ``num_classes``
    per sample (the batch is the first axis of a 2D input)."""
    _dense_only("multi_hot", sparse)
    num_classes = kwargs.pop("num_tokens", num_classes)
    if kwargs:
        raise TypeError(
            "`multi_hot` got unexpected keyword arguments. Received: "
            f"{sorted(kwargs)}")
    if num_classes is None:
        raise ValueError(
            "`multi_hot` needs `num_classes`. Received: num_classes=None")
    inputs = convert_to_tensor(inputs)
    reduction_axis = 1 if inputs.ndim > 1 else 0
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return torch.amax(encoded, dim=reduction_axis)


def _dense_only(name, sparse):
    if sparse:
        raise ValueError(
            f"`{name}` returns dense tensors on torch (torch has no sparse "
            f"Keras tensors). Received: sparse={sparse}")


# --------------------------------------------------------------------------
# Convolution and pooling.


def _data_format(data_format):
    data_format = data_format or backend_config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}")
    return data_format


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(
            f"`{name}` must be an int or a tuple of {n} ints. "
            f"Received: {name}={value}")
    return value


def _padding(padding):
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding not in ("valid", "same"):
        raise ValueError(
            "`padding` must be 'valid' or 'same'. Received: "
            f"padding={padding!r}")
    return padding


def _channels_first(x, data_format):
    return x.movedim(-1, 1) if data_format == "channels_last" else x


def _restore_format(x, data_format):
    return x.movedim(1, -1) if data_format == "channels_last" else x


def _same_pads(sizes, kernel, strides, dilation):
    """TensorFlow's ``"same"`` padding: ``(before, after)`` per axis, the
    odd pixel after."""
    pads = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        effective = (k - 1) * d + 1
        total = max((-(-size // s) - 1) * s + effective - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad(x, pads, value=0.0):
    """Pads the spatial axes of a channels-first ``x`` (``F.pad`` takes
    the last axis first)."""
    if not any(a or b for a, b in pads):
        return x
    flat = [p for pair in reversed(pads) for p in pair]
    return F.pad(x, flat, value=value)


def _conv_fn(n, transpose=False):
    if n not in (1, 2, 3):
        raise ValueError(
            "Convolution and pooling take 1, 2 or 3 spatial dimensions "
            f"(inputs of rank 3 to 5). Received: {n} spatial dimensions")
    if transpose:
        return (F.conv_transpose1d, F.conv_transpose2d,
                F.conv_transpose3d)[n - 1]
    return (F.conv1d, F.conv2d, F.conv3d)[n - 1]


def _conv_geometry(x, kernel_spatial, strides, padding, dilation_rate):
    n = x.ndim - 2
    strides = _tuple(strides, n, "strides")
    dilation = _tuple(dilation_rate, n, "dilation_rate")
    if _padding(padding) == "same":
        pads = _same_pads(x.shape[2:], kernel_spatial, strides, dilation)
        if all(a == b for a, b in pads):
            return x, strides, dilation, [a for a, _ in pads]
        x = _pad(x, pads)
    return x, strides, dilation, 0


def _run_conv(inputs, weight, kernel_spatial, strides, padding,
              data_format, dilation_rate, groups):
    x = _channels_first(inputs, data_format)
    x, strides, dilation, pad = _conv_geometry(
        x, kernel_spatial, strides, padding, dilation_rate)
    out = _conv_fn(x.ndim - 2)(x, weight, None, strides, pad, dilation,
                               groups)
    return _restore_format(out, data_format)


@keras_op()
def conv(inputs, kernel, strides=1, padding="valid", data_format=None,
         dilation_rate=1):
    """N-D convolution with a Keras kernel ``(*spatial, in / groups,
    out)``; ``in`` a multiple of the kernel's input size means groups."""
    inputs, kernel = _promote(inputs, kernel)
    data_format = _data_format(data_format)
    n = inputs.ndim - 2
    channels = inputs.shape[-1 if data_format == "channels_last" else 1]
    if channels % kernel.shape[-2]:
        raise ValueError(
            "`conv`: the input channels must be a multiple of the kernel's "
            f"input channels. Received: inputs.shape={tuple(inputs.shape)},"
            f" kernel.shape={tuple(kernel.shape)}")
    weight = kernel.permute(n + 1, n, *range(n))
    return _run_conv(inputs, weight, kernel.shape[:n], strides, padding,
                     data_format, dilation_rate,
                     channels // kernel.shape[-2])


@keras_op()
def depthwise_conv(inputs, kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution with a Keras kernel ``(*spatial, in,
    multiplier)``."""
    inputs, kernel = _promote(inputs, kernel)
    data_format = _data_format(data_format)
    n = inputs.ndim - 2
    channels = kernel.shape[-2]
    weight = kernel.reshape(*kernel.shape[:n], 1, -1)
    weight = weight.permute(n + 1, n, *range(n))
    return _run_conv(inputs, weight, kernel.shape[:n], strides, padding,
                     data_format, dilation_rate, channels)


@keras_op()
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1,
                   padding="valid", data_format=None, dilation_rate=1):
    """``depthwise_conv`` followed by a 1x1 ``conv`` with
    ``pointwise_kernel``."""
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding,
                               data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def _transpose_crop(size, kernel, stride, dilation, padding,
                    output_padding):
    """``(crop_before, crop_after)`` of torch's unpadded transposed conv
    to give Keras's output (negative: pad), from Keras's padding rule."""
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = (max(effective, stride) - effective if output_padding is None
                 else output_padding)
        before, after = effective - 1, effective - 1 + extra
    else:
        total = (stride + effective - 2 if output_padding is None
                 else effective + effective % 2 - 2 + output_padding)
        before = min(total // 2 + total % 2, effective - 1)
        after = total - before
    return effective - 1 - before, effective - 1 - after


@keras_op()
def conv_transpose(inputs, kernel, strides=1, padding="valid",
                   output_padding=None, data_format=None, dilation_rate=1):
    """Transposed convolution with a Keras kernel ``(*spatial, out, in)``,
    Keras's output size for ``padding`` and ``output_padding``."""
    inputs, kernel = _promote(inputs, kernel)
    data_format = _data_format(data_format)
    padding = _padding(padding)
    n = inputs.ndim - 2
    strides = _tuple(strides, n, "strides")
    dilation = _tuple(dilation_rate, n, "dilation_rate")
    extra = (None,) * n if output_padding is None else _tuple(
        output_padding, n, "output_padding")
    x = _channels_first(inputs, data_format)
    weight = kernel.permute(n + 1, n, *range(n))
    out = _conv_fn(n, transpose=True)(x, weight, None, strides, 0, 0, 1,
                                      dilation)
    for axis in range(n):
        before, after = _transpose_crop(
            x.shape[2 + axis], kernel.shape[axis], strides[axis],
            dilation[axis], padding, extra[axis])
        length = out.shape[2 + axis]
        if before < 0 or after < 0:
            pads = [(0, 0)] * n
            pads[axis] = (max(-before, 0), max(-after, 0))
            out = _pad(out, pads)
            before, after = max(before, 0), max(after, 0)
            length = out.shape[2 + axis]
        out = out.narrow(2 + axis, before, length - before - after)
    return _restore_format(out, data_format)


def _pool_geometry(inputs, pool_size, strides, data_format):
    data_format = _data_format(data_format)
    x = _channels_first(_float(inputs), data_format)
    n = x.ndim - 2
    pool_size = _tuple(pool_size, n, "pool_size")
    strides = pool_size if strides is None else _tuple(strides, n,
                                                        "strides")
    return x, n, pool_size, strides, data_format


@keras_op()
def max_pool(inputs, pool_size, strides=None, padding="valid",
             data_format=None):
    x, n, pool_size, strides, data_format = _pool_geometry(
        inputs, pool_size, strides, data_format)
    if _padding(padding) == "same":
        pads = _same_pads(x.shape[2:], pool_size, strides, (1,) * n)
        x = _pad(x, pads, value=-math.inf)
    fn = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[n - 1]
    return _restore_format(fn(x, pool_size, strides), data_format)


@keras_op()
def average_pool(inputs, pool_size, strides=None, padding="valid",
                 data_format=None):
    """Average pooling; with ``"same"`` padding each window averages only
    its real pixels, as TensorFlow does."""
    x, n, pool_size, strides, data_format = _pool_geometry(
        inputs, pool_size, strides, data_format)
    fn = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[n - 1]
    if _padding(padding) == "valid":
        return _restore_format(fn(x, pool_size, strides), data_format)
    pads = _same_pads(x.shape[2:], pool_size, strides, (1,) * n)
    total = fn(_pad(x, pads), pool_size, strides)
    ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype,
                      device=x.device)
    counts = fn(_pad(ones, pads), pool_size, strides)
    return _restore_format(total / counts, data_format)


def _adaptive_pool(name, fns, inputs, output_size, data_format):
    data_format = _data_format(data_format)
    x = _channels_first(_float(inputs), data_format)
    n = x.ndim - 2
    output_size = _tuple(output_size, n, "output_size")
    return _restore_format(fns[n - 1](x, output_size), data_format)


@keras_op()
def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive_pool(
        "adaptive_average_pool", (F.adaptive_avg_pool1d,
                                  F.adaptive_avg_pool2d,
                                  F.adaptive_avg_pool3d),
        inputs, output_size, data_format)


@keras_op()
def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive_pool(
        "adaptive_max_pool", (F.adaptive_max_pool1d, F.adaptive_max_pool2d,
                              F.adaptive_max_pool3d),
        inputs, output_size, data_format)


@keras_op()
def depth_to_space(x, block_size, data_format="channels_last"):
    """Moves blocks of channels into ``block_size`` x ``block_size``
    spatial blocks (4D input)."""
    x = convert_to_tensor(x)
    if _data_format(data_format) == "channels_first":
        return F.pixel_shuffle(x, block_size)
    n, h, w, c = x.shape
    b = block_size
    x = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h * b, w * b, c // (b * b))


@keras_op()
def space_to_depth(x, block_size, data_format="channels_last"):
    """Moves ``block_size`` x ``block_size`` spatial blocks into channels
    (4D input)."""
    x = convert_to_tensor(x)
    if _data_format(data_format) == "channels_first":
        return F.pixel_unshuffle(x, block_size)
    n, h, w, c = x.shape
    b = block_size
    x = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h // b, w // b, c * b * b)


@keras_op()
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of an NCHW ``x``: ``(N, C * kh * kw, L)``."""
    return F.unfold(convert_to_tensor(x), kernel_size, dilation, padding,
                    stride)


@keras_op()
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums sliding blocks ``(N, C * kh * kw, L)`` into ``(N, C, *
    output_size)``; the inverse layout of ``unfold``."""
    return F.fold(convert_to_tensor(x), output_size, kernel_size, dilation,
                  padding, stride)


# --------------------------------------------------------------------------
# Normalization and statistics.


@keras_op()
def moments(x, axes, keepdims=False, synchronized=False):
    """``(mean, variance)`` of ``x`` over ``axes`` (float16/bfloat16
    computed in float32, clipped to the float16 range)."""
    x = _float(x)
    dims = _axes(axes, x.ndim)
    low = x.dtype in _LOW_PRECISION
    source = x.dtype
    if low:
        x = x.float()
    variance, mean = torch.var_mean(x, dim=dims, correction=0,
                                    keepdim=keepdims)
    if low:
        limit = torch.finfo(torch.float16).max
        mean = mean.clamp(-limit, limit).to(source)
        variance = variance.clamp(-limit, limit).to(source)
    return mean, variance


@keras_op()
def batch_normalization(x, mean, variance, axis, offset=None, scale=None,
                        epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with the
    1D statistics along ``axis``."""
    x = _float(x)
    shape = [1] * x.ndim
    shape[axis] = -1

    def along(v):
        return convert_to_tensor(v, x.dtype, x.device).reshape(shape)

    inv = torch.rsqrt(along(variance) + epsilon)
    if scale is not None:
        inv = inv * along(scale)
    out = x * inv - along(mean) * inv
    if offset is not None:
        out = out + along(offset)
    return out


def _trailing(dims, ndim):
    return dims == tuple(range(ndim - len(dims), ndim))


@keras_op()
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None,
                        **kwargs):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over ``axis``
    (``epsilon`` defaults to ``backend.epsilon()``)."""
    x = _float(x)
    eps = backend_config.epsilon() if epsilon is None else epsilon
    dims = _axes(axis, x.ndim)
    gamma = None if gamma is None else convert_to_tensor(
        gamma, x.dtype, x.device)
    beta = None if beta is None else convert_to_tensor(
        beta, x.dtype, x.device)
    if _trailing(dims, x.ndim):
        shape = tuple(x.shape[d] for d in dims)
        return F.layer_norm(x, shape, None if gamma is None else
                            gamma.reshape(shape), None if beta is None else
                            beta.reshape(shape), eps)
    variance, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    out = (x - mean) * torch.rsqrt(variance + eps)
    shape = [x.shape[d] if d in dims else 1 for d in range(x.ndim)]
    if gamma is not None:
        out = out * gamma.reshape(shape)
    if beta is not None:
        out = out + beta.reshape(shape)
    return out


@keras_op()
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``."""
    x = _float(x)
    eps = backend_config.epsilon() if epsilon is None else epsilon
    dims = _axes(axis, x.ndim)
    scale = None if scale is None else convert_to_tensor(
        scale, x.dtype, x.device)
    if _trailing(dims, x.ndim):
        shape = tuple(x.shape[d] for d in dims)
        return F.rms_norm(x, shape, None if scale is None else
                          scale.reshape(shape), eps)
    out = x * torch.rsqrt(torch.mean(torch.square(x), dim=dims,
                                     keepdim=True) + eps)
    if scale is not None:
        shape = [x.shape[d] if d in dims else 1 for d in range(x.ndim)]
        out = out * scale.reshape(shape)
    return out


@keras_op()
def normalize(x, axis=-1, order=2, epsilon=None):
    """Lp-normalises ``x`` along ``axis``; for ``order=2``,
    ``x * min(rsqrt(sum(x**2)), 1 / epsilon)``."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(
            "`normalize` expects `order` to be an int >= 1. Received: "
            f"order={order}")
    eps = backend_config.epsilon() if epsilon is None else epsilon
    x = _float(x)
    if x.ndim == 0:
        x = x[None]
    if order == 2:
        square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
        # Same numbers as Keras's min(rsqrt(s), 1/eps), finite gradient.
        return x * torch.rsqrt(torch.clamp(square_sum, min=eps * eps))
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=eps)


@keras_op()
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)``."""
    x1, x2 = _promote(x1, x2)
    if x1.shape != x2.shape:
        raise ValueError(
            "`psnr` expects `x1` and `x2` of the same shape. Received: "
            f"x1.shape={tuple(x1.shape)}, x2.shape={tuple(x2.shape)}")
    max_val = convert_to_tensor(max_val, x2.dtype, x2.device)
    mse = torch.mean(torch.square(x1 - x2))
    return 20.0 * torch.log10(max_val) - 10.0 * torch.log10(mse)


# --------------------------------------------------------------------------
# Attention.


@keras_op()
def dot_product_attention(query, key, value, bias=None, mask=None,
                          scale=None, is_causal=False, flash_attention=None,
                          attn_logits_soft_cap=None):
    """Scaled dot-product attention on Keras's ``(B, T, N, H)`` layout.

    ``key``/``value`` may have fewer heads (grouped-query attention);
    ``bias`` is added to the logits, boolean ``mask`` (broadcastable to
    ``(B, N, T, S)``) keeps the ``True`` entries, ``is_causal`` masks the
    future. Runs torch's ``scaled_dot_product_attention``.
    """
    query, key, value = _promote(query, key, value)
    unbatched = query.ndim == 3
    if unbatched:
        query, key, value = query[None], key[None], value[None]
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(
            "`dot_product_attention` expects query, key and value of rank "
            f"3 or 4. Received: query.shape={tuple(query.shape)}, "
            f"key.shape={tuple(key.shape)}")
    q, k, v = (t.transpose(1, 2) for t in (query, key, value))
    heads, kv_heads = q.shape[1], k.shape[1]
    if heads != kv_heads:
        if heads % kv_heads:
            raise ValueError(
                "`dot_product_attention`: query heads must be a multiple of "
                f"key heads. Received: query.shape={tuple(query.shape)}, "
                f"key.shape={tuple(key.shape)}")
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    keep = None
    if mask is not None:
        keep = convert_to_tensor(mask, device=q.device).bool()
    if is_causal:
        t, s = q.shape[2], k.shape[2]
        causal = torch.ones((t, s), dtype=torch.bool,
                            device=q.device).tril()
        keep = causal if keep is None else keep & causal
    if bias is None and keep is None and not attn_logits_soft_cap:
        out = F.scaled_dot_product_attention(q, k, v, scale=scale)
    elif not attn_logits_soft_cap:
        additive = torch.zeros((), dtype=q.dtype, device=q.device)
        if bias is not None:
            additive = convert_to_tensor(bias, q.dtype, q.device)
        if keep is not None:
            low = torch.finfo(q.dtype).min / 2
            additive = torch.where(keep, additive, low)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=additive,
                                             scale=scale)
    else:
        logits = torch.matmul(q, k.transpose(-1, -2)) * scale
        cap = float(attn_logits_soft_cap)
        logits = torch.tanh(logits / cap) * cap
        if bias is not None:
            logits = logits + convert_to_tensor(bias, q.dtype, q.device)
        if keep is not None:
            logits = torch.where(keep, logits, torch.finfo(q.dtype).min / 2)
        out = torch.matmul(torch.softmax(logits, dim=-1), v)
    out = out.transpose(1, 2)
    return out[0] if unbatched else out


# --------------------------------------------------------------------------
# Losses.


def _get_logits(output, from_logits, activation, name):
    """Uses the logits a softmax/sigmoid output carries, as Keras does."""
    logits = getattr(output, "_keras_logits", None)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(
            f"`{name}` received `from_logits=True`, but the `output` "
            f"argument was produced by a {activation} activation and thus "
            "does not represent logits. Was this intended?",
            stacklevel=3,
        )
        return output, True
    return logits.to(output.dtype), True


def _same_shape(target, output, name):
    if target.shape != output.shape:
        raise ValueError(
            f"In `{name}`, `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, "
            f"output.shape={tuple(output.shape)}"
        )


@keras_op()
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy.

    Probabilities are clipped to ``[eps, 1 - eps]`` and the logs taken of
    ``p + eps`` and ``1 - p + eps``, as tf.keras does; logits use torch's
    fused ``binary_cross_entropy_with_logits``.
    """
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(
        output, from_logits, "Sigmoid", "binary_crossentropy"
    )
    target = convert_to_tensor(target, output.dtype, output.device)
    _same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return F.binary_cross_entropy_with_logits(
            output, target, reduction="none"
        )
    eps = backend_config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    bce = target * torch.log(output + eps)
    bce = bce + (1.0 - target) * torch.log(1.0 - output + eps)
    return -bce


@keras_op()
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) targets and predictions.

    Probabilities are renormalised along ``axis`` and clipped to
    ``[eps, 1 - eps]``; logits go through torch's fused ``cross_entropy``.
    """
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(
        output, from_logits, "Softmax", "categorical_crossentropy"
    )
    target = convert_to_tensor(target, output.dtype, output.device)
    _same_shape(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError(
            "In `categorical_crossentropy`, `target` and `output` must be at "
            f"least rank 1. Received: output.shape={tuple(output.shape)}"
        )
    if from_logits:
        if output.ndim == 1:
            return F.cross_entropy(output, target, reduction="none")
        return F.cross_entropy(
            output.movedim(axis, 1),
            target.movedim(axis, 1),
            reduction="none",
        )
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = backend_config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -torch.sum(target * torch.log(output), dim=axis)


def _sparse_target(target, output, axis):
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError(
            "In `sparse_categorical_crossentropy`, `target` must hold one "
            "integer class index per prediction: its shape must equal "
            "`output.shape` without the class axis "
            f"({tuple(expected)}), or that plus a trailing 1. For one-hot "
            "targets use `categorical_crossentropy`. Received: "
            f"target.shape={tuple(target.shape)}, "
            f"output.shape={tuple(output.shape)}"
        )
    return target.long()


def _log_prob_of_labels(log_p, labels, where):
    """``log_p[..., labels]`` along the last axis; a label outside
    ``[0, classes)`` is a ValueError naming ``where`` (torch reports it
    on the CPU)."""
    try:
        return torch.gather(log_p, -1, labels.unsqueeze(-1)).squeeze(-1)
    except RuntimeError as e:
        if "out of bounds" not in str(e):
            raise
        classes = log_p.shape[-1]
        bad = labels[(labels < 0) | (labels >= classes)]
        raise ValueError(
            f"In `{where}`, every label must be an integer in "
            f"[0, {classes}) (the number of classes of the predictions). "
            f"Received labels outside that range, e.g. {bad[:5].tolist()}"
        ) from e


@keras_op()
def sparse_categorical_crossentropy(
    target, output, from_logits=False, axis=-1, ignore_index=None
):
    """Crossentropy between integer targets and predictions.

    Runs torch's fused ``cross_entropy`` (logits) or ``nll_loss`` on the
    log of the renormalised, clipped probabilities. Entries whose target is
    ``ignore_index`` (none by default, as in Keras; torch's kernels would
    skip -100 silently) get a loss of 0. Out-of-range targets raise a
    ``ValueError`` where torch reports them (on the CPU).
    """
    if ignore_index is None:
        ignore_index = torch.iinfo(torch.int64).max  # no label matches
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(
        output, from_logits, "Softmax", "sparse_categorical_crossentropy"
    )
    if output.ndim < 1:
        raise ValueError(
            "In `sparse_categorical_crossentropy`, `output` must be at "
            f"least rank 1. Received: output.shape={tuple(output.shape)}"
        )
    target = _sparse_target(
        convert_to_tensor(target, device=output.device), output, axis
    )
    if not from_logits:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = backend_config.epsilon()
        output = torch.log(torch.clamp(output, eps, 1.0 - eps))
    if output.ndim > 1:
        output = output.movedim(axis, 1)
    kernel = F.cross_entropy if from_logits else F.nll_loss
    try:
        return kernel(
            output, target, reduction="none", ignore_index=ignore_index
        )
    except (IndexError, RuntimeError) as e:
        if "out of bounds" not in str(e):
            raise
        num_classes = output.shape[1 if output.ndim > 1 else 0]
        raise ValueError(
            "In `sparse_categorical_crossentropy`, every label must be an "
            f"integer in [0, {num_classes}) (the number of classes of "
            f"`output`). Received: {e}"
        ) from e


def _ctc_float(x):
    x = convert_to_tensor(x)
    if not x.is_floating_point() or x.dtype in _LOW_PRECISION:
        x = x.float()
    return x


@keras_op()
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss with Keras 3 conventions.

    Args:
        target: `(batch, max_label_length)` integer labels.
        output: `(batch, max_length, num_classes)` logits.
        target_length: `(batch,)` label lengths.
        output_length: `(batch,)` valid time steps.
        mask_index: index of the blank class. Defaults to `0`.

    Returns:
        `(batch,)` per-sample losses.
    """
    output = _ctc_float(output)
    if output.ndim != 3:
        raise ValueError(
            "`output` must have shape (batch_size, max_length, "
            f"num_classes). Received: output.shape={tuple(output.shape)}"
        )
    batch_size = output.shape[0]
    return backend_ctc.ctc_nll(
        F.log_softmax(output, dim=-1),
        target,
        backend_ctc.as_lengths(target_length, "target_length", batch_size),
        backend_ctc.as_lengths(output_length, "output_length", batch_size),
        blank=mask_index,
        name="ctc_loss",
    )


@keras_op()
def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    """Decodes CTC logits with Keras 3 conventions.

    Args:
        inputs: `(batch, max_length, num_classes)` logits.
        sequence_lengths: `(batch,)` valid time steps.
        strategy: `"greedy"` or `"beam_search"`.
        beam_width: beam width for `"beam_search"`.
        top_paths: number of decodings for `"beam_search"`.
        merge_repeated: whether greedy decoding merges repeated classes
            (beam search always scores label prefixes, as tf's v2 op).
        mask_index: index of the blank class (`None`: the last one).

    Returns:
        `(decoded, scores)`: int32 `(1, batch, max_length)` for greedy or
        `(top_paths, batch, max_length)` for beam search, padded with -1;
        scores `(batch, 1)` (minus the summed best logits) for greedy,
        `(batch, top_paths)` path log-probabilities for beam search.
    """
    inputs = _ctc_float(inputs)
    batch_size, _, num_classes = inputs.shape
    lengths = backend_ctc.as_lengths(
        sequence_lengths, "sequence_lengths", batch_size
    )
    blank = num_classes - 1 if mask_index is None else mask_index % num_classes
    if strategy == "greedy":
        decoded, scores = backend_ctc.greedy_decode(
            inputs, lengths, blank, merge_repeated=merge_repeated
        )
        return decoded[None].int(), scores
    if strategy == "beam_search":
        log_probs = F.log_softmax(inputs, dim=-1).detach().cpu().numpy()
        decoded, scores = backend_ctc.beam_search_decode(
            log_probs, lengths.cpu().numpy(), blank, beam_width, top_paths
        )
        decoded = torch.as_tensor(np.stack(decoded), device=inputs.device)
        return decoded.int(), torch.as_tensor(
            scores, dtype=inputs.dtype, device=inputs.device
        )
    raise ValueError(
        f"Invalid strategy {strategy!r}. Supported values are 'greedy' and "
        f"'beam_search'. Received: strategy={strategy!r}"
    )
