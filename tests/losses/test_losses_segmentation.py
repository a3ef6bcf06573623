"""Tests for ``torchkeras/losses/segmentation.py`` against NumPy."""

import numpy as np

from torchkeras import losses

EPS = 1e-7


def np_dice(t, p, axis=None):
    inter = np.sum(t * p, axis=axis)
    return 1.0 - 2.0 * inter / (
        np.sum(t, axis=axis) + np.sum(p, axis=axis) + EPS
    )


def np_tversky(t, p, alpha, beta, axis=None):
    inter = np.sum(t * p, axis=axis)
    fp = np.sum((1 - p) * t, axis=axis)
    fn = np.sum(p * (1 - t), axis=axis)
    return 1.0 - inter / (inter + alpha * fp + beta * fn + EPS)


def test_dice_and_tversky_match_numpy():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=(3, 4, 4, 1)).astype(np.float64)
    y_pred = rng.uniform(size=(3, 4, 4, 1))
    weights = rng.uniform(size=(3,))
    axis = (1, 2, 3)
    for reduction in ("sum_over_batch_size", "sum", "none"):
        dice = losses.Dice(axis=axis, reduction=reduction, dtype="float64")
        per_sample = np_dice(y_true, y_pred, axis) * weights
        expected = {
            "sum_over_batch_size": per_sample.mean(),
            "sum": per_sample.sum(),
            "none": per_sample,
        }[reduction]
        np.testing.assert_allclose(
            dice(y_true, y_pred, sample_weight=weights).numpy(),
            expected,
            rtol=1e-6,
        )
    # axis=None: one value for the whole batch.
    whole = losses.Dice(dtype="float64")(y_true, y_pred)
    assert whole.shape == ()
    np.testing.assert_allclose(whole.numpy(), np_dice(y_true, y_pred))
    tversky = losses.Tversky(
        alpha=0.3, beta=0.7, axis=axis, reduction="none", dtype="float64"
    )
    np.testing.assert_allclose(
        tversky(y_true, y_pred).numpy(),
        np_tversky(y_true, y_pred, 0.3, 0.7, axis),
        rtol=1e-6,
    )
    # With alpha = beta = 0.5 the Tversky loss is the Dice loss.
    np.testing.assert_allclose(
        losses.tversky(y_true, y_pred, axis=axis).numpy(),
        losses.dice(y_true, y_pred, axis=axis).numpy(),
        rtol=1e-6,
    )


def test_keras_documented_dice_values():
    y_true = [
        [[[1.0], [1.0]], [[0.0], [0.0]]],
        [[[1.0], [1.0]], [[0.0], [0.0]]],
    ]
    y_pred = [
        [[[0.0], [1.0]], [[0.0], [1.0]]],
        [[[0.4], [0.0]], [[0.0], [0.9]]],
    ]
    per_sample = losses.dice(y_true, y_pred, axis=(1, 2, 3))
    np.testing.assert_allclose(per_sample.numpy(), [0.5, 0.75757575], 1e-6)
    np.testing.assert_allclose(losses.dice(y_true, y_pred), 0.6164384, 1e-6)
    config = losses.Tversky(alpha=0.2, axis=(1, 2)).get_config()
    assert (config["alpha"], config["beta"], config["axis"]) == (
        0.2,
        0.5,
        (1, 2),
    )
