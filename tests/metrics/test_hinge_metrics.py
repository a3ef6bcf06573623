"""Hinge metrics against NumPy and Keras's documented values."""

import numpy as np
import torch

from torchkeras import metrics


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


def test_hinge_metrics_match_numpy():
    rng = np.random.default_rng(0)
    n = 35
    w = rng.uniform(0, 2, n).astype(np.float32)
    signs = rng.choice([-1.0, 1.0], (n, 3)).astype(np.float32)
    scores = rng.normal(size=(n, 3)).astype(np.float32)
    margin = np.maximum(1 - signs * scores, 0)
    for labels in (signs, (signs + 1) / 2):  # {0, 1} labels become -1/1
        np.testing.assert_allclose(
            feed(metrics.Hinge(), labels, scores, w),
            np.sum(margin.mean(1) * w) / w.sum(), rtol=1e-5)
        np.testing.assert_allclose(
            feed(metrics.SquaredHinge(), labels, scores, w),
            np.sum((margin ** 2).mean(1) * w) / w.sum(), rtol=1e-5)
    one_hot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, n)]
    scores = rng.normal(size=(n, 4)).astype(np.float32)
    pos = np.sum(one_hot * scores, 1)
    neg = np.max((1 - one_hot) * scores, 1)
    np.testing.assert_allclose(
        feed(metrics.CategoricalHinge(), one_hot, scores, w),
        np.sum(np.maximum(neg - pos + 1, 0) * w) / w.sum(), rtol=1e-5)


def test_keras_documented_values_and_configs():
    y_true, y_pred = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]
    cases = [(metrics.Hinge, 1.3, 1.1), (metrics.SquaredHinge, 1.86, 1.46),
             (metrics.CategoricalHinge, 1.4000001, 1.2)]
    for cls, plain, weighted in cases:
        m = cls()
        m.update_state(y_true, y_pred)
        np.testing.assert_allclose(m.result().numpy(), plain, rtol=1e-6)
        m.reset_state()
        m.update_state(y_true, y_pred, sample_weight=[1, 0])
        np.testing.assert_allclose(m.result().numpy(), weighted, rtol=1e-6)
        config = m.get_config()
        assert config == {"name": m.name, "dtype": "float32"}
        assert cls.from_config(config).get_config() == config
