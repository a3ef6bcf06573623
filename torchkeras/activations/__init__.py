"""The ``keras.activations`` namespace: built-in functions and name lookup.

``get`` turns what a layer receives as ``activation=`` (``None``, a name, a
config dict, a callable) into a function; ``serialize``/``deserialize``
write and read the name Keras stores in layer configs. The functions
themselves live in ``activations/activations.py``.
"""

import types

from torchkeras.activations.activations import linear
from torchkeras.utils import registry as _registry
from torchkeras.utils.serialization import (
    deserialize_from_table as _deserialize_from_table,
)
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import (
    get_from_identifier as _get_from_identifier,
)
from torchkeras.utils.serialization import get_registered_name
from torchkeras.utils.serialization import name_table as _name_table
from torchkeras.utils.serialization import serialize_keras_object

# The names are those of every `@keras_export("keras.activations.<name>")`
# function (`swish` and `hard_swish` are aliases).
_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.activations")

ALL_OBJECTS = _registry.unique_objects_in("keras.activations")
# tf.keras 2.x wrote "softmax_v2" into configs.
ALL_OBJECTS_DICT = _name_table("keras.activations",
                               aliases={"softmax_v2": "softmax"})


def serialize(activation):
    """Returns the name Keras stores for `activation` in a layer config.

    Built-in and other plain functions serialize to their (registered) name;
    objects with `get_config` (a layer used as an activation) to a
    `{"class_name": ..., "config": ...}` dict.

    Args:
        activation: The activation function (or object) to serialize.

    Returns:
        A string, or a config dict.

    Raises:
        ValueError: for an object that is neither of these.

    Examples:
        >>> keras.activations.serialize(keras.activations.relu)
        'relu'
    """
    if activation in ALL_OBJECTS:
        return activation.__name__
    if isinstance(activation, types.FunctionType):
        return get_registered_name(activation)
    if hasattr(activation, "get_config"):
        return serialize_keras_object(activation)
    raise ValueError(
        "Cannot serialize the activation: expected a function or an object "
        f"with `get_config()`. Received: activation={activation!r}"
    )


def deserialize(config, custom_objects=None):
    """Returns the activation a name or a config dict describes.

    Accepts Keras 3's `{"class_name": "function", "config": name}` form
    for custom functions as well as plain names.

    Args:
        config: An activation name (`"relu"`) or a config dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        The activation function.

    Raises:
        ValueError: for an unknown name.

    Examples:
        >>> keras.activations.deserialize("relu") is keras.activations.relu
        True
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        config = config.get("registered_name") or config.get("config")
    return _deserialize_from_table(
        config, ALL_OBJECTS_DICT, custom_objects=custom_objects,
        printable_module_name="activation function")


def get(identifier):
    """Returns the activation function ``identifier`` names.

    Args:
        identifier: ``None`` (gives ``linear``), a name such as ``"relu"``,
            a config dict, or a callable (returned as is).

    Raises:
        ValueError: when the identifier names no activation.

    Examples:
        >>> get("relu") is relu
        True
    """
    return _get_from_identifier(
        identifier, deserialize, default=linear, instantiate=False,
        error="Could not interpret activation function identifier. "
        "Expected None, a name, a config dict or a callable.")
