"""Confusion-matrix accumulation shared by the thresholded metrics.

``update_confusion_matrix_variables`` adds weighted true/false
positives/negatives at each threshold to the given state variables, as
Keras 3's ``keras/src/metrics/metrics_utils.py``: a prediction counts as
positive when it is strictly above the threshold. Evenly spaced thresholds
(AUC's) take Keras's bucketing path: one scatter-add into threshold buckets
and a reversed cumulative sum, O(thresholds + predictions), with Keras's own
bucket arithmetic so results agree at the bucket edges.
"""

import enum

import numpy as np
import torch

from torchkeras.backend.config import epsilon
from torchkeras.metrics import _utils

NEG_INF = -1e10


class ConfusionMatrix(enum.Enum):
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


class AUCCurve(enum.Enum):
    """Type of AUC curve (ROC or PR)."""

    ROC = "ROC"
    PR = "PR"

    @staticmethod
    def from_str(key):
        if key in ("pr", "PR"):
            return AUCCurve.PR
        if key in ("roc", "ROC"):
            return AUCCurve.ROC
        raise ValueError(
            f'Invalid AUC curve value: "{key}". '
            'Expected values are ["PR", "ROC"]. '
            f"Received: curve={key!r}"
        )


class AUCSummationMethod(enum.Enum):
    """Riemann summation method of the AUC."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key):
        for method in AUCSummationMethod:
            if key in (method.value, method.value.capitalize()):
                return method
        raise ValueError(
            f'Invalid AUC summation method value: "{key}". '
            'Expected values are ["interpolation", "majoring", "minoring"]. '
            f"Received: summation_method={key!r}"
        )


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """Returns the thresholds as a list, checking they lie in ``[0, 1]``."""
    if thresholds is not None:
        values = _to_list(thresholds)
        invalid = [t for t in values if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(
                f"Threshold values must be in [0, 1]. Received: {invalid}"
            )
    return _to_list(default_threshold if thresholds is None else thresholds)


def _to_list(x):
    if isinstance(x, (list, tuple)):
        return [float(v) for v in x]
    if isinstance(x, np.ndarray):
        return [float(v) for v in x.reshape(-1)]
    return [float(x)]


def is_evenly_distributed_thresholds(thresholds):
    """Whether the thresholds are ``[0, 1/(n-1), ..., 1]`` (n >= 3)."""
    num_thresholds = len(thresholds)
    if num_thresholds < 3:
        return False
    even = np.arange(num_thresholds, dtype=np.float32) / (num_thresholds - 1)
    return bool(np.allclose(thresholds, even, atol=epsilon()))


def update_confusion_matrix_variables(
    metric,
    variables_to_update,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
    threshold_values=None,
):
    """Adds the weighted confusion counts at each threshold to the states.

    Args:
        metric: the metric updating (named in errors).
        variables_to_update: dict from ``ConfusionMatrix`` members to state
            variables of shape ``(num_thresholds,)`` (or
            ``(num_thresholds, num_labels)`` when ``multi_label``).
        y_true: labels, same shape as ``y_pred``; cast to bool.
        y_pred: predictions in ``[0, 1]``.
        thresholds: a Python list of floats.
        top_k: keep only the top-k predictions of the last axis.
        class_id: restrict to that class of the last axis.
        sample_weight: weights broadcastable to ``y_true``.
        multi_label: keep the label axis separate instead of flattening.
        label_weights: per-label weights (flattened case only).
        thresholds_distributed_evenly: use the bucketing path.
        threshold_values: the thresholds as a tensor on the state's device
            (kept by the metric, so no host-to-device copy per step).
    """
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside "
            "of `update_confusion_matrix_variables` when `multi_label` is "
            "True."
        )
    first = next(iter(variables_to_update.values()))
    dtype, device = first.dtype, first.device
    y_true = _utils.to_tensor(y_true, dtype, device)
    y_pred = _utils.to_tensor(y_pred, dtype, device)
    y_pred, y_true = _utils.squeeze_or_expand_to_same_rank(y_pred, y_true)
    _utils.check_same_shape(metric, y_true, y_pred)
    if sample_weight is not None:
        sample_weight = _utils.to_tensor(sample_weight, dtype, device)
        sample_weight = sample_weight.unsqueeze(-1)
        _, sample_weight = _utils.squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with "
                "shape (num_samples, num_classes), found shape: "
                f"{tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if sample_weight is not None:
        sample_weight = _utils.broadcast_to(
            sample_weight, y_pred.shape, metric, "sample_weight", "y_pred"
        )
    if label_weights is not None:
        label_weights = _utils.broadcast_to(
            label_weights.to(dtype).unsqueeze(0), y_pred.shape, metric,
            "label_weights", "y_pred",
        )
    weights = _combine(sample_weight, label_weights)
    if thresholds_distributed_evenly:
        counts = _bucketed_counts(
            y_true, y_pred, weights, thresholds, multi_label, dtype
        )
    else:
        if threshold_values is None:
            threshold_values = torch.tensor(thresholds, device=device)
        counts = _compared_counts(
            y_true, y_pred, weights, threshold_values.to(dtype), multi_label,
            dtype,
        )
    for key, variable in variables_to_update.items():
        variable.assign_add(counts[key.value])


def _combine(sample_weight, label_weights):
    if sample_weight is None:
        return label_weights
    if label_weights is None:
        return sample_weight
    return sample_weight * label_weights


def _bucketed_counts(y_true, y_pred, weights, thresholds, multi_label, dtype):
    """Keras's O(T + N) path for thresholds ``[0, 1/(T-1), ..., 1]``."""
    num_thresholds = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    labels = (y_true != 0).to(dtype)
    y_pred = y_pred.clamp(0.0, 1.0)
    if not multi_label:
        labels, y_pred = labels.reshape(-1), y_pred.reshape(-1)
        if weights is not None:
            weights = weights.reshape(-1)
    # True and false labels side by side: one scatter, one cumsum.
    data = torch.stack([labels, 1.0 - labels], dim=-1)
    if weights is not None:
        data = data * weights.unsqueeze(-1)
    # Predictions in (t_i, t_{i+1}] fall in bucket i: ceil(p * (T-1)) - 1.
    bucket = torch.ceil(y_pred * (num_thresholds - 1)) - 1
    if with_epsilon:
        bucket = torch.relu(bucket)
    # Shifted by one: row 0 collects bucket -1 (p == 0 with t_0 == 0),
    # which is below every threshold.
    index = (bucket.to(torch.int64) + 1).unsqueeze(-1).expand(data.shape)
    sums = torch.zeros((num_thresholds + 1,) + tuple(data.shape[1:]),
                       dtype=data.dtype, device=data.device)
    sums.scatter_add_(0, index, data)
    # Reversed cumulative sum: row i + 1 holds the weight above t_i, row 0
    # the total.
    above = torch.flip(torch.cumsum(torch.flip(sums, (0,)), dim=0), (0,))
    tp, fp = above[1:, ..., 0], above[1:, ..., 1]
    total_true, total_false = above[0, ..., 0], above[0, ..., 1]
    return {"tp": tp, "fp": fp, "tn": total_false - fp,
            "fn": total_true - tp}


def _compared_counts(y_true, y_pred, weights, thresholds, multi_label,
                     dtype):
    """Compares every prediction with every threshold: (T, N[, L])."""
    labels = y_true != 0
    if not multi_label:
        labels, y_pred = labels.reshape(-1), y_pred.reshape(-1)
        if weights is not None:
            weights = weights.reshape(-1)
    thresholds = thresholds.reshape((-1,) + (1,) * y_pred.dim())
    pred_pos = y_pred.unsqueeze(0) > thresholds
    label_pos = labels.unsqueeze(0)

    def count(label, pred):
        hits = (label & pred).to(dtype)
        if weights is not None:
            hits = hits * weights
        return hits.sum(dim=1)

    return {
        "tp": count(label_pos, pred_pos),
        "fp": count(~label_pos, pred_pos),
        "tn": count(~label_pos, ~pred_pos),
        "fn": count(label_pos, ~pred_pos),
    }


def _filter_top_k(x, k):
    """Keeps the top-k values of the last axis; the rest become NEG_INF."""
    k = min(k, x.shape[-1])
    _, top_idx = torch.topk(x, k, dim=-1)
    mask = torch.zeros_like(x).scatter_(-1, top_idx, 1.0)
    return x * mask + NEG_INF * (1 - mask)
