"""Tests for ``torchkeras/ops/nn.py``: Keras 3 CTC ops and crossentropies.

CTC references enumerate every alignment by brute force (small cases),
independently of torch's kernel and of our decoders.
"""

import itertools

import numpy as np
import pytest
import torch

from torchkeras import ops

EPS = 1e-7


def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def collapse(path, blank):
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return tuple(c for c in merged if c != blank)


def brute_force_labelings(log_probs, blank):
    totals = {}
    time_steps, num_classes = log_probs.shape
    for path in itertools.product(range(num_classes), repeat=time_steps):
        labeling = collapse(path, blank)
        score = sum(log_probs[t, c] for t, c in enumerate(path))
        totals[labeling] = np.logaddexp(totals.get(labeling, -np.inf), score)
    return totals


def test_ctc_loss_matches_brute_force_for_any_mask_index():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 3))
    targets = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0]])
    target_length = np.array([2, 2, 1])
    output_length = np.array([5, 4, 3])
    for mask_index, relabel in ((0, {}), (2, {2: 0})):
        labels = np.vectorize(lambda c: relabel.get(c, c))(targets)
        loss = ops.ctc_loss(
            labels,
            torch.tensor(logits),
            target_length,
            output_length,
            mask_index=mask_index,
        )
        assert tuple(loss.shape) == (3,)
        for b in range(3):
            log_p = np_log_softmax(logits[b, : output_length[b]])
            totals = brute_force_labelings(log_p, mask_index)
            key = tuple(labels[b, : target_length[b]])
            np.testing.assert_allclose(-loss[b].item(), totals[key], 1e-9)


def test_ctc_decode_greedy_keras3_conventions():
    logits = torch.tensor(
        [
            [
                [0.0, 3.0, 1.0],
                [0.0, 3.0, 1.0],
                [2.0, 0.0, 1.0],
                [0.0, 1.0, 3.0],
                [0.0, 3.0, 0.0],
            ]
        ]
    )
    decoded, scores = ops.ctc_decode(logits, [5])
    assert decoded.dtype == torch.int32 and tuple(decoded.shape) == (1, 1, 5)
    np.testing.assert_array_equal(decoded[0].numpy(), [[1, 2, 1, -1, -1]])
    np.testing.assert_allclose(scores.numpy(), [[-(3 + 3 + 2 + 3 + 3)]])
    decoded, _ = ops.ctc_decode(logits, [5], merge_repeated=False)
    np.testing.assert_array_equal(decoded[0].numpy(), [[1, 1, 2, 1, -1]])
    decoded, scores = ops.ctc_decode(logits, [3], mask_index=None)
    np.testing.assert_array_equal(decoded[0].numpy(), [[1, 0, -1, -1, -1]])
    np.testing.assert_allclose(scores.numpy(), [[-8.0]])


def test_ctc_decode_beam_search_matches_brute_force():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(2, 4, 3))
    decoded, scores = ops.ctc_decode(
        torch.tensor(logits),
        [4, 3],
        strategy="beam_search",
        top_paths=2,
    )
    assert tuple(decoded.shape) == (2, 2, 4)
    assert tuple(scores.shape) == (2, 2)
    for b, length in enumerate([4, 3]):
        totals = brute_force_labelings(np_log_softmax(logits[b, :length]), 0)
        best = sorted(totals.items(), key=lambda item: -item[1])[:2]
        for k, (labeling, score) in enumerate(best):
            # Keras 3 (tf v2 decoder): labelings are returned unmerged.
            row = decoded[k, b].numpy()
            np.testing.assert_array_equal(row[: len(labeling)], labeling)
            assert np.all(row[len(labeling) :] == -1)
            np.testing.assert_allclose(scores[b, k].item(), score, 1e-6)
    with pytest.raises(ValueError, match="strategy='best'"):
        ops.ctc_decode(torch.tensor(logits), [4, 3], strategy="best")


def test_crossentropy_ops_match_numpy():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4, 3))
    probs = np.exp(np_log_softmax(logits))
    labels = np.array([0, 2, 1, 1])
    one_hot = np.eye(3)[labels]
    np.testing.assert_allclose(
        ops.categorical_crossentropy(one_hot, logits, from_logits=True),
        -np.sum(one_hot * np_log_softmax(logits), -1),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        ops.sparse_categorical_crossentropy(labels, probs),
        -np.log(np.clip(probs[np.arange(4), labels], EPS, 1 - EPS)),
        rtol=1e-6,
    )
    p = np.clip(probs, EPS, 1 - EPS)
    np.testing.assert_allclose(
        ops.binary_crossentropy(one_hot, probs),
        -(one_hot * np.log(p + EPS) + (1 - one_hot) * np.log(1 - p + EPS)),
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match=r"target.shape=\(4,\)"):
        ops.binary_crossentropy(labels, probs)


def test_softmax_one_hot_normalize():
    x = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(
        ops.softmax(x), np.exp(np_log_softmax(x)), rtol=1e-6
    )
    np.testing.assert_allclose(ops.log_softmax(x), np_log_softmax(x), 1e-6)
    np.testing.assert_allclose(ops.sigmoid(x), 1 / (1 + np.exp(-x)), 1e-6)
    encoded = ops.one_hot(np.array([2, -1, 0]), 3)
    assert encoded.dtype == torch.float32
    np.testing.assert_array_equal(
        encoded.numpy(), [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
    )
    np.testing.assert_array_equal(
        ops.one_hot([1, 0], 2, axis=0).numpy(), [[0, 1], [1, 0]]
    )
    normalized = ops.normalize(x)
    norms = np.linalg.norm(x[:1], axis=-1, keepdims=True)
    np.testing.assert_allclose(normalized[:1].numpy(), x[:1] / norms, 1e-6)
    np.testing.assert_array_equal(normalized[1].numpy(), [0, 0, 0])
