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

Reading never trusts the file (``file_format``): groups and datasets are
reached through hard links only; the root may hold only the groups
``layer_names`` lists; with the model at hand every dataset's declared
shape is compared with the weight it will fill before any value is read
(``check_declared``); each value is read after its declaration was checked
against the file, and verified against its checksum; every value is
matched and checked against its weight before any is assigned.
"""

import math
import warnings

import h5py
import numpy as np

from torchkeras.saving import deferred
from torchkeras.saving import file_format
from torchkeras.saving import h5_keras3
from torchkeras.saving import integrity
from torchkeras.saving import legacy
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import SavingError
from torchkeras.saving.errors import WeightMismatchError

HEADER_LIMIT = 64512
# The group of a model's own weights (not a layer's), tf.keras 2.13+.
TOP_LEVEL = "top_level_model_weights"
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


def load_attributes(group, name, filepath=None):
    """Reads what ``save_attributes`` wrote, as a list of strings.

    Each attribute's type and size are checked before it is read
    (``file_format.attribute``); anything but strings (h5py writes an empty
    list as an empty float array) is a ``FileFormatError`` naming
    ``filepath`` (default: the file's own name) and the attribute.
    """
    filepath = filepath or group.file.filename

    def decode(attr_name):
        values = file_format.attribute(filepath, group, attr_name)
        out = []
        for v in np.ravel(np.asarray(values, dtype=object)):
            if isinstance(v, bytes):
                try:
                    v = v.decode("utf8")
                except UnicodeDecodeError:
                    v = None
            if not isinstance(v, str):
                raise FileFormatError(
                    filepath,
                    f"attribute '{attr_name}' of '{group.name}' should hold "
                    f"strings (names), but holds {np.asarray(values).dtype} "
                    "values (damaged)."
                )
            out.append(v)
        return out

    if name in group.attrs:
        return decode(name)
    data = []
    i = 0
    while f"{name}{i}" in group.attrs:
        data.extend(decode(f"{name}{i}"))
        i += 1
    return data


def _write_subset(group, owners, names, weights):
    names = [f"{names[id(w)]}:0" for w in weights]
    save_attributes(group, "weight_names", names)
    for name, w in zip(names, weights):
        value = weight_paths.to_keras(owners[id(w)], w)
        dataset = group.create_dataset(name, data=value)
        dataset.attrs[integrity.ATTRIBUTE] = integrity.bound_digest(
            dataset.name, value)


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
        _write_subset(root.create_group(TOP_LEVEL), owners, names, top)


def save_weights(model, filepath):
    with h5py.File(filepath, "w") as f:
        write_group(filepath, f, model)


def is_keras2_layout(root):
    return "layer_names" in root.attrs or any(
        k.startswith("layer_names") for k in root.attrs)


# ----------------------------------------------------------------------
# Reading: the structure, then what it declares, then the values.


def _list_weights(filepath, root, name):
    """``[(dataset, path)]`` a layer group lists in ``weight_names``, its
    structure checked (hard links to datasets); nothing is read."""
    group = file_format.find(filepath, root, name, h5py.Group)
    if group is None:
        raise FileFormatError(
            filepath,
            f"'layer_names' lists layer '{name}' but the file has no group "
            "for it (truncated or corrupt)."
        )
    out = []
    for weight_name in load_attributes(group, "weight_names", filepath):
        dataset = file_format.find(filepath, group, weight_name,
                                   h5py.Dataset)
        if dataset is None:
            raise FileFormatError(
                filepath,
                f"layer '{name}' lists weight '{weight_name}' but the file "
                "has no dataset for it."
            )
        out.append((dataset, dataset.name))
    return out


def _read_values(filepath, listed):
    """``[(array, path)]``: each dataset read after ``read_dataset``'s
    checks, and verified against its checksum."""
    out = []
    for dataset, where in listed:
        array = np.asarray(file_format.read_dataset(filepath, dataset))
        digest = file_format.attribute(filepath, dataset,
                                       integrity.ATTRIBUTE)
        integrity.verify(filepath, where, array, digest, key=where)
        out.append((array, where))
    return out


def _read_layer(filepath, root, name):
    return _read_values(filepath, _list_weights(filepath, root, name))


def _list_layers(filepath, root):
    """``[(layer name, [(dataset, path)])]`` for the layers with weights,
    in ``layer_names`` order."""
    names = load_attributes(root, "layer_names", filepath)
    if len(set(names)) != len(names):
        raise FileFormatError(
            filepath, f"'layer_names' lists a layer twice: {names[:20]}.")
    unknown = sorted(set(root.keys()) - set(names) - {TOP_LEVEL})
    if unknown:
        # tf.keras writes a group for every layer it lists, and nothing
        # else: a name changed by damage would lose its values silently.
        raise FileFormatError(
            filepath, f"'{root.name}' holds {unknown[:10]}, which "
            f"'layer_names' does not list ({names[:20]}): damaged or not "
            "a Keras weights file.")
    listed = [(name, _list_weights(filepath, root, name)) for name in names]
    return [(name, weights) for name, weights in listed if weights]


# Layers whose Keras 2 weights ``legacy.convert_weights`` may re-shape
# (CuDNN kernels and biases), so their declared shapes are only bounded.
_CONVERTED = ("LSTM", "GRU", "Bidirectional", "TimeDistributed", "Model",
              "Functional", "Sequential")


def _shapes(owners, weights):
    return [tuple(owners[id(w)]._keras_shape(w)) for w in weights]


def _declared_problem(owners, layer, listed):
    """What is wrong with the datasets ``listed`` for ``layer``, judged
    from their declared shapes alone, or None. ``owners``: the model's
    `weight_paths.owner_map`, computed once per load."""
    weights = weight_paths.keras2_weights(layer)
    expected = _shapes(owners, weights)
    declared = [tuple(d.shape or ()) for d, _ in listed]
    if type(layer).__name__ in _CONVERTED or getattr(
            layer, "_is_graph_network", False):
        # A CuDNN bias holds twice the values of its Keras bias.
        most = 2 * max([math.prod(s) for s in expected] + [1])
        for shape, (_, where) in zip(declared, listed):
            if math.prod(shape) > most:
                return (f"layer '{layer.name}' ({type(layer).__name__}) "
                        f"has no weight of more than {most // 2} values, "
                        f"but dataset '{where}' declares shape {shape}.")
        return None
    if len(declared) != len(expected):
        return (f"layer '{layer.name}' ({type(layer).__name__}) expects "
                f"{len(expected)} weights, but the file has "
                f"{len(declared)} for it (stored as "
                f"{[w for _, w in listed]}).")
    for weight, want, got, (_, where) in zip(weights, expected, declared,
                                             listed):
        if want != got:
            return weight_paths.shape_mismatch(layer, weight, where, want,
                                               got)
    return None


def check_declared(filepath, model, listed_layers, top, by_name=False,
                   skip_mismatch=False):
    """Compares every dataset's declared shape with the model weight it
    will fill, before any value is read.

    Returns the layers to read (those skipped with a warning under
    ``by_name`` and ``skip_mismatch`` left out).

    Raises:
        WeightMismatchError: naming the layer, the dataset and the shapes.
    """
    layers = _with_weights(model)
    if by_name:
        saved = dict(listed_layers)
        pairs = [(layer, saved[layer.name]) for layer in layers
                 if layer.name in saved]
    else:
        if len(layers) != len(listed_layers):
            raise _count_mismatch(filepath, layers, listed_layers)
        pairs = list(zip(layers, [w for _, w in listed_layers]))
    skipped = set()
    owners = weight_paths.owner_map(model)
    for layer, listed in pairs:
        problem = _declared_problem(owners, layer, listed)
        if problem is None:
            continue
        if by_name and skip_mismatch:
            warnings.warn(f"Skipping loading weights: File '{filepath}': "
                          f"{problem}", stacklevel=4)
            skipped.add(layer.name)
            continue
        raise WeightMismatchError(filepath, problem)
    if top is not None:
        own = weight_paths.own_weights(model)
        declared = [tuple(d.shape or ()) for d, _ in top]
        if declared != _shapes(owners, own):
            raise WeightMismatchError(
                filepath,
                f"model '{model.name}' has top-level weights of shapes "
                f"{_shapes(owners, own)}, the file declares "
                f"{declared}.")
    return [(name, listed) for name, listed in listed_layers
            if name not in skipped]


def _count_mismatch(filepath, layers, saved_layers):
    return WeightMismatchError(
        filepath,
        "layer count mismatch when loading weights from file. Model "
        f"expected {len(layers)} layers with weights "
        f"{[layer.name for layer in layers]}, found "
        f"{len(saved_layers)} saved layers "
        f"{[name for name, _ in saved_layers]}."
    )


def _converted(filepath, layer, arrays):
    """``legacy.convert_weights``, its errors on damaged shapes named."""
    try:
        return legacy.convert_weights(filepath, layer, arrays)
    except SavingError:
        raise
    except (ValueError, IndexError, TypeError) as e:
        raise WeightMismatchError(
            filepath,
            f"the weights for layer '{layer.name}' "
            f"({type(layer).__name__}) cannot be converted from shapes "
            f"{[np.shape(a) for a in arrays]}: {e}"
        ) from None


def _layer_items(filepath, layer, saved, owners):
    weights = weight_paths.keras2_weights(layer)
    arrays = _converted(filepath, layer, [a for a, _ in saved])
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
        raise _count_mismatch(filepath, layers, saved_layers)
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
            _check_shapes(filepath, layer.name, layer_items)
        except WeightMismatchError as e:
            if not skip_mismatch:
                raise
            warnings.warn(f"Skipping loading weights: {e}", stacklevel=3)
            continue
        items += layer_items
    return items


def _check_shapes(filepath, layer_name, items):
    """Every value against the shape of the weight it fills (before any
    is assigned, so the optimizer is not prepared for a failing load)."""
    for owner, w, a, where in items:
        expected = tuple(owner._keras_shape(w))
        if tuple(np.shape(a)) != expected:
            raise WeightMismatchError(
                filepath,
                f"shape mismatch for layer '{layer_name or owner.name}' "
                f"weight '{weight_paths.weight_label(w)}' (stored at "
                f"'{where}'): expected shape {expected}, received "
                f"shape {tuple(np.shape(a))}."
            )


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


def _known_shapes(model):
    """Whether ``model``'s weights exist (a model that is not built yet
    takes the values at its first call: nothing to compare with now)."""
    return model is not None and not deferred.needs_deferral(model)


def read_group(filepath, root, model=None, by_name=False,
               skip_mismatch=False):
    """``(saved layers, top-level weights)`` read and verified from
    ``root`` (a file or its ``model_weights`` group).

    The structure is walked first (hard links to groups and datasets
    only); with ``model`` (built), every dataset's declared shape is
    compared with the weight it will fill (``check_declared``) before any
    value is read; each value is read after ``file_format.read_dataset``
    checked its declaration against the file.
    """
    if not is_keras2_layout(root):
        raise FileFormatError(
            filepath,
            "HDF5 file without 'layer_names': not a Keras weights file."
        )
    listed = _list_layers(filepath, root)
    top = None
    if file_format.find(filepath, root, TOP_LEVEL):
        top = _list_weights(filepath, root, TOP_LEVEL)
    if _known_shapes(model):
        listed = check_declared(filepath, model, listed, top, by_name,
                                skip_mismatch)
    saved_layers = [(name, _read_values(filepath, weights))
                    for name, weights in listed]
    if top is not None:
        top = _read_values(filepath, top)
    return saved_layers, top


def read_layers(filepath, root):
    """[(layer name, [(array, dataset path)])] for layers with weights."""
    return [(name, _read_values(filepath, weights))
            for name, weights in _list_layers(filepath, root)]


def match(filepath, model, saved, by_name=False, skip_mismatch=False):
    """``[(owner, weight, array, where)]`` for what ``read_group``
    returned; every value checked against its weight's shape; nothing
    assigned."""
    saved_layers, top = saved
    if by_name:
        items = match_by_name(filepath, model, saved_layers, skip_mismatch)
    else:
        items = match_topological(filepath, model, saved_layers)
    items += _top_level_items(filepath, top, model)
    _check_shapes(filepath, None, items)
    return items


def apply(filepath, model, saved, by_name=False, skip_mismatch=False):
    """Assigns what ``read_group`` returned to ``model`` (all or nothing)."""
    weight_paths.assign_all(
        filepath, match(filepath, model, saved, by_name, skip_mismatch))


def write_optimizer(root, names, values):
    """``optimizer_weights``: one dataset per name (tf.keras 2 names, see
    ``optimizer_io.tf_keras_weights``), listed in ``weight_names``."""
    group = root.create_group("optimizer_weights")
    save_attributes(group, "weight_names", names)
    for name, value in zip(names, values):
        dataset = group.create_dataset(name, data=value)
        dataset.attrs[integrity.ATTRIBUTE] = integrity.bound_digest(
            dataset.name, value)


def read_optimizer(filepath, root, model=None):
    """``(names, arrays)`` of ``optimizer_weights``, or None; with
    ``model`` (built), each dataset's declared size is bounded by the
    model's largest weight before it is read."""
    group = file_format.find(filepath, root, "optimizer_weights",
                             h5py.Group)
    if group is None:
        return None
    listed = _list_weights(filepath, root, "optimizer_weights")
    if _known_shapes(model):
        h5_keras3.check_optimizer_declared(filepath, model, listed)
    names = load_attributes(group, "weight_names", filepath)
    return names, [a for a, _ in _read_values(filepath, listed)]
