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
from torchkeras.metrics.accuracy_metrics import Accuracy
from torchkeras.utils import registry as _registry
from torchkeras.utils.serialization import (
    deserialize_from_table as _deserialize_from_table,
)
from torchkeras.utils.serialization import (
    get_from_identifier as _get_from_identifier,
)
from torchkeras.utils.serialization import (
    get_registered_object as _get_registered_object,
)
from torchkeras.utils.serialization import name_table as _name_table
from torchkeras.utils.serialization import (
    serialize_keras_object as _serialize_keras_object,
)

# The classes and functions of every `@keras_export("keras.metrics.<name>")`.
_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.metrics")

ALL_OBJECTS = tuple(
    obj for obj in _registry.unique_objects_in("keras.metrics")
    if isinstance(obj, type))
# A name means a class (its snake case too, so "binary_accuracy" is
# `BinaryAccuracy`): Keras 3 aliases, plus the tf.keras spellings of a few
# names.
ALL_OBJECTS_DICT = _name_table(
    "keras.metrics",
    snake_case=True,
    classes_only=True,
    aliases={
        "bce": "BinaryCrossentropy", "BCE": "BinaryCrossentropy",
        "mse": "MeanSquaredError", "MSE": "MeanSquaredError",
        "mae": "MeanAbsoluteError", "MAE": "MeanAbsoluteError",
        "mape": "MeanAbsolutePercentageError",
        "MAPE": "MeanAbsolutePercentageError",
        "msle": "MeanSquaredLogarithmicError",
        "MSLE": "MeanSquaredLogarithmicError",
        "rmse": "RootMeanSquaredError",
        "logcosh": "LogCoshError", "log_cosh": "LogCoshError",
        "kld": "KLDivergence", "KLD": "KLDivergence",
        "kullback_leibler_divergence": "KLDivergence",
        "cosine_proximity": "CosineSimilarity",
        "fbeta_score": "FBetaScore",
        "iou": "IoU", "mean_iou": "MeanIoU", "binary_iou": "BinaryIoU",
        "one_hot_iou": "OneHotIoU", "one_hot_mean_iou": "OneHotMeanIoU",
    },
)

# The metric functions: the public ones (`binary_accuracy`, ...) and the
# loss-like ones configs name (`mse`, `categorical_crossentropy`).
_FUNCTIONS = {
    name: obj for name, obj in _registry.objects_in("keras.metrics").items()
    if not isinstance(obj, type)
}
_FUNCTIONS.update(_ALL_FUNCTIONS)


def serialize(metric):
    """Returns the Keras config of a `Metric` (or a metric function's name).

    Args:
        metric: A `Metric` instance or a metric function.

    Returns:
        A config dict for a `Metric`, a string for a function.

    Examples:
        >>> config = keras.metrics.serialize(keras.metrics.AUC())
        >>> config["class_name"], config["config"]["num_thresholds"]
        ('AUC', 200)
    """
    return _serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """Returns the metric (or metric function) a config or a name describes.

    A bare function name means the function, as in tf.keras, even where a
    class has the same snake-case name.

    Args:
        config: A name or a `{"class_name": ..., "config": ...}` dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        A `Metric` instance, or a metric function for a function name.

    Raises:
        ValueError: when the class or function name is unknown.

    Examples:
        >>> keras.metrics.deserialize(
        ...     {"class_name": "MeanSquaredError", "config": {"name": "mse"}})
        <MeanSquaredError name=mse>
    """
    # A bare function name (what `serialize` gives for a function) means
    # the function, as in tf.keras, even where a class has that snake name.
    module_objects = dict(ALL_OBJECTS_DICT)
    module_objects.update(_FUNCTIONS)
    return _deserialize_from_table(
        config, module_objects, custom_objects=custom_objects,
        printable_module_name="metric")


def get(identifier):
    """Returns a metric from a name, config, class, instance or function.

    Names are Keras's: class names (``'AUC'``), their snake case
    (``'auc'``, ``'precision'``, ``'binary_accuracy'``) and aliases
    (``'mse'``, ``'mae'``, ``'mape'``, ``'msle'``). ``'accuracy'`` and
    ``'acc'`` give ``Accuracy(name=identifier)``, a placeholder the engine
    replaces by the accuracy that fits the outputs.

    Args:
        identifier: A name, a config dict, a `Metric` class (instantiated
            with defaults) or instance, or a metric function.

    Returns:
        A `Metric` instance or a metric function.

    Raises:
        ValueError: for an unknown name, naming it; for ``'crossentropy'``
            / ``'ce'``, which only the engine can resolve.

    Examples:
        >>> get("mse")
        <MeanSquaredError name=mean_squared_error>
    """
    if isinstance(identifier, str):
        return _get_by_name(identifier)
    return _get_from_identifier(
        identifier, deserialize,
        error="Could not interpret metric identifier. Expected None, a "
        "name, a config dict, a Metric class or instance, or a function.")


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
