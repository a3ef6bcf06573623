"""The ``keras.metrics`` namespace: metric classes, functions and lookup.

``get`` turns what ``compile(metrics=...)`` receives (a name, a config
dict, a class, an instance or a function) into a metric, with Keras's
names (``'mse'``, ``'AUC'``, ``'precision'``, ``'binary_accuracy'``, ...).
``'accuracy'``/``'acc'`` give a plain ``Accuracy`` named after the string:
which accuracy a model means depends on its outputs and loss, which
``compile`` resolves (``engine/compile_utils.py``).
"""

import inspect

from torchkeras.metrics._functions import ALL_FUNCTIONS as _ALL_FUNCTIONS
from torchkeras.metrics.accuracy_metrics import Accuracy as Accuracy
from torchkeras.metrics.accuracy_metrics import (
    BinaryAccuracy as BinaryAccuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    CategoricalAccuracy as CategoricalAccuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    SparseCategoricalAccuracy as SparseCategoricalAccuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    TopKCategoricalAccuracy as TopKCategoricalAccuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    binary_accuracy as binary_accuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    categorical_accuracy as categorical_accuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    sparse_categorical_accuracy as sparse_categorical_accuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
)
from torchkeras.metrics.accuracy_metrics import (
    top_k_categorical_accuracy as top_k_categorical_accuracy,
)
from torchkeras.metrics.confusion_metrics import AUC as AUC
from torchkeras.metrics.confusion_metrics import (
    FalseNegatives as FalseNegatives,
)
from torchkeras.metrics.confusion_metrics import (
    FalsePositives as FalsePositives,
)
from torchkeras.metrics.confusion_metrics import Precision as Precision
from torchkeras.metrics.confusion_metrics import (
    PrecisionAtRecall as PrecisionAtRecall,
)
from torchkeras.metrics.confusion_metrics import Recall as Recall
from torchkeras.metrics.confusion_metrics import (
    RecallAtPrecision as RecallAtPrecision,
)
from torchkeras.metrics.confusion_metrics import (
    SensitivityAtSpecificity as SensitivityAtSpecificity,
)
from torchkeras.metrics.confusion_metrics import (
    SpecificityAtSensitivity as SpecificityAtSensitivity,
)
from torchkeras.metrics.confusion_metrics import (
    TrueNegatives as TrueNegatives,
)
from torchkeras.metrics.confusion_metrics import (
    TruePositives as TruePositives,
)
from torchkeras.metrics.f_score_metrics import F1Score as F1Score
from torchkeras.metrics.f_score_metrics import FBetaScore as FBetaScore
from torchkeras.metrics.hinge_metrics import (
    CategoricalHinge as CategoricalHinge,
)
from torchkeras.metrics.hinge_metrics import Hinge as Hinge
from torchkeras.metrics.hinge_metrics import SquaredHinge as SquaredHinge
from torchkeras.metrics.iou_metrics import BinaryIoU as BinaryIoU
from torchkeras.metrics.iou_metrics import IoU as IoU
from torchkeras.metrics.iou_metrics import MeanIoU as MeanIoU
from torchkeras.metrics.iou_metrics import OneHotIoU as OneHotIoU
from torchkeras.metrics.iou_metrics import OneHotMeanIoU as OneHotMeanIoU
from torchkeras.metrics.metric import Metric as Metric
from torchkeras.metrics.probabilistic_metrics import (
    BinaryCrossentropy as BinaryCrossentropy,
)
from torchkeras.metrics.probabilistic_metrics import (
    CategoricalCrossentropy as CategoricalCrossentropy,
)
from torchkeras.metrics.probabilistic_metrics import (
    KLDivergence as KLDivergence,
)
from torchkeras.metrics.probabilistic_metrics import Poisson as Poisson
from torchkeras.metrics.probabilistic_metrics import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from torchkeras.metrics.reduction_metrics import Mean as Mean
from torchkeras.metrics.reduction_metrics import (
    MeanMetricWrapper as MeanMetricWrapper,
)
from torchkeras.metrics.reduction_metrics import MeanTensor as MeanTensor
from torchkeras.metrics.reduction_metrics import Reduce as Reduce
from torchkeras.metrics.reduction_metrics import Sum as Sum
from torchkeras.metrics.regression_metrics import (
    CosineSimilarity as CosineSimilarity,
)
from torchkeras.metrics.regression_metrics import (
    LogCoshError as LogCoshError,
)
from torchkeras.metrics.regression_metrics import (
    MeanAbsoluteError as MeanAbsoluteError,
)
from torchkeras.metrics.regression_metrics import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from torchkeras.metrics.regression_metrics import (
    MeanSquaredError as MeanSquaredError,
)
from torchkeras.metrics.regression_metrics import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from torchkeras.metrics.regression_metrics import R2Score as R2Score
from torchkeras.metrics.regression_metrics import (
    RootMeanSquaredError as RootMeanSquaredError,
)
from torchkeras.utils.naming import to_snake_case as _to_snake_case
from torchkeras.utils.serialization import (
    deserialize_keras_object as _deserialize_keras_object,
)
from torchkeras.utils.serialization import (
    get_registered_object as _get_registered_object,
)
from torchkeras.utils.serialization import (
    serialize_keras_object as _serialize_keras_object,
)

ALL_OBJECTS = (
    Metric, Mean, Sum, Reduce, MeanMetricWrapper, MeanTensor,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, LogCoshError, R2Score,
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall,
    Recall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, TrueNegatives, TruePositives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore,
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({_to_snake_case(c.__name__): c for c in ALL_OBJECTS})
# Keras 3 aliases, plus the tf.keras spellings of a few names.
ALL_OBJECTS_DICT.update(
    {
        "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError, "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
        "rmse": RootMeanSquaredError,
        "logcosh": LogCoshError, "log_cosh": LogCoshError,
        "kld": KLDivergence, "KLD": KLDivergence,
        "kullback_leibler_divergence": KLDivergence,
        "cosine_proximity": CosineSimilarity,
        "fbeta_score": FBetaScore,
        "iou": IoU, "mean_iou": MeanIoU, "binary_iou": BinaryIoU,
        "one_hot_iou": OneHotIoU, "one_hot_mean_iou": OneHotMeanIoU,
    }
)

_FUNCTIONS = {
    fn.__name__: fn
    for fn in (binary_accuracy, categorical_accuracy,
               sparse_categorical_accuracy, top_k_categorical_accuracy,
               sparse_top_k_categorical_accuracy)
}
_FUNCTIONS.update(_ALL_FUNCTIONS)

def serialize(metric):
    """Returns the Keras config of a ``Metric`` (or a function's name)."""
    return _serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """Returns the metric (or metric function) a config or name describes.

    Raises:
        ValueError: when the class or function name is unknown.
    """
    # A bare function name (what `serialize` gives for a function) means
    # the function, as in tf.keras, even where a class has that snake name.
    module_objects = dict(ALL_OBJECTS_DICT)
    module_objects.update(_FUNCTIONS)
    return _deserialize_keras_object(
        config,
        module_objects=module_objects,
        custom_objects=custom_objects,
        printable_module_name="metric",
    )


def get(identifier):
    """Returns a metric from a name, config, class, instance or function.

    Names are Keras's: class names (``'AUC'``), their snake case
    (``'auc'``, ``'precision'``, ``'binary_accuracy'``) and aliases
    (``'mse'``, ``'mae'``, ``'mape'``, ``'msle'``). ``'accuracy'`` and
    ``'acc'`` give ``Accuracy(name=identifier)``, a placeholder the engine
    replaces by the accuracy that fits the outputs.

    Raises:
        ValueError: for an unknown name, naming it; for ``'crossentropy'``
            / ``'ce'``, which only the engine can resolve.

    Example:

    >>> get("mse")
    <MeanSquaredError name=mean_squared_error>
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return _get_by_name(identifier)
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        "Could not interpret metric identifier. Expected None, a name, a "
        "config dict, a Metric class or instance, or a function. "
        f"Received: identifier={identifier!r}"
    )


def _get_by_name(name):
    if name.lower() in ("accuracy", "acc"):
        return Accuracy(name=name)
    if name.lower() in ("crossentropy", "ce"):
        raise ValueError(
            f"The metric '{name}' means binary, categorical or sparse "
            "categorical crossentropy depending on the model's outputs; "
            "pass it to `compile(metrics=...)`, which resolves it, or use "
            "one of those metrics. "
            f"Received: identifier={name!r}"
        )
    obj = ALL_OBJECTS_DICT.get(name) or _get_registered_object(name)
    if obj is None:
        raise ValueError(
            f"Unknown metric: '{name}'. Expected a Keras metric name such "
            "as 'accuracy', 'mse', 'AUC' or 'precision', or a metric "
            f"object. Received: identifier={name!r}"
        )
    return obj() if inspect.isclass(obj) else obj
