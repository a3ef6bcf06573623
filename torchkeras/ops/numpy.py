"""NumPy-style operations of ``torchkeras.ops`` (Keras 3 ``ops/numpy.py``).

Every function of Keras 3.15's ``keras.ops.numpy``, with Keras's names,
arguments and semantics (``transpose`` reverses every axis by default,
``eye`` takes ``M`` and ``k``, ``axis`` may be ``None`` or a tuple) and its
dtype rules: Python scalars are weak (``x + 1.0`` keeps ``x``'s float
dtype), integer and bool inputs to float functions (``sqrt``, ``mean``,
``divide``) give ``backend.floatx()``, index results (``argmax``,
``argsort``, ``nonzero``) are ``int32``. Each op runs one torch kernel
where torch has one; nothing syncs the host except the ops whose output
shape depends on the values (``unique``, ``nonzero``, ``bincount``,
``histogram``).

Element-wise ops with a direct torch counterpart are made by the small
factories ``_unary`` and ``_binary``; the graph mechanism (KerasTensor
arguments record a node) is ``torchkeras.ops.dispatch``. The other
namespaces (``nn``, ``math``, ``linalg``, ``image``, ``core``) live in
their own modules.
"""

import builtins
import math as pymath

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype
from torchkeras.ops import core as _core
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export

_SMALL_INTS = (torch.bool, torch.uint8, torch.int8, torch.int16)


# ---------------------------------------------------------------------------
# Dtype and argument helpers.

def _floatx():
    return to_torch_dtype(floatx())


def _is_float(dtype):
    return dtype.is_floating_point or dtype.is_complex


def _to_float(x):
    """``x`` unchanged when float or complex, else cast to floatx."""
    return x if _is_float(x.dtype) else x.to(_floatx())


def _is_python_scalar(x):
    return isinstance(x, (bool, int, float, complex)) and not isinstance(
        x, np.generic)


def _weak_dtype(value, other):
    """Keras's dtype for the Python scalar ``value`` next to a tensor of
    dtype ``other`` (weak typing: the tensor's dtype wins within a kind)."""
    if isinstance(value, bool):
        return other
    if isinstance(value, int):
        return torch.int32 if other == torch.bool else other
    if isinstance(value, float):
        return other if _is_float(other) else _floatx()
    return other if other.is_complex else torch.complex64


def _promote(*xs):
    """Tensors of ``xs`` cast to their common dtype (Keras's rules)."""
    strong = [convert_to_tensor(x) for x in xs if not _is_python_scalar(x)]
    if not strong:
        return [convert_to_tensor(x) for x in xs]
    device = strong[0].device
    dtype = strong[0].dtype
    for t in strong[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    for x in xs:
        if _is_python_scalar(x):
            dtype = torch.promote_types(dtype, _weak_dtype(x, dtype))
    return [convert_to_tensor(x).to(dtype=dtype, device=device) for x in xs]


def _result_float(*xs):
    """Tensors of ``xs`` promoted together, then to float (floatx for
    integers)."""
    xs = _promote(*xs)
    if _is_float(xs[0].dtype):
        return xs
    return [x.to(_floatx()) for x in xs]


def _dims(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def _axes(axis, ndim):
    """``axis`` (None, int or sequence) as a sorted tuple of non-negative
    axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(sorted(a % builtins.max(ndim, 1) for a in axis))
    return (axis % builtins.max(ndim, 1),)


def _keep_shape(x, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(x.shape))


def _merge_axes(x, axis):
    """``x`` with the ``axis`` axes moved last and merged into one;
    returns it and the keepdims shape."""
    axes = _axes(axis, x.ndim)
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = x.permute(*rest, *axes) if x.ndim else x
    size = pymath.prod(x.shape[i] for i in axes)
    merged = moved.reshape(tuple(x.shape[i] for i in rest) + (size,))
    return merged, _keep_shape(x, axes)


def _reduce_last(x, axis, keepdims, fn):
    """Applies ``fn(tensor)`` (reducing the last axis) over ``axis``."""
    merged, keep = _merge_axes(x, axis)
    out = fn(merged)
    return out.reshape(keep) if keepdims else out


def _reduce(x, axis, keepdims, fn):
    """``fn(x, dim, keepdim)`` over ``axis`` (None: every axis)."""
    if axis is None:
        out = fn(x.reshape(-1), 0, False)
        return out.reshape((1,) * x.ndim) if keepdims else out
    if isinstance(axis, (list, tuple)) and len(axis) == 0:
        return x
    return fn(x, _dims(axis), keepdims)


def _int_shape(shape):
    if isinstance(shape, int):
        return (shape,)
    if torch.is_tensor(shape) or isinstance(shape, np.ndarray):
        return tuple(int(d) for d in np.asarray(shape.tolist()))
    return tuple(int(d) for d in shape)


def _named(name, fn, doc):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__module__ = __name__
    return fn


# ---------------------------------------------------------------------------
# Element-wise unary ops.

def _unary(name, torch_fn, doc, to_float=False, tf=None):
    """A one-argument op ``name(x)`` running ``torch_fn``; ``to_float``
    casts integer and bool inputs to floatx first."""
    def op(x):
        x = convert_to_tensor(x)
        return torch_fn(_to_float(x) if to_float else x)
    _named(name, op, doc)
    return keras_op(name, tf=(tf, ("x",)) if tf else None)(op)


arccos = _unary("arccos", torch.arccos, "Element-wise inverse cosine.",
                True, "math.acos")
arccosh = _unary("arccosh", torch.arccosh,
                 "Element-wise inverse hyperbolic cosine.", True,
                 "math.acosh")
arcsin = _unary("arcsin", torch.arcsin, "Element-wise inverse sine.", True,
                "math.asin")
arcsinh = _unary("arcsinh", torch.arcsinh,
                 "Element-wise inverse hyperbolic sine.", True, "math.asinh")
arctan = _unary("arctan", torch.arctan, "Element-wise inverse tangent.",
                True, "math.atan")
arctanh = _unary("arctanh", torch.arctanh,
                 "Element-wise inverse hyperbolic tangent.", True,
                 "math.atanh")
cos = _unary("cos", torch.cos, "Element-wise cosine.", True, "math.cos")
cosh = _unary("cosh", torch.cosh, "Element-wise hyperbolic cosine.", True,
              "math.cosh")
sin = _unary("sin", torch.sin, "Element-wise sine.", True, "math.sin")
sinh = _unary("sinh", torch.sinh, "Element-wise hyperbolic sine.", True,
              "math.sinh")
tan = _unary("tan", torch.tan, "Element-wise tangent.", True, "math.tan")
tanh = _unary("tanh", torch.tanh, "Element-wise hyperbolic tangent.", True,
              "math.tanh")
exp = _unary("exp", torch.exp, "Element-wise ``e ** x``.", True, "math.exp")
exp2 = _unary("exp2", torch.exp2, "Element-wise ``2 ** x``.", True)
expm1 = _unary("expm1", torch.expm1, "Element-wise ``exp(x) - 1``.", True,
               "math.expm1")
log = _unary("log", torch.log, "Element-wise natural logarithm.", True,
             "math.log")
log10 = _unary("log10", torch.log10, "Element-wise base-10 logarithm.",
               True)
log1p = _unary("log1p", torch.log1p, "Element-wise ``log(1 + x)``.", True,
               "math.log1p")
log2 = _unary("log2", torch.log2, "Element-wise base-2 logarithm.", True)
sqrt = _unary("sqrt", torch.sqrt, "Element-wise square root.", True,
              "math.sqrt")
deg2rad = _unary("deg2rad", torch.deg2rad,
                 "Converts angles from degrees to radians.", True)
rad2deg = _unary("rad2deg", torch.rad2deg,
                 "Converts angles from radians to degrees.", True)
i0 = _unary("i0", torch.i0,
            "Modified Bessel function of the first kind, order 0.", True,
            "math.bessel_i0")
sinc = _unary("sinc", torch.sinc, "Normalized sinc, ``sin(pi x)/(pi x)``.",
              True)
fabs = _unary("fabs", torch.abs, "Element-wise absolute value, as floats.",
              True)
reciprocal = _unary("reciprocal", torch.reciprocal,
                    "Element-wise ``1 / x``.", True, "math.reciprocal")
negative = _unary("negative", torch.neg, "Element-wise ``-x``.", False,
                  "math.negative")
sign = _unary("sign", torch.sign, "Element-wise sign (-1, 0 or 1).", False,
              "math.sign")
signbit = _unary("signbit", torch.signbit,
                 "True where the sign bit is set (negative, -0.0).")
isfinite = _unary("isfinite", torch.isfinite,
                  "True where ``x`` is neither infinite nor NaN.", False,
                  "math.is_finite")
isinf = _unary("isinf", torch.isinf, "True where ``x`` is +/- infinity.",
               False, "math.is_inf")
isnan = _unary("isnan", torch.isnan, "True where ``x`` is NaN.", False,
               "math.is_nan")
isneginf = _unary("isneginf", torch.isneginf,
                  "True where ``x`` is negative infinity.")
isposinf = _unary("isposinf", torch.isposinf,
                  "True where ``x`` is positive infinity.")
isreal = _unary("isreal", torch.isreal,
                "True where ``x`` has no imaginary part.")
logical_not = _unary("logical_not", torch.logical_not,
                     "Element-wise logical NOT.", False, "math.logical_not")
conjugate = _unary("conjugate", torch.conj_physical,
                   "Element-wise complex conjugate.", False, "math.conj")
conj = _unary("conj", torch.conj_physical,
              "Element-wise complex conjugate (alias of ``conjugate``).")
real = _unary("real", torch.real, "The real part of ``x``.", False,
              "math.real")
copy = _unary("copy", torch.clone, "A copy of ``x``.", False, "identity")


def _abs(x):
    return x if x.dtype == torch.bool else torch.abs(x)


def _imag(x):
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def _angle(x):
    return torch.angle(_to_float(x))


def _square(x):
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def _trunc(x):
    return x if x.dtype == torch.bool else torch.trunc(x)


def _rounding(torch_fn):
    def apply(x):
        if x.dtype == torch.bool:
            x = x.to(torch.uint8)
        return torch_fn(_to_float(x))
    return apply


def _cbrt(x):
    if x.dtype == torch.int64:
        x = x.to(torch.float64)
    x = _to_float(x)
    return torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)


def _bitwise_not(x):
    return torch.bitwise_not(x)


abs = _unary("abs", _abs, "Element-wise absolute value.", False,
             "math.abs")
absolute = _unary("absolute", _abs,
                  "Element-wise absolute value (alias of ``abs``).")
imag = _unary("imag", _imag, "The imaginary part of ``x``.", False,
              "math.imag")
angle = _unary("angle", _angle, "Element-wise complex argument.", False,
               "math.angle")
square = _unary("square", _square, "Element-wise ``x ** 2``.", False,
                "math.square")
trunc = _unary("trunc", _trunc, "Rounds toward zero, element-wise.")
ceil = _unary("ceil", _rounding(torch.ceil),
              "Element-wise ceiling, as floats.", False, "math.ceil")
floor = _unary("floor", _rounding(torch.floor),
               "Element-wise floor, as floats.", False, "math.floor")
cbrt = _unary("cbrt", _cbrt, "Element-wise cube root.")
bitwise_invert = _unary("bitwise_invert", _bitwise_not,
                        "Element-wise bitwise NOT.")


@keras_op(tf=("bitwise.invert", ("x",)))
def bitwise_not(x):
    """Element-wise bitwise NOT (``~x``)."""
    return torch.bitwise_not(convert_to_tensor(x))


@keras_op()
def round(x, decimals=0):
    """Rounds half to even to ``decimals`` places; integers keep their
    dtype."""
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return torch.round(x.to(_floatx()), decimals=decimals).to(x.dtype)
    return torch.round(x, decimals=decimals)


@keras_op()
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replaces NaN by ``nan`` and infinities by ``posinf``/``neginf``
    (default: the dtype's largest/smallest finite value)."""
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


# ---------------------------------------------------------------------------
# Element-wise binary ops.

def _binary(name, torch_fn, doc, to_float=False, tf=None, xy=False):
    """A two-argument op ``name(x1, x2)`` (``name(x, y)`` when ``xy``)
    running ``torch_fn`` on the promoted tensors; ``to_float`` computes
    integers in floatx."""
    def apply(a, b):
        a, b = _result_float(a, b) if to_float else _promote(a, b)
        return torch_fn(a, b)

    def op(x1, x2):
        return apply(x1, x2)

    def op_xy(x, y):
        return apply(x, y)

    fn = _named(name, op_xy if xy else op, doc)
    return keras_op(name, tf=(tf, ("x", "y")) if tf else None)(fn)


def _safe_divide(a, b):
    safe = torch.where(b == 0, torch.ones_like(b), b)
    return torch.where(b == 0, torch.zeros_like(a), a / safe)


def _heaviside(a, b):
    return torch.where(a < 0, torch.zeros_like(a),
                       torch.where(a > 0, torch.ones_like(a), b))


def _logaddexp2(a, b):
    return torch.logaddexp2(a, b)


def _ldexp(a, b):
    return a * torch.pow(2.0, b.to(a.dtype))


def _int_pair(torch_fn):
    def apply(a, b):
        if a.dtype == torch.bool:
            a, b = a.to(torch.int32), b.to(torch.int32)
        return torch_fn(a, b)
    return apply


add = _binary("add", torch.add, "Element-wise ``x1 + x2``.",
              tf="__operators__.add")
subtract = _binary("subtract", torch.sub, "Element-wise ``x1 - x2``.",
                   tf="math.subtract")
multiply = _binary("multiply", torch.mul, "Element-wise ``x1 * x2``.",
                   tf="math.multiply")
divide = _binary("divide", torch.div,
                 "Element-wise true division; integers give floatx.", True,
                 "math.truediv")
true_divide = _binary("true_divide", torch.div,
                      "Element-wise true division (alias of ``divide``).",
                      True)
divide_no_nan = _binary("divide_no_nan", _safe_divide,
                        "Element-wise ``x1 / x2`` with 0 where ``x2`` is "
                        "0.", True, "math.divide_no_nan")
floor_divide = _binary("floor_divide", torch.floor_divide,
                       "Element-wise floor division.", tf="math.floordiv")
mod = _binary("mod", _int_pair(torch.remainder),
              "Element-wise remainder with the sign of ``x2``.",
              tf="math.floormod")
fmod = _binary("fmod", _int_pair(torch.fmod),
               "Element-wise remainder with the sign of ``x1``.",
               tf="math.truncatemod")
power = _binary("power", torch.pow, "Element-wise ``x1 ** x2``.",
                tf="math.pow")
maximum = _binary("maximum", torch.maximum, "Element-wise maximum.",
                  tf="math.maximum")
minimum = _binary("minimum", torch.minimum, "Element-wise minimum.",
                  tf="math.minimum")
fmax = _binary("fmax", torch.fmax,
               "Element-wise maximum, ignoring NaNs.")
fmin = _binary("fmin", torch.fmin,
               "Element-wise minimum, ignoring NaNs.")
arctan2 = _binary("arctan2", torch.arctan2,
                  "Element-wise arc tangent of ``x1 / x2`` by quadrant.",
                  True, "math.atan2")
hypot = _binary("hypot", torch.hypot,
                "Element-wise ``sqrt(x1 ** 2 + x2 ** 2)``.", True)
logaddexp = _binary("logaddexp", torch.logaddexp,
                    "Element-wise ``log(exp(x1) + exp(x2))``.", True)
logaddexp2 = _binary("logaddexp2", _logaddexp2,
                     "Element-wise ``log2(2 ** x1 + 2 ** x2)``.", True)
nextafter = _binary("nextafter", torch.nextafter,
                    "The next float after ``x1`` toward ``x2``.", True,
                    "math.nextafter")
heaviside = _binary("heaviside", _heaviside,
                    "Heaviside step: 0 below zero, ``x2`` at zero, 1 "
                    "above.", True)
ldexp = _binary("ldexp", _ldexp, "Element-wise ``x1 * 2 ** x2``.", True)
gcd = _binary("gcd", torch.gcd, "Element-wise greatest common divisor.")
lcm = _binary("lcm", torch.lcm, "Element-wise least common multiple.")
equal = _binary("equal", torch.eq, "Element-wise ``x1 == x2``.",
                tf="math.equal")
not_equal = _binary("not_equal", torch.ne, "Element-wise ``x1 != x2``.",
                    tf="math.not_equal")
less = _binary("less", torch.lt, "Element-wise ``x1 < x2``.",
               tf="math.less")
less_equal = _binary("less_equal", torch.le, "Element-wise ``x1 <= x2``.",
                     tf="math.less_equal")
greater = _binary("greater", torch.gt, "Element-wise ``x1 > x2``.",
                  tf="math.greater")
greater_equal = _binary("greater_equal", torch.ge,
                        "Element-wise ``x1 >= x2``.",
                        tf="math.greater_equal")
logical_and = _binary("logical_and", torch.logical_and,
                      "Element-wise logical AND.", tf="math.logical_and")
logical_or = _binary("logical_or", torch.logical_or,
                     "Element-wise logical OR.", tf="math.logical_or")
logical_xor = _binary("logical_xor", torch.logical_xor,
                      "Element-wise logical XOR.", tf="math.logical_xor")
bitwise_and = _binary("bitwise_and", torch.bitwise_and,
                      "Element-wise bitwise AND.", tf="bitwise.bitwise_and",
                      xy=True)
bitwise_or = _binary("bitwise_or", torch.bitwise_or,
                     "Element-wise bitwise OR.", tf="bitwise.bitwise_or",
                     xy=True)
bitwise_xor = _binary("bitwise_xor", torch.bitwise_xor,
                      "Element-wise bitwise XOR.", tf="bitwise.bitwise_xor",
                      xy=True)
bitwise_left_shift = _binary("bitwise_left_shift", torch.bitwise_left_shift,
                             "Element-wise ``x << y``.",
                             tf="bitwise.left_shift", xy=True)
left_shift = _binary("left_shift", torch.bitwise_left_shift,
                     "Element-wise ``x << y`` (alias).", xy=True)
bitwise_right_shift = _binary("bitwise_right_shift",
                              torch.bitwise_right_shift,
                              "Element-wise ``x >> y``.",
                              tf="bitwise.right_shift", xy=True)
right_shift = _binary("right_shift", torch.bitwise_right_shift,
                      "Element-wise ``x >> y`` (alias).", xy=True)


@keras_op()
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where ``|x1 - x2| <= atol + rtol * |x2|``."""
    x1, x2 = _promote(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


@keras_op()
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a bool scalar tensor) when ``isclose`` holds everywhere."""
    return torch.all(isclose(x1, x2, rtol, atol, equal_nan))


@keras_op(tf=("clip_by_value", ("t", "clip_value_min", "clip_value_max")))
def clip(x, x_min, x_max):
    """Limits ``x`` to ``[x_min, x_max]``; bool inputs give int32."""
    x = convert_to_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    if not torch.is_tensor(x_min) and not isinstance(x_min, np.ndarray) and (
            not torch.is_tensor(x_max)
            and not isinstance(x_max, np.ndarray)):
        return torch.clamp(x, x_min, x_max)
    x_min = convert_to_tensor(x_min, device=x.device)
    x_max = convert_to_tensor(x_max, device=x.device)
    return torch.clamp(x, x_min.to(x.dtype), x_max.to(x.dtype))


@keras_op(tf=("where", ("condition", "x", "y")))
def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` holds, else ``x2``; with neither, the
    indices of the true entries (as ``nonzero``)."""
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError(
            "`where` takes both `x1` and `x2` or neither. Received: "
            f"x1={x1!r}, x2={x2!r}")
    condition = convert_to_tensor(condition).bool()
    x1, x2 = _promote(x1, x2)
    return torch.where(condition.to(x1.device), x1, x2)


# ---------------------------------------------------------------------------
# Reductions.

def _sum_dtype(dtype):
    return torch.int32 if dtype in _SMALL_INTS else dtype


@keras_op(tf=("math.reduce_sum", ("input_tensor", "axis", "keepdims")))
def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (every axis when None); small ints sum as int32."""
    x = convert_to_tensor(x)
    dtype = _sum_dtype(x.dtype)
    return _reduce(x, axis, keepdims,
                   lambda t, d, k: torch.sum(t, dim=d, keepdim=k,
                                             dtype=dtype))


@keras_op(tf=("math.reduce_mean", ("input_tensor", "axis", "keepdims")))
def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``; integer inputs give floatx."""
    x = _to_float(convert_to_tensor(x))
    return _reduce(x, axis, keepdims, torch.mean)


@keras_op(tf=("math.reduce_prod", ("input_tensor", "axis", "keepdims")))
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis``; small ints multiply as int32."""
    x = convert_to_tensor(x)
    dtype = _sum_dtype(x.dtype) if dtype is None else to_torch_dtype(dtype)
    return _reduce_last(x, axis, keepdims,
                        lambda t: torch.prod(t, dim=-1, dtype=dtype))


def _extremum(x, axis, keepdims, initial, torch_fn, combine):
    x = convert_to_tensor(x)
    out = _reduce(x, axis, keepdims, lambda t, d, k: torch_fn(
        t, dim=d, keepdim=k))
    if initial is not None:
        out = combine(out, convert_to_tensor(initial, device=x.device).to(
            out.dtype))
    return out


@keras_op(tf=("math.reduce_max", ("input_tensor", "axis", "keepdims")))
def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over ``axis``, at least ``initial`` when given."""
    return _extremum(x, axis, keepdims, initial, torch.amax, torch.maximum)


@keras_op(tf=("math.reduce_min", ("input_tensor", "axis", "keepdims")))
def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over ``axis``, at most ``initial`` when given."""
    return _extremum(x, axis, keepdims, initial, torch.amin, torch.minimum)


@keras_op()
def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (alias of ``max`` without ``initial``)."""
    return _extremum(x, axis, keepdims, None, torch.amax, None)


@keras_op()
def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (alias of ``min`` without ``initial``)."""
    return _extremum(x, axis, keepdims, None, torch.amin, None)


@keras_op(tf=("math.reduce_all", ("input_tensor", "axis", "keepdims")))
def all(x, axis=None, keepdims=False):
    """True where every entry along ``axis`` is nonzero."""
    x = convert_to_tensor(x).bool()
    return _reduce(x, axis, keepdims, torch.all)


@keras_op(tf=("math.reduce_any", ("input_tensor", "axis", "keepdims")))
def any(x, axis=None, keepdims=False):
    """True where some entry along ``axis`` is nonzero."""
    x = convert_to_tensor(x).bool()
    return _reduce(x, axis, keepdims, torch.any)


@keras_op(tf=("math.reduce_variance", ("input_tensor", "axis", "keepdims")))
def var(x, axis=None, keepdims=False):
    """Population variance (``ddof=0``) over ``axis``."""
    x = _to_float(convert_to_tensor(x))
    return _reduce(x, axis, keepdims, lambda t, d, k: torch.var(
        t, dim=d, keepdim=k, correction=0))


@keras_op(tf=("math.reduce_std", ("input_tensor", "axis", "keepdims")))
def std(x, axis=None, keepdims=False):
    """Population standard deviation (``ddof=0``) over ``axis``."""
    x = _to_float(convert_to_tensor(x))
    return _reduce(x, axis, keepdims, lambda t, d, k: torch.std(
        t, dim=d, keepdim=k, correction=0))


@keras_op()
def ptp(x, axis=None, keepdims=False):
    """Range (``max - min``) over ``axis``."""
    return (max(x, axis=axis, keepdims=keepdims)
            - min(x, axis=axis, keepdims=keepdims))


@keras_op(tf=("math.count_nonzero", ("input", "axis")))
def count_nonzero(x, axis=None):
    """Number of nonzero entries along ``axis``, as int32."""
    x = convert_to_tensor(x)
    if isinstance(axis, (list, tuple)) and len(axis) == 0:
        return (x != 0).to(torch.int32)
    return torch.count_nonzero(x, dim=_dims(axis)).to(torch.int32)


def _arg_extremum(x, axis, keepdims, torch_fn):
    x = convert_to_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        out = torch_fn(x.reshape(-1))
        out = out.reshape((1,) * x.ndim) if keepdims else out
    else:
        out = torch_fn(x, dim=axis, keepdim=keepdims)
    return out.to(torch.int32)


@keras_op(tf=("math.argmax", ("input", "axis")))
def argmax(x, axis=None, keepdims=False):
    """Index (int32) of the largest entry along ``axis`` (flattened when
    None)."""
    return _arg_extremum(x, axis, keepdims, torch.argmax)


@keras_op(tf=("math.argmin", ("input", "axis")))
def argmin(x, axis=None, keepdims=False):
    """Index (int32) of the smallest entry along ``axis``."""
    return _arg_extremum(x, axis, keepdims, torch.argmin)


@keras_op()
def average(x, axis=None, weights=None):
    """Weighted mean over ``axis``; 1-D ``weights`` apply along ``axis``."""
    if weights is None:
        return mean(x, axis=axis)
    x, weights = _result_float(x, weights)
    if weights.ndim == 1 and x.ndim > 1 and axis is not None:
        shape = [1] * x.ndim
        shape[axis] = weights.shape[0]
        weights = weights.reshape(shape)
    weights = torch.broadcast_to(weights, x.shape)
    return (sum(x * weights, axis=axis)
            / sum(weights, axis=axis))


def _quantile_dtype(x):
    return _to_float(x).dtype


def _quantile(x, q, axis, method, keepdims, nan):
    x = convert_to_tensor(x)
    dtype = _quantile_dtype(x)
    compute = torch.promote_types(dtype, torch.float32)
    x = x.to(compute)
    q = convert_to_tensor(q, device=x.device).to(compute)
    fn = torch.nanquantile if nan else torch.quantile
    out = _reduce_last(x, axis, keepdims, lambda t: fn(
        t, q, dim=-1, interpolation=method))
    return out.to(dtype)


@keras_op()
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles (``q`` in [0, 1]) along ``axis``; a vector
    ``q`` adds a leading axis."""
    return _quantile(x, q, axis, method, keepdims, False)


@keras_op()
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """``quantile`` ignoring NaNs."""
    return _quantile(x, q, axis, method, keepdims, True)


@keras_op()
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]) along ``axis``."""
    q = convert_to_tensor(q, dtype=floatx()) / 100.0
    return _quantile(x, q, axis, method, keepdims, False)


@keras_op()
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """``percentile`` ignoring NaNs."""
    q = convert_to_tensor(q, dtype=floatx()) / 100.0
    return _quantile(x, q, axis, method, keepdims, True)


@keras_op()
def median(x, axis=None, keepdims=False):
    """Median along ``axis`` (mean of the two middle values)."""
    return _quantile(x, 0.5, axis, "linear", keepdims, False)


@keras_op()
def nanmedian(x, axis=None, keepdims=False):
    """``median`` ignoring NaNs."""
    return _quantile(x, 0.5, axis, "linear", keepdims, True)


def _nan_filled(x, value):
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return x
    return torch.where(torch.isnan(x), torch.full_like(x, value), x)


@keras_op()
def nansum(x, axis=None, keepdims=False):
    """``sum`` treating NaNs as zero."""
    return sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims)


@keras_op()
def nanprod(x, axis=None, keepdims=False):
    """``prod`` treating NaNs as one."""
    return prod(_nan_filled(x, 1), axis=axis, keepdims=keepdims)


@keras_op()
def nanmean(x, axis=None, keepdims=False):
    """``mean`` of the non-NaN entries."""
    x = _to_float(convert_to_tensor(x))
    count = sum(~torch.isnan(x), axis=axis, keepdims=keepdims)
    return (sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims)
            / count.to(x.dtype))


@keras_op()
def nanvar(x, axis=None, keepdims=False):
    """``var`` of the non-NaN entries."""
    x = _to_float(convert_to_tensor(x))
    centered = x - nanmean(x, axis=axis, keepdims=True)
    return nanmean(centered * centered, axis=axis, keepdims=keepdims)


@keras_op()
def nanstd(x, axis=None, keepdims=False):
    """``std`` of the non-NaN entries."""
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_extremum(x, axis, keepdims, fill, reducer):
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return reducer(x, axis=axis, keepdims=keepdims)
    out = reducer(_nan_filled(x, fill), axis=axis, keepdims=keepdims)
    all_nan = all(torch.isnan(x), axis=axis, keepdims=keepdims)
    return torch.where(all_nan, torch.full_like(out, float("nan")), out)


@keras_op()
def nanmax(x, axis=None, keepdims=False):
    """``max`` ignoring NaNs (NaN where every entry is NaN)."""
    return _nan_extremum(x, axis, keepdims, float("-inf"), max)


@keras_op()
def nanmin(x, axis=None, keepdims=False):
    """``min`` ignoring NaNs (NaN where every entry is NaN)."""
    return _nan_extremum(x, axis, keepdims, float("inf"), min)


def _nan_arg(x, axis, keepdims, fill, reducer):
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return reducer(x, axis=axis, keepdims=keepdims)
    out = reducer(_nan_filled(x, fill), axis=axis, keepdims=keepdims)
    all_nan = all(torch.isnan(x), axis=axis, keepdims=keepdims)
    return torch.where(all_nan, torch.full_like(out, -1), out)


@keras_op()
def nanargmax(x, axis=None, keepdims=False):
    """``argmax`` ignoring NaNs (-1 where every entry is NaN)."""
    return _nan_arg(x, axis, keepdims, float("-inf"), argmax)


@keras_op()
def nanargmin(x, axis=None, keepdims=False):
    """``argmin`` ignoring NaNs (-1 where every entry is NaN)."""
    return _nan_arg(x, axis, keepdims, float("inf"), argmin)


def _cumulative(x, axis, dtype, torch_fn):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    dtype = x.dtype if dtype is None else to_torch_dtype(dtype)
    if dtype == torch.bool:
        dtype = torch.int32
    return torch_fn(x, dim=axis, dtype=dtype)


@keras_op()
def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened ``x`` when None)."""
    return _cumulative(x, axis, dtype, torch.cumsum)


@keras_op()
def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None)."""
    return _cumulative(x, axis, dtype, torch.cumprod)


@keras_op()
def nancumsum(x, axis=None, dtype=None):
    """``cumsum`` treating NaNs as zero."""
    return _cumulative(_nan_filled(x, 0), axis, dtype, torch.cumsum)


@keras_op()
def nancumprod(x, axis=None, dtype=None):
    """``cumprod`` treating NaNs as one."""
    return _cumulative(_nan_filled(x, 1), axis, dtype, torch.cumprod)


@keras_op()
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along the ``offset`` diagonal of the ``axis1``/``axis2``
    planes."""
    x = convert_to_tensor(x)
    return torch.sum(torch.diagonal(x, offset, axis1, axis2), dim=-1,
                     dtype=_sum_dtype(x.dtype))


# ---------------------------------------------------------------------------
# Shapes, joining and splitting.

@keras_op(tf=("reshape", ("tensor", "shape")))
def reshape(x, newshape):
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    newshape = (newshape,) if isinstance(newshape, int) else newshape
    if _core.is_string(x):
        return _core.string_reshape(x, newshape)
    return torch.reshape(convert_to_tensor(x), tuple(newshape))


@keras_op()
def ravel(x):
    """``x`` flattened to one axis."""
    return torch.ravel(convert_to_tensor(x))


@keras_op(tf=("expand_dims", ("input", "axis")))
def expand_dims(x, axis):
    """``x`` with new size-1 axes at ``axis`` (an int or a tuple)."""
    if _core.is_string(x):
        return _core.string_expand_dims(x, axis)
    x = convert_to_tensor(x)
    if not isinstance(axis, (list, tuple)):
        return torch.unsqueeze(x, axis)
    ndim = x.ndim + len(axis)
    for a in sorted(a % ndim for a in axis):
        x = torch.unsqueeze(x, a)
    return x


@keras_op(tf=("compat.v1.squeeze", ("input", "axis")))
def squeeze(x, axis=None):
    """``x`` without its size-1 axes (only those in ``axis`` when
    given)."""
    x = convert_to_tensor(x)
    if axis is None:
        return torch.squeeze(x)
    for a in _axes(axis, x.ndim):
        if x.shape[a] != 1:
            raise ValueError(
                f"Cannot squeeze axis {a} of size {x.shape[a]}: only size-1 "
                f"axes can be squeezed. Received: axis={axis}, "
                f"x.shape={tuple(x.shape)}")
    return torch.squeeze(x, _dims(axis))


@keras_op(tf=("compat.v1.transpose", ("a", "perm")))
def transpose(x, axes=None):
    """Permutes the axes of ``x``; reverses them when ``axes`` is None."""
    x = convert_to_tensor(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    return x.permute(*axes)


@keras_op()
def moveaxis(x, source, destination):
    """Moves axes ``source`` to positions ``destination``."""
    return torch.movedim(convert_to_tensor(x), _dims(source),
                         _dims(destination))


@keras_op()
def swapaxes(x, axis1, axis2):
    """Swaps two axes of ``x``."""
    return torch.swapaxes(convert_to_tensor(x), axis1, axis2)


@keras_op()
def flip(x, axis=None):
    """Reverses ``x`` along ``axis`` (every axis when None)."""
    x = convert_to_tensor(x)
    return torch.flip(x, _axes(axis, x.ndim))


@keras_op()
def fliplr(x):
    """Reverses axis 1."""
    return torch.fliplr(convert_to_tensor(x))


@keras_op()
def flipud(x):
    """Reverses axis 0."""
    return torch.flipud(convert_to_tensor(x))


@keras_op()
def rot90(array, k=1, axes=(0, 1)):
    """Rotates ``array`` by ``k`` quarter turns in the ``axes`` plane."""
    array = convert_to_tensor(array)
    if array.ndim < 2:
        raise ValueError(
            "`rot90` needs an input of rank 2 or more. Received: "
            f"array.ndim={array.ndim}")
    return torch.rot90(array, k, tuple(axes))


@keras_op()
def roll(x, shift, axis=None):
    """Shifts entries along ``axis`` cyclically (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), shift).reshape(x.shape)
    return torch.roll(x, _dims(shift), _dims(axis))


@keras_op(tf=("broadcast_to", ("input", "shape")))
def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``."""
    return torch.broadcast_to(convert_to_tensor(x), _int_shape(shape))


@keras_op(tf=("tile", ("input", "multiples")))
def tile(x, repeats):
    """``x`` repeated ``repeats`` times along each axis."""
    return torch.tile(convert_to_tensor(x), _int_shape(repeats))


@keras_op(tf=("repeat", ("input", "repeats", "axis")))
def repeat(x, repeats, axis=None):
    """Repeats each entry ``repeats`` times along ``axis`` (flattened when
    None)."""
    x = convert_to_tensor(x)
    if not isinstance(repeats, int):
        repeats = convert_to_tensor(repeats, device=x.device).long()
        if repeats.ndim == 0 or repeats.numel() == 1:
            repeats = repeats.reshape(())
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.repeat_interleave(x, repeats, dim=axis)


def _tensors(xs):
    xs = [convert_to_tensor(x) for x in xs]
    return _promote(*xs) if len(xs) > 1 else xs


@keras_op(tf=("concat", ("values", "axis")))
def concatenate(xs, axis=0):
    """Joins ``xs`` along an existing axis (flattened first when None)."""
    if builtins.any(_core.is_string(x) for x in xs):
        if axis is None:
            xs, axis = [_core.string_reshape(x, -1) for x in xs], 0
        return _core.string_concatenate(xs, axis)
    xs = _tensors(xs)
    if axis is None:
        xs, axis = [x.reshape(-1) for x in xs], 0
    return torch.cat(xs, dim=axis)


@keras_op(tf=("stack", ("values", "axis")))
def stack(x, axis=0):
    """Joins the tensors of ``x`` along a new axis."""
    return torch.stack(_tensors(x), dim=axis)


@keras_op()
def hstack(xs):
    """Joins ``xs`` along axis 1 (axis 0 for 1-D tensors)."""
    return torch.hstack(_tensors(xs))


@keras_op()
def vstack(xs):
    """Joins ``xs`` along axis 0 (1-D tensors become rows)."""
    return torch.vstack(_tensors(xs))


@keras_op()
def dstack(xs):
    """Joins ``xs`` along axis 2 (at least 3-D)."""
    return torch.dstack(_tensors(xs))


@keras_op()
def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` along ``axis`` (flattened when None)."""
    return concatenate([x1, x2], axis=axis)


def _split_points(indices_or_sections):
    if isinstance(indices_or_sections, int):
        return indices_or_sections
    return [int(i) for i in np.asarray(
        indices_or_sections.tolist() if torch.is_tensor(indices_or_sections)
        else indices_or_sections).reshape(-1)]


def _split(x, indices_or_sections, axis, equal):
    x = convert_to_tensor(x)
    points = _split_points(indices_or_sections)
    if equal and isinstance(points, int) and x.shape[axis] % points:
        raise ValueError(
            f"`split` needs sections that divide axis {axis} (size "
            f"{x.shape[axis]}) equally; use `array_split` otherwise. "
            f"Received: indices_or_sections={indices_or_sections}")
    return list(torch.tensor_split(x, points, dim=axis))


@keras_op()
def split(x, indices_or_sections, axis=0):
    """Splits ``x`` into equal sections or at the given indices."""
    return _split(x, indices_or_sections, axis, True)


@keras_op()
def array_split(x, indices_or_sections, axis=0):
    """Splits ``x`` into nearly equal sections (the first ones larger)."""
    return _split(x, indices_or_sections, axis, False)


@keras_op()
def hsplit(x, indices_or_sections):
    """``split`` along axis 1 (axis 0 for 1-D tensors)."""
    x = convert_to_tensor(x)
    return _split(x, indices_or_sections, 1 if x.ndim > 1 else 0, True)


@keras_op()
def vsplit(x, indices_or_sections):
    """``split`` along axis 0."""
    return _split(x, indices_or_sections, 0, True)


@keras_op()
def dsplit(x, indices_or_sections):
    """``split`` along axis 2."""
    return _split(x, indices_or_sections, 2, True)


def _pad_widths(pad_width, ndim):
    widths = np.asarray(pad_width, dtype=np.int64)
    return np.broadcast_to(widths.reshape(-1, 2) if widths.size > 1 else
                           widths, (ndim, 2)).tolist()


def _pad_index(n, before, after, mode):
    """Source positions (NumPy's rules) of a padded axis of size ``n``."""
    i = np.arange(-before, n + after)
    if mode == "edge":
        return np.clip(i, 0, n - 1)
    if mode == "wrap":
        return np.mod(i, n)
    if mode == "reflect":
        if n == 1:
            return np.zeros_like(i)
        period = 2 * (n - 1)
        i = np.mod(i, period)
        return np.where(i >= n, period - i, i)
    period = 2 * n  # symmetric
    i = np.mod(i, period)
    return np.where(i >= n, period - 1 - i, i)


@keras_op()
def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads ``x`` by ``pad_width`` (``((before, after), ...)``) with
    NumPy's ``constant``, ``edge``, ``reflect``, ``symmetric`` or ``wrap``
    rule."""
    x = convert_to_tensor(x)
    widths = _pad_widths(pad_width, x.ndim)
    if constant_values is not None and mode != "constant":
        raise ValueError(
            "`constant_values` is only used with mode='constant'. "
            f"Received: mode={mode!r}")
    if mode == "constant":
        flat = [w for pair in reversed(widths) for w in pair]
        return F.pad(x, flat, value=0 if constant_values is None
                     else constant_values)
    if mode not in ("edge", "wrap", "reflect", "symmetric"):
        raise ValueError(
            "`pad` mode must be one of 'constant', 'edge', 'reflect', "
            f"'symmetric', 'wrap'. Received: mode={mode!r}")
    for axis, (before, after) in enumerate(widths):
        if before or after:
            index = _pad_index(x.shape[axis], before, after, mode)
            x = torch.index_select(
                x, axis, torch.as_tensor(index, device=x.device))
    return x


def _wrap_indices(indices, size):
    return torch.where(indices < 0, indices + size, indices)


@keras_op()
def take(x, indices, axis=None):
    """Entries of ``x`` at ``indices`` along ``axis`` (flattened when
    None); negative indices count from the end."""
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices, device=x.device).long()
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.ndim
    flat = _wrap_indices(indices, x.shape[axis]).reshape(-1)
    out = torch.index_select(x, axis, flat)
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])


@keras_op()
def take_along_axis(x, indices, axis=None):
    """Entries of ``x`` picked by ``indices`` along ``axis`` (which
    broadcast against ``x``'s other axes)."""
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices, device=x.device).long()
    if axis is None:
        x, axis = x.reshape(-1), 0
    indices = _wrap_indices(indices, x.shape[axis])
    return torch.take_along_dim(x, indices, dim=axis)


@keras_op()
def diag(x, k=0):
    """The ``k``-th diagonal of a 2-D ``x``, or a 2-D tensor with 1-D
    ``x`` on it."""
    x = convert_to_tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(
            f"`diag` takes a 1-D or 2-D input. Received: x.ndim={x.ndim}")
    return torch.diag(x, k)


@keras_op()
def diagflat(x, k=0):
    """A 2-D tensor with the flattened ``x`` on its ``k``-th diagonal."""
    return torch.diagflat(convert_to_tensor(x), k)


@keras_op()
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset`` diagonals of the ``axis1``/``axis2`` planes, as the
    last axis."""
    return torch.diagonal(convert_to_tensor(x), offset, axis1, axis2)


@keras_op()
def tril(x, k=0):
    """``x`` with the entries above the ``k``-th diagonal zeroed."""
    return torch.tril(convert_to_tensor(x), k)


@keras_op()
def triu(x, k=0):
    """``x`` with the entries below the ``k``-th diagonal zeroed."""
    return torch.triu(convert_to_tensor(x), k)


@keras_op()
def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis``."""
    return torch.diff(convert_to_tensor(a), n=n, dim=axis)


def _index(key):
    if isinstance(key, list) and not builtins.any(
            isinstance(k, (list, np.ndarray)) for k in key):
        key = tuple(key)
    if isinstance(key, tuple):
        return tuple(torch.as_tensor(k) if isinstance(k, np.ndarray) else k
                     for k in key)
    return torch.as_tensor(key) if isinstance(key, np.ndarray) else key


@keras_op(keras3="get_item", tf=("__operators__.getitem",
                                  ("tensor", "slice_spec")))
def get_item(x, key):
    """``x[key]`` (Keras 3's ``GetItem``)."""
    return convert_to_tensor(x)[_index(key)]


# ---------------------------------------------------------------------------
# Creation.

def _creation_dtype(dtype):
    return to_torch_dtype(dtype or floatx())


@keras_op(tf=("ones", ("shape", "dtype")))
def ones(shape, dtype=None):
    """A tensor of ones (floatx unless ``dtype``)."""
    return torch.ones(_int_shape(shape), dtype=_creation_dtype(dtype))


@keras_op(tf=("zeros", ("shape", "dtype")))
def zeros(shape, dtype=None):
    """A tensor of zeros (floatx unless ``dtype``)."""
    return torch.zeros(_int_shape(shape), dtype=_creation_dtype(dtype))


@keras_op()
def empty(shape, dtype=None):
    """An uninitialized tensor (floatx unless ``dtype``)."""
    return torch.empty(_int_shape(shape), dtype=_creation_dtype(dtype))


def _like_dtype(x, dtype):
    return x.dtype if dtype is None else to_torch_dtype(dtype)


@keras_op(tf=("ones_like", ("input", "dtype")))
def ones_like(x, dtype=None):
    """Ones shaped like ``x`` (its dtype unless ``dtype``)."""
    x = convert_to_tensor(x)
    return torch.ones_like(x, dtype=_like_dtype(x, dtype))


@keras_op(tf=("zeros_like", ("input", "dtype")))
def zeros_like(x, dtype=None):
    """Zeros shaped like ``x`` (its dtype unless ``dtype``)."""
    x = convert_to_tensor(x)
    return torch.zeros_like(x, dtype=_like_dtype(x, dtype))


@keras_op()
def empty_like(x, dtype=None):
    """An uninitialized tensor shaped like ``x``."""
    x = convert_to_tensor(x)
    return torch.empty_like(x, dtype=_like_dtype(x, dtype))


@keras_op()
def full(shape, fill_value, dtype=None):
    """A tensor of ``fill_value`` (floatx unless ``dtype``)."""
    fill = convert_to_tensor(fill_value, dtype=_creation_dtype(dtype))
    return torch.broadcast_to(fill, _int_shape(shape)).clone()


@keras_op()
def full_like(x, fill_value, dtype=None):
    """``fill_value`` shaped like ``x`` (``x``'s dtype unless
    ``dtype``)."""
    x = convert_to_tensor(x)
    fill = convert_to_tensor(fill_value, device=x.device).to(
        _like_dtype(x, dtype))
    return torch.broadcast_to(fill, x.shape).clone()


@keras_op()
def array(x, dtype=None):
    """``x`` as a tensor, cast to ``dtype`` when given."""
    return convert_to_tensor(x, dtype=dtype)


@keras_op()
def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere.

    Example:

    >>> eye(2, 3, k=1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]])
    """
    M = N if M is None else M
    rows = torch.arange(N)[:, None]
    cols = torch.arange(M)[None, :]
    return (cols - rows == k).to(_creation_dtype(dtype))


@keras_op()
def identity(n, dtype=None):
    """The ``n`` x ``n`` identity matrix."""
    return eye(n, dtype=dtype)


@keras_op()
def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal of an ``N`` x ``M``
    tensor."""
    M = N if M is None else M
    rows = torch.arange(N)[:, None]
    cols = torch.arange(M)[None, :]
    return (cols - rows <= k).to(_creation_dtype(dtype))


def _scalar_dtype(*values):
    """Keras's dtype for creation arguments (Python or tensors)."""
    dtype = None
    for v in values:
        if v is None:
            continue
        if _is_python_scalar(v):
            d = (torch.bool if isinstance(v, bool) else torch.int32
                 if isinstance(v, int) else _floatx())
        else:
            d = convert_to_tensor(v).dtype
        dtype = d if dtype is None else torch.promote_types(dtype, d)
    return dtype


@keras_op(tf=("range", ("start", "limit", "delta", "dtype")))
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (``[0, start)`` without
    ``stop``)."""
    dtype = (_scalar_dtype(start, stop, step) if dtype is None
             else to_torch_dtype(dtype))
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    return torch.arange(start, stop, step, dtype=dtype)


def _spaced(start, stop, num, endpoint, dtype, axis):
    """``(samples, step)`` of ``linspace``, in the computation dtype."""
    start, stop = _result_float(start, stop)
    div = (num - 1) if endpoint else num
    steps = torch.arange(num, dtype=start.dtype, device=start.device)
    steps = steps.reshape((-1,) + (1,) * start.ndim)
    delta = stop - start
    step = delta / div if div > 0 else delta * float("nan")
    out = start + steps * step if div > 0 else start + steps * delta
    if endpoint and num > 1:
        out = torch.cat([out[:-1], stop[None] if stop.ndim == 0 else
                         torch.broadcast_to(stop, out.shape[1:])[None]])
    out = torch.movedim(out, 0, axis) if out.ndim > 1 else out
    return out, step


@keras_op()
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None,
             axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    out, step = _spaced(start, stop, num, endpoint, dtype, axis)
    if dtype is not None:
        out = out.to(to_torch_dtype(dtype))
    return (out, step) if retstep else out


@keras_op()
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None,
             axis=0):
    """``base ** linspace(start, stop)``."""
    exponents, _ = _spaced(start, stop, num, endpoint, dtype, axis)
    out = torch.pow(torch.as_tensor(base, dtype=exponents.dtype), exponents)
    return out if dtype is None else out.to(to_torch_dtype(dtype))


@keras_op()
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values spaced evenly on a log scale from ``start`` to
    ``stop`` (which must have the same sign)."""
    start, stop = _result_float(start, stop)
    sign = torch.sign(start)
    logs, _ = _spaced(torch.log10(torch.abs(start)),
                      torch.log10(torch.abs(stop)), num, endpoint, None, 0)
    out = sign * torch.pow(10.0, logs)
    if num > 0:
        out[0] = start
        if endpoint and num > 1:
            out[-1] = stop
    out = torch.movedim(out, 0, axis) if out.ndim > 1 else out
    return out if dtype is None else out.to(to_torch_dtype(dtype))


@keras_op()
def meshgrid(*x, indexing="xy"):
    """Coordinate grids of the 1-D tensors ``x`` (``"xy"`` or ``"ij"``
    indexing)."""
    return list(torch.meshgrid(*_tensors(x), indexing=indexing))


@keras_op()
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of 1-D ``x`` (powers decreasing unless
    ``increasing``)."""
    x = convert_to_tensor(x)
    out = torch.linalg.vander(x, N=N)
    return out if increasing else torch.flip(out, (-1,))


def _window_length(x):
    return int(x) if not torch.is_tensor(x) else int(x.item())


def _window(name, torch_fn, doc):
    def op(x):
        return torch_fn(_window_length(x), periodic=False,
                        dtype=_floatx())
    _named(name, op, doc)
    return keras_op(name)(op)


bartlett = _window("bartlett", torch.bartlett_window,
                   "The Bartlett (triangular) window of length ``x``.")
blackman = _window("blackman", torch.blackman_window,
                   "The Blackman window of length ``x``.")
hamming = _window("hamming", torch.hamming_window,
                  "The Hamming window of length ``x``.")
hanning = _window("hanning", torch.hann_window,
                  "The Hann window of length ``x``.")


@keras_op()
def kaiser(x, beta):
    """The Kaiser window of length ``x`` and shape ``beta``."""
    return torch.kaiser_window(_window_length(x), periodic=False,
                               beta=float(beta), dtype=_floatx())


# ---------------------------------------------------------------------------
# Products.

def _product_operands(x1, x2):
    """Operands promoted and a dtype to compute in (ints computed in float
    where torch's CPU kernels lack them, then cast back)."""
    x1, x2 = _promote(x1, x2)
    dtype = x1.dtype
    if dtype == torch.bool:
        x1, x2, dtype = x1.to(torch.int32), x2.to(torch.int32), torch.int32
    if dtype in (torch.int8, torch.uint8, torch.int16):
        dtype = torch.int32
    return x1, x2, dtype


@keras_op(tf=('linalg.matmul', ('a', 'b')))
def matmul(x1, x2):
    """Matrix product of two tensors, with NumPy's broadcasting."""
    x1, x2, dtype = _product_operands(x1, x2)
    return torch.matmul(x1.to(dtype), x2.to(dtype))


@keras_op()
def dot(x1, x2):
    """NumPy's ``dot``: ``matmul`` for 1-D/2-D, a scalar factor for 0-D,
    else a sum over the last axis of ``x1`` and the second-to-last of
    ``x2``."""
    x1, x2, dtype = _product_operands(x1, x2)
    x1, x2 = x1.to(dtype), x2.to(dtype)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    if x2.ndim == 1:
        return torch.tensordot(x1, x2, dims=([-1], [0]))
    return torch.tensordot(x1, x2, dims=([-1], [x2.ndim - 2]))


@keras_op()
def vdot(x1, x2):
    """Dot product of the flattened tensors (``x1`` conjugated)."""
    x1, x2, dtype = _product_operands(x1, x2)
    x1 = x1.to(dtype).reshape(-1)
    x2 = x2.to(dtype).reshape(-1)
    return torch.sum(torch.conj_physical(x1) * x2)


@keras_op()
def inner(x1, x2):
    """Sum product over the last axes of ``x1`` and ``x2``."""
    x1, x2, dtype = _product_operands(x1, x2)
    x1, x2 = x1.to(dtype), x2.to(dtype)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    return torch.inner(x1, x2)


@keras_op()
def outer(x1, x2):
    """Outer product of the flattened tensors."""
    x1, x2 = _promote(x1, x2)
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


@keras_op(tf=("tensordot", ("a", "b", "axes")))
def tensordot(x1, x2, axes=2):
    """Sum product over ``axes`` (a count of trailing/leading axes, or two
    lists of axes)."""
    x1, x2, dtype = _product_operands(x1, x2)
    if not isinstance(axes, int):
        axes = tuple(_dims(a) if isinstance(a, (list, tuple)) else [a]
                     for a in axes)
    return torch.tensordot(x1.to(dtype), x2.to(dtype), dims=axes)


@keras_op()
def kron(x1, x2):
    """Kronecker product."""
    x1, x2 = _promote(x1, x2)
    return torch.kron(x1, x2)


@keras_op()
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (2-vectors are extended with a zero
    third component) along ``axisa``/``axisb``, written along ``axisc``;
    ``axis`` sets all three."""
    x1, x2 = _promote(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    x1 = torch.movedim(x1, axisa, -1)
    x2 = torch.movedim(x2, axisb, -1)
    if x1.shape[-1] not in (2, 3) or x2.shape[-1] not in (2, 3):
        raise ValueError(
            "`cross` needs vectors of size 2 or 3 on the cross axes. "
            f"Received: x1.shape={tuple(x1.shape)}, "
            f"x2.shape={tuple(x2.shape)}")
    both_2d = x1.shape[-1] == 2 and x2.shape[-1] == 2
    if x1.shape[-1] == 2:
        x1 = F.pad(x1, (0, 1))
    if x2.shape[-1] == 2:
        x2 = F.pad(x2, (0, 1))
    x1, x2 = torch.broadcast_tensors(x1, x2)
    out = torch.linalg.cross(x1, x2, dim=-1)
    if both_2d:
        return out[..., 2]
    return torch.movedim(out, -1, axisc)


@keras_op()
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over ``operands`` as ``subscripts`` says."""
    operands = _tensors(operands)
    dtype = operands[0].dtype
    if dtype in _SMALL_INTS:
        operands = [o.to(torch.int32) for o in operands]
    return torch.einsum(subscripts, *operands)


@keras_op()
def slogdet(x):
    """``(sign, log(abs(det)))`` of square matrices."""
    x = _to_float(convert_to_tensor(x))
    return tuple(torch.linalg.slogdet(x))


@keras_op()
def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x``."""
    x = convert_to_tensor(x)
    if x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.corrcoef(_to_float(x))


@keras_op()
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors (``valid``, ``same`` or
    ``full``, as NumPy)."""
    x1, x2 = _result_float(x1, x2)
    if mode not in ("valid", "same", "full"):
        raise ValueError(
            "`correlate` mode must be 'valid', 'same' or 'full'. "
            f"Received: mode={mode!r}")
    m, n = x1.shape[-1], x2.shape[-1]
    full_out = F.conv1d(x1.reshape(1, 1, m), torch.conj_physical(
        x2).reshape(1, 1, n), padding=n - 1).reshape(-1)
    if mode == "full":
        return full_out
    if mode == "valid":
        start = builtins.min(m, n) - 1
        return full_out[start:start + builtins.max(m, n)
                        - builtins.min(m, n) + 1]
    size = builtins.max(m, n)
    start = (m + n - 1 - size) // 2
    return full_out[start:start + size]


@keras_op()
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` by the trapezoidal rule along ``axis``, at points
    ``x`` or with spacing ``dx``."""
    y = _to_float(convert_to_tensor(y))
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    x = convert_to_tensor(x, device=y.device).to(y.dtype)
    return torch.trapezoid(y, x, dim=axis)


# ---------------------------------------------------------------------------
# Sorting, searching and counting.

@keras_op(tf=("sort", ("values", "axis")))
def sort(x, axis=-1):
    """``x`` sorted along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


@keras_op(tf=("argsort", ("values", "axis")))
def argsort(x, axis=-1):
    """Indices (int32) that sort ``x`` along ``axis``, stably."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@keras_op()
def argpartition(x, kth, axis=-1):
    """Indices (int32) that partition ``x`` along ``axis`` around its
    ``kth`` smallest entry (a full stable sort is one such order)."""
    return argsort(x, axis=axis)


@keras_op(tf=("searchsorted", ("sorted_sequence", "values", "side")))
def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices (int32) of ``values`` into the 1-D
    ``sorted_sequence``."""
    if side not in ("left", "right"):
        raise ValueError(
            "`searchsorted` side must be 'left' or 'right'. Received: "
            f"side={side!r}")
    sorted_sequence, values = _promote(sorted_sequence, values)
    return torch.searchsorted(sorted_sequence, values, right=side == "right",
                              out_int32=True)


@keras_op()
def digitize(x, bins):
    """Bin indices (int32) of ``x`` in the increasing ``bins``."""
    x, bins = _promote(x, bins)
    return torch.bucketize(x, bins, right=True, out_int32=True)


@keras_op(tf=("math.bincount", ("arr", "weights", "minlength")))
def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts (int32, or the weights' sums) of each non-negative integer
    in ``x``; a 2-D ``x`` counts each row."""
    if sparse:
        raise ValueError(
            "`bincount` has no sparse output in torchkeras. Received: "
            "sparse=True")
    x = convert_to_tensor(x).long()
    dtype = torch.int32
    if weights is not None:
        weights = convert_to_tensor(weights, device=x.device)
        dtype = torch.promote_types(weights.dtype, torch.int32) if (
            weights.dtype in _SMALL_INTS) else weights.dtype
    if x.ndim == 1:
        return torch.bincount(x, weights, minlength).to(dtype)
    length = builtins.max(int(x.max()) + 1 if x.numel() else 0, minlength)
    out = torch.zeros((x.shape[0], length), dtype=torch.float64
                      if weights is not None else torch.int64,
                      device=x.device)
    src = (torch.ones_like(x) if weights is None
           else weights.to(torch.float64))
    return out.scatter_add_(1, x, src).to(dtype)


@keras_op()
def histogram(x, bins=10, range=None):
    """``(counts, bin_edges)`` of ``x`` over ``bins`` equal bins in
    ``range`` (the data's range when None); the counts are floats, as
    Keras gives them."""
    x = _to_float(convert_to_tensor(x))
    if range is None:
        low, high = x.min(), x.max()
    else:
        low, high = (convert_to_tensor(v).to(x.dtype) for v in range)
    low, high = float(low), float(high)
    hist = torch.histc(x.reshape(-1), bins=bins, min=low, max=high)
    edges = torch.linspace(low, high, bins + 1, dtype=x.dtype)
    return hist, edges


@keras_op()
def isin(x1, x2, assume_unique=False, invert=False):
    """True where an entry of ``x1`` is in ``x2``."""
    x1, x2 = _promote(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


@keras_op()
def nonzero(x):
    """A tuple of int32 index tensors, one per axis, of the nonzero
    entries."""
    x = convert_to_tensor(x)
    return tuple(i.to(torch.int32) for i in torch.nonzero(
        x, as_tuple=True))


@keras_op()
def unique(x, sorted=True, return_index=False, return_inverse=False,
           return_counts=False, axis=None, size=None, fill_value=None):
    """Sorted unique values of ``x`` (flattened when ``axis`` is None) and,
    on request, first indices, inverse indices (shaped like ``x`` when
    ``axis`` is None) and counts (int32); ``size`` pads (with
    ``fill_value``) or truncates the result."""
    x = convert_to_tensor(x)
    shape = x.shape
    if axis is None:
        x, dim = x.reshape(-1), 0
    else:
        dim = axis % x.ndim
    values, inverse, counts = torch.unique(
        x, sorted=True, return_inverse=True, return_counts=True, dim=dim)
    if axis is None:
        inverse = inverse.reshape(shape)
    index = torch.zeros(values.shape[dim], dtype=torch.int64,
                        device=x.device).fill_(x.shape[dim]).scatter_reduce(
        0, inverse.reshape(-1), torch.arange(x.shape[dim],
                                            device=x.device),
        reduce="amin")
    if size is not None and values.shape[dim] != size:
        values, index, counts = _unique_size(values, index, counts, dim,
                                             size, fill_value)
    extras = [e.to(torch.int32) for e, wanted in (
        (index, return_index), (inverse, return_inverse),
        (counts, return_counts)) if wanted]
    return tuple([values] + extras) if extras else values


def _unique_size(values, index, counts, dim, size, fill_value):
    """Unique values, first indices and counts truncated or padded to
    ``size`` (values with ``fill_value``, else the smallest value; the
    others with zeros)."""
    have = values.shape[dim]
    if have > size:
        return (values.narrow(dim, 0, size), index[:size], counts[:size])
    shape = list(values.shape)
    shape[dim] = size - have
    fill = (values.narrow(dim, 0, 1).expand(*shape) if fill_value is None
            else torch.full(shape, fill_value, dtype=values.dtype,
                            device=values.device))
    return (torch.cat([values, fill], dim=dim),
            F.pad(index, (0, size - have)), F.pad(counts, (0, size - have)))


@keras_op()
def unravel_index(indices, shape):
    """The tuple of coordinate tensors of flat ``indices`` in ``shape``."""
    indices = convert_to_tensor(indices)
    coords = []
    for d in reversed(_int_shape(shape)):
        coords.append(torch.remainder(indices, d))
        indices = torch.div(indices, d, rounding_mode="floor")
    return tuple(reversed(coords))


@keras_op()
def select(condlist, choicelist, default=0):
    """The entry of the first ``choicelist`` tensor whose condition holds,
    else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            "`select` needs as many conditions as choices. Received: "
            f"len(condlist)={len(condlist)}, "
            f"len(choicelist)={len(choicelist)}")
    choices = _promote(*choicelist, default)
    out = choices[-1]
    for cond, choice in reversed(list(zip(condlist, choices[:-1]))):
        out = torch.where(convert_to_tensor(cond).bool(), choice, out)
    return out


# ---------------------------------------------------------------------------
# Introspection and functions of functions.

@keras_export("keras.ops.ndim")
def ndim(x):
    """The number of axes of ``x``, a Python int (static, so a KerasTensor
    records no node)."""
    return len(x.shape)


@keras_op(tf=("size", ("input",)))
def size(x):
    """The number of entries of ``x``, as an int64 scalar tensor."""
    x = convert_to_tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)


@keras_op()
def view(x, dtype=None):
    """``x``'s bits reinterpreted as ``dtype`` (the last axis rescales)."""
    x = convert_to_tensor(x)
    return x if dtype is None else x.view(to_torch_dtype(dtype))


def _core_dims(signature):
    """Core-dimension counts of each input of a ``(n),(n)->()``
    signature."""
    inputs = signature.split("->")[0]
    groups = inputs.replace(" ", "").split("),")
    return [len([d for d in g.strip("()").split(",") if d]) for g in groups]


@keras_op()
def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` mapped over the leading axes of its tensor arguments
    (every axis without ``signature``; the non-core axes with one), by
    ``torch.vmap``; arguments named or numbered in ``excluded`` pass
    through unmapped."""
    excluded = set(excluded or ())

    def wrapped(*args, **kwargs):
        tensors = [i for i, a in enumerate(args) if i not in excluded]
        values = [convert_to_tensor(args[i]) for i in tensors]
        cores = (_core_dims(signature) if signature
                 else [0] * len(values))
        loops = torch.broadcast_shapes(*[
            v.shape[:v.ndim - c] for v, c in zip(values, cores)])
        values = [v.broadcast_to(loops + v.shape[v.ndim - c:]).reshape(
            (-1,) + v.shape[v.ndim - c:]) for v, c in zip(values, cores)]

        def one(*mapped):
            call = list(args)
            for i, m in zip(tensors, mapped):
                call[i] = m
            return pyfunc(*call, **kwargs)

        out = torch.vmap(one)(*values)
        return tuple(o.reshape(loops + o.shape[1:]) for o in out) if (
            isinstance(out, tuple)) else out.reshape(loops + out.shape[1:])

    return wrapped
