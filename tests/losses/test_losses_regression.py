"""Tests for ``torchkeras/losses/regression.py`` against NumPy formulas.

Each reference below re-implements Keras 3's formula in NumPy; every class
is checked in every reduction, with and without ``sample_weight``.
"""

import numpy as np
import pytest
import torch

from torchkeras import losses

EPS = 1e-7
REDUCTIONS = [
    "sum_over_batch_size",
    "sum",
    "none",
    None,
    "mean_with_sample_weight",
]


def np_reduce(values, sample_weight, reduction):
    if sample_weight is not None:
        values = values * sample_weight
    if reduction in ("none", None):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return values.sum() / sample_weight.sum()
    return values.sum() / values.size


def np_mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def np_mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def np_mape(t, p):
    return 100.0 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1)


def np_msle(t, p):
    first = np.log(np.maximum(p, EPS) + 1.0)
    second = np.log(np.maximum(t, EPS) + 1.0)
    return np.mean((first - second) ** 2, axis=-1)


def np_l2_normalize(x, axis):
    square_sum = np.sum(x * x, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        return x * np.minimum(1.0 / np.sqrt(square_sum), 1.0 / EPS)


def np_cosine(t, p, axis=-1):
    return -np.sum(np_l2_normalize(t, axis) * np_l2_normalize(p, axis), axis)


def np_huber(t, p, delta=1.0):
    err = p - t
    quad = 0.5 * err**2
    lin = delta * np.abs(err) - 0.5 * delta**2
    return np.mean(np.where(np.abs(err) <= delta, quad, lin), axis=-1)


def np_log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


CASES = [
    (losses.MeanSquaredError, {}, np_mse, "mean_squared_error"),
    (losses.MeanAbsoluteError, {}, np_mae, "mean_absolute_error"),
    (
        losses.MeanAbsolutePercentageError,
        {},
        np_mape,
        "mean_absolute_percentage_error",
    ),
    (
        losses.MeanSquaredLogarithmicError,
        {},
        np_msle,
        "mean_squared_logarithmic_error",
    ),
    (losses.CosineSimilarity, {}, np_cosine, "cosine_similarity"),
    (losses.Huber, {"delta": 0.7}, np_huber, "huber_loss"),
    (losses.LogCosh, {}, np_log_cosh, "log_cosh"),
]


def _data(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.uniform(-1.5, 2.0, size=(5, 4))
    y_true[0, 0] = 0.0  # exercises the epsilon guards
    y_pred = rng.uniform(-1.5, 2.0, size=(5, 4))
    y_pred[1] = 0.0  # a zero vector for cosine similarity
    weights = rng.uniform(0.0, 2.0, size=(5,))
    return y_true, y_pred, weights


@pytest.mark.parametrize(
    "cls, kwargs, reference, name", CASES, ids=[c[3] for c in CASES]
)
def test_class_in_every_reduction(cls, kwargs, reference, name):
    y_true, y_pred, weights = _data(0)
    expected_values = reference(y_true, y_pred, **kwargs)
    for reduction in REDUCTIONS:
        for sample_weight in (None, weights):
            loss = cls(reduction=reduction, dtype="float64", **kwargs)
            assert loss.name == name
            result = loss(y_true, y_pred, sample_weight=sample_weight)
            expected = np_reduce(expected_values, sample_weight, reduction)
            np.testing.assert_allclose(
                result.numpy(), expected, rtol=1e-6, atol=1e-9
            )
    # Default float32 path, from torch tensors.
    loss = cls(**kwargs)
    result = loss(torch.tensor(y_true), torch.tensor(y_pred))
    assert result.dtype == torch.float32
    np.testing.assert_allclose(
        result.numpy(), expected_values.mean(), rtol=1e-5, atol=1e-6
    )


def test_function_forms_and_aliases():
    y_true, y_pred, _ = _data(1)
    pairs = [
        (losses.mean_squared_error, np_mse),
        (losses.mse, np_mse),
        (losses.MSE, np_mse),
        (losses.mean_absolute_error, np_mae),
        (losses.mae, np_mae),
        (losses.MAE, np_mae),
        (losses.mean_absolute_percentage_error, np_mape),
        (losses.mape, np_mape),
        (losses.MAPE, np_mape),
        (losses.mean_squared_logarithmic_error, np_msle),
        (losses.msle, np_msle),
        (losses.MSLE, np_msle),
        (losses.cosine_similarity, np_cosine),
        (losses.huber, np_huber),
        (losses.log_cosh, np_log_cosh),
        (losses.logcosh, np_log_cosh),
    ]
    for fn, reference in pairs:
        result = fn(torch.tensor(y_true), torch.tensor(y_pred))
        assert result.dtype == torch.float64  # y_pred's dtype is kept
        np.testing.assert_allclose(
            result.numpy(), reference(y_true, y_pred), rtol=1e-6, atol=1e-9
        )


def test_keras_documented_values():
    # Numbers from the Keras docstrings.
    huber = losses.huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    np.testing.assert_allclose(huber.numpy().mean(), 0.155, atol=1e-3)
    log_cosh = losses.log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0, 0]])
    np.testing.assert_allclose(log_cosh.numpy().mean(), 0.108, atol=1e-3)
    cosine = losses.cosine_similarity(
        [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]],
        [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]],
    )
    np.testing.assert_allclose(cosine.numpy(), [0.0, -1.0, 1.0], atol=1e-6)


def test_cosine_similarity_axis_and_rank_matching():
    rng = np.random.default_rng(2)
    y_true = rng.normal(size=(3, 4, 2))
    y_pred = rng.normal(size=(3, 4, 2))
    loss = losses.CosineSimilarity(axis=1, reduction="none", dtype="float64")
    result = loss(y_true, y_pred)
    np.testing.assert_allclose(
        result.numpy(), np_cosine(y_true, y_pred, axis=1), rtol=1e-6
    )
    assert loss.get_config()["axis"] == 1
    # (n,) targets against (n, 1) predictions are rank-matched.
    mse = losses.MeanSquaredError(reduction="none", dtype="float64")
    result = mse(np.arange(3.0), np.arange(3.0)[:, None] + 1.0)
    np.testing.assert_allclose(result.numpy(), [1.0, 1.0, 1.0])


def test_gradients_match_analytic():
    y_true = torch.tensor([[0.0, 2.0], [1.0, -1.0]], dtype=torch.float64)
    y_pred = torch.tensor(
        [[0.5, 0.5], [1.0, 3.0]], dtype=torch.float64, requires_grad=True
    )
    losses.Huber(delta=1.0, dtype="float64")(y_true, y_pred).backward()
    err = (y_pred - y_true).detach()
    expected = torch.clamp(err, -1.0, 1.0) / err.numel()
    torch.testing.assert_close(y_pred.grad, expected)
    y_pred.grad = None
    losses.LogCosh(dtype="float64")(y_true, y_pred).backward()
    torch.testing.assert_close(y_pred.grad, torch.tanh(err) / err.numel())
