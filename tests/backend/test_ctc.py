"""Tests for ``torchkeras/backend/ctc.py`` (tf.keras CTC conventions).

The loss is checked against an independent NumPy forward algorithm
(log-space alpha recursion) of tf.keras's conventions: softmax
probabilities in, ``log(y_pred + eps)`` re-normalised by tf's softmax,
blank = last class. Beam search is checked against brute-force enumeration
of every alignment.
"""

import itertools

import numpy as np
import pytest
import torch

from torchkeras.backend import ctc

EPS = 1e-7


def np_log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def np_ctc_nll(log_probs, labels, blank):
    """-log p(labels | log_probs) by the CTC forward (alpha) recursion."""
    ext = [blank]
    for label in labels:
        ext += [int(label), blank]
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = log_probs[0, blank]
    if len(ext) > 1:
        alpha[1] = log_probs[0, ext[1]]
    for t in range(1, len(log_probs)):
        prev = alpha
        alpha = np.full(len(ext), -np.inf)
        for s, label in enumerate(ext):
            total = prev[s]
            if s >= 1:
                total = np.logaddexp(total, prev[s - 1])
            if s >= 2 and label != blank and label != ext[s - 2]:
                total = np.logaddexp(total, prev[s - 2])
            alpha[s] = total + log_probs[t, label]
    tail = alpha[-1] if len(ext) == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return -tail


def tf_keras_log_probs(y_pred):
    return np_log_softmax(np.log(y_pred + EPS))


def random_case(rng, batch=5, time_steps=8, num_classes=5, dtype=np.float64):
    logits = rng.normal(scale=2.0, size=(batch, time_steps, num_classes))
    y_pred = np.exp(np_log_softmax(logits)).astype(dtype)
    label_length = rng.integers(0, 4, size=(batch, 1))
    labels = rng.integers(0, num_classes - 1, size=(batch, 4))
    labels[0, :2] = 1  # a repeated label needs a blank in between
    label_length[0] = 2
    input_length = rng.integers(6, time_steps + 1, size=(batch, 1))
    return y_pred, labels, input_length, label_length


def reference_costs(y_pred, labels, input_length, label_length):
    log_probs = tf_keras_log_probs(y_pred.astype(np.float64))
    blank = y_pred.shape[-1] - 1
    return np.array(
        [
            np_ctc_nll(
                log_probs[b, : input_length[b, 0]],
                labels[b, : label_length[b, 0]],
                blank,
            )
            for b in range(len(labels))
        ]
    )


def test_ctc_batch_cost_matches_numpy_forward_algorithm():
    rng = np.random.default_rng(0)
    for dtype, rtol in ((np.float64, 1e-9), (np.float32, 1e-5)):
        for _ in range(3):
            case = random_case(rng, dtype=dtype)
            result = ctc.ctc_batch_cost(
                case[1], torch.tensor(case[0]), case[2], case[3]
            )
            assert tuple(result.shape) == (5, 1)
            np.testing.assert_allclose(
                result[:, 0].numpy(), reference_costs(*case), rtol=rtol
            )


def test_ctc_batch_cost_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    y_pred, labels, input_length, label_length = random_case(
        rng, batch=2, time_steps=6, num_classes=4
    )
    y_pred_t = torch.tensor(y_pred, requires_grad=True)
    loss = ctc.ctc_batch_cost(labels, y_pred_t, input_length, label_length)
    loss.sum().backward()
    step = 1e-6
    numeric = np.zeros_like(y_pred)
    for index in np.ndindex(*y_pred.shape):
        bumped = y_pred.copy()
        bumped[index] += step
        up = reference_costs(bumped, labels, input_length, label_length)
        bumped[index] -= 2 * step
        down = reference_costs(bumped, labels, input_length, label_length)
        numeric[index] = (up.sum() - down.sum()) / (2 * step)
    np.testing.assert_allclose(
        y_pred_t.grad.numpy(), numeric, rtol=1e-4, atol=1e-6
    )


def test_impossible_alignment_is_infinite_and_bad_shapes_raise():
    y_pred = torch.full((1, 2, 3), 1.0 / 3)
    cost = ctc.ctc_batch_cost([[0, 0, 1]], y_pred, [[2]], [[3]])
    assert torch.isinf(cost).all()
    with pytest.raises(ValueError, match=r"y_pred.shape=\(2, 3\)"):
        ctc.ctc_batch_cost([[0]], torch.ones(2, 3), [[1]], [[1]])
    with pytest.raises(ValueError, match=r"labels.shape=\(3, 1\)"):
        ctc.ctc_batch_cost([[0], [0], [0]], y_pred, [[2]], [[1]])
    with pytest.raises(ValueError, match="input_length"):
        ctc.ctc_batch_cost([[0]], y_pred, [[2], [2]], [[1]])


def test_ctc_label_dense_to_sparse():
    labels = torch.tensor([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]])
    sparse = ctc.ctc_label_dense_to_sparse(labels, np.array([[2], [0], [4]]))
    assert sparse.is_sparse and tuple(sparse.shape) == (3, 4)
    np.testing.assert_array_equal(
        sparse.indices().numpy(),
        [[0, 0, 2, 2, 2, 2], [0, 1, 0, 1, 2, 3]],
    )
    np.testing.assert_array_equal(sparse.values().numpy(), [3, 1, 5, 3, 5, 8])
    dense = sparse.to_dense()
    assert dense[1].sum() == 0 and dense[0, 2] == 0


def one_hot_probs(argmax_rows, num_classes, peak=0.7):
    probs = np.full(
        (len(argmax_rows), num_classes), (1 - peak) / (num_classes - 1)
    )
    probs[np.arange(len(argmax_rows)), argmax_rows] = peak
    return probs


def test_ctc_decode_greedy_merges_repeats_then_drops_blanks():
    blank = 3
    first = one_hot_probs([0, 0, blank, 0, 1, 1, blank], 4)
    second = one_hot_probs([2, blank, 2, 2, 1, 0, 0], 4)
    y_pred = torch.tensor(np.stack([first, second]))
    decoded, log_prob = ctc.ctc_decode(y_pred, np.array([7, 4]))
    assert len(decoded) == 1 and decoded[0].dtype == torch.int64
    np.testing.assert_array_equal(
        decoded[0].numpy(),
        [[0, 0, 1, -1, -1, -1, -1], [2, 2, -1, -1, -1, -1, -1]],
    )
    # tf: minus the sum of each valid step's largest log(y_pred + eps).
    expected = [-7 * np.log(0.7 + EPS), -4 * np.log(0.7 + EPS)]
    np.testing.assert_allclose(log_prob[:, 0].numpy(), expected, rtol=1e-6)


def test_ctc_decode_beam_finds_a_better_path_than_greedy():
    # Two steps with p(a) = 0.4, p(blank) = 0.6: the best path is blank,
    # blank (""), but "a" has probability 0.16 + 0.24 + 0.24 = 0.64.
    y_pred = torch.tensor([[[0.4, 0.6], [0.4, 0.6]]], dtype=torch.float64)
    greedy, _ = ctc.ctc_decode(y_pred, [2])
    np.testing.assert_array_equal(greedy[0].numpy(), [[-1, -1]])
    beam, log_probs = ctc.ctc_decode(y_pred, [2], greedy=False, top_paths=2)
    np.testing.assert_array_equal(beam[0].numpy(), [[0, -1]])
    np.testing.assert_array_equal(beam[1].numpy(), [[-1, -1]])
    p_a, p_blank = (np.array([0.4, 0.6]) + EPS) / (1 + 2 * EPS)
    np.testing.assert_allclose(
        log_probs.numpy(),
        [[np.log(p_a**2 + 2 * p_a * p_blank), np.log(p_blank**2)]],
        rtol=1e-6,
    )


def brute_force_labelings(log_probs, blank):
    """Exact probability of every labeling, by enumerating alignments."""
    totals = {}
    time_steps, num_classes = log_probs.shape
    for path in itertools.product(range(num_classes), repeat=time_steps):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        labeling = tuple(c for c in merged if c != blank)
        score = sum(log_probs[t, c] for t, c in enumerate(path))
        totals[labeling] = np.logaddexp(totals.get(labeling, -np.inf), score)
    return sorted(totals.items(), key=lambda item: -item[1])


def test_ctc_decode_beam_search_is_exact_with_a_wide_beam():
    rng = np.random.default_rng(2)
    y_pred = np.exp(np_log_softmax(rng.normal(size=(2, 5, 3))))
    lengths = np.array([5, 4])
    decoded, log_probs = ctc.ctc_decode(
        torch.tensor(y_pred),
        lengths,
        greedy=False,
        beam_width=50,
        top_paths=3,
    )
    log_p = tf_keras_log_probs(y_pred)
    for b in range(2):
        best = brute_force_labelings(log_p[b, : lengths[b]], blank=2)[:3]
        for k, (labeling, score) in enumerate(best):
            # tf.keras's v1 beam decoder merges repeats in its outputs.
            merged = [
                c
                for i, c in enumerate(labeling)
                if i == 0 or c != labeling[i - 1]
            ]
            row = decoded[k][b].numpy()
            np.testing.assert_array_equal(row[: len(merged)], merged)
            assert np.all(row[len(merged) :] == -1)
            np.testing.assert_allclose(log_probs[b, k].numpy(), score, 1e-9)


def test_tf_keras_beam_output_merges_repeated_labels():
    # Best labeling is "a a" (a, blank, a); tf.keras's decoder prints "a".
    y_pred = torch.tensor(
        [[[0.9, 0.1], [0.1, 0.9], [0.9, 0.1]]], dtype=torch.float64
    )
    decoded, _ = ctc.ctc_decode(y_pred, [3], greedy=False)
    np.testing.assert_array_equal(decoded[0].numpy(), [[0, -1, -1]])
    with pytest.raises(ValueError, match="top_paths=3, beam_width=2"):
        ctc.ctc_decode(y_pred, [3], greedy=False, beam_width=2, top_paths=3)
