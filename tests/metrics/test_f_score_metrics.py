"""F1Score and FBetaScore against NumPy and Keras's documented values."""

import numpy as np
import pytest
import torch

from torchkeras import metrics

EPS = 1e-7


def feed(metric, y_true, y_pred, sample_weight=None, batch_size=8):
    """Updates ``metric`` batch by batch, alternating NumPy and torch."""
    for step, start in enumerate(range(0, len(y_true), batch_size)):
        sl = slice(start, start + batch_size)
        yt, yp = y_true[sl], y_pred[sl]
        sw = None if sample_weight is None else sample_weight[sl]
        if step % 2:
            yt, yp = torch.as_tensor(yt), torch.as_tensor(yp)
        metric.update_state(yt, yp, sample_weight=sw)
    return metric.result().numpy()


def np_fbeta(y_true, y_pred, weights, average, beta, threshold):
    if threshold is None:
        top = y_pred.max(-1, keepdims=True)
        pred = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
    else:
        pred = y_pred > threshold
    pred = pred.astype(np.float64)
    w = weights[:, None]
    axis = None if average == "micro" else 0
    tp = np.sum(pred * y_true * w, axis=axis)
    fp = np.sum(pred * (1 - y_true) * w, axis=axis)
    fn = np.sum((1 - pred) * y_true * w, axis=axis)
    support = np.sum(y_true * w, axis=axis)
    precision = tp / (tp + fp + EPS)
    recall = tp / (tp + fn + EPS)
    b2 = beta ** 2
    score = (1 + b2) * precision * recall / (b2 * precision + recall + EPS)
    if average == "weighted":
        return np.sum(score * support / (support.sum() + EPS))
    if average in ("micro", "macro"):
        return np.mean(score)
    return score


def test_fbeta_and_f1_match_numpy():
    rng = np.random.default_rng(0)
    n, c = 45, 4
    y_true = rng.integers(0, 2, (n, c)).astype(np.float32)
    y_pred = rng.uniform(size=(n, c)).astype(np.float32)
    y_pred[0] = 0.0  # an all-zero row predicts nothing
    w = rng.uniform(0, 2, n).astype(np.float32)
    for average in (None, "micro", "macro", "weighted"):
        for threshold in (None, 0.4):
            for beta in (1.0, 0.5, 2.0):
                m = metrics.FBetaScore(average=average, beta=beta,
                                       threshold=threshold)
                np.testing.assert_allclose(
                    feed(m, y_true, y_pred, w),
                    np_fbeta(y_true, y_pred, w, average, beta, threshold),
                    rtol=1e-5, err_msg=f"{average} {threshold} {beta}")
            m = metrics.F1Score(average=average, threshold=threshold)
            np.testing.assert_allclose(
                feed(m, y_true, y_pred),
                np_fbeta(y_true, y_pred, np.ones(n), average, 1.0,
                         threshold), rtol=1e-5)


def test_keras_documented_values_configs_and_errors():
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]],
                      np.float32)
    m = metrics.FBetaScore(beta=2.0, threshold=0.5)
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(m.result().numpy(),
                               [0.3846154, 0.90909094, 0.8333334], rtol=1e-6)
    m = metrics.F1Score(threshold=0.5)
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(m.result().numpy(),
                               [0.5, 0.8, 0.6666667], rtol=1e-6)
    m.reset_state()
    np.testing.assert_array_equal(m.result().numpy(), [0.0, 0.0, 0.0])
    for metric in (metrics.FBetaScore(average="micro", beta=0.5,
                                      threshold=0.3),
                   metrics.F1Score(average="weighted", name="f1")):
        config = metric.get_config()
        assert type(metric).from_config(config).get_config() == config
    assert "beta" not in metrics.F1Score().get_config()
    with pytest.raises(ValueError, match="beta"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="threshold"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match=r"F1Score expects 2D.*\(4,\)"):
        metrics.F1Score().update_state(np.ones(4), np.ones(4))
