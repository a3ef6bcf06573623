"""Tests for ``torchkeras/ops/numpy.py`` and ``ops/core.py`` vs NumPy.

``CASES`` lists every function of Keras 3's ``keras.ops.numpy`` with
example arguments, once. Each case is checked
(a) eagerly against NumPy's function of the same name on the same inputs
    (dtypes by Keras's rules: 32-bit inputs give 32-bit results where NumPy
    widens to 64 bits, unless the case says otherwise);
(b) symbolically: the call on a KerasTensor gives the eager result's shape
    (batch unknown), and a ``Model`` built from it predicts the eager
    result;
and, against real Keras 3 (``TORCHKERAS_KERAS_PYTHON``, one subprocess):
every case's values and dtypes, and functional models using a sample of
the ops saved as ``.keras`` by each side and loaded by the other.
"""

import os
import pickle
import subprocess

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import backend
from torchkeras import ops

f32 = np.float32
i32 = np.int32
_rng = np.random.default_rng(0)
X = _rng.normal(size=(2, 3, 4)).astype(f32)
Y = _rng.normal(size=(3, 4)).astype(f32)
X2 = _rng.normal(size=(2, 3, 4)).astype(f32)
P = _rng.uniform(0.5, 2.0, size=(2, 3, 4)).astype(f32)
U = _rng.uniform(-0.9, 0.9, size=(2, 3, 4)).astype(f32)
G = _rng.uniform(1.1, 3.0, size=(2, 3, 4)).astype(f32)
I = _rng.integers(-5, 6, size=(2, 3, 4)).astype(i32)  # noqa: E741
J = _rng.integers(1, 6, size=(3, 4)).astype(i32)
B = X > 0
C = Y > 0.3
M = _rng.normal(size=(2, 3, 3)).astype(f32)
V = _rng.normal(size=(2, 5)).astype(f32)
V1 = _rng.normal(size=(5,)).astype(f32)
W1 = _rng.normal(size=(3,)).astype(f32)
R = np.round(X * 2).astype(f32)  # has zeros
N = X.copy()
N[0, 0, 1] = N[1, 2, 3] = N[1, 0, 0] = np.nan
INF = X.copy()
INF[0, 0, 0], INF[1, 1, 1], INF[0, 2, 2] = np.inf, -np.inf, np.nan
S = np.sort(V1)
K = np.array([[0, 2, 2, 5], [1, 1, 0, 3]], dtype=i32)


class Case:
    """One call: ``name(*args, **kwargs)`` and how to check it.

    ``ref`` replaces ``np.<name>``; ``expect_dtype`` overrides the expected
    dtype; ``check(result, args)`` replaces the value comparison; ``sym``
    False (with ``why``) skips the symbolic test; ``oracle`` False skips
    the Keras 3 comparison where Keras's backends disagree among
    themselves (the NumPy backend returns NumPy's 64-bit dtypes for
    ``histogram`` counts, ``unique`` indices and ``linspace``'s step; the
    JAX and torch backends give what we give).
    """

    def __init__(self, name, *args, ref=None, expect_dtype=None, check=None,
                 sym=True, oracle=True, tol=1e-5, id=None, why=None,
                 **kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs
        self.ref, self.dtype, self.check = ref, expect_dtype, check
        self.sym, self.oracle, self.tol = sym, oracle, tol
        self.id = id or name
        self.why = why

    def call(self, module):
        return getattr(module, self.name)(*self.args, **self.kwargs)


def _partition_check(result, args):
    x, kth = args[0], args[1]
    picked = np.take_along_axis(x, result, axis=-1)
    pivot = np.partition(x, kth, axis=-1)[..., kth:kth + 1]
    np.testing.assert_array_equal(picked[..., kth:kth + 1], pivot)
    assert (picked[..., :kth] <= pivot).all()
    assert (picked[..., kth + 1:] >= pivot).all()


def _bincount_2d(x, minlength=0):
    n = max(int(x.max()) + 1, minlength)
    return np.stack([np.bincount(row, minlength=n) for row in x])


def _divide_no_nan(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0, a / np.where(b == 0, 1, b))


def _slogdet(x):
    return tuple(np.linalg.slogdet(x))


def _unique_sized(x, size, fill_value):
    values = np.unique(x)
    return np.concatenate([values, np.full(size - len(values), fill_value,
                                           values.dtype)])


def _vectorized(x1, x2):
    return np.vectorize(lambda a, b: a * b + 1.0)(x1, x2)


CASES = [
    # Element-wise, one argument.
    *[Case(n, a) for n, a in [
        ("arccos", U), ("arccosh", G), ("arcsin", U), ("arcsinh", X),
        ("arctan", X), ("arctanh", U), ("cos", X), ("cosh", X), ("sin", X),
        ("sinh", X), ("tan", U), ("tanh", X), ("exp", X), ("exp2", X),
        ("expm1", X), ("log", P), ("log10", P), ("log1p", P), ("log2", P),
        ("sqrt", P), ("deg2rad", X), ("rad2deg", X), ("i0", X),
        ("sinc", X), ("fabs", X), ("reciprocal", P), ("negative", X),
        ("sign", R), ("signbit", X), ("isfinite", INF), ("isinf", INF),
        ("isnan", INF), ("isneginf", INF), ("isposinf", INF),
        ("isreal", X), ("logical_not", B), ("conjugate", X), ("conj", X),
        ("real", X), ("imag", X), ("angle", X), ("copy", X), ("abs", X),
        ("absolute", I), ("square", X), ("trunc", X * 3), ("ceil", X * 3),
        ("floor", X * 3), ("cbrt", X), ("bitwise_invert", I),
        ("bitwise_not", I), ("round", X * 3), ("nan_to_num", INF)]],
    Case("sqrt", J, id="sqrt_int"),
    Case("exp", I, id="exp_int"),
    Case("negative", I, id="negative_int"),
    Case("square", I, id="square_int"),
    Case("ceil", I, expect_dtype="float32", id="ceil_int"),
    Case("round", X * 30, decimals=1, id="round_decimals"),
    Case("nan_to_num", INF, nan=1.0, posinf=9.0, neginf=-9.0,
         id="nan_to_num_values"),
    # Element-wise, two arguments.
    *[Case(n, a, b) for n, a, b in [
        ("add", X, Y), ("subtract", X, Y), ("multiply", X, Y),
        ("divide", X, P), ("true_divide", X, P), ("floor_divide", X, P),
        ("mod", X, P), ("fmod", I, J), ("power", P, Y), ("maximum", X, Y),
        ("minimum", X, Y), ("fmax", N, Y), ("fmin", N, Y),
        ("arctan2", X, Y), ("hypot", X, Y), ("logaddexp", X, Y),
        ("logaddexp2", X, Y), ("nextafter", X, Y), ("heaviside", R, Y),
        ("ldexp", X, J), ("gcd", I, J), ("lcm", I, J), ("equal", I, J),
        ("not_equal", I, J), ("less", X, Y), ("less_equal", R, Y),
        ("greater", X, Y), ("greater_equal", R, Y),
        ("logical_and", B, C), ("logical_or", B, C),
        ("logical_xor", B, C), ("bitwise_and", I, J), ("bitwise_or", I, J),
        ("bitwise_xor", I, J), ("bitwise_left_shift", I, J),
        ("left_shift", I, J), ("bitwise_right_shift", I, J),
        ("right_shift", I, J), ("isclose", X, X + 1e-6),
        ("allclose", X, X + 1e-6)]],
    Case("add", I, 2, id="add_int_weak_int"),
    Case("add", I, 1.5, id="add_int_weak_float"),
    Case("multiply", X.astype(np.float16), 2.0, id="multiply_f16_weak"),
    Case("add", I, J.astype(np.int8), id="add_int32_int8"),
    Case("divide", I, J, id="divide_int"),
    Case("floor_divide", I, J, id="floor_divide_int"),
    Case("mod", I, J, id="mod_int"),
    Case("divide_no_nan", X, R, ref=_divide_no_nan),
    Case("allclose", X, Y, id="allclose_false"),
    Case("clip", X, -0.5, 0.5),
    Case("where", B, X, Y),
    Case("where", B, X, 0.0, id="where_scalar"),
    Case("where", B, id="where_indices", ref=np.nonzero, sym=False,
         oracle=False),
    # Reductions.
    Case("sum", X), Case("sum", X, axis=1, id="sum_axis"),
    Case("sum", X, axis=(0, 2), keepdims=True, id="sum_axes_keepdims"),
    Case("sum", B, axis=-1, id="sum_bool"),
    Case("mean", X, axis=-1), Case("mean", I, id="mean_int"),
    Case("prod", P, axis=1), Case("prod", J, id="prod_int"),
    Case("max", X, axis=1), Case("max", X, initial=0.5, id="max_initial"),
    Case("min", X, axis=(1, 2)), Case("amax", X, axis=0), Case("amin", X),
    Case("all", B, axis=1), Case("any", B), Case("any", B, keepdims=True,
                                                 id="any_keepdims"),
    Case("var", X, axis=1), Case("std", X), Case("std", I, id="std_int"),
    Case("ptp", X, axis=1),
    Case("count_nonzero", I, axis=1), Case("count_nonzero", I,
                                           id="count_nonzero_all"),
    Case("argmax", X, axis=1), Case("argmax", X, id="argmax_flat"),
    Case("argmin", X, axis=-1, keepdims=True),
    Case("average", X, axis=1, weights=W1),
    Case("average", X, id="average_plain"),
    Case("quantile", X, 0.3, axis=1),
    Case("quantile", X, [0.2, 0.7], id="quantile_vector"),
    Case("percentile", X, 40, axis=-1),
    Case("percentile", X, 40, axis=-1, method="nearest",
         id="percentile_nearest"),
    Case("nanquantile", N, 0.5, axis=1),
    Case("nanpercentile", N, [10, 90]),
    Case("median", X, axis=1), Case("median", X, id="median_all"),
    Case("nanmedian", N, axis=-1),
    Case("nansum", N, axis=1), Case("nanprod", N),
    Case("nanmean", N, axis=0), Case("nanvar", N, axis=1),
    Case("nanstd", N), Case("nanmax", N, axis=2), Case("nanmin", N),
    Case("nanargmax", N, axis=1), Case("nanargmin", N),
    Case("cumsum", X, axis=1), Case("cumsum", I, id="cumsum_int_flat"),
    Case("cumprod", P, axis=-1), Case("nancumsum", N, axis=1),
    Case("nancumprod", N, axis=2),
    Case("trace", M, axis1=1, axis2=2), Case("trace", X, id="trace_plain"),
    # Shapes, joining, splitting, indexing.
    Case("reshape", X, (-1, 12)), Case("ravel", X),
    Case("expand_dims", X, 1),
    Case("expand_dims", X, (1, 3), id="expand_dims_tuple"),
    Case("squeeze", X[:, :1], 1), Case("transpose", X),
    Case("transpose", X, (0, 2, 1), id="transpose_axes"),
    Case("moveaxis", X, 0, -1), Case("swapaxes", X, 1, 2),
    Case("flip", X, 1), Case("flip", X, id="flip_all"),
    Case("fliplr", X), Case("flipud", X),
    Case("rot90", X, axes=(1, 2)), Case("rot90", X, k=3, id="rot90_k3"),
    Case("roll", X, 2, axis=2), Case("roll", X, 3, id="roll_flat"),
    Case("broadcast_to", X[:, :1], (2, 3, 4)),
    Case("tile", X, (1, 2, 1)), Case("repeat", X, 2, axis=1),
    Case("repeat", X, 2, id="repeat_flat"),
    Case("concatenate", [X, X2], axis=1),
    Case("concatenate", [X, X2], axis=None, id="concatenate_flat"),
    Case("stack", [X, X2], axis=1), Case("hstack", [X, X2]),
    Case("vstack", [X, X2]), Case("dstack", [X, X2]),
    Case("append", X, X2, axis=2), Case("append", X, Y, id="append_flat"),
    Case("split", X, 2, axis=2),
    Case("split", X, [1, 3], axis=2, id="split_indices"),
    Case("array_split", X, 3, axis=2), Case("hsplit", X, 3),
    Case("vsplit", X, 2), Case("dsplit", X, 2),
    Case("pad", X, ((0, 0), (1, 2), (2, 1))),
    Case("pad", X, ((0, 0), (1, 1), (0, 2)), constant_values=3.0,
         id="pad_value"),
    *[Case("pad", X, ((0, 0), (2, 1), (3, 2)), mode=m, id=f"pad_{m}")
      for m in ("reflect", "symmetric", "edge", "wrap")],
    Case("take", X, [0, 2], axis=1),
    Case("take", X, np.array([[0, -1], [5, 7]]), id="take_flat"),
    Case("take_along_axis", X, np.argsort(X, axis=2)[..., :2], axis=2),
    Case("diag", Y), Case("diag", V1, k=1, id="diag_make"),
    Case("diagflat", Y, k=-1), Case("diagonal", X, 1, 1, 2),
    Case("tril", X), Case("triu", X, 1), Case("diff", X, axis=1),
    Case("diff", X, n=2, id="diff_n2"),
    Case("get_item", X, (slice(None), 1),
         ref=lambda x, key: x[key]),
    # Creation.
    Case("ones", (2, 3)), Case("zeros", (2, 3), dtype="int32"),
    Case("empty", (2, 3), check=lambda r, a: None),
    Case("ones_like", X), Case("zeros_like", I),
    Case("empty_like", X, check=lambda r, a: None),
    Case("full", (2, 3), 1.5),
    Case("full", (2, 3), 7, expect_dtype="float32", id="full_int"),
    Case("full_like", X, 2), Case("array", [[1, 2], [3, 4]]),
    Case("array", X, dtype="float16", id="array_dtype"),
    Case("eye", 3, 4, k=1), Case("identity", 3), Case("tri", 3, 4, k=1),
    Case("arange", 5), Case("arange", 1.0, 3.0, 0.5, id="arange_float"),
    Case("arange", 2, 10, 3, dtype="float32", id="arange_dtype"),
    Case("linspace", 0, 1, 5),
    Case("linspace", 0.0, 1.0, 4, endpoint=False, id="linspace_open"),
    Case("linspace", X[:, 0], X[:, 1], 3, axis=1, id="linspace_arrays"),
    Case("linspace", 0.0, 2.0, 5, retstep=True, id="linspace_retstep",
         oracle=False),
    Case("logspace", 0, 2, 5),
    Case("logspace", 0.0, 2.0, 4, base=2.0, id="logspace_base"),
    Case("geomspace", 1, 1000, 4),
    Case("geomspace", -1.0, -100.0, 3, id="geomspace_negative"),
    Case("meshgrid", V1, W1), Case("meshgrid", V1, W1, indexing="ij",
                                   id="meshgrid_ij"),
    Case("vander", V1, 3), Case("vander", W1, increasing=True,
                                id="vander_increasing"),
    Case("bartlett", 5), Case("blackman", 5), Case("hamming", 6),
    Case("hanning", 6), Case("kaiser", 6, 2.5),
    # Products.
    Case("matmul", X, Y.T), Case("matmul", I, J.T, id="matmul_int"),
    Case("dot", X, Y.T), Case("dot", V1, V1, id="dot_vectors", sym=False,
         why="the batch axis is contracted"),
    Case("vdot", X, X2), Case("inner", X, Y), Case("outer", V, W1),
    Case("tensordot", X, Y), Case("tensordot", X, Y.T, axes=([2], [0]),
                                  id="tensordot_lists"),
    Case("kron", Y, J), Case("cross", X[..., :3], X2[..., :3]),
    Case("cross", X[:, :, :3], X2[:, :, :3], axis=1, id="cross_axis"),
    Case("einsum", "bij,kj->bik", X, Y),
    Case("slogdet", M, ref=_slogdet),
    Case("corrcoef", Y), Case("correlate", V1, W1),
    Case("correlate", V1, W1, mode="full", id="correlate_full"),
    Case("correlate", W1, V1, mode="same", id="correlate_same"),
    Case("trapezoid", X, axis=1), Case("trapezoid", X, dx=0.5,
                                       id="trapezoid_dx"),
    Case("trapezoid", X, x=np.array([0.0, 1.0, 3.0, 4.0], f32),
         id="trapezoid_x"),
    # Sorting, searching, counting.
    Case("sort", X, axis=1), Case("sort", X, axis=None, id="sort_flat"),
    Case("argsort", X), Case("argpartition", X, 1, check=_partition_check,
                             oracle=False),
    Case("searchsorted", S, V1), Case("searchsorted", S, X, side="right",
                                      id="searchsorted_right"),
    Case("digitize", X, np.array([-1.0, 0.0, 1.0], f32)),
    Case("bincount", K[0], sym=False, why="data-dependent length"),
    Case("bincount", K[0], weights=np.arange(4, dtype=f32), minlength=7,
         id="bincount_weights", sym=False),
    Case("bincount", K, minlength=3, ref=_bincount_2d, id="bincount_2d",
         sym=False, oracle=False),
    Case("histogram", V1, bins=4, expect_dtype="float32", sym=False,
         oracle=False),
    Case("isin", I, J[0]), Case("nonzero", I, sym=False, oracle=False),
    Case("unique", I, sym=False),
    Case("unique", I, return_index=True, return_inverse=True,
         return_counts=True, id="unique_all", sym=False, oracle=False),
    Case("unique", J, size=8, fill_value=-1, ref=_unique_sized,
         id="unique_sized", sym=False),
    Case("unravel_index", K, (3, 4, 2)),
    Case("select", [X > 0.5, X < -0.5], [X, -X], 0.0),
    # Introspection and functions of functions.
    Case("ndim", X, expect_dtype="int64", sym=False),
    Case("size", X, expect_dtype="int64"),
    Case("view", X, "int32", ref=lambda x, d: x.view(d)),
    Case("vectorize", lambda a, b: a * b + 1.0, sym=False, oracle=False,
         check=lambda r, a: None),
]

CASE_IDS = [c.id for c in CASES]


def _np_ref(case):
    fn = case.ref or getattr(np, case.name)
    return fn(*case.args, **case.kwargs)


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flat(item)]
    return [value]


def _has_float64(case):
    return any(isinstance(a, np.ndarray) and a.dtype == np.float64
               for a in _flat(list(case.args) + list(case.kwargs.values())))


def _expected_dtype(case, ref):
    if case.dtype is not None:
        return case.dtype
    dtype = np.asarray(ref).dtype
    if not _has_float64(case):
        dtype = {np.dtype("float64"): np.dtype("float32"),
                 np.dtype("int64"): np.dtype("int32")}.get(dtype, dtype)
    return str(dtype)


def _numpy(value):
    if torch.is_tensor(value):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        return type(value)(_numpy(v) for v in value)
    return value


def test_cases_cover_keras_numpy_namespace():
    names = {c.name for c in CASES}
    expected = {name for name in dir(ops.numpy) if callable(getattr(
        ops.numpy, name)) and not name.startswith("_") and getattr(
        getattr(ops.numpy, name), "__module__", "") == ops.numpy.__name__}
    assert names == expected
    assert len(names) == 220
    for name in names:  # exported as keras.ops.<name> too
        assert getattr(ops, name) is getattr(ops.numpy, name)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_eager_matches_numpy(case):
    if case.name == "vectorize":
        return _check_vectorize()
    result = _numpy(case.call(ops))
    if case.check is not None:
        expected = _np_ref(case) if case.name.startswith("empty") else None
        if expected is not None:
            assert result.shape == expected.shape
            assert str(result.dtype) == _expected_dtype(case, expected)
        return case.check(result, case.args)
    expected = _np_ref(case)
    if isinstance(expected, (list, tuple)):
        assert isinstance(result, (list, tuple))
        assert len(result) == len(expected)
        pairs = list(zip(result, expected))
    else:
        pairs = [(result, expected)]
    for got, want in pairs:
        got = np.asarray(got)
        assert got.shape == np.shape(want), case.id
        assert str(got.dtype) == _expected_dtype(case, want), case.id
        np.testing.assert_allclose(
            got.astype(np.float64), np.asarray(want).astype(np.float64),
            rtol=case.tol, atol=case.tol, err_msg=case.id)


def _check_vectorize():
    fn = ops.vectorize(lambda a, b: a * b + 1.0)
    np.testing.assert_allclose(fn(X, Y).numpy(), _vectorized(X, Y),
                               rtol=1e-6)
    dot = ops.vectorize(lambda a, b: torch.sum(a * b),
                        signature="(n),(n)->()")
    np.testing.assert_allclose(
        dot(X, Y).numpy(),
        np.vectorize(np.dot, signature="(n),(n)->()")(X, Y), rtol=1e-5)


def _symbolic_args(case):
    """The case's arguments with the first array replaced by an Input
    (unknown batch); returns ``(args, kwargs, input, value)``."""
    args = list(case.args)
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            inp = keras.Input(shape=a.shape[1:], dtype=str(a.dtype),
                              batch_size=None)
            args[i] = inp
            return args, case.kwargs, inp, a
        if isinstance(a, list) and isinstance(a[0], np.ndarray):
            inp = keras.Input(shape=a[0].shape[1:], dtype=str(a[0].dtype))
            args[i] = [inp] + a[1:]
            return args, case.kwargs, inp, a[0]
    raise AssertionError(f"no array argument in {case.id}")


SYMBOLIC = [c for c in CASES if c.sym and any(
    isinstance(a, np.ndarray) or isinstance(a, list) and isinstance(
        a[0], np.ndarray) for a in c.args)]


@pytest.mark.parametrize("case", SYMBOLIC, ids=[c.id for c in SYMBOLIC])
def test_symbolic_shape_and_model(case):
    args, kwargs, inp, value = _symbolic_args(case)
    out = getattr(ops, case.name)(*args, **kwargs)
    eager = case.call(ops)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    eagers = list(eager) if isinstance(eager, (list, tuple)) else [eager]
    for o, e in zip(outs, eagers):
        assert isinstance(o, keras.KerasTensor), case.id
        assert len(o.shape) == e.ndim, (o.shape, tuple(e.shape))
        assert all(d is None or d == s for d, s in zip(o.shape, e.shape)), (
            o.shape, tuple(e.shape))
        assert o.dtype == backend.standardize_dtype(e.dtype)
    model = keras.Model(inp, outs)
    predicted = model(torch.as_tensor(value))
    for p, e in zip(predicted, eagers):
        if case.check is not None:
            continue
        np.testing.assert_allclose(_numpy(p).astype(np.float64),
                                   _numpy(e).astype(np.float64), rtol=1e-6,
                                   atol=1e-6)




def _round_trip_model():
    inp = keras.Input(shape=(3, 4))
    outputs = [
        ops.take(ops.pad(ops.clip(ops.cumsum(inp, axis=1), -1.0, 1.0),
                         ((0, 0), (1, 0), (0, 0))), [0, 2], axis=1),
        ops.average(inp, axis=1, weights=W1),
        ops.einsum("bij,kj->bik", inp, Y),
        ops.where(inp > 0, inp, 0.0),
        ops.concatenate([ops.sort(inp, axis=-1), ops.flip(inp, 2)], axis=1),
        ops.quantile(inp, 0.25, axis=-1, keepdims=True),
    ]
    return keras.Model(inp, outputs)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_ops_model_save_load_round_trip(tmp_path, suffix):
    model = _round_trip_model()
    expected = model.predict(X, verbose=0)
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    got = loaded.predict(X, verbose=0)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)


# Functional models built the same way on both sides (``ops`` is
# ``keras.ops`` there, ``torchkeras.ops`` here; ``x`` an Input (3, 4)).
ORACLE_MODELS = [
    "ops.cumsum(x, axis=1)",
    "ops.clip(x, -0.5, 0.5)",
    "ops.pad(x, ((0, 0), (1, 2), (0, 1)))",
    "ops.take(x, [0, 2], axis=1)",
    "ops.average(x, axis=1, weights=np.array([1.0, 2.0, 3.0], 'float32'))",
    "ops.einsum('bij,bkj->bik', x, x)",
    "ops.where(ops.greater(x, 0.0), x, 0.0)",
    "ops.sort(x, axis=-1)",
    "ops.concatenate([x, ops.square(x)], axis=-1)",
    "ops.std(x, axis=-1, keepdims=True)",
    "ops.transpose(x, (0, 2, 1))",
    "ops.tile(x, (1, 1, 2))",
    "ops.logaddexp(x, ops.sin(x))",
    "ops.argmax(x, axis=-1)",
    "ops.max(x, axis=1)",
    "ops.stack([x, ops.cos(x)], axis=1)",
    "ops.repeat(x, 2, axis=1)",
    "ops.moveaxis(x, 1, 2)",
    "ops.tril(x)",
    "ops.roll(x, 1, axis=2)",
    "ops.var(x, axis=1)",
    "ops.expand_dims(ops.nanmean(x, axis=-1), 1)",
    "ops.split(x, 2, axis=2)[1]",
]

ORACLE_SCRIPT = """
import pickle, sys
import numpy as np
import keras
from keras import ops
work = sys.argv[1]
data = pickle.load(open(work + "/in.pkl", "rb"))
out = {"cases": {}, "ours": {}, "theirs": {}}
for cid, name, args, kwargs in data["cases"]:
    try:
        value = getattr(ops, name)(*args, **kwargs)
        if isinstance(value, (list, tuple)):
            out["cases"][cid] = [np.asarray(v) for v in value]
        else:
            out["cases"][cid] = np.asarray(value)
    except Exception as e:
        out["cases"][cid] = "error: " + repr(e)[:300]
for i, expr in enumerate(data["models"]):
    loaded = keras.models.load_model(f"{work}/ours_{i}.keras")
    out["ours"][i] = np.asarray(loaded(data["x"]))
    x = keras.Input(shape=(3, 4))
    model = keras.Model(x, eval(expr))
    model.save(f"{work}/theirs_{i}.keras")
    out["theirs"][i] = np.asarray(model(data["x"]))
pickle.dump(out, open(work + "/out.pkl", "wb"))
"""


def _assert_like_keras(case_id, ours, theirs):
    ours = list(ours) if isinstance(ours, (list, tuple)) else [ours]
    theirs = theirs if isinstance(theirs, list) else [theirs]
    assert len(ours) == len(theirs), case_id
    for a, b in zip(ours, theirs):
        a = np.asarray(_numpy(a))
        assert a.shape == b.shape, (case_id, a.shape, b.shape)
        assert str(a.dtype) == str(b.dtype), (case_id, a.dtype, b.dtype)
        np.testing.assert_allclose(
            a.astype(np.float64), b.astype(np.float64), rtol=1e-5,
            atol=1e-5, err_msg=case_id)


def test_matches_keras3_oracle(tmp_path):
    """Real Keras 3 computes every case and runs our saved models; we load
    its saved models. One subprocess for everything."""
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("Keras 3 is not installed (set TORCHKERAS_KERAS_PYTHON "
                    "to a Python that has keras; .ci/run does)")
    cases = [c for c in CASES if c.oracle]
    for i, expr in enumerate(ORACLE_MODELS):
        x = keras.Input(shape=(3, 4))
        keras.Model(x, eval(expr)).save(str(tmp_path / f"ours_{i}.keras"))
    with open(tmp_path / "in.pkl", "wb") as f:
        pickle.dump({"cases": [(c.id, c.name, c.args, c.kwargs)
                               for c in cases],
                     "models": ORACLE_MODELS, "x": X}, f)
    script = tmp_path / "oracle.py"
    script.write_text(ORACLE_SCRIPT)
    # The NumPy backend runs every op at once; JAX compiles each (minutes).
    env = dict(os.environ, KERAS_BACKEND="numpy")
    result = subprocess.run([python, str(script), str(tmp_path)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    with open(tmp_path / "out.pkl", "rb") as f:
        out = pickle.load(f)
    failures = []
    for case in cases:
        theirs = out["cases"][case.id]
        try:
            assert not isinstance(theirs, str), theirs
            if case.check is None:
                _assert_like_keras(case.id, case.call(ops), theirs)
        except AssertionError as e:
            failures.append(f"{case.id}: {str(e)[:300]}")
    assert not failures, "\n".join(failures)
    for i, expr in enumerate(ORACLE_MODELS):
        ours = keras.models.load_model(str(tmp_path / f"ours_{i}.keras"))
        expected = ours.predict(X, verbose=0)
        np.testing.assert_allclose(out["ours"][i], expected, rtol=1e-5,
                                   atol=1e-5, err_msg=f"Keras ran {expr}")
        theirs = keras.models.load_model(str(tmp_path / f"theirs_{i}.keras"))
        np.testing.assert_allclose(theirs.predict(X, verbose=0),
                                   out["theirs"][i], rtol=1e-5, atol=1e-5,
                                   err_msg=f"we ran Keras's {expr}")


def test_matmul_eye_transpose_match_numpy():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 3, 4))
    b = rng.normal(size=(4, 5)).astype(np.float32)
    result = ops.matmul(a, b)  # float64 x float32 promotes to float64
    assert result.dtype == torch.float64
    np.testing.assert_allclose(result.numpy(), a @ b, rtol=1e-6)
    for args, kwargs in [((3,), {}), ((2, 4), {"k": 1}), ((4, 3), {"k": -2})]:
        expected = np.eye(*args, **kwargs)
        result = ops.eye(*args, **kwargs)
        assert result.dtype == torch.float32
        np.testing.assert_array_equal(result.numpy(), expected)
    assert ops.eye(2, dtype="int64").dtype == torch.int64
    np.testing.assert_array_equal(ops.transpose(a).numpy(), a.T)
    np.testing.assert_array_equal(
        ops.transpose(a, (1, 0, 2)).numpy(), np.transpose(a, (1, 0, 2))
    )


def test_reductions_and_elementwise_match_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4))
    y = rng.normal(size=(3, 4))
    pairs = [
        (ops.sum(x), np.sum(x)),
        (ops.sum(x, axis=(0, 2), keepdims=True), x.sum((0, 2), keepdims=True)),
        (ops.sum(x, keepdims=True), x.sum(keepdims=True)),
        (ops.mean(x, axis=1), x.mean(1)),
        (ops.mean(x, keepdims=True), x.mean(keepdims=True)),
        (ops.abs(x), np.abs(x)),
        (ops.square(x), x**2),
        (ops.sqrt(np.abs(x)), np.sqrt(np.abs(x))),
        (ops.log(np.abs(x)), np.log(np.abs(x))),
        (ops.exp(x), np.exp(x)),
        (ops.maximum(x, y), np.maximum(x, y)),
        (ops.minimum(x, 0.0), np.minimum(x, 0.0)),
        (ops.clip(x, -0.5, 0.5), np.clip(x, -0.5, 0.5)),
        (ops.where(x > 0, x, y), np.where(x > 0, x, y)),
        (ops.expand_dims(y, 1), np.expand_dims(y, 1)),
        (ops.squeeze(x[:, :1], 1), np.squeeze(x[:, :1], 1)),
        (ops.squeeze(np.ones((1, 3, 1))), np.ones(3)),
        (ops.reshape(x, (4, -1)), x.reshape(4, -1)),
        (ops.argmax(x, axis=-1), np.argmax(x, axis=-1)),
        (ops.argmax(x), np.argmax(x)),
    ]
    for result, expected in pairs:
        assert tuple(result.shape) == np.shape(expected)
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    assert ops.mean(np.array([1, 2])).dtype == torch.float32


def test_convert_to_tensor_dtype_rules():
    assert ops.convert_to_tensor(1.5).dtype == torch.float32
    assert ops.convert_to_tensor([1, 2]).dtype == torch.int32
    assert ops.convert_to_tensor([True]).dtype == torch.bool
    assert ops.convert_to_tensor(np.zeros(2)).dtype == torch.float64
    assert ops.convert_to_tensor(np.zeros(2), "float16").dtype == (
        torch.float16
    )
    stacked = ops.convert_to_tensor([torch.ones(2), torch.zeros(2)])
    assert tuple(stacked.shape) == (2, 2)
    tensor = torch.ones(2)
    assert ops.convert_to_tensor(tensor) is tensor
    assert ops.cast(tensor, "int64").dtype == torch.int64
    backend.set_floatx("float64")
    try:
        assert ops.convert_to_tensor([0.5]).dtype == torch.float64
    finally:
        backend.set_floatx("float32")
    with pytest.raises(ValueError, match="dtype"):
        ops.convert_to_tensor(1.0, dtype="float8")


def test_integer_products_keep_the_operands_dtype():
    # torch widens integer vander and sums to int64; Keras keeps int32
    # (checked with Keras 3 on JAX, whose dtype rules Keras documents).
    ints = np.array([1, 2, 3], dtype="int32")
    got = ops.vander(ints)
    assert got.dtype == torch.int32
    np.testing.assert_array_equal(got.numpy(), np.vander(ints))
    dot = ops.vdot(ints[:2], np.array([3, 4], dtype="int32"))
    assert dot.dtype == torch.int32 and int(dot) == 11
