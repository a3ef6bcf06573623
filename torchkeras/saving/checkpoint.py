"""Native checkpoints: weights, optimizer state and epoch, for resuming.

In the spirit of tf.keras's TF-format checkpoint (``save_weights`` to a
path without a known suffix): ``<prefix>.data-00000-of-00001`` holds every
tensor (safetensors, with per-tensor SHA-256), ``<prefix>.index`` is a small
JSON naming the format, and the folder's ``checkpoint`` file names the
latest prefix (``tf.train.latest_checkpoint``'s input). Each file is written
atomically and only the data file carries state, so a crash mid-save leaves
the previous checkpoint loadable.

Tensor keys: ``model/<structure path>`` (``model/dense1/kernel``, Keras
layouts; ``weight_paths.structure_names``: attribute paths, not layer
names, so any instance of the model class matches), and for the optimizer
either ``optimizer/<i>`` (a Keras optimizer's ``variables``) or
``torch_optimizer/<param index>/<slot>`` (any ``torch.optim`` optimizer's
``state_dict``, its non-tensor parts JSON in the metadata). Nothing is
pickled. Loading returns a ``checkpoint_status.CheckpointLoadStatus``.

Loading validates the whole file before anything is assigned: the index,
the data file's structure and digests (``safetensors_io.read``; with a
model, each value's shape against its weight's before any data is read),
the metadata (``epoch`` a non-negative integer, the optimizer's kind, its
keys and JSON), then, against the model, every weight's shape and the
optimizer state's count, groups and slot shapes. Only then are the
optimizer and the weights assigned, so a failed load leaves every weight
and optimizer slot as it was. Every problem with the file is a
``SavingError`` naming the file and the part.
"""

import json
import os
import re

import numpy as np
import torch

from torchkeras.saving import atomic
from torchkeras.saving import checkpoint_status
from torchkeras.saving import deferred
from torchkeras.saving import safetensors_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError
from torchkeras.utils.registry import keras_export

DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"
FORMAT = "torchkeras-checkpoint-v2"
MAX_INDEX = 1024 * 1024  # an index is a few dozen bytes
_EPOCH = re.compile(r"[0-9]{1,18}")
_KERAS_KEY = re.compile(r"optimizer/(0|[1-9][0-9]{0,8})")
_TORCH_KEY = re.compile(r"torch_optimizer/(0|[1-9][0-9]{0,8})/(.+)")
# ``torch.optim`` slots shaped as their parameter (the others, such as
# ``step`` or Adafactor's factored rows, are checked against the
# optimizer's current state when it has one).
_PARAM_SHAPED_SLOTS = frozenset({
    "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "sum",
    "square_avg", "grad_avg", "acc_delta", "ax", "prev", "step_size",
    "exp_inf"})


def exists(prefix):
    return os.path.exists(prefix + DATA_SUFFIX) or os.path.exists(
        prefix + INDEX_SUFFIX)


def _current_epoch(model):
    history = getattr(model, "history", None)
    epochs = getattr(history, "epoch", None)
    return int(epochs[-1]) + 1 if epochs else 0


def _optimizer_tensors(optimizer):
    """(tensors, metadata) describing the optimizer's state."""
    if optimizer is None or not getattr(optimizer, "param_groups", None):
        return {}, {}
    if hasattr(optimizer, "load_own_variables"):
        tensors = {f"optimizer/{i}": v.detach().cpu()
                   for i, v in enumerate(optimizer.variables)}
        return tensors, {"optimizer": "keras"}
    state = optimizer.state_dict()
    tensors, plain = {}, {}
    for index, slots in state["state"].items():
        for key, value in slots.items():
            if torch.is_tensor(value):
                tensors[f"torch_optimizer/{index}/{key}"] = value.detach(
                ).cpu()
            else:
                plain.setdefault(str(index), {})[key] = value
    meta = {"optimizer": "torch",
            "optimizer_groups": json.dumps(state["param_groups"]),
            "optimizer_plain_state": json.dumps(plain)}
    return tensors, meta


def save(model, prefix, epoch=None):
    """Writes a checkpoint of ``model`` (weights, optimizer, epoch)."""
    tensors = {f"model/{k}": weight_paths.to_keras(owner, w) for k, (
        owner, w) in weight_paths.structure_names(model).items()}
    opt_tensors, meta = _optimizer_tensors(getattr(model, "optimizer", None))
    tensors.update(opt_tensors)
    meta.update({"format": FORMAT,
                 "epoch": str(_current_epoch(model) if epoch is None
                              else int(epoch))})
    with atomic.atomic_file(prefix + DATA_SUFFIX) as tmp:
        safetensors_io.write(tmp, tensors, meta)
    index = {"format": FORMAT,
             "data": os.path.basename(prefix) + DATA_SUFFIX}
    with atomic.atomic_file(prefix + INDEX_SUFFIX) as tmp:
        with open(tmp, "w") as f:
            json.dump(index, f)
    _write_state_file(prefix)


def _write_state_file(prefix):
    folder = os.path.dirname(os.path.abspath(prefix))
    name = os.path.basename(prefix)
    text = (f'model_checkpoint_path: "{name}"\n'
            f'all_model_checkpoint_paths: "{name}"\n')
    with atomic.atomic_file(os.path.join(folder, "checkpoint")) as tmp:
        with open(tmp, "w") as f:
            f.write(text)


def _check_index(prefix):
    path = prefix + INDEX_SUFFIX
    if not os.path.lexists(path):
        return
    size = safetensors_io.regular_file_size(path, "checkpoint index")
    if size > MAX_INDEX:
        raise FileFormatError(
            path, f"not a torchkeras checkpoint index: {size} bytes, more "
                  f"than the {MAX_INDEX}-byte limit of an index.")
    with open(path, "rb") as f:
        text = f.read(MAX_INDEX)
    try:
        index = safetensors_io.json_value(path, text, "the index")
    except FileFormatError:
        raise FileFormatError(
            path,
            "not a torchkeras checkpoint index (a TensorFlow checkpoint? "
            "TensorFlow's own format cannot be read here; re-save the "
            "weights from tf.keras as a '.h5' or '.weights.h5' file)."
        ) from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise FileFormatError(
            path, f"unknown checkpoint format. Received: {str(index)[:80]}")


def read(prefix, model=None):
    """``(tensors, metadata)`` of the checkpoint at ``prefix``, validated.

    Args:
        prefix: the checkpoint's prefix.
        model: optional; when given, each weight's and built optimizer
            slot's shape is checked against the file's header before any
            tensor is read.

    Raises:
        FileFormatError, IntegrityError, WeightMismatchError: naming the
            file and the part.
    """
    _check_index(prefix)
    data = prefix + DATA_SUFFIX
    if not os.path.lexists(data):
        raise FileFormatError(
            prefix + INDEX_SUFFIX,
            f"the checkpoint's data file '{data}' is missing."
        )
    expected = None if model is None else expected_shapes(model)
    tensors, meta = safetensors_io.read(data, expected)
    if meta.get("format") != FORMAT:
        raise FileFormatError(
            data, "a safetensors file, but not a torchkeras checkpoint.")
    check_contents(data, tensors, meta)
    return tensors, meta


def expected_shapes(model):
    """{key: shape} the file's values must have to fit ``model``: its
    weights (Keras layouts) and its Keras optimizer's slots when built."""
    names = weight_paths.structure_names(model)
    shapes = {f"model/{k}": tuple(owner._keras_shape(w))
              for k, (owner, w) in names.items()}
    opt = getattr(model, "optimizer", None)
    if hasattr(opt, "load_own_variables") and getattr(opt, "built", False):
        shapes.update({f"optimizer/{i}": tuple(v.shape)
                       for i, v in enumerate(opt.variables)})
    return shapes


def _bad_meta(data, key, problem, value):
    raise FileFormatError(
        data, f"metadata '{key}' {problem}. Received: {key}="
              f"{str(value)[:100]!r}")


def check_contents(data, tensors, meta):
    """Checks the metadata and keys of a checkpoint that ``read`` parsed:
    the epoch, the optimizer's kind, its keys and its JSON state."""
    epoch = meta.get("epoch", "0")
    if not _EPOCH.fullmatch(epoch):
        _bad_meta(data, "epoch", "must be a non-negative integer", epoch)
    kind = meta.get("optimizer")
    if kind not in (None, "keras", "torch"):
        _bad_meta(data, "optimizer", "must be 'keras' or 'torch'", kind)
    keras_keys = [k for k in tensors if k.startswith("optimizer/")]
    torch_keys = [k for k in tensors if k.startswith("torch_optimizer/")]
    if (keras_keys and kind != "keras") or (torch_keys and kind != "torch"):
        _bad_meta(data, "optimizer", "does not match the optimizer values "
                  f"the file holds ({(keras_keys + torch_keys)[:3]})", kind)
    _check_keras_keys(data, tensors, keras_keys)
    if kind == "torch":
        _parse_torch_state(data, tensors, meta)


def _check_keras_keys(data, tensors, keys):
    indices = set()
    for key in keys:
        match = _KERAS_KEY.fullmatch(key)
        if match is None:
            raise FileFormatError(
                data, f"optimizer value '{key}' has a malformed key "
                      "(expected 'optimizer/<index>').")
        indices.add(int(match.group(1)))
    if indices != set(range(len(indices))):
        missing = sorted(set(range(max(indices) + 1)) - indices)[:5]
        raise FileFormatError(
            data, f"optimizer values {[f'optimizer/{i}' for i in missing]} "
                  "are missing (the indices must run from 0).")
    if keys:
        step = np.asarray(tensors["optimizer/0"])
        if step.shape != () or step.dtype.kind not in "iuf" or not (
                np.isfinite(step) and step >= 0 and step == np.floor(step)):
            raise FileFormatError(
                data, "optimizer value 'optimizer/0' (the iteration count) "
                      "must be a non-negative whole number. Received: "
                      f"{str(step)[:50]} of dtype {step.dtype}")


def _json_meta(data, meta, key, default):
    return safetensors_io.json_value(
        data, meta.get(key, default), f"metadata '{key}'")


def _parse_torch_state(data, tensors, meta):
    """The ``torch.optim`` state dict the file holds, its structure
    checked (groups, parameter indices, slot keys)."""
    groups = _json_meta(data, meta, "optimizer_groups", "")
    if not isinstance(groups, list) or not all(
            isinstance(g, dict) and isinstance(g.get("params"), list)
            and all(isinstance(i, int) and not isinstance(i, bool)
                    for i in g["params"]) for g in groups):
        _bad_meta(data, "optimizer_groups", "must be a JSON list of "
                  "parameter groups, each with integer 'params'",
                  meta.get("optimizer_groups"))
    indices = [i for g in groups for i in g["params"]]
    if len(set(indices)) != len(indices):
        _bad_meta(data, "optimizer_groups", "lists a parameter twice",
                  meta.get("optimizer_groups"))
    plain = _json_meta(data, meta, "optimizer_plain_state", "{}")
    if not isinstance(plain, dict) or not all(
            isinstance(v, dict) for v in plain.values()):
        _bad_meta(data, "optimizer_plain_state", "must be a JSON object of "
                  "objects", meta.get("optimizer_plain_state"))
    state = {}
    for index, slots in plain.items():
        if not re.fullmatch(r"0|[1-9][0-9]{0,8}", index):
            _bad_meta(data, "optimizer_plain_state", f"has a key {index!r} "
                      "that is not a parameter index", index)
        state[int(index)] = dict(slots)
    for key, value in tensors.items():
        if not key.startswith("torch_optimizer/"):
            continue
        match = _TORCH_KEY.fullmatch(key)
        if match is None:
            raise FileFormatError(
                data, f"optimizer value '{key}' has a malformed key "
                      "(expected 'torch_optimizer/<index>/<slot>').")
        state.setdefault(int(match.group(1)), {})[match.group(2)] = value
    unknown = sorted(set(state) - set(indices))
    if unknown:
        raise FileFormatError(
            data, f"the optimizer state names parameters {unknown[:5]} that "
                  "no parameter group holds.")
    return groups, state


@keras_export("keras.saving.read_checkpoint_epoch")
def read_epoch(prefix):
    """Returns the epoch count stored in the checkpoint at `prefix`.

    Checkpoints written by `ModelCheckpoint` or `BackupAndRestore` record
    the epoch; others read as 0.

    Args:
        prefix: The checkpoint's path prefix (as given to `save_weights`).

    Returns:
        An int.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.saving.save_weights(model, "ckpt")
        >>> keras.saving.read_checkpoint_epoch("ckpt")
        0
    """
    return int(read(prefix)[1].get("epoch", 0))


def _keras_optimizer_values(data, model, tensors):
    opt = getattr(model, "optimizer", None)
    keys = [k for k in tensors if k.startswith("optimizer/")]
    if not keys or opt is None or not hasattr(opt, "load_own_variables"):
        return None
    from torchkeras.saving import optimizer_io

    optimizer_io.ensure_optimizer_built(model, opt)
    current = opt.variables
    values = [tensors.get(f"optimizer/{i}") for i in range(len(keys))]
    if len(keys) != len(current) or any(
            v is None or tuple(v.shape) != tuple(c.shape)
            for v, c in zip(values, current)):
        raise WeightMismatchError(
            data,
            f"the optimizer state ({len(keys)} variables) does not fit "
            f"optimizer '{getattr(opt, 'name', '?')}' ({len(current)} "
            "variables)."
        )
    return values


def _torch_optimizer_state(data, model, tensors, meta):
    """The ``torch.optim`` state dict to load, checked against the model's
    optimizer (groups, parameters, slot shapes) so that
    ``load_state_dict`` cannot fail half-way; None when there is none to
    load (no such state, or the model's optimizer is a Keras one, whose
    state is never a ``state_dict``: the values stay unused)."""
    opt = getattr(model, "optimizer", None)
    if meta.get("optimizer") != "torch" or opt is None or hasattr(
            opt, "load_own_variables") or not hasattr(opt, "param_groups"):
        return None
    groups, state = _parse_torch_state(data, tensors, meta)
    current = opt.param_groups
    sizes = [len(g["params"]) for g in groups]
    if sizes != [len(g["params"]) for g in current]:
        raise WeightMismatchError(
            data,
            f"the optimizer state has parameter groups of sizes {sizes}; "
            f"the model's optimizer has {[len(g['params']) for g in current]}."
            " Received: optimizer_groups sizes=" + str(sizes)
        )
    params = {i: p for g, c in zip(groups, current)
              for i, p in zip(g["params"], c["params"])}
    for index, slots in state.items():
        for slot, value in slots.items():
            if isinstance(value, np.ndarray):
                _check_torch_slot(data, opt, params[index], index, slot,
                                  value)
                slots[slot] = torch.from_numpy(np.array(value))
    return {"state": state, "param_groups": groups}


def _check_torch_slot(data, opt, param, index, slot, value):
    old = opt.state.get(param, {}).get(slot)
    if torch.is_tensor(old):
        want = tuple(old.shape)
    elif slot in _PARAM_SHAPED_SLOTS:
        want = tuple(param.shape)
    else:
        return
    if tuple(value.shape) != want:
        raise WeightMismatchError(
            data,
            f"optimizer value 'torch_optimizer/{index}/{slot}' has shape "
            f"{tuple(value.shape)}; the optimizer's parameter {index} needs "
            f"{want}. Received: shape={tuple(value.shape)}"
        )


def load(model, prefix):
    """Restores weights and optimizer state; returns the stored epoch."""
    tensors, meta = read(prefix, model)
    apply(model, prefix, tensors, meta)
    return int(meta.get("epoch", 0))


def restore(model, prefix, tensors, meta):
    """Starts restoring ``read``'s result into ``model``; returns the status.

    A model that is not built gets what exists now and the rest at its
    first call (``deferred``). Everything is checked before anything is
    assigned (``checkpoint_status``).
    """
    data = prefix + DATA_SUFFIX
    check_contents(data, tensors, meta)

    def prepare_optimizer():
        """Checks the optimizer state now; returns what assigns it."""
        keras_values = _keras_optimizer_values(data, model, tensors)
        torch_state = _torch_optimizer_state(data, model, tensors, meta)
        if keras_values is None and torch_state is None:
            return None

        def assign():
            if keras_values is not None:
                model.optimizer.set_weights(keras_values)
            if torch_state is not None:
                model.optimizer.load_state_dict(torch_state)
            return [k for k in tensors if not k.startswith("model/")]

        return assign

    status = checkpoint_status.CheckpointLoadStatus(
        model, data, tensors, weight_paths.structure_names,
        prepare_optimizer)
    if deferred.needs_deferral(model):
        status._restore(final=False)
        deferred.defer(model, status._restore)
    else:
        status._restore()
    return status


def apply(model, prefix, tensors, meta):
    """Restores what ``read`` returned now; returns the status."""
    return restore(model, prefix, tensors, meta)
