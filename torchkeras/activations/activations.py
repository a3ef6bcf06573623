"""The built-in activation functions of ``keras.activations``.

Each function takes a tensor and returns a tensor of the same shape, with
Keras 3's argument names, defaults and formulas, computed by torch's fused
kernels (``torch.nn.functional``) wherever torch has one. Name lookup
(``get``, ``serialize``, ``deserialize``) lives in the package
``__init__``; the ``Activation``/``ReLU``/... layers live in ``layers``.
"""

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export


def _tensor(x):
    """Returns ``x`` as a torch tensor (lists and scalars become floatx)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        return torch.as_tensor(x)
    return torch.as_tensor(x, dtype=to_torch_dtype(floatx()))


def _axes(axis, ndim):
    """Normalizes an int, a tuple of ints or ``None`` to a tuple of dims."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        return (axis,)
    return tuple(int(a) for a in axis)


@keras_export("keras.activations.relu")
@keras_op("activations.relu", keras3=False)
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    """Rectified linear unit, with Keras's optional leak, cap and threshold.

    With default values this is ``max(x, 0)``. Otherwise it returns
    ``max_value`` for ``x >= max_value``, ``x`` for
    ``threshold < x < max_value`` and
    ``negative_slope * (x - threshold)`` below the threshold.

    Args:
        x: Input tensor.
        negative_slope: Slope for values lower than the threshold.
        max_value: The largest value the function returns (``None``: no cap).
        threshold: Values at or below it are damped or set to zero.
        alpha: The tf.keras 2 spelling of ``negative_slope``.

    Returns:
        A tensor with the shape and dtype of ``x``.

    Examples:
        >>> relu(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]), max_value=5.0)
        tensor([0., 0., 0., 5., 5.])
    """
    if alpha is not None:
        negative_slope = alpha
    x = _tensor(x)
    if negative_slope == 0.0 and threshold == 0.0:
        if max_value is None:
            return F.relu(x)
        if max_value == 6:
            return F.relu6(x)
        return torch.clamp(x, min=0.0, max=max_value)
    if max_value is None and threshold == 0.0:
        return F.leaky_relu(x, negative_slope=negative_slope)
    return _general_relu(x, negative_slope, max_value, threshold)


def _general_relu(x, negative_slope, max_value, threshold):
    """Keras's ``ReLU.static_call`` for a threshold or a leak with a cap."""
    negative_part = None
    if negative_slope != 0.0:
        negative_part = F.relu(threshold - x)
    if threshold != 0.0:
        # Keras multiplies by the mask (so -0.0 and -inf * 0 = nan survive).
        y = x * (x > threshold).to(x.dtype)
        if max_value is not None:
            y = torch.clamp(y, min=0.0, max=max_value)
    elif max_value == 6:
        y = F.relu6(x)
    elif max_value is not None:
        y = torch.clamp(x, min=0.0, max=max_value)
    else:
        y = F.relu(x)
    if negative_part is not None:
        y = y - negative_slope * negative_part
    return y


@keras_export("keras.activations.leaky_relu")
@keras_op("activations.leaky_relu", keras3=False)
def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` below.

    Args:
        x: Input tensor.
        negative_slope: Slope of the negative part (default 0.2).

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.leaky_relu(x)
        tensor([-0.4000, -0.2000,  0.0000,  1.0000,  2.0000])
    """
    return F.leaky_relu(_tensor(x), negative_slope=negative_slope)


@keras_export("keras.activations.relu6")
@keras_op("activations.relu6", keras3=False)
def relu6(x):
    """ReLU capped at 6: `min(max(x, 0), 6)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-1.0, 3.0, 8.0])
        >>> keras.activations.relu6(x)
        tensor([0., 3., 6.])
    """
    return F.relu6(_tensor(x))


@keras_export("keras.activations.elu")
@keras_op("activations.elu", keras3=False)
def elu(x, alpha=1.0):
    """Exponential linear unit.

    Returns `x` for `x > 0` and `alpha * (exp(x) - 1)` otherwise.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part; the value it tends to
            for large negative `x` is `-alpha`.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.elu(x)
        tensor([-0.8647, -0.6321,  0.0000,  1.0000,  2.0000])
    """
    return F.elu(_tensor(x), alpha=alpha)


@keras_export("keras.activations.selu")
@keras_op("activations.selu", keras3=False)
def selu(x):
    """Scaled exponential linear unit (SELU).

    Returns `scale * elu(x, alpha)` with the fixed constants
    `alpha = 1.67326324` and `scale = 1.05070098`, which keep the mean
    and variance of activations stable when the weights are initialized
    with `lecun_normal` (self-normalizing networks).

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.selu(x)
        tensor([-1.5202, -1.1113,  0.0000,  1.0507,  2.1014])
    """
    return F.selu(_tensor(x))


@keras_export("keras.activations.celu")
@keras_op("activations.celu", keras3=False)
def celu(x, alpha=1.0):
    """Continuously differentiable exponential linear unit (CELU).

    Computes `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part (default 1.0).

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.celu(x)
        tensor([-0.8647, -0.6321,  0.0000,  1.0000,  2.0000])
    """
    return F.celu(_tensor(x), alpha=alpha)


@keras_export("keras.activations.softplus")
@keras_op("activations.softplus", keras3=False)
def softplus(x):
    """Softplus: `log(exp(x) + 1)`, a smooth version of ReLU.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.softplus(x)
        tensor([0.1269, 0.3133, 0.6931, 1.3133, 2.1269])
    """
    return F.softplus(_tensor(x))


@keras_export("keras.activations.softsign")
@keras_op("activations.softsign", keras3=False)
def softsign(x):
    """Softsign: `x / (abs(x) + 1)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.softsign(x)
        tensor([-0.6667, -0.5000,  0.0000,  0.5000,  0.6667])
    """
    return F.softsign(_tensor(x))


@keras_export("keras.activations.squareplus")
@keras_op("activations.squareplus", keras3=False)
def squareplus(x, b=4):
    """Squareplus: `(x + sqrt(x ** 2 + b)) / 2`.

    A smooth, algebraic alternative to softplus.

    Args:
        x: Input tensor.
        b: Smoothness term (default 4); `b=0` gives ReLU.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.squareplus(x)
        tensor([0.4142, 0.6180, 1.0000, 1.6180, 2.4142])
    """
    x = _tensor(x)
    return (x + torch.sqrt(x * x + b)) / 2


@keras_export("keras.activations.soft_shrink")
@keras_op("activations.soft_shrink", keras3=False)
def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: moves `x` towards 0 by `threshold`.

    Returns `x - threshold` for `x > threshold`, `x + threshold` for
    `x < -threshold` and 0 in between.

    Args:
        x: Input tensor.
        threshold: Half-width of the interval mapped to 0 (default 0.5).

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.soft_shrink(x)
        tensor([-1.5000, -0.5000,  0.0000,  0.5000,  1.5000])
    """
    return F.softshrink(_tensor(x), lambd=threshold)


@keras_export("keras.activations.hard_shrink")
@keras_op("activations.hard_shrink", keras3=False)
def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: `x` where `abs(x) > threshold`, else 0.

    Args:
        x: Input tensor.
        threshold: Values with an absolute value at or below it become
            0 (default 0.5).

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.hard_shrink(x, threshold=1.0)
        tensor([-2.,  0.,  0.,  0.,  2.])
    """
    return F.hardshrink(_tensor(x), lambd=threshold)


@keras_export("keras.activations.sparse_plus")
@keras_op("activations.sparse_plus", keras3=False)
def sparse_plus(x):
    """SparsePlus: a softplus that is exactly 0 and exactly `x` far out.

    Returns 0 for `x <= -1`, `x` for `x >= 1` and `(x + 1) ** 2 / 4`
    in between.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.sparse_plus(x)
        tensor([0.0000, 0.0000, 0.2500, 1.0000, 2.0000])
    """
    x = _tensor(x)
    inner = torch.where(x < 1, 0.25 * (x + 1) ** 2, x)
    return torch.where(x <= -1, torch.zeros_like(x), inner)


@keras_export("keras.activations.silu", "keras.activations.swish")
@keras_op("activations.silu", keras3=False)
def silu(x):
    """Sigmoid linear unit (SiLU), also called swish: `x * sigmoid(x)`.

    `keras.activations.swish` is the same function.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.silu(x)
        tensor([-0.2384, -0.2689,  0.0000,  0.7311,  1.7616])
    """
    return F.silu(_tensor(x))


swish = silu


@keras_export("keras.activations.gelu")
@keras_op("activations.gelu", keras3=False)
def gelu(x, approximate=False):
    """Gaussian error linear unit (GELU): `x * P(X <= x)`, `X ~ N(0, 1)`.

    The exact form uses the error function; `approximate=True` uses the
    tanh approximation of the original paper.

    Args:
        x: Input tensor.
        approximate: Whether to use the tanh approximation.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.gelu(x)
        tensor([-0.0455, -0.1587,  0.0000,  0.8413,  1.9545])
    """
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


@keras_export("keras.activations.glu")
@keras_op("activations.glu", keras3=False)
def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)` for the two halves of `axis`.

    `x` is split in two equal halves `a` and `b` along `axis`, so the
    output has half the size there.

    Args:
        x: Input tensor.
        axis: The axis to split; its size must be even.

    Returns:
        A tensor shaped like `x` with `axis` halved.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, 2.0, 0.0, 1.0]])
        >>> keras.activations.glu(x)
        tensor([[0.5000, 1.4621]])
    """
    x = _tensor(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError(
            "The size of `axis` must be divisible by 2 for `glu`. "
            f"Received: x.shape={tuple(x.shape)} with axis={axis}"
        )
    return F.glu(x, dim=axis)


@keras_export("keras.activations.tanh")
@keras_op("activations.tanh", keras3=False)
def tanh(x):
    """Hyperbolic tangent: `(exp(x) - exp(-x)) / (exp(x) + exp(-x))`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.tanh(x)
        tensor([-0.9640, -0.7616,  0.0000,  0.7616,  0.9640])
    """
    return torch.tanh(_tensor(x))


@keras_export("keras.activations.tanh_shrink")
@keras_op("activations.tanh_shrink", keras3=False)
def tanh_shrink(x):
    """Tanh shrink: `x - tanh(x)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.tanh_shrink(x)
        tensor([-1.0360, -0.2384,  0.0000,  0.2384,  1.0360])
    """
    return F.tanhshrink(_tensor(x))


@keras_export("keras.activations.hard_tanh")
@keras_op("activations.hard_tanh", keras3=False)
def hard_tanh(x):
    """Hard tanh: `x` clipped to `[-1, 1]`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.hard_tanh(x)
        tensor([-1., -1.,  0.,  1.,  1.])
    """
    return F.hardtanh(_tensor(x), min_val=-1.0, max_val=1.0)


@keras_export("keras.activations.threshold")
@keras_op("activations.threshold", keras3=False)
def threshold(x, threshold, default_value):
    """Keeps `x` where `x > threshold`, else gives `default_value`.

    Args:
        x: Input tensor.
        threshold: Values at or below it are replaced.
        default_value: The value they are replaced with.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.threshold(x, 0.5, -1.0)
        tensor([-1., -1., -1.,  1.,  2.])
    """
    return F.threshold(_tensor(x), threshold, default_value)


@keras_export("keras.activations.sigmoid")
@keras_op("activations.sigmoid", keras3=False)
def sigmoid(x):
    """Logistic sigmoid: `1 / (1 + exp(-x))`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.sigmoid(x)
        tensor([0.1192, 0.2689, 0.5000, 0.7311, 0.8808])
    """
    return torch.sigmoid(_tensor(x))


@keras_export("keras.activations.sparse_sigmoid")
@keras_op("activations.sparse_sigmoid", keras3=False)
def sparse_sigmoid(x):
    """Sparse sigmoid: 0 below -1, 1 above 1, `(x + 1) / 2` between.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
        >>> keras.activations.sparse_sigmoid(x)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    x = _tensor(x)
    inner = torch.where(x >= 1, torch.ones_like(x), 0.5 * (x + 1))
    return torch.where(x <= -1, torch.zeros_like(x), inner)


@keras_export("keras.activations.log_sigmoid")
@keras_op("activations.log_sigmoid", keras3=False)
def log_sigmoid(x):
    """Logarithm of the sigmoid: `-softplus(-x)`, computed stably.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.log_sigmoid(x)
        tensor([-2.1269, -1.3133, -0.6931, -0.3133, -0.1269])
    """
    return F.logsigmoid(_tensor(x))


@keras_export("keras.activations.exponential")
@keras_op("activations.exponential", keras3=False)
def exponential(x):
    """Exponential activation: `exp(x)`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([0.0, 1.0, 2.0])
        >>> keras.activations.exponential(x)
        tensor([1.0000, 2.7183, 7.3891])
    """
    return torch.exp(_tensor(x))


@keras_export("keras.activations.hard_sigmoid")
@keras_op("activations.hard_sigmoid", keras3=False)
def hard_sigmoid(x):
    """Hard sigmoid, a piecewise-linear sigmoid: `relu6(x + 3) / 6`.

    This is Keras 3's formula (0 below -3, 1 above 3); tf.keras 2 used
    `0.2 * x + 0.5` clipped to `[0, 1]`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-3.0, -1.5, 0.0, 1.5, 3.0])
        >>> keras.activations.hard_sigmoid(x)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    return F.hardsigmoid(_tensor(x))


@keras_export("keras.activations.hard_silu", "keras.activations.hard_swish")
@keras_op("activations.hard_silu", keras3=False)
def hard_silu(x):
    """Hard SiLU, also called hard swish: `x * relu6(x + 3) / 6`.

    `keras.activations.hard_swish` is the same function.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.hard_silu(x)
        tensor([-0.3333, -0.3333,  0.0000,  0.6667,  1.6667])
    """
    return F.hardswish(_tensor(x))


hard_swish = hard_silu


@keras_export("keras.activations.linear")
@keras_op("activations.linear", keras3=False)
def linear(x):
    """Linear (identity) activation: returns `x` unchanged.

    This is what `activation=None` means in a layer.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.linear(x)
        tensor([-2., -1.,  0.,  1.,  2.])
    """
    return x


@keras_export("keras.activations.mish")
@keras_op("activations.mish", keras3=False)
def mish(x):
    """Mish: `x * tanh(softplus(x))`.

    Args:
        x: Input tensor.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, -1.0, 0.0, 1.0, 2.0])
        >>> keras.activations.mish(x)
        tensor([-0.2525, -0.3034,  0.0000,  0.8651,  1.9440])
    """
    return F.mish(_tensor(x))


@keras_export("keras.activations.softmax")
@keras_op("activations.softmax", keras3=False)
def softmax(x, axis=-1):
    """Softmax: turns each slice along `axis` into a probability distribution.

    Computes `exp(x) / sum(exp(x))` over the reduced axes.

    Args:
        x: Input tensor.
        axis: An int, a tuple of ints, or `None` (all axes): the axes
            the probabilities sum to 1 over.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 2.0, 3.0])
        >>> keras.activations.softmax(x)
        tensor([0.0900, 0.2447, 0.6652])
    """
    if type(x) is torch.Tensor and type(axis) is int:
        return torch.softmax(x, axis)  # the common case, one C call
    x = _tensor(x)
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    dims = _axes(axis, x.ndim)
    return torch.exp(x - torch.logsumexp(x, dim=dims, keepdim=True))


@keras_export("keras.activations.log_softmax")
@keras_op("activations.log_softmax", keras3=False)
def log_softmax(x, axis=-1):
    """Log-softmax: `x - logsumexp(x)` along `axis`, computed stably.

    Args:
        x: Input tensor.
        axis: An int, a tuple of ints, or `None` (all axes).

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 2.0, 3.0])
        >>> keras.activations.log_softmax(x)
        tensor([-2.4076, -1.4076, -0.4076])
    """
    x = _tensor(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    dims = _axes(axis, x.ndim)
    return x - torch.logsumexp(x, dim=dims, keepdim=True)


@keras_export("keras.activations.sparsemax")
@keras_op("activations.sparsemax", keras3=False)
def sparsemax(x, axis=-1):
    """Sparsemax: projects `x` onto the probability simplex along `axis`.

    Like softmax the outputs are non-negative and sum to 1, but many of
    them are exactly 0 (Martins & Astudillo, 2016).

    Args:
        x: Input tensor.
        axis: The axis the outputs sum to 1 over.

    Returns:
        A tensor of the same shape as `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 1.5, 2.0])
        >>> keras.activations.sparsemax(x)
        tensor([0.0000, 0.2500, 0.7500])
    """
    x = _tensor(x)
    z, _ = torch.sort(x, dim=axis, descending=True)
    cumsum = torch.cumsum(z, dim=axis)
    r_shape = [1] * x.ndim
    r_shape[axis] = -1
    r = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device)
    support = z - (cumsum - 1) / r.view(r_shape) > 0
    k = torch.sum(support, dim=axis, keepdim=True)
    support_sum = torch.sum(torch.where(support, z, 0.0), axis, True)
    tau = (support_sum - 1) / k
    return torch.clamp(x - tau, min=0.0)
