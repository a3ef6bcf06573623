"""The TensorFlow names Keras programs use: ``import torchkeras.compat.tf
as tf``.

Tensor functions take TF's argument names and call ``keras.ops`` (eager on
tensors, a recorded graph node on KerasTensors); where TF's semantics
differ (``concat``'s required ``axis``, ``gather``'s ``axis=0`` and
``batch_dims``, ``one_hot``'s ``on_value``/``off_value``, ``fill``'s and
``constant``'s dtype inference) the difference is written here. Dtype names
are torch dtypes, so ``x.dtype == tf.float32`` holds for torch tensors.
Submodules: ``math``, ``linalg``, ``nn``, ``random``, ``train``; ``data``,
``distribute``, ``config`` and ``compat`` are torchkeras's own, ``keras``
is torchkeras. ``GradientTape`` and ``function`` are torchkeras's when it
has them. A name not provided raises ``AttributeError`` pointing to
``keras.ops``.

Examples:
    >>> import torchkeras.compat.tf as tf
    >>> tf.reduce_sum(tf.constant([[1, 2], [3, 4]]), axis=0)
    tensor([4, 6], dtype=torch.int32)
"""

import torch

import torchkeras
from torchkeras import compat as compat
from torchkeras import config as config
from torchkeras import data as data
from torchkeras import distribute as distribute
from torchkeras import ops
from torchkeras.backend.gradient_tape import GradientTape as GradientTape
from torchkeras.backend.tf_function import function as function
from torchkeras.backend.variables import Variable as Variable
from torchkeras.compat.tf import _support
from torchkeras.compat.tf import linalg as linalg
from torchkeras.compat.tf import math as math
from torchkeras.compat.tf import nn as nn
from torchkeras.compat.tf import random as random
from torchkeras.compat.tf import train as train
from torchkeras.compat.tf.linalg import matmul as matmul
from torchkeras.compat.tf.linalg import norm as norm
from torchkeras.compat.tf.math import _alias
from torchkeras.compat.tf.math import argmax as argmax
from torchkeras.compat.tf.math import argmin as argmin
from torchkeras.compat.tf.math import cumsum as cumsum
from torchkeras.compat.tf.math import reduce_mean as reduce_mean
from torchkeras.ops.core import convert_to_tensor as _to_tensor
from torchkeras.ops.dispatch import KerasTensor as _KerasTensor
from torchkeras.ops.dispatch import keras_op

keras = torchkeras

float16 = torch.float16
bfloat16 = torch.bfloat16
float32 = torch.float32
float64 = torch.float64
int8 = torch.int8
int16 = torch.int16
int32 = torch.int32
int64 = torch.int64
uint8 = torch.uint8
bool = torch.bool
complex64 = torch.complex64
complex128 = torch.complex128
string = str
newaxis = None
Tensor = torch.Tensor


def as_dtype(type_value):
    """``tf.as_dtype``: a torch dtype from a dtype, name or NumPy dtype."""
    if isinstance(type_value, torch.dtype):
        return type_value
    name = getattr(type_value, "name", None) or str(type_value)
    found = getattr(torch, name, None)
    if not isinstance(found, torch.dtype):
        raise TypeError(
            f"tf.as_dtype expects a dtype or its name. Received: "
            f"type_value={type_value!r}")
    return found


# Top-level names TensorFlow exposes from tf.math.
for _name in (
        "abs", "exp", "sqrt", "square", "pow", "maximum", "minimum", "add",
        "subtract", "multiply", "divide", "truediv", "equal", "not_equal",
        "greater", "greater_equal", "less", "less_equal", "logical_and",
        "logical_or", "logical_not", "sign", "round", "floor", "sigmoid",
        "tanh", "sin", "cos", "negative", "reduce_sum", "reduce_max",
        "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
        "reduce_std", "reduce_variance", "reduce_logsumexp", "add_n",
        "floordiv", "realdiv", "squared_difference", "log", "cumprod"):
    if hasattr(math, _name):
        globals()[_name] = getattr(math, _name)
realdiv = math.truediv

cast = _alias("cast", ops.cast, ("x", "dtype"))
shape_n = None
del shape_n
stop_gradient = _alias("stop_gradient", ops.stop_gradient, ("input",))
expand_dims = _alias("expand_dims", ops.expand_dims, ("input", "axis"))
squeeze = _alias("squeeze", ops.squeeze, ("input", "axis"))
transpose = _alias("transpose", ops.transpose, ("a", "perm"))
clip_by_value = _alias("clip_by_value", ops.clip,
                       ("t", "clip_value_min", "clip_value_max"))
stack = _alias("stack", ops.stack, ("values", "axis"))
unstack = _alias("unstack", ops.unstack, ("value", "num", "axis"))
zeros_like = _alias("zeros_like", ops.zeros_like, ("input", "dtype"))
ones_like = _alias("ones_like", ops.ones_like, ("input", "dtype"))
linspace = _alias("linspace", ops.linspace, ("start", "stop", "num"))
identity = _alias("identity", ops.identity, ("input",))
tensordot = _alias("tensordot", ops.tensordot, ("a", "b", "axes"))
einsum = ops.einsum
sort = _alias("sort", ops.sort, ("values", "axis"))
argsort = _alias("argsort", ops.argsort, ("values", "axis"))
is_tensor = _alias("is_tensor", ops.is_tensor, ("x",))
size = _alias("size", ops.size, ("input",))


def executing_eagerly():
    """True: torchkeras runs eagerly outside graph construction."""
    return True


def constant(value, dtype=None, shape=None, name=None):
    """A tensor of ``value`` (Python ints int32, floats float32, as TF);
    with ``shape``, a scalar is broadcast and a list reshaped."""
    if dtype is None and not torch.is_tensor(value):
        dtype = _infer_dtype(value)
    out = _to_tensor(value, dtype=dtype)
    if shape is not None:
        shape = _support.shape_arg(shape)
        out = (out.expand(shape).clone() if out.ndim == 0
               else out.reshape(shape))
    return out


def _infer_dtype(value):
    found = _support.dtype_of_value(value)
    if found is None and isinstance(value, (list, tuple)) and value:
        flat = list(value)
        while flat and isinstance(flat[0], (list, tuple)):
            flat = [v for item in flat for v in item]
        kinds = {_support.dtype_of_value(v) for v in flat}
        if kinds == {torch.bool}:
            found = torch.bool
        elif kinds <= {torch.int32, torch.bool}:
            found = torch.int32
        elif None not in kinds:
            found = torch.float32
    return found


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """``tf.convert_to_tensor``: tensors pass through; Python values get
    TF's dtypes (``dtype_hint`` where given)."""
    if isinstance(value, _KerasTensor):
        return value if dtype is None else ops.cast(value, dtype)
    if dtype is None and not torch.is_tensor(value):
        dtype = dtype_hint or _infer_dtype(value)
    return _to_tensor(value, dtype=dtype)


@keras_op("tf.shape", keras3=False, tf=("shape", ("input", "out_type")))
def shape(input, out_type=torch.int32, name=None):
    """The shape of ``input`` as a 1-D int32 tensor (TF's ``tf.shape``)."""
    input = _to_tensor(input)
    return torch.tensor(tuple(input.shape), dtype=as_dtype(out_type))


def rank(input, name=None):
    return ops.ndim(input)


def reshape(tensor, shape, name=None):
    """``tf.reshape``; ``shape`` may be a tensor (from ``tf.shape``)."""
    if torch.is_tensor(shape):
        shape = _support.shape_arg(shape)
    return ops.reshape(tensor, shape)


def concat(values, axis, name=None):
    """``tf.concat``: ``axis`` is required."""
    return ops.concatenate(list(values), axis=axis)


@keras_op("tf.gather", keras3=False,
          tf=("gather", ("params", "indices", "validate_indices",
                       "axis", "batch_dims")))
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0,
           name=None):
    """``tf.gather``: slices of ``params`` along ``axis`` (0 by default);
    the first ``batch_dims`` dims of ``params`` and ``indices`` pair up."""
    params = _to_tensor(params)
    indices = _to_tensor(indices).long()
    axis = batch_dims if axis is None else axis
    axis = axis % params.ndim
    batch_dims = batch_dims % max(indices.ndim, 1) if batch_dims < 0 else (
        batch_dims)
    if batch_dims == 0:
        out = torch.index_select(params, axis, indices.reshape(-1))
        return out.reshape(params.shape[:axis] + indices.shape
                           + params.shape[axis + 1:])
    # Broadcast the index over the dims of params around it, then gather.
    lead = params.shape[:axis]
    extra = indices.shape[batch_dims:]
    idx = indices.reshape(indices.shape[:batch_dims] + (1,) * (
        axis - batch_dims) + extra + (1,) * (params.ndim - axis - 1))
    idx = idx.expand(lead + extra + params.shape[axis + 1:])
    src = params.reshape(lead + (params.shape[axis],) + (1,) * (
        len(extra) - 1) + params.shape[axis + 1:]).expand(
        lead + (params.shape[axis],) + extra[1:] + params.shape[axis + 1:]
    ) if extra else params
    return torch.gather(src, axis, idx)


def where(condition, x=None, y=None, name=None):
    """``tf.where``: ``x``/``y`` by ``condition``; with neither, the
    indices of true entries as int64 ``(count, rank)``."""
    if x is None and y is None:
        return torch.nonzero(_to_tensor(condition))
    return ops.where(condition, x, y)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None,
            dtype=None, name=None):
    """``tf.one_hot`` (float32 unless ``dtype`` or the on/off values say
    otherwise; out-of-range indices give all ``off_value``)."""
    if dtype is None:
        dtype = next((_support.dtype_of_value(v) for v in (
            on_value, off_value) if v is not None), None) or torch.float32
    out = ops.one_hot(indices, depth, axis=-1 if axis is None else axis,
                      dtype=dtype)
    if on_value is None and off_value is None:
        return out
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    return ops.cast(ops.add(ops.multiply(out, on - off), off), dtype)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=torch.float32,
        name=None):
    out = ops.eye(num_rows, num_columns, dtype=dtype)
    if batch_shape:
        batch_shape = _support.shape_arg(batch_shape)
        out = ops.broadcast_to(out, batch_shape + tuple(out.shape))
    return out


def range(start, limit=None, delta=1, dtype=None, name=None):
    """``tf.range``: int32 for int arguments, float32 if any is a float."""
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        args = (start, limit, delta)
        dtype = torch.float32 if any(
            isinstance(a, float) or torch.is_tensor(a)
            and a.dtype.is_floating_point for a in args) else torch.int32
    return ops.arange(start, limit, delta, dtype=dtype)


def zeros(shape, dtype=torch.float32, name=None):
    return ops.zeros(_support.shape_arg(shape), dtype=dtype)


def ones(shape, dtype=torch.float32, name=None):
    return ops.ones(_support.shape_arg(shape), dtype=dtype)


def fill(dims, value, name=None):
    """``tf.fill``: the dtype is ``value``'s (int32 for a Python int)."""
    dtype = _support.dtype_of_value(value) or _to_tensor(value).dtype
    return ops.full(_support.shape_arg(dims), value, dtype=dtype)


def tile(input, multiples, name=None):
    return ops.tile(input, _support.shape_arg(multiples))


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    """``tf.split``: a count of equal parts or a list of part sizes."""
    if isinstance(num_or_size_splits, int):
        return ops.split(value, num_or_size_splits, axis=axis)
    sizes = _support.shape_arg(num_or_size_splits)
    if -1 in sizes:
        total = value.shape[axis]
        sizes = tuple(total - (sum(sizes) + 1) if s == -1 else s
                      for s in sizes)
    bounds = []
    for s in sizes[:-1]:
        bounds.append((bounds[-1] if bounds else 0) + s)
    return ops.split(value, bounds, axis=axis)


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    return ops.pad(tensor, paddings, mode=mode.lower(),
                   constant_values=constant_values)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t * clip_norm / max(l2norm(t, axes), clip_norm)``."""
    l2 = ops.sqrt(ops.sum(ops.square(t), axis=axes, keepdims=True))
    return ops.divide(ops.multiply(t, clip_norm),
                      ops.maximum(l2, clip_norm))


_support.eager_results(globals())


def __getattr__(name):
    return _missing(name)


_missing = _support.missing("tf")
