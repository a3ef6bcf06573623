"""`Options` for `Dataset.with_options`, as `tf.data.Options`.

Owns the option objects only. Pipelines run single-threaded and
deterministically whatever they say; the training engine may read
`experimental_distribute.auto_shard_policy` when it shards a dataset.
"""

import enum


class AutoShardPolicy(enum.IntEnum):
    """How a dataset is split between replicas (`tf.data.experimental`)."""

    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class _OptionGroup:
    """A fixed set of attributes; an unknown name is an AttributeError."""

    _DEFAULTS = {}

    def __init__(self):
        for name, value in self._DEFAULTS.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        if name not in self._DEFAULTS:
            raise AttributeError(
                f"{type(self).__name__} has no option {name!r}. Expected "
                f"one of {sorted(self._DEFAULTS)}. Received: {name}={value!r}"
            )
        object.__setattr__(self, name, value)

    def _merge(self, other):
        """Options set (not None) in `other` win over those of `self`."""
        merged = type(self)()
        for name in self._DEFAULTS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, _OptionGroup):
                object.__setattr__(merged, name, mine._merge(theirs))
            else:
                value = mine if theirs is None else theirs
                object.__setattr__(merged, name, value)
        return merged

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in self._DEFAULTS)

    __hash__ = None


class DistributeOptions(_OptionGroup):
    _DEFAULTS = {"auto_shard_policy": None, "num_devices": None}


class ThreadingOptions(_OptionGroup):
    _DEFAULTS = {"max_intra_op_parallelism": None,
                 "private_threadpool_size": None}


class OptimizationOptions(_OptionGroup):
    _DEFAULTS = {"apply_default_optimizations": None,
                 "map_parallelization": None, "parallel_batch": None,
                 "noop_elimination": None, "shuffle_and_repeat_fusion": None,
                 "filter_fusion": None, "map_fusion": None}


class Options(_OptionGroup):
    """Options of a dataset pipeline (accepted; the pipeline is serial).

    Examples:
        >>> options = Options()
        >>> options.experimental_distribute.auto_shard_policy = (
        ...     AutoShardPolicy.DATA)
    """

    _DEFAULTS = {"deterministic": None, "experimental_deterministic": None,
                 "experimental_slack": None,
                 "experimental_external_state_policy": None,
                 "autotune": None, "experimental_distribute": None,
                 "experimental_optimization": None, "threading": None}

    def __init__(self):
        super().__init__()
        object.__setattr__(self, "experimental_distribute",
                           DistributeOptions())
        object.__setattr__(self, "experimental_optimization",
                           OptimizationOptions())
        object.__setattr__(self, "threading", ThreadingOptions())

    @property
    def experimental_threading(self):
        return self.threading

    def merge(self, options):
        """A new `Options` where the values set in `options` win."""
        return self._merge(options)
