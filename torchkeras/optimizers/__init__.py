"""The ``keras.optimizers`` namespace: Keras optimizers for torch.

Owns name lookup (``get``), ``serialize`` and ``deserialize``. The
optimizers are ``torch.optim.Optimizer`` subclasses implementing Keras 3's
update rules (see ``base_optimizer.py``); schedules are in ``schedules``.
"""

import torch

from torchkeras.optimizers import legacy as legacy
from torchkeras.optimizers import schedules as schedules
from torchkeras.utils import registry as _registry
from torchkeras.utils import serialization

_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.optimizers")

ALL_OBJECTS = _registry.unique_objects_in("keras.optimizers")
# Optimizer names are case-insensitive ("adam", "RMSprop").
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer):
    """Returns the Keras 3 config dict of an optimizer.

    Args:
        optimizer: An optimizer instance.

    Returns:
        A dict with `module`, `class_name`, `config` and `registered_name`.

    Examples:
        >>> config = keras.optimizers.serialize(keras.optimizers.SGD())
        >>> config["class_name"], config["config"]["learning_rate"]
        ('SGD', 0.01)
    """
    cls = type(optimizer)
    builtin = ALL_OBJECTS_DICT.get(cls.__name__.lower()) is cls
    return {
        "module": "keras.optimizers" if builtin else None,
        "class_name": cls.__name__,
        "config": optimizer.get_config(),
        "registered_name": (
            None if builtin else serialization.get_registered_name(cls)
        ),
    }


def deserialize(config, custom_objects=None):
    """Returns the optimizer a config dict describes (class names in any case).

    Args:
        config: A `{"class_name": ..., "config": ...}` dict, as `serialize`
            writes it.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        An optimizer instance.

    Raises:
        ValueError: for an unknown class name.

    Examples:
        >>> opt = keras.optimizers.deserialize(
        ...     {"class_name": "adam", "config": {"learning_rate": 0.5}})
        >>> type(opt).__name__, float(opt.learning_rate)
        ('Adam', 0.5)
    """
    config = dict(config)
    class_name = config.get("class_name")
    if isinstance(class_name, str) and class_name.lower() in ALL_OBJECTS_DICT:
        cls = ALL_OBJECTS_DICT[class_name.lower()]
        return cls.from_config(config.get("config") or {},
                               custom_objects=custom_objects)
    return serialization.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="optimizer",
    )


def get(identifier):
    """Returns an optimizer from a name, a config dict or an instance.

    A name is case-insensitive (``'adam'``, ``'RMSprop'``). A
    `torch.optim.Optimizer` (ours or the user's own) is returned unchanged.

    Args:
        identifier: An optimizer name, a config dict, an optimizer
            instance, or `None` (returned as is).

    Returns:
        An optimizer instance.

    Raises:
        ValueError: if `identifier` cannot be interpreted.

    Examples:
        >>> type(get("rmsprop")).__name__
        'RMSprop'
    """
    if identifier is None:
        return None
    if isinstance(identifier, torch.optim.Optimizer):
        return identifier
    config = identifier
    if isinstance(identifier, str):
        config = {"class_name": identifier, "config": {}}
    if isinstance(config, dict):
        try:
            optimizer = deserialize(config)
        except ValueError as error:
            raise ValueError(
                f"Could not interpret optimizer identifier ({error}). "
                f"Received: identifier={identifier!r}"
            ) from None
        if isinstance(optimizer, torch.optim.Optimizer):
            return optimizer
    raise ValueError(
        "Could not interpret optimizer identifier. Expected a name, a config "
        "dict or an optimizer instance. "
        f"Received: identifier={identifier!r}"
    )
