"""Tests for ``torchkeras/ops/core.py``: conversion, structural ops,
control flow, custom gradients and string values, against NumPy and
hand-computed results."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import ops


def test_cast_saturate_cast_and_introspection():
    x = np.array([-300.5, 1.5, 70000.0], "float32")
    np.testing.assert_array_equal(ops.saturate_cast(x, "uint8").numpy(),
                                  [0, 1, 255])
    assert ops.cast(x, "int16").dtype == torch.int16
    np.testing.assert_array_equal(
        ops.saturate_cast(np.array([-5, 300]), "int8").numpy(), [-5, 127])
    tensor = torch.ones(2, 3, requires_grad=True)
    copy = ops.convert_to_numpy(tensor)
    copy[0, 0] = 5
    assert tensor[0, 0] == 1
    assert ops.shape(tensor) == (2, 3) and ops.dtype(tensor) == "float32"
    assert ops.is_tensor(tensor) and not ops.is_tensor(copy)
    assert not ops.stop_gradient(tensor).requires_grad
    symbolic = keras.Input((None, 4))
    assert ops.shape(symbolic) == (None, None, 4)
    assert ops.dtype(symbolic) == "float32"


def test_structural_ops_match_numpy():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(
        ops.slice(x, (1, 0, 1), (1, 2, 3)).numpy(), x[1:2, 0:2, 1:4])
    updated = ops.slice_update(x, (0, 1, 2), np.zeros((2, 2, 2))).numpy()
    expected = x.copy()
    expected[0:2, 1:3, 2:4] = 0
    np.testing.assert_array_equal(updated, expected)
    indices = np.array([[0, 1], [1, 2], [0, 1]])
    scattered = ops.scatter(indices, np.array([1.0, 2.0, 3.0]), (2, 3))
    np.testing.assert_array_equal(scattered.numpy(),
                                  [[0, 4, 0], [0, 0, 2]])
    rows = ops.scatter(np.array([[1]]), np.ones((1, 4)), (3, 4)).numpy()
    np.testing.assert_array_equal(rows.sum(1), [0, 4, 0])
    base = np.ones((2, 3))
    for reduction, value in [(None, 5.0), ("add", 1 + 5 + 5),
                             ("max", 5.0), ("mul", 25.0), ("min", 1.0)]:
        out = ops.scatter_update(base, np.array([[1, 1], [1, 1]]),
                                 np.array([5.0, 5.0]), reduction=reduction)
        assert out.numpy()[1, 1] == value and out.numpy()[0, 0] == 1
    parts = ops.unstack(x, axis=1)
    assert len(parts) == 3
    np.testing.assert_array_equal(parts[2].numpy(), x[:, 2])
    with pytest.raises(ValueError, match="reduction"):
        ops.scatter_update(base, [[0, 0]], [1.0], reduction="sub")


def test_control_flow_runs_eagerly():
    assert ops.cond(torch.tensor(True), lambda: 1, lambda: 2) == 1
    assert ops.switch(7, [lambda v: v + 1, lambda v: v * 10], 3) == 30
    i, total = ops.while_loop(lambda i, t: i < 5, lambda i, t: (i + 1, t + i),
                              (0, 0))
    assert (i, total) == (5, 10)
    assert ops.while_loop(lambda v: v < 100, lambda v: v * 2, 1,
                          maximum_iterations=3) == 8
    assert ops.fori_loop(0, 4, lambda k, v: v + k, 10) == 16
    xs = np.arange(5.0)
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, xs)
    np.testing.assert_allclose(float(carry), 10.0)
    np.testing.assert_allclose(ys.numpy(), np.concatenate(
        [[0], np.cumsum(xs)[:-1]]) * xs)
    _, back = ops.scan(lambda c, x: (c + x, c), 0.0, xs, reverse=True)
    np.testing.assert_allclose(back.numpy(), np.cumsum(xs[::-1])[::-1] - xs)
    mapped = ops.map(lambda row: row.sum(), np.ones((3, 4)))
    np.testing.assert_array_equal(mapped.numpy(), [4, 4, 4])
    pairs = ops.vectorized_map(lambda p: p[0] * p[1],
                               (np.arange(3.0), np.arange(3.0)))
    np.testing.assert_array_equal(pairs.numpy(), [0, 1, 4])
    x = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_allclose(
        ops.associative_scan(lambda a, b: a + b, x, axis=1).numpy(),
        np.cumsum(x, axis=1))
    np.testing.assert_allclose(
        ops.associative_scan(lambda a, b: a * b, x, reverse=True).numpy(),
        np.cumprod(x[::-1], axis=0)[::-1])


def test_control_flow_refuses_keras_tensors():
    symbolic = keras.Input((3,))
    for call in [lambda: ops.cond(symbolic, lambda: 1, lambda: 2),
                 lambda: ops.while_loop(lambda v: True, lambda v: v,
                                        symbolic),
                 lambda: ops.scan(lambda c, x: (c, x), symbolic, None, 2),
                 lambda: ops.map(lambda v: v, symbolic)]:
        with pytest.raises(TypeError, match="Layer"):
            call()


def test_custom_gradient_replaces_the_backward_pass():
    @ops.custom_gradient
    def clipped_identity(x):
        def grad(*args, upstream=None):
            return torch.clamp(upstream, -0.5, 0.5)
        return x * 1.0, grad

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (clipped_identity(x) * torch.tensor([3.0, -0.1])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, -0.1], rtol=1e-6)


def test_symbolic_core_ops_record_nodes():
    inputs = keras.Input((3, 4))
    first, second, third = ops.unstack(inputs, axis=1)
    out = ops.cast(ops.slice(inputs, (0, 1, 0), (-1, 2, 4)), "float64")
    assert out.shape == (None, 2, 4) and out.dtype == "float64"
    model = keras.Model(inputs, [first + third, out])
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    summed, sliced = model.predict(x, verbose=0)
    np.testing.assert_allclose(summed, x[:, 0] + x[:, 2], rtol=1e-6)
    np.testing.assert_allclose(sliced, x[:, 1:3], rtol=1e-6)


def test_string_values_through_the_ops():
    batch = ops.convert_to_tensor(["a", "bb", "ccc", "d"])
    assert isinstance(batch, np.ndarray) and batch.dtype == object
    assert ops.dtype(batch) == "string"
    column = ops.expand_dims(batch, -1)
    assert column.shape == (4, 1)
    grid = ops.reshape(batch, (2, 2))
    assert grid.tolist() == [["a", "bb"], ["ccc", "d"]]
    assert grid.numpy().tolist() == [[b"a", b"bb"], [b"ccc", b"d"]]
    joined = ops.concatenate([column, np.array([["e"]])], axis=0)
    assert joined.reshape(-1).tolist() == ["a", "bb", "ccc", "d", "e"]
    pairs = ops.concatenate([column, column], axis=1)
    assert pairs.shape == (4, 2) and pairs[2, 1] == "ccc"
    assert ops.convert_to_tensor(b"x", dtype="string").tolist() == b"x"
    assert ops.expand_dims(np.array(["a", "b"]), 0).shape == (1, 2)
