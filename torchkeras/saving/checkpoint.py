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
names, so any instance of the model class matches; files of format v1 used
layer names and still load), and for the optimizer
either ``optimizer/<i>`` (a Keras optimizer's ``variables``) or
``torch_optimizer/<param index>/<slot>`` (any ``torch.optim`` optimizer's
``state_dict``, its non-tensor parts JSON in the metadata). Nothing is
pickled. Loading returns a ``checkpoint_status.CheckpointLoadStatus``.
"""

import json
import os

import numpy as np
import torch

from torchkeras.saving import atomic
from torchkeras.saving import checkpoint_status
from torchkeras.saving import deferred
from torchkeras.saving import safetensors_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"
FORMAT = "torchkeras-checkpoint-v2"
FORMAT_V1 = "torchkeras-checkpoint-v1"  # keys by layer names
_FORMATS = (FORMAT, FORMAT_V1)


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
    if not os.path.exists(path):
        return
    try:
        with open(path, "rb") as f:
            index = json.loads(f.read().decode("utf8"))
    except (UnicodeDecodeError, ValueError):
        raise FileFormatError(
            path,
            "not a torchkeras checkpoint index (a TensorFlow checkpoint? "
            "TensorFlow's own format cannot be read here; re-save the "
            "weights from tf.keras as a '.h5' or '.weights.h5' file)."
        ) from None
    if not isinstance(index, dict) or index.get("format") not in _FORMATS:
        raise FileFormatError(
            path, f"unknown checkpoint format. Received: {str(index)[:80]}")


def read(prefix):
    """``(tensors, metadata)`` of the checkpoint at ``prefix``."""
    _check_index(prefix)
    data = prefix + DATA_SUFFIX
    if not os.path.exists(data):
        raise FileFormatError(
            prefix + INDEX_SUFFIX,
            f"the checkpoint's data file '{data}' is missing."
        )
    tensors, meta = safetensors_io.read(data)
    if meta.get("format") not in _FORMATS:
        raise FileFormatError(
            data, "a safetensors file, but not a torchkeras checkpoint.")
    return tensors, meta


def read_epoch(prefix):
    """The epoch count stored in the checkpoint at ``prefix``."""
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


def _torch_optimizer_state(model, tensors, meta):
    opt = getattr(model, "optimizer", None)
    if meta.get("optimizer") != "torch" or opt is None:
        return None
    state = json.loads(meta.get("optimizer_plain_state", "{}"))
    state = {int(k): dict(v) for k, v in state.items()}
    for key, value in tensors.items():
        if key.startswith("torch_optimizer/"):
            _, index, slot = key.split("/", 2)
            state.setdefault(int(index), {})[slot] = torch.from_numpy(
                np.array(value))
    return {"state": state,
            "param_groups": json.loads(meta["optimizer_groups"])}


def load(model, prefix):
    """Restores weights and optimizer state; returns the stored epoch."""
    tensors, meta = read(prefix)
    apply(model, prefix, tensors, meta)
    return int(meta.get("epoch", 0))


def _layer_names(model):
    """Format v1's keys: scoped layer names (``dense_1/kernel``)."""
    names = weight_paths.scoped_names(model)[0]
    return {names[id(w)]: (owner, w)
            for owner, w in model._weights_with_owner()}


def restore(model, prefix, tensors, meta):
    """Starts restoring ``read``'s result into ``model``; returns the status.

    A model that is not built gets what exists now and the rest at its
    first call (``deferred``).
    """
    data = prefix + DATA_SUFFIX
    namer = (_layer_names if meta.get("format") == FORMAT_V1
             else weight_paths.structure_names)

    def prepare_optimizer():
        """Checks the optimizer state now; returns what assigns it."""
        keras_values = _keras_optimizer_values(data, model, tensors)
        torch_state = _torch_optimizer_state(model, tensors, meta)
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
        model, data, tensors, namer, prepare_optimizer)
    if deferred.needs_deferral(model):
        status._restore(final=False)
        deferred.defer(model, status._restore)
    else:
        status._restore()
    return status


def apply(model, prefix, tensors, meta):
    """Restores what ``read`` returned now; returns the status."""
    return restore(model, prefix, tensors, meta)
