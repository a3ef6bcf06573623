"""Full models in the Keras 2 HDF5 layout (``model.save('m.h5')``).

Layout (tf.keras ``save_model_to_hdf5``): root attributes ``keras_version``,
``backend``, ``model_config`` (JSON) and, for a compiled model,
``training_config`` (JSON: loss, metrics, loss_weights, optimizer_config);
the ``model_weights`` group in the Keras 2 weights layout (``h5_keras2``);
``optimizer_weights`` with the optimizer's variables as tf.keras 2.11+
writes them (``optimizer_io``): ``iteration:0``, then the slots named
``<optimizer>/<slot>/<weight>:0`` in tf.keras's order and Keras layouts.
Functional configs are written with tf.keras 2's ``inbound_nodes`` lists
where every node allows it, so tf.keras can read them; Keras 3 reads
either form.
"""

import json

import h5py

from torchkeras.saving import file_format
from torchkeras.saving import h5_keras2
from torchkeras.saving import model_config
from torchkeras.saving import optimizer_io
from torchkeras.saving.errors import FileFormatError


def _legacy_node(node):
    """A Keras 3 node as tf.keras 2's ``[[layer, node, tensor, kwargs]]``,
    or None when it cannot be expressed so."""
    args = node.get("args", [])
    kwargs = node.get("kwargs", {})
    if len(args) != 1 or "__keras_tensor__" in json.dumps(kwargs):
        return None
    refs = args[0] if isinstance(args[0], list) else [args[0]]
    out = []
    for ref in refs:
        if not (isinstance(ref, dict)
                and ref.get("class_name") == "__keras_tensor__"):
            return None
        name, node_i, tensor_i = ref["config"]["keras_history"]
        out.append([name, node_i, tensor_i, kwargs])
    return out


def _keras2_functional(config):
    from torchkeras.layers.core.tf_op_layer import keras2_entry

    layers = []
    for layer in config.get("layers", []):
        if (layer.get("module") or "").startswith("keras.src.ops") or (
                layer.get("class_name") == "TFOpLambda"):
            legacy = keras2_entry(layer)
            if legacy is None:
                return config
            layers.append(legacy)
            continue
        nodes = [_legacy_node(n) for n in layer.get("inbound_nodes", [])]
        if any(n is None for n in nodes):
            return config
        layers.append(dict(layer, inbound_nodes=nodes))

    def as_lists(refs):
        if refs and not isinstance(refs[0], list):
            return [refs]
        return refs

    if isinstance(config["input_layers"], dict) or isinstance(
            config["output_layers"], dict):
        return config
    return dict(config, layers=layers,
                input_layers=as_lists(config["input_layers"]),
                output_layers=as_lists(config["output_layers"]))


def _keras2_input_layers(config):
    """InputLayer's Keras 3 ``batch_shape`` is tf.keras 2's
    ``batch_input_shape`` (Keras 3 reads both)."""
    if isinstance(config, list):
        return [_keras2_input_layers(c) for c in config]
    if not isinstance(config, dict):
        return config
    out = {k: _keras2_input_layers(v) for k, v in config.items()}
    inner = out.get("config")
    if out.get("class_name") == "InputLayer" and isinstance(inner, dict) and (
            "batch_shape" in inner):
        inner = dict(inner)
        inner["batch_input_shape"] = inner.pop("batch_shape")
        out["config"] = inner
    return out


def model_config_json(model):
    entry = model_config.serialize_model(model, include_compile=False)
    entry.pop("compile_config", None)
    entry.pop("build_config", None)
    if entry["class_name"] == "Functional":
        entry["config"] = _keras2_functional(entry["config"])
    return json.dumps(_keras2_input_layers(entry))


def training_config_json(model):
    config = model_config.compile_config(model)
    if config is None or config.get("optimizer") is None:
        return None
    config = dict(config)
    config["optimizer_config"] = config.pop("optimizer")
    return json.dumps(config)


def save(model, filepath, include_optimizer=True):
    with h5py.File(filepath, "w") as f:
        f.attrs["keras_version"] = h5_keras2.KERAS_VERSION.encode("utf8")
        f.attrs["backend"] = h5_keras2.BACKEND.encode("utf8")
        f.attrs["model_config"] = model_config_json(model).encode("utf8")
        training = training_config_json(model) if include_optimizer else None
        if training is not None:
            f.attrs["training_config"] = training.encode("utf8")
        h5_keras2.write_group(filepath, f.create_group("model_weights"),
                              model)
        opt = optimizer_io.keras_optimizer(model)
        if training is not None and getattr(opt, "built", False):
            h5_keras2.write_optimizer(
                f, *optimizer_io.tf_keras_weights(model, opt))


def _json_attr(filepath, f, name):
    value = f.attrs.get(name)
    if value is None:
        return None
    if hasattr(value, "decode"):
        value = value.decode("utf8")
    try:
        return json.loads(value)
    except ValueError as e:
        raise FileFormatError(
            filepath, f"attribute '{name}' is not valid JSON ({e})."
        ) from None


def is_full_model(filepath):
    with file_format.open_h5(filepath, "a Keras model file") as f:
        return "model_config" in f.attrs


def read(filepath):
    """``(model config, training config, weights, optimizer)``; the
    optimizer is ``(names, arrays)`` of ``optimizer_weights`` or None.

    The weights are read and verified here; nothing is assigned.
    """
    with file_format.open_h5(filepath, "a Keras '.h5' model file") as f:
        config = _json_attr(filepath, f, "model_config")
        if config is None:
            raise FileFormatError(
                filepath,
                "no 'model_config' attribute: this HDF5 file holds weights "
                "only (use `model.load_weights`) or is not a Keras model."
            )
        training = _json_attr(filepath, f, "training_config")
        root = f["model_weights"] if "model_weights" in f else f
        saved = h5_keras2.read_group(filepath, root)
        optimizer_values = h5_keras2.read_optimizer(filepath, f)
    return config, training, saved, optimizer_values
