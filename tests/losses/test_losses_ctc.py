"""Tests for ``torchkeras/losses/ctc.py`` (Keras 3 ``CTC``), checked by
brute-force enumeration of every alignment.
"""

import itertools

import numpy as np
import pytest
import torch

from torchkeras import losses


def np_log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def np_ctc_nll(log_probs, labeling, blank=0):
    """-log of the summed probability of all alignments of ``labeling``."""
    total = -np.inf
    time_steps, num_classes = log_probs.shape
    for path in itertools.product(range(num_classes), repeat=time_steps):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if tuple(c for c in merged if c != blank) == labeling:
            score = sum(log_probs[t, c] for t, c in enumerate(path))
            total = np.logaddexp(total, score)
    return -total


def test_ctc_loss_class_matches_brute_force():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 3))
    y_true = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0]])  # 0 pads
    weights = np.array([1.0, 0.5, 2.0])
    labelings = [tuple(row[row > 0]) for row in y_true]
    per_sample = np.array(
        [np_ctc_nll(np_log_softmax(x), y) for x, y in zip(logits, labelings)]
    )
    loss = losses.CTC(reduction="none", dtype="float64")
    np.testing.assert_allclose(
        loss(y_true, logits).numpy(), per_sample, rtol=1e-9
    )
    mean_loss = losses.CTC(dtype="float64")
    result = mean_loss(y_true, logits, sample_weight=weights)
    np.testing.assert_allclose(
        result.numpy(), np.mean(per_sample * weights), rtol=1e-9
    )
    np.testing.assert_allclose(
        losses.ctc(torch.tensor(y_true), torch.tensor(logits)).numpy(),
        per_sample,
        rtol=1e-9,
    )
    assert losses.CTC().get_config() == {
        "name": "ctc",
        "reduction": "sum_over_batch_size",
    }


def test_ctc_gradient_flows_and_bad_ranks_raise():
    logits = torch.randn(2, 4, 3, requires_grad=True)
    losses.CTC()(np.array([[1, 2], [1, 0]]), logits).backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0
    with pytest.raises(ValueError, match=r"y_true.shape=\(2,\)"):
        losses.CTC()(np.array([1, 2]), logits)
    with pytest.raises(ValueError, match=r"y_pred.shape=\(2, 4\)"):
        losses.ctc(np.array([[1], [2]]), torch.zeros(2, 4))
