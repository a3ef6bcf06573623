"""The ``keras.constraints`` namespace: constraint classes and lookup.

``max_norm``, ``non_neg``, ``unit_norm`` and ``min_max_norm`` are the
classes themselves; tf.keras 2's legacy names ``maxnorm``, ``nonneg`` and
``unitnorm`` resolve by name. ``get`` turns what a layer receives as
``kernel_constraint=`` into a constraint.
"""

from torchkeras.constraints.constraints import Constraint as Constraint
from torchkeras.constraints.constraints import MaxNorm as MaxNorm
from torchkeras.constraints.constraints import MinMaxNorm as MinMaxNorm
from torchkeras.constraints.constraints import NonNeg as NonNeg
from torchkeras.constraints.constraints import UnitNorm as UnitNorm
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import serialize_keras_object

max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

ALL_OBJECTS = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(c.__name__): c for c in ALL_OBJECTS})
# tf.keras 2 legacy aliases.
ALL_OBJECTS_DICT.update(
    {"maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm}
)


def serialize(constraint):
    """Returns ``{"class_name": ..., "config": ...}`` for ``constraint``."""
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """Returns the constraint a config dict or a name describes.

    Raises:
        ValueError: for an unknown name.
    """
    obj = deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="constraint",
    )
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """Returns the constraint ``identifier`` describes.

    Args:
        identifier: ``None`` (returned as is), a name such as
            ``"non_neg"``, a config dict, a ``Constraint`` class
            (instantiated with defaults), or a callable ``fn(w)``
            (returned as is).

    Raises:
        ValueError: when the identifier names no constraint.

    Example:

    >>> get("max_norm")
    MaxNorm(max_value=2, axis=0)
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
        "Could not interpret constraint identifier. Expected None, a name, "
        "a config dict, a Constraint or a callable. Received: "
        f"identifier={identifier!r}"
    )
