"""Tests for ``torchkeras/losses/probabilistic.py`` against NumPy formulas.

The references re-implement Keras's formulas in NumPy (probability
clipping with ``epsilon()``, tf.keras's ``log(p + eps)`` binary
crossentropy, label smoothing, focal factors); the Keras docstring values
are checked too.
"""

import numpy as np
import pytest
import torch

from torchkeras import losses
from torchkeras import ops

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
        shape = sample_weight.shape + (1,) * (values.ndim - 1)
        sample_weight = sample_weight.reshape(shape)
        values = values * sample_weight
    if reduction in ("none", None):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return values.sum() / sample_weight.sum()
    return values.sum() / values.size


def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_bce_elementwise(t, p, from_logits):
    if from_logits:
        return np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p + EPS) + (1 - t) * np.log(1 - p + EPS))


def np_bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    return np.mean(np_bce_elementwise(t, p, from_logits), axis=-1)


def np_binary_focal(t, p, balance, alpha, gamma, from_logits, smoothing):
    t = t * (1 - smoothing) + 0.5 * smoothing
    if from_logits:
        p = np_sigmoid(p)
    bce = np_bce_elementwise(t, p, False)
    p_t = t * p + (1 - t) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if balance:
        focal = (t * alpha + (1 - t) * (1 - alpha)) * focal
    return focal.mean(axis=-1)


def np_log_probs(p, from_logits, axis):
    if from_logits:
        return np_log_softmax(p, axis)
    p = p / p.sum(axis=axis, keepdims=True)
    return np.log(np.clip(p, EPS, 1 - EPS))


def np_cce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    num_classes = t.shape[axis]
    t = t * (1 - label_smoothing) + label_smoothing / num_classes
    return -np.sum(t * np_log_probs(p, from_logits, axis), axis=axis)


def np_categorical_focal(t, p, alpha, gamma, from_logits, smoothing):
    t = t * (1 - smoothing) + smoothing / t.shape[-1]
    if from_logits:
        p = np.exp(np_log_softmax(p))
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    focal = alpha * (1 - p) ** gamma * -t * np.log(p)
    return focal.sum(axis=-1)


def np_scce(labels, p, from_logits=False):
    log_probs = np_log_probs(p, from_logits, -1)
    return -np.take_along_axis(log_probs, labels[..., None], -1)[..., 0]


def check_all_reductions(make_loss, y_true, y_pred, values, weights):
    for reduction in REDUCTIONS:
        for sample_weight in (None, weights):
            loss = make_loss(reduction)
            result = loss(y_true, y_pred, sample_weight=sample_weight)
            expected = np_reduce(values, sample_weight, reduction)
            np.testing.assert_allclose(
                result.detach().numpy(), expected, rtol=1e-6, atol=1e-12
            )


def _binary_data():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=(6, 3)).astype(np.float64)
    probs = rng.uniform(0.0, 1.0, size=(6, 3))
    probs[0] = [0.0, 1.0, 1e-9]  # clipped to [eps, 1 - eps]
    logits = rng.normal(scale=3.0, size=(6, 3))
    weights = rng.uniform(0.0, 2.0, size=(6,))
    return y_true, probs, logits, weights


def test_binary_crossentropy_matches_numpy():
    y_true, probs, logits, weights = _binary_data()
    for from_logits, y_pred in ((False, probs), (True, logits)):
        for smoothing in (0.0, 0.2):
            values = np_bce(y_true, y_pred, from_logits, smoothing)
            check_all_reductions(
                lambda r: losses.BinaryCrossentropy(
                    from_logits=from_logits,
                    label_smoothing=smoothing,
                    reduction=r,
                    dtype="float64",
                ),
                y_true,
                y_pred,
                values,
                weights,
            )
    # (n,) labels against (n, 1) predictions; function form and alias.
    result = losses.BinaryCrossentropy(reduction="none", dtype="float64")(
        y_true[:, 0], probs[:, :1]
    )
    np.testing.assert_allclose(
        result.numpy(), np_bce(y_true[:, :1], probs[:, :1]), rtol=1e-6
    )
    for fn in (losses.binary_crossentropy, losses.bce, losses.BCE):
        np.testing.assert_allclose(
            fn(y_true, torch.tensor(logits), from_logits=True).numpy(),
            np_bce(y_true, logits, True),
            rtol=1e-6,
        )


def test_binary_focal_crossentropy_matches_numpy():
    y_true, probs, logits, weights = _binary_data()
    for balance in (False, True):
        for from_logits, y_pred in ((False, probs), (True, logits)):
            smoothing = 0.1 if balance else 0.0
            values = np_binary_focal(
                y_true, y_pred, balance, 0.3, 1.5, from_logits, smoothing
            )
            check_all_reductions(
                lambda r: losses.BinaryFocalCrossentropy(
                    apply_class_balancing=balance,
                    alpha=0.3,
                    gamma=1.5,
                    from_logits=from_logits,
                    label_smoothing=smoothing,
                    reduction=r,
                    dtype="float64",
                ),
                y_true,
                y_pred,
                values,
                weights,
            )


def _categorical_data(shape=(5, 4)):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    one_hot = np.eye(shape[-1])[labels]
    probs = rng.uniform(0.0, 1.0, size=shape)
    first_row = probs.reshape(-1, shape[-1])[0]
    first_row[:] = 0.0
    first_row[1] = 2.0  # renormalised, then clipped
    logits = rng.normal(scale=2.0, size=shape)
    weights = rng.uniform(0.0, 2.0, size=shape[:1])
    return labels, one_hot, probs, logits, weights


def test_categorical_crossentropy_matches_numpy():
    _, one_hot, probs, logits, weights = _categorical_data()
    for from_logits, y_pred in ((False, probs), (True, logits)):
        for smoothing in (0.0, 0.1):
            values = np_cce(one_hot, y_pred, from_logits, smoothing)
            check_all_reductions(
                lambda r: losses.CategoricalCrossentropy(
                    from_logits=from_logits,
                    label_smoothing=smoothing,
                    reduction=r,
                    dtype="float64",
                ),
                one_hot,
                y_pred,
                values,
                weights,
            )
    # Class axis 1 of a (batch, classes, time) tensor.
    _, one_hot, probs, logits, _ = _categorical_data((3, 5, 4))
    one_hot = np.moveaxis(one_hot, -1, 1)
    for from_logits, y_pred in ((False, probs), (True, logits)):
        y_pred = np.moveaxis(y_pred, -1, 1)
        result = losses.categorical_crossentropy(
            one_hot, y_pred, from_logits=from_logits, axis=1
        )
        np.testing.assert_allclose(
            result.numpy(),
            np_cce(one_hot, y_pred, from_logits, axis=1),
            rtol=1e-6,
        )


def test_categorical_focal_crossentropy_matches_numpy():
    _, one_hot, probs, logits, weights = _categorical_data()
    alpha = np.array([0.1, 0.2, 0.3, 0.4])
    for from_logits, y_pred in ((False, probs), (True, logits)):
        values = np_categorical_focal(
            one_hot, y_pred, alpha, 2.0, from_logits, 0.1
        )
        check_all_reductions(
            lambda r: losses.CategoricalFocalCrossentropy(
                alpha=alpha.tolist(),
                from_logits=from_logits,
                label_smoothing=0.1,
                reduction=r,
                dtype="float64",
            ),
            one_hot,
            y_pred,
            values,
            weights,
        )


def test_sparse_categorical_crossentropy_matches_numpy():
    labels, _, probs, logits, weights = _categorical_data()
    for from_logits, y_pred in ((False, probs), (True, logits)):
        values = np_scce(labels, y_pred, from_logits)
        for y_true in (labels, labels[:, None], labels.astype(np.float32)):
            check_all_reductions(
                lambda r: losses.SparseCategoricalCrossentropy(
                    from_logits=from_logits, reduction=r, dtype="float64"
                ),
                y_true,
                y_pred,
                values,
                weights,
            )
    # (batch, time) labels against (batch, time, classes) predictions.
    labels, _, probs, logits, _ = _categorical_data((3, 5, 4))
    for from_logits, y_pred in ((False, probs), (True, logits)):
        result = losses.sparse_categorical_crossentropy(
            labels, y_pred, from_logits=from_logits
        )
        np.testing.assert_allclose(
            result.numpy(), np_scce(labels, y_pred, from_logits), rtol=1e-6
        )


def test_sparse_ignore_class_is_masked_out_of_the_mean():
    labels, _, _, logits, weights = _categorical_data((4, 6, 3))
    labels[0, :2] = -1
    labels[2, 3] = -1
    valid = labels != -1
    per_step = np_scce(np.where(valid, labels, 0), logits, True) * valid
    loss = losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, dtype="float64"
    )
    result = loss(labels, logits)
    np.testing.assert_allclose(
        result.numpy(), per_step.sum() / valid.sum(), rtol=1e-6
    )
    result = loss(labels, logits, sample_weight=weights)
    weighted = per_step * weights[:, None]
    np.testing.assert_allclose(
        result.numpy(), weighted.sum() / valid.sum(), rtol=1e-6
    )
    summed = losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, reduction="sum", dtype="float64"
    )
    np.testing.assert_allclose(
        summed(labels, logits).numpy(), per_step.sum(), rtol=1e-6
    )


def test_kl_divergence_and_poisson_match_numpy():
    rng = np.random.default_rng(2)
    y_true = rng.uniform(0.0, 1.0, size=(4, 3))
    y_true[0, 0] = 0.0
    y_pred = rng.uniform(0.0, 1.5, size=(4, 3))
    weights = rng.uniform(size=(4,))
    t, p = np.clip(y_true, EPS, 1), np.clip(y_pred, EPS, 1)
    kld = np.sum(t * np.log(t / p), axis=-1)
    poisson = np.mean(y_pred - y_true * np.log(y_pred + EPS), axis=-1)
    for cls, values in ((losses.KLDivergence, kld), (losses.Poisson, poisson)):
        check_all_reductions(
            lambda r: cls(reduction=r, dtype="float64"),
            y_true,
            y_pred,
            values,
            weights,
        )
    for fn in (losses.kl_divergence, losses.kld, losses.KLD):
        np.testing.assert_allclose(fn(y_true, y_pred).numpy(), kld, 1e-6)
    np.testing.assert_allclose(
        losses.poisson(y_true, y_pred).numpy(), poisson, rtol=1e-6
    )


def test_keras_documented_values():
    y_true = np.array([[0, 1, 0], [0, 0, 1]])
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    cce = losses.CategoricalCrossentropy()
    np.testing.assert_allclose(cce(y_true, y_pred), 1.177, atol=1e-3)
    weights = np.array([0.3, 0.7])
    np.testing.assert_allclose(cce(y_true, y_pred, weights), 0.814, atol=1e-3)
    scce = losses.SparseCategoricalCrossentropy(reduction=None)
    np.testing.assert_allclose(scce([1, 2], y_pred), [0.0513, 2.303], atol=1e-3)
    bce = losses.BinaryCrossentropy(from_logits=True)
    logits = np.array([[-18.6, 0.51], [2.94, -12.8]])
    labels = np.array([[0, 1], [0, 0]])
    np.testing.assert_allclose(bce(labels, logits), 0.8654, atol=1e-3)
    np.testing.assert_allclose(bce(labels, logits, [0.8, 0.2]), 0.243, 1e-2)
    focal = losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, gamma=3, from_logits=True
    )
    np.testing.assert_allclose(focal(labels, logits), 0.482, atol=1e-3)
    focal = losses.BinaryFocalCrossentropy(
        gamma=5, from_logits=True, reduction=None
    )
    np.testing.assert_allclose(
        focal(labels, logits), [0.0017, 1.1561], atol=1e-4
    )
    cfce = losses.CategoricalFocalCrossentropy(reduction=None)
    np.testing.assert_allclose(
        cfce(y_true.astype(float), y_pred),
        [3.2058331e-05, 4.6627346e-01],
        rtol=1e-4,
    )


def test_shape_errors_name_the_loss_and_shapes():
    scce = losses.SparseCategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"sparse_categorical.*\(4, 3\)"):
        scce(np.zeros((4, 3)), np.full((4, 5), 0.2))
    cce = losses.CategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(4,\)"):
        cce(np.zeros(4), np.full((4, 5), 0.2))
    bce = losses.BinaryCrossentropy()
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\(4, 2\)"):
        bce(np.zeros((4, 2)), np.full((4, 3), 0.2))
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(np.eye(2), np.eye(2), axis=True)


def test_out_of_range_sparse_labels_raise_value_error_on_cpu():
    for from_logits in (False, True):
        loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        for bad in (5, -1):
            with pytest.raises(ValueError, match=r"\[0, 5\)"):
                loss(np.array([0, bad]), np.full((2, 5), 0.2))


def test_validate_sparse_labels():
    scce = losses.SparseCategoricalCrossentropy(ignore_class=255)
    good = np.array([0, 4, 255, 2])
    for loss in (scce, "sparse_categorical_crossentropy"):
        losses.validate_sparse_labels(loss, good[good != 255], 5)
    losses.validate_sparse_labels(scce, good, 5)
    losses.validate_sparse_labels(
        losses.sparse_categorical_crossentropy, torch.tensor([1, 2]), 3
    )
    for loss in (scce, losses.sparse_categorical_crossentropy):
        with pytest.raises(ValueError, match=r"\[0, 5\).*\[-1, 7\]"):
            losses.validate_sparse_labels(loss, np.array([0, 7, -1]), 5)
    with pytest.raises(ValueError, match="2.5"):
        losses.validate_sparse_labels(scce, np.array([2.5]), 5)
    # Other losses: nothing to check.
    losses.validate_sparse_labels(losses.MeanSquaredError(), [99.0], 5)


def test_in_batch_softmax_retrieval():
    rng = np.random.default_rng(3)
    q = rng.normal(size=(6, 8)).astype(np.float32)
    c = rng.normal(size=(6, 8)).astype(np.float32)
    w = rng.uniform(size=(6,)).astype(np.float32)
    logits = ops.matmul(torch.tensor(q), ops.transpose(torch.tensor(c)))
    labels = ops.eye(6, 6)
    loss = losses.CategoricalCrossentropy(from_logits=True)
    result = loss(labels, logits, sample_weight=w)
    q64, c64 = q.astype(np.float64), c.astype(np.float64)
    per_query = -np.diag(np_log_softmax(q64 @ c64.T))
    expected = np.sum(per_query * w) / 6
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-5)


def test_cached_logits_are_used_and_from_logits_warns():
    logits = torch.tensor([[40.0, -40.0, 0.3]], dtype=torch.float64)
    y_true = torch.tensor([[0.0, 1.0, 1.0]], dtype=torch.float64)
    probs = torch.sigmoid(logits)
    probs._keras_logits = logits
    loss = losses.BinaryCrossentropy(dtype="float64")
    np.testing.assert_allclose(
        loss(y_true, probs).numpy(),
        np_bce(y_true.numpy(), logits.numpy(), from_logits=True),
        rtol=1e-6,
    )
    with pytest.warns(UserWarning, match="Sigmoid activation"):
        losses.BinaryCrossentropy(from_logits=True)(y_true, probs)
    scores = torch.tensor([[30.0, -30.0, 1.0]])
    softmax = torch.softmax(scores, dim=-1)
    softmax._keras_logits = scores
    result = losses.SparseCategoricalCrossentropy()([1], softmax)
    np.testing.assert_allclose(result.numpy(), 60.0 + np.log1p(np.exp(-29)))


def test_single_class_categorical_warns():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


def test_gradients_of_logit_crossentropies():
    logits = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    labels = torch.tensor([0, 2, 1, 2])
    one_hot = torch.eye(3, dtype=torch.float64)[labels]
    softmax = torch.softmax(logits.detach(), dim=-1)
    for loss, y_true in (
        (losses.CategoricalCrossentropy(from_logits=True), one_hot),
        (losses.SparseCategoricalCrossentropy(from_logits=True), labels),
    ):
        logits.grad = None
        loss.__init__(from_logits=True, dtype="float64")
        loss(y_true, logits).backward()
        torch.testing.assert_close(logits.grad, (softmax - one_hot) / 4)
    logits.grad = None
    bce = losses.BinaryCrossentropy(from_logits=True, dtype="float64")
    bce(one_hot, logits).backward()
    sigmoid = torch.sigmoid(logits.detach())
    torch.testing.assert_close(logits.grad, (sigmoid - one_hot) / 12)
