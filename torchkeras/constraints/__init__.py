"""The ``keras.constraints`` namespace: constraint classes and lookup.

``max_norm``, ``non_neg``, ``unit_norm`` and ``min_max_norm`` are the
classes themselves; tf.keras 2's legacy names ``maxnorm``, ``nonneg`` and
``unitnorm`` resolve by name. ``get`` turns what a layer receives as
``kernel_constraint=`` into a constraint.
"""

from torchkeras.utils import registry as _registry
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.serialization import (
    deserialize_from_table as _deserialize_from_table,
)
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import (
    get_from_identifier as _get_from_identifier,
)
from torchkeras.utils.serialization import name_table as _name_table
from torchkeras.utils.serialization import serialize_keras_object

_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.constraints")

ALL_OBJECTS = tuple(
    obj for obj in _registry.unique_objects_in("keras.constraints")
    if isinstance(obj, type))
# tf.keras 2 legacy aliases.
ALL_OBJECTS_DICT = _name_table(
    "keras.constraints",
    snake_case=True,
    aliases={"maxnorm": "MaxNorm", "nonneg": "NonNeg",
             "unitnorm": "UnitNorm"},
)


def serialize(constraint):
    """Returns the `{"class_name": ..., "config": ...}` dict of `constraint`.

    Args:
        constraint: A `Constraint` instance.

    Returns:
        The config dict, which `deserialize` turns back into a constraint.

    Examples:
        >>> config = keras.constraints.serialize(keras.constraints.MaxNorm(3))
        >>> config["class_name"], config["config"]
        ('MaxNorm', {'max_value': 3, 'axis': 0})
    """
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """Returns the constraint a config dict or a name describes.

    A bare name builds the class with its default arguments.

    Args:
        config: A name (`"non_neg"`, `"MaxNorm"`) or a config dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        A `Constraint` instance.

    Raises:
        ValueError: for an unknown name.

    Examples:
        >>> keras.constraints.deserialize(
        ...     {"class_name": "MaxNorm", "config": {"max_value": 3}})
        MaxNorm(max_value=3, axis=0)
    """
    return _deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects=custom_objects,
        printable_module_name="constraint", instantiate=True)


def get(identifier):
    """Returns the constraint ``identifier`` describes.

    Args:
        identifier: ``None`` (returned as is), a name such as
            ``"non_neg"``, a config dict, a ``Constraint`` class
            (instantiated with defaults), or a callable ``fn(w)``
            (returned as is).

    Raises:
        ValueError: when the identifier names no constraint.

    Examples:
        >>> get("max_norm")
        MaxNorm(max_value=2, axis=0)
    """
    return _get_from_identifier(
        identifier, deserialize,
        error="Could not interpret constraint identifier. Expected None, a "
        "name, a config dict, a Constraint or a callable.")
