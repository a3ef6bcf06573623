"""CTC (Connectionist Temporal Classification) in the tf.keras backend API.

Owns the tf.keras 2 spellings ``ctc_batch_cost``, ``ctc_decode`` and
``ctc_label_dense_to_sparse`` (softmax probabilities in, blank = last class,
lengths shaped ``(samples, 1)``), and the two decoders that
``torchkeras.ops.ctc_decode`` (Keras 3 conventions) shares with them.

The loss runs on ``torch.nn.functional.ctc_loss``. tf.keras feeds
``log(y_pred + epsilon())`` to ``tf.compat.v1.nn.ctc_loss``, which applies a
softmax of its own; we reproduce both steps, so the numbers match tf.keras.
Greedy decoding stays on the device (vectorised torch); beam search is a
prefix beam search in NumPy on the host, since decoding is an inference-time
operation, not a per-step one.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend.config import epsilon
from torchkeras.utils.registry import keras_export

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _float_tensor(x, name):
    """Returns ``x`` as a floating tensor (float16/bfloat16 -> float32)."""
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x))
    if not x.is_floating_point():
        x = x.float()
    if x.dtype in _LOW_PRECISION:
        x = x.float()
    if x.ndim != 3:
        raise ValueError(
            f"`{name}` must have shape (samples, time_steps, num_classes). "
            f"Received: {name}.shape={tuple(x.shape)}"
        )
    return x


def as_lengths(x, name, batch_size):
    """Returns lengths as a 1-D int64 tensor; accepts (n,) and (n, 1).

    Lengths stay on their own device: NumPy or CPU lengths let torch's CTC
    kernel read them without a device-to-host copy.
    """
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x))
    if x.ndim == 2 and x.shape[-1] == 1:
        x = x[:, 0]
    if x.ndim == 0:
        x = x.reshape(1).expand(batch_size)
    if x.ndim != 1 or x.shape[0] != batch_size:
        raise ValueError(
            f"`{name}` must have shape (samples,) or (samples, 1) with "
            f"samples={batch_size}. Received: {name}.shape={tuple(x.shape)}"
        )
    return x.long()


def ctc_nll(log_probs, targets, target_lengths, input_lengths, blank, name):
    """Per-sample CTC negative log-likelihood on normalised log-probs.

    Args:
        log_probs: `(batch, time, classes)` log-softmax outputs.
        targets: `(batch, max_label_length)` integer labels, padded.
        target_lengths: `(batch,)` label lengths.
        input_lengths: `(batch,)` number of valid time steps.
        blank: index of the blank class.
        name: the caller, for error messages.

    Returns:
        `(batch,)` losses (`inf` where no alignment exists).
    """
    if not isinstance(targets, torch.Tensor):
        targets = torch.as_tensor(np.asarray(targets))
    targets = targets.to(log_probs.device).long()
    if targets.ndim != 2 or targets.shape[0] != log_probs.shape[0]:
        raise ValueError(
            f"In `{name}`, labels must have shape (samples, "
            "max_label_length) with the batch size of the predictions. "
            f"Received: labels.shape={tuple(targets.shape)}, "
            f"predictions.shape={tuple(log_probs.shape)}"
        )
    try:
        return F.ctc_loss(
            log_probs.transpose(0, 1),
            targets,
            input_lengths,
            target_lengths,
            blank=blank,
            reduction="none",
            zero_infinity=False,
        )
    except RuntimeError as e:
        raise ValueError(
            f"`{name}` could not compute the CTC loss: check that each "
            "input length is at most the number of time steps and each "
            "label length at most the label width. Received: "
            f"predictions.shape={tuple(log_probs.shape)}, "
            f"labels.shape={tuple(targets.shape)}. Torch said: {e}"
        ) from e


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Runs the CTC loss on each batch element (tf.keras conventions).

    Args:
        y_true: `(samples, max_string_length)` integer labels.
        y_pred: `(samples, time_steps, num_categories)` softmax outputs;
            the last category is the blank.
        input_length: `(samples, 1)` valid time steps of each sample.
        label_length: `(samples, 1)` label length of each sample.

    Returns:
        `(samples, 1)` tensor with the CTC loss of each element.

    Examples:
        >>> y_pred = torch.full((1, 2, 2), 0.5)
        >>> keras.backend.ctc_batch_cost([[0]], y_pred, [[2]], [[1]]).shape
        torch.Size([1, 1])
    """
    y_pred = _float_tensor(y_pred, "y_pred")
    batch_size = y_pred.shape[0]
    # tf.keras: log(y_pred + eps), then tf's ctc_loss applies a softmax.
    log_probs = F.log_softmax(torch.log(y_pred + epsilon()), dim=-1)
    loss = ctc_nll(
        log_probs,
        y_true,
        as_lengths(label_length, "label_length", batch_size),
        as_lengths(input_length, "input_length", batch_size),
        blank=y_pred.shape[-1] - 1,
        name="ctc_batch_cost",
    )
    return loss.unsqueeze(1)


@keras_export("keras.backend.ctc_label_dense_to_sparse")
def ctc_label_dense_to_sparse(labels, label_lengths):
    """Converts dense CTC labels to a sparse COO tensor.

    Returns a coalesced `torch.sparse_coo_tensor` of shape `labels.shape`
    whose entries are `labels[b, j]` for `j < label_lengths[b]` (indices
    int64), as tf.keras returns a `tf.SparseTensor`. Use `.indices()`,
    `.values()` and `.shape` for the tf triple.

    Args:
        labels: `(samples, max_label_length)` integer labels, padded.
        label_lengths: `(samples,)` number of valid labels of each row.

    Returns:
        A sparse COO tensor.

    Raises:
        ValueError: If `labels` is not 2-D.

    Examples:
        >>> labels = [[1, 2, 0], [3, 0, 0]]
        >>> sparse = keras.backend.ctc_label_dense_to_sparse(labels, [2, 1])
        >>> sparse.indices()
        tensor([[0, 0, 1],
                [0, 1, 0]])
        >>> sparse.values()
        tensor([1, 2, 3])
    """
    if not isinstance(labels, torch.Tensor):
        labels = torch.as_tensor(np.asarray(labels))
    if labels.ndim != 2:
        raise ValueError(
            "`labels` must have shape (samples, max_label_length). "
            f"Received: labels.shape={tuple(labels.shape)}"
        )
    lengths = as_lengths(label_lengths, "label_lengths", labels.shape[0])
    lengths = lengths.to(labels.device)
    steps = torch.arange(labels.shape[1], device=labels.device)
    dense_mask = steps[None, :] < lengths[:, None]
    indices = dense_mask.nonzero().t()
    values = labels[dense_mask]
    # Row-major `nonzero` order is already the coalesced order.
    return torch.sparse_coo_tensor(
        indices,
        values,
        tuple(labels.shape),
        check_invariants=False,
        is_coalesced=True,
    )


def greedy_decode(logits, sequence_lengths, blank, merge_repeated=True):
    """Best-path decoding, vectorised on the device.

    Takes the arg-max class at each valid step, merges repeats (when
    ``merge_repeated``), then drops blanks, as ``tf.nn.ctc_greedy_decoder``.

    Args:
        logits: `(batch, time, classes)` scores (not necessarily normalised).
        sequence_lengths: `(batch,)` valid time steps.
        blank: index of the blank class.
        merge_repeated: whether consecutive equal classes collapse.

    Returns:
        `(decoded, neg_sum_logits)`: `(batch, time)` int64 labels padded with
        -1, and `(batch, 1)` minus the sum of each step's largest score.
    """
    scores, indices = logits.max(dim=-1)
    time_steps = indices.shape[1]
    steps = torch.arange(time_steps, device=indices.device)
    lengths = sequence_lengths.to(indices.device)
    beyond = steps[None, :] >= lengths[:, None]
    indices = indices.masked_fill(beyond, blank)
    scores = scores.masked_fill(beyond, 0.0)
    keep = indices != blank
    if merge_repeated:
        repeat = torch.zeros_like(keep)
        repeat[:, 1:] = indices[:, 1:] == indices[:, :-1]
        keep = keep & ~repeat
    # Move the kept labels to the front, preserving their order.
    order = torch.argsort(torch.where(keep, steps, steps + time_steps), dim=1)
    decoded = torch.where(keep, indices, -1).gather(1, order)
    return decoded, -scores.sum(dim=1, keepdim=True)


def _prefix_beam_step(beams, log_probs, blank):
    """Scores every way of extending ``beams`` by one step.

    ``beams`` maps a label prefix (tuple) to ``(log p_blank, log p_label)``:
    the probability of the prefix with its paths ending in a blank or in its
    last label. Returns the prefixes, the scores of keeping each prefix
    (blank- and label-ending parts) and the matrix of extension scores.
    """
    prefixes = list(beams)
    p_blank = np.array([beams[p][0] for p in prefixes])
    p_label = np.array([beams[p][1] for p in prefixes])
    total = np.logaddexp(p_blank, p_label)
    stay_blank = total + log_probs[blank]
    stay_label = np.full(len(prefixes), -np.inf)
    extend = total[:, None] + log_probs[None, :]
    extend[:, blank] = -np.inf
    for i, prefix in enumerate(prefixes):
        if prefix:
            last = prefix[-1]
            stay_label[i] = p_label[i] + log_probs[last]
            # A repeated label needs a blank in between to count twice.
            extend[i, last] = p_blank[i] + log_probs[last]
    # An extension that is itself a kept prefix adds to that prefix.
    index = {prefix: i for i, prefix in enumerate(prefixes)}
    for j, prefix in enumerate(prefixes):
        parent = index.get(prefix[:-1]) if prefix else None
        if parent is not None:
            stay_label[j] = np.logaddexp(
                stay_label[j], extend[parent, prefix[-1]]
            )
            extend[parent, prefix[-1]] = -np.inf
    return prefixes, stay_blank, stay_label, extend


def _prune(prefixes, stay_blank, stay_label, extend, beam_width):
    """Keeps the ``beam_width`` most probable prefixes."""
    num_prefixes, num_classes = extend.shape
    scores = np.concatenate(
        [np.logaddexp(stay_blank, stay_label), extend.ravel()]
    )
    k = min(beam_width, int(np.isfinite(scores).sum()))
    best = np.argsort(-scores, kind="stable")[:k]
    beams = {}
    for flat in best:
        if flat < num_prefixes:
            beams[prefixes[flat]] = (stay_blank[flat], stay_label[flat])
        else:
            i, c = divmod(int(flat) - num_prefixes, num_classes)
            beams[prefixes[i] + (c,)] = (-np.inf, extend[i, c])
    return beams


def _collapse_repeats(labels):
    return tuple(
        c for i, c in enumerate(labels) if i == 0 or c != labels[i - 1]
    )


def _beam_search_one(log_probs, blank, beam_width, top_paths, merge):
    """Prefix beam search over one `(time, classes)` log-prob matrix."""
    beams = {(): (0.0, -np.inf)}
    for t in range(log_probs.shape[0]):
        step = _prefix_beam_step(beams, log_probs[t], blank)
        beams = _prune(*step, beam_width)
    ranked = sorted(
        ((np.logaddexp(*beams[p]), p) for p in beams),
        key=lambda item: -item[0],
    )[:top_paths]
    paths = [_collapse_repeats(p) if merge else p for _, p in ranked]
    scores = [score for score, _ in ranked]
    missing = top_paths - len(paths)
    return paths + [()] * missing, scores + [-math.inf] * missing


def beam_search_decode(
    log_probs,
    sequence_lengths,
    blank,
    beam_width=100,
    top_paths=1,
    merge_repeated=False,
):
    """CTC prefix beam search (NumPy, on the host).

    Args:
        log_probs: `(batch, time, classes)` normalised log-probabilities.
        sequence_lengths: `(batch,)` valid time steps.
        blank: index of the blank class.
        beam_width: number of prefixes kept at each step.
        top_paths: number of decodings returned per sample.
        merge_repeated: collapse equal consecutive labels of each returned
            path, as ``tf.compat.v1.nn.ctc_beam_search_decoder`` does by
            default (tf.keras ``ctc_decode`` relies on that default).

    Returns:
        `(decoded, log_probs)`: a list of `top_paths` int64 arrays
        `(batch, time)` padded with -1, and a `(batch, top_paths)` array of
        the prefix log-probabilities (-inf where fewer paths exist).
    """
    if top_paths < 1 or beam_width < top_paths:
        raise ValueError(
            "`top_paths` must be at least 1 and at most `beam_width`. "
            f"Received: top_paths={top_paths}, beam_width={beam_width}"
        )
    log_probs = np.asarray(log_probs, dtype=np.float64)
    lengths = np.asarray(sequence_lengths).reshape(-1)
    batch_size, time_steps, _ = log_probs.shape
    decoded = np.full((top_paths, batch_size, time_steps), -1, np.int64)
    scores = np.empty((batch_size, top_paths))
    for b in range(batch_size):
        paths, path_scores = _beam_search_one(
            log_probs[b, : int(lengths[b])],
            blank,
            beam_width,
            top_paths,
            merge_repeated,
        )
        scores[b] = path_scores
        for k, path in enumerate(paths):
            decoded[k, b, : len(path)] = path
    return list(decoded), scores


@keras_export("keras.backend.ctc_decode")
def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes the output of a softmax (tf.keras conventions).

    Args:
        y_pred: `(samples, time_steps, num_categories)` softmax outputs;
            the last category is the blank.
        input_length: `(samples,)` valid time steps of each sample.
        greedy: best-path decoding when `True`, else beam search.
        beam_width: beam width of the beam search.
        top_paths: how many decodings the beam search returns.

    Returns:
        `(decoded, log_prob)`: a list of `(samples, time_steps)` int64
        tensors with blanks as -1 (one tensor when `greedy`, else
        `top_paths`), and the scores: `(samples, 1)` minus the summed
        best log-scores for greedy, `(samples, top_paths)` path
        log-probabilities for beam search.

    Examples:
        >>> y_pred = torch.tensor([[[0.1, 0.9], [0.8, 0.2]]])
        >>> keras.backend.ctc_decode(y_pred, [2])[0][0]
        tensor([[ 0, -1]])
    """
    y_pred = _float_tensor(y_pred, "y_pred")
    batch_size, _, num_classes = y_pred.shape
    lengths = as_lengths(input_length, "input_length", batch_size)
    logits = torch.log(y_pred + epsilon())
    if greedy:
        decoded, neg_sum = greedy_decode(logits, lengths, num_classes - 1)
        return [decoded], neg_sum
    log_probs = F.log_softmax(logits, dim=-1).detach().cpu().numpy()
    decoded, scores = beam_search_decode(
        log_probs,
        lengths.cpu().numpy(),
        num_classes - 1,
        beam_width=beam_width,
        top_paths=top_paths,
        merge_repeated=True,
    )
    device = y_pred.device
    decoded = [torch.as_tensor(d, device=device) for d in decoded]
    return decoded, torch.as_tensor(scores, dtype=y_pred.dtype, device=device)
