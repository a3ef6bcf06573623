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
    """The static shape of `x` as a tuple of ints (`None` where unknown).

    Args:
        x: A tensor, array, variable or symbolic KerasTensor.

    Returns:
        A tuple of ints and `None`s.

    Raises:
        TypeError: If `x` has no shape.

    Examples:
        >>> keras.backend.int_shape(keras.backend.zeros((2, 3)))
        (2, 3)
        >>> keras.backend.int_shape(keras.Input((4,)))
        (None, 4)
    """
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"`int_shape` needs a tensor. Received: x={x!r}")
    return tuple(None if d is None else int(d) for d in shape)


@keras_export("keras.backend.is_keras_tensor")
def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor of the functional API.

    Args:
        x: Any value.

    Returns:
        `True` for a KerasTensor (such as the output of `keras.Input`),
        `False` for concrete tensors and other values.

    Examples:
        >>> keras.backend.is_keras_tensor(keras.Input((3,)))
        True
        >>> keras.backend.is_keras_tensor(keras.backend.zeros((3,)))
        False
    """
    from torchkeras.graph.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


@keras_export("keras.backend.ndim")
def ndim(x):
    """The number of axes of `x`, as an int.

    Args:
        x: A tensor, array, variable or KerasTensor.

    Returns:
        The rank of `x`.

    Examples:
        >>> keras.backend.ndim(keras.backend.zeros((2, 3)))
        2
    """
    return len(int_shape(x))


@keras_op("backend.shape", keras3=False, tf=("shape", ("input",)))
def shape(x):
    """The dynamic shape of `x`: a 1-D `int32` tensor, as tf.keras's.

    It lives on the CPU (TensorFlow keeps shape tensors in host memory),
    so `K.shape(x)[0]` as a shape argument needs no device sync. On a
    KerasTensor it is a symbolic `int32` tensor of shape `(ndim,)`.

    Args:
        x: A tensor, array or KerasTensor.

    Returns:
        An `int32` tensor of the sizes of the axes of `x`.

    Examples:
        >>> keras.backend.shape(keras.backend.zeros((2, 3)))
        tensor([2, 3], dtype=torch.int32)
    """
    return torch.tensor(tuple(_t(x).shape), dtype=torch.int32)


@keras_export("keras.backend.dtype")
def dtype(x):
    """The dtype name of `x` (a tensor or a KerasTensor).

    Args:
        x: A tensor, array, variable or KerasTensor.

    Returns:
        The Keras dtype name, such as `'float32'`.

    Examples:
        >>> keras.backend.dtype(keras.backend.zeros((2,)))
        'float32'
        >>> keras.backend.dtype(keras.backend.arange(3))
        'int32'
    """
    if isinstance(getattr(x, "dtype", None), str):
        return x.dtype  # a KerasTensor
    return config.standardize_dtype(_t(x).dtype)


@keras_op("backend.cast", keras3=False, tf=("cast", ("x", "dtype")))
def cast(x, dtype):
    """`x` converted to `dtype`.

    Floats cast to an integer dtype are truncated toward zero, as
    `tf.cast` does.

    Args:
        x: A tensor, array or Python number.
        dtype: The target dtype name (`'int32'`, `'float16'`, ...) or a
            torch dtype.

    Returns:
        A tensor of dtype `dtype`.

    Examples:
        >>> keras.backend.cast([1.7, -1.2], "int32")
        tensor([ 1, -1], dtype=torch.int32)
    """
    return _t(x, config.to_torch_dtype(dtype))


@keras_op("backend.constant", keras3=False)
def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding `value` (default dtype `floatx()`).

    With `shape`, a scalar `value` fills the whole shape and a value of as
    many elements is reshaped to it.

    Args:
        value: A number, nested list, array or tensor.
        dtype: The dtype name; `None` means `floatx()`.
        shape: Optional shape of the result (ints, or scalar tensors such
            as `K.shape(x)[0]`).
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.constant(2.0, shape=(2, 2))
        tensor([[2., 2.],
                [2., 2.]])
        >>> keras.backend.constant([1, 2, 3, 4], dtype="int32", shape=(2, 2))
        tensor([[1, 2],
                [3, 4]], dtype=torch.int32)
    """
    t = _t(value, config.to_torch_dtype(dtype or config.floatx()))
    if shape is None:
        return t
    shape = _shape_arg(shape)
    if t.numel() == 1:
        return t.reshape(()).expand(shape).clone()
    return t.reshape(shape)


@keras_export("keras.backend.variable")
def variable(value, dtype=None, name=None, constraint=None):
    """A `Variable` holding a copy of `value` (default dtype `floatx()`).

    Assigned to a layer or model attribute, it is one of its weights.
    `constraint` is applied after each optimizer step of `fit`.

    Args:
        value: The initial value: a number, nested list, array or tensor.
        dtype: The dtype name; `None` means `floatx()`.
        name: The variable's name.
        constraint: Optional constraint (a `keras.constraints` object or
            name) projecting the value after each optimizer update.

    Returns:
        A `keras.Variable`.

    Examples:
        >>> v = keras.backend.variable([[1.0, 2.0]], name="v")
        >>> keras.backend.get_value(v)
        array([[1., 2.]], dtype=float32)
        >>> v.name
        'v'
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
    """The value of `x` as a NumPy array (a copy).

    Python numbers pass through unchanged, as tf.keras allows.

    Args:
        x: A variable, tensor (an optimizer's learning rate included) or
            Python number.

    Returns:
        A NumPy array, or the number.

    Raises:
        TypeError: If `x` is a symbolic KerasTensor, which has no value.

    Examples:
        >>> v = keras.backend.variable([1.0, 2.0])
        >>> keras.backend.get_value(v)
        array([1., 2.], dtype=float32)
    """
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
    """The values of several variables or tensors, as NumPy arrays.

    Args:
        tensors: A list of variables or tensors.

    Returns:
        A list of NumPy arrays, as `get_value` returns each.

    Examples:
        >>> a = keras.backend.variable([1.0])
        >>> b = keras.backend.variable([2.0, 3.0])
        >>> keras.backend.batch_get_value([a, b])
        [array([1.], dtype=float32), array([2., 3.], dtype=float32)]
    """
    return [get_value(t) for t in tensors]


@keras_export("keras.backend.set_value")
def set_value(x, value):
    """Assigns `value` to a variable (in place).

    `K.set_value(model.optimizer.learning_rate, 0.01)` sets the learning
    rate of the next step, as in tf.keras.

    Args:
        x: The variable (or tensor) to assign to.
        value: The new value, a number, array or tensor of the same shape.

    Raises:
        TypeError: If `x` is neither a variable nor a tensor.

    Examples:
        >>> v = keras.backend.variable([1.0, 2.0])
        >>> keras.backend.set_value(v, [3.0, 4.0])
        >>> keras.backend.get_value(v)
        array([3., 4.], dtype=float32)
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
    """Assigns values to several variables (in place).

    Args:
        tuples: A list of `(variable, value)` pairs.

    Examples:
        >>> a = keras.backend.variable(0.0)
        >>> b = keras.backend.variable([0.0, 0.0])
        >>> keras.backend.batch_set_value([(a, 1.0), (b, [2.0, 3.0])])
        >>> keras.backend.batch_get_value([a, b])
        [array(1., dtype=float32), array([2., 3.], dtype=float32)]
    """
    for x, value in tuples:
        set_value(x, value)


@keras_export("keras.backend.eval")
def eval(x):  # noqa: A001 - tf.keras name
    """The value of a variable or tensor, as a NumPy array (`get_value`).

    Args:
        x: A variable or tensor.

    Returns:
        A NumPy array.

    Examples:
        >>> keras.backend.eval(keras.backend.ones((2,)))
        array([1., 1.], dtype=float32)
    """
    return get_value(x)


@keras_op("backend.zeros", keras3=False, tf=("zeros", ("shape", "dtype",
                                                       "name")))
def zeros(shape, dtype=None, name=None):
    """A tensor of zeros (default dtype `floatx()`).

    It is created on `current_device()`.

    Args:
        shape: The shape: a tuple of ints (or scalar tensors), or an int.
        dtype: The dtype name; `None` means `floatx()`.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.zeros((2, 3))
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
    """
    return torch.zeros(_shape_arg(shape), dtype=_float_dtype(dtype),
                       device=_device())


@keras_op("backend.ones", keras3=False, tf=("ones", ("shape", "dtype",
                                                     "name")))
def ones(shape, dtype=None, name=None):
    """A tensor of ones (default dtype `floatx()`).

    It is created on `current_device()`.

    Args:
        shape: The shape: a tuple of ints (or scalar tensors), or an int.
        dtype: The dtype name; `None` means `floatx()`.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.ones((2, 3), dtype="int32")
        tensor([[1, 1, 1],
                [1, 1, 1]], dtype=torch.int32)
    """
    return torch.ones(_shape_arg(shape), dtype=_float_dtype(dtype),
                      device=_device())


@keras_op("backend.eye", keras3=False)
def eye(size, dtype=None, name=None):
    """An identity matrix (default dtype `floatx()`).

    Args:
        size: The number of rows and columns, or a `(rows, columns)` pair.
        dtype: The dtype name; `None` means `floatx()`.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        A 2-D tensor with ones on the diagonal.

    Examples:
        >>> keras.backend.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
        >>> keras.backend.eye((2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    rows, cols = ((size, size) if not isinstance(size, (list, tuple))
                  else size)
    return torch.eye(int(rows), int(cols), dtype=_float_dtype(dtype),
                     device=_device())


@keras_op("backend.zeros_like", keras3=False, tf=(
    "zeros_like", ("input", "dtype", "name")))
def zeros_like(x, dtype=None, name=None):
    """A tensor of zeros with the shape (and by default the dtype) of `x`.

    Args:
        x: A tensor or array.
        dtype: The dtype name; `None` keeps the dtype of `x`.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.zeros_like(keras.backend.ones((2, 2)))
        tensor([[0., 0.],
                [0., 0.]])
    """
    x = _t(x)
    return torch.zeros_like(x, dtype=config.to_torch_dtype(dtype)
                            if dtype else None)


@keras_op("backend.ones_like", keras3=False, tf=(
    "ones_like", ("input", "dtype", "name")))
def ones_like(x, dtype=None, name=None):
    """A tensor of ones with the shape (and by default the dtype) of `x`.

    Args:
        x: A tensor or array.
        dtype: The dtype name; `None` keeps the dtype of `x`.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.ones_like(keras.backend.zeros((2, 2)), dtype="int32")
        tensor([[1, 1],
                [1, 1]], dtype=torch.int32)
    """
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
    """Sum of the elements of `x` along `axis`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` sums all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.sum(x)
        tensor(10.)
        >>> keras.backend.sum(x, axis=1, keepdims=True)
        tensor([[3.],
                [7.]])
    """
    return _reduce(torch.sum, x, axis, keepdims)


@keras_op("backend.mean", keras3=False, tf=(
    "math.reduce_mean", ("input_tensor", "axis", "keepdims")))
def mean(x, axis=None, keepdims=False):
    """Mean of the elements of `x` along `axis`.

    Integer inputs are averaged in `floatx()`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` averages all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A floating point tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.mean(x, axis=0)
        tensor([2., 3.])
    """
    x = _t(x)
    if not x.is_floating_point():
        x = x.to(config.to_torch_dtype(config.floatx()))
    return _reduce(torch.mean, x, axis, keepdims)


@keras_op("backend.prod", keras3=False, tf=(
    "math.reduce_prod", ("input_tensor", "axis", "keepdims")))
def prod(x, axis=None, keepdims=False):
    """Product of the elements of `x` along `axis`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` multiplies all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.prod(x, axis=1)
        tensor([ 2., 12.])
        >>> keras.backend.prod(x, axis=[0, 1])
        tensor(24.)
    """
    x = _t(x)
    if axis is None:
        return _reduce(torch.prod, x, None, keepdims)
    if not isinstance(axis, (list, tuple)):
        return torch.prod(x, dim=axis, keepdim=keepdims)
    # torch.prod takes one dim: reduce each (kept), then drop them.
    dims = sorted({d % x.dim() for d in axis})
    for d in dims:
        x = torch.prod(x, dim=d, keepdim=True)
    return x if keepdims else x.squeeze(dims) if dims else x


@keras_op("backend.max", keras3=False, tf=(
    "math.reduce_max", ("input_tensor", "axis", "keepdims")))
def max(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    """Maximum of the elements of `x` along `axis`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` reduces all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 5.0], [3.0, 4.0]])
        >>> keras.backend.max(x, axis=1)
        tensor([5., 4.])
    """
    x = _t(x)
    if axis is None:
        return _reduce(torch.amax, x, None, keepdims)
    return torch.amax(x, dim=_axis(axis), keepdim=keepdims)


@keras_op("backend.min", keras3=False, tf=(
    "math.reduce_min", ("input_tensor", "axis", "keepdims")))
def min(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    """Minimum of the elements of `x` along `axis`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` reduces all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 5.0], [3.0, 4.0]])
        >>> keras.backend.min(x, axis=0)
        tensor([1., 4.])
    """
    x = _t(x)
    if axis is None:
        return _reduce(torch.amin, x, None, keepdims)
    return torch.amin(x, dim=_axis(axis), keepdim=keepdims)


@keras_op("backend.std", keras3=False, tf=("math.reduce_std", (
    "input_tensor", "axis", "keepdims")))
def std(x, axis=None, keepdims=False):
    """Standard deviation of `x` along `axis`.

    The population standard deviation (divisor `n`), as
    `tf.math.reduce_std`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` reduces all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A floating point tensor.

    Examples:
        >>> keras.backend.std(keras.backend.constant([1.0, 3.0, 5.0, 7.0]))
        tensor(2.2361)
    """
    return torch.sqrt(var(x, axis=axis, keepdims=keepdims))


@keras_op("backend.var", keras3=False, tf=("math.reduce_variance", (
    "input_tensor", "axis", "keepdims")))
def var(x, axis=None, keepdims=False):
    """Variance of `x` along `axis`.

    The population variance (divisor `n`), as `tf.math.reduce_variance`;
    integer inputs are computed in `floatx()`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` reduces all elements.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A floating point tensor.

    Examples:
        >>> keras.backend.var(keras.backend.constant([1.0, 3.0, 5.0, 7.0]))
        tensor(5.)
    """
    x = _t(x)
    if not x.is_floating_point():
        x = x.to(_float_dtype(None))
    return torch.var(x, dim=_axis(axis), correction=0, keepdim=keepdims)


@keras_op("backend.any", keras3=False, tf=(
    "math.reduce_any", ("input_tensor", "axis", "keepdims")))
def any(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    """Whether any element of `x` is true (non-zero) along `axis`.

    Args:
        x: A tensor or array, cast to bool.
        axis: An int or a list of ints; `None` reduces all elements.
        keepdims: Whether to keep the reduced axis with size 1.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.backend.constant([[0.0, 1.0], [0.0, 0.0]])
        >>> keras.backend.any(x, axis=1)
        tensor([ True, False])
    """
    x = _t(x).bool()
    return x.any() if axis is None else x.any(dim=axis, keepdim=keepdims)


@keras_op("backend.all", keras3=False, tf=(
    "math.reduce_all", ("input_tensor", "axis", "keepdims")))
def all(x, axis=None, keepdims=False):  # noqa: A001 - tf.keras name
    """Whether all elements of `x` are true (non-zero) along `axis`.

    Args:
        x: A tensor or array, cast to bool.
        axis: An int or a list of ints; `None` reduces all elements.
        keepdims: Whether to keep the reduced axis with size 1.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 1.0], [0.0, 1.0]])
        >>> keras.backend.all(x, axis=1)
        tensor([ True, False])
    """
    x = _t(x).bool()
    return x.all() if axis is None else x.all(dim=axis, keepdim=keepdims)


@keras_op("backend.argmax", keras3=False, tf=(
    "math.argmax", ("input", "axis")))
def argmax(x, axis=-1):
    """The index of the largest value of `x` along `axis`.

    Args:
        x: A tensor or array.
        axis: The axis to search (default: the last).

    Returns:
        An int64 tensor of indices.

    Examples:
        >>> x = keras.backend.constant([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
        >>> keras.backend.argmax(x)
        tensor([1, 0])
    """
    return torch.argmax(_t(x), dim=axis)


@keras_op("backend.argmin", keras3=False, tf=(
    "math.argmin", ("input", "axis")))
def argmin(x, axis=-1):
    """The index of the smallest value of `x` along `axis`.

    Args:
        x: A tensor or array.
        axis: The axis to search (default: the last).

    Returns:
        An int64 tensor of indices.

    Examples:
        >>> x = keras.backend.constant([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
        >>> keras.backend.argmin(x)
        tensor([0, 2])
    """
    return torch.argmin(_t(x), dim=axis)


@keras_op("backend.square", keras3=False, tf=("math.square", ("x",)))
def square(x):
    """Element-wise square of `x`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.square(keras.backend.constant([-2.0, 3.0]))
        tensor([4., 9.])
    """
    return torch.square(_t(x))


@keras_op("backend.sqrt", keras3=False, tf=("math.sqrt", ("x",)))
def sqrt(x):
    """Element-wise square root of `x`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor (`nan` for negative entries).

    Examples:
        >>> keras.backend.sqrt(keras.backend.constant([4.0, 9.0]))
        tensor([2., 3.])
    """
    return torch.sqrt(_t(x))


@keras_op("backend.abs", keras3=False, tf=("math.abs", ("x",)))
def abs(x):  # noqa: A001 - tf.keras name
    """Element-wise absolute value of `x`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.abs(keras.backend.constant([-1.5, 2.0]))
        tensor([1.5000, 2.0000])
    """
    return torch.abs(_t(x))


@keras_op("backend.exp", keras3=False, tf=("math.exp", ("x",)))
def exp(x):
    """Element-wise exponential of `x`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.exp(keras.backend.constant([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """
    return torch.exp(_t(x))


@keras_op("backend.log", keras3=False, tf=("math.log", ("x",)))
def log(x):
    """Element-wise natural logarithm of `x`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor (`-inf` at 0, `nan` for negative entries).

    Examples:
        >>> keras.backend.log(keras.backend.constant([1.0, np.e]))
        tensor([0., 1.])
    """
    return torch.log(_t(x))


@keras_op("backend.pow", keras3=False, tf=("math.pow", ("x", "y")))
def pow(x, a):  # noqa: A001 - tf.keras name
    """Element-wise `x` to the power `a`.

    Args:
        x: A tensor or array.
        a: The exponent: a number or a tensor broadcastable against `x`.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.pow(keras.backend.constant([2.0, 3.0]), 2)
        tensor([4., 9.])
    """
    return torch.pow(_t(x), a)


@keras_op("backend.sign", keras3=False, tf=("math.sign", ("x",)))
def sign(x):
    """Element-wise sign of `x`: -1, 0 or 1.

    Args:
        x: A tensor or array.

    Returns:
        A tensor of the dtype of `x`.

    Examples:
        >>> keras.backend.sign(keras.backend.constant([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    return torch.sign(_t(x))


@keras_op("backend.round", keras3=False, tf=("math.round", ("x",)))
def round(x):  # noqa: A001 - tf.keras name
    """Element-wise rounding of `x` to the nearest integer.

    Halves round to the nearest even integer, as `tf.math.round`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor of the dtype of `x`.

    Examples:
        >>> keras.backend.round(keras.backend.constant([0.5, 1.5, 2.5, -1.7]))
        tensor([ 0.,  2.,  2., -2.])
    """
    return torch.round(_t(x))


@keras_op("backend.clip", keras3=False, tf=("clip_by_value", (
    "t", "clip_value_min", "clip_value_max")))
def clip(x, min_value, max_value):
    """Element-wise clipping of `x` to `[min_value, max_value]`.

    `None` bounds are infinite, and a maximum below the minimum is raised
    to it, as in tf.keras.

    Args:
        x: A tensor or array.
        min_value: The lower bound (a number or `None`).
        max_value: The upper bound (a number or `None`).

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([-1.0, 0.5, 2.0])
        >>> keras.backend.clip(x, 0.0, 1.0)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if isinstance(min_value, (int, float)) and isinstance(
            max_value, (int, float)) and max_value < min_value:
        max_value = min_value
    x = _t(x)
    if min_value is None and max_value is None:
        return x
    return torch.clamp(x, min_value, max_value)


@keras_op("backend.maximum", keras3=False, tf=("math.maximum", ("x", "y")))
def maximum(x, y):
    """Element-wise maximum of `x` and `y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 4.0])
        >>> keras.backend.maximum(x, keras.backend.constant([3.0, 2.0]))
        tensor([3., 4.])
    """
    return torch.maximum(_t(x), _t(y))


@keras_op("backend.minimum", keras3=False, tf=("math.minimum", ("x", "y")))
def minimum(x, y):
    """Element-wise minimum of `x` and `y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 4.0])
        >>> keras.backend.minimum(x, keras.backend.constant([3.0, 2.0]))
        tensor([1., 2.])
    """
    return torch.minimum(_t(x), _t(y))


@keras_op("backend.equal", keras3=False, tf=("math.equal", ("x", "y")))
def equal(x, y):
    """Element-wise `x == y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0])
        >>> keras.backend.equal(x, keras.backend.constant([1.0, 3.0]))
        tensor([ True, False])
    """
    return torch.eq(_t(x), _t(y))


@keras_op("backend.not_equal", keras3=False, tf=("math.not_equal", ("x", "y")))
def not_equal(x, y):
    """Element-wise `x != y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0])
        >>> keras.backend.not_equal(x, keras.backend.constant([1.0, 3.0]))
        tensor([False,  True])
    """
    return torch.ne(_t(x), _t(y))


@keras_op("backend.greater", keras3=False, tf=("math.greater", ("x", "y")))
def greater(x, y):
    """Element-wise `x > y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A bool tensor.

    Examples:
        >>> keras.backend.greater(keras.backend.constant([1.0, 2.0, 3.0]), 2.0)
        tensor([False, False,  True])
    """
    return torch.gt(_t(x), _t(y))


@keras_op("backend.greater_equal", keras3=False, tf=(
    "math.greater_equal", ("x", "y")))
def greater_equal(x, y):
    """Element-wise `x >= y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0, 3.0])
        >>> keras.backend.greater_equal(x, 2.0)
        tensor([False,  True,  True])
    """
    return torch.ge(_t(x), _t(y))


@keras_op("backend.less", keras3=False, tf=("math.less", ("x", "y")))
def less(x, y):
    """Element-wise `x < y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A bool tensor.

    Examples:
        >>> keras.backend.less(keras.backend.constant([1.0, 2.0, 3.0]), 2.0)
        tensor([ True, False, False])
    """
    return torch.lt(_t(x), _t(y))


@keras_op("backend.less_equal", keras3=False, tf=(
    "math.less_equal", ("x", "y")))
def less_equal(x, y):
    """Element-wise `x <= y` (broadcasting).

    Args:
        x: A tensor or array.
        y: A tensor or array broadcastable against `x`.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0, 3.0])
        >>> keras.backend.less_equal(x, 2.0)
        tensor([ True,  True, False])
    """
    return torch.le(_t(x), _t(y))


@keras_op("backend.switch", keras3=False, tf=("where", ("condition", "x",
                                                        "y")))
def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition` holds, else `else_expression`.

    A scalar condition picks one branch (callables are called); a
    condition of rank >= 2 is aligned with the branches' leading axes, as
    tf.keras tiles it; a rank-1 one broadcasts as `tf.where`.

    Args:
        condition: A bool (or number) scalar or tensor.
        then_expression: A tensor, or a callable returning one, taken
            where `condition` is true.
        else_expression: A tensor, or a callable returning one, taken
            where `condition` is false.

    Returns:
        A tensor.

    Raises:
        ValueError: If `condition` has a higher rank than the branches.

    Examples:
        >>> x = keras.backend.constant([-1.0, 2.0, -3.0])
        >>> keras.backend.switch(x > 0, x, keras.backend.zeros_like(x))
        tensor([0., 2., 0.])
        >>> keras.backend.switch(True, lambda: x * 2, lambda: x)
        tensor([-2.,  4., -6.])
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
    """Matrix product of `x` and `y`, as tf.keras's `K.dot`.

    For N-D operands it contracts the last axis of `x` with the
    second-to-last axis of `y` (the result has shape `x.shape[:-1] +
    y.shape[:-2] + y.shape[-1:]`), not NumPy's broadcasting matmul.

    Args:
        x: A tensor or array of rank >= 1.
        y: A tensor or array of rank >= 1.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.dot(x, keras.backend.eye(2))
        tensor([[1., 2.],
                [3., 4.]])
        >>> keras.backend.dot(keras.backend.ones((2, 3, 4)),
        ...                   keras.backend.ones((5, 4, 6))).shape
        torch.Size([2, 3, 5, 6])
    """
    x, y = _t(x), _t(y)
    if x.ndim > 2 or y.ndim > 2:
        return torch.tensordot(x, y, dims=([x.ndim - 1], [y.ndim - 2]))
    return torch.matmul(x, y)


@keras_op("backend.batch_dot", keras3=False)
def batch_dot(x, y, axes=None):
    """Batchwise dot product of `x` and `y` over `axes`, as tf.keras's.

    Per sample, `x`'s axis `axes[0]` is contracted with `y`'s `axes[1]`;
    by default the last axis of `x` with the last (rank-2 `y`) or
    second-to-last axis of `y`. A rank-2 operand gets a size-1 axis that
    is removed again, so `(b, n) . (b, n)` gives `(b, 1)`.

    Args:
        x: A tensor of rank >= 2, batch first.
        y: A tensor of rank >= 2 with the same batch size.
        axes: An int (the same axis of both) or a pair of ints; neither
            may be the batch axis 0.

    Returns:
        A tensor with the batch axis, the remaining axes of `x`, then
        those of `y`.

    Raises:
        ValueError: If an operand has rank < 2 or `axes` names axis 0.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> y = keras.backend.constant([[5.0, 6.0], [7.0, 8.0]])
        >>> keras.backend.batch_dot(x, y)
        tensor([[17.],
                [53.]])
        >>> x = keras.backend.ones((32, 20, 1))
        >>> y = keras.backend.ones((32, 30, 20))
        >>> keras.backend.batch_dot(x, y, axes=(1, 2)).shape
        torch.Size([32, 1, 30])
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
    """`x` with the order of its axes reversed.

    Args:
        x: A tensor or array.

    Returns:
        A tensor (a view of `x` for a tensor).

    Examples:
        >>> keras.backend.transpose(keras.backend.constant([[1.0, 2.0, 3.0]]))
        tensor([[1.],
                [2.],
                [3.]])
    """
    x = _t(x)
    return x.permute(*reversed(range(x.dim())))


@keras_op("backend.permute_dimensions", keras3=False, tf=(
    "compat.v1.transpose", ("a", "perm")))
def permute_dimensions(x, pattern):
    """`x` with its axes reordered by `pattern`.

    Args:
        x: A tensor or array.
        pattern: A tuple of axis indices, such as `(0, 2, 1)`.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.zeros((2, 3, 4))
        >>> keras.backend.permute_dimensions(x, (0, 2, 1)).shape
        torch.Size([2, 4, 3])
    """
    return _t(x).permute(*pattern)


@keras_op("backend.reshape", keras3=False, tf=("reshape", ("tensor",
                                                           "shape")))
@keras_op("backend.reshape", keras3=False, tf=("reshape", ("tensor", "shape")))
def reshape(x, shape):
    """`x` with the given shape.

    One entry of `shape` may be -1 (inferred); entries may be scalar
    tensors such as `K.shape(x)[0]`.

    Args:
        x: A tensor or array.
        shape: The new shape: a tuple of ints or a 1-D int tensor.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.arange(6)
        >>> keras.backend.reshape(x, (2, -1))
        tensor([[0, 1, 2],
                [3, 4, 5]], dtype=torch.int32)
    """
    return torch.reshape(_t(x), _shape_arg(shape))


@keras_op("backend.flatten", keras3=False)
def flatten(x):
    """`x` as a 1-D tensor.

    Args:
        x: A tensor or array.

    Returns:
        A 1-D tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.flatten(x)
        tensor([1., 2., 3., 4.])
    """
    return torch.reshape(_t(x), (-1,))


@keras_op("backend.batch_flatten", keras3=False)
def batch_flatten(x):
    """`x` flattened to 2-D, keeping the first (batch) axis.

    Args:
        x: A tensor or array of rank >= 1.

    Returns:
        A tensor of shape `(batch, product of the other sizes)`.

    Examples:
        >>> keras.backend.batch_flatten(keras.backend.zeros((2, 3, 4))).shape
        torch.Size([2, 12])
    """
    x = _t(x)
    return x.reshape(x.shape[0], -1)


@keras_op("backend.expand_dims", keras3=False, tf=(
    "expand_dims", ("input", "axis")))
def expand_dims(x, axis=-1):
    """`x` with a new axis of size 1 at index `axis`.

    Args:
        x: A tensor or array.
        axis: Where to insert the axis (default: last).

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.expand_dims(keras.backend.zeros((2, 3)), 0).shape
        torch.Size([1, 2, 3])
    """
    return torch.unsqueeze(_t(x), axis)


@keras_op("backend.squeeze", keras3=False, tf=("squeeze", ("input",
                                                           "axis")))
def squeeze(x, axis):
    """`x` without the size-1 axis `axis` (or the axes of a list).

    Args:
        x: A tensor or array.
        axis: An int or a list of ints naming axes of size 1.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.squeeze(keras.backend.zeros((2, 1, 3)), 1).shape
        torch.Size([2, 3])
    """
    return torch.squeeze(_t(x), _axis(axis))


@keras_op("backend.concatenate", keras3=False, tf=(
    "concat", ("values", "axis")))
def concatenate(tensors, axis=-1):
    """The tensors joined along `axis`.

    Args:
        tensors: A list of tensors or arrays, equal in shape except along
            `axis`.
        axis: The axis to join along (default: last).

    Returns:
        A tensor.

    Examples:
        >>> a = keras.backend.constant([[1.0, 2.0]])
        >>> b = keras.backend.constant([[3.0]])
        >>> keras.backend.concatenate([a, b], axis=-1)
        tensor([[1., 2., 3.]])
    """
    return torch.cat([_t(t) for t in tensors], dim=axis)


@keras_op("backend.stack", keras3=False, tf=("stack", ("values", "axis")))
def stack(x, axis=0):
    """The tensors stacked along a new axis `axis`.

    Args:
        x: A list of tensors or arrays of the same shape.
        axis: Where the new axis goes.

    Returns:
        A tensor with one more axis.

    Examples:
        >>> a = keras.backend.constant([1.0, 2.0])
        >>> b = keras.backend.constant([3.0, 4.0])
        >>> keras.backend.stack([a, b], axis=1)
        tensor([[1., 3.],
                [2., 4.]])
    """
    return torch.stack([_t(t) for t in x], dim=axis)


@keras_op("backend.tile", keras3=False, tf=("tile", ("input",
                                                     "multiples")))
def tile(x, n):
    """`x` repeated `n[i]` times along axis `i`.

    Args:
        x: A tensor or array.
        n: The repetitions: a tuple of ints (one per axis), a 1-D int
            tensor, or an int for a 1-D `x`.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.tile(keras.backend.constant([[1.0, 2.0]]), (2, 2))
        tensor([[1., 2., 1., 2.],
                [1., 2., 1., 2.]])
    """
    n = _shape_arg(n)
    return _t(x).repeat(*n)


@keras_op("backend.repeat_elements", keras3=False)
def repeat_elements(x, rep, axis):
    """Each element of `x` repeated `rep` times along `axis`.

    Unlike `tile`, the copies of an element are next to each other, as
    `np.repeat`.

    Args:
        x: A tensor or array.
        rep: The number of repetitions, an int.
        axis: The axis to repeat along.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0])
        >>> keras.backend.repeat_elements(x, 2, axis=0)
        tensor([1., 1., 2., 2.])
    """
    return torch.repeat_interleave(_t(x), rep, dim=axis)


@keras_op("backend.gather", keras3=False, tf=("compat.v1.gather", (
    "params", "indices")))
def gather(reference, indices):
    """The rows of `reference` (its first axis) at `indices`.

    Args:
        reference: A tensor or array.
        indices: An int tensor, array or list of indices into the first
            axis of `reference`.

    Returns:
        A tensor of shape `indices.shape + reference.shape[1:]`.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        >>> keras.backend.gather(x, [2, 0])
        tensor([[5., 6.],
                [1., 2.]])
    """
    return _t(reference)[_t(indices).long()]


@keras_op("backend.one_hot", keras3=False, tf=("one_hot", ("indices",
                                                           "depth")))
def one_hot(indices, num_classes):
    """One-hot encoding of integer `indices` on a new last axis.

    The result is `floatx()`; out-of-range indices give all-zero rows, as
    `tf.one_hot`.

    Args:
        indices: An integer tensor, array or list of class indices.
        num_classes: The size of the new axis.

    Returns:
        A tensor of shape `indices.shape + (num_classes,)`.

    Examples:
        >>> keras.backend.one_hot([0, 2], 3)
        tensor([[1., 0., 0.],
                [0., 0., 1.]])
    """
    indices = _t(indices).long()
    classes = torch.arange(num_classes, device=indices.device)
    return (indices.unsqueeze(-1) == classes).to(_float_dtype(None))


@keras_op("backend.softmax", keras3=False, tf=("nn.softmax", ("logits",
                                                             "axis")))
def softmax(x, axis=-1):
    """Softmax of `x` over `axis`.

    Args:
        x: A tensor or array of logits.
        axis: An int, or a list of ints to normalize over several axes.

    Returns:
        A tensor of probabilities summing to 1 over `axis`.

    Examples:
        >>> x = keras.backend.constant([[0.0, 0.0, np.log(2.0)]])
        >>> keras.backend.softmax(x)
        tensor([[0.2500, 0.2500, 0.5000]])
    """
    x = _t(x)
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    e = torch.exp(x - torch.amax(x, dim=_axis(axis), keepdim=True))
    return e / torch.sum(e, dim=_axis(axis), keepdim=True)


@keras_op("backend.sigmoid", keras3=False, tf=("math.sigmoid", ("x",)))
def sigmoid(x):
    """Element-wise logistic sigmoid, `1 / (1 + exp(-x))`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor with values in `(0, 1)`.

    Examples:
        >>> keras.backend.sigmoid(keras.backend.constant([0.0]))
        tensor([0.5000])
    """
    return torch.sigmoid(_t(x))


@keras_op("backend.relu", keras3=False)
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with tf.keras's options.

    Element-wise `x` where `x >= threshold`, else `alpha * (x -
    threshold)`, then capped at `max_value` when given.

    Args:
        x: A tensor or array.
        alpha: The slope below the threshold.
        max_value: Optional upper bound of the output.
        threshold: Where the activation turns on.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([-2.0, 1.0, 8.0])
        >>> keras.backend.relu(x)
        tensor([0., 1., 8.])
        >>> keras.backend.relu(x, alpha=0.5, max_value=6.0)
        tensor([-1.,  1.,  6.])
    """
    from torchkeras import activations

    return activations.relu(_t(x), negative_slope=alpha,
                            max_value=max_value, threshold=threshold)


@keras_op("backend.tanh", keras3=False, tf=("math.tanh", ("x",)))
def tanh(x):
    """Element-wise hyperbolic tangent.

    Args:
        x: A tensor or array.

    Returns:
        A tensor with values in `[-1, 1]`.

    Examples:
        >>> keras.backend.tanh(keras.backend.constant([0.0]))
        tensor([0.])
    """
    return torch.tanh(_t(x))


@keras_op("backend.l2_normalize", keras3=False, tf=("math.l2_normalize", (
    "x", "axis")))
def l2_normalize(x, axis=None):
    """`x` divided by its L2 norm along `axis`.

    Computes `x / sqrt(max(sum(x**2, axis), 1e-12))` (over every axis when
    `axis` is `None`), as `tf.linalg.l2_normalize`.

    Args:
        x: A tensor or array.
        axis: An int or a list of ints; `None` normalizes over all axes.

    Returns:
        A tensor of the shape of `x`.

    Examples:
        >>> x = keras.backend.constant([[3.0, 4.0]])
        >>> keras.backend.l2_normalize(x, axis=1)
        tensor([[0.6000, 0.8000]])
    """
    x = _t(x)
    sq = torch.sum(x * x, dim=_axis(axis), keepdim=True)
    return x * torch.rsqrt(torch.clamp(sq, min=1e-12))


@keras_op("backend.categorical_crossentropy", keras3=False)
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy of each sample, as tf.keras's.

    Probabilities are renormalised to sum to 1 over `axis` and clipped to
    `[epsilon, 1 - epsilon]` before the logarithm; with `from_logits`, a
    log-softmax is used instead.

    Args:
        target: One-hot (or soft) targets, the shape of `output`.
        output: Predicted probabilities, or logits with `from_logits`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor of the shape of `output` without `axis`.

    Examples:
        >>> target = keras.backend.constant([[0.0, 1.0], [1.0, 0.0]])
        >>> output = keras.backend.constant([[0.5, 0.5], [0.25, 0.75]])
        >>> keras.backend.categorical_crossentropy(target, output)
        tensor([0.6931, 1.3863])
    """
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

    `output` holds probabilities (clipped to `[epsilon, 1 - epsilon]`
    and renormalised) or logits along `axis`; `target` has the shape of
    `output` without that axis (a trailing size-1 axis is allowed).
    Entries whose target is `ignore_class` give 0.

    Args:
        target: Integer class indices.
        output: Predicted probabilities, or logits with `from_logits`.
        from_logits: Whether `output` holds logits.
        axis: The class axis of `output`.
        ignore_class: Optional class index whose entries give a loss of 0.

    Returns:
        A tensor of the shape of `target`.

    Examples:
        >>> output = keras.backend.constant([[0.5, 0.5], [0.25, 0.75]])
        >>> keras.backend.sparse_categorical_crossentropy([1, 0], output)
        tensor([0.6931, 1.3863])
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
    """Element-wise binary crossentropy, as tf.keras's.

    Probabilities are clipped to `[epsilon, 1 - epsilon]` and `epsilon` is
    added inside the logarithms; logits use the stable
    `max(x, 0) - x * z + log(1 + exp(-|x|))`.

    Args:
        target: Targets in `[0, 1]`, the shape of `output`.
        output: Predicted probabilities, or logits with `from_logits`.
        from_logits: Whether `output` holds logits.

    Returns:
        A tensor of the shape of `output` (not averaged).

    Examples:
        >>> target = keras.backend.constant([1.0, 0.0])
        >>> output = keras.backend.constant([0.5, 0.5])
        >>> keras.backend.binary_crossentropy(target, output)
        tensor([0.6931, 0.6931])
    """
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
    """A tensor of samples from a normal distribution.

    `shape` may hold scalar tensors (`(K.shape(x)[0], 8)`), symbolic ones
    included.

    Args:
        shape: The shape of the result.
        mean: The mean of the distribution.
        stddev: Its standard deviation.
        dtype: The dtype name; `None` means `floatx()`.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A tensor on `current_device()`.

    Examples:
        >>> x = keras.backend.random_normal((2, 3), mean=1.0, seed=7)
        >>> x.shape
        torch.Size([2, 3])
        >>> y = keras.backend.random_normal((2, 3), mean=1.0, seed=7)
        >>> bool(keras.backend.all(x == y))
        True
    """
    device = _device()
    out = torch.empty(_shape_arg(shape), dtype=_float_dtype(dtype),
                      device=device)
    return out.normal_(mean, stddev, generator=_generator(seed, device))


@keras_op("backend.random_uniform", keras3=False, tf=("random.uniform", (
    "shape", "minval", "maxval", "dtype", "seed")))
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of samples from a uniform distribution on `[minval, maxval)`.

    Args:
        shape: The shape of the result.
        minval: The lower bound (included).
        maxval: The upper bound (excluded).
        dtype: The dtype name; `None` means `floatx()`.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A tensor on `current_device()`.

    Examples:
        >>> x = keras.backend.random_uniform((100,), minval=2.0, maxval=3.0)
        >>> bool(keras.backend.all(x >= 2.0)), bool(keras.backend.all(x < 3.0))
        (True, True)
    """
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

    Layers take a `training` argument instead; this serves tf.keras 2
    code that reads the phase or feeds it to `function`:
    `K.function([model.input, K.learning_phase()], [out])([x, 1])` runs
    with `training=True` (dropout on). The value is an `int` subclass.

    Returns:
        0 or 1.

    Examples:
        >>> keras.backend.learning_phase()
        <learning_phase 0>
        >>> int(keras.backend.learning_phase())
        0
    """
    phase = _GLOBAL_LEARNING_PHASE[0]
    if phase is None:
        phase = 1 if CALL_CONTEXT.training else 0
    return _LearningPhase(phase)


@keras_export("keras.backend.set_learning_phase")
def set_learning_phase(value):
    """Sets the deprecated tf.keras 2 global learning phase (0 or 1).

    It sets what `learning_phase()` returns and the default `training`
    of `function`; layer calls take their `training` argument. It warns
    (a `UserWarning`) as tf.keras does; `clear_session()` resets it.

    Args:
        value: 0 (inference) or 1 (training).

    Raises:
        ValueError: For any other value.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     keras.backend.set_learning_phase(1)
        >>> keras.backend.learning_phase()
        <learning_phase 1>
        >>> keras.backend.clear_session()
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
    """`x` in the training phase, else `alt` (callables are called).

    Args:
        x: What to return when training: a value or a callable.
        alt: What to return otherwise: a value or a callable.
        training: The phase (a bool or 0/1); `None` reads
            `learning_phase()`.

    Returns:
        `x` or `alt` (or what the chosen callable returns).

    Examples:
        >>> keras.backend.in_train_phase(1.0, 0.0, training=True)
        1.0
        >>> keras.backend.in_train_phase(lambda: 1.0, lambda: 0.0)
        0.0
    """
    if training is None:
        training = learning_phase()
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


@keras_export("keras.backend.in_test_phase")
def in_test_phase(x, alt, training=None):
    """`x` in the inference phase, else `alt` (callables are called).

    Args:
        x: What to return at inference: a value or a callable.
        alt: What to return when training: a value or a callable.
        training: The phase (a bool or 0/1); `None` reads
            `learning_phase()`.

    Returns:
        `x` or `alt` (or what the chosen callable returns).

    Examples:
        >>> keras.backend.in_test_phase(1.0, 0.0, training=True)
        0.0
        >>> keras.backend.in_test_phase(1.0, 0.0)
        1.0
    """
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
    """tf.keras 2's `K.function`: a callable from inputs to outputs.

    It builds a functional model from `inputs` to `outputs` once and runs
    it without gradients.

    Args:
        inputs: A list of KerasTensors, optionally with `learning_phase()`
            (then its fed value, 0 or 1, sets `training`).
        outputs: A KerasTensor or a list of them.
        updates: Unsupported (must be empty).
        name: Optional name.

    Returns:
        A callable taking a list of arrays and returning NumPy arrays (a
        list when `outputs` is a list).

    Raises:
        ValueError: If `updates` is given or unknown keyword arguments are
            passed.

    Examples:
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
    """The number of elements of `x`, as an int.

    Args:
        x: A variable or tensor with a fully known shape.

    Returns:
        The product of the sizes of its axes.

    Examples:
        >>> keras.backend.count_params(keras.backend.variable(np.zeros((2, 3))))
        6
    """
    return int(np.prod(int_shape(x)))


@keras_op("backend.stop_gradient", keras3=False, tf=("stop_gradient", (
    "input",)))
def stop_gradient(variables):
    """`variables` cut from the gradient (a tensor or a list).

    The values are unchanged; gradients do not flow back through them.

    Args:
        variables: A tensor, or a list of tensors.

    Returns:
        A detached tensor, or a list of them.

    Examples:
        >>> w = torch.ones(2, requires_grad=True)
        >>> keras.backend.stop_gradient(w * 2).requires_grad
        False
    """
    if isinstance(variables, (list, tuple)):
        return [_t(v).detach() for v in variables]
    return _t(variables).detach()


@keras_export("keras.backend.backend")
def backend():
    """The name of the backend: `'torch'`.

    tf.keras returns `'tensorflow'`; code that branches on it can test
    for `'torch'`.

    Returns:
        The string `'torch'`.

    Examples:
        >>> keras.backend.backend()
        'torch'
    """
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
    """1, 2, 3, ... for successive calls with the same `prefix`.

    tf.keras uses it to number default layer names; `reset_uids()` and
    `clear_session()` start the counters again.

    Args:
        prefix: The counter's key; each prefix counts on its own.

    Returns:
        An int.

    Examples:
        >>> keras.backend.reset_uids()
        >>> keras.backend.get_uid("block"), keras.backend.get_uid("block")
        (1, 2)
        >>> keras.backend.get_uid("other")
        1
    """
    _UIDS[prefix] += 1
    return _UIDS[prefix]


@keras_export("keras.backend.reset_uids")
def reset_uids():
    """Resets the counters of `get_uid`.

    Examples:
        >>> keras.backend.get_uid("block") >= 1
        True
        >>> keras.backend.reset_uids()
        >>> keras.backend.get_uid("block")
        1
    """
    _UIDS.clear()


@keras_export("keras.backend.manual_variable_initialization")
def manual_variable_initialization(value):
    """Accepted for tf.keras 1 code; variables here are always initialized.

    tf.keras 1 could leave variables for the user to initialize; here a
    variable holds its value from the moment it is created, whatever the
    setting.

    Args:
        value: A bool, recorded and otherwise without effect.

    Examples:
        >>> keras.backend.manual_variable_initialization(True)
        >>> keras.backend.get_value(keras.backend.variable(1.0))
        array(1., dtype=float32)
        >>> keras.backend.manual_variable_initialization(False)
    """
    _MANUAL_VAR_INIT[0] = bool(value)


@keras_export("keras.backend.learning_phase_scope")
@contextlib.contextmanager
def learning_phase_scope(value):
    """A deprecated tf.keras 2 scope that sets `learning_phase()`.

    Inside the block `learning_phase()` returns `value`; the previous
    phase comes back on exit. It warns (a `UserWarning`) as tf.keras does;
    pass `training=` to layer calls instead.

    Args:
        value: 0 (inference) or 1 (training).

    Raises:
        ValueError: For any other value.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     with keras.backend.learning_phase_scope(1):
        ...         print(keras.backend.learning_phase())
        <learning_phase 1>
        >>> keras.backend.learning_phase()
        <learning_phase 0>
    """
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
    """A context manager naming a scope, accepted for tf.keras code.

    Names here come from the layers, so the scope does not prefix them;
    entering it gives the scope string `name + "/"`.

    Args:
        name: A non-empty string.

    Raises:
        ValueError: If `name` is not a non-empty string.

    Examples:
        >>> with keras.backend.name_scope("block1") as scope:
        ...     print(scope)
        block1/
    """

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
    """Whether `tensor` is a sparse tensor (or a sparse KerasTensor).

    Args:
        tensor: A tensor or KerasTensor.

    Returns:
        A bool.

    Examples:
        >>> keras.backend.is_sparse(torch.eye(2).to_sparse())
        True
        >>> keras.backend.is_sparse(torch.eye(2))
        False
    """
    if isinstance(getattr(tensor, "dtype", None), str):
        return bool(getattr(tensor, "sparse", False))
    return torch.is_tensor(tensor) and tensor.layout != torch.strided


@keras_op("backend.to_dense", keras3=False)
def to_dense(tensor):
    """A dense copy of a sparse tensor; dense tensors pass through.

    Args:
        tensor: A sparse or dense tensor.

    Returns:
        A dense tensor.

    Examples:
        >>> keras.backend.to_dense(torch.eye(2).to_sparse())
        tensor([[1., 0.],
                [0., 1.]])
    """
    tensor = _t(tensor)
    return tensor.to_dense() if tensor.layout != torch.strided else tensor


@keras_export("keras.backend.placeholder")
def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None,
                ragged=False):
    """A symbolic input (`keras.Input`) for the functional API.

    Args:
        shape: The full shape, batch axis first (`None` for unknown
            sizes).
        ndim: Without `shape`, the number of axes, all of unknown size.
        dtype: The dtype name; `None` means `floatx()`.
        sparse: Whether the input is a sparse tensor.
        name: Optional name of the input.
        ragged: Accepted for tf.keras compatibility; it may not be
            combined with `sparse`.

    Returns:
        A KerasTensor.

    Raises:
        ValueError: If both `sparse` and `ragged` are set.

    Examples:
        >>> x = keras.backend.placeholder(shape=(None, 3))
        >>> keras.backend.int_shape(x), keras.backend.is_keras_tensor(x)
        ((None, 3), True)
        >>> keras.backend.int_shape(keras.backend.placeholder(ndim=2))
        (None, None)
    """
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
    """`x` cast to `floatx()`.

    A tensor stays a tensor; other values (lists, arrays, numbers) become
    a NumPy array, as in tf.keras.

    Args:
        x: A tensor, array, list or number.

    Returns:
        A tensor or a NumPy array of dtype `floatx()`.

    Examples:
        >>> keras.backend.cast_to_floatx([1, 2])
        array([1., 2.], dtype=float32)
        >>> keras.backend.cast_to_floatx(torch.tensor([1, 2]))
        tensor([1., 2.])
    """
    if torch.is_tensor(x):
        return x.to(_float_dtype(None))
    return np.asarray(x, dtype=config.floatx())


@keras_export("keras.backend.random_uniform_variable")
def random_uniform_variable(shape, low, high, dtype=None, name=None,
                            seed=None):
    """A variable of uniform samples in `[low, high)`.

    Args:
        shape: The shape of the variable.
        low: The lower bound (included).
        high: The upper bound (excluded).
        dtype: The dtype name; `None` means `floatx()`.
        name: The variable's name.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A `keras.Variable`.

    Examples:
        >>> v = keras.backend.random_uniform_variable((2, 3), 0.0, 1.0, seed=1)
        >>> v.shape, bool(keras.backend.all(v < 1.0))
        (torch.Size([2, 3]), True)
    """
    value = random_uniform(shape, low, high, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


@keras_export("keras.backend.random_normal_variable")
def random_normal_variable(shape, mean, scale, dtype=None, name=None,
                           seed=None):
    """A variable of normal samples (`mean`, standard deviation `scale`).

    Args:
        shape: The shape of the variable.
        mean: The mean of the distribution.
        scale: Its standard deviation.
        dtype: The dtype name; `None` means `floatx()`.
        name: The variable's name.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A `keras.Variable`.

    Examples:
        >>> v = keras.backend.random_normal_variable((2, 3), 0.0, 1.0, seed=1)
        >>> v.shape, keras.backend.dtype(v)
        (torch.Size([2, 3]), 'float32')
    """
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
    """Assigns `new_x` to the variable `x` in place; returns `x`.

    Args:
        x: A variable (or tensor) to update.
        new_x: The new value, of the shape of `x`.

    Returns:
        `x`, updated.

    Raises:
        TypeError: If `x` is not a variable or tensor, or an argument is a
            symbolic KerasTensor.

    Examples:
        >>> v = keras.backend.variable([1.0, 2.0])
        >>> _ = keras.backend.update(v, [5.0, 6.0])
        >>> keras.backend.get_value(v)
        array([5., 6.], dtype=float32)
    """
    return _assign(x, new_x, "assign")


@keras_export("keras.backend.update_add")
def update_add(x, increment):
    """Adds `increment` to the variable `x` in place; returns `x`.

    Args:
        x: A variable (or tensor) to update.
        increment: The value to add, broadcastable to the shape of `x`.

    Returns:
        `x`, updated.

    Raises:
        TypeError: If `x` is not a variable or tensor, or an argument is a
            symbolic KerasTensor.

    Examples:
        >>> v = keras.backend.variable([1.0, 2.0])
        >>> _ = keras.backend.update_add(v, [0.5, 0.5])
        >>> keras.backend.get_value(v)
        array([1.5, 2.5], dtype=float32)
    """
    return _assign(x, increment, "assign_add")


@keras_export("keras.backend.update_sub")
def update_sub(x, decrement):
    """Subtracts `decrement` from the variable `x` in place; returns `x`.

    Args:
        x: A variable (or tensor) to update.
        decrement: The value to subtract, broadcastable to the shape of
            `x`.

    Returns:
        `x`, updated.

    Raises:
        TypeError: If `x` is not a variable or tensor, or an argument is a
            symbolic KerasTensor.

    Examples:
        >>> v = keras.backend.variable([1.0, 2.0])
        >>> _ = keras.backend.update_sub(v, [0.5, 0.5])
        >>> keras.backend.get_value(v)
        array([0.5, 1.5], dtype=float32)
    """
    return _assign(x, decrement, "assign_sub")


@keras_export("keras.backend.moving_average_update")
def moving_average_update(x, value, momentum):
    """Updates `x = x * momentum + value * (1 - momentum)` in place.

    As tf.keras 2 (its TF2 behaviour): no zero-debiasing.

    Args:
        x: The variable holding the moving average.
        value: The new observation, of the shape of `x`.
        momentum: The weight of the old average, in `[0, 1]`.

    Returns:
        `x`, updated.

    Examples:
        >>> v = keras.backend.variable([0.0, 0.0])
        >>> _ = keras.backend.moving_average_update(v, [1.0, 2.0], 0.75)
        >>> keras.backend.get_value(v)
        array([0.25, 0.5 ], dtype=float32)
    """
    _eager_only("moving_average_update", x, value)
    value = _t(value).to(dtype=x.dtype, device=x.device)
    return _assign(x, (x.detach() - value) * (1 - momentum), "assign_sub")


@keras_op("backend.cumsum", keras3=False, tf=("math.cumsum", ("x",
                                                             "axis")))
def cumsum(x, axis=0):
    """Cumulative sum of `x` along `axis` (default 0, as tf.keras).

    Args:
        x: A tensor or array.
        axis: The axis to accumulate along.

    Returns:
        A tensor of the shape of `x`.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.cumsum(x)
        tensor([[1., 2.],
                [4., 6.]])
        >>> keras.backend.cumsum(x, axis=1)
        tensor([[1., 3.],
                [3., 7.]])
    """
    return torch.cumsum(_t(x), dim=axis)


@keras_op("backend.cumprod", keras3=False, tf=("math.cumprod", ("x",
                                                               "axis")))
def cumprod(x, axis=0):
    """Cumulative product of `x` along `axis` (default 0, as tf.keras).

    Args:
        x: A tensor or array.
        axis: The axis to accumulate along.

    Returns:
        A tensor of the shape of `x`.

    Examples:
        >>> keras.backend.cumprod(keras.backend.constant([1.0, 2.0, 3.0]))
        tensor([1., 2., 6.])
    """
    return torch.cumprod(_t(x), dim=axis)


@keras_op("backend.sin", keras3=False, tf=("math.sin", ("x",)))
def sin(x):
    """Element-wise sine of `x` (radians).

    Args:
        x: A tensor or array.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.sin(keras.backend.constant([0.0, np.pi / 2]))
        tensor([0., 1.])
    """
    return torch.sin(_t(x))


@keras_op("backend.cos", keras3=False, tf=("math.cos", ("x",)))
def cos(x):
    """Element-wise cosine of `x` (radians).

    Args:
        x: A tensor or array.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.cos(keras.backend.constant([0.0, np.pi]))
        tensor([ 1., -1.])
    """
    return torch.cos(_t(x))


@keras_op("backend.normalize_batch_in_training", keras3=False)
def normalize_batch_in_training(x, gamma, beta, reduction_axes,
                                epsilon=1e-3):
    """Normalizes `x` by its batch moments and applies `gamma` and `beta`.

    The moments are taken over `reduction_axes`. As tf.keras's fused path
    (4-D `x` reduced over `[0, 1, 2]` or `[0, 2, 3]`), the returned
    variance there is the unbiased one; elsewhere it is the population
    variance.

    Args:
        x: A tensor or array.
        gamma: The scale, shaped as the kept axes; `None` means 1.
        beta: The offset, shaped as the kept axes; `None` means 0.
        reduction_axes: A list of the axes to take the moments over.
        epsilon: Added to the variance before the square root.

    Returns:
        `(normalized, mean, variance)`; the moments without the reduced
        axes.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 6.0]])
        >>> y, mean, var = keras.backend.normalize_batch_in_training(
        ...     x, None, None, [0])
        >>> mean, var
        (tensor([2., 4.]), tensor([1., 4.]))
        >>> keras.backend.round(y * 100) / 100
        tensor([[-1., -1.],
                [ 1.,  1.]])
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
    """Applies `(x - mean) / sqrt(var + epsilon) * gamma + beta`.

    The statistics broadcast against `x`; for 4-D `x` they are taken
    along `axis` (1 or -3: channels first, 3 or -1: channels last), as
    tf.keras's fused batch norm.

    Args:
        x: A tensor or array.
        mean: The mean, broadcastable against `x`.
        var: The variance, broadcastable against `x`.
        beta: The offset, or `None` for none.
        gamma: The scale, or `None` for none.
        axis: The channels axis of a 4-D `x`.
        epsilon: Added to the variance before the square root.

    Returns:
        A tensor of the shape of `x`.

    Examples:
        >>> x = keras.backend.constant([[1.0, 3.0]])
        >>> keras.backend.batch_normalization(
        ...     x, mean=2.0, var=1.0, beta=10.0, gamma=2.0, epsilon=0.0)
        tensor([[ 8., 12.]])
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
    """4-D images scaled up by integer factors (as `UpSampling2D`).

    `"nearest"` repeats pixels; other interpolations resize as
    `keras.ops.image.resize` does.

    Args:
        x: A 4-D tensor of images.
        height_factor: The int factor for the rows.
        width_factor: The int factor for the columns.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        interpolation: `"nearest"` or an interpolation of
            `keras.ops.image.resize` such as `"bilinear"`.

    Returns:
        A 4-D tensor.

    Examples:
        >>> x = keras.backend.reshape(keras.backend.arange(4, dtype="float32"),
        ...                           (1, 2, 2, 1))
        >>> y = keras.backend.resize_images(x, 2, 1, "channels_last")
        >>> y[0, :, :, 0]
        tensor([[0., 1.],
                [0., 1.],
                [2., 3.],
                [2., 3.]])
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
    """5-D volumes scaled up by repeating voxels (as `UpSampling3D`).

    Args:
        x: A 5-D tensor.
        depth_factor: The int factor for the first spatial axis.
        height_factor: The int factor for the second spatial axis.
        width_factor: The int factor for the third spatial axis.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.

    Returns:
        A 5-D tensor.

    Examples:
        >>> x = keras.backend.zeros((1, 2, 2, 2, 3))
        >>> keras.backend.resize_volumes(x, 2, 1, 3, "channels_last").shape
        torch.Size([1, 4, 2, 6, 3])
    """
    x = _t(x)
    axes = _spatial_axes(5, data_format, 3)
    for axis, factor in zip(axes, (depth_factor, height_factor,
                                   width_factor)):
        x = torch.repeat_interleave(x, factor, dim=axis)
    return x


@keras_op("backend.repeat", keras3=False)
def repeat(x, n):
    """`(batch, dim)` repeated into `(batch, n, dim)` (as `RepeatVector`).

    Args:
        x: A 2-D tensor.
        n: The number of repetitions, an int.

    Returns:
        A 3-D tensor.

    Raises:
        ValueError: If `x` is not 2-D.

    Examples:
        >>> keras.backend.repeat(keras.backend.constant([[1.0, 2.0]]), 3)
        tensor([[[1., 2.],
                 [1., 2.],
                 [1., 2.]]])
    """
    x = _t(x)
    if x.ndim != 2:
        raise ValueError(
            f"`repeat` needs a 2-D tensor. Received: x.shape="
            f"{tuple(x.shape)}")
    return x.unsqueeze(1).expand(-1, int(n), -1)


@keras_op("backend.arange", keras3=False, tf=("range", ("start", "limit",
                                                       "delta", "dtype")))
def arange(start, stop=None, step=1, dtype="int32"):
    """`start, start + step, ...` below `stop`, as a 1-D tensor.

    With one argument, `arange(n)` counts from 0; a negative `n` gives an
    empty tensor, as NumPy. The default dtype is `int32`, as tf.keras's.

    Args:
        start: The first value, or the end when `stop` is `None`.
        stop: The end (excluded).
        step: The difference between successive values.
        dtype: The dtype name.

    Returns:
        A 1-D tensor.

    Examples:
        >>> keras.backend.arange(4)
        tensor([0, 1, 2, 3], dtype=torch.int32)
        >>> keras.backend.arange(1, 2, 0.25, dtype="float32")
        tensor([1.0000, 1.2500, 1.5000, 1.7500])
    """
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
    """Zeros added before and after the middle axis of a 3-D tensor.

    Args:
        x: A 3-D tensor `(batch, steps, features)`.
        padding: A pair: the number of zero steps before and after.

    Returns:
        A 3-D tensor.

    Raises:
        ValueError: If `padding` is not a pair.

    Examples:
        >>> x = keras.backend.ones((1, 2, 1))
        >>> keras.backend.temporal_padding(x, (1, 2))[0, :, 0]
        tensor([0., 1., 1., 0., 0.])
    """
    x = _t(x)
    if len(padding) != 2:
        raise ValueError(
            f"`padding` must be a pair of ints. Received: padding={padding}")
    return _pad(x, [padding], [1])


@keras_op("backend.spatial_2d_padding", keras3=False)
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zeros added around the rows and columns of 4-D images.

    Args:
        x: A 4-D tensor of images.
        padding: `((top, bottom), (left, right))` numbers of zeros.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.

    Returns:
        A 4-D tensor.

    Examples:
        >>> x = keras.backend.ones((1, 1, 2, 1))
        >>> keras.backend.spatial_2d_padding(x, ((1, 0), (0, 1)))[0, :, :, 0]
        tensor([[0., 0., 0.],
                [1., 1., 0.]])
    """
    x = _t(x)
    return _pad(x, padding, _spatial_axes(4, data_format, 2))


@keras_op("backend.spatial_3d_padding", keras3=False)
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)),
                       data_format=None):
    """Zeros added around the three spatial axes of 5-D volumes.

    Args:
        x: A 5-D tensor.
        padding: Three pairs of numbers of zeros, one pair per spatial
            axis.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.

    Returns:
        A 5-D tensor.

    Examples:
        >>> x = keras.backend.ones((1, 2, 2, 2, 3))
        >>> keras.backend.spatial_3d_padding(x).shape
        torch.Size([1, 4, 4, 4, 3])
    """
    x = _t(x)
    return _pad(x, padding, _spatial_axes(5, data_format, 3))


@keras_op("backend.reverse", keras3=False, tf=("reverse", ("tensor",
                                                          "axis")))
def reverse(x, axes):
    """`x` reversed along `axes`.

    Args:
        x: A tensor or array.
        axes: An int or a list of ints.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.reverse(x, 1)
        tensor([[2., 1.],
                [4., 3.]])
    """
    axes = [axes] if isinstance(axes, int) else list(axes)
    return torch.flip(_t(x), dims=axes)


@keras_op("backend.print_tensor", keras3=False)
def print_tensor(x, message="", summarize=3):
    """Prints `message` and the value of `x`, then returns `x`.

    Used inside a model, it prints at every run of the graph.

    Args:
        x: A tensor.
        message: Text printed before the value.
        summarize: How many elements to print at the start and end of each
            axis of a large tensor.

    Returns:
        `x`, unchanged.

    Examples:
        >>> x = keras.backend.print_tensor(keras.backend.ones((2,)), "x:")
        x: [1. 1.]
    """
    x = _t(x)
    if x.device.type != "meta":
        with np.printoptions(edgeitems=summarize, threshold=summarize):
            print(message, x.detach().cpu().numpy())
    return x


@keras_export("keras.backend.gradients")
def gradients(loss, variables):
    """Gradients of `loss` with respect to `variables`.

    A `loss` with several elements is summed first, as `tf.gradients`
    does; a variable that `loss` does not depend on gets `None`.

    Args:
        loss: A tensor computed from `variables` with autograd on.
        variables: A variable (or tensor requiring grad), or a list of
            them.

    Returns:
        A list of tensors (or `None`s), one per variable.

    Raises:
        TypeError: If an argument is a symbolic KerasTensor.

    Examples:
        >>> w = keras.backend.variable([1.0, 2.0])
        >>> keras.backend.gradients(keras.backend.sum(w * w), [w])
        [tensor([2., 4.])]
    """
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
    """Iterates `step_function` over the time axis, as tf.keras's.

    `step_function(input_t, states + constants)` returns `(output,
    new_states)`. Where `mask` (`(batch, time)`) is false a step keeps the
    previous output (zeros with `zero_output_for_mask`) and states.

    Args:
        step_function: A callable `(inputs_t, states) -> (output_t,
            new_states)`.
        inputs: A tensor `(batch, time, ...)` (`(time, batch, ...)` with
            `time_major`).
        initial_states: A list of state tensors `(batch, ...)`.
        go_backwards: Whether to iterate from the last step.
        mask: Optional bool tensor `(batch, time)`.
        constants: Optional list of tensors passed to every step after the
            states.
        unroll: Accepted; the loop is a Python loop either way.
        input_length: Accepted; the length comes from `inputs`.
        time_major: Whether the time axis comes first.
        zero_output_for_mask: Whether masked steps output zeros instead of
            repeating the previous output.
        return_all_outputs: Whether `outputs` holds every step or only
            the last one.

    Returns:
        `(last_output, outputs, new_states)`; `outputs` holds every step
        (`(batch, time, ...)`) or, without `return_all_outputs`, the last
        one on a time axis of size 1.

    Raises:
        TypeError: If an argument is a symbolic KerasTensor.

    Examples:
        >>> def step(x_t, states):
        ...     total = states[0] + x_t
        ...     return total, [total]
        >>> inputs = keras.backend.ones((1, 3, 2))
        >>> last, outputs, states = keras.backend.rnn(
        ...     step, inputs, [keras.backend.zeros((1, 2))])
        >>> last
        tensor([[3., 3.]])
        >>> outputs[0, :, 0]
        tensor([1., 2., 3.])
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
    """Exponential linear unit: `x` where positive, else `alpha * (exp(x) - 1)`.

    Args:
        x: A tensor or array.
        alpha: The scale of the negative part.

    Returns:
        A tensor.

    Examples:
        >>> x = keras.backend.constant([-1.0, 0.0, 2.0])
        >>> keras.backend.elu(x)
        tensor([-0.6321,  0.0000,  2.0000])
    """
    return torch.nn.functional.elu(_t(x), alpha=alpha)


@keras_op("backend.softplus", keras3=False, tf=("math.softplus", (
    "features",)))
def softplus(x):
    """Element-wise softplus, `log(1 + exp(x))`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor.

    Examples:
        >>> keras.backend.softplus(keras.backend.constant([0.0, np.log(3.0)]))
        tensor([0.6931, 1.3863])
    """
    return torch.nn.functional.softplus(_t(x))


@keras_op("backend.softsign", keras3=False, tf=("math.softsign", (
    "features",)))
def softsign(x):
    """Element-wise softsign, `x / (1 + |x|)`.

    Args:
        x: A tensor or array.

    Returns:
        A tensor with values in `(-1, 1)`.

    Examples:
        >>> keras.backend.softsign(keras.backend.constant([-1.0, 3.0]))
        tensor([-0.5000,  0.7500])
    """
    return torch.nn.functional.softsign(_t(x))


@keras_op("backend.hard_sigmoid", keras3=False)
def hard_sigmoid(x):
    """Piecewise linear sigmoid, `clip(0.2 * x + 0.5, 0, 1)`.

    This is tf.keras 2's slope; Keras 3's `keras.ops.hard_sigmoid` uses
    1/6.

    Args:
        x: A tensor or array.

    Returns:
        A tensor with values in `[0, 1]`.

    Examples:
        >>> keras.backend.hard_sigmoid(keras.backend.constant([-3.0, 0.0, 1.0]))
        tensor([0.0000, 0.5000, 0.7000])
    """
    return torch.clamp(_t(x) * 0.2 + 0.5, 0.0, 1.0)


@keras_op("backend.dropout", keras3=False, tf=("nn.dropout", (
    "x", "rate", "noise_shape", "seed")))
def dropout(x, level, noise_shape=None, seed=None):
    """Zeros entries with probability `level` and scales the others.

    The kept entries are multiplied by `1 / (1 - level)`. It always
    applies (it is not a layer: there is no `training` flag).

    Args:
        x: A tensor or array.
        level: The probability of zeroing an entry, in `[0, 1)`.
        noise_shape: Optional shape of the kept pattern, broadcast against
            `x` (`None` entries take the size of `x`).
        seed: Optional int; the same seed drops the same entries.

    Returns:
        A tensor of the shape of `x`.

    Examples:
        >>> y = keras.backend.dropout(keras.backend.ones((100,)), 0.5, seed=1)
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
    """
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
    """Whether each row's `targets` class is among its `k` top `predictions`.

    Ties at the boundary count as in, as TensorFlow's.

    Args:
        predictions: A `(batch, classes)` tensor of scores.
        targets: A `(batch,)` tensor of class indices.
        k: How many of the top classes count.

    Returns:
        A `(batch,)` bool tensor.

    Examples:
        >>> predictions = keras.backend.constant([[0.1, 0.9, 0.0],
        ...                                       [0.5, 0.2, 0.3]])
        >>> keras.backend.in_top_k(predictions, [1, 2], 1)
        tensor([ True, False])
        >>> keras.backend.in_top_k(predictions, [1, 2], 2)
        tensor([True, True])
    """
    predictions = _t(predictions)
    targets = _t(targets).long().reshape(-1, 1)
    score = torch.gather(predictions, 1, targets)
    above = torch.sum(predictions > score, dim=1)
    return (above < k) & torch.isfinite(score).squeeze(1)


@keras_op("backend.bias_add", keras3=False)
def bias_add(x, bias, data_format=None):
    """`x + bias` along the channels axis.

    A bias of rank `ndim(x) - 1` has the spatial axes too.

    Args:
        x: A tensor.
        bias: A 1-D tensor of channel biases, or one of rank
            `ndim(x) - 1`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.

    Returns:
        A tensor of the shape of `x`.

    Raises:
        ValueError: If `bias` has another rank.

    Examples:
        >>> x = keras.backend.zeros((1, 2, 3))
        >>> keras.backend.bias_add(x, keras.backend.constant([1.0, 2.0, 3.0]))
        tensor([[[1., 2., 3.],
                 [1., 2., 3.]]])
        >>> keras.backend.bias_add(x, keras.backend.constant([1.0, 2.0]),
        ...                        data_format="channels_first")
        tensor([[[1., 1., 1.],
                 [2., 2., 2.]]])
    """
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
    """1-D convolution with a Keras kernel `(width, in, out)`.

    Args:
        x: A 3-D tensor `(batch, steps, channels)` (channels first with
            `data_format="channels_first"`).
        kernel: The kernel, `(width, in_channels, out_channels)`.
        strides: The stride, an int.
        padding: `"valid"`, `"same"` or `"causal"` (zeros on the left
            only, so that no output sees a later step).
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        dilation_rate: The dilation, an int.

    Returns:
        A 3-D tensor.

    Examples:
        >>> x = keras.backend.constant([[[1.0], [2.0], [3.0], [4.0]]])
        >>> kernel = keras.backend.ones((2, 1, 1))
        >>> keras.backend.conv1d(x, kernel)[0, :, 0]
        tensor([3., 5., 7.])
        >>> keras.backend.conv1d(x, kernel, padding="causal")[0, :, 0]
        tensor([1., 3., 5., 7.])
    """
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
    """2-D convolution with a Keras kernel `(h, w, in, out)`.

    Args:
        x: A 4-D tensor of images.
        kernel: The kernel, `(height, width, in_channels, out_channels)`.
        strides: The strides, an int or a pair.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        dilation_rate: The dilation, an int or a pair.

    Returns:
        A 4-D tensor.

    Examples:
        >>> x = keras.backend.ones((1, 3, 3, 1))
        >>> y = keras.backend.conv2d(x, keras.backend.ones((2, 2, 1, 1)))
        >>> y[0, :, :, 0]
        tensor([[4., 4.],
                [4., 4.]])
        >>> keras.backend.conv2d(x, keras.backend.ones((2, 2, 1, 4)),
        ...                      padding="same").shape
        torch.Size([1, 3, 3, 4])
    """
    from torchkeras.ops import nn as ops_nn

    return ops_nn.conv(_t(x), _t(kernel), padding=padding,
                       **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.conv3d", keras3=False)
def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3-D convolution with a Keras kernel `(d, h, w, in, out)`.

    Args:
        x: A 5-D tensor.
        kernel: The kernel, `(depth, height, width, in_channels,
            out_channels)`.
        strides: The strides, an int or a triple.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        dilation_rate: The dilation, an int or a triple.

    Returns:
        A 5-D tensor.

    Examples:
        >>> x = keras.backend.ones((1, 3, 3, 3, 1))
        >>> y = keras.backend.conv3d(x, keras.backend.ones((2, 2, 2, 1, 1)))
        >>> y.shape, float(y[0, 0, 0, 0, 0])
        (torch.Size([1, 2, 2, 2, 1]), 8.0)
    """
    from torchkeras.ops import nn as ops_nn

    return ops_nn.conv(_t(x), _t(kernel), padding=padding,
                       **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.depthwise_conv2d", keras3=False)
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise 2-D convolution, kernel `(h, w, in, multiplier)`.

    Each input channel is convolved on its own into `multiplier` output
    channels.

    Args:
        x: A 4-D tensor of images.
        depthwise_kernel: The kernel, `(height, width, in_channels,
            channel_multiplier)`.
        strides: The strides, an int or a pair.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        dilation_rate: The dilation, an int or a pair.

    Returns:
        A 4-D tensor with `in_channels * channel_multiplier` channels.

    Examples:
        >>> x = keras.backend.ones((1, 3, 3, 2))
        >>> kernel = keras.backend.ones((2, 2, 2, 3))
        >>> keras.backend.depthwise_conv2d(x, kernel).shape
        torch.Size([1, 2, 2, 6])
    """
    from torchkeras.ops import nn as ops_nn

    return ops_nn.depthwise_conv(
        _t(x), _t(depthwise_kernel), padding=padding,
        **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.separable_conv2d", keras3=False)
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                     padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Depthwise then pointwise 2-D convolution.

    Args:
        x: A 4-D tensor of images.
        depthwise_kernel: The depthwise kernel, `(height, width,
            in_channels, channel_multiplier)`.
        pointwise_kernel: The 1x1 kernel, `(1, 1, in_channels *
            channel_multiplier, out_channels)`.
        strides: The strides, an int or a pair.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        dilation_rate: The dilation, an int or a pair.

    Returns:
        A 4-D tensor with `out_channels` channels.

    Examples:
        >>> x = keras.backend.ones((1, 3, 3, 2))
        >>> depthwise = keras.backend.ones((2, 2, 2, 1))
        >>> pointwise = keras.backend.ones((1, 1, 2, 3))
        >>> y = keras.backend.separable_conv2d(x, depthwise, pointwise)
        >>> y.shape, float(y[0, 0, 0, 0])
        (torch.Size([1, 2, 2, 3]), 8.0)
    """
    from torchkeras.ops import nn as ops_nn

    return ops_nn.separable_conv(
        _t(x), _t(depthwise_kernel), _t(pointwise_kernel), padding=padding,
        **_conv_args(data_format, strides, dilation_rate))


@keras_op("backend.conv2d_transpose", keras3=False)
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1),
                     padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Transposed 2-D convolution to `output_shape`.

    As `tf.nn.conv2d_transpose`: the gradient of a convolution whose input
    has `output_shape`.

    Args:
        x: A 4-D tensor of images.
        kernel: The kernel, `(height, width, out_channels, in_channels)`.
        output_shape: The shape of the result, batch first in
            `data_format` (its batch entry may be `None`).
        strides: The strides, an int or a pair.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        dilation_rate: The dilation, an int or a pair.

    Returns:
        A 4-D tensor of shape `output_shape`.

    Raises:
        ValueError: For an unknown `padding`.

    Examples:
        >>> x = keras.backend.constant([[[[1.0], [2.0]]]])
        >>> kernel = keras.backend.ones((1, 2, 1, 1))
        >>> y = keras.backend.conv2d_transpose(x, kernel, (1, 1, 4, 1),
        ...                                    strides=(1, 2))
        >>> y[0, 0, :, 0]
        tensor([1., 1., 2., 2.])
    """
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
    """2-D max or average pooling.

    Args:
        x: A 4-D tensor of images.
        pool_size: The window, a pair of ints.
        strides: The strides, a pair of ints.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        pool_mode: `"max"` or `"avg"`.

    Returns:
        A 4-D tensor.

    Raises:
        ValueError: For an unknown `pool_mode`.

    Examples:
        >>> x = keras.backend.reshape(keras.backend.arange(16, dtype="float32"),
        ...                           (1, 4, 4, 1))
        >>> keras.backend.pool2d(x, (2, 2), strides=(2, 2))[0, :, :, 0]
        tensor([[ 5.,  7.],
                [13., 15.]])
        >>> keras.backend.pool2d(x, (2, 2), strides=(2, 2),
        ...                      pool_mode="avg")[0, :, :, 0]
        tensor([[ 2.5000,  4.5000],
                [10.5000, 12.5000]])
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


@keras_op("backend.pool3d", keras3=False)
def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid",
           data_format=None, pool_mode="max"):
    """3-D max or average pooling.

    Args:
        x: A 5-D tensor.
        pool_size: The window, a triple of ints.
        strides: The strides, a triple of ints.
        padding: `"valid"` or `"same"`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.
        pool_mode: `"max"` or `"avg"`.

    Returns:
        A 5-D tensor.

    Raises:
        ValueError: For an unknown `pool_mode`.

    Examples:
        >>> x = keras.backend.ones((1, 4, 4, 4, 2))
        >>> keras.backend.pool3d(x, (2, 2, 2), strides=(2, 2, 2)).shape
        torch.Size([1, 2, 2, 2, 2])
    """
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
    """1-D convolution with unshared weights (as `LocallyConnected1D`).

    Each output position has its own kernel slice.

    Args:
        inputs: A 3-D tensor `(batch, steps, channels)` (channels first
            with `data_format="channels_first"`).
        kernel: The kernel, `(output_length, kernel_size * channels,
            filters)`.
        kernel_size: A tuple of one int, the window length.
        strides: A tuple of one int, the stride.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.

    Returns:
        A 3-D tensor `(batch, output_length, filters)`.

    Examples:
        >>> x = keras.backend.constant([[[1.0], [2.0], [3.0]]])
        >>> kernel = keras.backend.constant([[[1.0], [1.0]], [[0.0], [2.0]]])
        >>> keras.backend.local_conv1d(x, kernel, (2,), (1,))[0, :, 0]
        tensor([3., 6.])
    """
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides),
                       data_format)


@keras_op("backend.local_conv2d", keras3=False)
def local_conv2d(inputs, kernel, kernel_size, strides, output_shape,
                 data_format=None):
    """2-D convolution with unshared weights (as `LocallyConnected2D`).

    Each output position has its own kernel slice.

    Args:
        inputs: A 4-D tensor of images.
        kernel: The kernel, `(rows * cols, kh * kw * channels, filters)`.
        kernel_size: The window, a pair of ints.
        strides: The strides, a pair of ints.
        output_shape: The output's `(rows, cols)`.
        data_format: `'channels_last'` or `'channels_first'`; `None`
            means `image_data_format()`.

    Returns:
        A 4-D tensor with `filters` channels.

    Examples:
        >>> x = keras.backend.ones((1, 3, 3, 1))
        >>> kernel = keras.backend.ones((4, 4, 2))
        >>> y = keras.backend.local_conv2d(x, kernel, (2, 2), (1, 1), (2, 2))
        >>> y.shape, float(y[0, 0, 0, 0])
        (torch.Size([1, 2, 2, 2]), 4.0)
    """
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides),
                       data_format)


@keras_op("backend.categorical_focal_crossentropy", keras3=False)
def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0,
                                   from_logits=False, axis=-1):
    """Categorical focal crossentropy of each sample, as tf.keras's.

    The sum over `axis` of `alpha * (1 - p)**gamma * -target * log(p)`,
    with probabilities renormalised and clipped as in
    `categorical_crossentropy`.

    Args:
        target: One-hot (or soft) targets, the shape of `output`.
        output: Predicted probabilities, or logits with `from_logits`.
        alpha: The weight of every class term.
        gamma: The focusing exponent; 0 gives `alpha` times the
            crossentropy.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor of the shape of `output` without `axis`.

    Examples:
        >>> target = keras.backend.constant([[0.0, 1.0]])
        >>> output = keras.backend.constant([[0.5, 0.5]])
        >>> keras.backend.categorical_focal_crossentropy(target, output)
        tensor([0.0433])
    """
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
    """Element-wise binary focal crossentropy, as tf.keras's.

    `(1 - p_t)**gamma` times `binary_crossentropy`, where `p_t` is the
    probability given to the true class; with class balancing, weighted
    by `alpha` for positives and `1 - alpha` for negatives.

    Args:
        target: Targets in `[0, 1]`, the shape of `output`.
        output: Predicted probabilities, or logits with `from_logits`.
        apply_class_balancing: Whether to weight by `alpha`.
        alpha: The weight of the positive class when balancing.
        gamma: The focusing exponent; 0 gives `binary_crossentropy`.
        from_logits: Whether `output` holds logits.

    Returns:
        A tensor of the shape of `output`.

    Examples:
        >>> target = keras.backend.constant([1.0, 0.0])
        >>> output = keras.backend.constant([0.5, 0.5])
        >>> keras.backend.binary_focal_crossentropy(target, output)
        tensor([0.1733, 0.1733])
    """
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
    """A tensor of 1s with probability `p`, else 0s.

    Args:
        shape: The shape of the result.
        p: The probability of a 1.
        dtype: The dtype name; `None` means `floatx()`.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A tensor on `current_device()`.

    Examples:
        >>> keras.backend.random_bernoulli((2, 3), p=1.0)
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
        >>> x = keras.backend.random_bernoulli((1000,), p=0.5, seed=3)
        >>> sorted(set(x.tolist()))
        [0.0, 1.0]
    """
    u = random_uniform.op_spec.fn(shape, dtype=dtype, seed=seed)
    return (u <= p).to(u.dtype)


@keras_op("backend.random_binomial", keras3=False)
def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated alias of `random_bernoulli` (it warns, as tf.keras).

    Args:
        shape: The shape of the result.
        p: The probability of a 1.
        dtype: The dtype name; `None` means `floatx()`.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A tensor on `current_device()`.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     x = keras.backend.random_binomial((2, 2), p=1.0)
        >>> x
        tensor([[1., 1.],
                [1., 1.]])
    """
    warnings.warn(
        "`tf.keras.backend.random_binomial` is deprecated, and will be "
        "removed in a future version.Please use "
        "`tf.keras.backend.random_bernoulli` instead.", stacklevel=3)
    return random_bernoulli.op_spec.fn(shape, p, dtype, seed)


@keras_op("backend.truncated_normal", keras3=False, tf=(
    "random.truncated_normal", ("shape", "mean", "stddev", "dtype",
                                "seed")))
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples, those beyond two standard deviations redrawn.

    Args:
        shape: The shape of the result.
        mean: The mean of the distribution.
        stddev: The standard deviation before truncation.
        dtype: The dtype name; `None` means `floatx()`.
        seed: Optional int; the same seed gives the same samples.

    Returns:
        A tensor on `current_device()`.

    Examples:
        >>> x = keras.backend.truncated_normal((1000,), mean=0.0, stddev=1.0)
        >>> bool(keras.backend.all(keras.backend.abs(x) <= 2.0))
        True
    """
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
    """`fn` applied to each slice of `elems` along its first axis.

    The results are stacked into one tensor. It runs eagerly (a Python
    loop).

    Args:
        fn: A callable taking one slice and returning a tensor.
        elems: A tensor (or a list of tensors) to iterate over.
        name: Accepted for tf.keras compatibility; unused.
        dtype: Accepted for tf.keras compatibility; the results keep
            their dtype.

    Returns:
        A tensor stacking the results.

    Raises:
        TypeError: If `elems` is a symbolic KerasTensor.

    Examples:
        >>> x = keras.backend.constant([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.backend.map_fn(lambda row: keras.backend.sum(row), x)
        tensor([3., 7.])
    """
    _eager_only("map_fn", elems)
    return torch.stack([_t(fn(e)) for e in _unstacked(elems)])


@keras_export("keras.backend.foldl")
def foldl(fn, elems, initializer=None, name=None):
    """Reduces the slices of `elems` with `fn(acc, x)`, from the first.

    Without `initializer`, the first slice is the start value.

    Args:
        fn: A callable `(accumulator, slice) -> accumulator`.
        elems: A tensor (or a list) whose first axis is iterated over.
        initializer: Optional start value.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        The final accumulator.

    Raises:
        TypeError: If an argument is a symbolic KerasTensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0, 3.0])
        >>> keras.backend.foldl(lambda acc, d: acc * 10 + d, x)
        tensor(123.)
    """
    _eager_only("foldl", elems, initializer)
    items = _unstacked(elems)
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc


@keras_export("keras.backend.foldr")
def foldr(fn, elems, initializer=None, name=None):
    """Reduces the slices of `elems` with `fn(acc, x)`, from the last.

    Without `initializer`, the last slice is the start value.

    Args:
        fn: A callable `(accumulator, slice) -> accumulator`.
        elems: A tensor (or a list) whose first axis is iterated over.
        initializer: Optional start value.
        name: Accepted for tf.keras compatibility; unused.

    Returns:
        The final accumulator.

    Raises:
        TypeError: If an argument is a symbolic KerasTensor.

    Examples:
        >>> x = keras.backend.constant([1.0, 2.0, 3.0])
        >>> keras.backend.foldr(lambda acc, d: acc * 10 + d, x)
        tensor(321.)
    """
    _eager_only("foldr", elems, initializer)
    items = _unstacked(elems)[::-1]
    acc = items.pop(0) if initializer is None else initializer
    for item in items:
        acc = fn(acc, item)
    return acc
