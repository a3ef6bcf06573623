"""The Keras 3 weights layout: ``.weights.h5`` files and ``model.weights.h5``.

Layout (Keras 3 ``saving_lib``): one group per layer at the path
``weight_paths.keras3_groups`` gives, holding a ``vars`` group whose
datasets ``0``, ``1``, ... are the layer's own variables in Keras layout,
with the layer's name as the ``name`` attribute; the model's own ``vars``
at the root; the optimizer's variables under ``optimizer/vars``, in Keras
3's order and Keras layouts (``optimizer_io``), so Keras 3 resumes from our
files and we from its. We add a ``torchkeras_sha256`` attribute per
dataset, which Keras ignores.

Loading walks the file first (hard links only; every dataset inside a
``vars`` group), compares each dataset's declared shape with the weight it
will fill when the model is at hand (the optimizer's with the model's
largest weight) before reading any value, reads and verifies the values,
matches every group to the model's (counts and shapes), prepares the
optimizer state, and only then assigns (``weight_paths.assign_all``, then
the optimizer): a failure before that changes nothing, not even whether
the optimizer is built.
"""

import math
import warnings

import h5py
import numpy as np

from torchkeras.optimizers import optimizer_state
from torchkeras.saving import deferred
from torchkeras.saving import file_format
from torchkeras.saving import integrity
from torchkeras.saving import optimizer_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

# Keras 3's optimizer group.
OPTIMIZER_PATH = "optimizer"


def _write_vars(root, path, name, arrays):
    group = root.create_group(f"{path}/vars" if path else "vars")
    group.attrs["name"] = name
    for i, array in enumerate(arrays):
        array = np.asarray(array)
        dataset = group.create_dataset(str(i), data=array)
        dataset.attrs[integrity.ATTRIBUTE] = integrity.bound_digest(
            dataset.name, array)


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


def read_store(filepath, root, model=None, skip_mismatch=False):
    """{layer path: [(array, dataset path)]} for every ``vars`` group.

    The structure is walked first (hard links only: ``walk_h5``); with
    ``model`` (built), each layer's datasets are compared by their declared
    shapes with the weights they will fill, and the optimizer's bounded by
    the model's largest weight, before any value is read (a mismatch is a
    ``WeightMismatchError``, or with ``skip_mismatch`` a warning and the
    layer left unread, stored as None). Each value is read after
    ``file_format.read_dataset`` checked its declaration against the file,
    and verified against its checksum.
    """
    listed = {}
    for name, obj in file_format.walk_h5(filepath, root):
        parts = name.split("/")
        if parts[-1] == "vars" and isinstance(obj, h5py.Group):
            listed["/".join(parts[:-1])] = _list_vars(filepath, obj)
        elif isinstance(obj, h5py.Dataset) and parts[-2:-1] != ["vars"]:
            # Keras keeps every value in a ``vars`` group: one elsewhere
            # is a group name changed by damage (``optimizer/vbrs``),
            # whose values would otherwise be dropped silently.
            raise FileFormatError(
                filepath, f"dataset '{obj.name}' is not in a 'vars' group "
                "(damaged or not a Keras weights file).")
    skipped = set()
    if model is not None and not deferred.needs_deferral(model):
        skipped = _check_declared(filepath, model, listed, skip_mismatch)
    return {path: None if path in skipped else _read_vars(filepath, datasets)
            for path, datasets in listed.items()}


def _list_vars(filepath, group):
    """The datasets ``0``...``n-1`` of a ``vars`` group, in order; nothing
    is read."""
    keys = list(group.keys())
    expected = [str(i) for i in range(len(keys))]
    if sorted(keys, key=lambda k: (len(k), k)) != expected:
        raise FileFormatError(
            filepath,
            f"group '{group.name}' should hold datasets named 0..."
            f"{len(keys) - 1}. Received: keys={sorted(keys)[:20]}"
        )
    return [file_format.find(filepath, group, key, h5py.Dataset)
            for key in expected]


def _read_vars(filepath, datasets):
    out = []
    for dataset in datasets:
        array = np.asarray(file_format.read_dataset(filepath, dataset))
        digest = file_format.attribute(filepath, dataset,
                                       integrity.ATTRIBUTE)
        integrity.verify(filepath, dataset.name, array, digest,
                         key=dataset.name)
        out.append((array, dataset.name))
    return out


def _check_declared(filepath, model, listed, skip_mismatch):
    """Compares the declared shapes in ``listed`` ({path: datasets}) with
    ``model``'s weights before anything is read; returns the paths to
    leave unread (skipped with a warning under ``skip_mismatch``)."""
    skipped = set()
    owners = weight_paths.owner_map(model)
    groups = weight_paths.keras3_groups(model)
    for path, layer, weights in groups:
        datasets = listed.get(path)
        if not datasets:
            continue  # missing: ``match_items`` says so
        wanted = [tuple(owners[id(w)]._keras_shape(w)) for w in weights]
        problem = _shape_problem(layer, path, weights, wanted,
                                 [(tuple(d.shape or ()), d.name)
                                  for d in datasets])
        if problem is None:
            continue
        if not skip_mismatch:
            raise WeightMismatchError(filepath, problem)
        warnings.warn(f"Skipping {problem}", stacklevel=4)
        skipped.add(path)
    known = {path for path, _, _ in groups}
    extra = sorted(p for p, datasets in listed.items() if datasets
                   and p not in known
                   and p.split("/")[0] != OPTIMIZER_PATH)
    if extra and not skip_mismatch:
        raise _extra_layers(filepath, extra, groups)
    if optimizer_io.keras_optimizer(model) is None:
        # Nothing to restore it into: its values are never read.
        skipped |= {OPTIMIZER_PATH} & set(listed)
    else:
        check_optimizer_declared(
            filepath, model, [(d, d.name) for d in
                              listed.get(OPTIMIZER_PATH) or []])
    return skipped | set(extra)


def _extra_layers(filepath, extra, groups):
    return WeightMismatchError(
        filepath,
        f"the file holds weights for layer(s) the model does not have: "
        f"{extra}. Received: model with layers "
        f"{[p for p, _, w in groups if w]}"
    )


def largest_weight(model):
    """The most values one weight of ``model`` holds in Keras layout: no
    optimizer variable (a slot shaped as its weight, a factor of it, or a
    scalar) holds more."""
    owners = weight_paths.owner_map(model)
    return max([math.prod(owners[id(w)]._keras_shape(w))
                for w in model.weights if id(w) in owners] + [1])


def check_optimizer_declared(filepath, model, listed):
    """Refuses an optimizer dataset (``listed``: [(dataset, path)]) that
    declares more values than any weight of ``model`` has, before it is
    read."""
    most = largest_weight(model)
    for dataset, where in listed:
        shape = tuple(dataset.shape or ())
        if math.prod(shape) > most:
            raise FileFormatError(
                filepath,
                f"optimizer dataset '{where}' declares shape {shape}, more "
                f"values than any weight of the model has ({most}); not "
                "read."
            )


def _shape_problem(layer, path, weights, wanted, stored):
    """What is wrong with ``stored`` ([(shape, dataset path)]) for the
    layer at ``path``, or None."""
    if len(stored) != len(weights):
        where = f"'{path}/vars'" if path else "the root 'vars'"
        return (f"layer '{layer.name}' ({type(layer).__name__}) expects "
                f"{len(weights)} variables at {where}, but the file has "
                f"{len(stored)}.")
    for weight, want, (got, where) in zip(weights, wanted, stored):
        if want != got:
            return weight_paths.shape_mismatch(layer, weight, where, want,
                                               got)
    return None


def match_items(filepath, model, store, skip_mismatch=False):
    """``[(owner, weight, array, where)]`` for all of ``model``'s groups,
    every value's shape checked; nothing is assigned.

    Raises:
        WeightMismatchError: a layer of the model is missing from the file,
            the file has a layer the model does not, or a variable count
            or shape differs (unless ``skip_mismatch``, which warns and
            skips the layer; a layer ``read_store`` skipped already, stored
            as None, is skipped silently).
    """
    store = {k: v for k, v in store.items()
             if k.split("/")[0] != OPTIMIZER_PATH}
    owners = weight_paths.owner_map(model)
    items = []
    for path, layer, weights in weight_paths.keras3_groups(model):
        if path in store and store[path] is None:
            store.pop(path)
            continue
        saved = store.pop(path, [])
        wanted = [tuple(owners[id(w)]._keras_shape(w)) for w in weights]
        problem = _shape_problem(layer, path, weights, wanted,
                                 [(tuple(np.shape(a)), where)
                                  for a, where in saved])
        if problem is None:
            items += [(owners[id(w)], w, a, where)
                      for w, (a, where) in zip(weights, saved)]
            continue
        if not saved:
            problem += " The layer is missing from the file."
        if skip_mismatch:
            warnings.warn(f"Skipping {problem}", stacklevel=3)
            continue
        raise WeightMismatchError(filepath, problem)
    extra = sorted(p for p, saved in store.items() if saved)
    if extra and not skip_mismatch:
        raise _extra_layers(filepath, extra,
                            weight_paths.keras3_groups(model))
    return items


def optimizer_restorer(filepath, model, store):
    """A function restoring the optimizer from ``store``, or None when
    there is nothing (or nothing that fits, with a warning) to restore."""
    saved = store.get(OPTIMIZER_PATH)
    if optimizer_io.keras_optimizer(model) is None:
        return None
    if not saved:
        return None
    return optimizer_io.prepare(filepath, model, [a for a, _ in saved],
                                optimizer_state.FLAVOR_KERAS3)


def load_weights(model, filepath, skip_mismatch=False, root_path=None):
    """Loads a Keras 3 layout file into ``model`` (all or nothing)."""
    with file_format.open_h5(filepath) as f:
        root = f
        if root_path:
            root = file_format.find(filepath, f, root_path, h5py.Group)
            if root is None:
                raise FileFormatError(
                    filepath, f"the file has no group '{root_path}'.")
        store = read_store(filepath, root, model, skip_mismatch)
    apply_store(model, filepath, store, skip_mismatch)


def apply_loaded_store(model, filepath, store, compile):
    """The last step of ``load_model`` (archive or model folder): the
    store's weights, and its optimizer state only when ``compile``, now or
    at the model's first call when it is not built yet (``deferred``)."""
    if not compile:
        store = {k: v for k, v in store.items() if k != OPTIMIZER_PATH}

    def apply():
        apply_store(model, filepath, store)

    if deferred.needs_deferral(model):
        deferred.defer(model, apply)
    else:
        apply()


def apply_store(model, filepath, store, skip_mismatch=False):
    """Assigns ``store`` to ``model``: every weight matched and checked
    first, then the optimizer's state prepared (which may build the
    optimizer), then both assigned; a failure before that changes
    nothing."""
    items = match_items(filepath, model, store, skip_mismatch)
    restore_optimizer = optimizer_restorer(filepath, model, store)
    weight_paths.assign_all(filepath, items)
    if restore_optimizer is not None:
        restore_optimizer()
