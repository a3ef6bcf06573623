"""Probabilistic metrics: crossentropies, ``KLDivergence`` and ``Poisson``.

Each averages the Keras 3 per-sample function (``metrics/_functions.py``),
as ``keras/src/metrics/probabilistic_metrics.py``; probabilities are clipped
to ``[epsilon, 1 - epsilon]`` before the logarithm.
"""

from torchkeras.metrics import _functions
from torchkeras.metrics import _utils
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.utils.registry import keras_export


@keras_export("keras.metrics.KLDivergence")
class KLDivergence(MeanMetricWrapper):
    """Computes Kullback-Leibler divergence between ``y_true`` and
    ``y_pred``: ``sum(y_true * log(y_true / y_pred), axis=-1)``, both
    clipped to ``[epsilon, 1]``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = KLDivergence()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 5)
        0.45814
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(fn=_functions.kl_divergence, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.Poisson")
class Poisson(MeanMetricWrapper):
    """Computes the Poisson metric: ``mean(y_pred - y_true * log(y_pred))``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Poisson()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> round(float(m.result()), 5)
        0.5
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(fn=_functions.poisson, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.BinaryCrossentropy")
class BinaryCrossentropy(MeanMetricWrapper):
    """Computes the crossentropy metric between binary labels and
    predictions (mean over the last axis, then over samples).

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        from_logits: (Optional) Whether ``y_pred`` are logits.
        label_smoothing: (Optional) Float in ``[0, 1]``: labels become
            ``y * (1 - label_smoothing) + 0.5 * label_smoothing``.

    Examples:
        >>> m = BinaryCrossentropy()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 5)
        0.81492
    """

    def __init__(self, name="binary_crossentropy", dtype=None,
                 from_logits=False, label_smoothing=0):
        super().__init__(_functions.binary_crossentropy, name, dtype=dtype,
                         from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


@keras_export("keras.metrics.CategoricalCrossentropy")
class CategoricalCrossentropy(MeanMetricWrapper):
    """Computes the crossentropy metric between one-hot labels and
    predictions.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        from_logits: (Optional) Whether ``y_pred`` are logits.
        label_smoothing: (Optional) Float in ``[0, 1]``: labels become
            ``y * (1 - label_smoothing) + label_smoothing / num_classes``.
        axis: (Optional) Defaults to ``-1``. The class axis.

    Examples:
        >>> m = CategoricalCrossentropy()
        >>> m.update_state([[0, 1, 0], [0, 0, 1]],
        ...                [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(float(m.result()), 5)
        1.17694
    """

    def __init__(self, name="categorical_crossentropy", dtype=None,
                 from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(_functions.categorical_crossentropy, name,
                         dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


@keras_export("keras.metrics.SparseCategoricalCrossentropy")
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Computes the crossentropy metric between integer labels and
    predictions.

    ``y_true`` has shape ``(batch_size,)`` or ``(batch_size, 1)``; ``y_pred``
    has one value per class on ``axis``.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        from_logits: (Optional) Whether ``y_pred`` are logits.
        axis: (Optional) Defaults to ``-1``. The class axis.

    Examples:
        >>> m = SparseCategoricalCrossentropy()
        >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(float(m.result()), 5)
        1.17694
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None,
                 from_logits=False, axis=-1):
        super().__init__(_functions.sparse_categorical_crossentropy,
                         name=name, dtype=dtype, from_logits=from_logits,
                         axis=axis)
        self.from_logits = from_logits
        self.axis = axis
        self._direction = "down"

    def _call_fn(self, y_true, y_pred):
        num_classes = y_pred.shape[self.axis] if y_pred.dim() else 0
        _utils.check_label_range(self, y_true, num_classes, "y_true")
        return super()._call_fn(y_true, y_pred)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "from_logits": self.from_logits, "axis": self.axis}
