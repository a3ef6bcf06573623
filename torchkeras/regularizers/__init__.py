"""The ``keras.regularizers`` namespace: regularizer classes and lookup.

``l1``, ``l2`` and ``orthogonal_regularizer`` are the classes themselves;
``l1_l2`` is tf.keras 2's function (defaults ``l1=l2=0.01``), and the name
``"l1_l2"`` resolves to it, as in tf.keras 2. ``get`` turns what a layer
receives as ``kernel_regularizer=`` into a regularizer.
"""

from torchkeras.regularizers.regularizers import L1 as L1
from torchkeras.regularizers.regularizers import L1L2 as L1L2
from torchkeras.regularizers.regularizers import L2 as L2
from torchkeras.regularizers.regularizers import (
    OrthogonalRegularizer as OrthogonalRegularizer,
)
from torchkeras.regularizers.regularizers import Regularizer as Regularizer
from torchkeras.regularizers.regularizers import l1_l2 as l1_l2
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import serialize_keras_object

l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(c.__name__): c for c in ALL_OBJECTS})


def serialize(regularizer):
    """Returns ``{"class_name": ..., "config": ...}`` for ``regularizer``."""
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """Returns the regularizer a config dict or a name describes.

    Raises:
        ValueError: for an unknown name.
    """
    if config == "l1_l2":
        # tf.keras 2: the name means `l1_l2()`, not `L1L2()` (zeros).
        return l1_l2()
    obj = deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="regularizer",
    )
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """Returns the regularizer ``identifier`` describes.

    Args:
        identifier: ``None`` (returned as is), a name such as ``"l2"``, a
            config dict, a ``Regularizer`` class (instantiated with
            defaults), or a callable ``fn(weight)`` (returned as is).

    Raises:
        ValueError: when the identifier names no regularizer.

    Example:

    >>> get("l2")
    L2(l2=0.01)
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        "Could not interpret regularizer identifier. Expected None, a name, "
        "a config dict, a Regularizer or a callable. Received: "
        f"identifier={identifier!r}"
    )
