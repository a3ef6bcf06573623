"""IoU metrics against a NumPy confusion-matrix reference and Keras's
documented values."""

import numpy as np
import pytest
import torch

from torchkeras import metrics

EPS = 1e-7


def feed(metric, y_true, y_pred, sample_weight=None, batch_size=11):
    """Updates ``metric`` batch by batch, alternating NumPy and torch."""
    for step, start in enumerate(range(0, len(y_true), batch_size)):
        sl = slice(start, start + batch_size)
        yt, yp = y_true[sl], y_pred[sl]
        sw = None if sample_weight is None else sample_weight[sl]
        if step % 2:
            yt, yp = torch.as_tensor(yt), torch.as_tensor(yp)
        metric.update_state(yt, yp, sample_weight=sw)
    return metric.result().numpy()


def np_mean_iou(labels, preds, num_classes, weights, target_ids,
                ignore_class=None):
    weights = np.broadcast_to(weights, labels.shape).reshape(-1)
    labels, preds = labels.reshape(-1), preds.reshape(-1)
    if ignore_class is not None:
        keep = labels != ignore_class
        labels, preds, weights = labels[keep], preds[keep], weights[keep]
    cm = np.zeros((num_classes, num_classes))
    np.add.at(cm, (labels, preds), weights)
    tp = np.diag(cm)
    denominator = cm.sum(0) + cm.sum(1) - tp
    tp, denominator = tp[target_ids], denominator[target_ids]
    iou = tp / (denominator + EPS)
    return iou.sum() / ((denominator > 1e-9).sum() + EPS)


def test_iou_and_mean_iou_match_numpy():
    rng = np.random.default_rng(0)
    n, c = 60, 4
    labels = rng.integers(0, c, (n, 5))
    preds = np.where(rng.uniform(size=(n, 5)) < 0.5, labels,
                     rng.integers(0, c, (n, 5)))
    w = rng.uniform(0, 2, (n, 5)).astype(np.float32)
    np.testing.assert_allclose(
        feed(metrics.MeanIoU(num_classes=c), labels, preds, w),
        np_mean_iou(labels, preds, c, w, list(range(c))), rtol=1e-5)
    np.testing.assert_allclose(
        feed(metrics.IoU(num_classes=c, target_class_ids=[1, 3]), labels,
             preds),
        np_mean_iou(labels, preds, c, 1.0, [1, 3]), rtol=1e-5)
    # Class 3 never appears: it is left out of the mean.
    absent = np.minimum(labels, 2)
    np.testing.assert_allclose(
        feed(metrics.MeanIoU(num_classes=c), absent, np.minimum(preds, 2)),
        np_mean_iou(absent, np.minimum(preds, 2), c, 1.0, list(range(c))),
        rtol=1e-5)


def test_ignore_class_and_one_hot_variants():
    rng = np.random.default_rng(1)
    n, c = 50, 3
    labels = rng.integers(-1, c, n)
    preds = rng.integers(0, c, n)
    w = rng.uniform(size=n).astype(np.float32)
    for ignore in (-1, 0):
        m = metrics.MeanIoU(num_classes=c, ignore_class=ignore)
        np.testing.assert_allclose(
            feed(m, np.where(labels < 0, ignore, labels), preds, w),
            np_mean_iou(np.where(labels < 0, ignore, labels), preds, c, w,
                        list(range(c)), ignore_class=ignore),
            rtol=1e-5, err_msg=ignore)
    labels = np.maximum(labels, 0)
    probs = rng.uniform(size=(n, c)).astype(np.float32)
    expected = np_mean_iou(labels, probs.argmax(1), c, w, [0, 2])
    m = metrics.OneHotIoU(num_classes=c, target_class_ids=[0, 2])
    np.testing.assert_allclose(feed(m, np.eye(c)[labels], probs, w),
                               expected, rtol=1e-5)
    expected = np_mean_iou(labels, probs.argmax(1), c, w, [0, 1, 2])
    m = metrics.OneHotMeanIoU(num_classes=c)
    np.testing.assert_allclose(feed(m, np.eye(c)[labels], probs, w),
                               expected, rtol=1e-5)
    m = metrics.IoU(num_classes=c, target_class_ids=[1],
                    sparse_y_true=False, sparse_y_pred=False)
    np.testing.assert_allclose(
        feed(m, np.eye(c)[labels], probs, w),
        np_mean_iou(labels, probs.argmax(1), c, w, [1]), rtol=1e-5)


def test_binary_iou_and_keras_documented_values():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 40)
    probs = rng.uniform(size=40).astype(np.float32)
    m = metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    np.testing.assert_allclose(
        feed(m, labels, probs),
        np_mean_iou(labels, (probs >= 0.3).astype(int), 2, 1.0, [0, 1]),
        rtol=1e-5)

    m = metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7],
                   sample_weight=[0.2, 0.3, 0.4, 0.1])
    np.testing.assert_allclose(m.result().numpy(), 0.17361112, rtol=1e-6)
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1],
                   sample_weight=[0.3, 0.3, 0.3, 0.1])
    np.testing.assert_allclose(m.result().numpy(), 0.23809525, rtol=1e-6)


def test_configs_reset_and_errors():
    objects = [
        metrics.IoU(num_classes=3, target_class_ids=[2], ignore_class=255,
                    sparse_y_pred=False, name="iou2"),
        metrics.MeanIoU(num_classes=4, axis=-1),
        metrics.BinaryIoU(target_class_ids=[1], threshold=0.4),
        metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 1]),
        metrics.OneHotMeanIoU(num_classes=3, sparse_y_pred=True),
    ]
    for metric in objects:
        config = metric.get_config()
        assert type(metric).from_config(config).get_config() == config
    m = metrics.MeanIoU(num_classes=2)
    m.update_state([0, 1], [0, 1])
    m.reset_state()
    assert float(m.result()) == 0.0
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=2, target_class_ids=[2])
    with pytest.raises(ValueError, match=r"MeanIoU.*\[0, 3\).*y_true.*7"):
        metrics.MeanIoU(num_classes=3).update_state([0, 7], [0, 1])
    with pytest.raises(ValueError, match=r"y_true.shape=\(3,\), "
                       r"y_pred.shape=\(2,\)"):
        metrics.MeanIoU(num_classes=3).update_state([0, 1, 2], [0, 1])
