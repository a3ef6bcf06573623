"""Turning objects into Keras configs and back, and the custom-object registry.

The format is Keras's: ``{"class_name": ..., "config": {...}}`` (plus
``"module"`` and ``"registered_name"`` when Keras 3 writes it). Strings are
looked up by name in the module passed by the caller (``activations``,
``initializers``, ...). Nothing here imports or runs code named in a config:
classes come only from the caller's module objects, ``custom_objects`` and
the registry.
"""

import contextlib
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_SCOPE = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function under ``package>name``."""

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


def get_registered_name(obj):
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def get_registered_object(name, custom_objects=None, module_objects=None):
    scope = getattr(_SCOPE, "objects", None) or {}
    for table in (scope, custom_objects or {}, _GLOBAL_CUSTOM_OBJECTS):
        if name in table:
            return table[name]
    # A bare class name also finds a registered `package>name`.
    for key, value in _GLOBAL_CUSTOM_OBJECTS.items():
        if key.split(">")[-1] == name:
            return value
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


@contextlib.contextmanager
def custom_object_scope(*dicts):
    """``with custom_object_scope({'MyLayer': MyLayer}): ...``."""
    previous = getattr(_SCOPE, "objects", None)
    merged = dict(previous or {})
    for d in dicts:
        merged.update(d or {})
    _SCOPE.objects = merged
    try:
        yield
    finally:
        _SCOPE.objects = previous


CustomObjectScope = custom_object_scope


def get_custom_objects():
    return _GLOBAL_CUSTOM_OBJECTS


def serialize_keras_object(obj):
    """Returns a Keras config for ``obj`` (a name for plain functions)."""
    if obj is None:
        return None
    if isinstance(obj, (str, int, float, bool)):
        return obj
    if hasattr(obj, "serialized_class_name"):
        # A recorded op writes the class its file dialect names (Keras 3's
        # operation class), not its own.
        return {"class_name": obj.serialized_class_name(),
                "module": obj.serialized_module(),
                "config": obj.get_config()}
    if hasattr(obj, "get_config"):
        return {
            "class_name": get_registered_name(type(obj))
            if type(obj) in _GLOBAL_CUSTOM_NAMES
            else type(obj).__name__,
            "config": obj.get_config(),
        }
    if callable(obj):
        return get_registered_name(obj)
    raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}.")


def deserialize_keras_object(
    config,
    module_objects=None,
    custom_objects=None,
    printable_module_name="object",
):
    """Returns the object a Keras config or name describes.

    Raises:
        ValueError: when the name is unknown, naming ``printable_module_name``.
    """
    if config is None:
        return None
    if isinstance(config, dict):
        if "class_name" not in config or "config" not in config:
            raise ValueError(
                f"Improper config format for {printable_module_name}: "
                f"{config!r}"
            )
        class_name = config.get("registered_name") or config["class_name"]
        cls = get_registered_object(class_name, custom_objects, module_objects)
        if cls is None:
            cls = get_registered_object(
                config["class_name"], custom_objects, module_objects
            )
        if cls is None:
            raise ValueError(
                f"Unknown {printable_module_name}: '{config['class_name']}'. "
                "Please ensure you are using a `torchkeras.utils."
                "custom_object_scope` and that this object is included in "
                "the scope, or pass it in `custom_objects`."
            )
        inner = config["config"]
        with custom_object_scope(custom_objects or {}):
            if hasattr(cls, "from_config"):
                return cls.from_config(inner)
            return cls(**(inner or {}))
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(
                f"Unknown {printable_module_name}: '{config}'. Please ensure "
                "you are using a `torchkeras.utils.custom_object_scope` and "
                "that this object is included in the scope."
            )
        return obj
    if callable(config):
        return config
    raise TypeError(
        f"Could not interpret {printable_module_name} identifier: {config!r}"
    )
