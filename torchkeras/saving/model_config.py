"""Model configs in files: serializing, rebuilding, compile configs, JSON.

``serialize_model`` writes Keras 3's top-level entry (``module``,
``class_name``, ``config``, ``registered_name``, ``build_config``,
``compile_config``) and annotates every nested object with the ``module`` /
``registered_name`` keys Keras 3 needs to find built-ins. ``deserialize_model``
rebuilds from a Keras 3 or tf.keras 2 config: functional and Sequential
models from the layer registry, subclassed ones from ``custom_objects`` or
``register_keras_serializable``. Classes are looked up, never imported by a
module name read from the file, and no code in a file is run.

A config read from a file is untrusted, so before any layer is built it is
bounded (``parse_config``, ``check_config``: size, nesting depth, list
lengths, container count, integers that fit 64 bits), and while the model
is rebuilt every tensor that torch is asked to allocate is checked against
a budget (``weight_budget``) before the memory is taken: a
``Dense(units=2**31)`` is refused with the layer and the shape named
instead of allocating 40 GB. A rebuild that fails leaves the process as it
was (name counters, random generators). Every failure is a
``FileFormatError`` naming the file and the part.
"""

import contextlib
import json
import sys
import warnings

import numpy as np
import torch

from torchkeras.saving import legacy
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import SavingError
from torchkeras.utils import safe_mode as safe_mode_lib
from torchkeras.utils import serialization
from torchkeras.utils.registry import keras_export

# Bounds on a config read from a file (JSON text, then the parsed value).
MAX_CONFIG_BYTES = 16 << 20
MAX_CONFIG_DEPTH = 100
MAX_LIST_LENGTH = 1_000_000
MAX_CONTAINERS = 1_000_000
MAX_INT_BITS = 64
MAX_SHAPE_RANK = 64
# Keys whose list values are tensor shapes (checked against the rank).
_SHAPE_KEYS = frozenset({
    "shape", "batch_shape", "batch_input_shape", "input_shape",
    "build_input_shape", "target_shape", "output_shape", "dims"})
# Weights a rebuild may allocate when the file does not say how many it
# holds (``model_from_json``, ``.h5`` model configs): one tensor, and all.
MAX_TENSOR_BYTES = 8 << 30
MAX_WEIGHT_BYTES = 64 << 30
# What ``model_from_json`` errors name in place of a file.
JSON_STRING = "<json string>"

_KERAS_MODULES = (
    ("layers", "keras.layers"),
    ("initializers", "keras.initializers"),
    ("regularizers", "keras.regularizers"),
    ("constraints", "keras.constraints"),
    ("optimizers", "keras.optimizers"),
    ("losses", "keras.losses"),
    ("metrics", "keras.metrics"),
)
_MODEL_MODULES = {"Functional": "keras.src.models.functional",
                  "Sequential": "keras", "Model": "keras"}


def _builtin_module(class_name):
    import importlib

    if class_name in _MODEL_MODULES:
        return _MODEL_MODULES[class_name]
    for package, keras_module in _KERAS_MODULES:
        module = importlib.import_module(f"torchkeras.{package}")
        if isinstance(getattr(module, class_name, None), type):
            return keras_module
    return None


def annotate(config):
    """Adds Keras 3's ``module``/``registered_name`` keys where missing."""
    if isinstance(config, list):
        return [annotate(c) for c in config]
    if not isinstance(config, dict):
        return config
    out = {k: annotate(v) for k, v in config.items()}
    name = out.get("class_name")
    if (not isinstance(name, str) or "config" not in out
            or name.startswith("__") or "module" in out):
        return out
    registered = serialization.get_registered_object(name)
    if ">" in name or (registered is not None
                       and name in serialization.get_custom_objects()):
        out["module"] = getattr(registered, "__module__", None)
        out["registered_name"] = name
        return out
    module = _builtin_module(name)
    out["module"] = module
    out["registered_name"] = "Functional" if name == "Functional" else (
        None if module else name)
    return out


def model_class_name(model):
    if getattr(model, "_is_graph_network", False) and type(
            model).__name__ in ("Model", "Functional"):
        return "Functional"
    return serialization.get_registered_name(type(model))


def build_config(model):
    shape = getattr(model, "_build_input_shape", None)
    if shape is not None:
        shape = _listify(shape)
    return {"input_shape": shape}


def _listify(value):
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    return value


def _serialize_spec(spec):
    """Loss/metric specs: names stay, objects become configs."""
    if spec is None or isinstance(spec, (str, int, float, bool)):
        return spec
    if isinstance(spec, dict):
        return {k: _serialize_spec(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_serialize_spec(v) for v in spec]
    return serialization.serialize_keras_object(spec)


def compile_config(model):
    """Keras 3's ``compile_config``, or None if the model is not compiled."""
    if not getattr(model, "compiled", False):
        return None
    getter = getattr(model, "get_compile_config", None)
    if getter is not None:
        return getter()
    from torchkeras import optimizers

    opt = model.optimizer
    opt_config = optimizers.serialize(opt) if isinstance(
        opt, optimizers.Optimizer) else None
    closs = getattr(model, "compiled_loss", None)
    cmetrics = getattr(model, "compiled_metrics", None)
    return {
        "optimizer": opt_config,
        "loss": _serialize_spec(model.loss),
        "loss_weights": _serialize_spec(getattr(closs, "_weights_spec",
                                                None)),
        "metrics": _serialize_spec(getattr(cmetrics, "_metrics_spec", None)),
        "weighted_metrics": _serialize_spec(
            getattr(cmetrics, "_weighted_spec", None)),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def serialize_model(model, include_compile=True):
    """The Keras 3 ``config.json`` entry for ``model``."""
    name = model_class_name(model)
    entry = {"class_name": name, "config": model.get_config()}
    entry = annotate(entry)
    entry["build_config"] = build_config(model)
    if include_compile:
        entry["compile_config"] = annotate(compile_config(model))
    return entry


def _deserialize_spec(spec, module, custom_objects):
    if isinstance(spec, dict) and "class_name" in spec:
        return module.deserialize(spec, custom_objects=custom_objects)
    if isinstance(spec, dict):
        return {k: _deserialize_spec(v, module, custom_objects)
                for k, v in spec.items()}
    if isinstance(spec, list):
        return [_deserialize_spec(v, module, custom_objects) for v in spec]
    return spec


def _builtin_optimizer(config):
    """tf.keras 2.11+ writes built-in optimizers as ``Custom>Adam``."""
    from torchkeras import optimizers

    if not isinstance(config, dict):
        return config
    name = config.get("class_name", "")
    if isinstance(name, str) and name.startswith("Custom>") and (
            name.split(">", 1)[1].lower() in optimizers.ALL_OBJECTS_DICT):
        config = dict(config, class_name=name.split(">", 1)[1])
        config.pop("registered_name", None)
    return config


def compile_from_config(filepath, model, config, custom_objects=None):
    """Compiles ``model`` as ``config`` (Keras 3 or tf.keras 2) says.

    A part that cannot be rebuilt (an unregistered custom loss, a damaged
    entry) leaves the model uncompiled with a warning, as Keras does.
    """
    from torchkeras import losses
    from torchkeras import metrics
    from torchkeras import optimizers

    if not config:
        return
    try:
        if not isinstance(config, dict):
            raise TypeError(f"the compile config should be a dict. "
                            f"Received: {str(config)[:80]}")
        opt = _builtin_optimizer(config.get("optimizer",
                                            config.get("optimizer_config")))
        kwargs = {
            "optimizer": optimizers.deserialize(
                opt, custom_objects=custom_objects) if opt else "rmsprop",
            "loss": _deserialize_spec(config.get("loss"), losses,
                                      custom_objects),
            "metrics": _deserialize_spec(config.get("metrics"), metrics,
                                         custom_objects),
            "weighted_metrics": _deserialize_spec(
                config.get("weighted_metrics"), metrics, custom_objects),
            "loss_weights": config.get("loss_weights"),
        }
        model.compile(**kwargs)
    except Exception as e:  # noqa: BLE001 - any failure: load uncompiled
        warnings.warn(
            f"File '{filepath}': the model was loaded but not compiled: its "
            f"compile config cannot be rebuilt ({type(e).__name__}: "
            f"{str(e)[:300]}). Compile it yourself.",
            stacklevel=3,
        )


def _build(filepath, model, entry):
    if getattr(model, "built", False):
        return
    build_config = entry.get("build_config") or {}
    shape = build_config.get("input_shape") if isinstance(
        build_config, dict) else None
    if shape is None:
        return
    try:
        model.build(_tupleize(shape))
    except WeightBudgetError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure names the file
        raise FileFormatError(
            filepath,
            f"model '{model.name}' cannot be built from its build_config "
            f"(input_shape={str(shape)[:200]}): {type(e).__name__}: "
            f"{str(e)[:300]}"
        ) from e


def _tupleize(shape):
    if isinstance(shape, dict):
        return {k: _tupleize(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0],
                                                        (list, dict)):
        return [_tupleize(s) for s in shape]
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"a shape should be a list. Received: {shape!r}")
    return tuple(shape)


# ----------------------------------------------------------------------
# Bounds on configs read from files.


def _limit_error(filepath, where, parts, problem):
    return FileFormatError(
        filepath, f"{where}: {problem} at "
        f"`{serialization.config_path(parts)}`. A config this large is "
        "refused before anything is built (the file is damaged or "
        "crafted).")


def _first_violation(config, with_paths):
    """``(problem, JSON path parts)`` of the first value beyond the
    bounds, or None. Without ``with_paths`` the walk is cheaper and the
    parts are empty; the same walk with them finds the same value."""
    containers = 0
    stack = [(config, 0, ())]
    while stack:
        value, depth, parts = stack.pop()
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                return (f"the integer {str(value)[:40]} does not fit "
                        f"{MAX_INT_BITS} bits", parts)
            continue
        if not isinstance(value, (dict, list)):
            continue
        containers += 1
        if depth > MAX_CONFIG_DEPTH:
            return (f"nesting deeper than {MAX_CONFIG_DEPTH} levels",
                    parts[:12] + ("...",))
        if containers > MAX_CONTAINERS:
            return f"more than {MAX_CONTAINERS} lists and dicts", parts
        if isinstance(value, list):
            if len(value) > MAX_LIST_LENGTH:
                return (f"a list of {len(value)} items (more than "
                        f"{MAX_LIST_LENGTH})", parts)
            stack.extend((v, depth + 1, parts + (i,) if with_paths else ())
                         for i, v in enumerate(value))
            continue
        for key, v in value.items():
            if not isinstance(key, str):
                return f"a key that is not a string ({key!r})", parts
            if key in _SHAPE_KEYS and _too_many_dims(v):
                return (f"a shape of {len(v)} dimensions (more than "
                        f"{MAX_SHAPE_RANK})", parts + (key,))
            stack.append((v, depth + 1, parts + (key,) if with_paths
                          else ()))
    return None


def _too_many_dims(value):
    return isinstance(value, list) and len(value) > MAX_SHAPE_RANK and all(
        d is None or isinstance(d, int) for d in value[:MAX_SHAPE_RANK + 1])


def check_config(filepath, config, where="the model config"):
    """Refuses a parsed config beyond the ``MAX_*`` bounds of this module.

    Walks the value without recursion (a deep value cannot exhaust the
    stack here): nesting depth, list lengths, the number of lists and
    dicts, dict keys that are not strings, shapes of more than
    ``MAX_SHAPE_RANK`` dimensions, and integers wider than 64 bits (no
    Keras argument needs one; they only reach torch as overflows).

    Raises:
        FileFormatError: naming the file, ``where`` and the JSON path.
    """
    if _first_violation(config, with_paths=False) is None:
        return config
    problem, parts = _first_violation(config, with_paths=True)
    raise _limit_error(filepath, where, parts, problem)


def parse_config(filepath, text, where="the model config"):
    """The JSON value of ``text`` (bytes or str), bounded before and after
    parsing (``MAX_CONFIG_BYTES``, then ``check_config``).

    Raises:
        FileFormatError: for text that is too large, not UTF-8, not JSON
            or beyond the bounds, naming the file and ``where``.
    """
    if len(text) > MAX_CONFIG_BYTES:
        raise FileFormatError(
            filepath, f"{where} holds {len(text)} bytes, more than the "
            f"{MAX_CONFIG_BYTES} a model config may have.")
    try:
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf8")
        # Counting brackets bounds the containers before they are made
        # (brackets inside strings only make the count larger).
        brackets = text.count("[") + text.count("{")
        if brackets > 2 * MAX_CONTAINERS:
            raise ValueError(f"{brackets} brackets: more than "
                             f"{2 * MAX_CONTAINERS}")
        value = json.loads(text)
    except RecursionError:
        raise FileFormatError(
            filepath, f"{where} nests deeper than {MAX_CONFIG_DEPTH} "
            "levels (the file is damaged or crafted).") from None
    except (UnicodeDecodeError, ValueError, TypeError) as e:
        raise FileFormatError(
            filepath, f"{where} is not valid JSON ({str(e)[:200]})."
        ) from None
    return check_config(filepath, value, where)


# ----------------------------------------------------------------------
# The weight budget of a rebuild.


_HUGE = 1 << 64


class WeightBudgetError(Exception):
    """A tensor allocation refused by ``weight_budget`` (before it ran)."""


def _element_count(dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple, torch.Size)):
        dims = tuple(dims[0])
    if not all(isinstance(d, int) and not isinstance(d, bool)
               for d in dims):
        return None  # torch checks what it is given itself
    count = 1
    for d in dims:
        count *= max(d, 0)
        if count > _HUGE:
            break  # refused anyway; the exact count does not matter
    return count, tuple(dims) if len(dims) <= 8 else (
        tuple(dims[:8]) + ("...",))


def _requested(func, args, kwargs):
    """``(elements, shape)`` a torch factory call would allocate, or None
    for calls that allocate nothing of a size read from a config."""
    name = getattr(func, "__name__", "")
    if name in ("empty", "zeros", "ones", "rand", "randn"):
        return _element_count(args or (kwargs.get("size", ()),))
    if name in ("full", "empty_strided"):
        return _element_count((args[0] if args else kwargs.get("size", ()),))
    if name == "randint":
        size = kwargs.get("size", args[-1] if args else ())
        return _element_count((size,))
    if name in ("new_empty", "new_zeros", "new_ones", "new_full"):
        return _element_count((args[1] if len(args) > 1
                               else kwargs.get("size", ()),))
    if name == "eye" and args:
        return _element_count((args[0], args[1] if len(args) > 1
                               and isinstance(args[1], int) else args[0]))
    return None


def _on_meta(func, args, kwargs):
    device = kwargs.get("device")
    if device is None and getattr(func, "__name__", "").startswith("new_"):
        device = getattr(args[0], "device", None) if args else None
    return str(device).startswith("meta") if device is not None else False


def _itemsize(kwargs, args):
    dtype = kwargs.get("dtype")
    if not isinstance(dtype, torch.dtype):
        dtype = getattr(args[0], "dtype", None) if args and torch.is_tensor(
            args[0]) else None
    if not isinstance(dtype, torch.dtype):
        dtype = torch.get_default_dtype()
    return dtype.itemsize


def _building_layer():
    """The name of the innermost layer whose code is running, or None."""
    from torchkeras.layers.layer import Layer

    frame = sys._getframe(2)
    while frame is not None:
        owner = frame.f_locals.get("self")
        if isinstance(owner, Layer):
            return f"'{owner.name}' ({type(owner).__name__})"
        frame = frame.f_back
    return None


class _Budget(torch.overrides.TorchFunctionMode):
    """Checks each torch factory call against the budget before it runs."""

    def __init__(self, max_tensor_bytes, max_total_bytes):
        super().__init__()
        self.max_tensor_bytes = max_tensor_bytes
        self.max_total_bytes = max_total_bytes
        self.total = 0
        self.refused = None

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if self.refused is None and not _on_meta(func, args, kwargs):
            requested = _requested(func, args, kwargs)
            if requested is not None:
                self._charge(requested, _itemsize(kwargs, args))
        if self.refused is not None:
            # Sticky: code that catches the first refusal and retries
            # (shape inference does) is refused again.
            raise WeightBudgetError(self.refused)
        return func(*args, **kwargs)

    def _charge(self, requested, itemsize):
        elements, shape = requested
        nbytes = elements * itemsize
        self.total += nbytes
        if nbytes > self.max_tensor_bytes:
            limit = f"the limit for one tensor is {self.max_tensor_bytes}"
        elif self.total > self.max_total_bytes:
            limit = (f"{self.total} bytes in all exceed the "
                     f"{self.max_total_bytes} this file allows")
        else:
            return
        layer = _building_layer()
        self.refused = (
            (f"layer {layer} " if layer else "")
            + f"would allocate a tensor of shape {shape} ({nbytes} bytes); "
            f"{limit}")


@contextlib.contextmanager
def weight_budget(max_total_bytes=None, max_tensor_bytes=None):
    """Refuses torch allocations past a budget while a config is rebuilt.

    Every torch factory call (``torch.empty``, ``zeros``, ``full``, ...,
    which is how every layer creates its weights, through ``add_weight`` or
    a torch module) is checked before it runs: one tensor may take at most
    ``max_tensor_bytes`` and all of them together ``max_total_bytes``
    (default ``MAX_TENSOR_BYTES`` / ``MAX_WEIGHT_BYTES``; a ``.keras``
    archive passes what its weights member can hold). Meta-device tensors
    (shape inference) are free. Yields the budget; a refusal raises
    ``WeightBudgetError``, and keeps raising it for every later factory
    call in the block, so code that swallows it cannot go on building.
    """
    budget = _Budget(max_tensor_bytes or MAX_TENSOR_BYTES,
                     max_total_bytes or MAX_WEIGHT_BYTES)
    with budget:
        yield budget


# ----------------------------------------------------------------------
# Rebuilding.


@contextlib.contextmanager
def state_restored_on_failure():
    """Leaves the process as it was when the block raises.

    A rebuild draws initial weights from the global random generators and
    may take layer names from the global counters; a load that fails must
    change neither, so a script that retries (or goes on without the
    model) sees the same names and random numbers as if it never tried.
    """
    from torchkeras.backend import global_state

    counters = dict(global_state._NAME_COUNTERS)
    torch_rng = torch.random.get_rng_state()
    numpy_rng = np.random.get_state()
    cuda_rng = (torch.cuda.get_rng_state_all()
                if torch.cuda.is_available() and torch.cuda.is_initialized()
                else None)
    try:
        yield
    except BaseException:
        global_state._NAME_COUNTERS.clear()
        global_state._NAME_COUNTERS.update(counters)
        torch.random.set_rng_state(torch_rng)
        np.random.set_state(numpy_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)
        raise


def _describe_failure(error, entry):
    part = serialization.failing_part(error)
    message = f"{type(error).__name__}: {str(error)[:500]}"
    if part is None or part[1] == entry.get("class_name") and part[2] == (
            entry["config"].get("name")):
        return message  # the model itself: named already
    kind, class_name, name = part
    which = f"{kind} '{name}' (class '{class_name}')" if name else (
        f"{kind} of class '{class_name}'")
    return f"{which} cannot be rebuilt: {message}"


def _check_entry(filepath, entry, where):
    if not isinstance(entry, dict) or "class_name" not in entry or (
            not isinstance(entry.get("config"), dict)):
        raise FileFormatError(
            filepath,
            f"{where} should be a dict with 'class_name' and 'config'. "
            f"Received: {str(entry)[:200]}"
        )


_GRAPH_KEYS = {"Functional": ("layers", "input_layers", "output_layers"),
               "Sequential": ("layers",)}


def _check_graph_config(filepath, entry, where):
    """A Functional or Sequential entry must describe its graph: without
    ``layers`` it would build an empty model that never takes the file's
    weights (they wait for a first call that cannot happen)."""
    keys = _GRAPH_KEYS.get(entry["class_name"], ())
    missing = [k for k in keys if k not in entry["config"]]
    if missing:
        raise FileFormatError(
            filepath, f"{where}: a {entry['class_name']} model config needs "
            f"{list(keys)}; it has no {missing}.")


def deserialize_model(filepath, entry, custom_objects=None, safe_mode=True,
                      where="the model config", max_weight_bytes=None):
    """Rebuilds a model from its top-level config entry.

    The entry is bounded (``check_config``) and cleaned (``legacy``) first;
    the model is then rebuilt and built under ``weight_budget``
    (``max_weight_bytes``: what the file's weights can fill) with the
    caller's ``safe_mode`` and ``custom_objects`` in scope. On any failure
    the global state is left as it was (``state_restored_on_failure``).

    Raises:
        FileFormatError: when the config is damaged, too large, names an
            unknown class or cannot be rebuilt (naming the file, ``where``
            and the innermost part that failed).
        UnsafeFileError: for stored bytecode (a Lambda) under ``safe_mode``.
    """
    from torchkeras import layers

    _check_entry(filepath, entry, where)
    check_config(filepath, entry, where)
    safe_mode = safe_mode_lib.resolve(safe_mode)
    entry = legacy.sanitize_config(filepath, entry, custom_objects,
                                   safe_mode)
    if entry["class_name"] == "Model" and "layers" not in entry["config"]:
        entry["class_name"] = entry.get("registered_name") or "Model"
    _check_graph_config(filepath, entry, where)
    budget = _Budget(MAX_TENSOR_BYTES, max_weight_bytes or MAX_WEIGHT_BYTES)
    with state_restored_on_failure():
        try:
            with serialization.custom_object_scope(custom_objects or {}), \
                    safe_mode_lib.safe_mode_scope(safe_mode), budget:
                model = layers.deserialize(
                    {k: entry[k] for k in ("class_name", "config",
                                           "registered_name")
                     if k in entry},
                    custom_objects=custom_objects)
                _build(filepath, model, entry)
            if budget.refused is not None:  # refused, then swallowed
                raise WeightBudgetError(budget.refused)
        except SavingError:
            raise
        except WeightBudgetError as e:
            raise FileFormatError(
                filepath, f"{where}: {e}. The config asks for weights far "
                "larger than the file can hold (damaged or crafted).") \
                from None
        except Exception as e:  # noqa: BLE001 - any failure names the file
            budget_error = budget.refused
            raise FileFormatError(
                filepath,
                f"{where}: cannot rebuild the model (class "
                f"'{entry['class_name']}'): "
                + (f"{budget_error}" if budget_error else
                   _describe_failure(e, entry))
            ) from e
    if not isinstance(model, torch.nn.Module) or not hasattr(model,
                                                             "compile"):
        raise FileFormatError(
            filepath, f"{where} describes a '{type(model).__name__}', not "
            "a model.")
    return model


@keras_export("keras.saving.model_to_json")
def model_to_json(model, **kwargs):
    """Returns the model's Keras 3 config as a JSON string (`Model.to_json`).

    Args:
        model: The model.
        **kwargs: Passed to `json.dumps` (e.g. `indent`).

    Returns:
        A JSON string that `model_from_json` rebuilds the model from (without
        weights).

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> json_string = keras.saving.model_to_json(model)
        >>> json_string[:30]
        '{"class_name": "Sequential", "'
    """
    entry = serialize_model(model, include_compile=False)
    entry.pop("compile_config", None)
    return json.dumps(entry, **kwargs)


@keras_export("keras.saving.model_from_json", "keras.models.model_from_json")
def model_from_json(json_string, custom_objects=None):
    """Rebuilds a model (without weights) from ``model_to_json``'s output,
    or from a tf.keras 2 ``to_json`` string.

    Args:
        json_string: A JSON string from `model_to_json` (or `to_json`).
        custom_objects: Optional dict of user-defined classes and functions
            by name.

    Returns:
        A new model with freshly initialized weights.

    Raises:
        FileFormatError: (a ``ValueError``) for a string that is not a
            model's JSON, is beyond the bounds of ``parse_config`` or cannot
            be rebuilt; the message names ``'<json string>'`` and the part.
        UnsafeFileError: for stored bytecode (a Lambda layer).

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> json_string = model.to_json()
        >>> keras.models.model_from_json(json_string).output_shape
        (None, 2)
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise FileFormatError(
            JSON_STRING, "`model_from_json` expects a JSON string. "
            f"Received: json_string={str(json_string)[:80]!r}")
    entry = parse_config(JSON_STRING, json_string, "the JSON string")
    return deserialize_model(JSON_STRING, entry, custom_objects,
                             safe_mode=True, where="the JSON string")
