"""The training state of a model as plain tensors, and back.

What `BackupAndRestore` needs to continue a killed run exactly: the model's
`state_dict` (weights and buffers), the optimizer's `state_dict`, the
metric states, the seeded layers' generators, and the random states of
torch (CPU and CUDA), NumPy and Python. Everything is turned into plain
CPU tensors, numbers and strings, so the file reads back with
`torch.load(weights_only=True)` and no code runs when loading. What is
read back is checked by `_state_checks` before it is loaded here.

Also `all_finite`, the NaN/Inf guard of the checkpointing callbacks.
"""

import random

import numpy as np
import torch

from torchkeras.callbacks._monitor import flat_metrics


def plain(value):
    """`value` with every tensor as a plain CPU tensor copy."""
    if torch.is_tensor(value):
        return value.detach().as_subclass(torch.Tensor).to(
            "cpu", copy=True)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(item) for item in value)
    return value


def tensors_in(value):
    """The tensors inside nested dicts/lists/tuples."""
    if torch.is_tensor(value):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in tensors_in(item)]
    return []


def all_finite(value):
    """Whether every floating tensor inside `value` is free of NaN/Inf.

    One host sync per device (this runs only when saving).
    """
    by_device = {}
    for tensor in tensors_in(value):
        if tensor.is_floating_point() or tensor.is_complex():
            by_device.setdefault(tensor.device, []).append(
                torch.isfinite(tensor).all())
    return all(bool(torch.stack(checks).all())
               for checks in by_device.values())


# ----------------------------------------------------------------------
# Model, optimizer, metrics.


def model_state(model):
    """The model's `state_dict` values in order, and their names.

    Loaded back by position (`_state_checks.check_model_state`):
    auto-generated layer names (`dense_1`) depend on what else the process
    created, so names are only reported.
    """
    state = model.state_dict()
    return {"names": list(state), "values": [plain(v)
                                             for v in state.values()]}


def optimizer_state(optimizer):
    if optimizer is None or not hasattr(optimizer, "state_dict"):
        return None
    if getattr(optimizer, "built", True) is False:
        return None
    return plain(optimizer.state_dict())


def load_optimizer_state(model, state):
    """Loads what `optimizer_state` saved (checked first by
    `_state_checks.check_optimizer_state`)."""
    optimizer = getattr(model, "optimizer", None)
    if state is None or optimizer is None:
        return
    if getattr(optimizer, "built", True) is False and hasattr(
            optimizer, "build"):
        optimizer.build(model.trainable_weights)
    optimizer.load_state_dict(state)


def metric_states(model):
    return {metric.name: plain(metric.state_dict())
            for metric in flat_metrics(model)
            if isinstance(metric, torch.nn.Module)}


def load_metric_states(model, states):
    """Loads metric states by name.

    Compiled metrics are built on their first update; if they are not built
    yet, their states are loaded right after that build, before the update.
    """
    pending = _load_named(flat_metrics(model), dict(states))
    container = getattr(model, "compiled_metrics", None)
    if pending and container is not None and not getattr(
            container, "built", True):
        _load_after_build(container, pending)


def _load_named(metrics, states):
    for metric in metrics:
        state = states.pop(getattr(metric, "name", None), None)
        if state is not None and isinstance(metric, torch.nn.Module):
            metric.load_state_dict(state)
    return states


def _load_after_build(container, states):
    """Wraps `container.update_state` once: build, load, then update.

    The engine may build the container itself just before updating it; if
    not, this uses its `_build_from_model`. Without either the states are
    left as they are (only the resumed epoch's logs would differ).
    """

    def update_state(y_true, y_pred, sample_weight=None):
        del container.update_state  # Back to the class's method.
        build = getattr(container, "_build_from_model", None)
        if not container.built and build is not None:
            build(y_true, y_pred)
        if container.built:
            _load_named(container.flat_metrics, states)
        return container.update_state(y_true, y_pred, sample_weight)

    container.update_state = update_state


def drop_pending_metric_load(model):
    """Cancels a `_load_after_build` whose update never came."""
    container = getattr(model, "compiled_metrics", None)
    if container is not None and "update_state" in vars(container):
        del container.update_state


# ----------------------------------------------------------------------
# Random states.


def generator_states(model):
    """States of the per-layer `torch.Generator`s of seeded layers, as
    `(module position, device, state)` (positions, as for the weights)."""
    states = []
    for position, (_, module) in enumerate(model.named_modules()):
        generators = getattr(module, "_generators", None)
        if not isinstance(generators, dict):
            continue
        for device, generator in generators.items():
            if isinstance(generator, torch.Generator):
                states.append((position, str(device), generator.get_state()))
    return states


def load_generator_states(model, states):
    modules = [module for _, module in model.named_modules()]
    for position, device, state in states:
        generators = getattr(modules[position], "_generators", None) if (
            position < len(modules)) else None
        if not isinstance(generators, dict):
            continue
        generator = generators.get(device)
        if generator is None:
            generator = torch.Generator(device=device)
            generators[device] = generator
        generator.set_state(state)


def rng_states():
    """torch (CPU and CUDA), NumPy and Python random states."""
    numpy_state = np.random.get_state(legacy=True)
    version, python_state, gauss = random.getstate()
    cuda = []
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        cuda = [state.clone() for state in torch.cuda.get_rng_state_all()]
    return {
        "torch": torch.get_rng_state(),
        "cuda": cuda,
        "numpy": {
            "kind": numpy_state[0],
            "keys": torch.from_numpy(numpy_state[1].astype(np.int64)),
            "pos": int(numpy_state[2]),
            "has_gauss": int(numpy_state[3]),
            "cached_gaussian": float(numpy_state[4]),
        },
        "python": {
            "version": version,
            "state": torch.tensor(python_state, dtype=torch.int64),
            "gauss": gauss,
        },
    }


def set_rng_states(states):
    torch.set_rng_state(states["torch"])
    cuda = states.get("cuda") or []
    if cuda and torch.cuda.is_available() and (
            len(cuda) == torch.cuda.device_count()):
        torch.cuda.set_rng_state_all(cuda)
    numpy_state = states["numpy"]
    np.random.set_state((
        numpy_state["kind"],
        numpy_state["keys"].numpy().astype(np.uint32),
        numpy_state["pos"],
        numpy_state["has_gauss"],
        numpy_state["cached_gaussian"],
    ))
    python_state = states["python"]
    random.setstate((python_state["version"],
                     tuple(python_state["state"].tolist()),
                     python_state["gauss"]))
