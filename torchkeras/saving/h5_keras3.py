"""The Keras 3 weights layout: ``.weights.h5`` files and ``model.weights.h5``.

Layout (Keras 3 ``saving_lib``): one group per layer at the path
``weight_paths.keras3_groups`` gives, holding a ``vars`` group whose
datasets ``0``, ``1``, ... are the layer's own variables in Keras layout,
with the layer's name as the ``name`` attribute; the model's own ``vars``
at the root. Keras writes its optimizer's variables under
``optimizer/vars``; we write ours under ``torchkeras_optimizer/vars`` (see
``OWN_OPTIMIZER_PATH``) and read either. We add a ``torchkeras_sha256``
attribute per dataset, which Keras ignores.

Loading reads and verifies the whole file first, matches every group to
the model's, and only then assigns (``weight_paths.assign_all``).
"""

import warnings

import h5py
import numpy as np

from torchkeras.saving import file_format
from torchkeras.saving import integrity
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

# Keras's own optimizer group, read when a Keras file has one.
OPTIMIZER_PATH = "optimizer"
# Ours: torchkeras's optimizer variables are in its own order and torch
# layouts, which Keras 3 would reject (failing the whole load), so they go
# to a group Keras never visits.
OWN_OPTIMIZER_PATH = "torchkeras_optimizer"
_OPTIMIZER_PATHS = (OPTIMIZER_PATH, OWN_OPTIMIZER_PATH)


def keras_optimizer(model):
    """The model's optimizer if it has Keras-ordered ``variables``."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "load_own_variables"):
        return None
    return opt


def ensure_optimizer_built(model, opt):
    if getattr(opt, "built", True):
        return
    build = getattr(model, "_build_optimizer", None)
    if build is not None:
        build()
    else:
        opt.build(model.trainable_weights)


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
    opt = keras_optimizer(model)
    if include_optimizer and opt is not None and getattr(opt, "built",
                                                         False):
        arrays = [v.detach().cpu().numpy() for v in opt.variables]
        _write_vars(root, OWN_OPTIMIZER_PATH,
                    getattr(opt, "name", "optimizer"), arrays)


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


def optimizer_values(filepath, model, store):
    """The optimizer's saved arrays if they fit the model's optimizer.

    Returns None (with a warning, as Keras) when they do not fit.
    """
    saved = store.get(OWN_OPTIMIZER_PATH) or store.get(OPTIMIZER_PATH)
    opt = keras_optimizer(model)
    if not saved or opt is None:
        return None
    ensure_optimizer_built(model, opt)
    current = opt.variables
    shapes_ok = len(current) == len(saved) and all(
        tuple(np.shape(a)) == tuple(v.shape)
        for (a, _), v in zip(saved, current))
    if not shapes_ok:
        why = (f"{len(saved)} variables for {len(current)}"
               if len(saved) != len(current) else
               "variables in another order or layout (Keras 3 orders the "
               "slots per weight)")
        warnings.warn(
            f"File '{filepath}': skipping the optimizer state, which does "
            f"not fit optimizer '{getattr(opt, 'name', '?')}' ({why}); "
            "the optimizer starts fresh.",
            stacklevel=3,
        )
        return None
    return [a for a, _ in saved]


def load_weights(model, filepath, skip_mismatch=False, root_path=None):
    """Loads a Keras 3 layout file into ``model`` (all or nothing)."""
    with file_format.open_h5(filepath) as f:
        root = f[root_path] if root_path else f
        store = read_store(filepath, root)
    apply_store(model, filepath, store, skip_mismatch)


def apply_store(model, filepath, store, skip_mismatch=False):
    items = match_items(filepath, model, store, skip_mismatch)
    opt_values = optimizer_values(filepath, model, store)
    weight_paths.assign_all(filepath, items)
    if opt_values is not None:
        model.optimizer.set_weights(opt_values)
