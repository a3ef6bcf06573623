"""The tf.keras 2 backend functions (``K.sum``, ``K.cast``, ...) on torch.

User code written as ``import keras.backend as K`` calls these inside
custom losses, metrics and layers. Each is a thin wrapper over the torch
operation with Keras's argument names (``axis``, ``keepdims``) and dtype
names. They take tensors, NumPy arrays or Python numbers and return torch
tensors.
"""

import numpy as np
import torch

from torchkeras.backend import config


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


def int_shape(x):
    """The static shape as a tuple of ints (``None`` where unknown)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"`int_shape` needs a tensor. Received: x={x!r}")
    return tuple(None if d is None else int(d) for d in shape)


def is_keras_tensor(x):
    """True for symbolic tensors of the functional API."""
    from torchkeras.graph.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


def ndim(x):
    return len(int_shape(x))


def shape(x):
    """The dynamic shape, as a tuple of ints."""
    return tuple(_t(x).shape)


def dtype(x):
    return config.standardize_dtype(_t(x).dtype)


def cast(x, dtype):
    return _t(x, config.to_torch_dtype(dtype))


def constant(value, dtype=None, shape=None, name=None):
    t = _t(value, config.to_torch_dtype(dtype or config.floatx()))
    return t.expand(shape).clone() if shape is not None else t


def variable(value, dtype=None, name=None, constraint=None):
    from torchkeras.backend.variables import Variable

    t = _t(value, config.to_torch_dtype(dtype or config.floatx()))
    return Variable(t.clone(), requires_grad=t.is_floating_point(),
                    name=name, path=name)


def get_value(x):
    """The value as NumPy (floats pass through, as tf.keras allows)."""
    if isinstance(x, (int, float)):
        return x
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def set_value(x, value):
    """Assigns ``value`` to a variable (in place)."""
    if not torch.is_tensor(x):
        raise TypeError(
            "`set_value` needs a variable (a tensor) to assign to. For an "
            "optimizer's learning rate, write `optimizer.learning_rate = "
            f"value`. Received: x={x!r}"
        )
    with torch.no_grad():
        x.copy_(_t(value, x.dtype))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def eval(x):  # noqa: A001 - tf.keras name
    return get_value(x)


def zeros(shape, dtype=None, name=None):
    return torch.zeros(shape, dtype=config.to_torch_dtype(
        dtype or config.floatx()))


def ones(shape, dtype=None, name=None):
    return torch.ones(shape, dtype=config.to_torch_dtype(
        dtype or config.floatx()))


def eye(size, dtype=None, name=None):
    return torch.eye(size, dtype=config.to_torch_dtype(
        dtype or config.floatx()))


def zeros_like(x, dtype=None, name=None):
    x = _t(x)
    return torch.zeros_like(x, dtype=config.to_torch_dtype(dtype)
                            if dtype else None)


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


def sum(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    return _reduce(torch.sum, x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    x = _t(x)
    if not x.is_floating_point():
        x = x.to(config.to_torch_dtype(config.floatx()))
    return _reduce(torch.mean, x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return _reduce(torch.prod, x, None, keepdims)
    return torch.prod(x, dim=axis, keepdim=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x)
    if axis is None:
        return _reduce(torch.amax, x, None, keepdims)
    return torch.amax(x, dim=_axis(axis), keepdim=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x)
    if axis is None:
        return _reduce(torch.amin, x, None, keepdims)
    return torch.amin(x, dim=_axis(axis), keepdim=keepdims)


def std(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return x.std(unbiased=False)
    return x.std(dim=_axis(axis), unbiased=False, keepdim=keepdims)


def var(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return x.var(unbiased=False)
    return x.var(dim=_axis(axis), unbiased=False, keepdim=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x).bool()
    return x.any() if axis is None else x.any(dim=axis, keepdim=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    x = _t(x).bool()
    return x.all() if axis is None else x.all(dim=axis, keepdim=keepdims)


def argmax(x, axis=-1):
    return torch.argmax(_t(x), dim=axis)


def argmin(x, axis=-1):
    return torch.argmin(_t(x), dim=axis)


def square(x):
    return torch.square(_t(x))


def sqrt(x):
    return torch.sqrt(_t(x))


def abs(x):  # noqa: A001 - tf.keras name
    return torch.abs(_t(x))


def exp(x):
    return torch.exp(_t(x))


def log(x):
    return torch.log(_t(x))


def pow(x, a):  # noqa: A001 - tf.keras name
    return torch.pow(_t(x), a)


def sign(x):
    return torch.sign(_t(x))


def round(x):  # noqa: A001 - tf.keras name
    return torch.round(_t(x))


def clip(x, min_value, max_value):
    return torch.clamp(_t(x), min_value, max_value)


def maximum(x, y):
    return torch.maximum(_t(x), _t(y))


def minimum(x, y):
    return torch.minimum(_t(x), _t(y))


def equal(x, y):
    return torch.eq(_t(x), _t(y))


def not_equal(x, y):
    return torch.ne(_t(x), _t(y))


def greater(x, y):
    return torch.gt(_t(x), _t(y))


def greater_equal(x, y):
    return torch.ge(_t(x), _t(y))


def less(x, y):
    return torch.lt(_t(x), _t(y))


def less_equal(x, y):
    return torch.le(_t(x), _t(y))


def switch(condition, then_expression, else_expression):
    return torch.where(_t(condition).bool(), _t(then_expression),
                       _t(else_expression))


def dot(x, y):
    return torch.matmul(_t(x), _t(y))


def batch_dot(x, y, axes=None):
    """Batchwise dot product, as tf.keras's ``batch_dot``."""
    x, y = _t(x), _t(y)
    if axes is None:
        axes = (x.dim() - 1, y.dim() - 2)
    if isinstance(axes, int):
        axes = (axes, axes)
    return _batch_dot(x, y, axes)


def _batch_dot(x, y, axes):
    ax, ay = [a % t.dim() for a, t in zip(axes, (x, y))]
    x = torch.movedim(x, ax, -1)
    y = torch.movedim(y, ay, 1)
    xs, ys = x.shape, y.shape
    x2 = x.reshape(xs[0], -1, xs[-1])
    y2 = y.reshape(ys[0], ys[1], -1)
    out = torch.bmm(x2, y2)
    shape = tuple(xs[1:-1]) + tuple(ys[2:])
    out = out.reshape((xs[0],) + shape)
    if out.dim() == 1:
        out = out.unsqueeze(-1)
    return out


def transpose(x):
    x = _t(x)
    return x.permute(*reversed(range(x.dim())))


def permute_dimensions(x, pattern):
    return _t(x).permute(*pattern)


def reshape(x, shape):
    return torch.reshape(_t(x), tuple(shape))


def flatten(x):
    return torch.reshape(_t(x), (-1,))


def batch_flatten(x):
    x = _t(x)
    return x.reshape(x.shape[0], -1)


def expand_dims(x, axis=-1):
    return torch.unsqueeze(_t(x), axis)


def squeeze(x, axis):
    return torch.squeeze(_t(x), axis)


def concatenate(tensors, axis=-1):
    return torch.cat([_t(t) for t in tensors], dim=axis)


def stack(x, axis=0):
    return torch.stack([_t(t) for t in x], dim=axis)


def tile(x, n):
    return _t(x).repeat(*n) if isinstance(n, (list, tuple)) else (
        _t(x).repeat(n))


def repeat_elements(x, rep, axis):
    return torch.repeat_interleave(_t(x), rep, dim=axis)


def gather(reference, indices):
    return _t(reference)[_t(indices).long()]


def one_hot(indices, num_classes):
    return torch.nn.functional.one_hot(_t(indices).long(),
                                       num_classes).to(
        config.to_torch_dtype(config.floatx()))


def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def sigmoid(x):
    return torch.sigmoid(_t(x))


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from torchkeras import activations

    return activations.relu(_t(x), negative_slope=alpha,
                            max_value=max_value, threshold=threshold)


def tanh(x):
    return torch.tanh(_t(x))


def l2_normalize(x, axis=None):
    x = _t(x)
    sq = torch.sum(x * x, dim=axis, keepdim=True) if axis is not None else (
        torch.sum(x * x))
    return x * torch.rsqrt(torch.clamp(sq, min=1e-12))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Element-wise over the batch (no mean over an axis), as tf.keras."""
    from torchkeras import ops

    return ops.categorical_crossentropy(target, output,
                                        from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False,
                                    axis=-1):
    from torchkeras import ops

    return ops.sparse_categorical_crossentropy(
        target, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy, as tf.keras's backend."""
    from torchkeras import ops

    return ops.binary_crossentropy(target, output, from_logits=from_logits)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    return torch.normal(mean, stddev, size=tuple(shape), generator=g,
                        dtype=config.to_torch_dtype(dtype or config.floatx()))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    t = torch.rand(tuple(shape), generator=g,
                   dtype=config.to_torch_dtype(dtype or config.floatx()))
    return t * (maxval - minval) + minval


def learning_phase():
    """0 (inference) outside ``fit``; layers take ``training`` instead."""
    from torchkeras.layers.layer import CALL_CONTEXT

    return 1 if CALL_CONTEXT.training else 0


def count_params(x):
    return int(np.prod(int_shape(x)))


def stop_gradient(x):
    return _t(x).detach()


def backend():
    """The name of the backend: ``'torch'``."""
    return "torch"
