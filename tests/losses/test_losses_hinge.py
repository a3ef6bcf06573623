"""Tests for ``torchkeras/losses/hinge.py`` against NumPy formulas."""

import numpy as np
import torch

from torchkeras import losses

REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


def np_reduce(values, sample_weight, reduction):
    if sample_weight is not None:
        values = values * sample_weight
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return values.sum() / sample_weight.sum()
    return values.sum() / values.size


def np_signed(t):
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


def np_hinge(t, p):
    return np.mean(np.maximum(1.0 - np_signed(t) * p, 0.0), axis=-1)


def np_squared_hinge(t, p):
    return np.mean(np.maximum(1.0 - np_signed(t) * p, 0.0) ** 2, axis=-1)


def np_categorical_hinge(t, p):
    pos = np.sum(t * p, axis=-1)
    neg = np.max((1.0 - t) * p, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0)


def test_hinge_losses_match_numpy_in_every_reduction():
    rng = np.random.default_rng(0)
    y_pred = rng.normal(size=(5, 3))
    binary = rng.integers(0, 2, size=(5, 3)).astype(np.float64)
    signed = 2.0 * binary - 1.0
    one_hot = np.eye(3)[rng.integers(0, 3, size=5)]
    weights = rng.uniform(size=(5,))
    cases = [
        (losses.Hinge, np_hinge, (binary, signed)),
        (losses.SquaredHinge, np_squared_hinge, (binary, signed)),
        (losses.CategoricalHinge, np_categorical_hinge, (one_hot,)),
    ]
    for cls, reference, targets in cases:
        for y_true in targets:
            values = reference(y_true, y_pred)
            for reduction in REDUCTIONS:
                for sample_weight in (None, weights):
                    loss = cls(reduction=reduction, dtype="float64")
                    result = loss(y_true, y_pred, sample_weight=sample_weight)
                    np.testing.assert_allclose(
                        result.numpy(),
                        np_reduce(values, sample_weight, reduction),
                        rtol=1e-6,
                    )
    # 0/1 labels and -1/1 labels give the same hinge.
    np.testing.assert_allclose(
        losses.hinge(binary, y_pred).numpy(),
        losses.hinge(signed, y_pred).numpy(),
    )
    names = [cls().name for cls, *_ in cases]
    assert names == ["hinge", "squared_hinge", "categorical_hinge"]


def test_hinge_gradient_and_function_forms():
    y_true = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    y_pred = torch.tensor([[0.5, 0.5]], dtype=torch.float64, requires_grad=True)
    losses.Hinge(dtype="float64")(y_true, y_pred).backward()
    # d/dp mean(max(1 - t p, 0)) = -t / 2 where the margin is active.
    torch.testing.assert_close(
        y_pred.grad, torch.tensor([[-0.5, 0.5]], dtype=torch.float64)
    )
    values = losses.squared_hinge([[0.0, 1.0]], [[0.5, 0.5]])
    np.testing.assert_allclose(values.numpy(), [(1.5**2 + 0.5**2) / 2])
    values = losses.categorical_hinge([[0.0, 1.0]], [[0.7, 0.2]])
    np.testing.assert_allclose(values.numpy(), [1.5], rtol=1e-6)
