"""The public names of torchkeras: one table, filled by ``keras_export``.

A class or function says where the public API shows it where it is
defined, as Keras 3's ``keras_export`` does::

    @keras_export("keras.layers.Conv1D", "keras.layers.Convolution1D")
    class Conv1D(BaseConv):
        ...

The first path is the object's canonical name; the others are aliases
(Keras 3's, and tf.keras 2's where we keep them). ``keras.`` stands for the
``torchkeras`` package. Three things read the table, so none of them keeps
its own list of names:

- a namespace's ``__init__`` (``export_into``), after importing the modules
  that implement it (``import_submodules``);
- each family's ``get``/``deserialize`` (``objects_in``), through
  ``utils/serialization.py``: a config's class name is looked up among the
  objects of its namespace, so ``layers.deserialize`` finds ``Sequential``
  without importing the engine (which registers it when it is imported);
- the public-API snapshot test (``all_public_names``).

Only the library's own objects are here: users register theirs with
``register_keras_serializable``, which this table does not see.
"""

import importlib
import os
import types

_PREFIX = "keras"
# "keras.layers.Dense" -> Dense.
_BY_PATH = {}
# "keras.layers" -> {"Dense": Dense, ...}, kept in step with _BY_PATH so a
# lookup during deserialization is one dict access.
_BY_NAMESPACE = {}
# id(object) -> its paths, canonical first.
_PATHS = {}


def keras_export(*paths):
    """Decorator recording a class or function under public ``paths``.

    Args:
        *paths: dotted names starting with ``keras.``
            (``"keras.layers.Dense"``); the first is the canonical one.

    Returns:
        The decorator; it returns the object unchanged, so it also works as
        a call for objects defined elsewhere:
        ``keras_export("keras.layers.Layer")(Layer)``.

    Raises:
        ValueError: for a path outside ``keras.``, or one already taken by
            a different object (naming both).
    """
    if not paths:
        raise ValueError("keras_export needs at least one public path.")
    for path in paths:
        _check_path(path)

    def decorator(obj):
        for path in paths:
            _record(path, obj)
        return obj

    return decorator


def _check_path(path):
    if not isinstance(path, str) or not path.startswith(_PREFIX + "."):
        raise ValueError(
            "A public path starts with 'keras.' and names the object, as "
            f"'keras.layers.Dense'. Received: path={path!r}"
        )


def _record(path, obj):
    previous = _BY_PATH.get(path)
    if previous is not None and previous is not obj:
        if not _same_definition(previous, obj):
            raise ValueError(
                f"The public path '{path}' is already taken by "
                f"{_describe(previous)}; cannot register "
                f"{_describe(obj)} under it too."
            )
        _forget(previous)  # a reloaded module defines the object again
    namespace, _, name = path.rpartition(".")
    _BY_PATH[path] = obj
    _BY_NAMESPACE.setdefault(namespace, {})[name] = obj
    known = _PATHS.setdefault(id(obj), [])
    if path not in known:
        known.append(path)


def _same_definition(a, b):
    """Whether ``b`` is ``a`` defined again (``importlib.reload``)."""
    return (getattr(a, "__module__", None) == getattr(b, "__module__", 0)
            and getattr(a, "__qualname__", None)
            == getattr(b, "__qualname__", 0))


def _forget(obj):
    for path in _PATHS.pop(id(obj), ()):
        namespace, _, name = path.rpartition(".")
        _BY_PATH.pop(path, None)
        _BY_NAMESPACE.get(namespace, {}).pop(name, None)


def _describe(obj):
    return (f"{getattr(obj, '__module__', '?')}."
            f"{getattr(obj, '__qualname__', repr(obj))}")


def objects_in(namespace):
    """``{short name: object}`` of what is registered directly under
    ``namespace`` (``"keras.layers"``), aliases included; read-only."""
    return types.MappingProxyType(_BY_NAMESPACE.get(namespace, {}))


def unique_objects_in(namespace):
    """The distinct objects of ``namespace``, in registration order (each
    once, however many aliases it has)."""
    seen = {}
    for obj in _BY_NAMESPACE.get(namespace, {}).values():
        seen.setdefault(id(obj), obj)
    return tuple(seen.values())


def public_paths(obj):
    """The paths ``obj`` was registered under, canonical first."""
    return tuple(_PATHS.get(id(obj), ()))


def all_public_names():
    """Every registered path, sorted (``keras.layers.Dense``, ...)."""
    return sorted(_BY_PATH)


def export_into(module_globals, namespace):
    """Binds the objects of ``namespace`` as names of a package.

    ``module_globals``: the package ``__init__``'s ``globals()``. A name the
    package already binds to a different object is an error: two
    definitions would be competing for one public name.

    Raises:
        ValueError: on such a clash, naming both objects.
    """
    for name, obj in _BY_NAMESPACE.get(namespace, {}).items():
        bound = module_globals.get(name, obj)
        if bound is not obj and not isinstance(bound, types.ModuleType):
            raise ValueError(
                f"'{namespace}.{name}' is registered as {_describe(obj)}, "
                f"but {module_globals.get('__name__')} already binds "
                f"{_describe(bound)} to that name."
            )
        module_globals[name] = obj


def import_submodules(package_name, package_path, skip=()):
    """Imports every module of a package, so their ``keras_export``
    decorators have run before the package reads the table.

    Modules and folders whose name starts with ``_`` are skipped (private
    helpers load when their users import them), as are the dotted names
    relative to the package in ``skip``, with what is below them (modules
    that load lazily on purpose, or a sub-namespace the package imports
    once it is complete). The order is sorted, so it does not depend on
    the file system.
    """
    for relative in _module_names(package_path[0], ""):
        if not any(relative == s or relative.startswith(s + ".")
                   for s in skip):
            importlib.import_module(f"{package_name}.{relative}")


def _module_names(folder, prefix):
    entries = sorted(os.scandir(folder), key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_dir():
            if os.path.exists(os.path.join(entry.path, "__init__.py")):
                yield prefix + entry.name
                yield from _module_names(entry.path,
                                         f"{prefix}{entry.name}.")
        elif entry.name.endswith(".py"):
            yield prefix + entry.name[:-3]
