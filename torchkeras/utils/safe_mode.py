"""Safe mode: whether deserializing may load Python bytecode from a file.

Keras refuses to rebuild a ``Lambda`` whose function is a Python lambda
stored as marshalled bytecode unless the caller opts in, per load with
``safe_mode=False`` or for the process with
``keras.config.enable_unsafe_deserialization()``. This module holds that
switch and the scope a loader opens so that every ``from_config`` below it
sees the caller's choice (``Lambda.from_config`` reads it), and
``stored_bytecode``, which finds bytecode in a config in either Keras
dialect whatever class the config names, so that a loader can refuse it
before any class is resolved; loading the bytecode stays with the layer.
"""

import contextlib
import threading

_STATE = threading.local()
_UNSAFE_EVERYWHERE = [False]


def enable_unsafe_deserialization():
    """Allows loading Python bytecode (``Lambda`` layers) from now on.

    The equivalent of passing ``safe_mode=False`` to every loading
    function, as Keras 3's ``keras.config.enable_unsafe_deserialization``.
    Only call it for files you trust: a file's bytecode can run any code.
    """
    _UNSAFE_EVERYWHERE[0] = True


def in_safe_mode():
    """``False`` when unsafe loading is allowed here, else the value of the
    innermost ``safe_mode_scope`` (``None`` outside any)."""
    if _UNSAFE_EVERYWHERE[0]:
        return False
    return getattr(_STATE, "safe_mode", None)


def resolve(safe_mode=None):
    """The safe mode that applies: unsafe if enabled globally, else the
    argument, else the enclosing scope's, else safe."""
    ambient = in_safe_mode()
    if ambient is False:
        return False
    if safe_mode is not None:
        return bool(safe_mode)
    return ambient is not False


@contextlib.contextmanager
def safe_mode_scope(safe_mode=True):
    """Makes ``safe_mode`` the ambient value inside the ``with`` block."""
    previous = getattr(_STATE, "safe_mode", None)
    _STATE.safe_mode = bool(safe_mode)
    try:
        yield
    finally:
        _STATE.safe_mode = previous


# What a stored function's kind key holds for bytecode (tf.keras 2 wrote
# ``function_type``, ``output_shape_type`` and ``mask_type``).
_KIND_KEYS = ("function_type", "output_shape_type", "mask_type")


def stored_bytecode(config):
    """The key under which ``config`` (one object's ``config`` dict) stores
    Python bytecode, or None.

    Keras 3 stores a lambda as ``{"class_name": "__lambda__", ...}`` under
    ``function``, ``output_shape`` or ``mask``; tf.keras 2 as a list next to
    ``<key>_type: "lambda"``. Either is bytecode whichever class the
    enclosing entry names or resolves to, so this looks at the values, not
    at the class.
    """
    if not isinstance(config, dict):
        return None
    for key in _KIND_KEYS:
        if config.get(key) == "lambda":
            return key[:-len("_type")]
    for key, value in config.items():
        if isinstance(value, dict) and value.get("class_name") == (
                "__lambda__"):
            return key
    return None
