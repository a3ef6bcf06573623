"""Metrics computed from thresholded confusion counts.

``TruePositives``/``FalsePositives``/``TrueNegatives``/``FalseNegatives``,
``Precision``, ``Recall``, the "X at Y" metrics (``PrecisionAtRecall``,
``RecallAtPrecision``, ``SensitivityAtSpecificity``,
``SpecificityAtSensitivity``) and ``AUC``, following Keras 3's
``keras/src/metrics/confusion_metrics.py``. The counting itself is in
``metrics_utils``.
"""

import torch

from torchkeras.backend.config import epsilon
from torchkeras.backend.config import to_torch_dtype
from torchkeras.metrics import _utils
from torchkeras.metrics import metrics_utils
from torchkeras.metrics.metric import Metric
from torchkeras.metrics.metrics_utils import ConfusionMatrix
from torchkeras.utils.registry import keras_export

_TP = ConfusionMatrix.TRUE_POSITIVES
_FP = ConfusionMatrix.FALSE_POSITIVES
_TN = ConfusionMatrix.TRUE_NEGATIVES
_FN = ConfusionMatrix.FALSE_NEGATIVES
_FOUR_COUNTS = ("true_positives", "false_positives", "true_negatives",
                "false_negatives")


def _inner_even_thresholds(num_thresholds):
    """The ``num_thresholds - 2`` evenly spaced thresholds strictly inside
    ``(0, 1)``; callers add the two ends."""
    return [(i + 1) * 1.0 / (num_thresholds - 1)
            for i in range(num_thresholds - 2)]


class _ThresholdedMetric(Metric):
    """Holds the thresholds (a list, and a buffer on the state's device)."""

    def _set_thresholds(self, thresholds, evenly):
        self.thresholds = list(thresholds)
        self._thresholds_distributed_evenly = evenly
        self.register_buffer(
            "_threshold_values",
            torch.tensor(self.thresholds, dtype=torch.float64,
                         device=self._new_state_device()),
            persistent=False,
        )

    def _add_counts(self, names, shape=None):
        shape = (len(self.thresholds),) if shape is None else shape
        for name in names:
            setattr(self, name, self.add_variable(shape=shape, name=name))

    def _four_counts(self):
        """The variables of ``_FOUR_COUNTS`` by condition, for
        ``_update``."""
        return {_TP: self.true_positives, _FP: self.false_positives,
                _TN: self.true_negatives, _FN: self.false_negatives}

    def _update(self, variables, y_true, y_pred, sample_weight, **kwargs):
        metrics_utils.update_confusion_matrix_variables(
            self,
            variables,
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            threshold_values=self._threshold_values,
            sample_weight=sample_weight,
            **kwargs,
        )

    def _single(self, value):
        """A fresh tensor; a scalar when there is a single threshold."""
        return value[0].clone() if len(self.thresholds) == 1 else value


class _ConfusionMatrixConditionCount(_ThresholdedMetric):
    """Counts (weighted) one confusion-matrix condition per threshold:
    the subclass's ``_confusion_matrix_cond``."""

    _confusion_matrix_cond = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        values = metrics_utils.parse_init_thresholds(thresholds, 0.5)
        self._set_thresholds(
            values, metrics_utils.is_evenly_distributed_thresholds(values)
        )
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), name="accumulator"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the condition count (weighted by
        ``sample_weight``)."""
        self._update({self._confusion_matrix_cond: self.accumulator},
                     y_true, y_pred, sample_weight)

    def result(self):
        return self._single(self.accumulator.value().clone())

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


@keras_export("keras.metrics.FalsePositives")
class FalsePositives(_ConfusionMatrixConditionCount):
    """Calculates the number of false positives.

    Args:
        thresholds: (Optional) Defaults to ``0.5``. A float, or a list of
            floats in ``[0, 1]``; a prediction above a threshold is
            positive. One value per threshold.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    _confusion_matrix_cond = _FP


@keras_export("keras.metrics.FalseNegatives")
class FalseNegatives(_ConfusionMatrixConditionCount):
    """Calculates the number of false negatives.

    Args:
        thresholds: (Optional) Defaults to ``0.5``. A float, or a list of
            floats in ``[0, 1]``; a prediction above a threshold is
            positive. One value per threshold.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    _confusion_matrix_cond = _FN


@keras_export("keras.metrics.TrueNegatives")
class TrueNegatives(_ConfusionMatrixConditionCount):
    """Calculates the number of true negatives.

    Args:
        thresholds: (Optional) Defaults to ``0.5``. A float, or a list of
            floats in ``[0, 1]``; a prediction above a threshold is
            positive. One value per threshold.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = TrueNegatives()
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    _confusion_matrix_cond = _TN


@keras_export("keras.metrics.TruePositives")
class TruePositives(_ConfusionMatrixConditionCount):
    """Calculates the number of true positives.

    Args:
        thresholds: (Optional) Defaults to ``0.5``. A float, or a list of
            floats in ``[0, 1]``; a prediction above a threshold is
            positive. One value per threshold.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    _confusion_matrix_cond = _TP


class _PrecisionRecallBase(_ThresholdedMetric):
    _other = None  # "false_positives" (precision) or "false_negatives"

    def __init__(self, thresholds=None, top_k=None, class_id=None,
                 name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else metrics_utils.NEG_INF
        values = metrics_utils.parse_init_thresholds(thresholds, default)
        self._set_thresholds(
            values, metrics_utils.is_evenly_distributed_thresholds(values)
        )
        self._add_counts(("true_positives", self._other))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the counts; ``y_true`` is cast to bool and
        ``y_pred`` should lie in ``[0, 1]``."""
        other = _FP if self._other == "false_positives" else _FN
        self._update(
            {_TP: self.true_positives, other: getattr(self, self._other)},
            y_true, y_pred, sample_weight,
            top_k=self.top_k, class_id=self.class_id,
        )

    def result(self):
        tp = self.true_positives.value()
        other = getattr(self, self._other).value()
        return self._single(_utils.divide_no_nan(tp, tp + other))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


@keras_export("keras.metrics.Precision")
class Precision(_PrecisionRecallBase):
    """Computes the precision of the predictions with respect to the labels.

    ``true_positives / (true_positives + false_positives)``, 0 when nothing
    is predicted positive. With ``top_k``, only the top-k predictions of a
    sample count as positive; with ``class_id``, only that class is
    considered.

    Args:
        thresholds: (Optional) A float or a list of floats in ``[0, 1]``.
            Defaults to ``0.5`` (or "any value" when ``top_k`` is set).
        top_k: (Optional) An int: consider the top-k predictions.
        class_id: (Optional) Integer class ID for which we want binary
            metrics, in ``[0, num_classes)``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 6)
        0.666667
    """

    _other = "false_positives"


@keras_export("keras.metrics.Recall")
class Recall(_PrecisionRecallBase):
    """Computes the recall of the predictions with respect to the labels.

    ``true_positives / (true_positives + false_negatives)``, 0 when there is
    no positive label. ``top_k`` and ``class_id`` as in ``Precision``.

    Args:
        thresholds: (Optional) A float or a list of floats in ``[0, 1]``.
            Defaults to ``0.5`` (or "any value" when ``top_k`` is set).
        top_k: (Optional) An int: consider the top-k predictions.
        class_id: (Optional) Integer class ID for which we want binary
            metrics, in ``[0, num_classes)``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 6)
        0.666667
    """

    _other = "false_negatives"


def _check_unit_interval(arg, value):
    if value < 0 or value > 1:
        raise ValueError(
            f"Argument `{arg}` must be in the range [0, 1]. "
            f"Received: {arg}={value}"
        )


class SensitivitySpecificityBase(_ThresholdedMetric):
    """Base of the "X at Y" metrics: four counts at evenly spaced
    thresholds, then the best X among thresholds where Y >= ``value``.

    A subclass names its constructor argument (``_argument``: the bound
    on Y, in ``[0, 1]``, kept as an attribute and in the config) and the
    two rates of ``_rates`` it compares (``_constrained``, Y, and
    ``_maximized``, X).
    """

    _argument = None
    _constrained = None
    _maximized = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        if self._argument is not None:
            _check_unit_interval(self._argument, value)
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        self.num_thresholds = num_thresholds
        if self._argument is not None:
            setattr(self, self._argument, value)
        if num_thresholds == 1:
            self._set_thresholds([0.5], False)
        else:
            self._set_thresholds(
                [0.0] + _inner_even_thresholds(num_thresholds) + [1.0], True)
        self._add_counts(_FOUR_COUNTS)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the four confusion counts."""
        self._update(self._four_counts(), y_true, y_pred, sample_weight,
                     class_id=self.class_id)

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates[self._constrained],
                                               rates[self._maximized])

    def get_config(self):
        config = {**super().get_config(), "class_id": self.class_id}
        if self._argument is not None:
            config.update(num_thresholds=self.num_thresholds,
                          **{self._argument: self.value})
        return config

    def _rates(self):
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        return {
            "recall": _utils.divide_no_nan(tp, tp + fn),
            "specificity": _utils.divide_no_nan(tn, tn + fp),
            "precision": _utils.divide_no_nan(tp, tp + fp),
        }

    def _find_max_under_constraint(self, constrained, dependent):
        """Max of ``dependent`` where ``constrained >= value``; else 0."""
        feasible = constrained >= self.value
        return torch.where(feasible, dependent, 0.0).max()


@keras_export("keras.metrics.SensitivityAtSpecificity")
class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """Computes best sensitivity where specificity is >= specified value.

    Sensitivity is ``tp / (tp + fn)``, specificity ``tn / (tn + fp)``.

    Args:
        specificity: A scalar value in range ``[0, 1]``.
        num_thresholds: (Optional) Defaults to 200. The number of thresholds
            to use for matching the given specificity.
        class_id: (Optional) Integer class ID for which we want binary
            metrics, in ``[0, num_classes)``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = SensitivityAtSpecificity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    _argument = "specificity"
    _constrained = "specificity"
    _maximized = "recall"

    def __init__(self, specificity, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds,
                         class_id=class_id, name=name, dtype=dtype)


@keras_export("keras.metrics.SpecificityAtSensitivity")
class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """Computes best specificity where sensitivity is >= specified value.

    Args:
        sensitivity: A scalar value in range ``[0, 1]``.
        num_thresholds: (Optional) Defaults to 200. The number of thresholds
            to use for matching the given sensitivity.
        class_id: (Optional) Integer class ID for which we want binary
            metrics, in ``[0, num_classes)``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = SpecificityAtSensitivity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 6)
        0.666667
    """

    _argument = "sensitivity"
    _constrained = "recall"
    _maximized = "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds,
                         class_id=class_id, name=name, dtype=dtype)


@keras_export("keras.metrics.PrecisionAtRecall")
class PrecisionAtRecall(SensitivitySpecificityBase):
    """Computes best precision where recall is >= specified value.

    Args:
        recall: A scalar value in range ``[0, 1]``.
        num_thresholds: (Optional) Defaults to 200. The number of thresholds
            to use for matching the given recall.
        class_id: (Optional) Integer class ID for which we want binary
            metrics, in ``[0, num_classes)``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = PrecisionAtRecall(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    _argument = "recall"
    _constrained = "recall"
    _maximized = "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds,
                         class_id=class_id, name=name, dtype=dtype)


@keras_export("keras.metrics.RecallAtPrecision")
class RecallAtPrecision(SensitivitySpecificityBase):
    """Computes best recall where precision is >= specified value.

    When the precision cannot be reached, the result is 0.

    Args:
        precision: A scalar value in range ``[0, 1]``.
        num_thresholds: (Optional) Defaults to 200. The number of thresholds
            to use for matching the given precision.
        class_id: (Optional) Integer class ID for which we want binary
            metrics, in ``[0, num_classes)``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = RecallAtPrecision(0.8)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.5
    """

    _argument = "precision"
    _constrained = "precision"
    _maximized = "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None,
                 name=None, dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds,
                         class_id=class_id, name=name, dtype=dtype)


@keras_export("keras.metrics.AUC")
class AUC(_ThresholdedMetric):
    """Approximates the AUC (Area under the curve) of the ROC or PR curves.

    Predictions are counted in buckets between ``num_thresholds`` linearly
    spaced thresholds (plus ``-epsilon`` and ``1 + epsilon`` endpoints) and
    the area is a Riemann sum over the resulting curve.

    Args:
        num_thresholds: (Optional) The number of thresholds to use when
            discretizing the curve. Values must be > 1. Defaults to ``200``.
        curve: (Optional) ``'ROC'`` (default) or ``'PR'``.
        summation_method: (Optional) ``'interpolation'`` (default; for PR,
            interpolates true/false positives as Davis & Goadrich 2006),
            ``'minoring'`` or ``'majoring'``.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        thresholds: (Optional) A list of floats in ``[0, 1]`` to use as
            thresholds (``num_thresholds`` is then ignored).
        multi_label: boolean: compute the AUC of each label separately and
            average them (``True``) or flatten the labels (``False``).
        num_labels: (Optional) The number of labels when ``multi_label``;
            without it the state is created on the first call.
        label_weights: (Optional) non-negative weights per label: for the
            average of label AUCs when ``multi_label``, else per prediction.
        from_logits: whether ``y_pred`` are logits (a sigmoid is applied).

    Examples:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC",
                 summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        inner, evenly = self._inner_thresholds(num_thresholds, thresholds)
        self._set_thresholds(
            [0.0 - epsilon()] + inner + [1.0 + epsilon()], evenly
        )
        self.curve = (curve if isinstance(curve, metrics_utils.AUCCurve)
                      else metrics_utils.AUCCurve.from_str(curve))
        self.summation_method = (
            summation_method
            if isinstance(summation_method, metrics_utils.AUCSummationMethod)
            else metrics_utils.AUCSummationMethod.from_str(summation_method)
        )
        self.multi_label = multi_label
        self.num_labels = num_labels
        self._set_label_weights(label_weights)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError(
                    "`num_labels` is needed only when `multi_label` is True."
                    f" Received: num_labels={num_labels}"
                )
            self._build(None)

    def _inner_thresholds(self, num_thresholds, thresholds):
        if thresholds is not None:
            inner = sorted(metrics_utils.parse_init_thresholds(thresholds))
            self.num_thresholds = len(inner) + 2
            evenly = metrics_utils.is_evenly_distributed_thresholds(
                [0.0] + inner + [1.0]
            )
            return inner, evenly
        if num_thresholds <= 1:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 1. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.num_thresholds = num_thresholds
        return _inner_even_thresholds(num_thresholds), True

    def _set_label_weights(self, label_weights):
        if label_weights is None:
            self._label_weights_config = None
            self.label_weights = None
            return
        values = _utils.to_tensor(label_weights, dtype=self.dtype)
        self._label_weights_config = values.tolist()
        # A buffer, so it moves with the metric; not a state variable.
        self.register_buffer("label_weights",
                             values.to(self._new_state_device()),
                             persistent=False)

    def _build(self, shape, device=None):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {tuple(shape)}"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        if self._device is None and device is not None:
            self._device = device
        self._build_input_shape = shape
        self._add_counts(_FOUR_COUNTS, shape=variable_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the confusion counts at every threshold."""
        y_pred = _utils.to_tensor(y_pred, self.dtype, self._state_device())
        if not self._built:
            self._build(tuple(y_pred.shape), y_pred.device)
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        self._update(
            self._four_counts(), y_true, y_pred, sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )

    def interpolate_pr_auc(self):
        """PR-AUC with true/false positives interpolated linearly between
        thresholds (Davis & Goadrich 2006), Keras's closed form."""
        tp = self.true_positives.value()
        fn = self.false_negatives.value()
        p = tp + self.false_positives.value()
        dtp = tp[:-1] - tp[1:]
        dp = p[:-1] - p[1:]
        prec_slope = _utils.divide_no_nan(dtp, dp.clamp(min=0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = torch.where(
            (p[:-1] > 0) & (p[1:] > 0),
            _utils.divide_no_nan(p[:-1], p[1:].clamp(min=0)),
            torch.ones_like(p[1:]),
        )
        pr_auc_increment = _utils.divide_no_nan(
            prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
            (tp[1:] + fn[1:]).clamp(min=0),
        )
        return self._aggregate(pr_auc_increment)

    def result(self):
        if not self._built:
            return torch.zeros((), dtype=to_torch_dtype(self.dtype))
        if (self.curve == metrics_utils.AUCCurve.PR
                and self.summation_method
                == metrics_utils.AUCSummationMethod.INTERPOLATION):
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        recall = _utils.divide_no_nan(tp, tp + fn)
        if self.curve == metrics_utils.AUCCurve.ROC:
            x, y = _utils.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _utils.divide_no_nan(tp, tp + fp)
        method = self.summation_method
        if method == metrics_utils.AUCSummationMethod.INTERPOLATION:
            heights = (y[:-1] + y[1:]) / 2.0
        elif method == metrics_utils.AUCSummationMethod.MINORING:
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._aggregate((x[:-1] - x[1:]) * heights)

    def _aggregate(self, terms):
        if not self.multi_label:
            return terms.sum()
        by_label_auc = terms.sum(dim=0)
        if self.label_weights is None:
            return by_label_auc.mean()
        weights = self.label_weights.to(by_label_auc.dtype)
        return _utils.divide_no_nan(
            (by_label_auc * weights).sum(), weights.sum()
        )

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve.value,
            "summation_method": self.summation_method.value,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self._label_weights_config,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
