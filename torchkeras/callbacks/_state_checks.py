"""Checks a training state read from a file before any of it is applied.

`BackupAndRestore` restores the weights and the optimizer at the start of
`fit`, and the metric, generator and random states at the start of the
resumed epoch. A file that was damaged, or written for another model or
optimizer, must fail before the first of these changes anything, so every
part is checked here first, against the model as it is now:

- the model state: count, tensors only, each shape and dtype kind as the
  model's, every value finite (a backup is never written from NaN/Inf);
- the optimizer state: its class when the file names it, the parameter
  groups (count, sizes, option names and types), each slot's name and
  shape, and the Keras iteration count and scalar extras;
- the metric, generator and random states: their structure; torch's and
  Python's random states are set on scratch generators (never the global
  ones), NumPy's fields are checked one by one (its `set_state` accepts a
  position past its keys);
- the epoch and step: integers in range.

Each function raises `ValueError` with the problem; the callback adds the
file's name. What the check needs to build (an optimizer that is not built
yet) is built on a copy, so a failed check leaves everything as it was.
"""

import copy
import math
import random

import torch

from torchkeras.callbacks._monitor import flat_metrics
from torchkeras.optimizers import optimizer_state

# The counters' range (`int64`).
MAX_COUNT = 2**63
# `torch.optim` slots shaped as their parameter, checked even when the
# optimizer has no state yet (it makes its slots at its first step).
_PARAM_SHAPED_SLOTS = frozenset({
    "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "sum",
    "square_avg", "grad_avg", "acc_delta", "ax", "prev", "step_size",
    "exp_inf"})


def _describe(value):
    if torch.is_tensor(value):
        return f"a tensor of shape {tuple(value.shape)} and {value.dtype}"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def check_count(name, value, limit=MAX_COUNT):
    """`value` is an `int` (not a bool) in `[0, limit)`."""
    if type(value) is not int or not 0 <= value < limit:
        raise ValueError(
            f"'{name}' must be an integer in [0, {limit}). Received: "
            f"{name}={str(value)[:40]!r} ({type(value).__name__})"
        )
    return value


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dtype_fits(saved, current):
    """Same dtype, or both floating (`load_state_dict` casts those)."""
    return saved == current or (saved.is_floating_point
                                and current.is_floating_point)


def _check_tensor(where, value, shape, dtype=None):
    if not torch.is_tensor(value):
        raise ValueError(f"{where} must be a tensor. Received: "
                         f"{_describe(value)}")
    if tuple(value.shape) != tuple(shape):
        raise ValueError(
            f"{where} has shape {tuple(value.shape)}; the model needs "
            f"{tuple(shape)}. Received: shape={tuple(value.shape)}")
    if dtype is not None and not _dtype_fits(value.dtype, dtype):
        raise ValueError(
            f"{where} has dtype {value.dtype}; the model needs {dtype}. "
            f"Received: dtype={value.dtype}")
    if (value.is_floating_point() or value.is_complex()) and not bool(
            torch.isfinite(value).all()):
        raise ValueError(
            f"{where} holds NaN or Inf, which a backup never holds: the "
            "file is damaged.")


# ----------------------------------------------------------------------
# Model and optimizer.


def check_model_state(model, saved):
    """Checks `_training_state.model_state`'s output against `model`;
    returns the `state_dict` to load (keys the model's own)."""
    if not isinstance(saved, dict) or not isinstance(
            saved.get("values"), list) or not isinstance(
                saved.get("names"), list):
        raise ValueError("the model state must hold lists 'names' and "
                         f"'values'. Received: {_describe(saved)}")
    current = model.state_dict()
    names, values = saved["names"], saved["values"]
    if len(values) != len(current) or len(names) != len(values):
        raise ValueError(
            f"the model has {len(current)} weights and buffers "
            f"({list(current)[:10]}), the backup {len(values)} "
            f"({[str(n)[:60] for n in names[:10]]})")
    for (name, tensor), saved_name, value in zip(current.items(), names,
                                                 values):
        _check_tensor(f"'{name}' (the backup's '{str(saved_name)[:80]}')",
                      value, tensor.shape, tensor.dtype)
    return dict(zip(current, values))


def _reference_optimizer(model, optimizer):
    """`optimizer`'s `state_dict` as it will be when loading: a Keras
    optimizer that is not built yet is built on a copy."""
    if getattr(optimizer, "built", True) is False and hasattr(
            optimizer, "build"):
        twin = copy.deepcopy(optimizer)
        twin.build(model.trainable_weights)
        return twin.state_dict()
    return optimizer.state_dict()


def check_optimizer_state(model, saved, saved_class=None):
    """Checks `_training_state.optimizer_state`'s output against the
    model's optimizer, so that `load_state_dict` cannot fail half-way or
    load slots that would fail at the next step."""
    optimizer = getattr(model, "optimizer", None)
    if saved is None or optimizer is None:
        return
    name = type(optimizer).__name__
    if saved_class is not None and saved_class != name:
        raise ValueError(
            f"the backup holds the state of a {str(saved_class)[:60]} "
            f"optimizer; the model's optimizer is a {name}")
    if not isinstance(saved, dict) or not isinstance(
            saved.get("state"), dict) or not isinstance(
                saved.get("param_groups"), list):
        raise ValueError("the optimizer state must be a state dict with "
                         "'state' and 'param_groups'. Received: "
                         f"{_describe(saved)}")
    reference = _reference_optimizer(model, optimizer)
    positions = _check_groups(saved["param_groups"],
                              reference["param_groups"])
    params = [p for g in _param_groups_of(model, optimizer)
              for p in g["params"]]
    own_ids = [i for g in reference["param_groups"] for i in g["params"]]
    for index, slots in saved["state"].items():
        if index not in positions:
            raise ValueError(
                f"the optimizer state names parameter {str(index)[:20]}, "
                "which no parameter group holds")
        position = positions[index]
        _check_slots(index, slots, reference["state"].get(
            own_ids[position]), params[position] if position < len(
                params) else None)
    _check_keras_entry(optimizer, saved.get("keras"),
                       reference.get("keras"))
    if "loss_scale" in reference:
        _check_loss_scale(saved.get("loss_scale"))


def _param_groups_of(model, optimizer):
    groups = getattr(optimizer, "param_groups", None)
    if groups:
        return groups
    return [{"params": list(model.trainable_weights)}]


def _check_groups(saved, reference):
    """The groups' count, sizes and options; returns {saved parameter
    index: position}."""
    sizes = [len(g.get("params", ())) if isinstance(g, dict) and isinstance(
        g.get("params"), list) else None for g in saved]
    wanted = [len(g["params"]) for g in reference]
    if sizes != wanted:
        raise ValueError(
            f"the optimizer state has parameter groups of sizes {sizes}; "
            f"the model's optimizer has {wanted}")
    positions = {}
    for number, (group, ref) in enumerate(zip(saved, reference)):
        for index in group["params"]:
            if type(index) is not int or index in positions:
                raise ValueError(
                    f"parameter group {number} lists parameter "
                    f"{str(index)[:20]!r} twice or not as an integer")
            positions[index] = len(positions)
        _check_options(number, group, ref)
    return positions


def _check_options(number, group, reference):
    """`load_state_dict` replaces a group's options by the saved ones:
    each option the optimizer reads must be there, of its kind."""
    missing = set(reference) - set(group) - {"params", "param_names"}
    if missing:
        raise ValueError(
            f"parameter group {number} lacks options {sorted(missing)} "
            "that the model's optimizer has (a state of another "
            "optimizer?)")
    for key in sorted(set(reference) - {"params", "param_names"}):
        value, ref = group[key], reference[key]
        if _is_number(ref) and _is_number(value):
            if not math.isfinite(value):
                raise ValueError(
                    f"parameter group {number} option '{key}' must be "
                    f"finite. Received: {key}={value}")
        elif value is not None and ref is not None and (
                type(value) is not type(ref)):
            raise ValueError(
                f"parameter group {number} option '{key}' is "
                f"{_describe(value)}; the model's optimizer has "
                f"{_describe(ref)}")


def _check_slots(index, slots, reference, param):
    if not isinstance(slots, dict):
        raise ValueError(f"the optimizer state of parameter {index} must be "
                         f"a dict. Received: {_describe(slots)}")
    if reference:
        if set(slots) != set(reference):
            raise ValueError(
                f"the optimizer state of parameter {index} has slots "
                f"{sorted(map(str, slots))}; the model's optimizer has "
                f"{sorted(map(str, reference))}")
        for slot, value in slots.items():
            where = f"optimizer slot '{slot}' of parameter {index}"
            ref = reference[slot]
            if torch.is_tensor(ref):
                _check_tensor(where, value, ref.shape, ref.dtype)
            elif _is_number(ref) and not _is_number(value):
                raise ValueError(f"{where} must be a number. Received: "
                                 f"{_describe(value)}")
        return
    # A torch optimizer makes its slots at its first step: check what
    # can be known from the parameter.
    for slot, value in slots.items():
        if slot in _PARAM_SHAPED_SLOTS and param is not None:
            _check_tensor(f"optimizer slot '{slot}' of parameter {index}",
                          value, param.shape)


def _check_keras_entry(optimizer, saved, reference):
    """A Keras optimizer's iteration count and scalar extras."""
    if reference is None:
        if saved is not None:
            raise ValueError(
                "the optimizer state holds a Keras optimizer's 'keras' "
                f"entry; the model's optimizer is a "
                f"{type(optimizer).__name__}")
        return
    if not isinstance(saved, dict) or set(saved) != set(reference):
        keys = sorted(map(str, saved)) if isinstance(saved, dict) else saved
        raise ValueError(
            f"the optimizer state's 'keras' entry has {keys}; the model's "
            f"optimizer needs {sorted(reference)}")
    optimizer_state.checked_iterations(optimizer.name, saved["iterations"])
    for key, value in saved.items():
        if key != "iterations" and not (_is_number(value)
                                        and math.isfinite(value)):
            raise ValueError(
                f"the optimizer's scalar '{key}' must be a finite number. "
                f"Received: {_describe(value)}")


def _check_loss_scale(saved):
    """`LossScaleOptimizer`'s own state: a finite positive scale and a
    step counter."""
    if saved is None:
        return  # `load_state_dict` keeps the current ones
    scale = saved.get("scale") if isinstance(saved, dict) else None
    if not (_is_number(scale) and math.isfinite(scale) and scale > 0):
        raise ValueError("the loss scale must be a finite positive number. "
                         f"Received: {_describe(scale)}")
    check_count("loss-scale step counter", saved.get("step_counter"))


# ----------------------------------------------------------------------
# Metrics, generators, random states.


def check_metric_states(model, saved):
    """Metric name -> {state name: tensor}; metrics the model has built
    must have the same state names and shapes."""
    if not isinstance(saved, dict):
        raise ValueError(f"the metric states must be a dict. Received: "
                         f"{_describe(saved)}")
    current = {getattr(m, "name", None): m for m in flat_metrics(model)
               if isinstance(m, torch.nn.Module)}
    for name, states in saved.items():
        if not isinstance(states, dict) or not all(
                isinstance(k, str) and torch.is_tensor(v)
                for k, v in states.items()):
            raise ValueError(f"the state of metric '{str(name)[:60]}' must "
                             "map names to tensors")
        metric = current.get(name)
        if metric is None:
            continue
        wanted = metric.state_dict()
        if wanted and set(wanted) != set(states):
            raise ValueError(
                f"metric '{name}' has states {sorted(wanted)}; the backup "
                f"{sorted(states)}")
        for key, ref in wanted.items():
            _check_tensor(f"state '{key}' of metric '{name}'", states[key],
                          ref.shape, ref.dtype)


def check_torch_state(where, state, device="cpu"):
    if not torch.is_tensor(state) or state.dtype != torch.uint8:
        raise ValueError(f"{where} must be a uint8 tensor. Received: "
                         f"{_describe(state)}")
    try:
        torch.Generator(device=device).set_state(state)
    except (RuntimeError, ValueError, TypeError) as error:
        raise ValueError(f"{where} is not a valid random state for "
                         f"'{device}': {str(error)[:120]}") from None


def check_generator_states(model, saved):
    """`(module position, device, state)` triples; each state that will be
    applied (its module has seeded generators) is set on a scratch
    generator of its device."""
    if not isinstance(saved, list):
        raise ValueError("the generator states must be a list. Received: "
                         f"{_describe(saved)}")
    modules = [module for _, module in model.named_modules()]
    for entry in saved:
        if not (isinstance(entry, (list, tuple)) and len(entry) == 3
                and type(entry[0]) is int and isinstance(entry[1], str)):
            raise ValueError("each generator state must be (module "
                             "position, device, state). Received: "
                             f"{_describe(entry)}")
        position, device, state = entry
        check_count("generator position", position)
        if position >= len(modules) or not isinstance(
                getattr(modules[position], "_generators", None), dict):
            continue  # `load_generator_states` skips it too
        try:
            device = torch.device(device)
        except (RuntimeError, ValueError):
            raise ValueError(f"generator device {device[:40]!r} is not a "
                             "device") from None
        check_torch_state(f"the generator state of module {position}",
                           state, device)


def check_rng_states(saved):
    """torch, CUDA, NumPy and Python states (`_training_state.rng_states`),
    without touching the global generators."""
    if not isinstance(saved, dict) or not {
            "torch", "numpy", "python"} <= set(saved):
        raise ValueError("the random states must hold 'torch', 'numpy' "
                         f"and 'python'. Received: {_describe(saved)}")
    check_torch_state("the torch random state", saved["torch"])
    cuda = saved.get("cuda") or []
    if not isinstance(cuda, list) or not all(
            torch.is_tensor(s) and s.dtype == torch.uint8 for s in cuda):
        raise ValueError("the CUDA random states must be a list of uint8 "
                         "tensors")
    _check_numpy_state(saved["numpy"])
    _check_python_state(saved["python"])


def _check_numpy_state(state):
    """NumPy's legacy MT19937 state: 624 keys, a position in [0, 624]
    (`set_state` itself accepts any position and then reads past the
    keys), a cached Gaussian flag and value."""
    if not isinstance(state, dict):
        raise ValueError("the NumPy random state must be a dict. "
                         f"Received: {_describe(state)}")
    keys = state.get("keys")
    if not torch.is_tensor(keys) or keys.dtype != torch.int64 or tuple(
            keys.shape) != (624,) or bool((keys < 0).any()) or bool(
                (keys >= 2**32).any()):
        raise ValueError("the NumPy random state's keys must be 624 "
                         f"integers in [0, 2**32). Received: "
                         f"{_describe(keys)}")
    check_count("NumPy random position", state.get("pos"), 625)
    check_count("NumPy has_gauss", state.get("has_gauss"), 2)
    if state.get("kind") != "MT19937" or not isinstance(
            state.get("cached_gaussian"), float):
        raise ValueError("the NumPy random state must be of kind 'MT19937' "
                         "with a float 'cached_gaussian'. Received: "
                         f"kind={str(state.get('kind'))[:20]!r}")


def _check_python_state(state):
    try:
        values = state["state"]
        if not torch.is_tensor(values) or values.dtype != torch.int64 or (
                values.ndim != 1):
            raise TypeError("state")
        random.Random().setstate((state["version"],
                                  tuple(values.tolist()), state["gauss"]))
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"the Python random state is not valid: "
                         f"{str(error)[:120]}") from None


def check_position(epoch, step, steps):
    """The epoch and the batches done in it; `steps` the batches per
    epoch when known (a backup is never written after an epoch's last
    batch: it is written at the epoch's end instead)."""
    check_count("epoch", epoch)
    check_count("step", step, steps if steps else MAX_COUNT)
