"""Activations against NumPy re-implementations of Keras 3's formulas."""

import math

import numpy as np
import pytest
import torch

from torchkeras import activations
from torchkeras.utils.serialization import custom_object_scope

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

EDGES = [-30.0, -6.0, -3.0, -1.0, -0.5, -1e-8, 0.0, 1e-8, 0.5, 1.0, 3.0,
         6.0, 30.0]


def _inputs():
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0.0, 4.0, size=197), EDGES])
    return values.reshape(30, 7)


def np_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    y = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    return y - negative_slope * np.maximum(threshold - x, 0.0)


_np_erf = np.vectorize(math.erf)


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softplus(x):
    return np.logaddexp(0.0, x)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def np_gelu(x, approximate=False):
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1 + np.tanh(inner))
    return 0.5 * x * (1 + _np_erf(x / math.sqrt(2)))


def np_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis,
                                   keepdims=True))


def np_sparsemax_row(z):
    """Martins & Astudillo (2016), Algorithm 1, one vector at a time."""
    s = sorted(z, reverse=True)
    k, running, cumsum_k = 0, 0.0, 0.0
    for i, v in enumerate(s, start=1):
        running += v
        if 1 + i * v > running:
            k, cumsum_k = i, running
    tau = (cumsum_k - 1) / k
    return np.maximum(np.asarray(z) - tau, 0.0)


def np_sparsemax(x, axis=-1):
    moved = np.moveaxis(x, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.stack([np_sparsemax_row(row) for row in flat])
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def np_hard_sigmoid(x):
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


ELEMENTWISE = {
    "relu": (np_relu, {}),
    "leaky_relu": (lambda x: np.where(x >= 0, x, 0.2 * x), {}),
    "relu6": (lambda x: np.clip(x, 0.0, 6.0), {}),
    "elu": (np_elu, {}),
    "selu": (lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA), {}),
    "celu": (lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)), {}),
    "softplus": (np_softplus, {}),
    "softsign": (lambda x: x / (1 + np.abs(x)), {}),
    "squareplus": (lambda x: (x + np.sqrt(x * x + 4)) / 2, {}),
    "soft_shrink": (
        lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
        {},
    ),
    "hard_shrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0.0), {}),
    "sparse_plus": (
        lambda x: np.where(
            x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4)
        ),
        {},
    ),
    "silu": (lambda x: x * np_sigmoid(x), {}),
    "swish": (lambda x: x * np_sigmoid(x), {}),
    "gelu": (np_gelu, {}),
    "tanh": (np.tanh, {}),
    "tanh_shrink": (lambda x: x - np.tanh(x), {}),
    "hard_tanh": (lambda x: np.clip(x, -1.0, 1.0), {}),
    "sigmoid": (np_sigmoid, {}),
    "sparse_sigmoid": (
        lambda x: np.where(
            x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2)
        ),
        {},
    ),
    "log_sigmoid": (lambda x: -np_softplus(-x), {}),
    "exponential": (np.exp, {}),
    "hard_sigmoid": (np_hard_sigmoid, {}),
    "hard_silu": (lambda x: x * np_hard_sigmoid(x), {}),
    "hard_swish": (lambda x: x * np_hard_sigmoid(x), {}),
    "linear": (lambda x: x, {}),
    "mish": (lambda x: x * np.tanh(np_softplus(x)), {}),
    "softmax": (np_softmax, {}),
    "log_softmax": (np_log_softmax, {}),
    "sparsemax": (np_sparsemax, {}),
}

WITH_ARGS = [
    ("relu", np_relu, {"negative_slope": 0.3}),
    ("relu", np_relu, {"max_value": 6.0}),
    ("relu", np_relu, {"max_value": 2.5}),
    ("relu", np_relu, {"threshold": 1.0}),
    ("relu", np_relu, {"threshold": -1.0}),
    ("relu", np_relu, {"negative_slope": 0.1, "max_value": 4.0}),
    ("relu", np_relu, {"negative_slope": 0.1, "threshold": 2.0,
                       "max_value": 6.0}),
    ("relu", np_relu, {"negative_slope": 0.2, "threshold": -0.5,
                       "max_value": 3.0}),
    ("leaky_relu", lambda x, negative_slope: np.where(
        x >= 0, x, negative_slope * x), {"negative_slope": 0.01}),
    ("elu", np_elu, {"alpha": 0.5}),
    ("celu", lambda x, alpha: np.maximum(x, 0)
     + alpha * np.expm1(np.minimum(x, 0) / alpha), {"alpha": 2.0}),
    ("gelu", np_gelu, {"approximate": True}),
    ("squareplus", lambda x, b: (x + np.sqrt(x * x + b)) / 2, {"b": 1.0}),
    ("threshold", lambda x, threshold, default_value: np.where(
        x > threshold, x, default_value),
     {"threshold": 0.5, "default_value": -2.0}),
    ("soft_shrink", lambda x, threshold: np.where(
        x > threshold, x - threshold,
        np.where(x < -threshold, x + threshold, 0.0)), {"threshold": 1.0}),
    ("hard_shrink", lambda x, threshold: np.where(
        np.abs(x) > threshold, x, 0.0), {"threshold": 1.0}),
    ("softmax", np_softmax, {"axis": 0}),
    ("log_softmax", np_log_softmax, {"axis": 0}),
    ("sparsemax", np_sparsemax, {"axis": 0}),
]


# One test per table (not one per row): the shared conftest's per-test
# `clear_session()` runs a full `gc.collect()`.
def test_matches_numpy_reference():
    x = _inputs()
    for name, (reference, kwargs) in sorted(ELEMENTWISE.items()):
        got = activations.get(name)(torch.tensor(x, dtype=torch.float64))
        assert got.dtype == torch.float64, name
        np.testing.assert_allclose(got.numpy(), reference(x, **kwargs),
                                   rtol=1e-10, atol=1e-12, err_msg=name)


def test_arguments_match_numpy_reference():
    x = _inputs()
    for name, reference, kwargs in WITH_ARGS:
        fn = getattr(activations, name)
        got = fn(torch.tensor(x, dtype=torch.float64), **kwargs)
        np.testing.assert_allclose(got.numpy(), reference(x, **kwargs),
                                   rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name} {kwargs}")


def test_relu_docstring_values_of_keras():
    x = torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0])
    cases = [
        ({}, [0.0, 0.0, 0.0, 5.0, 10.0]),
        ({"negative_slope": 0.5}, [-5.0, -2.5, 0.0, 5.0, 10.0]),
        ({"max_value": 5.0}, [0.0, 0.0, 0.0, 5.0, 5.0]),
        ({"threshold": 5.0}, [0.0, 0.0, 0.0, 0.0, 10.0]),
        ({"alpha": 0.5}, [-5.0, -2.5, 0.0, 5.0, 10.0]),  # tf.keras 2 name
    ]
    for kwargs, expected in cases:
        assert activations.relu(x, **kwargs).tolist() == expected


def test_hard_sigmoid_is_keras3_formula_not_tf_keras2():
    x = torch.tensor([-3.0, -1.5, 0.0, 1.5, 3.0])
    # relu6(x + 3) / 6 (slope 1/6); tf.keras 2 used 0.2 * x + 0.5.
    expected = [0.0, 0.25, 0.5, 0.75, 1.0]
    assert activations.hard_sigmoid(x).tolist() == expected


def test_infinities():
    x = torch.tensor([-math.inf, math.inf])
    assert activations.relu(x).tolist() == [0.0, math.inf]
    assert activations.sigmoid(x).tolist() == [0.0, 1.0]
    assert activations.softplus(x).tolist() == [0.0, math.inf]
    assert activations.tanh(x).tolist() == [-1.0, 1.0]
    assert activations.relu6(x).tolist() == [0.0, 6.0]


def test_nan_propagates():
    x = torch.tensor([math.nan])
    for name in ("relu", "sigmoid", "tanh", "elu", "gelu", "silu"):
        assert torch.isnan(activations.get(name)(x)).all(), name


def test_preserves_float_dtype():
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        x = torch.linspace(-4, 4, 12, dtype=dtype).reshape(3, 4)
        for name in ("relu", "gelu", "softmax", "hard_silu", "mish"):
            assert activations.get(name)(x).dtype == dtype, name


def test_accepts_lists_and_numpy_arrays():
    out = activations.relu([-1.0, 2.0])
    assert out.dtype == torch.float32
    assert out.tolist() == [0.0, 2.0]
    out = activations.sigmoid(np.array([0.0]))
    assert out.dtype == torch.float64
    assert out.tolist() == [0.5]


def test_softmax_over_several_axes():
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 5)) * 3
    for axis in [(1, 2), (-1, -3), (0, 3), None, [2]]:
        np_axis = tuple(axis) if isinstance(axis, list) else axis
        got = activations.softmax(torch.tensor(x), axis=axis).numpy()
        np.testing.assert_allclose(got, np_softmax(x, axis=np_axis),
                                   rtol=1e-10, err_msg=str(axis))
        got = activations.log_softmax(torch.tensor(x), axis=axis).numpy()
        np.testing.assert_allclose(got, np_log_softmax(x, axis=np_axis),
                                   rtol=1e-10, atol=1e-12,
                                   err_msg=str(axis))


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    x = torch.randn(8, 10, dtype=torch.float64)
    y = activations.softmax(x)
    torch.testing.assert_close(y.sum(-1), torch.ones(8, dtype=x.dtype))
    torch.testing.assert_close(activations.softmax(x + 1000.0), y)


def test_sparsemax_hand_values_and_simplex():
    got = activations.sparsemax(torch.tensor([[0.0, 0.5, 1.0]]))
    torch.testing.assert_close(got, torch.tensor([[0.0, 0.25, 0.75]]))
    got = activations.sparsemax(torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5]))
    torch.testing.assert_close(got, torch.tensor([0.0, 0.1, 0.2, 0.3, 0.4]))
    x = torch.randn(16, 9, dtype=torch.float64)
    s = activations.sparsemax(x)
    assert (s >= 0).all()
    torch.testing.assert_close(s.sum(-1), torch.ones(16, dtype=x.dtype))


def test_glu_halves_and_odd_size_error():
    x = np.random.default_rng(2).normal(size=(3, 4, 6))
    got = activations.glu(torch.tensor(x), axis=1).numpy()
    a, b = x[:, :2], x[:, 2:]
    np.testing.assert_allclose(got, a * np_sigmoid(b), rtol=1e-12)
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(torch.zeros(2, 5))


def test_gradients_flow():
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    for name in ("relu", "gelu", "softmax", "selu", "sparsemax"):
        activations.get(name)(x).sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all(), name
        x.grad = None


KERAS3_NAMES = [
    "relu", "leaky_relu", "relu6", "softmax", "celu", "elu", "selu",
    "softplus", "softsign", "squareplus", "soft_shrink", "sparse_plus",
    "silu", "gelu", "glu", "tanh", "tanh_shrink", "threshold", "sigmoid",
    "sparse_sigmoid", "exponential", "hard_sigmoid", "hard_silu",
    "hard_tanh", "hard_shrink", "linear", "mish", "log_softmax",
    "log_sigmoid", "sparsemax",
]


def test_get_serialize_deserialize_round_trip():
    for name in KERAS3_NAMES:
        fn = activations.get(name)
        assert fn is getattr(activations, name), name
        assert fn.__name__ == name
        assert activations.serialize(fn) == name
        assert activations.deserialize(name) is fn


def test_aliases_serialize_to_canonical_names():
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.serialize(activations.swish) == "silu"
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    assert activations.get("softmax_v2") is activations.softmax


def test_get_none_and_callables():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    assert activations.get(torch.tanh) is torch.tanh


def test_get_keras3_function_config_dict():
    config = {"module": "keras.activations", "class_name": "function",
              "config": "relu", "registered_name": "relu"}
    assert activations.get(config) is activations.relu


def test_custom_function_round_trip():
    def my_act(x):
        return x + 1

    assert activations.serialize(my_act) == "my_act"
    with custom_object_scope({"my_act": my_act}):
        assert activations.get("my_act") is my_act
        assert activations.get({"class_name": "function",
                                "config": "my_act"}) is my_act
    assert activations.deserialize(
        "my_act", custom_objects={"my_act": my_act}) is my_act


def test_unknown_name_raises_naming_it():
    with pytest.raises(ValueError, match="not_an_activation"):
        activations.get("not_an_activation")
    with pytest.raises(ValueError, match="identifier=3"):
        activations.get(3)
    with pytest.raises(ValueError, match="activation"):
        activations.serialize(42)
