"""Process-wide mutable state: unique layer names and ``clear_session``.

Every other module that needs global state keeps it here, so that
``clear_session()`` is the one place that resets it.
"""

import collections
import gc

from torchkeras.utils.registry import keras_export

_NAME_COUNTERS = collections.defaultdict(int)
_RESET_HOOKS = []


def unique_name(prefix):
    """Returns ``prefix``, then ``prefix_1``, ``prefix_2``, ... ."""
    count = _NAME_COUNTERS[prefix]
    _NAME_COUNTERS[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def register_reset_hook(fn):
    """Registers ``fn()`` to run at every ``clear_session()``."""
    _RESET_HOOKS.append(fn)
    return fn


@keras_export("keras.backend.clear_session")
def clear_session(free_memory=True):
    """Resets name counters and global backend state, as tf.keras's does.

    Layer names start again from `dense`, `dense_1`, ...; the uid
    counters of `get_uid`, the learning phase set by `set_learning_phase`,
    the global dtype policy and the current session are reset too.

    Args:
        free_memory: Whether to run Python's garbage collector afterwards,
            releasing the memory of models no longer referenced.

    Examples:
        >>> keras.backend.clear_session()
        >>> keras.layers.Dense(1).name
        'dense'
        >>> keras.layers.Dense(1).name
        'dense_1'
        >>> keras.backend.clear_session()
        >>> keras.layers.Dense(1).name
        'dense'
    """
    _NAME_COUNTERS.clear()
    for fn in _RESET_HOOKS:
        fn()
    if free_memory:
        gc.collect()
