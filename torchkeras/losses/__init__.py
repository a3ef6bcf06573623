"""The tf.keras ``losses`` namespace: loss classes, functions and lookup.

``get`` turns a name (``"mse"``, ``"categorical_crossentropy"``,
``"CategoricalCrossentropy"``), a config dict, a class or a callable into
a loss; ``serialize``/``deserialize`` speak Keras's config format.
"""

from torchkeras.losses.loss import Reduction as Reduction
from torchkeras.losses.probabilistic import (
    validate_sparse_labels as validate_sparse_labels,
)
from torchkeras.utils import registry as _registry
from torchkeras.utils.serialization import (
    deserialize_from_table as _deserialize_from_table,
)
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import (
    get_from_identifier as _get_from_identifier,
)
from torchkeras.utils.serialization import name_table as _name_table
from torchkeras.utils.serialization import serialize_keras_object

# The classes and functions of every `@keras_export("keras.losses.<name>")`,
# with tf.keras 2 / Keras 3 legacy aliases (`mse`, `MSE`, `kld`, ...).
_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.losses")

ALL_OBJECTS_DICT = _name_table("keras.losses")


def serialize(loss):
    """Returns the Keras config of a `Loss` (or the name of a loss function).

    Args:
        loss: A `Loss` instance or a loss function.

    Returns:
        A config dict for a `Loss`, a string for a function.

    Examples:
        >>> keras.losses.serialize(keras.losses.mean_squared_error)
        'mean_squared_error'
        >>> keras.losses.serialize(keras.losses.Huber())["class_name"]
        'Huber'
    """
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """Returns the loss a config dict or a name describes.

    Args:
        name: A loss function's name (`"mean_squared_error"`) or a `Loss`
            config dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        A loss function or `Loss` instance.

    Raises:
        ValueError: for an unknown name.

    Examples:
        >>> loss = keras.losses.deserialize(
        ...     {"class_name": "Huber", "config": {"delta": 2.0}})
        >>> type(loss).__name__, loss.get_config()["delta"]
        ('Huber', 2.0)
    """
    return _deserialize_from_table(
        name, ALL_OBJECTS_DICT, custom_objects=custom_objects,
        printable_module_name="loss function")


def get(identifier):
    """Retrieves a loss function or `Loss` instance.

    Args:
        identifier: `None`, a name (`"mse"`, `"CategoricalCrossentropy"`),
            a config dict, a `Loss` class or instance, or a callable.

    Returns:
        A loss function or `Loss` instance (classes are instantiated).

    Raises:
        ValueError: when the identifier names no known loss.

    Examples:
        >>> get("mse") is mean_squared_error
        True
        >>> type(get("CategoricalCrossentropy")).__name__
        'CategoricalCrossentropy'
    """
    return _get_from_identifier(
        identifier, deserialize,
        error="Could not interpret loss identifier: expected a loss name, "
        "config dict, `Loss` or callable.")
