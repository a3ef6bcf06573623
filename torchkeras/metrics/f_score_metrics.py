"""F-scores: ``FBetaScore`` and ``F1Score``, as Keras 3's
``keras/src/metrics/f_score_metrics.py``.

Per-class weighted true positives, false positives, false negatives and
label counts are accumulated (or global ones for ``average='micro'``); the
score is the weighted harmonic mean of precision and recall.
"""

import torch

from torchkeras.backend.config import epsilon
from torchkeras.backend.config import to_torch_dtype
from torchkeras.metrics import _utils
from torchkeras.metrics.metric import Metric
from torchkeras.utils.registry import keras_export


@keras_export("keras.metrics.FBetaScore")
class FBetaScore(Metric):
    """Computes F-Beta score.

    ``(1 + beta**2) * precision * recall / (beta**2 * precision + recall)``
    for multi-class and multi-label classification, with inputs of shape
    ``(batch_size, num_classes)``.

    Args:
        average: ``None`` (default: one score per class), ``"micro"``
            (global counts), ``"macro"`` (unweighted mean of class scores)
            or ``"weighted"`` (mean weighted by class support).
        beta: Weight of recall in the harmonic mean. A Python float > 0.
            Defaults to ``1.0``.
        threshold: Elements of ``y_pred`` greater than ``threshold`` count
            as 1. If ``None``, the argmax of ``y_pred`` counts as 1.
        name: Optional. String name of the metric instance.
        dtype: Optional. Data type of the metric result.

    Examples:
        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.3846, 0.9091, 0.8333]
    """

    def __init__(self, average=None, beta=1.0, threshold=None,
                 name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        _check_arguments(average, beta, threshold)
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape, device):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape "
                "(batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        if self._device is None:
            self._device = device
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_variable(shape=shape, name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the per-class counts, weighted by
        ``sample_weight`` (shape ``(batch_size,)``)."""
        device = self._state_device()
        y_true = _utils.to_tensor(y_true, self.dtype, device)
        y_pred = _utils.to_tensor(y_pred, self.dtype, device)
        if not self._built:
            self._build(y_true.shape, y_pred.shape, y_pred.device)
        _utils.check_same_shape(self, y_true, y_pred)
        if self.threshold is None:
            top = y_pred.amax(dim=-1, keepdim=True)
            # [0, 0, 0] must not become [1, 1, 1].
            y_pred = (y_pred >= top) & (y_pred.abs() > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(y_true.dtype)
        if sample_weight is not None:
            sample_weight = _utils.to_tensor(sample_weight, self.dtype,
                                             y_true.device)
            sample_weight = _utils.broadcast_to(
                sample_weight.unsqueeze(1), y_true.shape, self,
                "sample_weight", "y_true",
            )

        def weighted_sum(values):
            if sample_weight is not None:
                values = values * sample_weight
            return values.sum(dim=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        if not self._built:
            return torch.zeros((), dtype=to_torch_dtype(self.dtype))
        tp = self.true_positives.value()
        precision = tp / (tp + self.false_positives.value() + epsilon())
        recall = tp / (tp + self.false_negatives.value() + epsilon())
        b2 = self.beta ** 2
        mean = (precision * recall) / (b2 * precision + recall + epsilon())
        f_score = mean * (1 + b2)
        if self.average == "weighted":
            support = self.intermediate_weights.value()
            weights = support / (support.sum() + epsilon())
            return (f_score * weights).sum()
        if self.average is not None:
            return f_score.mean()
        return f_score

    def reset_state(self):
        for variable in self.variables:
            variable.assign(0.0)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


def _check_arguments(average, beta, threshold):
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(
            "Invalid `average` argument value. Expected one of: "
            "{None, 'micro', 'macro', 'weighted'}. "
            f"Received: average={average}"
        )
    if not isinstance(beta, float):
        raise ValueError(
            "Invalid `beta` argument value. It should be a Python float. "
            f"Received: beta={beta} of type '{type(beta)}'"
        )
    if beta <= 0.0:
        raise ValueError(
            "Invalid `beta` argument value. It should be > 0. "
            f"Received: beta={beta}"
        )
    if threshold is None:
        return
    if not isinstance(threshold, float):
        raise ValueError(
            "Invalid `threshold` argument value. It should be a Python "
            f"float. Received: threshold={threshold} "
            f"of type '{type(threshold)}'"
        )
    if threshold > 1.0 or threshold <= 0.0:
        raise ValueError(
            "Invalid `threshold` argument value. It should verify "
            f"0 < threshold <= 1. Received: threshold={threshold}"
        )


@keras_export("keras.metrics.F1Score")
class F1Score(FBetaScore):
    """Computes F-1 Score: ``2 * precision * recall / (precision +
    recall)``.

    Args:
        average: ``None`` (default), ``"micro"``, ``"macro"`` or
            ``"weighted"``, as in ``FBetaScore``.
        threshold: Elements of ``y_pred`` greater than ``threshold`` count
            as 1. If ``None``, the argmax of ``y_pred`` counts as 1.
        name: Optional. String name of the metric instance.
        dtype: Optional. Data type of the metric result.

    Examples:
        >>> m = F1Score(threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.5, 0.8, 0.6667]
    """

    def __init__(self, average=None, threshold=None, name="f1_score",
                 dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold,
                         name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
