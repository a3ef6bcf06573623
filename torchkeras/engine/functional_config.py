"""Functional models to and from Keras configs (``get_config``/``from_config``).

Writes Keras 3's format: every layer with ``inbound_nodes`` whose arguments
hold ``{"class_name": "__keras_tensor__", "config": {"keras_history":
[layer, node, tensor]}}`` placeholders, plus ``input_layers`` and
``output_layers``. Reads that and tf.keras 2's format (``inbound_nodes`` as
``[[layer, node, tensor, kwargs], ...]`` lists). Node indices count only the
nodes that belong to the model, as Keras does, so shared layers round-trip.
Classes come from the layer registry and ``custom_objects``; nothing in a
config is executed.
"""

import numpy as np
import torch

from torchkeras.backend.config import standardize_dtype
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.utils import tree

_TENSOR = "__keras_tensor__"


def _kept_node_index(model):
    """{id(node): index among the layer's nodes that are in the model}."""
    kept = {id(n) for n in model._graph.nodes}
    index = {}
    for layer in model._graph.layers:
        i = 0
        for node in layer._inbound_nodes:
            if id(node) in kept:
                index[id(node)] = i
                i += 1
    return index


def _history(tensor, node_index):
    layer, node_i, tensor_i = tensor._keras_history
    node = layer._inbound_nodes[node_i]
    return [layer.name, node_index[id(node)], tensor_i]


def _serialize_arg(value, node_index):
    if isinstance(value, KerasTensor):
        return {"class_name": _TENSOR, "config": {
            "shape": list(value.shape), "dtype": value.dtype,
            "keras_history": _history(value, node_index)}}
    if isinstance(value, (list, tuple)):
        return [_serialize_arg(v, node_index) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_arg(v, node_index) for k, v in value.items()}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {
            "start": value.start, "stop": value.stop, "step": value.step}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, (np.ndarray, torch.Tensor)):
        array = np.asarray(value.detach().cpu() if torch.is_tensor(value)
                           else value)
        return {"class_name": "__numpy__", "config": {
            "value": array.tolist(), "dtype": str(array.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, torch.dtype):
        return standardize_dtype(value)
    return value


def _structure_of(tensors, node_index):
    if isinstance(tensors, KerasTensor):
        return _history(tensors, node_index)
    if isinstance(tensors, dict):
        return {k: _history(v, node_index) for k, v in tensors.items()}
    return [_history(t, node_index) for t in tree.flatten(tensors)]


def functional_config(model):
    """The Keras 3 config of a functional ``model``."""
    from torchkeras.utils.serialization import serialize_keras_object

    node_index = _kept_node_index(model)
    kept = {id(n) for n in model._graph.nodes}
    layers = []
    for layer in model._graph.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in kept or node.is_input:
                continue
            nodes.append({
                "args": _serialize_arg(list(node.call_args), node_index),
                "kwargs": _serialize_arg(node.call_kwargs, node_index),
            })
        entry["inbound_nodes"] = nodes
        layers.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": _structure_of(model._input_structure, node_index),
        "output_layers": _structure_of(model._output_structure, node_index),
    }


def _is_tensor_ref(value):
    return isinstance(value, dict) and value.get("class_name") == _TENSOR


def _tensor_ref(name, node_i, tensor_i):
    return {"class_name": _TENSOR, "config": {
        "keras_history": [name, node_i, tensor_i]}}


def _legacy_refs(value, layer_names):
    """tf.keras 2 op kwargs: ``[layer, node, tensor]`` lists naming a layer
    of the model are tensor references."""
    if isinstance(value, list):
        if (len(value) == 3 and isinstance(value[0], str)
                and value[0] in layer_names and isinstance(value[1], int)
                and isinstance(value[2], int)):
            return _tensor_ref(*value)
        return [_legacy_refs(v, layer_names) for v in value]
    if isinstance(value, dict):
        return {k: _legacy_refs(v, layer_names) for k, v in value.items()}
    return value


def _legacy_node(node_data, layer_names=None):
    """tf.keras 2 ``[[name, node, tensor, kwargs], ...]`` -> args/kwargs.

    With ``layer_names`` (a ``TFOpLambda``'s node), tensor references in the
    kwargs are resolved and ``_CONSTANT_VALUE`` first arguments kept."""
    refs = []
    kwargs = {}
    for item in node_data:
        name, node_i, tensor_i = item[0], item[1], item[2]
        if len(item) > 3 and item[3]:
            kwargs.update(item[3])
        if name == "_CONSTANT_VALUE" and node_i == -1:
            refs.append(tensor_i)
        else:
            refs.append(_tensor_ref(name, node_i, tensor_i))
    if layer_names is not None:
        kwargs = _legacy_refs(kwargs, layer_names)
    args = [refs[0] if len(refs) == 1 else refs]
    return {"args": args, "kwargs": kwargs}


_SPECIAL = {
    "__slice__": lambda c: slice(c["start"], c["stop"], c["step"]),
    "__ellipsis__": lambda c: Ellipsis,
    "__numpy__": lambda c: np.asarray(c["value"], dtype=c["dtype"]),
    "__tensor__": lambda c: np.asarray(c["value"], dtype=c["dtype"]),
    "__bytes__": lambda c: c["value"].encode("utf-8"),
}


class _Resolver:
    def __init__(self, created):
        self.created = created

    def tensor(self, history):
        name, node_i, tensor_i = history[:3]
        layer = self.created.get(name)
        if layer is None:
            raise KeyError(name)
        nodes = getattr(layer, "_config_nodes", [])
        if node_i >= len(nodes):
            raise KeyError(name)
        return nodes[node_i][tensor_i]

    def value(self, arg):
        if _is_tensor_ref(arg):
            return self.tensor(arg["config"]["keras_history"])
        if isinstance(arg, dict) and arg.get("class_name") in _SPECIAL:
            return _SPECIAL[arg["class_name"]](arg["config"])
        if isinstance(arg, list):
            return [self.value(v) for v in arg]
        if isinstance(arg, dict):
            return {k: self.value(v) for k, v in arg.items()}
        return arg


def _call_node(layer, node, resolver):
    args = resolver.value(node["args"])
    kwargs = resolver.value(node.get("kwargs", {}))
    outputs = layer(*args, **kwargs)
    flat = [t for t in tree.flatten(outputs) if isinstance(t, KerasTensor)]
    layer.__dict__.setdefault("_config_nodes", []).append(flat)


def functional_from_config(cls, config, custom_objects=None):
    """Rebuilds a functional model from its Keras (3 or 2) config."""
    from torchkeras.layers import deserialize
    from torchkeras.layers.core.input_layer import InputLayer

    created = {}
    pending = []
    layer_names = {c.get("name") or c["config"]["name"]
                   for c in config["layers"]}
    for layer_config in config["layers"]:
        layer = deserialize(layer_config, custom_objects=custom_objects)
        name = layer_config.get("name") or layer_config["config"]["name"]
        created[name] = layer
        layer.__dict__["_config_nodes"] = []
        if isinstance(layer, InputLayer):
            layer.__dict__["_config_nodes"] = [[layer.output]]
        for node in layer_config.get("inbound_nodes", []):
            if isinstance(node, list):
                node = _legacy_node(node, layer_names if layer_config.get(
                    "class_name") in ("TFOpLambda", "SlicingOpLambda")
                    else None)
            pending.append((layer, node))
    resolver = _Resolver(created)
    while pending:
        progressed = []
        for layer, node in pending:
            try:
                _call_node(layer, node, resolver)
            except KeyError:
                progressed.append((layer, node))
        if len(progressed) == len(pending):
            names = sorted({layer.name for layer, _ in progressed})
            raise ValueError(
                f"Model config '{config.get('name')}' cannot be rebuilt: "
                f"the inputs of layer(s) {names} are never produced."
            )
        pending = progressed

    def outputs_of(structure):
        if isinstance(structure, dict):
            return {k: resolver.tensor(v) for k, v in structure.items()}
        if structure and not isinstance(structure[0], (list, tuple)):
            return resolver.tensor(structure)
        items = [resolver.tensor(s) for s in structure]
        return items

    inputs = outputs_of(config["input_layers"])
    outputs = outputs_of(config["output_layers"])
    if isinstance(inputs, list) and len(inputs) == 1 and isinstance(
            config["input_layers"][0], (list, tuple)) and len(
                config["input_layers"]) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1 and len(
            config["output_layers"]) == 1 and isinstance(
                config["output_layers"][0], (list, tuple)):
        outputs = outputs[0]
    for layer in created.values():
        layer.__dict__.pop("_config_nodes", None)
    model = cls(inputs=inputs, outputs=outputs, name=config.get("name"))
    if config.get("trainable") is False:
        model.trainable = False
    return model
