"""Accuracy metrics and functions against NumPy re-implementations."""

import numpy as np
import pytest
import torch

from torchkeras import metrics


def feed(metric, y_true, y_pred, sample_weight=None, batch_size=9):
    """Updates ``metric`` batch by batch, alternating NumPy and torch."""
    for step, start in enumerate(range(0, len(y_true), batch_size)):
        sl = slice(start, start + batch_size)
        yt, yp = y_true[sl], y_pred[sl]
        sw = None if sample_weight is None else sample_weight[sl]
        if step % 2:
            yt, yp = torch.as_tensor(yt), torch.as_tensor(yp)
        metric.update_state(yt, yp, sample_weight=sw)
    return metric.result().numpy()


def weighted_mean(matches, weights):
    return np.sum(matches * weights) / np.sum(weights)


def np_in_top_k(labels, preds, k):
    """TF semantics: in the top k when fewer than k values are larger."""
    target = preds[np.arange(len(labels)), labels]
    larger = (preds > target[:, None]).sum(axis=1)
    return (larger < k).astype(np.float64)


def test_accuracy_and_binary_accuracy_match_numpy():
    rng = np.random.default_rng(0)
    n = 50
    w = rng.uniform(0, 2, n).astype(np.float32)
    labels = rng.integers(0, 4, (n, 1))
    preds = np.where(rng.uniform(size=(n, 1)) < 0.6, labels,
                     rng.integers(0, 4, (n, 1)))
    got = feed(metrics.Accuracy(), labels, preds, w)
    np.testing.assert_allclose(
        got, weighted_mean((labels == preds)[:, 0], w), rtol=1e-5)

    y_true = rng.integers(0, 2, (n, 3)).astype(np.float32)
    y_prob = rng.uniform(size=(n, 3)).astype(np.float32)
    per_sample = ((y_prob > 0.3) == y_true).mean(axis=1)
    got = feed(metrics.BinaryAccuracy(threshold=0.3), y_true, y_prob, w)
    np.testing.assert_allclose(got, weighted_mean(per_sample, w), rtol=1e-5)
    # Labels of shape (n,) against predictions (n, 1): ranks are matched.
    got = feed(metrics.BinaryAccuracy(), y_true[:, 0], y_prob[:, :1], w)
    matches = (y_prob[:, 0] > 0.5) == y_true[:, 0]
    np.testing.assert_allclose(got, weighted_mean(matches, w), rtol=1e-5)
    np.testing.assert_array_equal(
        metrics.binary_accuracy(y_true, y_prob, threshold=0.3).numpy(),
        per_sample.astype(np.float32))


def test_binary_accuracy_of_rank_one_inputs_is_a_batch_mean():
    # Keras 3 reduces the last axis in `binary_accuracy`, so (n,) inputs
    # give one value per batch, and each batch counts once.
    m = metrics.BinaryAccuracy()
    m.update_state([1, 0, 1, 1], [0.9, 0.2, 0.1, 0.3])   # 0.5
    m.update_state([1, 1], [0.9, 0.8])                    # 1.0
    np.testing.assert_allclose(m.result().numpy(), 0.75)


def test_categorical_and_sparse_categorical_accuracy():
    rng = np.random.default_rng(1)
    n, c = 45, 5
    w = rng.uniform(0, 2, n).astype(np.float32)
    labels = rng.integers(0, c, n)
    probs = rng.uniform(size=(n, c)).astype(np.float32)
    matches = (probs.argmax(axis=1) == labels).astype(np.float64)
    expected = weighted_mean(matches, w)
    one_hot = np.eye(c, dtype=np.float32)[labels]
    for metric, y_true in [
        (metrics.CategoricalAccuracy(), one_hot),
        (metrics.SparseCategoricalAccuracy(), labels),
        (metrics.SparseCategoricalAccuracy(), labels[:, None]),
        (metrics.SparseCategoricalAccuracy(), labels.astype(np.float32)),
    ]:
        np.testing.assert_allclose(feed(metric, y_true, probs, w), expected,
                                   rtol=1e-5, err_msg=repr(metric))
    np.testing.assert_array_equal(
        metrics.categorical_accuracy(one_hot, probs).numpy(), matches)
    np.testing.assert_array_equal(
        metrics.sparse_categorical_accuracy(labels[:, None], probs).numpy(),
        matches)
    # Time-distributed predictions: one match per (sample, step).
    seq_labels = rng.integers(0, c, (n, 4))
    seq_probs = rng.uniform(size=(n, 4, c)).astype(np.float32)
    seq_matches = seq_probs.argmax(axis=-1) == seq_labels
    got = feed(metrics.SparseCategoricalAccuracy(), seq_labels, seq_probs, w)
    np.testing.assert_allclose(
        got, weighted_mean(seq_matches.mean(axis=1), w), rtol=1e-5)


def test_top_k_accuracies():
    rng = np.random.default_rng(2)
    n, c = 40, 6
    w = rng.uniform(0, 2, n).astype(np.float32)
    labels = rng.integers(0, c, n)
    probs = rng.uniform(size=(n, c)).astype(np.float32)
    for k in (1, 2, 5, 10):
        expected = weighted_mean(np_in_top_k(labels, probs, k), w)
        got = feed(metrics.SparseTopKCategoricalAccuracy(k=k), labels,
                   probs, w)
        np.testing.assert_allclose(got, expected, rtol=1e-5, err_msg=k)
        got = feed(metrics.TopKCategoricalAccuracy(k=k),
                   np.eye(c)[labels], probs, w)
        np.testing.assert_allclose(got, expected, rtol=1e-5, err_msg=k)
    # Ties at the k-th value count as in the top k (as tf.nn.in_top_k);
    # an out-of-range label never does.
    assert metrics.sparse_top_k_categorical_accuracy(
        [0, 7], [[0.4, 0.4, 0.2], [0.1, 0.2, 0.7]], k=1).tolist() == [
            1.0, 0.0]
    seq = rng.uniform(size=(3, 2, c)).astype(np.float32)
    seq_labels = rng.integers(0, c, (3, 2))
    got = metrics.sparse_top_k_categorical_accuracy(seq_labels, seq, k=2)
    expected = np_in_top_k(seq_labels.reshape(-1), seq.reshape(-1, c), 2)
    np.testing.assert_array_equal(got.numpy(), expected.reshape(3, 2))


def test_binary_accuracy_on_logits_with_threshold_zero():
    # Keras and tf.keras take any threshold; 0.0 reads logits.
    y_true = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])
    logits = np.array([[2.5], [-0.3], [-1.2], [0.4], [0.1]], np.float32)
    expected = ((logits > 0.0) == y_true).mean()
    got = feed(metrics.BinaryAccuracy(threshold=0.0), y_true, logits,
               batch_size=2)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert metrics.BinaryAccuracy(threshold=0.0).get_config()[
        "threshold"] == 0.0


def test_configs_and_errors():
    for metric in [metrics.Accuracy(name="acc"),
                   metrics.BinaryAccuracy(threshold=0.7, dtype="float64"),
                   metrics.CategoricalAccuracy(),
                   metrics.SparseCategoricalAccuracy(),
                   metrics.TopKCategoricalAccuracy(k=3),
                   metrics.SparseTopKCategoricalAccuracy(k=2)]:
        config = metric.get_config()
        assert type(metric).from_config(config).get_config() == config
    assert metrics.BinaryAccuracy(threshold=0.7).get_config()[
        "threshold"] == 0.7
    with pytest.raises(ValueError, match=r"CategoricalAccuracy.*"
                       r"y_true.shape=\(3, 4\), y_pred.shape=\(2, 4\)"):
        metrics.CategoricalAccuracy().update_state(np.eye(4)[:3],
                                                   np.eye(4)[:2])
