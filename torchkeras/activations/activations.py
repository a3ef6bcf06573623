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

    Example:

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
    """Leaky ReLU: ``x`` if ``x >= 0`` else ``negative_slope * x``."""
    return F.leaky_relu(_tensor(x), negative_slope=negative_slope)


@keras_export("keras.activations.relu6")
@keras_op("activations.relu6", keras3=False)
def relu6(x):
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    return F.relu6(_tensor(x))


@keras_export("keras.activations.elu")
@keras_op("activations.elu", keras3=False)
def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if ``x > 0`` else
    ``alpha * (exp(x) - 1)``."""
    return F.elu(_tensor(x), alpha=alpha)


@keras_export("keras.activations.selu")
@keras_op("activations.selu", keras3=False)
def selu(x):
    """Scaled ELU with ``alpha=1.67326324`` and ``scale=1.05070098``."""
    return F.selu(_tensor(x))


@keras_export("keras.activations.celu")
@keras_op("activations.celu", keras3=False)
def celu(x, alpha=1.0):
    """Continuously differentiable ELU:
    ``max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)``."""
    return F.celu(_tensor(x), alpha=alpha)


@keras_export("keras.activations.softplus")
@keras_op("activations.softplus", keras3=False)
def softplus(x):
    """Softplus: ``log(exp(x) + 1)``."""
    return F.softplus(_tensor(x))


@keras_export("keras.activations.softsign")
@keras_op("activations.softsign", keras3=False)
def softsign(x):
    """Softsign: ``x / (abs(x) + 1)``."""
    return F.softsign(_tensor(x))


@keras_export("keras.activations.squareplus")
@keras_op("activations.squareplus", keras3=False)
def squareplus(x, b=4):
    """Squareplus: ``(x + sqrt(x ** 2 + b)) / 2``."""
    x = _tensor(x)
    return (x + torch.sqrt(x * x + b)) / 2


@keras_export("keras.activations.soft_shrink")
@keras_op("activations.soft_shrink", keras3=False)
def soft_shrink(x, threshold=0.5):
    """Soft shrinkage: ``x - threshold`` above ``threshold``,
    ``x + threshold`` below ``-threshold``, else 0."""
    return F.softshrink(_tensor(x), lambd=threshold)


@keras_export("keras.activations.hard_shrink")
@keras_op("activations.hard_shrink", keras3=False)
def hard_shrink(x, threshold=0.5):
    """Hard shrinkage: ``x`` where ``abs(x) > threshold``, else 0."""
    return F.hardshrink(_tensor(x), lambd=threshold)


@keras_export("keras.activations.sparse_plus")
@keras_op("activations.sparse_plus", keras3=False)
def sparse_plus(x):
    """SparsePlus: 0 for ``x <= -1``, ``x`` for ``x >= 1``,
    ``(x + 1) ** 2 / 4`` between."""
    x = _tensor(x)
    inner = torch.where(x < 1, 0.25 * (x + 1) ** 2, x)
    return torch.where(x <= -1, torch.zeros_like(x), inner)


@keras_export("keras.activations.silu", "keras.activations.swish")
@keras_op("activations.silu", keras3=False)
def silu(x):
    """SiLU, also called swish: ``x * sigmoid(x)``."""
    return F.silu(_tensor(x))


swish = silu


@keras_export("keras.activations.gelu")
@keras_op("activations.gelu", keras3=False)
def gelu(x, approximate=False):
    """Gaussian error linear unit; ``approximate=True`` uses the tanh form."""
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


@keras_export("keras.activations.glu")
@keras_op("activations.glu", keras3=False)
def glu(x, axis=-1):
    """Gated linear unit: splits ``axis`` in halves ``a, b`` and returns
    ``a * sigmoid(b)``."""
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
    """Hyperbolic tangent."""
    return torch.tanh(_tensor(x))


@keras_export("keras.activations.tanh_shrink")
@keras_op("activations.tanh_shrink", keras3=False)
def tanh_shrink(x):
    """Tanh shrink: ``x - tanh(x)``."""
    return F.tanhshrink(_tensor(x))


@keras_export("keras.activations.hard_tanh")
@keras_op("activations.hard_tanh", keras3=False)
def hard_tanh(x):
    """Hard tanh: ``x`` clipped to ``[-1, 1]``."""
    return F.hardtanh(_tensor(x), min_val=-1.0, max_val=1.0)


@keras_export("keras.activations.threshold")
@keras_op("activations.threshold", keras3=False)
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return F.threshold(_tensor(x), threshold, default_value)


@keras_export("keras.activations.sigmoid")
@keras_op("activations.sigmoid", keras3=False)
def sigmoid(x):
    """Logistic sigmoid: ``1 / (1 + exp(-x))``."""
    return torch.sigmoid(_tensor(x))


@keras_export("keras.activations.sparse_sigmoid")
@keras_op("activations.sparse_sigmoid", keras3=False)
def sparse_sigmoid(x):
    """Sparse sigmoid: 0 for ``x <= -1``, 1 for ``x >= 1``,
    ``(x + 1) / 2`` between."""
    x = _tensor(x)
    inner = torch.where(x >= 1, torch.ones_like(x), 0.5 * (x + 1))
    return torch.where(x <= -1, torch.zeros_like(x), inner)


@keras_export("keras.activations.log_sigmoid")
@keras_op("activations.log_sigmoid", keras3=False)
def log_sigmoid(x):
    """Log of the sigmoid: ``-softplus(-x)``."""
    return F.logsigmoid(_tensor(x))


@keras_export("keras.activations.exponential")
@keras_op("activations.exponential", keras3=False)
def exponential(x):
    """Exponential: ``exp(x)``."""
    return torch.exp(_tensor(x))


@keras_export("keras.activations.hard_sigmoid")
@keras_op("activations.hard_sigmoid", keras3=False)
def hard_sigmoid(x):
    """Hard sigmoid (Keras 3 formula): ``relu6(x + 3) / 6``."""
    return F.hardsigmoid(_tensor(x))


@keras_export("keras.activations.hard_silu", "keras.activations.hard_swish")
@keras_op("activations.hard_silu", keras3=False)
def hard_silu(x):
    """Hard SiLU, also called hard swish: ``x * relu6(x + 3) / 6``."""
    return F.hardswish(_tensor(x))


hard_swish = hard_silu


@keras_export("keras.activations.linear")
@keras_op("activations.linear", keras3=False)
def linear(x):
    """Identity: returns ``x`` unchanged."""
    return x


@keras_export("keras.activations.mish")
@keras_op("activations.mish", keras3=False)
def mish(x):
    """Mish: ``x * tanh(softplus(x))``."""
    return F.mish(_tensor(x))


@keras_export("keras.activations.softmax")
@keras_op("activations.softmax", keras3=False)
def softmax(x, axis=-1):
    """Softmax over ``axis`` (an int, a tuple of ints, or ``None``: all).

    Each slice along the reduced axes is turned into a probability
    distribution: ``exp(x) / sum(exp(x))``.
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
    """Log-softmax over ``axis`` (an int, a tuple of ints, or ``None``)."""
    x = _tensor(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    dims = _axes(axis, x.ndim)
    return x - torch.logsumexp(x, dim=dims, keepdim=True)


@keras_export("keras.activations.sparsemax")
@keras_op("activations.sparsemax", keras3=False)
def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of ``x`` onto the simplex along
    ``axis`` (Martins & Astudillo, 2016); many outputs are exactly 0."""
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
