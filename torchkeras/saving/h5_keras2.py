"""The Keras 2 (tf.keras) HDF5 layout: ``.h5`` / ``.hdf5`` weights.

Layout (tf.keras ``hdf5_format``): the root (or ``model_weights`` in a
full-model file) has the attributes ``layer_names``, ``backend`` and
``keras_version``; one group per layer (created in name order) has the
attribute ``weight_names`` (``dense/kernel:0`` style, trainable before
non-trainable) and one dataset per name. Attributes larger than HDF5's
64 KB object-header limit are split into ``name0``, ``name1``, ... .

Loading is topological by default (the i-th layer with weights in the file
goes to the i-th layer with weights in the model), or ``by_name`` (layer
names match; with ``skip_mismatch`` mismatched layers are skipped with a
warning), as tf.keras's ``load_weights``. Legacy weights (CuDNNGRU,
CuDNNLSTM) are converted by ``legacy.convert_weights``.
"""

import warnings

import h5py
import numpy as np

from torchkeras.saving import file_format
from torchkeras.saving import integrity
from torchkeras.saving import legacy
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

HEADER_LIMIT = 64512
# Readers compare the version only with "1" (Keras 1 conversions).
KERAS_VERSION = "torchkeras"
BACKEND = "torch"


def save_attributes(group, name, data):
    """Writes a list of strings as ``name`` or in ``name0, name1...``
    chunks when it exceeds HDF5's object-header limit."""
    data = [d.encode("utf8") if isinstance(d, str) else d for d in data]
    too_long = [d for d in data if len(d) > HEADER_LIMIT]
    if too_long:
        raise ValueError(
            f"The following attributes cannot be saved to HDF5 because they "
            f"are larger than {HEADER_LIMIT} bytes: {too_long[:3]}"
        )
    array = np.asarray(data)
    chunks = [array]
    count = 1
    while any(c.nbytes > HEADER_LIMIT for c in chunks):
        count += 1
        chunks = np.array_split(array, count)
    if count > 1:
        for i, chunk in enumerate(chunks):
            group.attrs[f"{name}{i}"] = chunk
    else:
        group.attrs[name] = array


def load_attributes(group, name):
    """Reads what ``save_attributes`` wrote, as a list of strings."""
    def decode(values):
        return [v.decode("utf8") if hasattr(v, "decode") else str(v)
                for v in np.atleast_1d(values) if not isinstance(v, float)]

    if name in group.attrs:
        return decode(group.attrs[name])
    data = []
    i = 0
    while f"{name}{i}" in group.attrs:
        data.extend(decode(group.attrs[f"{name}{i}"]))
        i += 1
    return data


def _write_subset(group, owners, names, weights):
    names = [f"{names[id(w)]}:0" for w in weights]
    save_attributes(group, "weight_names", names)
    for name, w in zip(names, weights):
        value = weight_paths.to_keras(owners[id(w)], w)
        dataset = group.create_dataset(name, data=value)
        dataset.attrs[integrity.ATTRIBUTE] = integrity.digest(value)


def write_group(filepath, root, model):
    """Writes ``model``'s weights in the Keras 2 layout into ``root``."""
    names = weight_paths.unique_names(filepath, model)
    owners = weight_paths.owner_map(model)
    layers = weight_paths.keras2_layers(model)
    save_attributes(root, "layer_names", [layer.name for layer in layers])
    root.attrs["backend"] = BACKEND.encode("utf8")
    root.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(layers, key=lambda x: x.name):
        group = root.create_group(layer.name)
        _write_subset(group, owners, names,
                      weight_paths.keras2_weights(layer))
    top = weight_paths.own_weights(model)
    if top:
        _write_subset(root.create_group("top_level_model_weights"), owners,
                      names, top)


def save_weights(model, filepath):
    with h5py.File(filepath, "w") as f:
        write_group(filepath, f, model)


def is_keras2_layout(root):
    return "layer_names" in root.attrs or any(
        k.startswith("layer_names") for k in root.attrs)


def _read_layer(filepath, root, name):
    if name not in root:
        raise FileFormatError(
            filepath,
            f"'layer_names' lists layer '{name}' but the file has no group "
            "for it (truncated or corrupt)."
        )
    group = root[name]
    arrays = []
    for weight_name in load_attributes(group, "weight_names"):
        if weight_name not in group:
            raise FileFormatError(
                filepath,
                f"layer '{name}' lists weight '{weight_name}' but the file "
                "has no dataset for it."
            )
        dataset = group[weight_name]
        array = np.asarray(file_format.read_dataset(filepath, dataset))
        integrity.verify(filepath, dataset.name, array,
                         dataset.attrs.get(integrity.ATTRIBUTE))
        arrays.append((array, dataset.name))
    return arrays


def read_layers(filepath, root):
    """[(layer name, [(array, dataset path)])] for layers with weights."""
    names = load_attributes(root, "layer_names")
    out = []
    for name in names:
        arrays = _read_layer(filepath, root, name)
        if arrays:
            out.append((name, arrays))
    return out


def _layer_items(filepath, layer, saved, owners):
    weights = weight_paths.keras2_weights(layer)
    arrays = legacy.convert_weights(filepath, layer, [a for a, _ in saved])
    if len(arrays) != len(weights):
        raise WeightMismatchError(
            filepath,
            f"layer '{layer.name}' ({type(layer).__name__}) expects "
            f"{len(weights)} weights, but the file has {len(arrays)} for it "
            f"(stored as {[w for _, w in saved]})."
        )
    wheres = [w for _, w in saved] + ["(converted)"] * len(arrays)
    return [(owners[id(w)], w, a, where)
            for w, a, where in zip(weights, arrays, wheres)]


def _with_weights(model):
    return [layer for layer in weight_paths.keras2_layers(model)
            if weight_paths.keras2_weights(layer)]


def match_topological(filepath, model, saved_layers):
    owners = weight_paths.owner_map(model)
    layers = _with_weights(model)
    if len(layers) != len(saved_layers):
        raise WeightMismatchError(
            filepath,
            "layer count mismatch when loading weights from file. Model "
            f"expected {len(layers)} layers with weights "
            f"{[layer.name for layer in layers]}, found "
            f"{len(saved_layers)} saved layers "
            f"{[name for name, _ in saved_layers]}."
        )
    items = []
    for layer, (_, saved) in zip(layers, saved_layers):
        items += _layer_items(filepath, layer, saved, owners)
    return items


def match_by_name(filepath, model, saved_layers, skip_mismatch):
    owners = weight_paths.owner_map(model)
    saved = dict(saved_layers)
    items = []
    for layer in _with_weights(model):
        if layer.name not in saved:
            continue
        try:
            layer_items = _layer_items(filepath, layer, saved[layer.name],
                                       owners)
            for owner, w, a, where in layer_items:
                expected = tuple(owner._keras_shape(w))
                if tuple(np.shape(a)) != expected:
                    raise WeightMismatchError(
                        filepath,
                        f"shape mismatch for layer '{layer.name}' weight "
                        f"'{weight_paths.weight_label(w)}' (stored at "
                        f"'{where}'): expected shape {expected}, received "
                        f"shape {tuple(np.shape(a))}."
                    )
        except WeightMismatchError as e:
            if not skip_mismatch:
                raise
            warnings.warn(f"Skipping loading weights: {e}", stacklevel=3)
            continue
        items += layer_items
    return items


def _top_level_items(filepath, top, model):
    if not top:
        return []
    owners = weight_paths.owner_map(model)
    weights = weight_paths.own_weights(model)
    if len(top) != len(weights):
        raise WeightMismatchError(
            filepath,
            f"model '{model.name}' has {len(weights)} top-level weights, "
            f"the file has {len(top)}."
        )
    return [(owners[id(w)], w, a, where)
            for w, (a, where) in zip(weights, top)]


def read_group(filepath, root):
    """``(saved layers, top-level weights)`` read and verified from
    ``root`` (a file or its ``model_weights`` group)."""
    if not is_keras2_layout(root):
        raise FileFormatError(
            filepath,
            "HDF5 file without 'layer_names': not a Keras weights file."
        )
    saved_layers = read_layers(filepath, root)
    top = None
    if "top_level_model_weights" in root:
        top = _read_layer(filepath, root, "top_level_model_weights")
    return saved_layers, top


def apply(filepath, model, saved, by_name=False, skip_mismatch=False):
    """Assigns what ``read_group`` returned to ``model`` (all or nothing)."""
    saved_layers, top = saved
    if by_name:
        items = match_by_name(filepath, model, saved_layers, skip_mismatch)
    else:
        items = match_topological(filepath, model, saved_layers)
    items += _top_level_items(filepath, top, model)
    weight_paths.assign_all(filepath, items)


def write_optimizer(root, names, values):
    """``optimizer_weights``: one dataset per name (tf.keras 2 names, see
    ``optimizer_io.tf_keras_weights``), listed in ``weight_names``."""
    group = root.create_group("optimizer_weights")
    save_attributes(group, "weight_names", names)
    for name, value in zip(names, values):
        dataset = group.create_dataset(name, data=value)
        dataset.attrs[integrity.ATTRIBUTE] = integrity.digest(value)


def read_optimizer(filepath, root):
    """``(names, arrays)`` of ``optimizer_weights``, or None."""
    if "optimizer_weights" not in root:
        return None
    names = load_attributes(root["optimizer_weights"], "weight_names")
    arrays = [a for a, _ in _read_layer(filepath, root, "optimizer_weights")]
    return names, arrays
