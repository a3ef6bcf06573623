"""The ``keras.initializers`` namespace: initializer classes and lookup.

Class names are Keras's; the lowercase names (``glorot_uniform``,
``he_normal``, ``zeros``, ...) are the same classes, as in Keras 3.
``get`` turns what a layer receives as ``kernel_initializer=`` (a name, a
config dict, a class, an instance or a callable) into an initializer.
"""

from torchkeras.initializers.constant_initializers import (
    Constant as Constant,
)
from torchkeras.initializers.constant_initializers import (
    Identity as Identity,
)
from torchkeras.initializers.constant_initializers import Ones as Ones
from torchkeras.initializers.constant_initializers import Zeros as Zeros
from torchkeras.initializers.initializer import Initializer as Initializer
from torchkeras.initializers.random_initializers import (
    GlorotNormal as GlorotNormal,
)
from torchkeras.initializers.random_initializers import (
    GlorotUniform as GlorotUniform,
)
from torchkeras.initializers.random_initializers import HeNormal as HeNormal
from torchkeras.initializers.random_initializers import (
    HeUniform as HeUniform,
)
from torchkeras.initializers.random_initializers import (
    LecunNormal as LecunNormal,
)
from torchkeras.initializers.random_initializers import (
    LecunUniform as LecunUniform,
)
from torchkeras.initializers.random_initializers import (
    Orthogonal as Orthogonal,
)
from torchkeras.initializers.random_initializers import (
    RandomNormal as RandomNormal,
)
from torchkeras.initializers.random_initializers import (
    RandomUniform as RandomUniform,
)
from torchkeras.initializers.random_initializers import (
    TruncatedNormal as TruncatedNormal,
)
from torchkeras.initializers.random_initializers import (
    VarianceScaling as VarianceScaling,
)
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import serialize_keras_object

ALL_OBJECTS = (
    Initializer, Constant, Identity, Ones, Zeros, GlorotNormal,
    GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform,
    Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling,
)

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(c.__name__): c for c in ALL_OBJECTS})
# Aliases Keras 3 accepts for compatibility with older names.
ALL_OBJECTS_DICT.update(
    {
        "IdentityInitializer": Identity,
        "normal": RandomNormal,
        "one": Ones,
        "OrthogonalInitializer": Orthogonal,
        "uniform": RandomUniform,
        "zero": Zeros,
    }
)

# The lowercase public names are the classes themselves (Keras 3).
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros


def serialize(initializer):
    """Returns ``{"class_name": ..., "config": ...}`` for ``initializer``."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """Returns the initializer a config dict (or a name) describes.

    Raises:
        ValueError: for an unknown class name.
    """
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    return deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="initializer",
    )


def get(identifier):
    """Returns the initializer ``identifier`` describes.

    Args:
        identifier: ``None`` (returned as is), a name such as
            ``"glorot_uniform"``, a config dict, an ``Initializer`` class
            (instantiated with defaults), or a callable
            ``fn(shape, dtype=None)`` (returned as is).

    Raises:
        ValueError: when the identifier names no initializer.

    Example:

    >>> get("he_normal")
    HeNormal(seed=None)
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
        "Could not interpret initializer identifier. Expected None, a name, "
        "a config dict, an Initializer or a callable. Received: "
        f"identifier={identifier!r}"
    )
