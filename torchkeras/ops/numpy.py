"""NumPy-style operations of ``torchkeras.ops`` (Keras 3's NumPy ops).

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


arccos = _unary(
    "arccos", torch.arccos, to_float=True, tf="math.acos",
    doc="""Inverse cosine of `x`, element-wise, in radians.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.arccos([1.0, 0.0, -1.0])
        tensor([0.0000, 1.5708, 3.1416])
    """)
arccosh = _unary(
    "arccosh", torch.arccosh, to_float=True, tf="math.acosh",
    doc="""Inverse hyperbolic cosine of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.arccosh([1.0, 2.0])
        tensor([0.0000, 1.3170])
    """)
arcsin = _unary(
    "arcsin", torch.arcsin, to_float=True, tf="math.asin",
    doc="""Inverse sine of `x`, element-wise, in radians.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.arcsin([0.0, 1.0])
        tensor([0.0000, 1.5708])
    """)
arcsinh = _unary(
    "arcsinh", torch.arcsinh, to_float=True, tf="math.asinh",
    doc="""Inverse hyperbolic sine of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.arcsinh([0.0, 1.0])
        tensor([0.0000, 0.8814])
    """)
arctan = _unary(
    "arctan", torch.arctan, to_float=True, tf="math.atan",
    doc="""Inverse tangent of `x`, element-wise, in radians.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.arctan([0.0, 1.0])
        tensor([0.0000, 0.7854])
    """)
arctanh = _unary(
    "arctanh", torch.arctanh, to_float=True, tf="math.atanh",
    doc="""Inverse hyperbolic tangent of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.arctanh([0.0, 0.5])
        tensor([0.0000, 0.5493])
    """)
cos = _unary(
    "cos", torch.cos, to_float=True, tf="math.cos",
    doc="""Cosine of `x` (in radians), element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.cos([0.0, np.pi])
        tensor([ 1., -1.])
    """)
cosh = _unary(
    "cosh", torch.cosh, to_float=True, tf="math.cosh",
    doc="""Hyperbolic cosine of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.cosh([0.0, 1.0])
        tensor([1.0000, 1.5431])
    """)
sin = _unary(
    "sin", torch.sin, to_float=True, tf="math.sin",
    doc="""Sine of `x` (in radians), element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.sin([0.0, np.pi / 2])
        tensor([0., 1.])
    """)
sinh = _unary(
    "sinh", torch.sinh, to_float=True, tf="math.sinh",
    doc="""Hyperbolic sine of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.sinh([0.0, 1.0])
        tensor([0.0000, 1.1752])
    """)
tan = _unary(
    "tan", torch.tan, to_float=True, tf="math.tan",
    doc="""Tangent of `x` (in radians), element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.tan([0.0, np.pi / 4])
        tensor([0., 1.])
    """)
tanh = _unary(
    "tanh", torch.tanh, to_float=True, tf="math.tanh",
    doc="""Hyperbolic tangent of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.tanh([0.0, 1.0])
        tensor([0.0000, 0.7616])
    """)
exp = _unary(
    "exp", torch.exp, to_float=True, tf="math.exp",
    doc="""Exponential `e ** x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.exp([0.0, 1.0])
        tensor([1.0000, 2.7183])
    """)
exp2 = _unary(
    "exp2", torch.exp2, to_float=True,
    doc="""Base-2 exponential `2 ** x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.exp2([0, 1, 3])
        tensor([1., 2., 8.])
    """)
expm1 = _unary(
    "expm1", torch.expm1, to_float=True, tf="math.expm1",
    doc="""`exp(x) - 1`, element-wise, accurate for small `x`.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.expm1([0.0, 1e-10])
        tensor([0.0000e+00, 1.0000e-10])
    """)
log = _unary(
    "log", torch.log, to_float=True, tf="math.log",
    doc="""Natural logarithm of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.log([1.0, np.e])
        tensor([0., 1.])
    """)
log10 = _unary(
    "log10", torch.log10, to_float=True,
    doc="""Base-10 logarithm of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.log10([1, 10, 1000])
        tensor([0., 1., 3.])
    """)
log1p = _unary(
    "log1p", torch.log1p, to_float=True, tf="math.log1p",
    doc="""`log(1 + x)`, element-wise, accurate for small `x`.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.log1p([0.0, 1e-10])
        tensor([0.0000e+00, 1.0000e-10])
    """)
log2 = _unary(
    "log2", torch.log2, to_float=True,
    doc="""Base-2 logarithm of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.log2([1, 2, 8])
        tensor([0., 1., 3.])
    """)
sqrt = _unary(
    "sqrt", torch.sqrt, to_float=True, tf="math.sqrt",
    doc="""Non-negative square root of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.sqrt([1, 4, 9])
        tensor([1., 2., 3.])
    """)
deg2rad = _unary(
    "deg2rad", torch.deg2rad, to_float=True,
    doc="""Converts angles from degrees to radians.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.deg2rad([0.0, 90.0, 180.0])
        tensor([0.0000, 1.5708, 3.1416])
    """)
rad2deg = _unary(
    "rad2deg", torch.rad2deg, to_float=True,
    doc="""Converts angles from radians to degrees.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.rad2deg([0.0, np.pi / 2, np.pi])
        tensor([  0.,  90., 180.])
    """)
i0 = _unary(
    "i0", torch.i0, to_float=True, tf="math.bessel_i0",
    doc="""Modified Bessel function of the first kind, order 0, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.i0([0.0, 1.0])
        tensor([1.0000, 1.2661])
    """)
sinc = _unary(
    "sinc", torch.sinc, to_float=True,
    doc="""Normalized sinc `sin(pi * x) / (pi * x)`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.
            `sinc(0)` is 1.

    Examples:
        >>> keras.ops.sinc([0.0, 0.5, -0.5])
        tensor([1.0000, 0.6366, 0.6366])
    """)
fabs = _unary(
    "fabs", torch.abs, to_float=True,
    doc="""Absolute value of `x`, element-wise, always as floats.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.fabs([-2, 3])
        tensor([2., 3.])
    """)
reciprocal = _unary(
    "reciprocal", torch.reciprocal, to_float=True, tf="math.reciprocal",
    doc="""`1 / x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.reciprocal([1.0, 2.0, 4.0])
        tensor([1.0000, 0.5000, 0.2500])
    """)
negative = _unary(
    "negative", torch.neg, to_float=False, tf="math.negative",
    doc="""`-x`, element-wise; the dtype is kept.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.negative([1, -2])
        tensor([-1,  2], dtype=torch.int32)
    """)
sign = _unary(
    "sign", torch.sign, to_float=False, tf="math.sign",
    doc="""Sign of `x` (-1, 0 or 1), element-wise; the dtype is kept.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.sign([-3.0, 0.0, 2.0])
        tensor([-1.,  0.,  1.])
    """)
signbit = _unary(
    "signbit", torch.signbit,
    doc="""Whether the sign bit of `x` is set, element-wise.

    True for negative numbers, including `-0.0`.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.signbit([-1.0, -0.0, 0.0, 2.0])
        tensor([ True,  True, False, False])
    """)
isfinite = _unary(
    "isfinite", torch.isfinite, to_float=False, tf="math.is_finite",
    doc="""Whether `x` is neither infinite nor NaN, element-wise.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.isfinite([1.0, np.inf, np.nan])
        tensor([ True, False, False])
    """)
isinf = _unary(
    "isinf", torch.isinf, to_float=False, tf="math.is_inf",
    doc="""Whether `x` is positive or negative infinity, element-wise.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.isinf([1.0, np.inf, -np.inf])
        tensor([False,  True,  True])
    """)
isnan = _unary(
    "isnan", torch.isnan, to_float=False, tf="math.is_nan",
    doc="""Whether `x` is NaN, element-wise.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.isnan([1.0, np.nan])
        tensor([False,  True])
    """)
isneginf = _unary(
    "isneginf", torch.isneginf,
    doc="""Whether `x` is negative infinity, element-wise.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.isneginf([1.0, np.inf, -np.inf])
        tensor([False, False,  True])
    """)
isposinf = _unary(
    "isposinf", torch.isposinf,
    doc="""Whether `x` is positive infinity, element-wise.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.isposinf([1.0, np.inf, -np.inf])
        tensor([False,  True, False])
    """)
isreal = _unary(
    "isreal", torch.isreal,
    doc="""Whether `x` has a zero imaginary part, element-wise.

    Real-valued inputs give all True.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.isreal(np.array([1 + 0j, 1 + 2j], dtype='complex64'))
        tensor([ True, False])
    """)
logical_not = _unary(
    "logical_not", torch.logical_not, to_float=False, tf="math.logical_not",
    doc="""Logical NOT of `x`, element-wise.

    Args:
        x: Input tensor; nonzero entries count as True.

    Examples:
        >>> keras.ops.logical_not([True, False, True])
        tensor([False,  True, False])
    """)
conjugate = _unary(
    "conjugate", torch.conj_physical, to_float=False, tf="math.conj",
    doc="""Complex conjugate of `x`, element-wise.

    Args:
        x: Input tensor; real inputs are returned unchanged.

    Examples:
        >>> keras.ops.conjugate(np.array([1 + 2j, 3 - 1j], dtype='complex64'))
        tensor([1.-2.j, 3.+1.j])
    """)
conj = _unary(
    "conj", torch.conj_physical,
    doc="""Complex conjugate of `x`, element-wise (alias of `conjugate`).

    Args:
        x: Input tensor; real inputs are returned unchanged.

    Examples:
        >>> keras.ops.conj(np.array([1 + 2j], dtype='complex64'))
        tensor([1.-2.j])
    """)
real = _unary(
    "real", torch.real, to_float=False, tf="math.real",
    doc="""Real part of `x`, element-wise.

    Args:
        x: Input tensor; real inputs are returned unchanged.

    Examples:
        >>> keras.ops.real(np.array([1 + 2j, 3 - 1j], dtype='complex64'))
        tensor([1., 3.])
    """)
copy = _unary(
    "copy", torch.clone, to_float=False, tf="identity",
    doc="""A copy of `x` that shares no memory with it.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.copy([1.0, 2.0])
        tensor([1., 2.])
    """)


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


abs = _unary(
    "abs", _abs, to_float=False, tf="math.abs",
    doc="""Absolute value of `x`, element-wise; the dtype is kept.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.abs([-1.5, 0.0, 2.0])
        tensor([1.5000, 0.0000, 2.0000])
    """)
absolute = _unary(
    "absolute", _abs,
    doc="""Absolute value of `x`, element-wise (alias of `abs`).

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.absolute([-1, 2])
        tensor([1, 2], dtype=torch.int32)
    """)
imag = _unary(
    "imag", _imag, to_float=False, tf="math.imag",
    doc="""Imaginary part of `x`, element-wise.

    Args:
        x: Input tensor; real inputs give zeros.

    Examples:
        >>> keras.ops.imag(np.array([1 + 2j, 3 - 1j], dtype='complex64'))
        tensor([ 2., -1.])
    """)
angle = _unary(
    "angle", _angle, to_float=False, tf="math.angle",
    doc="""Argument (phase angle, in radians) of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.angle(np.array([1 + 1j, -1 + 0j], dtype='complex64'))
        tensor([0.7854, 3.1416])
    """)
square = _unary(
    "square", _square, to_float=False, tf="math.square",
    doc="""`x ** 2`, element-wise; bool inputs give int32.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.square([-2, 3])
        tensor([4, 9], dtype=torch.int32)
    """)
trunc = _unary(
    "trunc", _trunc,
    doc="""Rounds `x` toward zero, element-wise; the dtype is kept.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.trunc([-1.7, -0.2, 1.5])
        tensor([-1., -0.,  1.])
    """)
ceil = _unary(
    "ceil", _rounding(torch.ceil), to_float=False, tf="math.ceil",
    doc="""Smallest integer not less than `x`, element-wise, as floats.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.ceil([-1.5, 0.2, 2.0])
        tensor([-1.,  1.,  2.])
    """)
floor = _unary(
    "floor", _rounding(torch.floor), to_float=False, tf="math.floor",
    doc="""Largest integer not greater than `x`, element-wise, as floats.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx.

    Examples:
        >>> keras.ops.floor([-1.5, 0.2, 2.0])
        tensor([-2.,  0.,  2.])
    """)
cbrt = _unary(
    "cbrt", _cbrt,
    doc="""Real cube root of `x`, element-wise.

    Args:
        x: Input tensor; integer and bool inputs are computed in floatx (int64
            in float64).

    Examples:
        >>> keras.ops.cbrt([-8.0, 1.0, 27.0])
        tensor([-2.,  1.,  3.])
    """)
bitwise_invert = _unary(
    "bitwise_invert", _bitwise_not,
    doc="""Bitwise NOT of `x`, element-wise (alias of `bitwise_not`).

    Args:
        x: Integer or bool tensor.

    Examples:
        >>> keras.ops.bitwise_invert([0, 5])
        tensor([-1, -6], dtype=torch.int32)
    """)


@keras_op(tf=("bitwise.invert", ("x",)))
def bitwise_not(x):
    """Bitwise NOT (`~x`) of an integer or bool tensor, element-wise.

    Args:
        x: Integer or bool tensor.

    Examples:
        >>> keras.ops.bitwise_not([0, 5, -1])
        tensor([-1, -6,  0], dtype=torch.int32)
    """
    return torch.bitwise_not(convert_to_tensor(x))


@keras_op()
def round(x, decimals=0):
    """Rounds `x` to `decimals` decimal places, half to even.

    Integer inputs keep their dtype (a negative `decimals` rounds them to
    tens, hundreds, ...).

    Args:
        x: Input tensor.
        decimals: Number of decimal places to keep; may be negative.

    Returns:
        A tensor of the rounded values, of `x`'s dtype.

    Examples:
        >>> keras.ops.round([0.5, 1.5, 2.675], decimals=0)
        tensor([0., 2., 3.])
        >>> keras.ops.round([1.234, 5.678], decimals=1)
        tensor([1.2000, 5.7000])
    """
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return torch.round(x.to(_floatx()), decimals=decimals).to(x.dtype)
    return torch.round(x, decimals=decimals)


@keras_op()
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replaces NaN and infinite entries of `x` by finite numbers.

    Integer and bool inputs are returned unchanged.

    Args:
        x: Input tensor.
        nan: Value that replaces NaN.
        posinf: Value that replaces positive infinity; `None` uses the
            largest finite value of `x`'s dtype.
        neginf: Value that replaces negative infinity; `None` uses the
            smallest finite value of `x`'s dtype.

    Examples:
        >>> keras.ops.nan_to_num([np.nan, np.inf, -np.inf, 1.0], posinf=9.0,
        ...                      neginf=-9.0)
        tensor([ 0.,  9., -9.,  1.])
    """
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


add = _binary(
    "add", torch.add, tf="__operators__.add",
    doc="""Element-wise sum `x1 + x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.add([1, 2], [10, 20])
        tensor([11, 22], dtype=torch.int32)
    """)
subtract = _binary(
    "subtract", torch.sub, tf="math.subtract",
    doc="""Element-wise difference `x1 - x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.subtract([5.0, 3.0], 1.0)
        tensor([4., 2.])
    """)
multiply = _binary(
    "multiply", torch.mul, tf="math.multiply",
    doc="""Element-wise product `x1 * x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.multiply([1, 2, 3], 2)
        tensor([2, 4, 6], dtype=torch.int32)
    """)
divide = _binary(
    "divide", torch.div, to_float=True, tf="math.truediv",
    doc="""Element-wise true division `x1 / x2`.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: Dividend tensor.
        x2: Divisor tensor.

    Examples:
        >>> keras.ops.divide([1, 2, 3], 2)
        tensor([0.5000, 1.0000, 1.5000])
    """)
true_divide = _binary(
    "true_divide", torch.div, to_float=True,
    doc="""Element-wise true division `x1 / x2` (alias of `divide`).

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: Dividend tensor.
        x2: Divisor tensor.

    Examples:
        >>> keras.ops.true_divide([3, 4], [2, 8])
        tensor([1.5000, 0.5000])
    """)
divide_no_nan = _binary(
    "divide_no_nan", _safe_divide, to_float=True, tf="math.divide_no_nan",
    doc="""Element-wise `x1 / x2`, giving 0 where `x2` is 0.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: Dividend tensor.
        x2: Divisor tensor.

    Examples:
        >>> keras.ops.divide_no_nan([1.0, 2.0], [2.0, 0.0])
        tensor([0.5000, 0.0000])
    """)
floor_divide = _binary(
    "floor_divide", torch.floor_divide, tf="math.floordiv",
    doc="""Element-wise floor division `x1 // x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: Dividend tensor.
        x2: Divisor tensor.

    Examples:
        >>> keras.ops.floor_divide([7, -7], 2)
        tensor([ 3, -4], dtype=torch.int32)
    """)
mod = _binary(
    "mod", _int_pair(torch.remainder), tf="math.floormod",
    doc="""Element-wise remainder of `x1 / x2`, with the sign of `x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype). Same as Python's `%`.

    Args:
        x1: Dividend tensor.
        x2: Divisor tensor.

    Examples:
        >>> keras.ops.mod([7, -7], 3)
        tensor([1, 2], dtype=torch.int32)
    """)
fmod = _binary(
    "fmod", _int_pair(torch.fmod), tf="math.truncatemod",
    doc="""Element-wise remainder of `x1 / x2`, with the sign of `x1`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype). Same as C's `fmod`.

    Args:
        x1: Dividend tensor.
        x2: Divisor tensor.

    Examples:
        >>> keras.ops.fmod([7, -7], 3)
        tensor([ 1, -1], dtype=torch.int32)
    """)
power = _binary(
    "power", torch.pow, tf="math.pow",
    doc="""Element-wise power `x1 ** x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: Base tensor.
        x2: Exponent tensor.

    Examples:
        >>> keras.ops.power([2, 3], [3, 2])
        tensor([8, 9], dtype=torch.int32)
    """)
maximum = _binary(
    "maximum", torch.maximum, tf="math.maximum",
    doc="""Element-wise maximum of `x1` and `x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype). A NaN in either input gives NaN.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.maximum([1, 5, 3], [4, 2, 3])
        tensor([4, 5, 3], dtype=torch.int32)
    """)
minimum = _binary(
    "minimum", torch.minimum, tf="math.minimum",
    doc="""Element-wise minimum of `x1` and `x2`.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype). A NaN in either input gives NaN.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.minimum([1, 5, 3], [4, 2, 3])
        tensor([1, 2, 3], dtype=torch.int32)
    """)
fmax = _binary(
    "fmax", torch.fmax,
    doc="""Element-wise maximum of `x1` and `x2`, ignoring NaNs.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype). Where one entry is NaN the other
    is returned.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.fmax([1.0, np.nan, np.nan], [2.0, 0.0, np.nan])
        tensor([2., 0., nan])
    """)
fmin = _binary(
    "fmin", torch.fmin,
    doc="""Element-wise minimum of `x1` and `x2`, ignoring NaNs.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype). Where one entry is NaN the other
    is returned.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.fmin([1.0, np.nan, np.nan], [2.0, 0.0, np.nan])
        tensor([1., 0., nan])
    """)
arctan2 = _binary(
    "arctan2", torch.arctan2, to_float=True, tf="math.atan2",
    doc="""Element-wise arc tangent of `x1 / x2`, in the right quadrant.

    The inputs broadcast against each other; integer inputs are computed in
    floatx. The result, in radians, is in `[-pi, pi]`.

    Args:
        x1: y-coordinates.
        x2: x-coordinates.

    Examples:
        >>> keras.ops.arctan2([1.0, 1.0, -1.0], [1.0, -1.0, -1.0])
        tensor([ 0.7854,  2.3562, -2.3562])
    """)
hypot = _binary(
    "hypot", torch.hypot, to_float=True,
    doc="""Element-wise hypotenuse `sqrt(x1 ** 2 + x2 ** 2)`.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.hypot([3.0, 5.0], [4.0, 12.0])
        tensor([ 5., 13.])
    """)
logaddexp = _binary(
    "logaddexp", torch.logaddexp, to_float=True,
    doc="""Element-wise `log(exp(x1) + exp(x2))`, computed stably.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.logaddexp([0.0, 1000.0], [0.0, 1000.0])
        tensor([6.9315e-01, 1.0007e+03])
    """)
logaddexp2 = _binary(
    "logaddexp2", _logaddexp2, to_float=True,
    doc="""Element-wise `log2(2 ** x1 + 2 ** x2)`, computed stably.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.logaddexp2([1.0, 3.0], [1.0, 3.0])
        tensor([2., 4.])
    """)
nextafter = _binary(
    "nextafter", torch.nextafter, to_float=True, tf="math.nextafter",
    doc="""The next representable float after `x1` toward `x2`.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: Start values.
        x2: Directions to step toward.

    Examples:
        >>> x = keras.ops.nextafter([1.0], [2.0])
        >>> keras.ops.subtract(x, 1.0)
        tensor([1.1921e-07])
    """)
heaviside = _binary(
    "heaviside", _heaviside, to_float=True,
    doc="""Heaviside step function: 0 below zero, 1 above.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: Input tensor.
        x2: Value taken where `x1` is 0.

    Examples:
        >>> keras.ops.heaviside([-1.5, 0.0, 2.0], 0.5)
        tensor([0.0000, 0.5000, 1.0000])
    """)
ldexp = _binary(
    "ldexp", _ldexp, to_float=True,
    doc="""Element-wise `x1 * 2 ** x2`.

    The inputs broadcast against each other; integer inputs are computed in
    floatx.

    Args:
        x1: Mantissas.
        x2: Integer exponents of 2.

    Examples:
        >>> keras.ops.ldexp([1.0, 3.0], [2, -1])
        tensor([4.0000, 1.5000])
    """)
gcd = _binary(
    "gcd", torch.gcd,
    doc="""Element-wise greatest common divisor of two integer tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: First integer tensor.
        x2: Second integer tensor.

    Examples:
        >>> keras.ops.gcd([12, 18], [8, 27])
        tensor([4, 9], dtype=torch.int32)
    """)
lcm = _binary(
    "lcm", torch.lcm,
    doc="""Element-wise least common multiple of two integer tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x1: First integer tensor.
        x2: Second integer tensor.

    Examples:
        >>> keras.ops.lcm([4, 6], [6, 10])
        tensor([12, 30], dtype=torch.int32)
    """)
equal = _binary(
    "equal", torch.eq, tf="math.equal",
    doc="""Element-wise `x1 == x2`.

    The inputs broadcast against each other; the result is bool.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.equal([1, 2, 3], 2)
        tensor([False,  True, False])
    """)
not_equal = _binary(
    "not_equal", torch.ne, tf="math.not_equal",
    doc="""Element-wise `x1 != x2`.

    The inputs broadcast against each other; the result is bool.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.not_equal([1, 2, 3], 2)
        tensor([ True, False,  True])
    """)
less = _binary(
    "less", torch.lt, tf="math.less",
    doc="""Element-wise `x1 < x2`.

    The inputs broadcast against each other; the result is bool.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.less([1, 2, 3], 2)
        tensor([ True, False, False])
    """)
less_equal = _binary(
    "less_equal", torch.le, tf="math.less_equal",
    doc="""Element-wise `x1 <= x2`.

    The inputs broadcast against each other; the result is bool.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.less_equal([1, 2, 3], 2)
        tensor([ True,  True, False])
    """)
greater = _binary(
    "greater", torch.gt, tf="math.greater",
    doc="""Element-wise `x1 > x2`.

    The inputs broadcast against each other; the result is bool.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.greater([1, 2, 3], 2)
        tensor([False, False,  True])
    """)
greater_equal = _binary(
    "greater_equal", torch.ge, tf="math.greater_equal",
    doc="""Element-wise `x1 >= x2`.

    The inputs broadcast against each other; the result is bool.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.greater_equal([1, 2, 3], 2)
        tensor([False,  True,  True])
    """)
logical_and = _binary(
    "logical_and", torch.logical_and, tf="math.logical_and",
    doc="""Element-wise logical AND of `x1` and `x2`.

    The inputs broadcast against each other; the result is bool. Nonzero entries
    count as True.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.logical_and([True, True, False], [True, False, False])
        tensor([ True, False, False])
    """)
logical_or = _binary(
    "logical_or", torch.logical_or, tf="math.logical_or",
    doc="""Element-wise logical OR of `x1` and `x2`.

    The inputs broadcast against each other; the result is bool. Nonzero entries
    count as True.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.logical_or([True, True, False], [True, False, False])
        tensor([ True,  True, False])
    """)
logical_xor = _binary(
    "logical_xor", torch.logical_xor, tf="math.logical_xor",
    doc="""Element-wise logical XOR of `x1` and `x2`.

    The inputs broadcast against each other; the result is bool. Nonzero entries
    count as True.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.logical_xor([True, True, False], [True, False, False])
        tensor([False,  True, False])
    """)
bitwise_and = _binary(
    "bitwise_and", torch.bitwise_and, tf="bitwise.bitwise_and", xy=True,
    doc="""Element-wise bitwise AND `x & y` of integer or bool tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: First integer or bool tensor.
        y: Second integer or bool tensor.

    Examples:
        >>> keras.ops.bitwise_and([12, 10], [10, 6])
        tensor([8, 2], dtype=torch.int32)
    """)
bitwise_or = _binary(
    "bitwise_or", torch.bitwise_or, tf="bitwise.bitwise_or", xy=True,
    doc="""Element-wise bitwise OR `x | y` of integer or bool tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: First integer or bool tensor.
        y: Second integer or bool tensor.

    Examples:
        >>> keras.ops.bitwise_or([12, 10], [10, 6])
        tensor([14, 14], dtype=torch.int32)
    """)
bitwise_xor = _binary(
    "bitwise_xor", torch.bitwise_xor, tf="bitwise.bitwise_xor", xy=True,
    doc="""Element-wise bitwise XOR `x ^ y` of integer or bool tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: First integer or bool tensor.
        y: Second integer or bool tensor.

    Examples:
        >>> keras.ops.bitwise_xor([12, 10], [10, 6])
        tensor([ 6, 12], dtype=torch.int32)
    """)
bitwise_left_shift = _binary(
    "bitwise_left_shift",
    torch.bitwise_left_shift,
    tf="bitwise.left_shift",
    xy=True,
    doc="""Element-wise left shift `x << y` of integer tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: Integer tensor to shift.
        y: Number of bits to shift by.

    Examples:
        >>> keras.ops.bitwise_left_shift([1, 3], [2, 1])
        tensor([4, 6], dtype=torch.int32)
    """)
left_shift = _binary(
    "left_shift", torch.bitwise_left_shift, xy=True,
    doc="""Element-wise left shift `x << y` (alias of `bitwise_left_shift`).

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: Integer tensor to shift.
        y: Number of bits to shift by.

    Examples:
        >>> keras.ops.left_shift([1, 3], 2)
        tensor([ 4, 12], dtype=torch.int32)
    """)
bitwise_right_shift = _binary(
    "bitwise_right_shift",
    torch.bitwise_right_shift,
    tf="bitwise.right_shift",
    xy=True,
    doc="""Element-wise right shift `x >> y` of integer tensors.

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: Integer tensor to shift.
        y: Number of bits to shift by.

    Examples:
        >>> keras.ops.bitwise_right_shift([8, 7], [2, 1])
        tensor([2, 3], dtype=torch.int32)
    """)
right_shift = _binary(
    "right_shift", torch.bitwise_right_shift, xy=True,
    doc="""Element-wise right shift `x >> y` (alias of `bitwise_right_shift`).

    The inputs broadcast against each other and are promoted to a common dtype
    (Python scalars take the tensor's dtype).

    Args:
        x: Integer tensor to shift.
        y: Number of bits to shift by.

    Examples:
        >>> keras.ops.right_shift([8, 7], 1)
        tensor([4, 3], dtype=torch.int32)
    """)


@keras_op()
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether `x1` and `x2` are equal within a tolerance, element-wise.

    Entries are close when `abs(x1 - x2) <= atol + rtol * abs(x2)`.

    Args:
        x1: First input tensor.
        x2: Second input tensor; broadcasts against `x1`.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        equal_nan: Whether two NaNs count as close.

    Returns:
        A bool tensor.

    Examples:
        >>> keras.ops.isclose([1.0, 2.0, np.nan], [1.0 + 1e-7, 2.1, np.nan])
        tensor([ True, False, False])
        >>> keras.ops.isclose([np.nan], [np.nan], equal_nan=True)
        tensor([True])
    """
    x1, x2 = _promote(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


@keras_op()
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether `x1` and `x2` are equal within a tolerance everywhere.

    The same test as `isclose`, reduced with a logical AND over all entries.

    Args:
        x1: First input tensor.
        x2: Second input tensor; broadcasts against `x1`.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        equal_nan: Whether two NaNs count as close.

    Returns:
        A bool scalar tensor.

    Examples:
        >>> keras.ops.allclose([1.0, 2.0], [1.0, 2.0 + 1e-7])
        tensor(True)
        >>> keras.ops.allclose([1.0, 2.0], [1.0, 2.1])
        tensor(False)
    """
    return torch.all(isclose(x1, x2, rtol, atol, equal_nan))


@keras_op(tf=("clip_by_value", ("t", "clip_value_min", "clip_value_max")))
def clip(x, x_min, x_max):
    """Limits the values of `x` to the interval `[x_min, x_max]`.

    Bool inputs are clipped as int32.

    Args:
        x: Input tensor.
        x_min: Lower bound, a scalar or a tensor broadcastable to `x`.
        x_max: Upper bound, a scalar or a tensor broadcastable to `x`.

    Returns:
        A tensor of `x`'s dtype.

    Examples:
        >>> keras.ops.clip([-2.0, 0.5, 3.0], 0.0, 1.0)
        tensor([0.0000, 0.5000, 1.0000])
    """
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
    """Picks entries from `x1` where `condition` holds and from `x2` elsewhere.

    Without `x1` and `x2` it returns the indices of the true entries of
    `condition`, as `nonzero` does.

    Args:
        condition: Bool tensor (nonzero entries count as True).
        x1: Values taken where `condition` is True.
        x2: Values taken where `condition` is False.

    Returns:
        A tensor of the broadcast shape of the three inputs, or a tuple of
        index tensors when `x1` and `x2` are both `None`.

    Examples:
        >>> keras.ops.where([True, False, True], [1, 2, 3], [10, 20, 30])
        tensor([ 1, 20,  3], dtype=torch.int32)
        >>> keras.ops.where([0, 1, 1])
        (tensor([1, 2], dtype=torch.int32),)
    """
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
    """Sum of the entries of `x` along `axis`.

    Bool and small integer inputs are summed as int32.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 2], [3, 4]])
        >>> keras.ops.sum(x)
        tensor(10, dtype=torch.int32)
        >>> keras.ops.sum(x, axis=0)
        tensor([4, 6], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    dtype = _sum_dtype(x.dtype)
    return _reduce(x, axis, keepdims,
                   lambda t, d, k: torch.sum(t, dim=d, keepdim=k,
                                             dtype=dtype))


@keras_op(tf=("math.reduce_mean", ("input_tensor", "axis", "keepdims")))
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean of the entries of `x` along `axis`.

    Integer and bool inputs give floatx.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.ops.mean(x, axis=0)
        tensor([2., 3.])
        >>> keras.ops.mean(x, axis=1, keepdims=True)
        tensor([[1.5000],
                [3.5000]])
    """
    x = _to_float(convert_to_tensor(x))
    return _reduce(x, axis, keepdims, torch.mean)


@keras_op(tf=("math.reduce_prod", ("input_tensor", "axis", "keepdims")))
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product of the entries of `x` along `axis`.

    Bool and small integer inputs are multiplied as int32 unless `dtype` is
    given.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.
        dtype: Dtype of the result and of the computation; `None` follows
            `x`'s dtype.

    Examples:
        >>> keras.ops.prod([[1, 2], [3, 4]], axis=1)
        tensor([ 2, 12], dtype=torch.int32)
        >>> keras.ops.prod([1, 2, 3], dtype="float32")
        tensor(6.)
    """
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
    """Maximum of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.
        initial: Optional lower bound of the result: the maximum is taken
            together with this value.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 5], [4, 2]])
        >>> keras.ops.max(x)
        tensor(5, dtype=torch.int32)
        >>> keras.ops.max(x, axis=0)
        tensor([4, 5], dtype=torch.int32)
        >>> keras.ops.max(x, axis=1, initial=3)
        tensor([5, 4], dtype=torch.int32)
    """
    return _extremum(x, axis, keepdims, initial, torch.amax, torch.maximum)


@keras_op(tf=("math.reduce_min", ("input_tensor", "axis", "keepdims")))
def min(x, axis=None, keepdims=False, initial=None):
    """Minimum of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.
        initial: Optional upper bound of the result: the minimum is taken
            together with this value.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 5], [4, 2]])
        >>> keras.ops.min(x)
        tensor(1, dtype=torch.int32)
        >>> keras.ops.min(x, axis=0)
        tensor([1, 2], dtype=torch.int32)
        >>> keras.ops.min(x, axis=1, initial=3)
        tensor([1, 2], dtype=torch.int32)
    """
    return _extremum(x, axis, keepdims, initial, torch.amin, torch.minimum)


@keras_op()
def amax(x, axis=None, keepdims=False):
    """Maximum of the entries of `x` along `axis` (`max` without `initial`).

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.amax([[1, 5], [4, 2]], axis=1)
        tensor([5, 4], dtype=torch.int32)
    """
    return _extremum(x, axis, keepdims, None, torch.amax, None)


@keras_op()
def amin(x, axis=None, keepdims=False):
    """Minimum of the entries of `x` along `axis` (`min` without `initial`).

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.amin([[1, 5], [4, 2]], axis=1)
        tensor([1, 2], dtype=torch.int32)
    """
    return _extremum(x, axis, keepdims, None, torch.amin, None)


@keras_op(tf=("math.reduce_all", ("input_tensor", "axis", "keepdims")))
def all(x, axis=None, keepdims=False):
    """Whether every entry of `x` along `axis` is True (nonzero).

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[True, False], [True, True]])
        >>> keras.ops.all(x)
        tensor(False)
        >>> keras.ops.all(x, axis=0)
        tensor([ True, False])
    """
    x = convert_to_tensor(x).bool()
    return _reduce(x, axis, keepdims, torch.all)


@keras_op(tf=("math.reduce_any", ("input_tensor", "axis", "keepdims")))
def any(x, axis=None, keepdims=False):
    """Whether some entry of `x` along `axis` is True (nonzero).

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Returns:
        A bool tensor.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[True, False], [False, False]])
        >>> keras.ops.any(x)
        tensor(True)
        >>> keras.ops.any(x, axis=1)
        tensor([ True, False])
    """
    x = convert_to_tensor(x).bool()
    return _reduce(x, axis, keepdims, torch.any)


@keras_op(tf=("math.reduce_variance", ("input_tensor", "axis", "keepdims")))
def var(x, axis=None, keepdims=False):
    """Variance of the entries of `x` along `axis`.

    The population variance (the sum of squared deviations divided by the
    number of entries); integer inputs give floatx.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.var([1.0, 2.0, 3.0, 4.0])
        tensor(1.2500)
    """
    x = _to_float(convert_to_tensor(x))
    return _reduce(x, axis, keepdims, lambda t, d, k: torch.var(
        t, dim=d, keepdim=k, correction=0))


@keras_op(tf=("math.reduce_std", ("input_tensor", "axis", "keepdims")))
def std(x, axis=None, keepdims=False):
    """Standard deviation of the entries of `x` along `axis`.

    The square root of the population variance (see `var`); integer inputs
    give floatx.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.std([[1.0, 3.0], [2.0, 2.0]], axis=1)
        tensor([1., 0.])
    """
    x = _to_float(convert_to_tensor(x))
    return _reduce(x, axis, keepdims, lambda t, d, k: torch.std(
        t, dim=d, keepdim=k, correction=0))


@keras_op()
def ptp(x, axis=None, keepdims=False):
    """Range (`max - min`) of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.ptp([[4, 9, 2], [1, 1, 1]], axis=1)
        tensor([7, 0], dtype=torch.int32)
    """
    return (max(x, axis=axis, keepdims=keepdims)
            - min(x, axis=axis, keepdims=keepdims))


@keras_op(tf=("math.count_nonzero", ("input", "axis")))
def count_nonzero(x, axis=None):
    """Number of nonzero entries of `x` along `axis`, as int32.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to count along; `None` counts all
            entries.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[0, 1, 2], [3, 0, 0]])
        >>> keras.ops.count_nonzero(x)
        tensor(3, dtype=torch.int32)
        >>> keras.ops.count_nonzero(x, axis=0)
        tensor([1, 1, 1], dtype=torch.int32)
    """
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
    """Index of the largest entry of `x` along `axis`, as int32.

    The first occurrence wins on ties.

    Args:
        x: Input tensor.
        axis: Axis to search; `None` searches the flattened `x`.
        keepdims: Whether to keep the searched axis with length 1.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 5, 3], [7, 2, 7]])
        >>> keras.ops.argmax(x)
        tensor(3, dtype=torch.int32)
        >>> keras.ops.argmax(x, axis=1)
        tensor([1, 0], dtype=torch.int32)
    """
    return _arg_extremum(x, axis, keepdims, torch.argmax)


@keras_op(tf=("math.argmin", ("input", "axis")))
def argmin(x, axis=None, keepdims=False):
    """Index of the smallest entry of `x` along `axis`, as int32.

    The first occurrence wins on ties.

    Args:
        x: Input tensor.
        axis: Axis to search; `None` searches the flattened `x`.
        keepdims: Whether to keep the searched axis with length 1.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 5, 3], [7, 2, 2]])
        >>> keras.ops.argmin(x)
        tensor(0, dtype=torch.int32)
        >>> keras.ops.argmin(x, axis=1)
        tensor([0, 1], dtype=torch.int32)
    """
    return _arg_extremum(x, axis, keepdims, torch.argmin)


@keras_op()
def average(x, axis=None, weights=None):
    """Weighted average of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis to average over; `None` averages all entries.
        weights: Optional weights, of `x`'s shape or 1-D with the length of
            `axis`; `None` gives the plain mean.

    Examples:
        >>> keras.ops.average([1.0, 2.0, 3.0, 4.0], weights=[4, 3, 2, 1])
        tensor(2.)
        >>> keras.ops.average([[1.0, 2.0], [3.0, 4.0]], axis=1,
        ...                   weights=[1.0, 3.0])
        tensor([1.7500, 3.7500])
    """
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
    """The `q`-th quantiles of the entries of `x` along `axis`.

    Integer inputs give floatx.

    Args:
        x: Input tensor.
        q: Quantile or tensor of quantiles, in `[0, 1]`; a 1-D `q` adds a
            leading axis to the result.
        axis: Axis or tuple of axes to compute along; `None` uses all
            entries.
        method: How to interpolate between two entries: `"linear"`,
            `"lower"`, `"higher"`, `"midpoint"` or `"nearest"`.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.quantile([1.0, 2.0, 3.0, 4.0], 0.5)
        tensor(2.5000)
        >>> keras.ops.quantile([1.0, 2.0, 3.0, 4.0], [0.25, 0.75])
        tensor([1.7500, 3.2500])
        >>> keras.ops.quantile([1.0, 2.0, 3.0, 4.0], 0.5, method="lower")
        tensor(2.)
    """
    return _quantile(x, q, axis, method, keepdims, False)


@keras_op()
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles of `x` along `axis`, ignoring NaNs.

    Args:
        x: Input tensor.
        q: Quantile or tensor of quantiles, in `[0, 1]`.
        axis: Axis or tuple of axes to compute along; `None` uses all
            entries.
        method: How to interpolate between two entries: `"linear"`,
            `"lower"`, `"higher"`, `"midpoint"` or `"nearest"`.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanquantile([1.0, np.nan, 3.0, 4.0], 0.5)
        tensor(3.)
    """
    return _quantile(x, q, axis, method, keepdims, True)


@keras_op()
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles of the entries of `x` along `axis`.

    Same as `quantile` with `q` given in percent.

    Args:
        x: Input tensor.
        q: Percentile or tensor of percentiles, in `[0, 100]`.
        axis: Axis or tuple of axes to compute along; `None` uses all
            entries.
        method: How to interpolate between two entries: `"linear"`,
            `"lower"`, `"higher"`, `"midpoint"` or `"nearest"`.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.percentile([1.0, 2.0, 3.0, 4.0], [50, 100])
        tensor([2.5000, 4.0000])
    """
    q = convert_to_tensor(q, dtype=floatx()) / 100.0
    return _quantile(x, q, axis, method, keepdims, False)


@keras_op()
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles of `x` along `axis`, ignoring NaNs.

    Args:
        x: Input tensor.
        q: Percentile or tensor of percentiles, in `[0, 100]`.
        axis: Axis or tuple of axes to compute along; `None` uses all
            entries.
        method: How to interpolate between two entries: `"linear"`,
            `"lower"`, `"higher"`, `"midpoint"` or `"nearest"`.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanpercentile([1.0, np.nan, 3.0], 50)
        tensor(2.)
    """
    q = convert_to_tensor(q, dtype=floatx()) / 100.0
    return _quantile(x, q, axis, method, keepdims, True)


@keras_op()
def median(x, axis=None, keepdims=False):
    """Median of the entries of `x` along `axis`.

    An even number of entries gives the mean of the two middle values.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.median([[1.0, 3.0, 2.0], [4.0, 6.0, 5.0]], axis=1)
        tensor([2., 5.])
        >>> keras.ops.median([1.0, 2.0, 3.0, 4.0])
        tensor(2.5000)
    """
    return _quantile(x, 0.5, axis, "linear", keepdims, False)


@keras_op()
def nanmedian(x, axis=None, keepdims=False):
    """Median of the entries of `x` along `axis`, ignoring NaNs.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanmedian([1.0, np.nan, 3.0, 4.0])
        tensor(3.)
    """
    return _quantile(x, 0.5, axis, "linear", keepdims, True)


def _nan_filled(x, value):
    x = convert_to_tensor(x)
    if not _is_float(x.dtype):
        return x
    return torch.where(torch.isnan(x), torch.full_like(x, value), x)


@keras_op()
def nansum(x, axis=None, keepdims=False):
    """Sum of the entries of `x` along `axis`, treating NaNs as zero.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nansum([1.0, np.nan, 3.0])
        tensor(4.)
    """
    return sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims)


@keras_op()
def nanprod(x, axis=None, keepdims=False):
    """Product of the entries of `x` along `axis`, treating NaNs as one.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanprod([2.0, np.nan, 3.0])
        tensor(6.)
    """
    return prod(_nan_filled(x, 1), axis=axis, keepdims=keepdims)


@keras_op()
def nanmean(x, axis=None, keepdims=False):
    """Mean of the non-NaN entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanmean([[1.0, np.nan], [3.0, 4.0]], axis=1)
        tensor([1.0000, 3.5000])
    """
    x = _to_float(convert_to_tensor(x))
    count = sum(~torch.isnan(x), axis=axis, keepdims=keepdims)
    return (sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims)
            / count.to(x.dtype))


@keras_op()
def nanvar(x, axis=None, keepdims=False):
    """Population variance of the non-NaN entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanvar([1.0, np.nan, 3.0])
        tensor(1.)
    """
    x = _to_float(convert_to_tensor(x))
    centered = x - nanmean(x, axis=axis, keepdims=True)
    return nanmean(centered * centered, axis=axis, keepdims=keepdims)


@keras_op()
def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation of the non-NaN entries of `x`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanstd([1.0, np.nan, 3.0])
        tensor(1.)
    """
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
    """Maximum of `x` along `axis`, ignoring NaNs.

    Where every entry is NaN the result is NaN.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanmax([[1.0, np.nan], [np.nan, np.nan]], axis=1)
        tensor([1., nan])
    """
    return _nan_extremum(x, axis, keepdims, float("-inf"), max)


@keras_op()
def nanmin(x, axis=None, keepdims=False):
    """Minimum of `x` along `axis`, ignoring NaNs.

    Where every entry is NaN the result is NaN.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all axes.
        keepdims: Whether to keep the reduced axes with length 1.

    Examples:
        >>> keras.ops.nanmin([[1.0, np.nan], [np.nan, np.nan]], axis=1)
        tensor([1., nan])
    """
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
    """Index of the largest entry of `x` along `axis`, ignoring NaNs.

    Where every entry is NaN the index is -1.

    Args:
        x: Input tensor.
        axis: Axis to search; `None` searches the flattened `x`.
        keepdims: Whether to keep the searched axis with length 1.

    Examples:
        >>> keras.ops.nanargmax([1.0, np.nan, 3.0])
        tensor(2, dtype=torch.int32)
    """
    return _nan_arg(x, axis, keepdims, float("-inf"), argmax)


@keras_op()
def nanargmin(x, axis=None, keepdims=False):
    """Index of the smallest entry of `x` along `axis`, ignoring NaNs.

    Where every entry is NaN the index is -1.

    Args:
        x: Input tensor.
        axis: Axis to search; `None` searches the flattened `x`.
        keepdims: Whether to keep the searched axis with length 1.

    Examples:
        >>> keras.ops.nanargmin([np.nan, 2.0, 1.0])
        tensor(2, dtype=torch.int32)
    """
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
    """Cumulative sum of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along; `None` uses the flattened `x`.
        dtype: Dtype of the result; `None` keeps `x`'s dtype (bool gives
            int32).

    Examples:
        >>> keras.ops.cumsum([[1, 2], [3, 4]])
        tensor([ 1,  3,  6, 10], dtype=torch.int32)
        >>> keras.ops.cumsum([[1, 2], [3, 4]], axis=0)
        tensor([[1, 2],
                [4, 6]], dtype=torch.int32)
    """
    return _cumulative(x, axis, dtype, torch.cumsum)


@keras_op()
def cumprod(x, axis=None, dtype=None):
    """Cumulative product of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along; `None` uses the flattened `x`.
        dtype: Dtype of the result; `None` keeps `x`'s dtype (bool gives
            int32).

    Examples:
        >>> keras.ops.cumprod([1, 2, 3, 4])
        tensor([ 1,  2,  6, 24], dtype=torch.int32)
    """
    return _cumulative(x, axis, dtype, torch.cumprod)


@keras_op()
def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum of `x` along `axis`, treating NaNs as zero.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along; `None` uses the flattened `x`.
        dtype: Dtype of the result; `None` keeps `x`'s dtype (bool gives
            int32).

    Examples:
        >>> keras.ops.nancumsum([1.0, np.nan, 3.0])
        tensor([1., 1., 4.])
    """
    return _cumulative(_nan_filled(x, 0), axis, dtype, torch.cumsum)


@keras_op()
def nancumprod(x, axis=None, dtype=None):
    """Cumulative product of `x` along `axis`, treating NaNs as one.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along; `None` uses the flattened `x`.
        dtype: Dtype of the result; `None` keeps `x`'s dtype (bool gives
            int32).

    Examples:
        >>> keras.ops.nancumprod([2.0, np.nan, 3.0])
        tensor([2., 2., 6.])
    """
    return _cumulative(_nan_filled(x, 1), axis, dtype, torch.cumprod)


@keras_op()
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal of `x`.

    For more than two axes, each plane of `axis1` and `axis2` gives one sum.

    Args:
        x: Input tensor of at least 2 axes.
        offset: Diagonal offset: positive above the main diagonal, negative
            below.
        axis1: First axis of the planes.
        axis2: Second axis of the planes.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 2], [3, 4]])
        >>> keras.ops.trace(x)
        tensor(5, dtype=torch.int32)
        >>> keras.ops.trace(x, offset=1)
        tensor(2, dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    return torch.sum(torch.diagonal(x, offset, axis1, axis2), dim=-1,
                     dtype=_sum_dtype(x.dtype))


# ---------------------------------------------------------------------------
# Shapes, joining and splitting.

@keras_op(tf=("reshape", ("tensor", "shape")))
def reshape(x, newshape):
    """Gives `x` a new shape with the same number of entries.

    Args:
        x: Input tensor.
        newshape: The new shape, an int or a tuple; one entry may be -1,
            inferred from the others.

    Examples:
        >>> keras.ops.reshape([1, 2, 3, 4, 5, 6], (2, -1))
        tensor([[1, 2, 3],
                [4, 5, 6]], dtype=torch.int32)
    """
    newshape = (newshape,) if isinstance(newshape, int) else newshape
    if _core.is_string(x):
        return _core.string_reshape(x, newshape)
    return torch.reshape(convert_to_tensor(x), tuple(newshape))


@keras_op()
def ravel(x):
    """Flattens `x` to one axis, in row-major order.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.ravel([[1, 2], [3, 4]])
        tensor([1, 2, 3, 4], dtype=torch.int32)
    """
    return torch.ravel(convert_to_tensor(x))


@keras_op(tf=("expand_dims", ("input", "axis")))
def expand_dims(x, axis):
    """Inserts new axes of length 1 into `x`.

    Args:
        x: Input tensor.
        axis: Position, or tuple of positions, of the new axes in the
            result.

    Examples:
        >>> x = keras.ops.ones((2, 3))
        >>> keras.ops.expand_dims(x, 0).shape
        torch.Size([1, 2, 3])
        >>> keras.ops.expand_dims(x, (1, -1)).shape
        torch.Size([2, 1, 3, 1])
    """
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
    """Removes axes of length 1 from `x`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to remove, each of length 1; `None`
            removes every length-1 axis.

    Examples:
        >>> x = keras.ops.ones((1, 3, 1))
        >>> keras.ops.squeeze(x).shape
        torch.Size([3])
        >>> keras.ops.squeeze(x, axis=0).shape
        torch.Size([3, 1])
    """
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
    """Permutes the axes of `x`.

    Args:
        x: Input tensor.
        axes: The new order of the axes; `None` reverses them.

    Examples:
        >>> keras.ops.transpose([[1, 2, 3], [4, 5, 6]])
        tensor([[1, 4],
                [2, 5],
                [3, 6]], dtype=torch.int32)
        >>> keras.ops.transpose(keras.ops.ones((2, 3, 4)), (1, 0, 2)).shape
        torch.Size([3, 2, 4])
    """
    x = convert_to_tensor(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    return x.permute(*axes)


@keras_op()
def moveaxis(x, source, destination):
    """Moves axes of `x` to new positions, keeping the others in order.

    Args:
        x: Input tensor.
        source: Original position or positions of the axes to move.
        destination: New position or positions, one per `source` entry.

    Examples:
        >>> keras.ops.moveaxis(keras.ops.ones((2, 3, 4)), 0, -1).shape
        torch.Size([3, 4, 2])
    """
    return torch.movedim(convert_to_tensor(x), _dims(source),
                         _dims(destination))


@keras_op()
def swapaxes(x, axis1, axis2):
    """Swaps two axes of `x`.

    Args:
        x: Input tensor.
        axis1: First axis.
        axis2: Second axis.

    Examples:
        >>> keras.ops.swapaxes(keras.ops.ones((2, 3, 4)), 0, 2).shape
        torch.Size([4, 3, 2])
    """
    return torch.swapaxes(convert_to_tensor(x), axis1, axis2)


@keras_op()
def flip(x, axis=None):
    """Reverses the order of the entries of `x` along `axis`.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reverse; `None` reverses all axes.

    Examples:
        >>> keras.ops.flip([[1, 2], [3, 4]], axis=1)
        tensor([[2, 1],
                [4, 3]], dtype=torch.int32)
        >>> keras.ops.flip([[1, 2], [3, 4]])
        tensor([[4, 3],
                [2, 1]], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    return torch.flip(x, _axes(axis, x.ndim))


@keras_op()
def fliplr(x):
    """Reverses `x` along axis 1 (left to right).

    Args:
        x: Input tensor of at least 2 axes.

    Examples:
        >>> keras.ops.fliplr([[1, 2], [3, 4]])
        tensor([[2, 1],
                [4, 3]], dtype=torch.int32)
    """
    return torch.fliplr(convert_to_tensor(x))


@keras_op()
def flipud(x):
    """Reverses `x` along axis 0 (up to down).

    Args:
        x: Input tensor of at least 1 axis.

    Examples:
        >>> keras.ops.flipud([[1, 2], [3, 4]])
        tensor([[3, 4],
                [1, 2]], dtype=torch.int32)
    """
    return torch.flipud(convert_to_tensor(x))


@keras_op()
def rot90(array, k=1, axes=(0, 1)):
    """Rotates `array` by 90 degrees `k` times in the plane of `axes`.

    The rotation goes from the first axis toward the second.

    Args:
        array: Input tensor of at least 2 axes.
        k: Number of quarter turns; negative values turn the other way.
        axes: The two axes of the plane of rotation.

    Examples:
        >>> keras.ops.rot90([[1, 2], [3, 4]])
        tensor([[2, 4],
                [1, 3]], dtype=torch.int32)
        >>> keras.ops.rot90([[1, 2], [3, 4]], k=2)
        tensor([[4, 3],
                [2, 1]], dtype=torch.int32)
    """
    array = convert_to_tensor(array)
    if array.ndim < 2:
        raise ValueError(
            "`rot90` needs an input of rank 2 or more. Received: "
            f"array.ndim={array.ndim}")
    return torch.rot90(array, k, tuple(axes))


@keras_op()
def roll(x, shift, axis=None):
    """Shifts the entries of `x` cyclically along `axis`.

    Entries shifted past the end come back at the start.

    Args:
        x: Input tensor.
        shift: Number of places to shift by, or a tuple with one shift per
            entry of `axis`.
        axis: Axis or tuple of axes to shift along; `None` shifts the
            flattened `x` and restores its shape.

    Examples:
        >>> keras.ops.roll([1, 2, 3, 4], 1)
        tensor([4, 1, 2, 3], dtype=torch.int32)
        >>> keras.ops.roll([[1, 2], [3, 4]], -1, axis=1)
        tensor([[2, 1],
                [4, 3]], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), shift).reshape(x.shape)
    return torch.roll(x, _dims(shift), _dims(axis))


@keras_op(tf=("broadcast_to", ("input", "shape")))
def broadcast_to(x, shape):
    """Broadcasts `x` to `shape`, by NumPy's broadcasting rules.

    Args:
        x: Input tensor.
        shape: The target shape.

    Examples:
        >>> keras.ops.broadcast_to([1, 2], (2, 2))
        tensor([[1, 2],
                [1, 2]], dtype=torch.int32)
    """
    return torch.broadcast_to(convert_to_tensor(x), _int_shape(shape))


@keras_op(tf=("tile", ("input", "multiples")))
def tile(x, repeats):
    """Repeats the whole of `x` along each axis.

    Args:
        x: Input tensor.
        repeats: Number of repetitions, an int or one per axis (leading
            axes are added when it has more entries than `x` has axes).

    Examples:
        >>> keras.ops.tile([1, 2], 2)
        tensor([1, 2, 1, 2], dtype=torch.int32)
        >>> keras.ops.tile([1, 2], (2, 1))
        tensor([[1, 2],
                [1, 2]], dtype=torch.int32)
    """
    return torch.tile(convert_to_tensor(x), _int_shape(repeats))


@keras_op(tf=("repeat", ("input", "repeats", "axis")))
def repeat(x, repeats, axis=None):
    """Repeats each entry of `x` along `axis`.

    Args:
        x: Input tensor.
        repeats: Number of repetitions, an int or one per entry along
            `axis`.
        axis: Axis to repeat along; `None` repeats the entries of the
            flattened `x`.

    Examples:
        >>> keras.ops.repeat([1, 2], 2)
        tensor([1, 1, 2, 2], dtype=torch.int32)
        >>> keras.ops.repeat([[1, 2], [3, 4]], [1, 2], axis=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]], dtype=torch.int32)
    """
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
    """Joins a sequence of tensors along an existing axis.

    Args:
        xs: Sequence of tensors of the same shape except along `axis`.
        axis: Axis to join along; `None` flattens the tensors first.

    Examples:
        >>> keras.ops.concatenate([[[1, 2]], [[3, 4]]], axis=0)
        tensor([[1, 2],
                [3, 4]], dtype=torch.int32)
        >>> keras.ops.concatenate([[[1, 2]], [[3, 4]]], axis=1)
        tensor([[1, 2, 3, 4]], dtype=torch.int32)
    """
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
    """Joins a sequence of tensors of one shape along a new axis.

    Args:
        x: Sequence of tensors of the same shape.
        axis: Position of the new axis in the result.

    Examples:
        >>> keras.ops.stack([[1, 2], [3, 4]], axis=1)
        tensor([[1, 3],
                [2, 4]], dtype=torch.int32)
    """
    return torch.stack(_tensors(x), dim=axis)


@keras_op()
def hstack(xs):
    """Joins tensors horizontally: along axis 1, or axis 0 for 1-D tensors.

    Args:
        xs: Sequence of tensors.

    Examples:
        >>> keras.ops.hstack([[1, 2], [3]])
        tensor([1, 2, 3], dtype=torch.int32)
        >>> keras.ops.hstack([[[1], [2]], [[3], [4]]])
        tensor([[1, 3],
                [2, 4]], dtype=torch.int32)
    """
    return torch.hstack(_tensors(xs))


@keras_op()
def vstack(xs):
    """Joins tensors vertically, along axis 0; 1-D tensors become rows.

    Args:
        xs: Sequence of tensors.

    Examples:
        >>> keras.ops.vstack([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]], dtype=torch.int32)
    """
    return torch.vstack(_tensors(xs))


@keras_op()
def dstack(xs):
    """Joins tensors along axis 2 (depth), after making them at least 3-D.

    A 1-D tensor of length `n` counts as shape `(1, n, 1)`, a 2-D one of
    shape `(m, n)` as `(m, n, 1)`.

    Args:
        xs: Sequence of tensors.

    Examples:
        >>> keras.ops.dstack([[1, 2], [3, 4]])
        tensor([[[1, 3],
                 [2, 4]]], dtype=torch.int32)
    """
    return torch.dstack(_tensors(xs))


@keras_op()
def append(x1, x2, axis=None):
    """Appends `x2` to the end of `x1` along `axis`.

    Args:
        x1: Input tensor.
        x2: Tensor to append; same shape as `x1` except along `axis`.
        axis: Axis to append along; `None` flattens both tensors first.

    Examples:
        >>> keras.ops.append([1, 2], [[3, 4]])
        tensor([1, 2, 3, 4], dtype=torch.int32)
        >>> keras.ops.append([[1, 2]], [[3, 4]], axis=0)
        tensor([[1, 2],
                [3, 4]], dtype=torch.int32)
    """
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
    """Splits `x` into sections along `axis`.

    An int `indices_or_sections` must divide the axis length; use
    `array_split` otherwise.

    Args:
        x: Input tensor.
        indices_or_sections: Number of equal sections, or a list of the
            indices at which to split.
        axis: Axis to split along.

    Returns:
        A list of tensors.

    Examples:
        >>> keras.ops.split([1, 2, 3, 4, 5, 6], 3)
        [tensor([1, 2], dtype=torch.int32), tensor([3, 4], dtype=torch.int32),
         tensor([5, 6], dtype=torch.int32)]
        >>> keras.ops.split([1, 2, 3, 4, 5, 6], [1, 4])
        [tensor([1], dtype=torch.int32), tensor([2, 3, 4], dtype=torch.int32),
         tensor([5, 6], dtype=torch.int32)]
    """
    return _split(x, indices_or_sections, axis, True)


@keras_op()
def array_split(x, indices_or_sections, axis=0):
    """Splits `x` into nearly equal sections along `axis`.

    Unlike `split`, the number of sections need not divide the axis length:
    the first sections get one entry more.

    Args:
        x: Input tensor.
        indices_or_sections: Number of equal sections, or a list of the
            indices at which to split.
        axis: Axis to split along.

    Returns:
        A list of tensors.

    Examples:
        >>> keras.ops.array_split([1, 2, 3, 4, 5], 2)
        [tensor([1, 2, 3], dtype=torch.int32),
         tensor([4, 5], dtype=torch.int32)]
    """
    return _split(x, indices_or_sections, axis, False)


@keras_op()
def hsplit(x, indices_or_sections):
    """Splits `x` horizontally: along axis 1, or axis 0 for a 1-D `x`.

    Args:
        x: Input tensor.
        indices_or_sections: Number of equal sections, or a list of the
            indices at which to split.

    Returns:
        A list of tensors.

    Examples:
        >>> keras.ops.hsplit([[1, 2, 3, 4], [5, 6, 7, 8]], 2)
        [tensor([[1, 2],
                [5, 6]], dtype=torch.int32), tensor([[3, 4],
                [7, 8]], dtype=torch.int32)]
    """
    x = convert_to_tensor(x)
    return _split(x, indices_or_sections, 1 if x.ndim > 1 else 0, True)


@keras_op()
def vsplit(x, indices_or_sections):
    """Splits `x` vertically, along axis 0.

    Args:
        x: Input tensor.
        indices_or_sections: Number of equal sections, or a list of the
            indices at which to split.

    Returns:
        A list of tensors.

    Examples:
        >>> keras.ops.vsplit([[1, 2], [3, 4]], 2)
        [tensor([[1, 2]], dtype=torch.int32),
         tensor([[3, 4]], dtype=torch.int32)]
    """
    return _split(x, indices_or_sections, 0, True)


@keras_op()
def dsplit(x, indices_or_sections):
    """Splits `x` along axis 2 (depth).

    Args:
        x: Input tensor of at least 3 axes.
        indices_or_sections: Number of equal sections, or a list of the
            indices at which to split.

    Returns:
        A list of tensors.

    Examples:
        >>> [t.shape for t in keras.ops.dsplit(keras.ops.ones((1, 2, 4)), 2)]
        [torch.Size([1, 2, 2]), torch.Size([1, 2, 2])]
    """
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
    """Pads `x` along each axis.

    Args:
        x: Input tensor.
        pad_width: Number of entries to add before and after each axis:
            `((before, after), ...)` with one pair per axis, a single
            `(before, after)` pair for every axis, or one int for both sides
            of every axis.
        mode: How to fill the padding: `"constant"` (with
            `constant_values`), `"edge"` (repeat the edge entry),
            `"reflect"` (mirror without the edge), `"symmetric"` (mirror
            with the edge) or `"wrap"` (wrap around).
        constant_values: Fill value of `"constant"` mode; `None` means 0.

    Examples:
        >>> keras.ops.pad([1, 2, 3], 1)
        tensor([0, 1, 2, 3, 0], dtype=torch.int32)
        >>> keras.ops.pad([1, 2, 3], (2, 1), mode="reflect")
        tensor([3, 2, 1, 2, 3, 2], dtype=torch.int32)
        >>> keras.ops.pad([[1, 2]], ((0, 1), (1, 0)), constant_values=9)
        tensor([[9, 1, 2],
                [9, 9, 9]], dtype=torch.int32)
    """
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
    """Takes the entries of `x` at `indices` along `axis`.

    Args:
        x: Input tensor.
        indices: Integer indices, of any shape; negative ones count from the
            end.
        axis: Axis to take along; `None` indexes the flattened `x`.

    Returns:
        A tensor with the axis `axis` of `x` replaced by the axes of
        `indices`.

    Examples:
        >>> keras.ops.take([10, 20, 30], [2, 0, -1])
        tensor([30, 10, 30], dtype=torch.int32)
        >>> keras.ops.take([[1, 2], [3, 4]], [1], axis=1)
        tensor([[2],
                [4]], dtype=torch.int32)
    """
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
    """Takes entries of `x` along `axis` at positions matched by `indices`.

    `indices` has the same number of axes as `x` and broadcasts against it
    on the other axes; use it with the results of `argsort` or `argmax` with
    `keepdims=True`.

    Args:
        x: Input tensor.
        indices: Integer indices along `axis`.
        axis: Axis to take along; `None` indexes the flattened `x`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[4, 1, 3], [2, 6, 5]])
        >>> keras.ops.take_along_axis(x, keras.ops.argsort(x, axis=1), axis=1)
        tensor([[1, 3, 4],
                [2, 5, 6]], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices, device=x.device).long()
    if axis is None:
        x, axis = x.reshape(-1), 0
    indices = _wrap_indices(indices, x.shape[axis])
    return torch.take_along_dim(x, indices, dim=axis)


@keras_op()
def diag(x, k=0):
    """Extracts a diagonal of a 2-D `x`, or builds a 2-D tensor from a 1-D one.

    Args:
        x: A 1-D tensor (put on the diagonal) or a 2-D tensor (whose
            diagonal is read).
        k: Diagonal offset: positive above the main diagonal, negative
            below.

    Examples:
        >>> keras.ops.diag([1, 2])
        tensor([[1, 0],
                [0, 2]], dtype=torch.int32)
        >>> keras.ops.diag([[1, 2], [3, 4]], k=1)
        tensor([2], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(
            f"`diag` takes a 1-D or 2-D input. Received: x.ndim={x.ndim}")
    return torch.diag(x, k)


@keras_op()
def diagflat(x, k=0):
    """Builds a 2-D tensor with the flattened `x` on a diagonal.

    Args:
        x: Input tensor; flattened first.
        k: Diagonal offset: positive above the main diagonal, negative
            below.

    Examples:
        >>> keras.ops.diagflat([[1, 2]], k=-1)
        tensor([[0, 0, 0],
                [1, 0, 0],
                [0, 2, 0]], dtype=torch.int32)
    """
    return torch.diagflat(convert_to_tensor(x), k)


@keras_op()
def diagonal(x, offset=0, axis1=0, axis2=1):
    """Reads diagonals of `x` from the planes of `axis1` and `axis2`.

    Args:
        x: Input tensor of at least 2 axes.
        offset: Diagonal offset: positive above the main diagonal, negative
            below.
        axis1: First axis of the planes.
        axis2: Second axis of the planes.

    Returns:
        A tensor whose last axis holds the diagonal entries.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 2, 3], [4, 5, 6]])
        >>> keras.ops.diagonal(x)
        tensor([1, 5], dtype=torch.int32)
        >>> keras.ops.diagonal(x, offset=1)
        tensor([2, 6], dtype=torch.int32)
    """
    return torch.diagonal(convert_to_tensor(x), offset, axis1, axis2)


@keras_op()
def tril(x, k=0):
    """Lower triangle of `x`: the entries above the `k`-th diagonal set to 0.

    Args:
        x: Input tensor of at least 2 axes (the last two form the matrices).
        k: Diagonal offset: positive above the main diagonal, negative
            below.

    Examples:
        >>> keras.ops.tril([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        tensor([[1, 0, 0],
                [4, 5, 0],
                [7, 8, 9]], dtype=torch.int32)
    """
    return torch.tril(convert_to_tensor(x), k)


@keras_op()
def triu(x, k=0):
    """Upper triangle of `x`: the entries below the `k`-th diagonal set to 0.

    Args:
        x: Input tensor of at least 2 axes (the last two form the matrices).
        k: Diagonal offset: positive above the main diagonal, negative
            below.

    Examples:
        >>> keras.ops.triu([[1, 2, 3], [4, 5, 6], [7, 8, 9]], k=1)
        tensor([[0, 2, 3],
                [0, 0, 6],
                [0, 0, 0]], dtype=torch.int32)
    """
    return torch.triu(convert_to_tensor(x), k)


@keras_op()
def diff(a, n=1, axis=-1):
    """The `n`-th discrete difference of `a` along `axis`.

    The first difference is `a[i + 1] - a[i]`; higher orders repeat it, each
    shortening `axis` by one.

    Args:
        a: Input tensor.
        n: Number of times to take the difference.
        axis: Axis to take the difference along.

    Examples:
        >>> keras.ops.diff([1, 4, 9, 16])
        tensor([3, 5, 7], dtype=torch.int32)
        >>> keras.ops.diff([1, 4, 9, 16], n=2)
        tensor([2, 2], dtype=torch.int32)
    """
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
    """Indexes `x` with `key`, as `x[key]` does.

    Args:
        x: Input tensor.
        key: An index, slice, tuple of them, or an integer or bool tensor.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1, 2, 3], [4, 5, 6]])
        >>> keras.ops.get_item(x, 1)
        tensor([4, 5, 6], dtype=torch.int32)
        >>> keras.ops.get_item(x, (slice(None), 0))
        tensor([1, 4], dtype=torch.int32)
    """
    return convert_to_tensor(x)[_index(key)]


# ---------------------------------------------------------------------------
# Creation.

def _creation_dtype(dtype):
    return to_torch_dtype(dtype or floatx())


@keras_op(tf=("ones", ("shape", "dtype")))
def ones(shape, dtype=None):
    """Creates a tensor filled with ones.

    Args:
        shape: Shape of the result, an int or a tuple of ints.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> keras.ops.ones((2, 3))
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
        >>> keras.ops.ones(2, dtype="int32")
        tensor([1, 1], dtype=torch.int32)
    """
    return torch.ones(_int_shape(shape), dtype=_creation_dtype(dtype))


@keras_op(tf=("zeros", ("shape", "dtype")))
def zeros(shape, dtype=None):
    """Creates a tensor filled with zeros.

    Args:
        shape: Shape of the result, an int or a tuple of ints.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> keras.ops.zeros((2, 3))
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
    """
    return torch.zeros(_int_shape(shape), dtype=_creation_dtype(dtype))


@keras_op()
def empty(shape, dtype=None):
    """Creates a tensor without initializing its entries.

    Its values are arbitrary: use it only for a tensor you fill entirely.

    Args:
        shape: Shape of the result, an int or a tuple of ints.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> x = keras.ops.empty((2, 3))
        >>> x.shape, x.dtype
        (torch.Size([2, 3]), torch.float32)
    """
    return torch.empty(_int_shape(shape), dtype=_creation_dtype(dtype))


def _like_dtype(x, dtype):
    return x.dtype if dtype is None else to_torch_dtype(dtype)


@keras_op(tf=("ones_like", ("input", "dtype")))
def ones_like(x, dtype=None):
    """Creates a tensor of ones with the shape of `x`.

    Args:
        x: Tensor whose shape (and dtype, by default) to use.
        dtype: Dtype of the result; `None` keeps `x`'s dtype.

    Examples:
        >>> keras.ops.ones_like([[1, 2], [3, 4]])
        tensor([[1, 1],
                [1, 1]], dtype=torch.int32)
        >>> keras.ops.ones_like([1, 2], dtype="float32")
        tensor([1., 1.])
    """
    x = convert_to_tensor(x)
    return torch.ones_like(x, dtype=_like_dtype(x, dtype))


@keras_op(tf=("zeros_like", ("input", "dtype")))
def zeros_like(x, dtype=None):
    """Creates a tensor of zeros with the shape of `x`.

    Args:
        x: Tensor whose shape (and dtype, by default) to use.
        dtype: Dtype of the result; `None` keeps `x`'s dtype.

    Examples:
        >>> keras.ops.zeros_like([1.5, 2.5])
        tensor([0., 0.])
    """
    x = convert_to_tensor(x)
    return torch.zeros_like(x, dtype=_like_dtype(x, dtype))


@keras_op()
def empty_like(x, dtype=None):
    """Creates an uninitialized tensor with the shape of `x`.

    Its values are arbitrary: use it only for a tensor you fill entirely.

    Args:
        x: Tensor whose shape (and dtype, by default) to use.
        dtype: Dtype of the result; `None` keeps `x`'s dtype.

    Examples:
        >>> keras.ops.empty_like([[1, 2, 3]]).shape
        torch.Size([1, 3])
    """
    x = convert_to_tensor(x)
    return torch.empty_like(x, dtype=_like_dtype(x, dtype))


@keras_op()
def full(shape, fill_value, dtype=None):
    """Creates a tensor filled with `fill_value`.

    Args:
        shape: Shape of the result, an int or a tuple of ints.
        fill_value: Fill value, a scalar or a tensor broadcastable to
            `shape`.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> keras.ops.full((2, 2), 7.0)
        tensor([[7., 7.],
                [7., 7.]])
        >>> keras.ops.full(3, [1, 2, 3], dtype="int32")
        tensor([1, 2, 3], dtype=torch.int32)
    """
    fill = convert_to_tensor(fill_value, dtype=_creation_dtype(dtype))
    return torch.broadcast_to(fill, _int_shape(shape)).clone()


@keras_op()
def full_like(x, fill_value, dtype=None):
    """Creates a tensor filled with `fill_value`, with the shape of `x`.

    Args:
        x: Tensor whose shape (and dtype, by default) to use.
        fill_value: Fill value, a scalar or a tensor broadcastable to `x`.
        dtype: Dtype of the result; `None` keeps `x`'s dtype.

    Examples:
        >>> keras.ops.full_like([1, 2, 3], 5)
        tensor([5, 5, 5], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    fill = convert_to_tensor(fill_value, device=x.device).to(
        _like_dtype(x, dtype))
    return torch.broadcast_to(fill, x.shape).clone()


@keras_op()
def array(x, dtype=None):
    """Creates a tensor from `x` (a nested list, NumPy array or tensor).

    Args:
        x: Input data.
        dtype: Dtype of the result; `None` infers it (Python floats give
            floatx, Python ints int32).

    Examples:
        >>> keras.ops.array([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]], dtype=torch.int32)
        >>> keras.ops.array([1, 2], dtype="float32")
        tensor([1., 2.])
    """
    return convert_to_tensor(x, dtype=dtype)


@keras_op()
def eye(N, M=None, k=0, dtype=None):
    """Creates a 2-D tensor with ones on a diagonal and zeros elsewhere.

    Args:
        N: Number of rows.
        M: Number of columns; `None` means `N`.
        k: Diagonal offset: positive above the main diagonal, negative
            below.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> keras.ops.eye(2, 3, k=1)
        tensor([[0., 1., 0.],
                [0., 0., 1.]])
    """
    M = N if M is None else M
    rows = torch.arange(N)[:, None]
    cols = torch.arange(M)[None, :]
    return (cols - rows == k).to(_creation_dtype(dtype))


@keras_op()
def identity(n, dtype=None):
    """Creates the `n` x `n` identity matrix.

    Args:
        n: Number of rows and columns.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> keras.ops.identity(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    return eye(n, dtype=dtype)


@keras_op()
def tri(N, M=None, k=0, dtype=None):
    """Creates an `N` x `M` tensor with ones at and below a diagonal.

    Args:
        N: Number of rows.
        M: Number of columns; `None` means `N`.
        k: Diagonal offset: positive above the main diagonal, negative
            below.
        dtype: Dtype of the result; `None` means floatx.

    Examples:
        >>> keras.ops.tri(3)
        tensor([[1., 0., 0.],
                [1., 1., 0.],
                [1., 1., 1.]])
        >>> keras.ops.tri(2, 3, k=1, dtype="int32")
        tensor([[1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
    """
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
    """Evenly spaced values in the half-open interval `[start, stop)`.

    Called with one argument, it counts from 0 to `start`.

    Args:
        start: First value, or the end of the interval when `stop` is
            `None`.
        stop: End of the interval (not included).
        step: Spacing between values; `None` means 1.
        dtype: Dtype of the result; `None` infers it from the arguments
            (ints give int32, floats give floatx).

    Examples:
        >>> keras.ops.arange(4)
        tensor([0, 1, 2, 3], dtype=torch.int32)
        >>> keras.ops.arange(1, 2, 0.25)
        tensor([1.0000, 1.2500, 1.5000, 1.7500])
    """
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
    """`num` evenly spaced values from `start` to `stop`.

    Args:
        start: First value (a scalar or a tensor).
        stop: Last value (a scalar or a tensor), included when `endpoint`.
        num: Number of values.
        endpoint: Whether `stop` is the last value; if not, it is the
            first value left out.
        retstep: Whether to return the spacing as well.
        dtype: Dtype of the result; `None` means floatx (or the inputs'
            float dtype).
        axis: Axis of the values in the result, when `start` or `stop` are
            tensors.

    Returns:
        The values, or the tuple `(values, step)` when `retstep`.

    Examples:
        >>> keras.ops.linspace(0.0, 1.0, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
        >>> keras.ops.linspace(0.0, 1.0, 4, endpoint=False, retstep=True)
        (tensor([0.0000, 0.2500, 0.5000, 0.7500]), tensor(0.2500))
    """
    out, step = _spaced(start, stop, num, endpoint, dtype, axis)
    if dtype is not None:
        out = out.to(to_torch_dtype(dtype))
    return (out, step) if retstep else out


@keras_op()
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None,
             axis=0):
    """`num` powers of `base`, with exponents evenly spaced.

    The values go from `base ** start` to `base ** stop`.

    Args:
        start: Exponent of the first value.
        stop: Exponent of the last value.
        num: Number of values.
        endpoint: Whether `base ** stop` is the last value.
        base: Base of the powers.
        dtype: Dtype of the result; `None` means floatx.
        axis: Axis of the values in the result, when `start` or `stop` are
            tensors.

    Examples:
        >>> keras.ops.logspace(0.0, 2.0, 3)
        tensor([  1.,  10., 100.])
        >>> keras.ops.logspace(0.0, 3.0, 4, base=2)
        tensor([1., 2., 4., 8.])
    """
    exponents, _ = _spaced(start, stop, num, endpoint, dtype, axis)
    out = torch.pow(torch.as_tensor(base, dtype=exponents.dtype), exponents)
    return out if dtype is None else out.to(to_torch_dtype(dtype))


@keras_op()
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values from `start` to `stop`, spaced evenly on a log scale.

    Each value is the previous one times a constant factor.

    Args:
        start: First value; nonzero, of the same sign as `stop`.
        stop: Last value.
        num: Number of values.
        endpoint: Whether `stop` is the last value.
        dtype: Dtype of the result; `None` means floatx.
        axis: Axis of the values in the result, when `start` or `stop` are
            tensors.

    Examples:
        >>> keras.ops.geomspace(1.0, 1000.0, 4)
        tensor([   1.,   10.,  100., 1000.])
    """
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
    """Coordinate grids from 1-D coordinate tensors.

    The positional arguments are the 1-D tensors of coordinates, one per axis
    of the grid.

    Args:
        indexing: `"ij"` (matrix indexing: for inputs of lengths `m` and
            `n`, grids of shape `(m, n)`) or `"xy"` (Cartesian indexing: the
            first two grid axes swapped, `(n, m)`).

    Returns:
        A list of tensors, one per input, each of the grid's shape.

    Examples:
        >>> xs, ys = keras.ops.meshgrid([1, 2, 3], [4, 5])
        >>> xs
        tensor([[1, 2, 3],
                [1, 2, 3]], dtype=torch.int32)
        >>> ys
        tensor([[4, 4, 4],
                [5, 5, 5]], dtype=torch.int32)
        >>> keras.ops.meshgrid([1, 2, 3], [4, 5], indexing="ij")[0].shape
        torch.Size([3, 2])
    """
    return list(torch.meshgrid(*_tensors(x), indexing=indexing))


@keras_op()
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D `x`: its columns are powers of `x`.

    Args:
        x: 1-D input tensor.
        N: Number of columns; `None` means `len(x)`.
        increasing: Whether the powers increase from left to right (they
            decrease by default, ending with `x ** 0`).

    Examples:
        >>> keras.ops.vander([1.0, 2.0, 3.0])
        tensor([[1., 1., 1.],
                [4., 2., 1.],
                [9., 3., 1.]])
        >>> keras.ops.vander([1.0, 2.0, 3.0], N=2, increasing=True)
        tensor([[1., 1.],
                [1., 2.],
                [1., 3.]])
    """
    x = convert_to_tensor(x)
    out = torch.linalg.vander(x, N=N).to(x.dtype)  # it widens integers
    return out if increasing else torch.flip(out, (-1,))


def _window_length(x):
    return int(x) if not torch.is_tensor(x) else int(x.item())


def _window(name, torch_fn, doc):
    def op(x):
        return torch_fn(_window_length(x), periodic=False,
                        dtype=_floatx())
    _named(name, op, doc)
    return keras_op(name)(op)


bartlett = _window(
    "bartlett", torch.bartlett_window,
    doc="""The Bartlett (triangular) window of length `x`.

    A symmetric window, in floatx.

    Args:
        x: Number of points of the window (an int or a scalar tensor).

    Examples:
        >>> keras.ops.bartlett(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """)
blackman = _window(
    "blackman", torch.blackman_window,
    doc="""The Blackman window of length `x`.

    A symmetric window, in floatx; its end points are zero up to rounding.

    Args:
        x: Number of points of the window (an int or a scalar tensor).

    Examples:
        >>> keras.ops.round(keras.ops.blackman(5), 2)
        tensor([-0.0000, 0.3400, 1.0000, 0.3400, -0.0000])
    """)
hamming = _window(
    "hamming", torch.hamming_window,
    doc="""The Hamming window of length `x`.

    A symmetric window, in floatx.

    Args:
        x: Number of points of the window (an int or a scalar tensor).

    Examples:
        >>> keras.ops.hamming(5)
        tensor([0.0800, 0.5400, 1.0000, 0.5400, 0.0800])
    """)
hanning = _window(
    "hanning", torch.hann_window,
    doc="""The Hann window of length `x`.

    A symmetric window, in floatx.

    Args:
        x: Number of points of the window (an int or a scalar tensor).

    Examples:
        >>> keras.ops.hanning(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """)


@keras_op()
def kaiser(x, beta):
    """The Kaiser window of length `x`.

    A symmetric window, in floatx.

    Args:
        x: Number of points of the window (an int or a scalar tensor).
        beta: Shape parameter: 0 gives a rectangular window, larger values
            a narrower one.

    Examples:
        >>> keras.ops.kaiser(5, 5.0)
        tensor([0.0367, 0.5529, 1.0000, 0.5529, 0.0367])
    """
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
    """Matrix product of `x1` and `x2`, with NumPy's broadcasting.

    1-D operands are treated as vectors; leading axes of higher-rank
    operands broadcast as batch axes.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.matmul([[1, 2], [3, 4]], [[5], [6]])
        tensor([[17],
                [39]], dtype=torch.int32)
        >>> a = keras.ops.ones((4, 2, 3))
        >>> keras.ops.matmul(a, keras.ops.ones((3, 5))).shape
        torch.Size([4, 2, 5])
    """
    x1, x2, dtype = _product_operands(x1, x2)
    return torch.matmul(x1.to(dtype), x2.to(dtype))


@keras_op()
def dot(x1, x2):
    """Dot product of `x1` and `x2`, as NumPy's `dot`.

    For 1-D and 2-D operands it is the inner or matrix product; a scalar
    operand multiplies; otherwise it sums over the last axis of `x1` and the
    second-to-last axis of `x2`.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.dot([1, 2, 3], [4, 5, 6])
        tensor(32, dtype=torch.int32)
        >>> keras.ops.dot([[1, 0], [0, 2]], [[1, 2], [3, 4]])
        tensor([[1, 2],
                [6, 8]], dtype=torch.int32)
    """
    x1, x2, dtype = _product_operands(x1, x2)
    x1, x2 = x1.to(dtype), x2.to(dtype)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    if x2.ndim == 1:
        return torch.tensordot(x1, x2, dims=([-1], [0]))
    return torch.tensordot(x1, x2, dims=([-1], [x2.ndim - 2]))


@keras_op()
def vdot(x1, x2):
    """Dot product of the flattened `x1` and `x2`, conjugating `x1`.

    Args:
        x1: First input tensor (conjugated if complex).
        x2: Second input tensor, with as many entries as `x1`.

    Returns:
        A scalar tensor.

    Examples:
        >>> keras.ops.vdot([[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]])
        tensor(10.)
    """
    x1, x2, dtype = _product_operands(x1, x2)
    x1 = x1.to(dtype).reshape(-1)
    x2 = x2.to(dtype).reshape(-1)
    # torch.sum widens integers to int64; Keras keeps the operands' dtype.
    return torch.sum(torch.conj_physical(x1) * x2, dtype=dtype)


@keras_op()
def inner(x1, x2):
    """Inner product: the sum product over the last axes of `x1` and `x2`.

    Args:
        x1: First input tensor.
        x2: Second input tensor; its last axis matches `x1`'s.

    Examples:
        >>> keras.ops.inner([1, 2, 3], [0, 1, 0])
        tensor(2, dtype=torch.int32)
        >>> keras.ops.inner([[1, 2], [3, 4]], [[1, 1], [0, 1]])
        tensor([[3, 2],
                [7, 4]], dtype=torch.int32)
    """
    x1, x2, dtype = _product_operands(x1, x2)
    x1, x2 = x1.to(dtype), x2.to(dtype)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    return torch.inner(x1, x2)


@keras_op()
def outer(x1, x2):
    """Outer product of the flattened `x1` and `x2`.

    Args:
        x1: First input tensor (flattened to `M` entries).
        x2: Second input tensor (flattened to `N` entries).

    Returns:
        A tensor of shape `(M, N)`.

    Examples:
        >>> keras.ops.outer([1, 2], [1, 10, 100])
        tensor([[  1,  10, 100],
                [  2,  20, 200]], dtype=torch.int32)
    """
    x1, x2 = _promote(x1, x2)
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


@keras_op(tf=("tensordot", ("a", "b", "axes")))
def tensordot(x1, x2, axes=2):
    """Sum product of `x1` and `x2` over the given axes.

    Args:
        x1: First input tensor.
        x2: Second input tensor.
        axes: An int `n` (sum over the last `n` axes of `x1` and the first
            `n` of `x2`) or a pair of axis lists, one for each tensor.

    Examples:
        >>> a = keras.ops.reshape(keras.ops.arange(6), (2, 3))
        >>> keras.ops.tensordot(a, a, axes=([1], [1]))
        tensor([[ 5, 14],
                [14, 50]], dtype=torch.int32)
        >>> keras.ops.tensordot(a, a, axes=2)
        tensor(55, dtype=torch.int32)
    """
    x1, x2, dtype = _product_operands(x1, x2)
    if not isinstance(axes, int):
        axes = tuple(_dims(a) if isinstance(a, (list, tuple)) else [a]
                     for a in axes)
    return torch.tensordot(x1.to(dtype), x2.to(dtype), dims=axes)


@keras_op()
def kron(x1, x2):
    """Kronecker product of `x1` and `x2`.

    Each entry of `x1` scales a whole copy of `x2`.

    Args:
        x1: First input tensor.
        x2: Second input tensor.

    Examples:
        >>> keras.ops.kron([1, 2], [1, 10])
        tensor([ 1, 10,  2, 20], dtype=torch.int32)
        >>> keras.ops.kron([[1, 0], [0, 1]], [[1, 2]])
        tensor([[1, 2, 0, 0],
                [0, 0, 1, 2]], dtype=torch.int32)
    """
    x1, x2 = _promote(x1, x2)
    return torch.kron(x1, x2)


@keras_op()
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors) along an axis.

    2-vectors are given a zero third component; when both inputs are
    2-vectors the result is the scalar third component.

    Args:
        x1: First input tensor of vectors.
        x2: Second input tensor of vectors; broadcasts against `x1`.
        axisa: Axis of `x1` holding the vectors.
        axisb: Axis of `x2` holding the vectors.
        axisc: Axis of the result holding the vectors.
        axis: If given, overrides `axisa`, `axisb` and `axisc`.

    Examples:
        >>> keras.ops.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
        tensor([0., 0., 1.])
        >>> keras.ops.cross([1.0, 2.0], [3.0, 4.0])
        tensor(-2.)
    """
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
    """Einstein summation of `operands` as written in `subscripts`.

    Args:
        subscripts: The summation, such as `"ij,jk->ik"`: one group of
            axis labels per operand, and the labels of the result after
            `->`.
        *operands: The input tensors.
        **kwargs: Accepted for compatibility with other backends; ignored.

    Examples:
        >>> a = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.ops.einsum("ij,j->i", a, [1.0, 1.0])
        tensor([3., 7.])
        >>> keras.ops.einsum("ii", a)
        tensor(5.)
    """
    operands = _tensors(operands)
    dtype = operands[0].dtype
    if dtype in _SMALL_INTS:
        operands = [o.to(torch.int32) for o in operands]
    return torch.einsum(subscripts, *operands)


@keras_op()
def slogdet(x):
    """Sign and natural log of the absolute value of the determinant of `x`.

    More accurate than `log(det(x))` for determinants that underflow or
    overflow.

    Args:
        x: Square matrix, or a batch of them in the last two axes.

    Returns:
        A tuple `(sign, logabsdet)`: `det(x) == sign * exp(logabsdet)`.

    Examples:
        >>> sign, logdet = keras.ops.slogdet([[2.0, 0.0], [0.0, -3.0]])
        >>> sign
        tensor(-1.)
        >>> logdet
        tensor(1.7918)
    """
    x = _to_float(convert_to_tensor(x))
    return tuple(torch.linalg.slogdet(x))


@keras_op()
def corrcoef(x):
    """Pearson correlation coefficients between the rows of `x`.

    Args:
        x: 2-D tensor: each row is a variable, each column an observation.

    Returns:
        A square matrix of the coefficients, one row and column per variable.

    Examples:
        >>> keras.ops.corrcoef([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])
        tensor([[ 1.0000, -0.5000],
                [-0.5000,  1.0000]])
    """
    x = convert_to_tensor(x)
    if x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.corrcoef(_to_float(x))


@keras_op()
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors.

    Args:
        x1: First 1-D tensor.
        x2: Second 1-D tensor (conjugated if complex).
        mode: Size of the result: `"valid"` (only full overlaps), `"same"`
            (the length of the longer input) or `"full"` (every overlap).

    Examples:
        >>> keras.ops.correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
        tensor([3.5000])
        >>> keras.ops.correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], mode="full")
        tensor([0.5000, 2.0000, 3.5000, 3.0000, 0.0000])
    """
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
    """Integrates `y` along `axis` by the trapezoidal rule.

    Args:
        y: Values to integrate.
        x: Sample points of the values; `None` uses the spacing `dx`.
        dx: Spacing of the samples when `x` is `None`.
        axis: Axis to integrate along.

    Examples:
        >>> keras.ops.trapezoid([1.0, 2.0, 3.0])
        tensor(4.)
        >>> keras.ops.trapezoid([1.0, 2.0, 3.0], x=[0.0, 1.0, 3.0])
        tensor(6.5000)
    """
    y = _to_float(convert_to_tensor(y))
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    x = convert_to_tensor(x, device=y.device).to(y.dtype)
    return torch.trapezoid(y, x, dim=axis)


# ---------------------------------------------------------------------------
# Sorting, searching and counting.

@keras_op(tf=("sort", ("values", "axis")))
def sort(x, axis=-1):
    """Sorts `x` in ascending order along `axis`.

    Args:
        x: Input tensor.
        axis: Axis to sort along; `None` sorts the flattened `x`.

    Examples:
        >>> keras.ops.sort([[3, 1, 2], [0, 5, 4]])
        tensor([[1, 2, 3],
                [0, 4, 5]], dtype=torch.int32)
        >>> keras.ops.sort([[3, 1, 2], [0, 5, 4]], axis=0)
        tensor([[0, 1, 2],
                [3, 5, 4]], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


@keras_op(tf=("argsort", ("values", "axis")))
def argsort(x, axis=-1):
    """Indices that sort `x` in ascending order along `axis`, as int32.

    The sort is stable: equal entries keep their order.

    Args:
        x: Input tensor.
        axis: Axis to sort along; `None` sorts the flattened `x`.

    Examples:
        >>> keras.ops.argsort([3, 1, 2, 1])
        tensor([1, 3, 2, 0], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@keras_op()
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` smallest entry along `axis`.

    In the reordered `x`, the entry at position `kth` is the one a full sort
    puts there, smaller entries come before it and larger ones after it. The
    order within each side is unspecified; here it is that of a stable full
    sort.

    Args:
        x: Input tensor.
        kth: Position (in sorted order) of the partitioning entry.
        axis: Axis to partition along; `None` uses the flattened `x`.

    Returns:
        An int32 tensor of indices.

    Examples:
        >>> x = keras.ops.convert_to_tensor([30, 10, 40, 20])
        >>> idx = keras.ops.argpartition(x, 1)
        >>> keras.ops.take(x, idx[1])
        tensor(20, dtype=torch.int32)
    """
    return argsort(x, axis=axis)


@keras_op(tf=("searchsorted", ("sorted_sequence", "values", "side")))
def searchsorted(sorted_sequence, values, side="left"):
    """Indices at which to insert `values` into `sorted_sequence` in order.

    Args:
        sorted_sequence: 1-D tensor in ascending order.
        values: Values to insert.
        side: `"left"` gives the first suitable index, `"right"` the last.

    Returns:
        An int32 tensor of `values`' shape.

    Examples:
        >>> keras.ops.searchsorted([1, 3, 5, 7], [3, 6])
        tensor([1, 3], dtype=torch.int32)
        >>> keras.ops.searchsorted([1, 3, 5, 7], [3, 6], side="right")
        tensor([2, 3], dtype=torch.int32)
    """
    if side not in ("left", "right"):
        raise ValueError(
            "`searchsorted` side must be 'left' or 'right'. Received: "
            f"side={side!r}")
    sorted_sequence, values = _promote(sorted_sequence, values)
    return torch.searchsorted(sorted_sequence, values, right=side == "right",
                              out_int32=True)


@keras_op()
def digitize(x, bins):
    """Index of the bin of `bins` that each entry of `x` falls in, as int32.

    With increasing `bins`, index `i` means `bins[i - 1] <= x < bins[i]`;
    values below the first edge give 0, values at or above the last edge give
    `len(bins)`.

    Args:
        x: Input tensor.
        bins: 1-D tensor of increasing bin edges.

    Examples:
        >>> keras.ops.digitize([0.5, 1.0, 1.5, 2.5], [1.0, 2.0])
        tensor([0, 1, 1, 2], dtype=torch.int32)
    """
    x, bins = _promote(x, bins)
    return torch.bucketize(x, bins, right=True, out_int32=True)


@keras_op(tf=("math.bincount", ("arr", "weights", "minlength")))
def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts the occurrences of each non-negative integer in `x`.

    A 2-D `x` counts each row separately.

    Args:
        x: Tensor of non-negative integers, 1-D or 2-D.
        weights: Optional tensor of `x`'s shape: each occurrence then adds
            its weight instead of 1.
        minlength: Minimum length of the result (its last axis).
        sparse: Must be `False`: sparse results are not supported.

    Returns:
        Counts as int32, or sums of the weights in their dtype.

    Examples:
        >>> keras.ops.bincount([0, 1, 1, 3])
        tensor([1, 2, 0, 1], dtype=torch.int32)
        >>> keras.ops.bincount([0, 1, 1, 3], weights=[0.5, 1.0, 2.0, 1.0],
        ...                    minlength=5)
        tensor([0.5000, 3.0000, 0.0000, 1.0000, 0.0000])
    """
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
    """Histogram of the entries of `x` in `bins` bins of equal width.

    Each bin includes its left edge; the last one also its right edge. The
    counts are floats, as Keras's torch backend gives them.

    Args:
        x: Input tensor (flattened).
        bins: Number of bins.
        range: `(low, high)` range of the bins; `None` uses the smallest
            and largest entries of `x`. Entries outside are not counted.

    Returns:
        A tuple `(counts, bin_edges)`, of lengths `bins` and `bins + 1`.

    Examples:
        >>> keras.ops.histogram([1.0, 2.0, 2.0, 4.0], bins=3)
        (tensor([1., 2., 1.]), tensor([1., 2., 3., 4.]))
    """
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
    """Whether each entry of `x1` occurs in `x2`.

    Args:
        x1: Tensor of values to look up.
        x2: Tensor of values to look in (any shape).
        assume_unique: Whether both inputs may be assumed to have unique
            entries, which can speed up the search.
        invert: Whether to return the opposite (True where not found).

    Returns:
        A bool tensor of `x1`'s shape.

    Examples:
        >>> keras.ops.isin([1, 2, 3, 4], [2, 4])
        tensor([False,  True, False,  True])
        >>> keras.ops.isin([1, 2, 3, 4], [2, 4], invert=True)
        tensor([ True, False,  True, False])
    """
    x1, x2 = _promote(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


@keras_op()
def nonzero(x):
    """Indices of the nonzero entries of `x`.

    Args:
        x: Input tensor.

    Returns:
        A tuple of int32 tensors, one per axis of `x`, holding the
        coordinates of the nonzero entries in row-major order.

    Examples:
        >>> keras.ops.nonzero([[0, 1], [2, 0]])
        (tensor([0, 1], dtype=torch.int32), tensor([1, 0], dtype=torch.int32))
    """
    x = convert_to_tensor(x)
    return tuple(i.to(torch.int32) for i in torch.nonzero(
        x, as_tuple=True))


@keras_op()
def unique(x, sorted=True, return_index=False, return_inverse=False,
           return_counts=False, axis=None, size=None, fill_value=None):
    """The unique values of `x`, in ascending order.

    Args:
        x: Input tensor.
        sorted: Accepted for compatibility; the values are always sorted.
        return_index: Whether to also return the index of the first
            occurrence of each unique value.
        return_inverse: Whether to also return, for each entry of `x`, the
            index of its value among the unique values.
        return_counts: Whether to also return how often each unique value
            occurs.
        axis: Axis along which to find unique slices; `None` flattens `x`.
        size: Optional fixed length of the result: longer results are
            truncated, shorter ones padded.
        fill_value: Padding value for `size`; `None` repeats the smallest
            value (the index and count results are padded with 0).

    Returns:
        The unique values, or a tuple of them and the requested int32
        tensors, in the order of the arguments.

    Examples:
        >>> keras.ops.unique([3, 1, 3, 2, 1])
        tensor([1, 2, 3], dtype=torch.int32)
        >>> keras.ops.unique([3, 1, 3, 2, 1], return_counts=True)
        (tensor([1, 2, 3], dtype=torch.int32),
         tensor([2, 1, 2], dtype=torch.int32))
    """
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
    """Converts flat indices into coordinates in a tensor of `shape`.

    Args:
        indices: Integer tensor of flat (row-major) indices.
        shape: Shape the indices refer to.

    Returns:
        A tuple of tensors, one per axis of `shape`.

    Examples:
        >>> keras.ops.unravel_index([5, 7], (2, 4))
        (tensor([1, 1], dtype=torch.int32), tensor([1, 3], dtype=torch.int32))
    """
    indices = convert_to_tensor(indices)
    coords = []
    for d in reversed(_int_shape(shape)):
        coords.append(torch.remainder(indices, d))
        indices = torch.div(indices, d, rounding_mode="floor")
    return tuple(reversed(coords))


@keras_op()
def select(condlist, choicelist, default=0):
    """Picks each entry from the first choice whose condition holds.

    Args:
        condlist: List of bool tensors.
        choicelist: List of tensors, one per condition.
        default: Value taken where no condition holds.

    Examples:
        >>> x = keras.ops.convert_to_tensor([-2.0, 0.5, 3.0])
        >>> keras.ops.select([x < 0, x > 1], [-x, x * 10], default=0.0)
        tensor([ 2.,  0., 30.])
    """
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
    """The number of axes of `x`, as a Python int.

    It is static: on a symbolic `KerasTensor` it records no graph node.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.ndim(keras.ops.ones((2, 3)))
        2
    """
    return len(x.shape)


@keras_op(tf=("size", ("input",)))
def size(x):
    """The number of entries of `x`, as an int64 scalar tensor.

    Args:
        x: Input tensor.

    Examples:
        >>> keras.ops.size([[1, 2, 3], [4, 5, 6]])
        tensor(6)
    """
    x = convert_to_tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)


@keras_op()
def view(x, dtype=None):
    """Reinterprets the bits of `x` as another dtype, without copying.

    Going to a dtype of a different item size rescales the last axis.

    Args:
        x: Input tensor.
        dtype: The dtype to view the data as; `None` returns `x`.

    Examples:
        >>> keras.ops.view(np.array([1.0], dtype="float32"), "int32")
        tensor([1065353216], dtype=torch.int32)
        >>> keras.ops.view(np.array([1], dtype="int32"), "int16")
        tensor([1, 0], dtype=torch.int16)
    """
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
    """Vectorizes `pyfunc`: maps it over the leading axes of its tensor inputs.

    Without `signature`, `pyfunc` is written for scalars and mapped over
    every axis (the inputs broadcast together); with one, each input keeps
    its core axes and only the remaining leading axes are mapped.

    Args:
        pyfunc: The function to vectorize; it takes and returns tensors.
        excluded: Positions of the arguments to pass through unmapped.
        signature: Generalized ufunc signature such as `"(n),(n)->()"`,
            giving the core axes of each input.

    Returns:
        The vectorized function.

    Examples:
        >>> f = keras.ops.vectorize(lambda a, b: a * b + 1)
        >>> f([1.0, 2.0], [3.0, 4.0])
        tensor([4., 9.])
        >>> g = keras.ops.vectorize(lambda v: keras.ops.sum(v * v),
        ...                         signature="(n)->()")
        >>> g([[1.0, 2.0], [3.0, 4.0]])
        tensor([ 5., 25.])
    """
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
