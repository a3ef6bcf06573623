"""Process-wide runtime settings, and tf 1.x's ConfigProto/Session idiom.

Owns what ``tf.config``, ``tf.debugging`` and a tf 1.x session config used
to set, mapped onto torch:

- ``per_process_gpu_memory_fraction`` / a logical device's
  ``memory_limit`` -> ``torch.cuda.set_per_process_memory_fraction``;
- ``allow_growth`` / ``set_memory_growth``: recorded; torch's caching
  allocator already grows on demand;
- ``log_device_placement``: each layer prints the device it runs on, once
  per device (``log_placement``, from a global torch module hook installed
  only while logging is on);
- ``device_count={'GPU': 0}`` and hidden GPUs: the CPU becomes the default
  device (``backend.device.set_device``);
- ``allow_soft_placement``: accepted; placement already falls back to the
  CPU when no GPU is visible.

``ConfigProto``/``GPUOptions`` are plain attribute holders with tf's field
names; ``set_session(Session(config=config))`` applies one. Device choice
itself stays in ``backend/device.py``.
"""

import collections
import sys
import warnings
import weakref

import numpy as np
import torch

from torchkeras.backend import global_state
from torchkeras.backend.device import _visible_cuda
from torchkeras.backend.device import current_device
from torchkeras.backend.device import set_device
from torchkeras.utils.registry import keras_export


class _Settings:
    """Process-wide flags (a graph run checks ``log_placement``)."""

    log_placement = False  # debugging flag OR the session's config
    debug_log_placement = False
    soft_placement = True  # tf.config.set_soft_device_placement


SETTINGS = _Settings()
_MEMORY_GROWTH = {}  # GPU index -> bool
_MEMORY_FRACTION = {}  # GPU index -> fraction applied
_LOGICAL_CONFIG = {}  # (device type, index) -> LogicalDeviceConfigurations
_LOGGED = weakref.WeakKeyDictionary()  # layer -> devices already logged
# The forward pre-hook that logs a layer (registered by layers/layer.py)
# and its handle while installed.
_PLACEMENT_HOOK = {"hook": None, "handle": None}
_SESSION = {"current": None}


# ----------------------------------------------------------------------
# GPUs and memory.


def cuda_visible():
    """True when torch sees a GPU and ``CUDA_VISIBLE_DEVICES`` is not -1."""
    return _visible_cuda()


def gpu_count():
    return torch.cuda.device_count() if cuda_visible() else 0


def set_memory_growth(index, enable):
    """Records memory growth for GPU ``index`` (torch grows on demand)."""
    _MEMORY_GROWTH[int(index)] = bool(enable)


def get_memory_growth(index):
    return _MEMORY_GROWTH.get(int(index), False)


def set_memory_fraction(fraction, index=None):
    """Caps this process's share of GPU memory (all GPUs by default).

    Raises:
        ValueError: if `fraction` is not in ``(0, 1]``.
    """
    fraction = float(fraction)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(
            "The GPU memory fraction must be in (0, 1]. "
            f"Received: fraction={fraction}"
        )
    indices = range(gpu_count()) if index is None else [int(index)]
    for i in indices:
        torch.cuda.set_per_process_memory_fraction(fraction, i)
        _MEMORY_FRACTION[i] = fraction


def set_memory_limit(megabytes, index):
    """Caps GPU ``index`` at ``megabytes`` MiB (tf's ``memory_limit``)."""
    total = torch.cuda.get_device_properties(index).total_memory
    set_memory_fraction(min(1.0, megabytes * 2**20 / total), index)


def memory_fraction(index):
    """The fraction applied to GPU ``index``, or None."""
    return _MEMORY_FRACTION.get(int(index))


def set_logical_configuration(device_type, index, configurations):
    """Records tf's logical device configurations of one physical device;
    a GPU's ``memory_limit``s (MiB, summed) cap its memory."""
    _LOGICAL_CONFIG[(device_type, int(index))] = list(configurations)
    limits = [c.memory_limit for c in configurations
              if getattr(c, "memory_limit", None) is not None]
    if device_type == "GPU" and limits and cuda_visible():
        set_memory_limit(sum(limits), int(index))


def logical_configuration(device_type, index):
    return _LOGICAL_CONFIG.get((device_type, int(index)))


# ----------------------------------------------------------------------
# Placement logging.


def set_log_device_placement(enabled):
    """``tf.debugging.set_log_device_placement``: layers print devices."""
    SETTINGS.debug_log_placement = bool(enabled)
    _refresh_log_placement()


def get_log_device_placement():
    """Whether ``set_log_device_placement(True)`` is in effect."""
    return SETTINGS.debug_log_placement


def set_placement_hook(hook):
    """Registers ``hook(module, args)``, the forward pre-hook that logs a
    layer's placement (``layers/layer.py`` owns what a layer's inputs are;
    this module cannot import it). It is installed on every torch module
    only while logging is on, so layer calls pay nothing otherwise."""
    _install_placement_hook(None)
    _PLACEMENT_HOOK["hook"] = hook
    _refresh_log_placement()


def _refresh_log_placement():
    session = _SESSION["current"]
    from_session = session is not None and bool(
        session.config.log_device_placement)
    SETTINGS.log_placement = SETTINGS.debug_log_placement or from_session
    if SETTINGS.log_placement:
        _install_placement_hook(_PLACEMENT_HOOK["hook"])
    else:
        _install_placement_hook(None)
        _LOGGED.clear()


def _install_placement_hook(hook):
    """Installs ``hook`` as the global forward pre-hook (None: removes it)."""
    handle = _PLACEMENT_HOOK["handle"]
    if hook is None:
        if handle is not None:
            handle.remove()
            _PLACEMENT_HOOK["handle"] = None
    elif handle is None:
        _PLACEMENT_HOOK["handle"] = (
            torch.nn.modules.module.register_module_forward_pre_hook(hook))


def log_placement(layer, inputs):
    """Prints ``layer``'s device the first time it runs there."""
    device = _device_of(layer, inputs)
    if device is None or device.type == "meta":
        return
    seen = _LOGGED.setdefault(layer, set())
    if device in seen:
        return
    seen.add(device)
    print(f"Executing layer {layer.name} ({type(layer).__name__}) in "
          f"device {device}", file=sys.stderr, flush=True)


def _device_of(layer, inputs):
    stack = [inputs]
    while stack:
        x = stack.pop(0)
        if torch.is_tensor(x):
            return x.device
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
    for w in layer.parameters():
        return w.device
    return current_device()


# ----------------------------------------------------------------------
# tf 1.x ConfigProto / Session.

DeviceAttributes = collections.namedtuple(
    "DeviceAttributes", ["name", "device_type", "memory_limit_bytes"])


@keras_export("keras.backend.GPUOptions")
class GPUOptions:
    """tf 1.x `GPUOptions`: the GPU fields torchkeras maps.

    A plain holder of tf's field names; `ConfigProto(gpu_options=...)`
    carries it and `set_session` applies it.

    Args:
        allow_growth: Accepted (torch's allocator grows on demand).
        per_process_gpu_memory_fraction: In `(0, 1]`; 0 means no cap.
            Applied with `torch.cuda.set_per_process_memory_fraction`.
        visible_device_list: `'0,1'`: the first listed GPU becomes the
            default device.
        experimental: Accepted and stored; tf's experimental GPU options
            have no effect here.

    Examples:
        >>> options = keras.backend.GPUOptions(allow_growth=True)
        >>> options.allow_growth, options.per_process_gpu_memory_fraction
        (True, 0.0)
    """

    __slots__ = ("allow_growth", "per_process_gpu_memory_fraction",
                 "visible_device_list", "experimental")

    def __init__(self, allow_growth=False, per_process_gpu_memory_fraction=0.0,
                 visible_device_list="", experimental=None):
        self.allow_growth = allow_growth
        self.per_process_gpu_memory_fraction = per_process_gpu_memory_fraction
        self.visible_device_list = visible_device_list
        self.experimental = experimental

    def __repr__(self):
        return _repr(self)


@keras_export("keras.backend.ConfigProto")
class ConfigProto:
    """tf 1.x `ConfigProto`: session options mapped onto torch.

    A plain holder of tf's field names; `set_session(Session(config=...))`
    applies it.

    Args:
        gpu_options: A `GPUOptions` (or a dict of its fields).
        log_device_placement: Print the device each layer runs on.
        allow_soft_placement: Accepted (placement falls back to the CPU).
        device_count: For example `{'GPU': 0}` to run on the CPU.
        intra_op_parallelism_threads: More than 0 calls
            `torch.set_num_threads`.
        inter_op_parallelism_threads: More than 0 calls
            `torch.set_num_interop_threads`.
        graph_options: Accepted and stored; there is no graph to optimize.
        isolate_session_state: Accepted and stored; there is one process
            state.

    Examples:
        >>> config = keras.backend.ConfigProto()
        >>> config.gpu_options.allow_growth = True
        >>> config.gpu_options.allow_growth
        True
    """

    __slots__ = ("gpu_options", "log_device_placement",
                 "allow_soft_placement", "device_count",
                 "intra_op_parallelism_threads",
                 "inter_op_parallelism_threads", "graph_options",
                 "isolate_session_state")

    def __init__(self, gpu_options=None, log_device_placement=False,
                 allow_soft_placement=False, device_count=None,
                 intra_op_parallelism_threads=0,
                 inter_op_parallelism_threads=0, graph_options=None,
                 isolate_session_state=False):
        if isinstance(gpu_options, dict):
            gpu_options = GPUOptions(**gpu_options)
        self.gpu_options = gpu_options or GPUOptions()
        self.log_device_placement = log_device_placement
        self.allow_soft_placement = allow_soft_placement
        self.device_count = dict(device_count or {})
        self.intra_op_parallelism_threads = intra_op_parallelism_threads
        self.inter_op_parallelism_threads = inter_op_parallelism_threads
        self.graph_options = graph_options
        self.isolate_session_state = isolate_session_state

    def __repr__(self):
        return _repr(self)


def _repr(obj):
    fields = ", ".join(f"{k}={getattr(obj, k)!r}" for k in obj.__slots__)
    return f"{type(obj).__name__}({fields})"


@keras_export("keras.backend.Session")
class Session:
    """tf 1.x `Session`: holds a `ConfigProto`; torch runs eagerly.

    `set_session(Session(config=config))` applies the config. Used as a
    context manager it is the current session inside the block. `run`
    turns tensors (or nested lists and dicts of them) into NumPy values.

    Args:
        target: Accepted and ignored (no remote execution).
        graph: Accepted and ignored (there is no graph to run).
        config: A `ConfigProto`; default `ConfigProto()`.

    Raises:
        TypeError: If `config` is not a `ConfigProto`.

    Examples:
        >>> session = keras.backend.Session(config=keras.backend.ConfigProto())
        >>> session.run(keras.backend.ones((2,)))
        array([1., 1.], dtype=float32)
    """

    def __init__(self, target="", graph=None, config=None):
        if config is not None and not isinstance(config, ConfigProto):
            raise TypeError(
                "`config` must be a ConfigProto. "
                f"Received: config={config!r}"
            )
        self.target = target
        self.graph = graph
        self.config = config or ConfigProto()
        self._closed = False
        self._previous = []

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """NumPy values of ``fetches`` (tensors, numbers or nests)."""
        if feed_dict:
            raise ValueError(
                "Session.run: `feed_dict` has no meaning in torchkeras, "
                "which runs eagerly; call the model or function directly. "
                f"Received: feed_dict with {len(feed_dict)} entries"
            )
        return _to_numpy(fetches)

    def close(self):
        self._closed = True
        if _SESSION["current"] is self:
            _SESSION["current"] = None
            _refresh_log_placement()

    def as_default(self):
        return self

    def list_devices(self):
        """The CPU and visible GPUs, as tf's ``_DeviceAttributes``."""
        return [DeviceAttributes(
            "/job:localhost/replica:0/task:0" + name,
            device_type, 0) for name, device_type, _ in logical_devices()]

    def __enter__(self):
        self._previous.append(_SESSION["current"])
        set_session(self)
        return self

    def __exit__(self, *exc_info):
        previous = self._previous.pop()
        if previous is None:
            _SESSION["current"] = None
            _refresh_log_placement()
        else:
            set_session(previous)
        return False


class InteractiveSession(Session):
    """tf 1.x ``InteractiveSession``: becomes the current session at once."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        set_session(self)


def _to_numpy(value):
    if torch.is_tensor(value):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(v) for v in value)
    if isinstance(value, (int, float, bool, np.generic)):
        return np.asarray(value)
    return value


@keras_export("keras.backend.set_session")
def set_session(session):
    """Makes `session` current and applies its config (tf.keras 2).

    Args:
        session: A `Session` whose `ConfigProto` sets the default device,
            the GPU memory cap and the thread counts.

    Raises:
        TypeError: If `session` is not a `Session`.

    Examples:
        >>> config = keras.backend.ConfigProto(log_device_placement=False)
        >>> keras.backend.set_session(keras.backend.Session(config=config))
        >>> keras.backend.get_session().config is config
        True
    """
    if not isinstance(session, Session):
        raise TypeError(
            "`set_session` expects a Session (backend.Session or "
            f"compat.v1.Session). Received: session={session!r}"
        )
    _apply_config(session.config)
    _SESSION["current"] = session
    _refresh_log_placement()


@keras_export("keras.backend.get_session")
def get_session(op_input_list=()):
    """The current session (a default one is created when there is none).

    There is no graph to run here: the session holds the config and its
    `run` turns tensors into NumPy values, which is what tf.keras 2 code
    that calls `get_session().run(...)` expects.

    Args:
        op_input_list: Accepted for tf.keras compatibility and ignored
            (tf used it to find the graph of the ops).

    Returns:
        A `Session`.

    Examples:
        >>> session = keras.backend.get_session()
        >>> type(session).__name__
        'Session'
        >>> session.run({"x": keras.backend.constant(2.0)})
        {'x': array(2., dtype=float32)}
    """
    if _SESSION["current"] is None:
        _SESSION["current"] = Session()
    return _SESSION["current"]


def _apply_config(config):
    gpu = config.gpu_options
    if config.device_count.get("GPU", None) == 0:
        set_device("cpu")
    elif gpu.visible_device_list and cuda_visible():
        first = str(gpu.visible_device_list).split(",")[0].strip()
        set_device(f"cuda:{int(first)}")
    fraction = gpu.per_process_gpu_memory_fraction or 0.0
    if fraction > 0 and cuda_visible():
        set_memory_fraction(min(float(fraction), 1.0))
    if gpu.allow_growth:
        for i in range(gpu_count()):
            set_memory_growth(i, True)
    _apply_threads(config)


def _apply_threads(config):
    if config.intra_op_parallelism_threads > 0:
        torch.set_num_threads(int(config.intra_op_parallelism_threads))
    if config.inter_op_parallelism_threads > 0:
        try:
            torch.set_num_interop_threads(
                int(config.inter_op_parallelism_threads))
        except RuntimeError as e:  # torch allows it once, before any work
            warnings.warn(
                "inter_op_parallelism_threads was not applied: torch can "
                f"only set it before its first parallel work ({e}).",
                stacklevel=3)


def _clear_session():
    if _SESSION["current"] is not None:
        _SESSION["current"] = None
        _refresh_log_placement()


global_state.register_reset_hook(_clear_session)


# ----------------------------------------------------------------------
# Devices as tf.config names them.

_VISIBLE_GPUS = {"indices": None}  # None: all


def set_visible_gpus(indices):
    """Hides the GPUs not in ``indices``; the first visible is the default
    device, or the CPU when none is. None shows them all again."""
    if indices is None:
        _VISIBLE_GPUS["indices"] = None
        set_device(None)
        return
    indices = [int(i) for i in indices]
    _VISIBLE_GPUS["indices"] = indices
    if indices:
        set_device(f"cuda:{indices[0]}")
    else:
        set_device("cpu")


def visible_gpus():
    indices = _VISIBLE_GPUS["indices"]
    count = gpu_count()
    if indices is None:
        return list(range(count))
    return [i for i in indices if i < count]


def logical_devices():
    """``(name, device_type, torch device)`` of the CPU and visible GPUs."""
    out = [("/device:CPU:0", "CPU", torch.device("cpu"))]
    for n, i in enumerate(visible_gpus()):
        out.append((f"/device:GPU:{n}", "GPU", torch.device("cuda", i)))
    return out
