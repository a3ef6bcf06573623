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

from torchkeras.utils.registry import keras_export

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_SCOPE = threading.local()


@keras_export("keras.saving.register_keras_serializable",
              "keras.utils.register_keras_serializable")
def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function under `package>name`.

    A registered object is found by name when a config or a `.keras` file
    names it, with no `custom_objects` needed, and `serialize_keras_object`
    writes its registered name.

    Args:
        package: The package part of the registered name.
        name: The name part; `None` uses the object's `__name__`.

    Returns:
        A decorator that registers its argument and returns it unchanged.

    Examples:
        >>> @keras.saving.register_keras_serializable(package="Docs")
        ... def double(x):
        ...     return 2 * x
        >>> keras.saving.get_registered_name(double)
        'Docs>double'
    """

    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = package + ">" + class_name
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg

    return decorator


@keras_export("keras.saving.get_registered_name",
              "keras.utils.get_registered_name")
def get_registered_name(obj):
    """Returns the name `obj` is registered under, else its `__name__`.

    Args:
        obj: A class or function.

    Returns:
        `"package>name"` for an object registered with
        `register_keras_serializable`, otherwise `obj.__name__`.

    Examples:
        >>> keras.saving.get_registered_name(keras.layers.Dense)
        'Dense'
    """
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


@keras_export("keras.saving.get_registered_object",
              "keras.utils.get_registered_object")
def get_registered_object(name, custom_objects=None, module_objects=None):
    """Returns the class or function `name` refers to, or `None`.

    The lookup order is: the active `custom_object_scope`, `custom_objects`,
    the objects registered with `register_keras_serializable` (a bare class
    name also finds `package>name`), then `module_objects`.

    Args:
        name: The registered (or class) name.
        custom_objects: Optional dict of user-defined objects by name.
        module_objects: Optional dict of the caller's built-in objects.

    Returns:
        The object, or `None` when no table holds the name.

    Examples:
        >>> keras.saving.get_registered_object(
        ...     "Dense", module_objects={"Dense": keras.layers.Dense})
        <class 'torchkeras.layers.core.dense.Dense'>
        >>> keras.saving.get_registered_object("NoSuchThing") is None
        True
    """
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


@keras_export("keras.saving.custom_object_scope",
              "keras.saving.CustomObjectScope",
              "keras.utils.custom_object_scope",
              "keras.utils.CustomObjectScope")
@contextlib.contextmanager
def custom_object_scope(*dicts):
    """Context manager making custom objects known to deserialization.

    Inside the `with` block, the classes and functions of the given dicts
    are found by name when a config or a saved model names them, as if
    they were passed as `custom_objects`. Scopes nest; the inner one wins.

    Args:
        *dicts: Dicts mapping names to classes or functions.

    Examples:
        >>> class MyDense(keras.layers.Dense):
        ...     pass
        >>> with keras.saving.custom_object_scope({"MyDense": MyDense}):
        ...     layer = keras.layers.deserialize(
        ...         {"class_name": "MyDense", "config": {"units": 2}})
        >>> type(layer).__name__
        'MyDense'
    """
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


@keras_export("keras.saving.get_custom_objects",
              "keras.utils.get_custom_objects")
def get_custom_objects():
    """Returns the global dict of registered custom objects.

    It maps `"package>name"` to each class or function registered with
    `register_keras_serializable`; entries added to it by hand are found
    by name too.

    Returns:
        The (mutable) registry dict.

    Examples:
        >>> isinstance(keras.saving.get_custom_objects(), dict)
        True
    """
    return _GLOBAL_CUSTOM_OBJECTS


@keras_export("keras.saving.serialize_keras_object",
              "keras.utils.serialize_keras_object")
def serialize_keras_object(obj):
    """Returns a Keras config for `obj` (a name for plain functions).

    Args:
        obj: An object with `get_config` (layer, initializer, ...), a
            function, or a plain value (`None`, str, int, float, bool),
            which is returned as is.

    Returns:
        A `{"class_name": ..., "config": ...}` dict, a name, or the value.

    Raises:
        TypeError: for an object that cannot be serialized.

    Examples:
        >>> init = keras.initializers.Constant(2.0)
        >>> config = keras.saving.serialize_keras_object(init)
        >>> config["class_name"], config["config"]
        ('Constant', {'value': 2.0})
    """
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


def _class_names(config):
    """The names a config entry is looked up by, in order: Keras 3's
    ``registered_name`` (when set), then ``class_name``.

    Raises:
        ValueError: when a name is not a string (a crafted or damaged
            file), naming the key and the value.
    """
    names = []
    for key in ("registered_name", "class_name"):
        value = config.get(key)
        if value is None and key == "registered_name":
            continue
        if not isinstance(value, str):
            raise ValueError(
                f"Improper config format: `{key}` should be a string. "
                f"Received: {key}={str(value)[:80]!r}"
            )
        if value and value not in names:
            names.append(value)
    return names


def resolve_class(config, custom_objects=None, module_objects=None):
    """The class (or function) a ``{"class_name", "config"}`` entry builds,
    or None when no name is known.

    This is the one lookup every deserializer uses, so a check made on the
    result (``safe_mode``, keyword clean-up) sees the class that will
    really be built, whichever key named it: ``registered_name`` first (as
    Keras 3), then ``class_name``; in each, the ``custom_object_scope``,
    ``custom_objects``, the registry, then ``module_objects``.

    Raises:
        ValueError: for a name that is not a string.
    """
    for name in _class_names(config):
        found = get_registered_object(name, custom_objects, module_objects)
        if found is not None:
            return found
    return None


def failing_part(error):
    """``(kind, class name, object name)`` of the innermost config entry
    that was being deserialized when ``error`` was raised, or None."""
    return getattr(error, "_torchkeras_config_part", None)


def _mark_failing_part(error, kind, config):
    if failing_part(error) is not None:
        return  # an inner entry was marked first
    inner = config.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    if name is not None:
        name = str(name)[:80]
    try:
        error._torchkeras_config_part = (
            kind, str(config.get("class_name"))[:80], name)
    except AttributeError:  # an exception type without a __dict__
        pass


def config_path(keys):
    """``config.layers[2].config``: where the keys and indices ``keys``
    lead in a config, for error messages."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (
            f".{key}" if out else str(key))
    return out or "the top level"


@keras_export("keras.saving.deserialize_keras_object",
              "keras.utils.deserialize_keras_object")
def deserialize_keras_object(
    config,
    module_objects=None,
    custom_objects=None,
    printable_module_name="object",
):
    """Returns the object a Keras config or a name describes.

    The class comes from `resolve_class`. An exception raised while the
    object is rebuilt carries the innermost entry being rebuilt
    (`failing_part`), so a loader can name the part of a file at fault.

    Args:
        config: A `{"class_name": ..., "config": ...}` dict, a name, or a
            callable (returned as is); `None` gives `None`.
        module_objects: Dict of the built-in objects a name may refer to.
        custom_objects: Optional dict of user-defined objects by name.
        printable_module_name: What the object is (`"layer"`), for error
            messages.

    Returns:
        The rebuilt object (or the class or function a name refers to).

    Raises:
        ValueError: when the name is unknown, naming `printable_module_name`.

    Examples:
        >>> keras.saving.deserialize_keras_object(
        ...     {"class_name": "Constant", "config": {"value": 2.0}},
        ...     module_objects={"Constant": keras.initializers.Constant})
        Constant(value=2.0)
    """
    if config is None:
        return None
    if isinstance(config, dict):
        if "class_name" not in config or "config" not in config:
            raise ValueError(
                f"Improper config format for {printable_module_name}: "
                f"{str(config)[:200]}"
            )
        try:
            return _from_entry(config, module_objects, custom_objects,
                               printable_module_name)
        except Exception as e:
            _mark_failing_part(e, printable_module_name, config)
            raise
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
        f"Could not interpret {printable_module_name} identifier: "
        f"{str(config)[:200]}"
    )


def _from_entry(config, module_objects, custom_objects,
                printable_module_name):
    cls = resolve_class(config, custom_objects, module_objects)
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
        if not isinstance(inner, (dict, type(None))):
            raise TypeError(
                f"The config of {printable_module_name} "
                f"'{config['class_name']}' should be a dict. Received: "
                f"config={str(inner)[:80]!r}"
            )
        return cls(**(inner or {}))


def name_table(namespace, snake_case=False, aliases=None,
               classes_only=False):
    """``{name: object}`` a family's ``deserialize`` looks names up in.

    The names are those ``keras_export`` registered under ``namespace``
    (``"keras.initializers"``: ``GlorotUniform``, ``glorot_uniform``, ...),
    then, with ``snake_case``, each class's snake-case name (Keras 3 reads
    ``"initializer"`` and ``"max_norm"`` as well as the class names), then
    ``aliases``: ``{alias: public name}`` for names configs may hold that
    are not public names (``"softmax_v2": "softmax"`` from tf.keras 2.x
    files). A later source never replaces an earlier one. With
    ``classes_only`` the functions of the namespace are left out (a metric
    name means its class, ``"binary_accuracy"`` ``BinaryAccuracy``).
    """
    from torchkeras.utils import registry
    from torchkeras.utils.naming import to_snake_case

    public = registry.objects_in(namespace)
    table = {name: obj for name, obj in public.items()
             if isinstance(obj, type) or not classes_only}
    if snake_case:
        for obj in registry.unique_objects_in(namespace):
            if isinstance(obj, type):
                table.setdefault(to_snake_case(obj.__name__), obj)
    for alias, name in (aliases or {}).items():
        table.setdefault(alias, public[name])
    return table


def deserialize_from_table(config, table, custom_objects=None,
                           printable_module_name="object",
                           instantiate=False):
    """A family's ``deserialize``: ``deserialize_keras_object`` over its
    ``name_table``, and, with ``instantiate``, a class a bare name gives is
    built with its defaults (``"max_norm"`` -> ``MaxNorm()``), as Keras
    does for regularizers and constraints.

    Raises:
        ValueError: for an unknown name, naming ``printable_module_name``.
    """
    obj = deserialize_keras_object(
        config,
        module_objects=table,
        custom_objects=custom_objects,
        printable_module_name=printable_module_name,
    )
    if instantiate and isinstance(obj, type):
        return obj()
    return obj


def get_from_identifier(identifier, deserialize, error, default=None,
                        instantiate=True):
    """A family's ``get``: what ``identifier`` (``None``, a name, a config
    dict, a class, an instance or a callable) means there.

    Args:
        identifier: what the user passed (``kernel_initializer="zeros"``).
        deserialize: the family's ``deserialize``, for names and dicts.
        error: the family's message head ("Could not interpret initializer
            identifier. Expected ..."); ``Received: identifier=...`` is
            appended.
        default: what ``None`` means (``linear`` for activations).
        instantiate: build a class with its defaults (every family but
            activations, where a layer class is a callable already).

    Raises:
        ValueError: when the result is not callable.
    """
    if identifier is None:
        return default
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if instantiate and isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"{error} Received: identifier={identifier!r}")
