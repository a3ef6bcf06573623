"""Tests for ``torchkeras/ops/numpy.py`` and ``ops/core.py`` vs NumPy."""

import numpy as np
import pytest
import torch

from torchkeras import backend
from torchkeras import ops


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
