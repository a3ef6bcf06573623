"""The ``keras.regularizers`` namespace: regularizer classes and lookup.

``l1``, ``l2`` and ``orthogonal_regularizer`` are the classes themselves;
``l1_l2`` is tf.keras 2's function (defaults ``l1=l2=0.01``), and the name
``"l1_l2"`` resolves to it, as in tf.keras 2. ``get`` turns what a layer
receives as ``kernel_regularizer=`` into a regularizer.
"""

from torchkeras.regularizers.regularizers import l1_l2
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
_registry.export_into(globals(), "keras.regularizers")

ALL_OBJECTS = tuple(
    obj for obj in _registry.unique_objects_in("keras.regularizers")
    if isinstance(obj, type))
ALL_OBJECTS_DICT = _name_table("keras.regularizers", snake_case=True)


def serialize(regularizer):
    """Returns the `{"class_name": ..., "config": ...}` dict of `regularizer`.

    Args:
        regularizer: A `Regularizer` instance.

    Returns:
        The config dict, which `deserialize` turns back into a regularizer.

    Examples:
        >>> config = keras.regularizers.serialize(keras.regularizers.L2(0.5))
        >>> config["class_name"], config["config"]
        ('L2', {'l2': 0.5})
    """
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """Returns the regularizer a config dict or a name describes.

    A bare name builds the class with its default arguments.

    Args:
        config: A name (`"l2"`, `"L1L2"`) or a config dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        A `Regularizer` instance.

    Raises:
        ValueError: for an unknown name.

    Examples:
        >>> keras.regularizers.deserialize("l1")
        L1(l1=0.01)
    """
    if config == "l1_l2":
        # tf.keras 2: the name means `l1_l2()`, not `L1L2()` (zeros).
        return l1_l2()
    return _deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects=custom_objects,
        printable_module_name="regularizer", instantiate=True)


def get(identifier):
    """Returns the regularizer ``identifier`` describes.

    Args:
        identifier: ``None`` (returned as is), a name such as ``"l2"``, a
            config dict, a ``Regularizer`` class (instantiated with
            defaults), or a callable ``fn(weight)`` (returned as is).

    Raises:
        ValueError: when the identifier names no regularizer.

    Examples:
        >>> get("l2")
        L2(l2=0.01)
    """
    return _get_from_identifier(
        identifier, deserialize,
        error="Could not interpret regularizer identifier. Expected None, a "
        "name, a config dict, a Regularizer or a callable.")
