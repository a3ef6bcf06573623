"""The tf.keras 2 backend functions (``K.sum``, ``K.cast``, ...) on torch.

User code written as ``import keras.backend as K`` calls these inside
custom losses, metrics and layers. Each is a thin wrapper over the torch
operation with Keras's argument names (``axis``, ``keepdims``) and dtype
names. They take tensors, NumPy arrays or Python numbers and return torch
tensors.
"""

import builtins
import collections
import contextlib
import warnings

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.backend import ctc
from torchkeras.backend import global_state
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.ops.dispatch import keras_op
from torchkeras.ops.nn import _log_prob_of_labels
from torchkeras.utils.registry import keras_export


def _t(x, dtype=None):
    if torch.is_tensor(x):
        return x if dtype is None else x.to(dtype)
    arr = np.asarray(x)
    if arr.dtype == np.float64 and dtype is None:
        arr = arr.astype(config.floatx())
    t = torch.as_tensor(arr)
    return t if dtype is None else t.to(dtype)


def _axis(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis

def _shape_arg(shape):
    """A shape argument as a tuple of ints: entries may be scalar tensors
    (``K.shape(x)[0]``), the whole shape a 1-D tensor, or an int."""
    if torch.is_tensor(shape):
        return tuple(int(d) for d in shape.reshape(-1))
    if isinstance(shape, (list, tuple)):
        return tuple(int(d) for d in shape)
    return (int(shape),)


def _float_dtype(dtype):
    return config.to_torch_dtype(dtype or config.floatx())


def _device():
    """Where new tensors go (the device policy's current device)."""
    from torchkeras.backend.device import current_device

    return current_device()


def _generator(seed, device):
    if seed is None:
        return None
    return torch.Generator(device=device).manual_seed(int(seed))


def _eager_only(name, *args, **kwargs):
    """Raises the TypeError of the functions that run eagerly only (loops
    over Python callables, variable updates) when given a KerasTensor."""
    from torchkeras.ops.dispatch import any_symbolic

    if any_symbolic(*args, **kwargs):
        raise TypeError(
            f"`K.{name}` runs eagerly and cannot take a symbolic "
            "KerasTensor: call it inside a `layers.Lambda` layer or a "
            "custom Layer's `call`. Received: a KerasTensor argument")



@keras_export("keras.backend.int_shape")
def int_shape(x):
    """The static shape as a tuple of ints (``None`` where unknown)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"`int_shape` needs a tensor. Received: x={x!r}")
    return tuple(None if d is None else int(d) for d in shape)


@keras_export("keras.backend.is_keras_tensor")
def is_keras_tensor(x):
    """True for symbolic tensors of the functional API."""
    from torchkeras.graph.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


@keras_export("keras.backend.ndim")
def ndim(x):
    return len(int_shape(x))


@keras_op("backend.shape", keras3=False, tf=("shape", ("input",)))
def shape(x):
    """The dynamic shape of ``x``: a 1-D ``int32`` tensor, as tf.keras's.

    It lives on the CPU (TensorFlow keeps shape tensors in host memory),
    so ``K.shape(x)[0]`` as a shape argument needs no device sync. On a
    KerasTensor it is a symbolic ``int32`` tensor of shape ``(ndim,)``.

    >>> import torchkeras.backend as K
    >>> K.shape(K.zeros((2, 3)))
    tensor([2, 3], dtype=torch.int32)
    """
    return torch.tensor(tuple(_t(x).shape), dtype=torch.int32)


@keras_export("keras.backend.dtype")
def dtype(x):
    """The dtype name of ``x`` (a tensor or a KerasTensor)."""
    if isinstance(getattr(x, "dtype", None), str):
        return x.dtype  # a KerasTensor
    return config.standardize_dtype(_t(x).dtype)


@keras_op("backend.cast", keras3=False, tf=("cast", ("x", "dtype")))
def cast(x, dtype):
    return _t(x, config.to_torch_dtype(dtype))


@keras_op("backend.constant", keras3=False)
def constant(value, dtype=None, shape=None, name=None):
    """A tensor of ``value`` (default dtype floatx); with ``shape``, a
    scalar fills it and a value of as many elements is reshaped."""
    t = _t(value, config.to_torch_dtype(dtype or config.floatx()))
    if shape is None:
        return t
    shape = _shape_arg(shape)
    if t.numel() == 1:
        return t.reshape(()).expand(shape).clone()
    return t.reshape(shape)


@keras_export("keras.backend.variable")
def variable(value, dtype=None, name=None, constraint=None):
    """A ``Variable`` holding a copy of ``value`` (default dtype floatx).

    Assigned to a layer or model attribute, it is one of its weights.
    ``constraint`` is applied after each optimizer step of ``fit``.
    """
    from torchkeras.backend.variables import Variable

    t = _t(value, config.to_torch_dtype(dtype or config.floatx()))
    var = Variable(t, name=name)
    if constraint is not None:
        from torchkeras import constraints

        var._keras_constraint = constraints.get(constraint)
    return var


@keras_export("keras.backend.get_value")
def get_value(x):
    """The value as NumPy, a copy (floats pass through, as tf.keras
    allows)."""
    if isinstance(x, (int, float)):
        return x
    if is_keras_tensor(x):
        raise TypeError(
            "`get_value` needs a value, but a symbolic KerasTensor has none: "
            "it is computed only when a model runs. Use `K.function` or a "
            f"`Model` to evaluate it. Received: x={x!r}")
    if hasattr(x, "numpy") and hasattr(x, "assign"):
        return x.numpy()  # a Variable (or an optimizer's learning rate)
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


@keras_export("keras.backend.batch_get_value")
def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


@keras_export("keras.backend.set_value")
def set_value(x, value):
    """Assigns ``value`` to a variable (in place).

    ``K.set_value(model.optimizer.learning_rate, 0.01)`` sets the learning
    rate of the next step, as in tf.keras.
    """
    if hasattr(x, "assign") and callable(x.assign):
        x.assign(value)
        return
    if not torch.is_tensor(x):
        raise TypeError(
            "`set_value` needs a variable (a tensor) to assign to. For an "
            "optimizer's learning rate, write `optimizer.learning_rate = "
            f"value`. Received: x={x!r}"
        )
    with torch.no_grad():
        x.copy_(_t(value, x.dtype))


@keras_export("keras.backend.batch_set_value")
def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


@keras_export("keras.backend.eval")
def eval(x):  # noqa: A001 - tf.keras name
    return get_value(x)


@keras_op("backend.zeros", keras3=False, tf=("zeros", ("shape", "dtype",
                                                       "name")))
def zeros(shape, dtype=None, name=None):
    return torch.zeros(_shape_arg(shape), dtype=_float_dtype(dtype),
                       device=_device())


@keras_op("backend.ones", keras3=False, tf=("ones", ("shape", "dtype",
                                                     "name")))
def ones(shape, dtype=None, name=None):
    return torch.ones(_shape_arg(shape), dtype=_float_dtype(dtype),
                      device=_device())


@keras_op("backend.eye", keras3=False)
def eye(size, dtype=None, name=None):
    """An identity matrix (``size`` an int, or ``(rows, columns)``)."""
    rows, cols = ((size, size) if not isinstance(size, (list, tuple))
                  else size)
    return torch.eye(int(rows), int(cols), dtype=_float_dtype(dtype),
                     device=_device())


@keras_op("backend.zeros_like", keras3=False, tf=(
    "zeros_like", ("input", "dtype", "name")))
def zeros_like(x, dtype=None, name=None):
    x = _t(x)
    return torch.zeros_like(x, dtype=config.to_torch_dtype(dtype)
                            if dtype else None)


@keras_op("backend.ones_like", keras3=False, tf=(
    "ones_like", ("input", "dtype", "name")))
def ones_like(x, dtype=None, name=None):
    x = _t(x)
    return torch.ones_like(x, dtype=config.to_torch_dtype(dtype)
                           if dtype else None)


def _reduce(fn, x, axis, keepdims):
    x = _t(x)
    axis = _axis(axis)
    if axis is None:
        out = fn(x)
        return out.reshape([1] * x.dim()) if keepdims else out
    return fn(x, dim=axis, keepdim=keepdims)


@keras_op("backend.sum", keras3=False, tf=(
    "math.reduce_sum", ("input_tensor", "axis", "keepdims")))
def sum(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    return _reduce(torch.sum, x, axis, keepdims)


@keras_op("backend.mean", keras3=False, tf=(
    "math.reduce_mean", ("input_tensor", "axis", "keepdims")))
def mean(x, axis=None, keepdims=False):
    x = _t(x)
    if not x.is_floating_point():
        x = x.to(config.to_torch_dtype(config.floatx()))
    return _reduce(torch.mean, x, axis, keepdims)


@keras_op("backend.prod", keras3=False, tf=(
    "math.reduce_prod", ("input_tensor", "axis", "keepdims")))
def prod(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return _reduce(torch.prod, x, None, keepdims)
    return torch.prod(x, dim=axis, keepdim=keepdims)


@keras_op("backend.max", keras3=False, tf=(
    "math.reduce_max", ("input_tensor", "axis", "keepdims")))
def max(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x)
    if axis is None:
        return _reduce(torch.amax, x, None, keepdims)
    return torch.amax(x, dim=_axis(axis), keepdim=keepdims)


@keras_op("backend.min", keras3=False, tf=(
    "math.reduce_min", ("input_tensor", "axis", "keepdims")))
def min(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x)
    if axis is None:
        return _reduce(torch.amin, x, None, keepdims)
    return torch.amin(x, dim=_axis(axis), keepdim=keepdims)


@keras_op("backend.std", keras3=False, tf=("math.reduce_std", (
    "input_tensor", "axis", "keepdims")))
def std(x, axis=None, keepdims=False):
    """Standard deviation (population, as ``tf.math.reduce_std``)."""
    return torch.sqrt(var(x, axis=axis, keepdims=keepdims))


@keras_op("backend.var", keras3=False, tf=("math.reduce_variance", (
    "input_tensor", "axis", "keepdims")))
def var(x, axis=None, keepdims=False):
    """Variance (population, as ``tf.math.reduce_variance``)."""
    x = _t(x)
    if not x.is_floating_point():
        x = x.to(_float_dtype(None))
    return torch.var(x, dim=_axis(axis), correction=0, keepdim=keepdims)


@keras_op("backend.any", keras3=False, tf=(
    "math.reduce_any", ("input_tensor", "axis", "keepdims")))
def any(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x).bool()
    return x.any() if axis is None else x.any(dim=axis, keepdim=keepdims)


@keras_op("backend.all", keras3=False, tf=(
    "math.reduce_all", ("input_tensor", "axis", "keepdims")))
def all(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x).bool()
    return x.all() if axis is None else x.all(dim=axis, keepdim=keepdims)


@keras_op("backend.argmax", keras3=False, tf=(
    "math.argmax", ("input", "axis")))
def argmax(x, axis=-1):
    return torch.argmax(_t(x), dim=axis)


@keras_op("backend.argmin", keras3=False, tf=(
    "math.argmin", ("input", "axis")))
def argmin(x, axis=-1):
    return torch.argmin(_t(x), dim=axis)


@keras_op("backend.square", keras3=False, tf=("math.square", ("x",)))
def square(x):
    return torch.square(_t(x))


@keras_op("backend.sqrt", keras3=False, tf=("math.sqrt", ("x",)))
def sqrt(x):
    return torch.sqrt(_t(x))


@keras_op("backend.abs", keras3=False, tf=("math.abs", ("x",)))
def abs(x):  # noqa: A001 - tf.keras name
    return torch.abs(_t(x))


@keras_op("backend.exp", keras3=False, tf=("math.exp", ("x",)))
def exp(x):
    return torch.exp(_t(x))


@keras_op("backend.log", keras3=False, tf=("math.log", ("x",)))
def log(x):
    return torch.log(_t(x))


@keras_op("backend.pow", keras3=False, tf=("math.pow", ("x", "y")))
def pow(x, a):  # noqa: A001 - tf.keras name
    return torch.pow(_t(x), a)


@keras_op("backend.sign", keras3=False, tf=("math.sign", ("x",)))
def sign(x):
    return torch.sign(_t(x))


@keras_op("backend.round", keras3=False, tf=("math.round", ("x",)))
def round(x):  # noqa: A001 - tf.keras name
    return torch.round(_t(x))


@keras_op("backend.clip", keras3=False, tf=("clip_by_value", (
    "t", "clip_value_min", "clip_value_max")))
def clip(x, min_value, max_value):
    """Element-wise clipping; ``None`` bounds are infinite and a maximum
    below the minimum is raised to it, as in tf.keras."""
    if isinstance(min_value, (int, float)) and isinstance(
            max_value, (int, float)) and max_value < min_value:
        max_value = min_value
    x = _t(x)
    if min_value is None and max_value is None:
        return x
    return torch.clamp(x, min_value, max_value)


@keras_op("backend.maximum", keras3=False, tf=("math.maximum", ("x", "y")))
def maximum(x, y):
    return torch.maximum(_t(x), _t(y))


@keras_op("backend.minimum", keras3=False, tf=("math.minimum", ("x", "y")))
def minimum(x, y):
    return torch.minimum(_t(x), _t(y))


@keras_op("backend.equal", keras3=False, tf=("math.equal", ("x", "y")))
def equal(x, y):
    return torch.eq(_t(x), _t(y))


@keras_op("backend.not_equal", keras3=False, tf=("math.not_equal", ("x", "y")))
def not_equal(x, y):
    return torch.ne(_t(x), _t(y))


@keras_op("backend.greater", keras3=False, tf=("math.greater", ("x", "y")))
def greater(x, y):
    return torch.gt(_t(x), _t(y))


@keras_op("backend.greater_equal", keras3=False, tf=(
    "math.greater_equal", ("x", "y")))
def greater_equal(x, y):
    return torch.ge(_t(x), _t(y))


@keras_op("backend.less", keras3=False, tf=("math.less", ("x", "y")))
def less(x, y):
    return torch.lt(_t(x), _t(y))


@keras_op("backend.less_equal", keras3=False, tf=(
    "math.less_equal", ("x", "y")))
def less_equal(x, y):
    return torch.le(_t(x), _t(y))


@keras_op("backend.switch", keras3=False, tf=("where", ("condition", "x",
                                                        "y")))
def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else
    ``else_expression``.

    A scalar condition picks one branch (callables are called); a
    condition of rank >= 2 is aligned with the branches' leading axes, as
    tf.keras tiles it; a rank-1 one broadcasts as ``tf.where``.
    """
    condition = _t(condition).bool()
    if condition.ndim == 0 and condition.device.type != "meta":
        chosen = then_expression if bool(condition) else else_expression
        return _t(chosen() if callable(chosen) else chosen)
    then_expression = _t(then_expression() if callable(then_expression)
                         else then_expression)
    else_expression = _t(else_expression() if callable(else_expression)
                         else else_expression)
    extra = then_expression.ndim - condition.ndim
    if extra < 0:
        raise ValueError(
            "Rank of `condition` should be less than or equal to rank of "
            "`then_expression` and `else_expression`. Received: "
            f"ndim(condition)={condition.ndim}, "
            f"ndim(then_expression)={then_expression.ndim}")
    if condition.ndim > 1:
        condition = condition.reshape(tuple(condition.shape) + (1,) * extra)
    return torch.where(condition, then_expression, else_expression)


@keras_op("backend.dot", keras3=False)
def dot(x, y):
    """Matrix product; for N-D operands, ``x``'s last axis with ``y``'s
    second-to-last (result ``x.shape[:-1] + y.shape[:-2] +
    y.shape[-1:]``), as tf.keras's (not NumPy's broadcasting matmul)."""
    x, y = _t(x), _t(y)
    if x.ndim > 2 or y.ndim > 2:
        return torch.tensordot(x, y, dims=([x.ndim - 1], [y.ndim - 2]))
    return torch.matmul(x, y)


@keras_op("backend.batch_dot", keras3=False)
def batch_dot(x, y, axes=None):
    """Batchwise dot product of ``x`` and ``y`` over ``axes``, as
    tf.keras's: per sample, ``x``'s axis ``axes[0]`` with ``y``'s
    ``axes[1]``; by default the last axis of ``x`` with the last (rank-2
    ``y``) or second-to-last axis of ``y``. A rank-2 operand gets a size-1
    axis that is removed again, so ``(b, n) . (b, n)`` gives ``(b, 1)``.
    """
    x, y = _t(x), _t(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError(
            "Cannot do batch_dot on inputs with rank < 2. Received inputs "
            f"with shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 1 if y.ndim == 2 else y.ndim - 2)
    ax, ay = axes[0] % x.ndim, axes[1] % y.ndim
    if ax == 0 or ay == 0:
        raise ValueError(
            "Cannot perform batch_dot over axis 0. If your inputs are not "
            "batched, add a dummy batch dimension with `K.expand_dims(x, 0)`"
            f". Received: axes={axes}")
    x_2d, y_2d = x.ndim == 2, y.ndim == 2
    if x_2d:
        x, ax = x.unsqueeze(1), ax + 1
    if y_2d:
        y = y.unsqueeze(2)
    x = torch.movedim(x, ax, -1)
    y = torch.movedim(y, ay, 1)
    mid, trail = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    out = torch.bmm(x.reshape(x.shape[0], -1, x.shape[-1]),
                    y.reshape(y.shape[0], y.shape[1], -1))
    out = out.reshape((out.shape[0],) + mid + trail)
    if x_2d:
        return out.squeeze(1)
    return out.squeeze(-1) if y_2d else out


@keras_op("backend.transpose", keras3=False, tf=(
    "compat.v1.transpose", ("a",)))
def transpose(x):
    x = _t(x)
    return x.permute(*reversed(range(x.dim())))


@keras_op("backend.permute_dimensions", keras3=False, tf=(
    "compat.v1.transpose", ("a", "perm")))
def permute_dimensions(x, pattern):
    return _t(x).permute(*pattern)


@keras_op("backend.reshape", keras3=False, tf=("reshape", ("tensor",
                                                           "shape")))
@keras_op("backend.reshape", keras3=False, tf=("reshape", ("tensor", "shape")))
def reshape(x, shape):
    """``x`` with the given shape (one entry may be -1; entries may be
    scalar tensors such as ``K.shape(x)[0]``)."""
    return torch.reshape(_t(x), _shape_arg(shape))


@keras_op("backend.flatten", keras3=False)
def flatten(x):
    return torch.reshape(_t(x), (-1,))


@keras_op("backend.batch_flatten", keras3=False)
def batch_flatten(x):
    x = _t(x)
    return x.reshape(x.shape[0], -1)


@keras_op("backend.expand_dims", keras3=False, tf=(
    "expand_dims", ("input", "axis")))
def expand_dims(x, axis=-1):
    return torch.unsqueeze(_t(x), axis)


@keras_op("backend.squeeze", keras3=False, tf=("squeeze", ("input",
                                                           "axis")))
def squeeze(x, axis):
    """Removes the size-1 axis ``axis`` (or the axes of a list)."""
    return torch.squeeze(_t(x), _axis(axis))


@keras_op("backend.concatenate", keras3=False, tf=(
    "concat", ("values", "axis")))
def concatenate(tensors, axis=-1):
    return torch.cat([_t(t) for t in tensors], dim=axis)


@keras_op("backend.stack", keras3=False, tf=("stack", ("values", "axis")))
def stack(x, axis=0):
    return torch.stack([_t(t) for t in x], dim=axis)


@keras_op("backend.tile", keras3=False, tf=("tile", ("input",
                                                     "multiples")))
def tile(x, n):
    """``x`` repeated ``n[i]`` times along axis ``i``."""
    n = _shape_arg(n)
    return _t(x).repeat(*n)


@keras_op("backend.repeat_elements", keras3=False)
def repeat_elements(x, rep, axis):
    return torch.repeat_interleave(_t(x), rep, dim=axis)


@keras_op("backend.gather", keras3=False, tf=("compat.v1.gather", (
    "params", "indices")))
def gather(reference, indices):
    """Rows of ``reference`` (its first axis) at ``indices``."""
    return _t(reference)[_t(indices).long()]


@keras_op("backend.one_hot", keras3=False, tf=("one_hot", ("indices",
                                                           "depth")))
def one_hot(indices, num_classes):
    """One-hot floatx encoding on a new last axis (out-of-range indices
    give all-zero rows, as ``tf.one_hot``)."""
    indices = _t(indices).long()
    classes = torch.arange(num_classes, device=indices.device)
    return (indices.unsqueeze(-1) == classes).to(_float_dtype(None))


@keras_op("backend.softmax", keras3=False, tf=("nn.softmax", ("logits",
                                                             "axis")))
def softmax(x, axis=-1):
    """Softmax over ``axis`` (an int or several axes)."""
    x = _t(x)
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    e = torch.exp(x - torch.amax(x, dim=_axis(axis), keepdim=True))
    return e / torch.sum(e, dim=_axis(axis), keepdim=True)


@keras_op("backend.sigmoid", keras3=False, tf=("math.sigmoid", ("x",)))
def sigmoid(x):
    return torch.sigmoid(_t(x))


@keras_op("backend.relu", keras3=False)
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from torchkeras import activations

    return activations.relu(_t(x), negative_slope=alpha,
                            max_value=max_value, threshold=threshold)


@keras_op("backend.tanh", keras3=False, tf=("math.tanh", ("x",)))
def tanh(x):
    return torch.tanh(_t(x))


@keras_op("backend.l2_normalize", keras3=False, tf=("math.l2_normalize", (
    "x", "axis")))
def l2_normalize(x, axis=None):
    """``x / sqrt(max(sum(x**2, axis), 1e-12))`` (every axis when
    ``axis`` is None), as ``tf.linalg.l2_normalize``."""
    x = _t(x)
    sq = torch.sum(x * x, dim=_axis(axis), keepdim=True)
    return x * torch.rsqrt(torch.clamp(sq, min=1e-12))


@keras_op("backend.categorical_crossentropy", keras3=False)
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy of each sample, summed over ``axis``, as tf.keras's:
    probabilities are renormalised to sum to 1 and clipped to
    ``[epsilon, 1 - epsilon]``."""
    target, output = _t(target), _t(output)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis),
                          dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -torch.sum(target * torch.log(output), dim=axis)


@keras_op("backend.sparse_categorical_crossentropy", keras3=False)
def sparse_categorical_crossentropy(target, output, from_logits=False,
                                    axis=-1, ignore_class=None):
    """Crossentropy with integer targets, as tf.keras's.

    ``output`` holds probabilities (clipped to ``[epsilon, 1 - epsilon]``
    and renormalised) or logits along ``axis``; ``target`` has the
    shape of ``output`` without that axis (a trailing size-1 axis is
    allowed). Entries whose target is ``ignore_class`` give 0.
    """
    target, output = _t(target), _t(output)
    output = torch.movedim(output, axis, -1)
    if not from_logits:
        eps = config.epsilon()
        output = torch.log(torch.clamp(output, eps, 1.0 - eps))
    log_p = torch.log_softmax(output, dim=-1)
    target = target.long().reshape(log_p.shape[:-1])
    valid = None
    if ignore_class is not None:
        valid = target != ignore_class
        target = torch.where(valid, target, 0)
    loss = -_log_prob_of_labels(
        log_p, target, "backend.sparse_categorical_crossentropy")
    if valid is not None:
        loss = torch.where(valid, loss, 0.0)
        loss._keras_mask = valid
    return loss


@keras_op("backend.binary_crossentropy", keras3=False)
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy, as tf.keras's: probabilities are
    clipped to ``[epsilon, 1 - epsilon]`` and ``epsilon`` is added inside
    the logarithms; logits use the stable
    ``max(x, 0) - x * z + log(1 + exp(-|x|))``."""
    target, output = _t(target), _t(output)
    if from_logits:
        return (torch.clamp(output, min=0) - output * target
                + torch.log1p(torch.exp(-torch.abs(output))))
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    bce = target * torch.log(output + eps)
    bce = bce + (1 - target) * torch.log(1 - output + eps)
    return -bce


@keras_op("backend.random_normal", keras3=False, tf=("random.normal", (
    "shape", "mean", "stddev", "dtype", "seed")))
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples; ``shape`` may hold scalar tensors
    (``(K.shape(x)[0], 8)``), symbolic ones included."""
    device = _device()
    out = torch.empty(_shape_arg(shape), dtype=_float_dtype(dtype),
                      device=device)
    return out.normal_(mean, stddev, generator=_generator(seed, device))


@keras_op("backend.random_uniform", keras3=False, tf=("random.uniform", (
    "shape", "minval", "maxval", "dtype", "seed")))
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``."""
    device = _device()
    out = torch.empty(_shape_arg(shape), dtype=_float_dtype(dtype),
                      device=device)
    return out.uniform_(minval, maxval, generator=_generator(seed, device))


class _LearningPhase(int):
    """What ``learning_phase()`` returns: 0 or 1 as in eager tf.keras 2,
    and the placeholder ``function`` recognises among its inputs."""

    def __repr__(self):
        return f"<learning_phase {int(self)}>"


_GLOBAL_LEARNING_PHASE = [None]


def _reset_learning_phase():
    _GLOBAL_LEARNING_PHASE[0] = None  # `clear_session` forgets it (tf.keras)


global_state.register_reset_hook(_reset_learning_phase)


@keras_export("keras.backend.learning_phase")
def learning_phase():
    """The learning phase: 1 in a training call, else 0.

    Layers take a ``training`` argument instead; this serves tf.keras 2
    code that reads the phase or feeds it to ``function``:
    ``K.function([model.input, K.learning_phase()], [out])([x, 1])`` runs
    with ``training=True`` (dropout on).
    """
    phase = _GLOBAL_LEARNING_PHASE[0]
    if phase is None:
        phase = 1 if CALL_CONTEXT.training else 0
    return _LearningPhase(phase)


@keras_export("keras.backend.set_learning_phase")
def set_learning_phase(value):
    """Deprecated tf.keras 2 global learning phase (0 or 1).

    It sets what ``learning_phase()`` returns and the default ``training``
    of ``function``; layer calls take their ``training`` argument.
    """
    warnings.warn(
        "`tf.keras.backend.set_learning_phase` is deprecated and will be "
        "removed after 2020-10-11. To update it, simply pass a True/False "
        "value to the `training` argument of the `__call__` method of your "
        "layer or model.", stacklevel=2)
    if value not in (0, 1):
        raise ValueError(
            f"Expected learning phase to be 0 or 1. Received: value={value}"
        )
    _GLOBAL_LEARNING_PHASE[0] = int(value)


@keras_export("keras.backend.in_train_phase")
def in_train_phase(x, alt, training=None):
    """``x`` in the training phase, else ``alt`` (callables are called)."""
    if training is None:
        training = learning_phase()
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


@keras_export("keras.backend.in_test_phase")
def in_test_phase(x, alt, training=None):
    """``x`` in the inference phase, else ``alt``."""
    return in_train_phase(alt, x, training=training)


class GraphFunction:
    """A callable running part of a functional graph (``K.function``).

    It holds a functional model from ``inputs`` to ``outputs`` (built once,
    here) and returns NumPy arrays: a list when ``outputs`` is a list.
    """

    def __init__(self, inputs, outputs, updates=None, name=None):
        from torchkeras.engine.model import Model

        if updates:
            raise ValueError(
                "`function` does not run update ops: train with `fit` or a "
                f"torch optimizer instead. Received: updates={updates!r}"
            )
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [
            inputs]
        self._phase_at = [i for i, x in enumerate(flat)
                          if isinstance(x, _LearningPhase)]
        tensors = [x for x in flat if not isinstance(x, _LearningPhase)]
        for x in tensors:
            if not is_keras_tensor(x):
                raise TypeError(
                    "`function` inputs must be KerasTensors (such as "
                    "`model.input` or `layer.output`) or "
                    f"`learning_phase()`. Received: {x!r}"
                )
        self._n_inputs = len(flat)
        self._listed = isinstance(outputs, (list, tuple))
        outs = list(outputs) if self._listed else [outputs]
        self.name = name
        self.model = Model(tensors, outs)

    def __call__(self, inputs):
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [
            inputs]
        if len(values) != self._n_inputs:
            raise ValueError(
                f"This function takes {self._n_inputs} input(s). Received: "
                f"{len(values)} input(s)"
            )
        training = _GLOBAL_LEARNING_PHASE[0]
        for i in self._phase_at:
            training = get_value(values[i]) if torch.is_tensor(
                values[i]) else values[i]
        feed = [v for i, v in enumerate(values) if i not in self._phase_at]
        with torch.no_grad():
            outs = self.model(feed, training=bool(training))
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        arrays = [o.detach().cpu().numpy() if torch.is_tensor(o)
                  else np.asarray(o) for o in outs]
        return arrays if self._listed else arrays[0]


@keras_export("keras.backend.function")
def function(inputs, outputs, updates=None, name=None, **kwargs):
    """tf.keras 2's ``K.function``: a callable from inputs to outputs.

    Args:
        inputs: list of KerasTensors, optionally with ``learning_phase()``
            (then its fed value, 0 or 1, sets ``training``).
        outputs: a KerasTensor or a list of them.
        updates: unsupported (must be empty).
        name: optional name.

    Returns:
        A callable taking a list of arrays and returning NumPy arrays.

    Example:
    >>> import numpy as np
    >>> import torchkeras as keras
    >>> x = keras.Input((3,))
    >>> h = keras.layers.Dense(2, kernel_initializer="ones")(x)
    >>> f = keras.backend.function([x], [h])
    >>> f([np.ones((1, 3))])[0]
    array([[3., 3.]], dtype=float32)
    """
    if kwargs:
        raise ValueError(
            "Invalid argument(s) to `function`: "
            f"{sorted(kwargs)}. Received: {kwargs}"
        )
    return GraphFunction(inputs, outputs, updates=updates, name=name)


@keras_export("keras.backend.count_params")
def count_params(x):
    return int(np.prod(int_shape(x)))


@keras_op("backend.stop_gradient", keras3=False, tf=("stop_gradient", (
    "input",)))
def stop_gradient(variables):
    """``variables`` cut from the gradient (a tensor or a list)."""
    if isinstance(variables, (list, tuple)):
        return [_t(v).detach() for v in variables]
    return _t(variables).detach()


@keras_export("keras.backend.backend")
def backend():
    """The name of the backend: ``'torch'``."""
    return "torch"


# ---------------------------------------------------------------------------
# The rest of the tf.keras 2 backend: utilities, variable updates, math,
# padding and resizing, activations, losses, convolutions and pooling,
# random tensors and loops over Python callables.

_UIDS = collections.defaultdict(int)
_MANUAL_VAR_INIT = [False]


def _reset_uids():
    _UIDS.clear()


global_state.register_reset_hook(_reset_uids)


@keras_export("keras.backend.get_uid")
def get_uid(prefix=""):
    """1, 2, 3, ... for successive calls with the same ``prefix``."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


@keras_export("keras.backend.reset_uids")
def reset_uids():
    """Resets the counters of ``get_uid``."""
    _UIDS.clear()


@keras_export("keras.backend.manual_variable_initialization")
def manual_variable_initialization(value):
    """Accepted for tf.keras 1 code; variables here are always
    initialized when created."""
    _MANUAL_VAR_INIT[0] = bool(value)


@keras_export("keras.backend.learning_phase_scope")
@contextlib.contextmanager
def learning_phase_scope(value):
    """Deprecated tf.keras 2 scope setting ``learning_phase()``."""
    warnings.warn(
        "`tf.keras.backend.learning_phase_scope` is deprecated and will be "
        "removed after 2020-10-11. To update it, simply pass a True/False "
        "value to the `training` argument of the `__call__` method of your "
        "layer or model.", stacklevel=3)
    if value not in (0, 1):
        raise ValueError(
            f"Expected learning phase to be 0 or 1. Received: value={value}")
    previous = _GLOBAL_LEARNING_PHASE[0]
    _GLOBAL_LEARNING_PHASE[0] = int(value)
    try:
        yield
    finally:
        _GLOBAL_LEARNING_PHASE[0] = previous


@keras_export("keras.backend.name_scope")
class name_scope:  # noqa: N801 - tf.keras name
    """A context manager naming a scope; accepted for tf.keras code (names
    here come from the layers)."""

    def __init__(self, name):
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"`name_scope` needs a non-empty string. Received: "
                f"name={name!r}")
        self.name = name

    def __enter__(self):
        return self.name + "/"

    def __exit__(self, *exc):
        return False


@keras_export("keras.backend.is_sparse")
def is_sparse(tensor):
    """True for a sparse tensor (or a sparse KerasTensor)."""
    if isinstance(getattr(tensor, "dtype", None), str):
        return bool(getattr(tensor, "sparse", False))
    return torch.is_tensor(tensor) and tensor.layout != torch.strided


@keras_op("backend.to_dense", keras3=False)
def to_dense(tensor):
    """A dense copy of a sparse tensor; dense tensors pass through."""
    tensor = _t(tensor)
    return tensor.to_dense() if tensor.layout != torch.strided else tensor


@keras_export("keras.backend.placeholder")
def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None,
                ragged=False):
    """A symbolic input (``Input``) with the full ``shape``, batch first,
    or ``ndim`` unknown dimensions."""
    from torchkeras.layers.core.input_layer import Input

    if sparse and ragged:
        raise ValueError(
            "Cannot set both sparse and ragged to True when creating a "
            f"placeholder. Received: sparse={sparse}, ragged={ragged}")
    if not shape:
        shape = (None,) * ndim if ndim else ()
    return Input(batch_shape=tuple(shape), dtype=dtype or config.floatx(),
                 sparse=sparse or None, name=name)


@keras_op("backend.cast_to_floatx", keras3=False)
def cast_to_floatx(x):
    """A tensor cast to floatx; other values become a floatx NumPy
    array."""
    if torch.is_tensor(x):
        return x.to(_float_dtype(None))
    return np.asarray(x, dtype=config.floatx())


@keras_export("keras.backend.random_uniform_variable")
def random_uniform_variable(shape, low, high, dtype=None, name=None,
                            seed=None):
    """A variable of uniform samples in ``[low, high)``."""
    value = random_uniform(shape, low, high, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


@keras_export("keras.backend.random_normal_variable")
def random_normal_variable(shape, mean, scale, dtype=None, name=None,
                           seed=None):
    """A variable of normal samples (``mean``, standard deviation
    ``scale``)."""
    value = random_normal(shape, mean, scale, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


def _assign(x, value, how):
    _eager_only(how, x, value)
    if hasattr(x, "assign"):
        return getattr(x, how)(value)
    if not torch.is_tensor(x):
        raise TypeError(
            f"`{how}` needs a variable to update. Received: x={x!r}")
    value = _t(value).to(device=x.device, dtype=x.dtype)
    with torch.no_grad():
        if how == "assign":
            x.copy_(value)
        elif how == "assign_add":
            x.add_(value)
        else:
            x.sub_(value)
    return x


@keras_export("keras.backend.update")
def update(x, new_x):
    """Assigns ``new_x`` to the variable ``x``; returns ``x``."""
    return _assign(x, new_x, "assign")


@keras_export("keras.backend.update_add")
def update_add(x, increment):
    """Adds ``increment`` to the variable ``x``; returns ``x``."""
    return _assign(x, increment, "assign_add")


@keras_export("keras.backend.update_sub")
def update_sub(x, decrement):
    """Subtracts ``decrement`` from the variable ``x``; returns ``x``."""
    return _assign(x, decrement, "assign_sub")


@keras_export("keras.backend.moving_average_update")
def moving_average_update(x, value, momentum):
    """``x = x * momentum + value * (1 - momentum)`` in place, as
    tf.keras 2 (TF2 behaviour, no zero-debiasing); returns ``x``."""
    _eager_only("moving_average_update", x, value)
    value = _t(value).to(dtype=x.dtype, device=x.device)
    return _assign(x, (x.detach() - value) * (1 - momentum), "assign_sub")


@keras_op("backend.cumsum", keras3=False, tf=("math.cumsum", ("x",
                                                             "axis")))
def cumsum(x, axis=0):
    """Cumulative sum along ``axis`` (default 0, as tf.keras)."""
    return torch.cumsum(_t(x), dim=axis)


@keras_op("backend.cumprod", keras3=False, tf=("math.cumprod", ("x",
                                                               "axis")))
def cumprod(x, axis=0):
    """Cumulative product along ``axis`` (default 0, as tf.keras)."""
    return torch.cumprod(_t(x), dim=axis)


@keras_op("backend.sin", keras3=False, tf=("math.sin", ("x",)))
def sin(x):
    return torch.sin(_t(x))


@keras_op("backend.cos", keras3=False, tf=("math.cos", ("x",)))
def cos(x):
    return torch.cos(_t(x))


@keras_op("backend.normalize_batch_in_training", keras3=False)
def normalize_batch_in_training(x, gamma, beta, reduction_axes,
                                epsilon=1e-3):
    """Normalizes ``x`` by its moments over ``reduction_axes`` and applies
    ``gamma``/``beta`` (None: 1 and 0).

    Returns ``(normalized, mean, variance)``, the moments without the
    reduced axes. As tf.keras's fused path (4-D ``x`` reduced over
    ``[0, 1, 2]`` or ``[0, 2, 3]``), the returned variance there is the
    unbiased one; elsewhere it is the population variance.
    """
    x = _t(x)
    axes = sorted(a % x.ndim for a in reduction_axes)
    mean_ = torch.mean(x, dim=axes, keepdim=True)
    var_ = torch.var(x, dim=axes, correction=0, keepdim=True)
    kept = [d for i, d in enumerate(x.shape) if i not in axes]

    def param(p):
        return None if p is None else _t(p).reshape(mean_.shape)

    normed = batch_normalization(x, mean_, var_, param(beta), param(gamma),
                                 epsilon=epsilon)
    mean_, var_ = mean_.reshape(kept), var_.reshape(kept)
    if x.ndim == 4 and axes in ([0, 1, 2], [0, 2, 3]):
        n = 1
        for a in axes:
            n *= x.shape[a]
        var_ = var_ * (n / builtins.max(n - 1, 1))
    return normed, mean_, var_


@keras_op("backend.batch_normalization", keras3=False)
def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta``.

    The statistics broadcast against ``x``; for 4-D ``x`` they are taken
    along ``axis`` (1 or -3: channels first, 3 or -1: channels last), as
    tf.keras's fused batch norm. ``beta``/``gamma`` may be None.
    """
    x, mean, var = _t(x), _t(mean), _t(var)
    params = [mean, var, None if beta is None else _t(beta),
              None if gamma is None else _t(gamma)]
    if x.ndim == 4 and axis in (1, -3, 3, -1):
        shape = (1, -1, 1, 1) if axis in (1, -3) else (-1,)
        params = [None if p is None else p.reshape(shape) for p in params]
    mean, var, beta, gamma = params
    out = (x - mean) * torch.rsqrt(var + epsilon)
    if gamma is not None:
        out = out * gamma
    return out if beta is None else out + beta


def _spatial_axes(ndim, data_format, rank):
    data_format = _data_format(data_format)
    first = 2 if data_format == "channels_first" else 1
    return list(range(first, first + rank))


def _data_format(data_format):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "Unknown data_format. Expected 'channels_first' or "
            f"'channels_last'. Received: data_format={data_format!r}")
    return data_format


@keras_op("backend.resize_images", keras3=False)
def resize_images(x, height_factor, width_factor, data_format,
                  interpolation="nearest"):
    """4-D images scaled up by integer factors (``UpSampling2D``).

    ``"nearest"`` repeats pixels; other interpolations resize as
    ``tf.image.resize`` does (``keras.ops.image.resize``).
    """
    x = _t(x)
    rows, cols = _spatial_axes(4, data_format, 2)
    if interpolation == "nearest":
        x = torch.repeat_interleave(x, height_factor, dim=rows)
        return torch.repeat_interleave(x, width_factor, dim=cols)
    from torchkeras.ops import image as ops_image

    size = (x.shape[rows] * height_factor, x.shape[cols] * width_factor)
    return ops_image.resize(x, size, interpolation=interpolation,
                            data_format=_data_format(data_format))


@keras_op("backend.resize_volumes", keras3=False)
def resize_volumes(x, depth_factor, height_factor, width_factor,
                   data_format):
    """5-D volumes scaled up by repeating voxels (``UpSampling3D``)."""
    x = _t(x)
    axes = _spatial_axes(5, data_format, 3)
    for axis, factor in zip(axes, (depth_factor, height_factor,
                                   width_factor)):
        x = torch.repeat_interleave(x, factor, dim=axis)
    return x


@keras_op("backend.repeat", keras3=False)
def repeat(x, n):
    """``(batch, dim)`` -> ``(batch, n, dim)`` (``RepeatVector``)."""
    x = _t(x)
    if x.ndim != 2:
        raise ValueError(
            f"`repeat` needs a 2-D tensor. Received: x.shape="
            f"{tuple(x.shape)}")
    return x.unsqueeze(1).expand(-1, int(n), -1)


@keras_op("backend.arange", keras3=False, tf=("range", ("start", "limit",
                                                       "delta", "dtype")))
def arange(start, stop=None, step=1, dtype="int32"):
    """``start, start + step, ...`` below ``stop`` (``arange(n)``: from 0;
    a negative ``n`` gives an empty tensor, as NumPy)."""
    start, stop, step = (v.item() if torch.is_tensor(v) else v
                         for v in (start, stop, step))
    if stop is None:
        start, stop = (0, builtins.max(start, 0))
    return torch.arange(start, stop, step, device=_device()).to(
        config.to_torch_dtype(dtype))


def _pad(x, pairs, axes):
    widths = [0] * (2 * x.ndim)
    for (before, after), axis in zip(pairs, axes):
        widths[2 * (x.ndim - 1 - axis)] = int(before)
        widths[2 * (x.ndim - 1 - axis) + 1] = int(after)
    return torch.nn.functional.pad(x, widths)


@keras_op("backend.temporal_padding", keras3=False)
def temporal_padding(x, padding=(1, 1)):
    """Zeros before and after the middle axis of a 3-D tensor."""
    x = _t(x)
    if len(padding) != 2:
        raise ValueError(
            f"`padding` must be a pair of ints. Received: padding={padding}")
    return _pad(x, [padding], [1])


@keras_op("backend.spatial_2d_padding", keras3=False)
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zeros around the rows and columns of 4-D images."""
    x = _t(x)
    return _pad(x, padding, _spatial_axes(4, data_format, 2))


@keras_op("backend.spatial_3d_padding", keras3=False)
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)),
                       data_format=None):
    """Zeros around the three spatial axes of 5-D volumes."""
    x = _t(x)
    return _pad(x, padding, _spatial_axes(5, data_format, 3))


@keras_op("backend.reverse", keras3=False, tf=("reverse", ("tensor",
                                                          "axis")))
def reverse(x, axes):
    """``x`` reversed along ``axes`` (an int or a list)."""
    axes = [axes] if isinstance(axes, int) else list(axes)
    return torch.flip(_t(x), dims=axes)


@keras_op("backend.print_tensor", keras3=False)
def print_tensor(x, message="", summarize=3):
    """Prints ``message`` and the value of ``x`` (at every run of a
    graph), then returns ``x``."""
    x = _t(x)
    if x.device.type != "meta":
        with np.printoptions(edgeitems=summarize, threshold=summarize):
            print(message, x.detach().cpu().numpy())
    return x


@keras_export("keras.backend.gradients")
def gradients(loss, variables):
    """Gradients of ``loss`` with respect to ``variables`` (None for a
    variable that ``loss`` does not depend on)."""
    _eager_only("gradients", loss, variables)
    variables = list(variables) if isinstance(variables, (list, tuple)) else (
        [variables])
    loss = _t(loss)
    if loss.ndim:
        loss = loss.sum()  # tf.gradients sums the output's elements
    return list(torch.autograd.grad(loss, variables, retain_graph=True,
                                    allow_unused=True))


@keras_export("keras.backend.rnn")
def rnn(step_function, inputs, initial_states, go_backwards=False,
        mask=None, constants=None, unroll=False, input_length=None,
        time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Iterates ``step_function`` over the time axis, as tf.keras's.

    ``step_function(input_t, states + constants)`` returns ``(output,
    new_states)``. Where ``mask`` (``(batch, time)``) is False a step
    keeps the previous output (zeros with ``zero_output_for_mask``) and
    states. ``unroll`` and ``input_length`` are accepted (the loop is a
    Python loop either way).

    Returns:
        ``(last_output, outputs, new_states)``; ``outputs`` holds every
        step (``(batch, time, ...)``) or, without
        ``return_all_outputs``, the last one on a time axis of size 1.
    """
    _eager_only("rnn", inputs, initial_states, mask, constants)
    inputs = _t(inputs)
    if not time_major:
        inputs = inputs.transpose(0, 1)
    steps = range(inputs.shape[0])
    if go_backwards:
        steps = reversed(steps)
    if mask is not None:
        mask = _t(mask).bool()
        if not time_major:
            mask = mask.transpose(0, 1)
    states = tuple(initial_states)
    constants = tuple(constants or ())
    outputs, output = [], None
    for t in steps:
        out_t, new_states = step_function(inputs[t], states + constants)
        new_states = tuple(new_states) if isinstance(
            new_states, (list, tuple)) else (new_states,)
        if mask is not None:
            keep = mask[t]
            prev = (torch.zeros_like(out_t) if zero_output_for_mask
                    or output is None else output)
            out_t = torch.where(_expand_to(keep, out_t), out_t, prev)
            new_states = tuple(
                torch.where(_expand_to(keep, n), n, s)
                for n, s in zip(new_states, states))
        output, states = out_t, new_states
        outputs.append(out_t)
    stacked = (torch.stack(outputs) if return_all_outputs
               else output.unsqueeze(0))
    if not time_major:
        stacked = stacked.transpose(0, 1)
    return output, stacked, list(states)


def _expand_to(mask, x):
    return mask.reshape(tuple(mask.shape) + (1,) * (x.ndim - mask.ndim))


@keras_op("backend.elu", keras3=False)
def elu(x, alpha=1.0):
    """``x`` where positive, else ``alpha * (exp(x) - 1)``."""
    return torch.nn.functional.elu(_t(x), alpha=alpha)


@keras_op("backend.softplus", keras3=False, tf=("math.softplus", (
    "features",)))
def softplus(x):
    return torch.nn.functional.softplus(_t(x))


@keras_op("backend.softsign", keras3=False, tf=("math.softsign", (
    "features",)))
def softsign(x):
    return torch.nn.functional.softsign(_t(x))


@keras_op("backend.hard_sigmoid", keras3=False)
def hard_sigmoid(x):
    """``clip(0.2 * x + 0.5, 0, 1)``: tf.keras 2's slope (Keras 3's
    ``ops.hard_sigmoid`` uses 1/6)."""
    return torch.clamp(_t(x) * 0.2 + 0.5, 0.0, 1.0)


@keras_op("backend.dropout", keras3=False, tf=("nn.dropout", (
    "x", "rate", "noise_shape", "seed")))
def dropout(x, level, noise_shape=None, seed=None):
    """Zeros entries with probability ``level`` and scales the others by
    ``1 / (1 - level)`` (always: it is not a layer, there is no
    ``training`` flag); ``noise_shape`` broadcasts the kept pattern."""
    x = _t(x)
    shape = tuple(x.shape) if noise_shape is None else tuple(
        d if d is not None else x.shape[i]
        for i, d in enumerate(_noise_shape(noise_shape)))
    generator = (None if x.device.type == "meta"
                 else _generator(seed, x.device))
    keep = torch.rand(shape, generator=generator, device=x.device) >= level
    return x * keep.to(x.dtype) / (1.0 - level)


def _noise_shape(noise_shape):
    if torch.is_tensor(noise_shape):
        return [int(d) for d in noise_shape]
    return [None if d is None else int(d) for d in noise_shape]


@keras_op("backend.in_top_k", keras3=False, tf=("compat.v1.math.in_top_k",
                                                ("predictions", "targets",
                                                 "k")))
def in_top_k(predictions, targets, k):
    """For each row, whether the ``targets`` class is among the ``k``
    highest ``predictions`` (ties at the boundary count as in, as
    TensorFlow's)."""
    predictions = _t(predictions)
    targets = _t(targets).long().reshape(-1, 1)
    score = torch.gather(predictions, 1, targets)
    above = torch.sum(predictions > score, dim=1)
    return (above < k) & torch.isfinite(score).squeeze(1)


@keras_op("backend.bias_add", keras3=False)
def bias_add(x, bias, data_format=None):
    """``x + bias`` along the channels axis (``data_format``, default
    ``image_data_format()``); a bias of rank ``ndim(x) - 1`` has the
    spatial axes too."""
    x, bias = _t(x), _t(bias)
    data_format = _data_format(data_format)
    if bias.ndim not in (1, x.ndim - 1):
        raise ValueError(
            f"Unexpected bias dimensions {bias.ndim}, expected 1 or "
            f"{x.ndim - 1} dimensions. Received: bias.shape="
            f"{tuple(bias.shape)}")
    if data_format == "channels_first" and x.ndim > 2:
        if bias.ndim == 1:
            return x + bias.reshape((1, -1) + (1,) * (x.ndim - 2))
        return x + torch.movedim(bias, -1, 0).unsqueeze(0)
    return x + bias


def _conv_args(data_format, strides, dilation_rate):
    return dict(strides=strides, data_format=_data_format(data_format),
                dilation_rate=dilation_rate)


@keras_op("backend.conv1d", keras3=False)
def conv1d(x, kernel, strides=1, padding="valid", data_format=None,
           dilation_rate=1):
    """1-D convolution with a Keras kernel ``(width, in, out)``;
    ``padding`` is ``"valid"``, ``"same"`` or ``"causal"``."""
    from torchkeras.ops import nn as ops_nn

    x, kernel = _t(x), _t(kernel)
    if padding == "causal":
        left = dilation_rate * (kernel.shape[0] - 1)
        axis = 2 if _data_format(data_format) == "channels_first" else 1
        x = _pad(x, [(left, 0)], [axis])
        padding = "valid"
    return ops_nn.conv(x, kernel, padding=padding,
                       **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.conv2d", keras3=False)
def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1)):
    """2-D convolution with a Keras kernel ``(h, w, in, out)``."""
    from torchkeras.ops import nn as ops_nn

    return ops_nn.conv(_t(x), _t(kernel), padding=padding,
                       **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.conv3d", keras3=False)
def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3-D convolution with a Keras kernel ``(d, h, w, in, out)``."""
    from torchkeras.ops import nn as ops_nn

    return ops_nn.conv(_t(x), _t(kernel), padding=padding,
                       **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.depthwise_conv2d", keras3=False)
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise 2-D convolution, kernel ``(h, w, in, multiplier)``."""
    from torchkeras.ops import nn as ops_nn

    return ops_nn.depthwise_conv(
        _t(x), _t(depthwise_kernel), padding=padding,
        **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.separable_conv2d", keras3=False)
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                     padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Depthwise then pointwise (``(1, 1, in * multiplier, out)``) 2-D
    convolution."""
    from torchkeras.ops import nn as ops_nn

    return ops_nn.separable_conv(
        _t(x), _t(depthwise_kernel), _t(pointwise_kernel), padding=padding,
        **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.conv2d_transpose", keras3=False)
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1),
                     padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Transposed 2-D convolution to ``output_shape`` (batch first, in
    ``data_format``; its batch entry may be None), kernel ``(h, w, out,
    in)``, as ``tf.nn.conv2d_transpose``: the gradient of a convolution
    whose input has ``output_shape``."""
    x, kernel = _t(x), _t(kernel)
    data_format = _data_format(data_format)
    strides = _pair(strides)
    dilation = _pair(dilation_rate)
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
        out_hw = tuple(output_shape[1:3])
    else:
        out_hw = tuple(output_shape[2:4])
    out_hw = tuple(int(d) for d in out_hw)
    weight = kernel.permute(3, 2, 0, 1)
    full = torch.nn.functional.conv_transpose2d(
        x, weight, stride=strides, dilation=dilation)
    for axis, size in ((2, out_hw[0]), (3, out_hw[1])):
        i = axis - 2
        before = 0
        if padding == "same":
            k = dilation[i] * (kernel.shape[i] - 1) + 1
            steps = -(-size // strides[i])
            before = builtins.max((steps - 1) * strides[i] + k - size, 0) // 2
        elif padding != "valid":
            raise ValueError(
                "Invalid padding. Expected 'valid' or 'same'. Received: "
                f"padding={padding!r}")
        full = full.narrow(axis, before, builtins.min(
            size, full.shape[axis] - before))
        short = size - full.shape[axis]
        if short > 0:
            full = _pad(full, [(0, short)], [axis])
    if data_format == "channels_last":
        full = full.permute(0, 2, 3, 1)
    return full


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _pool(x, pool_size, strides, padding, data_format, pool_mode):
    from torchkeras.ops import nn as ops_nn

    if pool_mode not in ("max", "avg"):
        raise ValueError(
            "Invalid pooling mode. Expected 'max' or 'avg'. Received: "
            f"pool_mode={pool_mode!r}")
    fn = ops_nn.max_pool if pool_mode == "max" else ops_nn.average_pool
    return fn(_t(x), pool_size, strides=strides, padding=padding,
              data_format=_data_format(data_format))


@keras_op("backend.pool2d", keras3=False)
def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    """2-D max or average (``pool_mode="avg"``) pooling."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


@keras_op("backend.pool3d", keras3=False)
def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid",
           data_format=None, pool_mode="max"):
    """3-D max or average (``pool_mode="avg"``) pooling."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


def _local_conv(inputs, kernel, kernel_size, strides, data_format):
    """Unshared-weight convolution: the patch at each output position
    (flattened in tf.keras's order) times that position's kernel slice."""
    x, kernel = _t(inputs), _t(kernel)
    rank = len(kernel_size)
    data_format = _data_format(data_format)
    if data_format == "channels_last":
        x = torch.movedim(x, -1, 1)
    for i in range(rank):  # -> (batch, c, o1.., k1..) via unfold
        x = x.unfold(2 + i, kernel_size[i], strides[i])
    out_shape = tuple(x.shape[2:2 + rank])
    # patch element order: tf.keras flattens (k1.., c) channels last and
    # (c, k1..) channels first.
    perm = ([0] + list(range(2, 2 + rank)))
    if data_format == "channels_last":
        perm += list(range(2 + rank, 2 + 2 * rank)) + [1]
    else:
        perm += [1] + list(range(2 + rank, 2 + 2 * rank))
    patches = x.permute(*perm).reshape(x.shape[0], -1, kernel.shape[1])
    out = torch.einsum("bpj,pjf->bpf", patches, kernel)
    out = out.reshape((x.shape[0],) + out_shape + (kernel.shape[-1],))
    return out if data_format == "channels_last" else torch.movedim(
        out, -1, 1)


@keras_op("backend.local_conv1d", keras3=False)
def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """1-D convolution with unshared weights: ``kernel`` is
    ``(output_length, kernel_size * channels, filters)``."""
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides),
                       data_format)


@keras_op("backend.local_conv2d", keras3=False)
def local_conv2d(inputs, kernel, kernel_size, strides, output_shape,
                 data_format=None):
    """2-D convolution with unshared weights: ``kernel`` is
    ``(rows * cols, kh * kw * channels, filters)`` for ``output_shape =
    (rows, cols)``."""
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides),
                       data_format)


@keras_op("backend.categorical_focal_crossentropy", keras3=False)
def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0,
                                   from_logits=False, axis=-1):
    """Focal crossentropy of each sample (tf.keras's): ``alpha * (1 -
    p)**gamma * -target * log(p)`` summed over ``axis``."""
    target, output = _t(target), _t(output)
    if from_logits:
        output = torch.softmax(output, dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    cce = -target * torch.log(output)
    return torch.sum(alpha * torch.pow(1.0 - output, gamma) * cce, dim=axis)


@keras_op("backend.binary_focal_crossentropy", keras3=False)
def binary_focal_crossentropy(target, output, apply_class_balancing=False,
                              alpha=0.25, gamma=2.0, from_logits=False):
    """Element-wise focal binary crossentropy (tf.keras's): ``(1 -
    p_t)**gamma`` times ``binary_crossentropy``, weighted by ``alpha``
    for positives and ``1 - alpha`` for negatives when balancing."""
    target, output = _t(target), _t(output)
    p = torch.sigmoid(output) if from_logits else output
    p_t = target * p + (1 - target) * (1 - p)
    bce = binary_crossentropy.op_spec.fn(target, output,
                                         from_logits=from_logits)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (target * alpha + (1 - target) * (1 - alpha)) * focal
    return focal


@keras_op("backend.random_bernoulli", keras3=False)
def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p``, else 0 (floatx by default)."""
    u = random_uniform.op_spec.fn(shape, dtype=dtype, seed=seed)
    return (u <= p).to(u.dtype)


@keras_op("backend.random_binomial", keras3=False)
def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated alias of ``random_bernoulli``."""
    warnings.warn(
        "`tf.keras.backend.random_binomial` is deprecated, and will be "
        "removed in a future version.Please use "
        "`tf.keras.backend.random_bernoulli` instead.", stacklevel=3)
    return random_bernoulli.op_spec.fn(shape, p, dtype, seed)


@keras_op("backend.truncated_normal", keras3=False, tf=(
    "random.truncated_normal", ("shape", "mean", "stddev", "dtype",
                                "seed")))
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn beyond two standard deviations."""
    device = _device()
    out = torch.empty(_shape_arg(shape), dtype=_float_dtype(dtype),
                      device=device)
    return torch.nn.init.trunc_normal_(
        out, mean, stddev, mean - 2 * stddev, mean + 2 * stddev,
        generator=_generator(seed, device))


ctc_batch_cost = keras_op("backend.ctc_batch_cost", keras3=False)(
    ctc.ctc_batch_cost)


def _unstacked(elems):
    if isinstance(elems, (list, tuple)):
        return list(elems)
    return list(torch.unbind(_t(elems)))


@keras_export("keras.backend.map_fn")
def map_fn(fn, elems, name=None, dtype=None):
    """``fn`` applied to each slice of ``elems`` along its first axis; the
    results stacked."""
    _eager_only("map_fn", elems)
    return torch.stack([_t(fn(e)) for e in _unstacked(elems)])


@keras_export("keras.backend.foldl")
def foldl(fn, elems, initializer=None, name=None):
    """``fn(acc, x)`` over the slices of ``elems`` from the first (the
    first slice is the start value when ``initializer`` is None)."""
    _eager_only("foldl", elems, initializer)
    items = _unstacked(elems)
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc


@keras_export("keras.backend.foldr")
def foldr(fn, elems, initializer=None, name=None):
    """``fn(acc, x)`` over the slices of ``elems`` from the last."""
    _eager_only("foldr", elems, initializer)
    items = _unstacked(elems)[::-1]
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc
