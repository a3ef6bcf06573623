"""Safe mode: whether deserializing may load Python bytecode from a file.

Keras refuses to rebuild a ``Lambda`` whose function is a Python lambda
stored as marshalled bytecode unless the caller opts in, per load with
``safe_mode=False`` or for the process with
``keras.config.enable_unsafe_deserialization()``. This module holds that
switch and the scope a loader opens so that every ``from_config`` below it
sees the caller's choice (``Lambda.from_config`` reads it); the formats
themselves stay with ``saving`` and the layer.
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
