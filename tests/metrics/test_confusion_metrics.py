"""Thresholded metrics against a NumPy threshold-bucket reference.

The reference counts, for every threshold ``t``, the (weighted) samples
with ``y_pred > t`` directly, then applies Keras's result formulas (Riemann
sums for AUC, Davis & Goadrich interpolation for PR-AUC). Predictions are
drawn away from every threshold on a 1/200 grid (and include exact 0 and 1)
so that float32 rounding cannot move a prediction across a threshold.
"""

import numpy as np
import pytest
import torch

from torchkeras import metrics

EPS = 1e-7


def feed(metric, y_true, y_pred, sample_weight=None, batch_size=23):
    """Updates ``metric`` batch by batch, alternating NumPy and torch."""
    for step, start in enumerate(range(0, len(y_true), batch_size)):
        sl = slice(start, start + batch_size)
        yt, yp = y_true[sl], y_pred[sl]
        sw = None if sample_weight is None else sample_weight[sl]
        if step % 2:
            yt, yp = torch.as_tensor(yt), torch.as_tensor(yp)
            sw = None if sw is None else torch.as_tensor(sw)
        metric.update_state(yt, yp, sample_weight=sw)
    return metric.result().numpy()


def safe_probs(rng, shape, grid=200):
    """Probabilities at least 0.05/grid away from every k/grid."""
    cells = rng.integers(0, grid, shape)
    probs = (cells + rng.uniform(0.05, 0.95, shape)) / grid
    flat = probs.reshape(-1)
    flat[:3], flat[-2:] = 0.0, 1.0
    return probs.astype(np.float32)


def np_counts(y_true, y_pred, thresholds, weights=None, multi_label=False):
    """(4, T) weighted tp, fp, tn, fn with ``y_pred > t`` over all values,
    or (4, T, L) per label (last axis) when ``multi_label``."""
    y_true = y_true.astype(bool)
    y_pred = y_pred.astype(np.float64)
    w = np.ones(y_pred.shape) if weights is None else np.broadcast_to(
        weights, y_pred.shape)
    if not multi_label:
        y_true, y_pred, w = (y_true.reshape(-1), y_pred.reshape(-1),
                             w.reshape(-1))
    t = np.asarray(thresholds, np.float64).reshape(
        (-1,) + (1,) * y_pred.ndim)
    pos = y_pred[None] > t

    def count(mask):
        return (mask * w).sum(axis=1)

    return np.stack([count(pos & y_true), count(pos & ~y_true),
                     count(~pos & ~y_true), count(~pos & y_true)])


def div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))


def np_auc_terms(counts, curve, method):
    """Keras's per-interval AUC terms from counts (T[, L])."""
    tp, fp, tn, fn = counts
    if curve == "PR" and method == "interpolation":
        p = tp + fp
        dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
        slope = div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0),
                         div(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return div(slope * (dtp + intercept * np.log(ratio)),
                   np.maximum(tp[1:] + fn[1:], 0))
    recall = div(tp, tp + fn)
    if curve == "ROC":
        x, y = div(fp, fp + tn), recall
    else:
        x, y = recall, div(tp, tp + fp)
    heights = {"interpolation": (y[:-1] + y[1:]) / 2,
               "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[method]
    return (x[:-1] - x[1:]) * heights


def auc_thresholds(num_thresholds):
    inner = [(i + 1) / (num_thresholds - 1)
             for i in range(num_thresholds - 2)]
    return [-EPS] + inner + [1 + EPS]


def test_condition_counts_on_both_threshold_paths():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, (90, 2))
    y_pred = safe_probs(rng, (90, 2))
    w = rng.uniform(0, 2, 90).astype(np.float32)
    classes = [metrics.TruePositives, metrics.FalsePositives,
               metrics.TrueNegatives, metrics.FalseNegatives]
    # [0, 0.5, 1] is evenly spaced (Keras's bucket path, where tn and fn
    # are totals minus fp and tp: float32 cancellation, hence the atol);
    # the other thresholds are compared one by one.
    for thresholds in ([0.15, 0.5, 0.85], [0.0, 0.5, 1.0], None, 0.35):
        expected = np_counts(y_true, y_pred,
                             0.5 if thresholds is None else thresholds,
                             w[:, None])
        for cls, exp in zip(classes, expected):
            got = feed(cls(thresholds=thresholds), y_true, y_pred, w)
            np.testing.assert_allclose(
                got, exp if exp.size > 1 else exp[0], rtol=1e-5, atol=1e-4,
                err_msg=f"{cls.__name__} {thresholds}")


def test_precision_and_recall_with_thresholds_top_k_and_class_id():
    rng = np.random.default_rng(1)
    n, c = 80, 5
    y_true = rng.integers(0, 2, (n, c))
    y_pred = safe_probs(rng, (n, c))
    w = rng.uniform(0, 2, n).astype(np.float32)

    def check(expected_pred, labels, weights, **kwargs):
        tp, fp, _, fn = np_counts(labels, expected_pred, [0.5], weights)
        for cls, exp in ((metrics.Precision, div(tp, tp + fp)),
                         (metrics.Recall, div(tp, tp + fn))):
            got = feed(cls(**kwargs), y_true, y_pred, w)
            np.testing.assert_allclose(got, exp[0], rtol=1e-5,
                                       err_msg=f"{cls.__name__} {kwargs}")

    check(y_pred, y_true, w[:, None])
    check(y_pred[:, 2], y_true[:, 2], w, class_id=2)
    # top_k: only the k largest predictions of a row may be positive.
    rank = np.argsort(np.argsort(-y_pred, axis=1), axis=1)
    in_top2 = np.where(rank < 2, 1.0, 0.0)
    check(in_top2, y_true, w[:, None], top_k=2)
    above = np.where((rank < 2) & (y_pred > 0.5), 1.0, 0.0)
    check(above, y_true, w[:, None], top_k=2, thresholds=0.5)
    check(in_top2[:, 3], y_true[:, 3], w, top_k=2, class_id=3)

    thresholds = [0.15, 0.5, 0.85]
    tp, fp, _, fn = np_counts(y_true, y_pred, thresholds, w[:, None])
    got = feed(metrics.Precision(thresholds=thresholds), y_true, y_pred, w)
    np.testing.assert_allclose(got, div(tp, tp + fp), rtol=1e-5)
    got = feed(metrics.Recall(thresholds=thresholds), y_true, y_pred, w)
    np.testing.assert_allclose(got, div(tp, tp + fn), rtol=1e-5)


def test_auc_matches_numpy_buckets_for_curves_and_summations():
    rng = np.random.default_rng(2)
    n = 300
    y_true = rng.integers(0, 2, (n, 1))
    y_pred = safe_probs(rng, (n, 1))
    w = rng.uniform(0, 2, n).astype(np.float32)
    for num_thresholds in (201, 51):
        counts = np_counts(y_true, y_pred, auc_thresholds(num_thresholds),
                           w[:, None])
        for curve in ("ROC", "PR"):
            for method in ("interpolation", "minoring", "majoring"):
                expected = np_auc_terms(counts, curve, method).sum()
                m = metrics.AUC(num_thresholds=num_thresholds, curve=curve,
                                summation_method=method)
                got = feed(m, y_true, y_pred, w)
                np.testing.assert_allclose(
                    got, expected, rtol=1e-5, atol=1e-6,
                    err_msg=f"{num_thresholds} {curve} {method}")
    # The unweighted ROC-AUC with fine thresholds approaches the exact
    # (Mann-Whitney) AUC, an estimate independent of Keras's formulas.
    pos, neg = y_pred[y_true == 1], y_pred[y_true == 0]
    exact = ((pos[:, None] > neg[None]).mean()
             + 0.5 * (pos[:, None] == neg[None]).mean())
    got = feed(metrics.AUC(num_thresholds=2001), y_true, y_pred)
    np.testing.assert_allclose(got, exact, atol=2e-3)


def test_auc_custom_thresholds_logits_and_label_weights():
    rng = np.random.default_rng(3)
    n, c = 120, 3
    y_true = rng.integers(0, 2, (n, c))
    y_pred = safe_probs(rng, (n, c))
    y_pred[:3], y_pred[-2:] = 0.25, 0.75  # keep logits finite
    w = rng.uniform(0, 2, n).astype(np.float32)

    thresholds = [0.9, 0.1, 0.35, 0.6]   # uneven: compared path, sorted
    counts = np_counts(y_true, y_pred, [-EPS, 0.1, 0.35, 0.6, 0.9, 1 + EPS],
                       w[:, None])
    m = metrics.AUC(thresholds=thresholds, curve="PR")
    np.testing.assert_allclose(
        feed(m, y_true, y_pred, w),
        np_auc_terms(counts, "PR", "interpolation").sum(), rtol=1e-5)
    assert m.num_thresholds == 6
    assert m.get_config()["thresholds"] == [0.1, 0.35, 0.6, 0.9]

    logits = np.log(y_pred / (1 - y_pred)).astype(np.float32)
    counts = np_counts(y_true, y_pred, auc_thresholds(201), w[:, None])
    expected = np_auc_terms(counts, "ROC", "interpolation").sum()
    got = feed(metrics.AUC(num_thresholds=201, from_logits=True), y_true,
               logits, w)
    np.testing.assert_allclose(got, expected, rtol=1e-5)

    label_weights = np.array([0.5, 2.0, 1.0], np.float32)
    counts = np_counts(y_true, y_pred, auc_thresholds(201),
                       w[:, None] * label_weights)
    expected = np_auc_terms(counts, "ROC", "interpolation").sum()
    got = feed(metrics.AUC(num_thresholds=201, label_weights=label_weights),
               y_true, y_pred, w)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_multi_label_auc_averages_label_aucs():
    rng = np.random.default_rng(4)
    n, c = 150, 4
    y_true = rng.integers(0, 2, (n, c))
    y_pred = safe_probs(rng, (n, c))
    w = rng.uniform(0, 2, n).astype(np.float32)
    counts = np_counts(y_true, y_pred, auc_thresholds(51), w[:, None],
                       multi_label=True)
    label_weights = np.array([1.0, 0.0, 2.0, 0.5])
    for curve in ("ROC", "PR"):
        by_label = np_auc_terms(counts, curve, "interpolation").sum(axis=0)
        m = metrics.AUC(num_thresholds=51, curve=curve, multi_label=True)
        assert not m.variables  # built on the first batch
        np.testing.assert_allclose(feed(m, y_true, y_pred, w),
                                   by_label.mean(), rtol=1e-5)
        assert m.true_positives.shape == (51, c)
        m = metrics.AUC(num_thresholds=51, curve=curve, multi_label=True,
                        num_labels=c, label_weights=label_weights)
        np.testing.assert_allclose(
            feed(m, y_true, y_pred, w),
            np.sum(by_label * label_weights) / label_weights.sum(),
            rtol=1e-5)
    m.reset_state()
    assert float(m.result()) == 0.0
    assert float(metrics.AUC(multi_label=True).result()) == 0.0
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(np.ones(3), np.ones(3))


def test_at_metrics_match_numpy():
    rng = np.random.default_rng(5)
    n = 200
    y_true = rng.integers(0, 2, (n, 3))
    y_pred = safe_probs(rng, (n, 3))
    w = rng.uniform(0, 2, n).astype(np.float32)
    thresholds = np.linspace(0.0, 1.0, 201)
    thresholds[0], thresholds[-1] = 0.0, 1.0
    tp, fp, tn, fn = np_counts(y_true[:, 1], y_pred[:, 1], thresholds, w)
    recall, spec = div(tp, tp + fn), div(tn, tn + fp)
    precision = div(tp, tp + fp)

    def best(constrained, dependent, value):
        feasible = constrained >= value
        return dependent[feasible].max() if feasible.any() else 0.0

    cases = [
        (metrics.SensitivityAtSpecificity, spec, recall),
        (metrics.SpecificityAtSensitivity, recall, spec),
        (metrics.PrecisionAtRecall, recall, precision),
        (metrics.RecallAtPrecision, precision, recall),
    ]
    for cls, constrained, dependent in cases:
        for value in (0.0, 0.4, 0.8, 1.0):
            m = cls(value, num_thresholds=201, class_id=1)
            np.testing.assert_allclose(
                feed(m, y_true, y_pred, w), best(constrained, dependent,
                                                 value),
                rtol=1e-5, err_msg=f"{cls.__name__}({value})")
    assert float(metrics.RecallAtPrecision(1.0).result()) == 0.0


def test_configs_reset_and_errors():
    rng = np.random.default_rng(6)
    objects = [
        metrics.TruePositives(thresholds=[0.2, 0.4]),
        metrics.Precision(thresholds=0.3, class_id=1, name="p"),
        metrics.Recall(top_k=2),
        metrics.SensitivityAtSpecificity(0.4, num_thresholds=7),
        metrics.SpecificityAtSensitivity(0.3, class_id=0),
        metrics.PrecisionAtRecall(0.2),
        metrics.RecallAtPrecision(0.9, num_thresholds=11),
        metrics.AUC(num_thresholds=11, curve="PR",
                    summation_method="majoring", multi_label=True,
                    num_labels=3, label_weights=[1.0, 2.0, 3.0]),
        metrics.AUC(thresholds=[0.3, 0.1]),
    ]
    y_true = rng.integers(0, 2, (10, 3))
    y_pred = rng.uniform(size=(10, 3)).astype(np.float32)
    for metric in objects:
        config = metric.get_config()
        clone = type(metric).from_config(config)
        assert clone.get_config() == config
        initial = clone.result().numpy()
        metric.update_state(y_true, y_pred)
        clone.update_state(y_true, y_pred)
        np.testing.assert_allclose(clone.result().numpy(),
                                   metric.result().numpy())
        clone.reset_state()
        np.testing.assert_array_equal(clone.result().numpy(), initial)

    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="class_id"):
        metrics.Recall(class_id=0).update_state([1, 0], [0.3, 0.6])
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="PRGAIN")
    with pytest.raises(ValueError, match="specificity"):
        metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match=r"AUC metric 'auc.*"
                       r"y_true.shape=\(4, 2\), y_pred.shape=\(4, 3\)"):
        metrics.AUC(name="auc").update_state(np.ones((4, 2)),
                                             np.ones((4, 3)))
