"""``tf.math`` names on ``keras.ops``.

Each function takes TensorFlow's argument names (and ``name=``, ignored)
and calls the ``keras.ops`` function of the same meaning, so it computes on
tensors and records a graph node on KerasTensors through that op. Where
TF's semantics differ from ``keras.ops`` (``reduce_mean`` of integers stays
integer, ``argmax`` reduces axis 0 and returns int64, ``cumsum``'s
``exclusive``/``reverse``) the difference is written here, either by
composing ops or as an op of its own (``tf.math.reduce_mean``).
"""

import functools
import inspect

import torch

from torchkeras import ops
from torchkeras.compat.tf import _support
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op


def _alias(tf_name, fn, tf_params):
    """``fn`` called with TF's argument names ``tf_params`` (by position)."""
    ops_params = list(inspect.signature(fn).parameters)
    mapping = dict(zip(tf_params, ops_params))

    @functools.wraps(fn)
    def call(*args, name=None, **kwargs):
        return fn(*args, **{mapping.get(k, k): v for k, v in kwargs.items()})

    call.__name__ = tf_name.rsplit(".", 1)[-1]
    call.__qualname__ = call.__name__
    call.__doc__ = (f"`tf.{tf_name}({', '.join(tf_params)})` as "
                    f"`keras.ops.{fn.__name__}`.")
    del call.__wrapped__
    return call


_UNARY = {
    "abs": ops.abs, "exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt,
    "square": ops.square, "sigmoid": ops.sigmoid, "tanh": ops.tanh,
    "log1p": ops.log1p, "expm1": ops.expm1, "round": ops.round,
    "floor": ops.floor, "ceil": ops.ceil, "sign": ops.sign,
    "negative": ops.negative, "reciprocal": ops.reciprocal,
    "rsqrt": ops.rsqrt, "sin": ops.sin, "cos": ops.cos, "tan": ops.tan,
    "asin": ops.arcsin, "acos": ops.arccos, "atan": ops.arctan,
    "sinh": ops.sinh, "cosh": ops.cosh, "asinh": ops.arcsinh,
    "acosh": ops.arccosh, "atanh": ops.arctanh, "erf": ops.erf,
    "is_nan": ops.isnan, "is_inf": ops.isinf, "is_finite": ops.isfinite,
    "logical_not": ops.logical_not, "log_sigmoid": ops.log_sigmoid,
}
_FEATURES = {"softplus": ops.softplus, "softsign": ops.softsign}
_BINARY = {
    "pow": ops.power, "maximum": ops.maximum, "minimum": ops.minimum,
    "add": ops.add, "subtract": ops.subtract, "multiply": ops.multiply,
    "divide": ops.divide, "truediv": ops.true_divide,
    "floordiv": ops.floor_divide, "mod": ops.mod, "floormod": ops.mod,
    "equal": ops.equal, "not_equal": ops.not_equal,
    "greater": ops.greater, "greater_equal": ops.greater_equal,
    "less": ops.less, "less_equal": ops.less_equal,
    "logical_and": ops.logical_and, "logical_or": ops.logical_or,
    "logical_xor": ops.logical_xor, "divide_no_nan": ops.divide_no_nan,
}
_REDUCE = {
    "reduce_sum": ops.sum, "reduce_max": ops.max, "reduce_min": ops.min,
    "reduce_prod": ops.prod, "reduce_any": ops.any, "reduce_all": ops.all,
    "reduce_std": ops.std, "reduce_variance": ops.var,
    "reduce_logsumexp": ops.logsumexp,
}

for _name, _fn in _UNARY.items():
    globals()[_name] = _alias(f"math.{_name}", _fn, ("x",))
for _name, _fn in _FEATURES.items():
    globals()[_name] = _alias(f"math.{_name}", _fn, ("features",))
for _name, _fn in _BINARY.items():
    globals()[_name] = _alias(f"math.{_name}", _fn, ("x", "y"))
for _name, _fn in _REDUCE.items():
    globals()[_name] = _alias(
        f"math.{_name}", _fn, ("input_tensor", "axis", "keepdims"))

atan2 = _alias("math.atan2", ops.arctan2, ("y", "x"))
top_k = _alias("math.top_k", ops.top_k, ("input", "k", "sorted"))
in_top_k = _alias("math.in_top_k", ops.in_top_k,
                  ("targets", "predictions", "k"))
segment_sum = _alias("math.segment_sum", ops.segment_sum,
                     ("data", "segment_ids"))
segment_max = _alias("math.segment_max", ops.segment_max,
                     ("data", "segment_ids"))
unsorted_segment_sum = _alias("math.unsorted_segment_sum", ops.segment_sum,
                              ("data", "segment_ids", "num_segments"))


def _dims(x, axis):
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return (int(axis),)


@keras_op("tf.math.reduce_mean", keras3=False,
          tf=("math.reduce_mean", ("input_tensor", "axis", "keepdims")))
def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """``tf.math.reduce_mean``: an integer mean stays integer (truncated),
    as in TensorFlow; floating inputs keep their dtype."""
    x = convert_to_tensor(input_tensor)
    if x.dtype.is_floating_point or x.dtype.is_complex:
        return ops.mean(x, axis=axis, keepdims=keepdims)
    dims = _dims(x, axis)
    if x.dtype == torch.bool:
        raise TypeError(
            "tf.reduce_mean does not take booleans; cast them first. "
            f"Received: dtype={x.dtype}")
    total = torch.sum(x, dim=dims, keepdim=keepdims, dtype=x.dtype)
    count = 1
    for d in dims:
        count *= x.shape[d]
    return torch.div(total, max(count, 1), rounding_mode="trunc")


def argmax(input, axis=None, output_type=torch.int64, name=None):
    """``tf.math.argmax``: axis 0 by default, int64 by default."""
    return ops.cast(ops.argmax(input, axis=0 if axis is None else axis),
                    output_type)


def argmin(input, axis=None, output_type=torch.int64, name=None):
    """``tf.math.argmin``: axis 0 by default, int64 by default."""
    return ops.cast(ops.argmin(input, axis=0 if axis is None else axis),
                    output_type)


def _scan(op, x, axis, exclusive, reverse, identity):
    x = x if isinstance(x, ops.dispatch.KerasTensor) else (
        convert_to_tensor(x))
    if reverse:
        x = ops.flip(x, axis=axis)
    out = op(x, axis=axis)
    if exclusive:
        # Shift by one along `axis`, filling with the identity element.
        n = x.shape[axis]
        out = ops.concatenate(
            [ops.full_like(ops.take(out, [0], axis=axis), identity),
             ops.take(out, list(range(n - 1)), axis=axis)], axis=axis)
    if reverse:
        out = ops.flip(out, axis=axis)
    return out


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """``tf.math.cumsum`` with TF's ``exclusive`` and ``reverse``."""
    return _scan(ops.cumsum, x, axis, exclusive, reverse, 0)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """``tf.math.cumprod`` with TF's ``exclusive`` and ``reverse``."""
    return _scan(ops.cumprod, x, axis, exclusive, reverse, 1)


def add_n(inputs, name=None):
    """``tf.math.add_n``: the element-wise sum of a list of tensors."""
    total = inputs[0]
    for x in inputs[1:]:
        total = ops.add(total, x)
    return total


def squared_difference(x, y, name=None):
    return ops.square(ops.subtract(x, y))


def count_nonzero(input, axis=None, keepdims=None, dtype=torch.int64,
                  name=None):
    """``tf.math.count_nonzero`` (int64 by default)."""
    out = ops.sum(ops.cast(ops.not_equal(input, 0), "int32"), axis=axis,
                  keepdims=bool(keepdims))
    return ops.cast(out, dtype)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None):
    """``x / sqrt(max(sum(x**2, axis), epsilon))``, as TensorFlow's."""
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.multiply(x, ops.rsqrt(ops.maximum(square_sum, epsilon)))


_support.eager_results(globals())
__getattr__ = _support.missing("tf.math")
