"""Accuracy metrics and their function forms.

``Accuracy``, ``BinaryAccuracy``, ``CategoricalAccuracy``,
``SparseCategoricalAccuracy``, ``TopKCategoricalAccuracy`` and
``SparseTopKCategoricalAccuracy`` average the per-sample matches computed by
the functions of the same (snake-case) names, as Keras 3's
``keras/src/metrics/accuracy_metrics.py`` does. Which variant ``'accuracy'``
means for a model is ``compile``'s business (``engine/compile_utils.py``).
"""

import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype
from torchkeras.metrics._utils import squeeze_or_expand_to_same_rank
from torchkeras.metrics._utils import to_tensor
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.utils.registry import keras_export


def _as_floatx(matches):
    return matches.to(to_torch_dtype(floatx()))


def accuracy(y_true, y_pred):
    """Per-sample frequency of ``y_pred == y_true`` (mean over last axis)."""
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _as_floatx(torch.eq(y_true, y_pred)).mean(dim=-1)


@keras_export("keras.metrics.binary_accuracy")
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per-sample frequency of ``(y_pred > threshold) == y_true``.

    Args:
        y_true: Binary labels (0 or 1).
        y_pred: Predicted probabilities, shaped like `y_true`.
        threshold: Predictions above it count as 1, the others as 0.

    Returns:
        A float tensor: the fraction of matches over the last axis of each
        sample.

    Examples:
        >>> binary_accuracy([[1], [0]], [[0.9], [0.7]]).tolist()
        [1.0, 0.0]
    """
    y_true = to_tensor(y_true)
    y_pred = to_tensor(y_pred, device=y_true.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = (y_pred > threshold).to(y_true.dtype)
    return _as_floatx(torch.eq(y_true, y_pred)).mean(dim=-1)


@keras_export("keras.metrics.categorical_accuracy")
def categorical_accuracy(y_true, y_pred):
    """1 where ``argmax(y_pred) == argmax(y_true)`` (one-hot labels).

    Args:
        y_true: One-hot labels.
        y_pred: Predicted scores, with the classes on the last axis.

    Returns:
        A float tensor of per-sample values (1 for a hit, 0 for a miss).

    Examples:
        >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]],
        ...                      [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).tolist()
        [0.0, 1.0]
    """
    y_true = to_tensor(y_true)
    y_pred = to_tensor(y_pred, device=y_true.device)
    y_true = torch.argmax(y_true, dim=-1)
    reshape_matches = False
    y_true_org_shape = y_true.shape
    if y_true.dim() == y_pred.dim():
        y_true = y_true.squeeze(-1)
        reshape_matches = True
    y_pred = torch.argmax(y_pred, dim=-1)
    matches = _as_floatx(torch.eq(y_true, y_pred))
    if reshape_matches:
        matches = matches.reshape(y_true_org_shape)
    return matches


@keras_export("keras.metrics.sparse_categorical_accuracy")
def sparse_categorical_accuracy(y_true, y_pred):
    """1 where ``argmax(y_pred) == y_true`` (integer labels).

    ``y_true`` may have shape ``(n,)`` or ``(n, 1)``.

    Args:
        y_true: Integer labels.
        y_pred: Predicted scores, with the classes on the last axis.

    Returns:
        A float tensor of per-sample values (1 for a hit, 0 for a miss).

    Examples:
        >>> y_pred = [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]
        >>> sparse_categorical_accuracy([[2], [1]], y_pred).tolist()
        [0.0, 1.0]
    """
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    reshape_matches = False
    y_true_org_shape = y_true.shape
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
        reshape_matches = True
    y_pred = torch.argmax(y_pred, dim=-1).to(y_true.dtype)
    matches = _as_floatx(torch.eq(y_true, y_pred))
    if reshape_matches:
        matches = matches.reshape(y_true_org_shape)
    if matches.dim() > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


@keras_export("keras.metrics.top_k_categorical_accuracy")
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot target is among the top ``k`` predictions.

    Args:
        y_true: One-hot labels.
        y_pred: Predicted scores, with the classes on the last axis.
        k: How many of the highest-scored classes count as a hit.

    Returns:
        A float tensor of per-sample values (1 for a hit, 0 for a miss).

    Examples:
        >>> top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]],
        ...                            [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        ...                            k=1).tolist()
        [0.0, 1.0]
    """
    y_true = to_tensor(y_true)
    return _top_k_matches(torch.argmax(y_true, dim=-1), y_pred, k)


@keras_export("keras.metrics.sparse_top_k_categorical_accuracy")
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer target is among the top ``k`` predictions.

    Args:
        y_true: Integer labels.
        y_pred: Predicted scores, with the classes on the last axis.
        k: How many of the highest-scored classes count as a hit.

    Returns:
        A float tensor of per-sample values (1 for a hit, 0 for a miss).

    Examples:
        >>> sparse_top_k_categorical_accuracy(
        ...     [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).tolist()
        [0.0, 1.0]
    """
    return _top_k_matches(to_tensor(y_true), y_pred, k)


def _top_k_matches(y_true, y_pred, k):
    y_pred = to_tensor(y_pred, device=y_true.device)
    y_true_org_shape = y_true.shape
    if y_pred.dim() > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    y_true = y_true.reshape(-1) if y_true.dim() > 1 else y_true
    matches = _as_floatx(in_top_k(y_true.to(torch.int64), y_pred, k))
    return matches.reshape(y_true_org_shape)


def in_top_k(targets, predictions, k):
    """Whether ``predictions[i, targets[i]]`` is among the top ``k``.

    As TensorFlow's ``in_top_k``: ties at the k-th value count as in the top
    k, and an out-of-range target is never in it.
    """
    num_classes = predictions.shape[-1]
    valid = (targets >= 0) & (targets < num_classes)
    safe = targets.clamp(0, max(num_classes - 1, 0)).unsqueeze(-1)
    target_values = torch.gather(predictions, -1, safe).squeeze(-1)
    kth = torch.topk(predictions, min(k, num_classes), dim=-1).values[..., -1]
    return valid & (target_values >= kth)


@keras_export("keras.metrics.Accuracy")
class Accuracy(MeanMetricWrapper):
    """Calculates how often predictions equal labels.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.BinaryAccuracy")
class BinaryAccuracy(MeanMetricWrapper):
    """Calculates how often predictions match binary labels.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        threshold: (Optional) Float: a prediction above it counts as 1.
            Defaults to ``0.5``; ``0.0`` for a model that outputs logits.

    Examples:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        # Any float, as in Keras and tf.keras: models that output logits
        # use ``threshold=0.0`` (the TF text classification tutorial).
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype,
                         threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "threshold": self.threshold}


@keras_export("keras.metrics.CategoricalAccuracy")
class CategoricalAccuracy(MeanMetricWrapper):
    """Calculates how often predictions match one-hot labels.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]],
        ...                [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
        ...                sample_weight=[0.7, 0.3])
        >>> round(float(m.result()), 6)
        0.3
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.SparseCategoricalAccuracy")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Calculates how often predictions match integer labels.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name,
                         dtype=dtype)
        self._direction = "up"

    def update_state(self, y_true, y_pred, sample_weight=None):
        # The training loop's case (labels (n,) or (n, 1), scores (n, c),
        # no weights or mask) in three device ops; anything else takes
        # the general path.
        if (sample_weight is None and type(y_pred) is torch.Tensor
                and type(y_true) is torch.Tensor and y_pred.dim() == 2
                and y_true.shape[0] == y_pred.shape[0]
                and y_true.numel() == y_pred.shape[0]
                and not y_true.is_floating_point()
                and y_true.device == y_pred.device
                and getattr(y_pred, "_keras_mask", None) is None):
            buffers = self._buffers
            total = buffers[self._state_keys[0]]
            if total.device == y_pred.device:
                matches = y_pred.detach().argmax(-1) == (
                    y_true if y_true.dim() == 1 else y_true.reshape(-1))
                total.add_(matches.sum())
                buffers[self._state_keys[1]].add_(matches.numel())
                return None
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.TopKCategoricalAccuracy")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """Computes how often targets are in the top ``k`` predictions.

    Args:
        k: (Optional) Number of top elements to look at. Defaults to ``5``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]],
        ...                [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name,
                         dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


@keras_export("keras.metrics.SparseTopKCategoricalAccuracy")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """Computes how often integer targets are in the top ``k`` predictions.

    Args:
        k: (Optional) Number of top elements to look at. Defaults to ``5``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy",
                 dtype=None):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name,
                         dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}
