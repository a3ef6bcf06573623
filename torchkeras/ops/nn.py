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
    """Rectified linear unit: `max(x, 0)` element-wise.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the shape and dtype of `x`.

    Examples:
        >>> keras.ops.relu([-1.0, 0.0, 2.0])
        tensor([0., 0., 2.])
    """
    return torch.relu(convert_to_tensor(x))


@keras_op(tf=("nn.relu6", ("features",)))
def relu6(x):
    """Rectified linear unit capped at 6: `min(max(x, 0), 6)` element-wise.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the shape and dtype of `x`.

    Examples:
        >>> keras.ops.relu6([-1.0, 3.0, 8.0])
        tensor([0., 3., 6.])
    """
    x = convert_to_tensor(x)
    return torch.clamp(x, 0, 6) if not x.is_floating_point() else F.relu6(x)


@keras_op(tf=("math.sigmoid", ("x",)))
def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))` element-wise.

    Integer inputs are computed in `floatx`.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`, with values in `(0, 1)`.

    Examples:
        >>> keras.ops.sigmoid([-1.0, 0.0, 1.0])
        tensor([0.2689, 0.5000, 0.7311])
    """
    return torch.sigmoid(_float(x))


@keras_op()
def sparse_sigmoid(x):
    """Piecewise-linear sigmoid: 0 below -1, 1 above 1, `(x + 1) / 2` between.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`, with values in `[0, 1]`.

    Examples:
        >>> keras.ops.sparse_sigmoid([-2.0, 0.0, 0.5, 2.0])
        tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    return torch.clamp(0.5 * (_float(x) + 1.0), 0.0, 1.0)


@keras_op(tf=("math.softplus", ("features",)))
def softplus(x):
    """Softplus `log(1 + exp(x))` element-wise, computed stably for large `x`.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.softplus([0.0, 1.0])
        tensor([0.6931, 1.3133])
    """
    x = _float(x)
    return torch.logaddexp(x, torch.zeros_like(x))


@keras_op(tf=("nn.softsign", ("features",)))
def softsign(x):
    """Softsign `x / (1 + |x|)` element-wise.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`, with values in `(-1, 1)`.

    Examples:
        >>> keras.ops.softsign([-1.0, 0.0, 3.0])
        tensor([-0.5000,  0.0000,  0.7500])
    """
    return F.softsign(_float(x))


@keras_op()
def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: moves `x` toward 0 by `threshold`, clamping at 0.

    `x - threshold` above `threshold`, `x + threshold` below `-threshold`, 0
    in between.

    Args:
        x: Input tensor.
        threshold: The non-negative shrinkage amount.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.soft_shrink([-1.0, 0.2, 2.0])
        tensor([-0.5000,  0.0000,  1.5000])
    """
    return F.softshrink(_float(x), threshold)


@keras_op()
def sparse_plus(x):
    """Smooth ReLU: 0 below -1, `x` above 1, `(x + 1)**2 / 4` between.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.sparse_plus([-2.0, 0.0, 0.5, 2.0])
        tensor([0.0000, 0.2500, 0.5625, 2.0000])
    """
    x = _float(x)
    middle = 0.25 * torch.square(x + 1.0)
    return torch.where(x <= -1.0, torch.zeros_like(x),
                       torch.where(x >= 1.0, x, middle))


@keras_op(tf=("nn.silu", ("features",)))
def silu(x):
    """Sigmoid linear unit `x * sigmoid(x)` element-wise (the same as `swish`).

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.silu([0.0, 1.0])
        tensor([0.0000, 0.7311])
    """
    return F.silu(_float(x))


@keras_op(tf=("nn.swish", ("features",)))
def swish(x):
    """Swish activation `x * sigmoid(x)` element-wise (the same as `silu`).

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.swish([0.0, 1.0])
        tensor([0.0000, 0.7311])
    """
    return F.silu(_float(x))


@keras_op()
def squareplus(x, b=4):
    """Squareplus activation `(x + sqrt(x**2 + b)) / 2`, a smooth ReLU.

    Args:
        x: Input tensor.
        b: Non-negative smoothness constant; `b=0` gives ReLU.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.squareplus([0.0, 1.0])
        tensor([1.0000, 1.6180])
    """
    x = _float(x)
    return 0.5 * (x + torch.sqrt(torch.square(x) + b))


@keras_op(tf=("math.log_sigmoid", ("x",)))
def log_sigmoid(x):
    """Logarithm of the sigmoid, `-softplus(-x)`, element-wise.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`, with values below 0.

    Examples:
        >>> keras.ops.log_sigmoid([0.0])
        tensor([-0.6931])
    """
    return F.logsigmoid(_float(x))


@keras_op(tf=("nn.leaky_relu", ("features", "alpha")))
def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` for positive values, `negative_slope * x` otherwise.

    Args:
        x: Input tensor.
        negative_slope: Slope used for negative inputs.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.leaky_relu([-2.0, 3.0])
        tensor([-0.4000,  3.0000])
    """
    return F.leaky_relu(_float(x), negative_slope)


@keras_op()
def hard_sigmoid(x):
    """Piecewise-linear sigmoid `relu6(x + 3) / 6` element-wise.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`, with values in `[0, 1]`.

    Examples:
        >>> keras.ops.hard_sigmoid([-4.0, 0.0, 1.5, 4.0])
        tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    return F.hardsigmoid(_float(x))


@keras_op()
def hard_silu(x):
    """Hard SiLU `x * hard_sigmoid(x)` element-wise (the same as `hard_swish`).

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.hard_silu([0.0, 1.5, 3.0])
        tensor([0.0000, 1.1250, 3.0000])
    """
    return F.hardswish(_float(x))


@keras_op()
def hard_swish(x):
    """Hard swish `x * relu6(x + 3) / 6` element-wise (the same as `hard_silu`).

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.hard_swish([0.0, 1.5, 3.0])
        tensor([0.0000, 1.1250, 3.0000])
    """
    return F.hardswish(_float(x))


@keras_op()
def hard_tanh(x):
    """Hard tanh: `x` clipped to `[-1, 1]`.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.hard_tanh([-2.0, 0.5, 2.0])
        tensor([-1.0000,  0.5000,  1.0000])
    """
    return F.hardtanh(_float(x))


@keras_op()
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.elu([-1.0, 2.0])
        tensor([-0.6321,  2.0000])
    """
    return F.elu(_float(x), alpha)


@keras_op(tf=("nn.selu", ("features",)))
def selu(x):
    """Scaled exponential linear unit `scale * elu(x, alpha)`, fixed constants.

    The constants are `alpha = 1.67326...` and `scale = 1.05070...`.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.selu([0.0, 1.0])
        tensor([0.0000, 1.0507])
    """
    return F.selu(_float(x))


@keras_op(tf=("nn.gelu", ("features", "approximate")))
def gelu(x, approximate=True):
    """Gaussian error linear unit `x * Phi(x)`, `Phi` the standard normal CDF.

    Args:
        x: Input tensor.
        approximate: Whether to use the tanh approximation instead of the
            exact `erf` form.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.gelu([0.0, 1.0])
        tensor([0.0000, 0.8412])
        >>> keras.ops.gelu([0.0, 1.0], approximate=False)
        tensor([0.0000, 0.8413])
    """
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


@keras_op()
def celu(x, alpha=1.0):
    """Continuously differentiable exponential linear unit (CELU) element-wise.

    Computes `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part (must not be 0).

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.celu([-1.0, 2.0])
        tensor([-0.6321,  2.0000])
    """
    return F.celu(_float(x), alpha)


@keras_op()
def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)`, `a` and `b` the two halves of `x`.

    `x` is split in two equal halves along `axis`.

    Args:
        x: Input tensor; its size along `axis` must be even.
        axis: The axis to split.

    Returns:
        A float tensor with half the size of `x` along `axis`.

    Examples:
        >>> keras.ops.glu([1.0, 2.0, 0.0, 0.0])
        tensor([0.5000, 1.0000])
    """
    x = _float(x)
    if x.shape[axis] % 2:
        raise ValueError(
            "`glu` expects an even size along `axis`. Received: "
            f"x.shape={tuple(x.shape)}, axis={axis}")
    return F.glu(x, dim=axis)


@keras_op()
def tanh_shrink(x):
    """Tanh shrink `x - tanh(x)` element-wise.

    Args:
        x: Input tensor.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.tanh_shrink([0.0, 1.0])
        tensor([0.0000, 0.2384])
    """
    return F.tanhshrink(_float(x))


@keras_op()
def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: `x` where `|x| > threshold`, 0 elsewhere.

    Args:
        x: Input tensor.
        threshold: The non-negative cutoff.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.hard_shrink([-1.0, 0.2, 2.0])
        tensor([-1.,  0.,  2.])
    """
    return F.hardshrink(_float(x), threshold)


@keras_op()
def threshold(x, threshold, default_value):
    """Keeps `x` where `x > threshold`, and puts `default_value` elsewhere.

    Args:
        x: Input tensor.
        threshold: Values at or below it are replaced.
        default_value: The replacement value.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.threshold([-1.0, 0.5, 2.0], 1.0, 0.0)
        tensor([0., 0., 2.])
    """
    return F.threshold(_float(x), threshold, default_value)


def _axes(axis, ndim):
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


@keras_op(tf=("nn.softmax", ("logits", "axis")))
def softmax(x, axis=-1):
    """Softmax `exp(x) / sum(exp(x))` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis, or tuple of axes, to normalize over.

    Returns:
        A float tensor of the shape of `x`, summing to 1 along `axis`.

    Examples:
        >>> keras.ops.softmax([[0.0, 0.0], [0.0, np.log(3.0)]])
        tensor([[0.5000, 0.5000],
                [0.2500, 0.7500]])
    """
    x = _float(x)
    if isinstance(axis, (list, tuple)):
        dims = _axes(axis, x.ndim)
        return torch.exp(x - torch.logsumexp(x, dim=dims, keepdim=True))
    return F.softmax(x, dim=axis)


@keras_op(tf=("nn.log_softmax", ("logits", "axis")))
def log_softmax(x, axis=-1):
    """Logarithm of the softmax, `x - logsumexp(x)`, along `axis`.

    Args:
        x: Input tensor.
        axis: Axis, or tuple of axes, to normalize over.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.log_softmax([0.0, 0.0])
        tensor([-0.6931, -0.6931])
    """
    x = _float(x)
    if isinstance(axis, (list, tuple)):
        dims = _axes(axis, x.ndim)
        return x - torch.logsumexp(x, dim=dims, keepdim=True)
    return F.log_softmax(x, dim=axis)


@keras_op()
def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex.

    Like softmax its outputs along `axis` are non-negative and sum to 1, but
    small entries become exactly 0.

    Args:
        x: Input tensor.
        axis: The axis to normalize over.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.sparsemax([0.0, -0.5, -3.0])
        tensor([0.7500, 0.2500, 0.0000])
    """
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
    """The complex number with magnitude `abs_` and phase `angle`.

    Computes `abs_ * (cos(angle) + 1j * sin(angle))`.

    Args:
        abs_: Magnitudes (a real tensor).
        angle: Phases in radians (a real tensor broadcastable with `abs_`).

    Returns:
        A complex tensor.

    Examples:
        >>> keras.ops.polar([1.0, 2.0], [0.0, 0.0])
        tensor([1.+0.j, 2.+0.j])
    """
    abs_, angle = _promote(abs_, angle)
    return torch.polar(abs_, angle)


# --------------------------------------------------------------------------
# Encodings.


@keras_op()
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encodes the integer tensor `x` into `num_classes` classes.

    Entries that are negative (or not below `num_classes`) give a row of
    zeros.

    Args:
        x: Integer tensor of class indices.
        num_classes: Number of classes (the size of the new axis).
        axis: Where the new class axis goes.
        dtype: Dtype of the result; `None` means `backend.floatx()`.
        sparse: Must be `False`: torch results are dense.

    Returns:
        A tensor with one more axis than `x`.

    Examples:
        >>> keras.ops.one_hot([0, 2, -1], 3)
        tensor([[1., 0., 0.],
                [0., 0., 1.],
                [0., 0., 0.]])
    """
    _dense_only("one_hot", sparse)
    x = convert_to_tensor(x).long()
    out = F.one_hot(x.clamp(min=0), num_classes) * (x >= 0)[..., None]
    dtype = dtype or backend_config.floatx()
    return out.to(backend_config.to_torch_dtype(dtype)).movedim(-1, axis)


@keras_op()
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False,
              **kwargs):
    """Multi-hot encodes integer `inputs`: a row of `num_classes` per sample.

    A 2D input is a batch (one row per sample); a 1D input is one sample.

    Args:
        inputs: Integer tensor of class indices.
        num_classes: Number of classes (the size of the encoding); also read
            from the keyword `num_tokens`.
        axis: Where the class axis goes.
        dtype: Dtype of the result; `None` means `backend.floatx()`.
        sparse: Must be `False`: torch results are dense.
        **kwargs: Only `num_tokens`, the older name of `num_classes`.

    Returns:
        A tensor of shape `(batch, num_classes)` (or `(num_classes,)`).

    Examples:
        >>> keras.ops.multi_hot([[0, 2], [1, 1]], num_classes=3)
        tensor([[1., 0., 1.],
                [0., 1., 0.]])
    """
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
    """N-D convolution of `inputs` with a Keras-layout `kernel`.

    The kernel has shape `(*spatial, in_channels / groups, out_channels)`:
    when the input has a multiple of the kernel's input channels, the
    convolution is grouped. `"same"` padding pads as TensorFlow does (the odd
    pixel at the end).

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        kernel: Convolution kernel, `(*spatial, in_channels / groups,
            out_channels)`.
        strides: Int or tuple of ints: the stride along each spatial axis.
        padding: `"valid"` (no padding) or `"same"` (output size
            `ceil(input / stride)`).
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.
        dilation_rate: Int or tuple of ints: the dilation along each spatial
            axis.

    Returns:
        A tensor of rank of `inputs` with `out_channels` channels.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(1.0, 5.0), (1, 4, 1))
        >>> kernel = keras.ops.ones((2, 1, 1))
        >>> keras.ops.conv(x, kernel)[0, :, 0]
        tensor([3., 5., 7.])
        >>> keras.ops.conv(x, kernel, padding="same")[0, :, 0]
        tensor([3., 5., 7., 4.])
    """
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
    """Depthwise N-D convolution: each input channel has its own filters.

    The kernel has shape `(*spatial, in_channels, multiplier)`; the output has
    `in_channels * multiplier` channels.

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        kernel: Depthwise kernel, `(*spatial, in_channels, multiplier)`.
        strides: Int or tuple of ints: the stride along each spatial axis.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.
        dilation_rate: Int or tuple of ints: the dilation along each spatial
            axis.

    Returns:
        A tensor of the rank of `inputs`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(1.0, 7.0), (1, 3, 2))
        >>> kernel = keras.ops.reshape(keras.ops.convert_to_tensor(
        ...     [1.0, 10.0, 1.0, 10.0]), (2, 2, 1))
        >>> keras.ops.depthwise_conv(x, kernel)[0]
        tensor([[  4.,  60.],
                [  8., 100.]])
    """
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
    """Separable N-D convolution: a depthwise, then a pointwise convolution.

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        depthwise_kernel: Depthwise kernel, `(*spatial, in_channels,
            multiplier)`.
        pointwise_kernel: Pointwise kernel, `(*(1,) * spatial_rank,
            in_channels * multiplier, out_channels)`.
        strides: Int or tuple of ints: the depthwise stride along each spatial
            axis.
        padding: `"valid"` or `"same"` (for the depthwise step).
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.
        dilation_rate: Int or tuple of ints: the depthwise dilation.

    Returns:
        A tensor of the rank of `inputs` with `out_channels` channels.

    Examples:
        >>> x = keras.ops.ones((1, 4, 2))
        >>> depthwise = keras.ops.ones((2, 2, 1))
        >>> pointwise = keras.ops.ones((1, 2, 3))
        >>> keras.ops.separable_conv(x, depthwise, pointwise)[0]
        tensor([[4., 4., 4.],
                [4., 4., 4.],
                [4., 4., 4.]])
    """
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
    """N-D transposed convolution (the input gradient of `conv`).

    The kernel has shape `(*spatial, out_channels, in_channels)`. The output
    size follows Keras's rule for `padding` and `output_padding`.

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        kernel: Kernel, `(*spatial, out_channels, in_channels)`.
        strides: Int or tuple of ints: the stride along each spatial axis.
        padding: `"valid"` or `"same"`.
        output_padding: Int or tuple of ints: extra size added to one side of
            each spatial axis of the output (each less than the stride);
            `None` infers it.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.
        dilation_rate: Int or tuple of ints: the dilation along each spatial
            axis.

    Returns:
        A tensor of the rank of `inputs` with `out_channels` channels.

    Examples:
        >>> x = keras.ops.ones((1, 2, 1))
        >>> kernel = keras.ops.ones((2, 1, 1))
        >>> keras.ops.conv_transpose(x, kernel)[0, :, 0]
        tensor([1., 2., 1.])
        >>> keras.ops.conv_transpose(x, kernel, strides=2)[0, :, 0]
        tensor([1., 1., 1., 1.])
    """
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
    """N-D max pooling over windows of `pool_size`.

    With `"same"` padding the windows at the border see only the real
    values (the padding never wins the max).

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        pool_size: Int or tuple of ints: the window size.
        strides: Int or tuple of ints; `None` uses `pool_size`.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A float tensor of the rank of `inputs`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(1.0, 6.0), (1, 5, 1))
        >>> keras.ops.max_pool(x, 2)[0, :, 0]
        tensor([2., 4.])
        >>> keras.ops.max_pool(x, 2, padding="same")[0, :, 0]
        tensor([2., 4., 5.])
    """
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
    """N-D average pooling over windows of `pool_size`.

    With `"same"` padding each window averages only its real values, as
    TensorFlow does.

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        pool_size: Int or tuple of ints: the window size.
        strides: Int or tuple of ints; `None` uses `pool_size`.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A float tensor of the rank of `inputs`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(1.0, 6.0), (1, 5, 1))
        >>> keras.ops.average_pool(x, 2)[0, :, 0]
        tensor([1.5000, 3.5000])
        >>> keras.ops.average_pool(x, 2, padding="same")[0, :, 0]
        tensor([1.5000, 3.5000, 5.0000])
    """
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
    """Average pooling to a fixed output size, whatever the input size.

    The windows are chosen (as torch's adaptive pooling does) to cover the
    input evenly with `output_size` windows per spatial axis.

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        output_size: Int or tuple of ints: the output spatial size.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A float tensor with spatial size `output_size`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(16.0), (1, 4, 4, 1))
        >>> keras.ops.adaptive_average_pool(x, 2)[0, :, :, 0]
        tensor([[ 2.5000,  4.5000],
                [10.5000, 12.5000]])
    """
    return _adaptive_pool(
        "adaptive_average_pool", (F.adaptive_avg_pool1d,
                                  F.adaptive_avg_pool2d,
                                  F.adaptive_avg_pool3d),
        inputs, output_size, data_format)


@keras_op()
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed output size, whatever the input size.

    The windows are chosen (as torch's adaptive pooling does) to cover the
    input evenly with `output_size` windows per spatial axis.

    Args:
        inputs: Tensor of rank 3, 4 or 5: `(batch, *spatial, channels)` for
            `"channels_last"`, `(batch, channels, *spatial)` for
            `"channels_first"`.
        output_size: Int or tuple of ints: the output spatial size.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A float tensor with spatial size `output_size`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(16.0), (1, 4, 4, 1))
        >>> keras.ops.adaptive_max_pool(x, 2)[0, :, :, 0]
        tensor([[ 5.,  7.],
                [13., 15.]])
    """
    return _adaptive_pool(
        "adaptive_max_pool", (F.adaptive_max_pool1d, F.adaptive_max_pool2d,
                              F.adaptive_max_pool3d),
        inputs, output_size, data_format)


@keras_op()
def depth_to_space(x, block_size, data_format="channels_last"):
    """Rearranges channels into `block_size` x `block_size` spatial blocks.

    The inverse of `space_to_depth`: a 4D input `(batch, height, width,
    channels)` becomes `(batch, height * block_size, width * block_size,
    channels / block_size**2)` (channels-last).

    Args:
        x: 4D input tensor.
        block_size: Size of the spatial blocks; the channels must be a
            multiple of its square.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A 4D tensor.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(4), (1, 1, 1, 4))
        >>> keras.ops.depth_to_space(x, 2)[0, :, :, 0]
        tensor([[0, 1],
                [2, 3]], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    if _data_format(data_format) == "channels_first":
        return F.pixel_shuffle(x, block_size)
    n, h, w, c = x.shape
    b = block_size
    x = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h * b, w * b, c // (b * b))


@keras_op()
def space_to_depth(x, block_size, data_format="channels_last"):
    """Rearranges `block_size` x `block_size` spatial blocks into channels.

    The inverse of `depth_to_space`: a 4D input `(batch, height, width,
    channels)` becomes `(batch, height / block_size, width / block_size,
    channels * block_size**2)` (channels-last).

    Args:
        x: 4D input tensor; height and width must be multiples of
            `block_size`.
        block_size: Size of the spatial blocks.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A 4D tensor.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(4), (1, 2, 2, 1))
        >>> keras.ops.space_to_depth(x, 2)[0, 0, 0]
        tensor([0, 1, 2, 3], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    if _data_format(data_format) == "channels_first":
        return F.pixel_unshuffle(x, block_size)
    n, h, w, c = x.shape
    b = block_size
    x = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h // b, w // b, c * b * b)


@keras_op()
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a channels-first image batch as columns (im2col).

    An input `(N, C, H, W)` gives `(N, C * kh * kw, L)`, `L` the number of
    block positions; each column holds one flattened block.

    Args:
        x: 4D input tensor `(N, C, H, W)`.
        kernel_size: Int or pair of ints: the block size.
        dilation: Int or pair of ints: spacing between block elements.
        padding: Int or pair of ints: zero padding added to both sides.
        stride: Int or pair of ints: step between blocks.

    Returns:
        A 3D tensor `(N, C * kh * kw, L)`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(9.0), (1, 1, 3, 3))
        >>> keras.ops.unfold(x, 2)[0]
        tensor([[0., 1., 3., 4.],
                [1., 2., 4., 5.],
                [3., 4., 6., 7.],
                [4., 5., 7., 8.]])
    """
    return F.unfold(convert_to_tensor(x), kernel_size, dilation, padding,
                    stride)


@keras_op()
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums sliding blocks back into a channels-first image batch (col2im).

    The inverse layout of `unfold`: an input `(N, C * kh * kw, L)` gives
    `(N, C, *output_size)`; values of overlapping blocks are added.

    Args:
        x: 3D input tensor `(N, C * kh * kw, L)`.
        output_size: Int or pair of ints: the spatial size of the output.
        kernel_size: Int or pair of ints: the block size.
        dilation: Int or pair of ints: spacing between block elements.
        padding: Int or pair of ints: zero padding that `unfold` added.
        stride: Int or pair of ints: step between blocks.

    Returns:
        A 4D tensor `(N, C, *output_size)`.

    Examples:
        >>> keras.ops.fold(keras.ops.ones((1, 4, 4)), (3, 3), 2)[0, 0]
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    return F.fold(convert_to_tensor(x), output_size, kernel_size, dilation,
                  padding, stride)


# --------------------------------------------------------------------------
# Normalization and statistics.


@keras_op()
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of `x` over `axes`.

    The variance is the population variance (divided by the count).
    `float16`/`bfloat16` inputs are computed in `float32` and clipped to the
    `float16` range.

    Args:
        x: Input tensor.
        axes: Axis or list of axes to reduce.
        keepdims: Whether to keep the reduced axes with size 1.
        synchronized: Accepted for Keras compatibility (cross-replica
            statistics); a single process computes local statistics.

    Returns:
        A tuple `(mean, variance)`.

    Examples:
        >>> keras.ops.moments([1.0, 2.0, 3.0, 4.0], axes=0)
        (tensor(2.5000), tensor(1.2500))
    """
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
    """Normalizes `x` with given per-channel mean and variance.

    Computes `(x - mean) / sqrt(variance + epsilon)`, then multiplies by
    `scale` and adds `offset` when they are given. The 1D statistics and
    parameters lie along `axis`.

    Args:
        x: Input tensor.
        mean: 1D tensor of means, one per entry of `axis`.
        variance: 1D tensor of variances, one per entry of `axis`.
        axis: The axis of `x` the statistics belong to (usually the channels).
        offset: Optional 1D tensor added after scaling.
        scale: Optional 1D tensor multiplying the normalized values.
        epsilon: Small value added to the variance.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.ops.batch_normalization(x, mean=[2.0, 3.0],
        ...                               variance=[1.0, 1.0], axis=-1,
        ...                               epsilon=0.0)
        tensor([[-1., -1.],
                [ 1.,  1.]])
    """
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
    """Normalizes `x` over `axis` with its own mean and variance.

    Computes `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, the
    statistics taken over `axis`.

    Args:
        x: Input tensor.
        gamma: Optional scale, of the shape of the normalized axes.
        beta: Optional offset, of the shape of the normalized axes.
        axis: Axis or list of axes to normalize over.
        epsilon: Small value added to the variance; `None` means
            `backend.epsilon()`.
        **kwargs: Accepted for Keras compatibility and ignored.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.layer_normalization([[1.0, 3.0]], epsilon=0.0)
        tensor([[-1.,  1.]])
    """
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
    """Root-mean-square normalization of `x` over `axis`.

    Computes `x / sqrt(mean(x**2) + epsilon)`, then multiplies by `scale`
    when it is given.

    Args:
        x: Input tensor.
        scale: Optional scale, of the shape of the normalized axes.
        axis: Axis or list of axes to normalize over.
        epsilon: Small value added to the mean square; `None` means
            `backend.epsilon()`.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.rms_normalization([[3.0, 4.0]], epsilon=0.0)
        tensor([[0.8485, 1.1314]])
    """
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
    """Scales `x` to unit Lp norm along `axis`.

    For `order=2`, `x * min(1 / sqrt(sum(x**2)), 1 / epsilon)`; for other
    orders `x / max(norm, epsilon)`.

    Args:
        x: Input tensor.
        axis: The axis to normalize along.
        order: The norm's order `p`, an int >= 1.
        epsilon: Lower bound of the norm; `None` means `backend.epsilon()`.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.normalize([3.0, 4.0])
        tensor([0.6000, 0.8000])
        >>> keras.ops.normalize([3.0, 4.0], order=1)
        tensor([0.4286, 0.5714])
    """
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
    """Peak signal-to-noise ratio between two signals, in decibels.

    Computes `20 * log10(max_val) - 10 * log10(mean((x1 - x2)**2))` over all
    the elements.

    Args:
        x1: First signal or image batch.
        x2: Second signal, of the shape of `x1`.
        max_val: The largest possible value of the signals (e.g. 1.0 or 255).

    Returns:
        A scalar tensor.

    Examples:
        >>> x1 = keras.ops.zeros((4,))
        >>> x2 = keras.ops.full((4,), 0.1)
        >>> keras.ops.round(keras.ops.psnr(x1, x2, max_val=1.0))
        tensor(20.)
    """
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
    """Scaled dot-product attention, Keras's `(batch, seq, heads, dim)` layout.

    Computes `softmax(query @ key^T * scale + bias) @ value` per head. `key`
    and `value` may have fewer heads than `query` (grouped-query attention).
    Runs torch's `scaled_dot_product_attention`.

    Args:
        query: Tensor `(B, T, N, H)` (or `(T, N, H)` without a batch).
        key: Tensor `(B, S, K, H)`, `N` a multiple of `K`.
        value: Tensor `(B, S, K, H)`.
        bias: Optional tensor added to the attention logits (broadcastable to
            `(B, N, T, S)`).
        mask: Optional boolean tensor broadcastable to `(B, N, T, S)`; the
            `True` entries take part in the attention.
        scale: Scale of the logits; `None` means `1 / sqrt(H)`.
        is_causal: Whether each query position attends only to key positions
            at or before it.
        flash_attention: Accepted for Keras compatibility; torch picks its
            kernel itself.
        attn_logits_soft_cap: Optional cap `c`: the logits become
            `c * tanh(logits / c)` before the softmax.

    Returns:
        A tensor of the shape of `query`.

    Examples:
        >>> q = k = keras.ops.zeros((1, 2, 1, 2))
        >>> v = keras.ops.reshape(keras.ops.arange(1.0, 5.0), (1, 2, 1, 2))
        >>> keras.ops.dot_product_attention(q, k, v)[0, :, 0]
        tensor([[2., 3.],
                [2., 3.]])
        >>> keras.ops.dot_product_attention(q, k, v, is_causal=True)[0, :, 0]
        tensor([[1., 2.],
                [2., 3.]])
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
    """Element-wise binary crossentropy between targets and predictions.

    Probabilities are clipped to `[epsilon, 1 - epsilon]` and the logs taken
    of `p + epsilon` and `1 - p + epsilon`, as tf.keras does (`epsilon` is
    `backend.epsilon()`); logits use torch's fused
    `binary_cross_entropy_with_logits`.

    Args:
        target: Tensor of targets in `[0, 1]`.
        output: Tensor of predictions (probabilities, or logits with
            `from_logits=True`), of the shape of `target`.
        from_logits: Whether `output` holds logits.

    Returns:
        A tensor of the shape of `target`: the loss per element.

    Examples:
        >>> keras.ops.binary_crossentropy([1.0, 0.0], [0.9, 0.2])
        tensor([0.1054, 0.2231])
        >>> keras.ops.binary_crossentropy([1.0, 0.0], [0.0, 0.0],
        ...                               from_logits=True)
        tensor([0.6931, 0.6931])
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
    """Crossentropy of one-hot (or soft) targets and predictions along `axis`.

    Probabilities are renormalized to sum to 1 along `axis` and clipped to
    `[epsilon, 1 - epsilon]`; logits use torch's fused `cross_entropy`.

    Args:
        target: Tensor of one-hot or soft targets.
        output: Tensor of predictions (probabilities, or logits with
            `from_logits=True`), of the shape of `target`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor with the class axis removed: the loss per sample.

    Examples:
        >>> keras.ops.categorical_crossentropy([[0.0, 1.0]], [[0.2, 0.8]])
        tensor([0.2231])
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
    """Crossentropy between integer class targets and predictions.

    Probabilities are renormalized along `axis` and clipped like
    `categorical_crossentropy`'s. An out-of-range target raises a
    `ValueError` (on the CPU).

    Args:
        target: Integer tensor of class indices, of the shape of `output`
            without the class axis (or with a trailing axis of size 1).
        output: Tensor of predictions (probabilities, or logits with
            `from_logits=True`).
        from_logits: Whether `output` holds logits.
        axis: The class axis of `output`.
        ignore_index: Optional target value whose entries get a loss of 0;
            `None` (the default) ignores no entry.

    Returns:
        A tensor of the shape of `target` (without a trailing 1): the loss per
        sample.

    Examples:
        >>> keras.ops.sparse_categorical_crossentropy([1, 0], [[0.2, 0.8],
        ...                                                    [0.5, 0.5]])
        tensor([0.2231, 0.6931])
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
    """Connectionist temporal classification (CTC) loss per sample.

    `output` holds logits (a log-softmax is applied over the classes).

    Args:
        target: Integer tensor `(batch, max_label_length)` of labels.
        output: Float tensor `(batch, max_length, num_classes)` of logits.
        target_length: Integer tensor `(batch,)`: the length of each label
            sequence.
        output_length: Integer tensor `(batch,)`: the number of valid time
            steps of each sample.
        mask_index: Index of the blank class.

    Returns:
        A tensor `(batch,)` of negative log-likelihoods.

    Examples:
        >>> logits = keras.ops.zeros((1, 2, 3))
        >>> keras.ops.ctc_loss([[1]], logits, [1], [2])
        tensor([1.0986])
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
    """Decodes CTC logits to label sequences, greedily or by beam search.

    Args:
        inputs: Float tensor `(batch, max_length, num_classes)` of logits.
        sequence_lengths: Integer tensor `(batch,)`: the number of valid time
            steps of each sample.
        strategy: `"greedy"` or `"beam_search"`.
        beam_width: Beam width for `"beam_search"`.
        top_paths: Number of decodings to return for `"beam_search"`.
        merge_repeated: Whether greedy decoding merges repeated classes (beam
            search always scores label prefixes, as TensorFlow's op does).
        mask_index: Index of the blank class; `None` means the last class.

    Returns:
        A tuple `(decoded, scores)`. `decoded` is int32 `(1, batch,
        max_length)` for greedy or `(top_paths, batch, max_length)` for beam
        search, padded with -1. `scores` is `(batch, 1)` (minus the summed best
        logits) for greedy, `(batch, top_paths)` path log-probabilities for
        beam search.

    Examples:
        >>> logits = keras.ops.one_hot([[1, 1, 0, 2]], 3)
        >>> keras.ops.ctc_decode(logits, [4])
        (tensor([[[ 1,  2, -1, -1]]], dtype=torch.int32), tensor([[-4.]]))
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
