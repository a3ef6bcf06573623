"""Regression metrics: mean errors, ``RootMeanSquaredError``,
``CosineSimilarity``, ``LogCoshError`` and ``R2Score``.

The per-sample formulas are Keras 3's (``keras/src/losses/losses.py``,
copied privately in ``metrics/_functions.py``); the classes follow
``keras/src/metrics/regression_metrics.py``.
"""

import torch

from torchkeras.backend.config import to_torch_dtype
from torchkeras.metrics import _functions
from torchkeras.metrics import _utils
from torchkeras.metrics.metric import Metric
from torchkeras.metrics.reduction_metrics import Mean
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.utils.registry import keras_export


class _LossMetric(MeanMetricWrapper):
    """A mean of a Keras per-sample loss; config is name and dtype only."""

    def __init__(self, fn, name, dtype, **kwargs):
        super().__init__(fn=fn, name=name, dtype=dtype, **kwargs)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.MeanSquaredError")
class MeanSquaredError(_LossMetric):
    """Computes the mean squared error between ``y_true`` and ``y_pred``.

    ``mean(square(y_true - y_pred), axis=-1)``, averaged over samples.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(_functions.mean_squared_error, name, dtype)


@keras_export("keras.metrics.MeanAbsoluteError")
class MeanAbsoluteError(_LossMetric):
    """Computes the mean absolute error between the labels and predictions.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]],
        ...                sample_weight=[1, 0])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(_functions.mean_absolute_error, name, dtype)


@keras_export("keras.metrics.MeanAbsolutePercentageError")
class MeanAbsolutePercentageError(_LossMetric):
    """Computes ``100 * mean(abs((y_true - y_pred) / y_true))``.

    The divisor is ``max(abs(y_true), epsilon)``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([[1, 2], [4, 8]], [[1, 1], [2, 8]])
        >>> float(m.result())
        25.0
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(_functions.mean_absolute_percentage_error, name,
                         dtype)


@keras_export("keras.metrics.MeanSquaredLogarithmicError")
class MeanSquaredLogarithmicError(_LossMetric):
    """Computes ``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = MeanSquaredLogarithmicError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> round(float(m.result()), 6)
        0.120113
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(_functions.mean_squared_logarithmic_error, name,
                         dtype)


@keras_export("keras.metrics.LogCoshError")
class LogCoshError(_LossMetric):
    """Computes the logarithm of the hyperbolic cosine of the error.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = LogCoshError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> round(float(m.result()), 6)
        0.108445
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(_functions.log_cosh, name, dtype)


@keras_export("keras.metrics.CosineSimilarity")
class CosineSimilarity(MeanMetricWrapper):
    """Computes the cosine similarity between the labels and predictions.

    ``sum(l2_norm(y_true) * l2_norm(y_pred), axis)``, averaged over samples.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        axis: (Optional) Defaults to ``-1``. The dimension along which the
            cosine similarity is computed.

    Examples:
        >>> m = CosineSimilarity(axis=1)
        >>> m.update_state([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])
        >>> round(float(m.result()), 5)
        0.5
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_functions.cosine_similarity, name, dtype=dtype,
                         axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


@keras_export("keras.metrics.RootMeanSquaredError")
class RootMeanSquaredError(Mean):
    """Computes root mean squared error between ``y_true`` and ``y_pred``.

    ``sqrt(mean(square(y_pred - y_true)))`` over every element seen.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates the squared errors, weighted by ``sample_weight``."""
        device = self._state_device()
        y_true = _utils.to_tensor(y_true, self.dtype, device)
        y_pred = _utils.to_tensor(y_pred, self.dtype, device)
        _utils.check_batch_sizes(self, y_true, y_pred)
        y_true, y_pred = _utils.squeeze_or_expand_to_same_rank(
            y_true, y_pred
        )
        error_sq = torch.square(y_pred - y_true)
        return super().update_state(error_sq, sample_weight=sample_weight)

    def result(self):
        return torch.sqrt(super().result())


@keras_export("keras.metrics.R2Score")
class R2Score(Metric):
    """Computes the R2 score (coefficient of determination).

    ``1 - sum((y_true - y_pred) ** 2) / sum((y_true - mean(y_true)) ** 2)``
    per output (last axis), then aggregated. With ``num_regressors`` > 0
    this is the adjusted R2 score; when there are not enough samples for it
    the standard score is returned (Keras also warns; reading the sample
    count to warn would sync the host, so this does not).

    Args:
        class_aggregation: How to aggregate the per-output scores: ``None``
            (no aggregation), ``"uniform_average"`` (default) or
            ``"variance_weighted_average"``.
        num_regressors: Number of independent regressors used ("Adjusted
            R2" score). 0 is the standard R2 score. Defaults to ``0``.
        name: Optional. string name of the metric instance.
        dtype: Optional. data type of the metric result.

    Examples:
        >>> m = R2Score()
        >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
        >>> round(float(m.result()), 5)
        0.57143
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected "
                f"one of {valid}. "
                f"Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. "
                "Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape "
                "(batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        num_classes = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(num_classes,),
                                             name="squared_sum")
        self.sum = self.add_variable(shape=(num_classes,), name="sum")
        self.total_mse = self.add_variable(shape=(num_classes,),
                                           name="residual")
        self.count = self.add_variable(shape=(num_classes,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates sums, squared sums, residuals and weights."""
        device = self._state_device()
        y_true = _utils.to_tensor(y_true, self.dtype, device)
        y_pred = _utils.to_tensor(y_pred, self.dtype, device)
        y_true, y_pred = _utils.squeeze_or_expand_to_same_rank(
            y_true, y_pred
        )
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        _utils.check_same_shape(self, y_true, y_pred)
        if sample_weight is None:
            sample_weight = 1.0
        sample_weight = _utils.to_tensor(sample_weight, self.dtype, device)
        if sample_weight.dim() == 1:
            sample_weight = sample_weight.unsqueeze(1)
        sample_weight = _utils.broadcast_to(
            sample_weight, y_true.shape, self, "sample_weight", "y_true"
        )
        weighted_y_true = y_true * sample_weight
        self.sum.assign_add(weighted_y_true.sum(dim=0))
        self.squared_sum.assign_add((y_true * weighted_y_true).sum(dim=0))
        self.total_mse.assign_add(
            (torch.square(y_true - y_pred) * sample_weight).sum(dim=0)
        )
        self.count.assign_add(sample_weight.sum(dim=0))
        self.num_samples.assign_add(y_true.numel())

    def result(self):
        if not self._built:
            # What Keras gives for an all-zero state (0 / 0).
            return torch.full((), float("nan"),
                              dtype=to_torch_dtype(self.dtype))
        total_sum = self.sum.value()
        mean = total_sum / self.count.value()
        total = self.squared_sum.value() - total_sum * mean
        raw_scores = 1 - (self.total_mse.value() / total)
        raw_scores = torch.where(torch.isinf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = raw_scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = (total * raw_scores).sum() / total.sum()
        else:
            r2_score = raw_scores
        if self.num_regressors != 0:
            r2_score = self._adjust(r2_score)
        return r2_score

    def _adjust(self, r2_score):
        n = self.num_samples.value()
        p = float(self.num_regressors)
        adjusted = 1.0 - (1.0 - r2_score) * (n - 1.0) / (n - p - 1.0)
        # Keras falls back to the plain score when p >= n - 1.
        return torch.where(n - 1.0 > p, adjusted, r2_score)

    def reset_state(self):
        for variable in self.variables:
            variable.assign(0.0)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
