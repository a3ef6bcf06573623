"""Regression metrics against NumPy formulas and Keras's documented values."""

import warnings

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


def np_cosine(a, b):
    def unit(x):
        return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), EPS)

    return np.sum(unit(a) * unit(b), axis=-1)


PER_SAMPLE = {
    metrics.MeanSquaredError: lambda t, p: np.mean((t - p) ** 2, -1),
    metrics.MeanAbsoluteError: lambda t, p: np.mean(np.abs(t - p), -1),
    metrics.MeanAbsolutePercentageError: lambda t, p: 100 * np.mean(
        np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1),
    metrics.MeanSquaredLogarithmicError: lambda t, p: np.mean(
        (np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2,
        -1),
    metrics.LogCoshError: lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    metrics.CosineSimilarity: np_cosine,
}


def test_mean_error_metrics_match_numpy():
    rng = np.random.default_rng(0)
    y_true = rng.uniform(0.5, 3, (41, 4)).astype(np.float32)
    y_pred = rng.uniform(0, 3, (41, 4)).astype(np.float32)
    w = rng.uniform(0, 2, 41).astype(np.float32)
    for cls, fn in PER_SAMPLE.items():
        per_sample = fn(y_true.astype(np.float64), y_pred.astype(np.float64))
        got = feed(cls(), y_true, y_pred, w)
        np.testing.assert_allclose(got, np.sum(per_sample * w) / w.sum(),
                                   rtol=1e-5, err_msg=cls.__name__)
        got = feed(cls(), y_true, y_pred)
        np.testing.assert_allclose(got, per_sample.mean(), rtol=1e-5,
                                   err_msg=cls.__name__)
    squared = (y_true - y_pred).astype(np.float64) ** 2
    got = feed(metrics.RootMeanSquaredError(), y_true, y_pred, w)
    np.testing.assert_allclose(
        got, np.sqrt(np.sum(squared.mean(1) * w) / w.sum()), rtol=1e-5)
    got = feed(metrics.CosineSimilarity(axis=0), y_true[:8].T,
               y_pred[:8].T)
    np.testing.assert_allclose(
        got, np_cosine(y_true[:8], y_pred[:8]).mean(), rtol=1e-5)


def test_keras_documented_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    cases = [
        (metrics.MeanSquaredError, None, 0.25),
        (metrics.MeanAbsoluteError, [1, 0], 0.5),
        (metrics.MeanAbsolutePercentageError, None, 250000000.0),
        (metrics.MeanAbsolutePercentageError, [1, 0], 500000000.0),
        (metrics.MeanSquaredLogarithmicError, None, 0.12011322),
        (metrics.MeanSquaredLogarithmicError, [1, 0], 0.24022643),
        (metrics.LogCoshError, None, 0.10844523),
        (metrics.LogCoshError, [1, 0], 0.21689045),
        (metrics.RootMeanSquaredError, None, 0.5),
        (metrics.RootMeanSquaredError, [1, 0], 0.70710677),
    ]
    for cls, sw, expected in cases:
        m = cls()
        m.update_state(y_true, y_pred, sample_weight=sw)
        np.testing.assert_allclose(m.result().numpy(), expected, rtol=1e-6,
                                   err_msg=cls.__name__)
    m = metrics.CosineSimilarity(axis=1)
    m.update_state([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]],
                   sample_weight=[0.3, 0.7])
    np.testing.assert_allclose(m.result().numpy(), 0.6999999, rtol=1e-6)


def np_r2(y_true, y_pred, weights, aggregation, num_regressors=0):
    w = np.broadcast_to(weights.reshape(-1, 1), y_true.shape)
    mean = np.sum(w * y_true, 0) / np.sum(w, 0)
    total = np.sum(w * (y_true - mean) ** 2, 0)
    residual = np.sum(w * (y_true - y_pred) ** 2, 0)
    raw = 1 - residual / total
    if aggregation == "uniform_average":
        score = raw.mean()
    elif aggregation == "variance_weighted_average":
        score = np.sum(total * raw) / np.sum(total)
    else:
        score = raw
    n = y_true.size
    if num_regressors and num_regressors < n - 1:
        score = 1 - (1 - score) * (n - 1) / (n - num_regressors - 1)
    return score


def test_r2_score_matches_numpy():
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=(37, 3)).astype(np.float32)
    y_pred = (y_true + rng.normal(scale=0.5, size=(37, 3))).astype(
        np.float32)
    w = rng.uniform(0.1, 2, 37).astype(np.float32)
    for aggregation in ("uniform_average", "variance_weighted_average",
                        None):
        for num_regressors in (0, 4):
            m = metrics.R2Score(class_aggregation=aggregation,
                                num_regressors=num_regressors)
            np.testing.assert_allclose(
                feed(m, y_true, y_pred, w),
                np_r2(y_true.astype(np.float64), y_pred.astype(np.float64),
                      w.astype(np.float64), aggregation, num_regressors),
                rtol=1e-5, err_msg=f"{aggregation} {num_regressors}")
    m = metrics.R2Score()
    m.update_state(np.array([[1], [4], [3]], np.float32),
                   np.array([[2], [4], [4]], np.float32))
    np.testing.assert_allclose(m.result().numpy(), 0.57142854, rtol=1e-6)
    # More regressors than samples: Keras falls back to the plain score.
    m = metrics.R2Score(num_regressors=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.update_state(y_true[:4, :1], y_pred[:4, :1])
        result = m.result().numpy()
    np.testing.assert_allclose(
        result, np_r2(y_true[:4, :1], y_pred[:4, :1], np.ones(4),
                      "uniform_average"), rtol=1e-5)
    m.reset_state()
    assert all(float(v.sum()) == 0 for v in m.variables)
    # Keras's value for no data (0 / 0), before and after a reset.
    assert np.isnan(m.result().numpy())
    assert np.isnan(metrics.R2Score().result().numpy())


def test_configs_and_errors():
    objects = [metrics.MeanSquaredError(name="m", dtype="float64"),
               metrics.RootMeanSquaredError(), metrics.MeanAbsoluteError(),
               metrics.MeanAbsolutePercentageError(),
               metrics.MeanSquaredLogarithmicError(),
               metrics.LogCoshError(), metrics.CosineSimilarity(axis=0),
               metrics.R2Score(class_aggregation=None, num_regressors=2)]
    for metric in objects:
        config = metric.get_config()
        assert type(metric).from_config(config).get_config() == config
    assert metrics.LogCoshError().name == "logcosh"
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="max")
    with pytest.raises(ValueError, match="num_regressors"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match=r"R2Score expects 2D.*\(5, 2, 2\)"):
        metrics.R2Score().update_state(np.ones((5, 2, 2)), np.ones((5, 2, 2)))
    with pytest.raises(ValueError, match=r"RootMeanSquaredError.*"
                       r"y_true.shape=\(4,\), y_pred.shape=\(3,\)"):
        metrics.RootMeanSquaredError().update_state(np.ones(4), np.ones(3))
