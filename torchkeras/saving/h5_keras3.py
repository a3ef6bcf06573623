"""The Keras 3 weights layout: ``.weights.h5`` files and ``model.weights.h5``.

Layout (Keras 3 ``saving_lib``): one group per layer at the path
``weight_paths.keras3_groups`` gives, holding a ``vars`` group whose
datasets ``0``, ``1``, ... are the layer's own variables in Keras layout,
with the layer's name as the ``name`` attribute; the model's own ``vars``
at the root; the optimizer's variables under ``optimizer/vars``, in Keras
3's order and Keras layouts (``optimizer_io``), so Keras 3 resumes from our
files and we from its. We add a ``torchkeras_sha256`` attribute per
dataset, which Keras ignores.

Loading reads and verifies the whole file first, matches every group to
the model's and checks the optimizer state, and only then assigns
(``weight_paths.assign_all``, then the optimizer).
"""

import warnings

import h5py
import numpy as np

from torchkeras.optimizers import optimizer_state
from torchkeras.saving import file_format
from torchkeras.saving import integrity
from torchkeras.saving import optimizer_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

# Keras 3's optimizer group.
OPTIMIZER_PATH = "optimizer"
# Earlier torchkeras versions wrote their optimizer state in torch layouts
# here; it is recognised (not counted as a layer) and skipped.
OWN_OPTIMIZER_PATH = "torchkeras_optimizer"
_OPTIMIZER_PATHS = (OPTIMIZER_PATH, OWN_OPTIMIZER_PATH)


def _write_vars(root, path, name, arrays):
    group = root.create_group(f"{path}/vars" if path else "vars")
    group.attrs["name"] = name
    for i, array in enumerate(arrays):
        array = np.asarray(array)
        dataset = group.create_dataset(str(i), data=array)
        dataset.attrs[integrity.ATTRIBUTE] = integrity.digest(array)


def write_group(root, model, include_optimizer=True):
    """Writes ``model``'s weights (and optimizer) into an open h5 group."""
    for path, layer, weights in weight_paths.keras3_groups(model):
        arrays = [weight_paths.to_keras(layer, w) for w in weights]
        _write_vars(root, path, layer.name, arrays)
    opt = optimizer_io.keras_optimizer(model)
    if include_optimizer and opt is not None and getattr(opt, "built",
                                                         False):
        _write_vars(root, OPTIMIZER_PATH, opt.name,
                    optimizer_io.keras3_arrays(model, opt))


def save_weights(model, filepath, include_optimizer=True):
    """Writes a Keras 3 ``.weights.h5`` file at ``filepath`` (not atomic:
    callers go through ``atomic.atomic_file``)."""
    with h5py.File(filepath, "w") as f:
        write_group(f, model, include_optimizer)


def read_store(filepath, root):
    """{layer path: [(array, dataset path)]} for every ``vars`` group.

    Checksums are verified as each dataset is read.
    """
    store = {}
    for name, obj in file_format.walk_h5(filepath, root):
        if not isinstance(obj, h5py.Group):
            continue
        parts = name.split("/")
        if parts[-1] != "vars":
            continue
        path = "/".join(parts[:-1])
        store[path] = _read_vars(filepath, obj)
    return store


def _read_vars(filepath, group):
    keys = list(group.keys())
    expected = [str(i) for i in range(len(keys))]
    if sorted(keys, key=lambda k: (len(k), k)) != expected:
        raise FileFormatError(
            filepath,
            f"group '{group.name}' should hold datasets named 0..."
            f"{len(keys) - 1}. Received: keys={sorted(keys)}"
        )
    out = []
    for key in expected:
        dataset = group[key]
        if not isinstance(dataset, h5py.Dataset):
            raise FileFormatError(
                filepath, f"'{dataset.name}' should be a dataset.")
        array = np.asarray(file_format.read_dataset(filepath, dataset))
        integrity.verify(filepath, dataset.name, array,
                         dataset.attrs.get(integrity.ATTRIBUTE))
        out.append((array, dataset.name))
    return out


def match_items(filepath, model, store, skip_mismatch=False):
    """``[(owner, weight, array, where)]`` for all of ``model``'s groups.

    Raises:
        WeightMismatchError: a layer of the model is missing from the file,
            the file has a layer the model does not, or a variable count
            differs (unless ``skip_mismatch``, which warns and skips).
    """
    store = {k: v for k, v in store.items()
             if k.split("/")[0] not in _OPTIMIZER_PATHS}
    items = []
    for path, layer, weights in weight_paths.keras3_groups(model):
        saved = store.pop(path, [])
        if len(saved) == len(weights):
            items += [(layer, w, a, where)
                      for w, (a, where) in zip(weights, saved)]
            continue
        where = f"'{path}/vars'" if path else "the root 'vars'"
        problem = (
            f"layer '{layer.name}' ({type(layer).__name__}) expects "
            f"{len(weights)} variables at {where}, but the file has "
            f"{len(saved)}."
        )
        if not saved:
            problem += " The layer is missing from the file."
        if skip_mismatch:
            warnings.warn(f"Skipping {problem}", stacklevel=3)
            continue
        raise WeightMismatchError(filepath, problem)
    extra = sorted(p for p, saved in store.items() if saved)
    if extra and not skip_mismatch:
        raise WeightMismatchError(
            filepath,
            f"the file holds weights for layer(s) the model does not have: "
            f"{extra}. Received: model with layers "
            f"{[p for p, _, w in weight_paths.keras3_groups(model) if w]}"
        )
    return items


def optimizer_restorer(filepath, model, store):
    """A function restoring the optimizer from ``store``, or None when
    there is nothing (or nothing that fits, with a warning) to restore."""
    saved = store.get(OPTIMIZER_PATH)
    if optimizer_io.keras_optimizer(model) is None:
        return None
    if not saved:
        if store.get(OWN_OPTIMIZER_PATH):
            optimizer_io.skip_foreign_group(filepath)
        return None
    return optimizer_io.prepare(filepath, model, [a for a, _ in saved],
                                optimizer_state.FLAVOR_KERAS3)


def load_weights(model, filepath, skip_mismatch=False, root_path=None):
    """Loads a Keras 3 layout file into ``model`` (all or nothing)."""
    with file_format.open_h5(filepath) as f:
        root = f[root_path] if root_path else f
        store = read_store(filepath, root)
    apply_store(model, filepath, store, skip_mismatch)


def apply_store(model, filepath, store, skip_mismatch=False):
    items = match_items(filepath, model, store, skip_mismatch)
    restore_optimizer = optimizer_restorer(filepath, model, store)
    weight_paths.assign_all(filepath, items)
    if restore_optimizer is not None:
        restore_optimizer()
