"""Where each weight of a model lives in Keras's files, and loading safely.

Three addressings, one per file family:
- Keras 3 (``.weights.h5``, ``.keras``): a tree of groups walked as Keras 3's
  ``saving_lib`` walks objects. A Functional or Sequential model first gives
  ``layers`` (a list: each layer named by its snake-case class name,
  ``dense``, ``dense_1``, ... by position, not by layer name), then every
  attribute holding a layer (sorted, private ones last); each layer's own
  variables are ``<path>/vars/0..n``, trainable ones first. A layer reached
  twice (shared) is stored once, at its first path.
- Keras 2 (``.h5``): the model's ``layers`` in order, each with its weights
  in tf.keras's ``trainable_weights + non_trainable_weights`` order.
- Flat (``.safetensors``): each weight's ``path`` (``dense_1/kernel``).
- Structure (checkpoints): the attribute path to the weight's layer and
  its name (``dense1/kernel``, ``layers/dense_1/kernel``).

Values cross these boundaries in Keras layouts, through each layer's
``_to_keras_layout``/``_from_keras_layout``/``_keras_shape`` hooks.
``assign_all`` checks every value before changing any weight, so a failed
load never leaves a model half-loaded.
"""

import re

import numpy as np
import torch

from torchkeras.layers.layer import Layer
from torchkeras.saving.errors import WeightMismatchError


def _keras3_snake_case(name):
    """The name Keras 3's ``saving_lib`` gives a list item: its class name
    snake-cased by Keras 3's rule, which differs from tf.keras 2's (our
    layer names) where a capital precedes a digit: ``ConvLSTM2D`` is
    ``conv_lstm2d`` there, ``conv_lst_m2d`` in tf.keras 2."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name):
    """Keras 3 visits private attributes last."""
    return f"~{name}" if name.startswith("_") else name


def own_weights(layer):
    """The layer's own weights, trainable kind first (Keras 3 order)."""
    own = [w for owner, w in layer._weights_with_owner() if owner is layer]
    buffers = {id(b) for b in layer._buffers.values()}
    first = [w for w in own if id(w) not in buffers]
    return first + [w for w in own if id(w) in buffers]


def _is_layer_container(module):
    if isinstance(module, torch.nn.ModuleDict):
        module = list(module.values())
    elif isinstance(module, torch.nn.ModuleList):
        module = list(module)
    else:
        return None
    return [m for m in module if isinstance(m, Layer)]


def _is_functional_like(layer):
    return getattr(layer, "_model_kind", None) in ("functional",
                                                   "sequential")


def _tracked_by_graph(layer):
    """Layers a Functional/Sequential model tracks itself (not attributes
    in Keras): its graph's layers and stack, InputLayers included."""
    tracked = list(getattr(layer, "_stack", ()))
    graph = getattr(layer, "_graph", None)
    if graph is not None:
        tracked += list(graph.layers)
    return {id(t) for t in tracked}


def _children(layer):
    """(attribute, layer or list of layers) in Keras 3's visiting order."""
    skip = set()
    if _is_functional_like(layer):
        yield "layers", list(layer.layers)
        skip = _tracked_by_graph(layer)
    for attr in sorted(layer._modules, key=_name_key):
        child = layer._modules[attr]
        if id(child) in skip:
            continue
        if isinstance(child, Layer):
            yield attr, child
            continue
        container = _is_layer_container(child)
        if container:
            yield attr, container


def keras3_groups(model):
    """``[(path, layer, weights)]``: every layer once, in Keras 3 order.

    ``path`` is ``''`` for the model itself and ``'layers/dense_1'`` style
    below it; the weights are that layer's own variables.
    """
    groups = []
    visited = set()

    def visit(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        groups.append((path, layer, own_weights(layer)))
        for attr, child in _children(layer):
            child_path = f"{path}/{attr}" if path else attr
            if isinstance(child, Layer):
                visit(child, child_path)
                continue
            used = {}
            for item in child:
                name = _keras3_snake_case(type(item).__name__)
                if name in used:
                    used[name] += 1
                    name = f"{name}_{used[name]}"
                else:
                    used[name] = 0
                visit(item, f"{child_path}/{name}")

    visit(model, "")
    return groups


def structure_names(model):
    """``{'dense1/kernel': (owner, weight)}``: each weight named by the
    attribute path that reaches its layer (``keras3_groups``) and its own
    name, as TF's object-graph checkpoints name variables. The names do not
    depend on auto-generated layer names, so a second instance of a model
    class (``dense_20`` instead of ``dense``) gets the same names.
    """
    out = {}
    for path, layer, weights in keras3_groups(model):
        used = set()
        for i, weight in enumerate(weights):
            leaf = _leaf_name(weight, i)
            if leaf in used:
                leaf = f"{leaf}_{i}"
            used.add(leaf)
            out[f"{path}/{leaf}" if path else leaf] = (layer, weight)
    return out


def keras2_layers(model):
    """The layers a Keras 2 ``.h5`` file lists: ``model.layers``."""
    layers = getattr(model, "layers", None)
    if layers is None:
        layers = model._sublayers()
    return list(layers)


def _own_split(layer):
    own = own_weights(layer)
    buffers = {id(b) for b in layer._buffers.values()}
    return ([w for w in own if id(w) not in buffers],
            [w for w in own if id(w) in buffers])


def _dedup(weights):
    seen = set()
    out = []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def tf_trainable(layer):
    if not layer.trainable:
        return []
    own, _ = _own_split(layer)
    out = list(own)
    for child in layer._sublayers():
        out += tf_trainable(child)
    return _dedup(out)


def tf_non_trainable(layer):
    own_t, own_nt = _own_split(layer)
    if layer.trainable:
        out = list(own_nt)
        for child in layer._sublayers():
            out += tf_non_trainable(child)
    else:
        out = own_t + own_nt
        for child in layer._sublayers():
            out += tf_trainable(child) + tf_non_trainable(child)
    return _dedup(out)


def keras2_weights(layer):
    """tf.keras's ``trainable_weights + non_trainable_weights`` order."""
    return _dedup(tf_trainable(layer) + tf_non_trainable(layer))


def owner_map(model):
    """{id(weight): owning layer} for every weight of ``model``."""
    return {id(w): owner for owner, w in model._weights_with_owner()}


def to_keras(owner, weight):
    """The weight's value as a NumPy array in Keras layout."""
    return np.asarray(owner._to_keras_layout(weight))


def assign_all(filepath, items):
    """Sets weights from Keras-layout arrays, all or nothing.

    Args:
        filepath: the file the values come from (for messages).
        items: ``[(owner, weight, array, where)]``; ``where`` says where
            the value is in the file (a dataset path or a name).

    Raises:
        WeightMismatchError: on the first shape mismatch, naming the layer,
            the weight, the expected and received shapes; no weight is
            changed then.
    """
    converted = []
    for owner, weight, array, where in items:
        array = np.asarray(array)
        expected = tuple(owner._keras_shape(weight))
        if tuple(array.shape) != expected:
            raise WeightMismatchError(
                filepath,
                f"shape mismatch for layer '{owner.name}' weight "
                f"'{weight_label(weight)}' (stored at '{where}'): expected "
                f"shape {expected}, received shape {tuple(array.shape)}. "
                f"Received: value.shape={tuple(array.shape)}"
            )
        value = owner._from_keras_layout(weight, array)
        converted.append((weight, value))
    with torch.no_grad():
        for weight, value in converted:
            weight.copy_(value.to(device=weight.device, dtype=weight.dtype))


def shape_mismatch(layer, weight, where, want, got):
    """The message for a stored shape that does not fit ``weight``."""
    return (f"shape mismatch for layer '{layer.name}' weight "
            f"'{weight_label(weight)}' (stored at '{where}'): expected "
            f"shape {want}, received shape {got}.")


def weight_label(weight):
    """A weight's name for messages (plain torch parameters have none)."""
    return getattr(weight, "_keras_path", None) or "<torch parameter>"


def _leaf_name(weight, index):
    return getattr(weight, "_keras_name", None) or f"param_{index}"


def scoped_names(model):
    """{id(weight): 'outer/inner/kernel'}: each weight named by the chain
    of layer names from the model's layers down to its owner, as tf.keras's
    variable names were (``bidirectional/forward_gru/gru_cell/kernel``).

    Returns ``(names, clashes)``; ``clashes`` lists pairs of weights
    given the same name.
    """
    names = {}
    taken = {}
    clashes = []

    def add(weight, name):
        if id(weight) in names:
            return
        if name in taken:
            clashes.append((taken[name], weight, name))
        names[id(weight)] = name
        taken[name] = weight

    def visit(layer, prefix, seen):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        for i, w in enumerate(own_weights(layer)):
            add(w, f"{prefix}/{_leaf_name(w, i)}")
        for child in layer._sublayers():
            visit(child, f"{prefix}/{child.name}", seen)

    seen = {id(model)}
    for i, w in enumerate(own_weights(model)):
        add(w, f"{model.name}/{_leaf_name(w, i)}")
    for layer in keras2_layers(model):
        visit(layer, layer.name, seen)
    return names, clashes


def unique_names(filepath, model):
    """``scoped_names`` that must be unique, or a ValueError naming both.

    tf.keras's ``.h5`` writer fails with an HDF5 error on such models; we
    say which weights collide and their index in ``model.weights``.
    """
    names, clashes = scoped_names(model)
    if clashes:
        first, second, name = clashes[0]
        index = {id(w): i for i, w in enumerate(model.weights)}
        raise ValueError(
            f"Cannot save to '{filepath}': weights {index.get(id(first))} "
            f"and {index.get(id(second))} of model '{model.name}' "
            f"('{weight_label(first)}' and '{weight_label(second)}') would "
            f"both be stored as '{name}', so the file would be ambiguous. "
            "Give the layers that own them unique names, or save to a "
            "'.weights.h5' or '.keras' file, which store weights by "
            f"position. Received: duplicate name={name!r}"
        )
    return names
