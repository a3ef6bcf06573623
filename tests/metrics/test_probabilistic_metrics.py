"""Crossentropy, KL divergence and Poisson metrics against NumPy and
Keras's documented values."""

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


def np_bce(t, p, from_logits=False, smoothing=0.0):
    t = t * (1 - smoothing) + 0.5 * smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=-1)


def np_cce(t, p, from_logits=False, smoothing=0.0):
    t = t * (1 - smoothing) + smoothing / t.shape[-1]
    if from_logits:
        log_p = p - p.max(-1, keepdims=True)
        log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
    else:
        log_p = np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))
    return -np.sum(t * log_p, axis=-1)


def weighted_mean(values, w):
    return np.sum(values * w) / np.sum(w)


def test_crossentropies_match_numpy():
    rng = np.random.default_rng(0)
    n, c = 42, 4
    w = rng.uniform(0, 2, n).astype(np.float32)
    labels = rng.integers(0, c, n)
    one_hot = np.eye(c, dtype=np.float32)[labels]
    probs = rng.dirichlet(np.ones(c), n).astype(np.float32)
    logits = rng.normal(size=(n, c)).astype(np.float32)
    binary = rng.integers(0, 2, (n, 3)).astype(np.float32)
    p64, l64 = probs.astype(np.float64), logits.astype(np.float64)
    cases = [
        (metrics.BinaryCrossentropy(), binary, probs[:, :3],
         np_bce(binary, p64[:, :3])),
        (metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
         binary, logits[:, :3], np_bce(binary, l64[:, :3], True, 0.2)),
        (metrics.CategoricalCrossentropy(), one_hot, probs,
         np_cce(one_hot, p64)),
        (metrics.CategoricalCrossentropy(from_logits=True,
                                         label_smoothing=0.1),
         one_hot, logits, np_cce(one_hot, l64, True, 0.1)),
        (metrics.SparseCategoricalCrossentropy(), labels, probs,
         np_cce(one_hot, p64)),
        (metrics.SparseCategoricalCrossentropy(from_logits=True),
         labels[:, None], logits, np_cce(one_hot, l64, True)),
    ]
    for metric, y_true, y_pred, per_sample in cases:
        np.testing.assert_allclose(
            feed(metric, y_true, y_pred, w), weighted_mean(per_sample, w),
            rtol=1e-5, err_msg=repr(metric.get_config()))


def test_kl_divergence_and_poisson_match_numpy():
    rng = np.random.default_rng(1)
    y_true = rng.dirichlet(np.ones(5), 30).astype(np.float32)
    y_true[0, 0] = 0.0
    y_pred = rng.dirichlet(np.ones(5), 30).astype(np.float32)
    w = rng.uniform(0, 2, 30).astype(np.float32)
    t = np.clip(y_true.astype(np.float64), EPS, 1)
    p = np.clip(y_pred.astype(np.float64), EPS, 1)
    kld = np.sum(t * np.log(t / p), -1)
    np.testing.assert_allclose(feed(metrics.KLDivergence(), y_true, y_pred,
                                    w), weighted_mean(kld, w), rtol=1e-5)
    counts = rng.poisson(2.0, (30, 3)).astype(np.float32)
    rates = rng.uniform(0.5, 4, (30, 3)).astype(np.float32)
    poisson = np.mean(rates - counts * np.log(rates + EPS), -1)
    np.testing.assert_allclose(feed(metrics.Poisson(), counts, rates, w),
                               weighted_mean(poisson, w), rtol=1e-5)


def test_keras_documented_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]
    cases = [
        (metrics.KLDivergence, y_pred, None, 0.45814306),
        (metrics.KLDivergence, y_pred, [1, 0], 0.9162892),
        (metrics.Poisson, [[1, 1], [0, 0]], None, 0.49999997),
        (metrics.Poisson, [[1, 1], [0, 0]], [1, 0], 0.99999994),
        (metrics.BinaryCrossentropy, y_pred, None, 0.81492424),
        (metrics.BinaryCrossentropy, y_pred, [1, 0], 0.9162905),
    ]
    for cls, pred, sw, expected in cases:
        m = cls()
        m.update_state(y_true, pred, sample_weight=sw)
        np.testing.assert_allclose(m.result().numpy(), expected, rtol=1e-6,
                                   err_msg=cls.__name__)
    probs = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    for metric, labels in ((metrics.CategoricalCrossentropy(),
                            [[0, 1, 0], [0, 0, 1]]),
                           (metrics.SparseCategoricalCrossentropy(), [1, 2])):
        metric.update_state(labels, probs)
        np.testing.assert_allclose(metric.result().numpy(), 1.1769392,
                                   rtol=1e-6)
        metric.reset_state()
        metric.update_state(labels, probs, sample_weight=np.array([0.3, 0.7]))
        np.testing.assert_allclose(metric.result().numpy(), 1.6271976,
                                   rtol=1e-6)


def test_configs_and_errors():
    objects = [
        metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        metrics.CategoricalCrossentropy(label_smoothing=0.2, axis=-1),
        metrics.SparseCategoricalCrossentropy(from_logits=True),
        metrics.KLDivergence(name="kl"), metrics.Poisson(dtype="float64"),
    ]
    for metric in objects:
        config = metric.get_config()
        assert type(metric).from_config(config).get_config() == config
    with pytest.raises(ValueError, match=r"SparseCategoricalCrossentropy.*"
                       r"\[0, 3\).*5"):
        metrics.SparseCategoricalCrossentropy().update_state(
            [0, 5], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match=r"target.shape=\(2, 2\), "
                       r"output.shape=\(2, 3\)"):
        metrics.CategoricalCrossentropy().update_state(np.eye(2),
                                                       np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"y_true.shape=\(3, 1\), "
                       r"y_pred.shape=\(2, 1\)"):
        metrics.BinaryCrossentropy().update_state(np.ones((3, 1)),
                                                  np.ones((2, 1)))
