"""The ``keras.activations`` namespace: built-in functions and name lookup.

``get`` turns what a layer receives as ``activation=`` (``None``, a name, a
config dict, a callable) into a function; ``serialize``/``deserialize``
write and read the name Keras stores in layer configs. The functions
themselves live in ``activations/activations.py``.
"""

import types

from torchkeras.activations.activations import celu as celu
from torchkeras.activations.activations import elu as elu
from torchkeras.activations.activations import exponential as exponential
from torchkeras.activations.activations import gelu as gelu
from torchkeras.activations.activations import glu as glu
from torchkeras.activations.activations import hard_shrink as hard_shrink
from torchkeras.activations.activations import hard_sigmoid as hard_sigmoid
from torchkeras.activations.activations import hard_silu as hard_silu
from torchkeras.activations.activations import hard_swish as hard_swish
from torchkeras.activations.activations import hard_tanh as hard_tanh
from torchkeras.activations.activations import leaky_relu as leaky_relu
from torchkeras.activations.activations import linear as linear
from torchkeras.activations.activations import log_sigmoid as log_sigmoid
from torchkeras.activations.activations import log_softmax as log_softmax
from torchkeras.activations.activations import mish as mish
from torchkeras.activations.activations import relu as relu
from torchkeras.activations.activations import relu6 as relu6
from torchkeras.activations.activations import selu as selu
from torchkeras.activations.activations import sigmoid as sigmoid
from torchkeras.activations.activations import silu as silu
from torchkeras.activations.activations import soft_shrink as soft_shrink
from torchkeras.activations.activations import softmax as softmax
from torchkeras.activations.activations import softplus as softplus
from torchkeras.activations.activations import softsign as softsign
from torchkeras.activations.activations import sparse_plus as sparse_plus
from torchkeras.activations.activations import (
    sparse_sigmoid as sparse_sigmoid,
)
from torchkeras.activations.activations import sparsemax as sparsemax
from torchkeras.activations.activations import squareplus as squareplus
from torchkeras.activations.activations import swish as swish
from torchkeras.activations.activations import tanh as tanh
from torchkeras.activations.activations import tanh_shrink as tanh_shrink
from torchkeras.activations.activations import threshold as threshold
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import get_registered_name
from torchkeras.utils.serialization import serialize_keras_object

ALL_OBJECTS = (
    relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign,
    squareplus, soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink,
    threshold, sigmoid, sparse_sigmoid, exponential, hard_sigmoid, hard_silu,
    hard_tanh, hard_shrink, linear, mish, log_softmax, log_sigmoid, sparsemax,
)

ALL_OBJECTS_DICT = {fn.__name__: fn for fn in ALL_OBJECTS}
# Keras 3 aliases, and names older tf.keras versions wrote into configs.
ALL_OBJECTS_DICT.update(
    {"swish": silu, "hard_swish": hard_silu, "softmax_v2": softmax}
)


def serialize(activation):
    """Returns the name Keras stores for ``activation`` in a layer config.

    Built-in and other plain functions serialize to their (registered) name;
    objects with ``get_config`` (a layer used as an activation) to a
    ``{"class_name": ..., "config": ...}`` dict.

    Raises:
        ValueError: for an object that is neither of these.
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

    Accepts Keras 3's ``{"class_name": "function", "config": name}`` form
    for custom functions as well as plain names.

    Raises:
        ValueError: for an unknown name.
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        config = config.get("registered_name") or config.get("config")
    return deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="activation function",
    )


def get(identifier):
    """Returns the activation function ``identifier`` names.

    Args:
        identifier: ``None`` (gives ``linear``), a name such as ``"relu"``,
            a config dict, or a callable (returned as is).

    Raises:
        ValueError: when the identifier names no activation.

    Example:

    >>> get("relu") is relu
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(
        "Could not interpret activation function identifier. Expected None, "
        f"a name, a config dict or a callable. Received: "
        f"identifier={identifier!r}"
    )
