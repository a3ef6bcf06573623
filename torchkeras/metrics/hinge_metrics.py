"""Hinge metrics: ``Hinge``, ``SquaredHinge`` and ``CategoricalHinge``.

Averages of the Keras 3 per-sample hinge functions
(``metrics/_functions.py``); binary ``{0, 1}`` labels are mapped to
``{-1, 1}`` as Keras does.
"""

from torchkeras.metrics import _functions
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.utils.registry import keras_export


class _HingeMetric(MeanMetricWrapper):
    def __init__(self, fn, name, dtype):
        super().__init__(fn=fn, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.Hinge")
class Hinge(_HingeMetric):
    """Computes ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``.

    ``y_true`` values are expected to be -1 or 1; binary (0 or 1) labels
    are converted to -1 or 1.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Hinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 5)
        1.3
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(_functions.hinge, name, dtype)


@keras_export("keras.metrics.SquaredHinge")
class SquaredHinge(_HingeMetric):
    """Computes ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = SquaredHinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 5)
        1.86
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(_functions.squared_hinge, name, dtype)


@keras_export("keras.metrics.CategoricalHinge")
class CategoricalHinge(_HingeMetric):
    """Computes ``maximum(neg - pos + 1, 0)`` with
    ``pos = sum(y_true * y_pred)`` and ``neg = max((1 - y_true) * y_pred)``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = CategoricalHinge()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 5)
        1.4
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(_functions.categorical_hinge, name, dtype)
