"""The ``keras.initializers`` namespace: initializer classes and lookup.

Class names are Keras's; the lowercase names (``glorot_uniform``,
``he_normal``, ``zeros``, ...) are the same classes, as in Keras 3.
``get`` turns what a layer receives as ``kernel_initializer=`` (a name, a
config dict, a class, an instance or a callable) into an initializer.
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

# Each class is registered with its lowercase name (`GlorotUniform` and
# `glorot_uniform`), which is the class itself, as in Keras 3.
_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.initializers")

ALL_OBJECTS = tuple(
    obj for obj in _registry.unique_objects_in("keras.initializers")
    if isinstance(obj, type))
# Aliases Keras 3 accepts for compatibility with older names.
ALL_OBJECTS_DICT = _name_table(
    "keras.initializers",
    snake_case=True,
    aliases={
        "IdentityInitializer": "Identity",
        "normal": "RandomNormal",
        "one": "Ones",
        "OrthogonalInitializer": "Orthogonal",
        "uniform": "RandomUniform",
        "zero": "Zeros",
    },
)


def serialize(initializer):
    """Returns the `{"class_name": ..., "config": ...}` dict of `initializer`.

    Args:
        initializer: An `Initializer` instance.

    Returns:
        The config dict, which `deserialize` turns back into an initializer.

    Examples:
        >>> init = keras.initializers.Constant(2.0)
        >>> config = keras.initializers.serialize(init)
        >>> config["class_name"], config["config"]
        ('Constant', {'value': 2.0})
    """
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """Returns the initializer a config dict (or a name) describes.

    Args:
        config: A name (`"zeros"`, `"GlorotUniform"`) or a config dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        An `Initializer` instance.

    Raises:
        ValueError: for an unknown class name.

    Examples:
        >>> keras.initializers.deserialize(
        ...     {"class_name": "Constant", "config": {"value": 2.0}})
        Constant(value=2.0)
    """
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return _deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects=custom_objects,
        printable_module_name="initializer")


def get(identifier):
    """Returns the initializer ``identifier`` describes.

    Args:
        identifier: ``None`` (returned as is), a name such as
            ``"glorot_uniform"``, a config dict, an ``Initializer`` class
            (instantiated with defaults), or a callable
            ``fn(shape, dtype=None)`` (returned as is).

    Raises:
        ValueError: when the identifier names no initializer.

    Examples:
        >>> get("he_normal")
        HeNormal(seed=None)
    """
    return _get_from_identifier(
        identifier, deserialize,
        error="Could not interpret initializer identifier. Expected None, a "
        "name, a config dict, an Initializer or a callable.")
