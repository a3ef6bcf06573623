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
either form. We add ``torchkeras_config_sha256`` (the SHA-256 of each
config attribute, which Keras ignores), so a damaged config is an
``IntegrityError`` rather than a different model.

``load`` reads in the order that bounds each step by the one before
(structure, configs, the rebuilt model, declared shapes, values) and
assigns only once everything is read and matched.
"""

import hashlib
import json

import h5py
import numpy as np

from torchkeras.saving import file_format
from torchkeras.saving import h5_keras2
from torchkeras.saving import model_config
from torchkeras.saving import optimizer_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import IntegrityError

# Root attribute: {attribute name: sha256} of the JSON configs, as the
# datasets carry theirs (Keras ignores it; its own files have none).
CONFIG_DIGESTS = "torchkeras_config_sha256"
# A rebuilt model may allocate this much per byte of the file (its
# weights, plus what building needs), and this much more in any case.
REBUILD_BYTES_PER_FILE_BYTE = 4
REBUILD_FLOOR = 64 << 20


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
        configs = {"model_config": model_config_json(model).encode("utf8")}
        training = training_config_json(model) if include_optimizer else None
        if training is not None:
            configs["training_config"] = training.encode("utf8")
        for name, data in configs.items():
            f.attrs[name] = data
        f.attrs[CONFIG_DIGESTS] = json.dumps(
            {name: hashlib.sha256(data).hexdigest()
             for name, data in configs.items()})
        h5_keras2.write_group(filepath, f.create_group("model_weights"),
                              model)
        opt = optimizer_io.keras_optimizer(model)
        if training is not None and getattr(opt, "built", False):
            h5_keras2.write_optimizer(
                f, *optimizer_io.tf_keras_weights(model, opt))


# ----------------------------------------------------------------------
# Loading.


def _text(filepath, value, name):
    """An attribute's value as bytes of text (h5py gives bytes, str or a
    0-d array of either)."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, str):
        return value.encode("utf8", "surrogateescape")
    if isinstance(value, bytes):
        return value
    raise FileFormatError(
        filepath, f"attribute '{name}' should be a JSON string, but it is "
                  f"{type(value).__name__} {np.shape(value)} (damaged).")


def _digests(filepath, f):
    """{attribute: sha256} written by ``save`` (none in Keras's files)."""
    value = file_format.attribute(filepath, f, CONFIG_DIGESTS)
    if value is None:
        return {}
    try:
        digests = json.loads(_text(filepath, value, CONFIG_DIGESTS))
    except (ValueError, RecursionError):
        digests = None
    if not isinstance(digests, dict) or not all(
            isinstance(v, str) for v in digests.values()):
        raise FileFormatError(
            filepath, f"attribute '{CONFIG_DIGESTS}' is damaged.")
    return digests


def _json_attr(filepath, f, name, digests=None):
    """The JSON value of attribute ``name``, its checksum verified, bounded
    by ``model_config.parse_config``; None when absent."""
    value = file_format.attribute(filepath, f, name)
    if value is None:
        return None
    data = _text(filepath, value, name)
    expected = (digests or {}).get(name)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise IntegrityError(
            filepath,
            f"checksum mismatch for attribute '{name}': it was changed "
            "after it was written. The file is corrupt."
        )
    config = model_config.parse_config(filepath, data,
                                       where=f"attribute '{name}'")
    if not isinstance(config, dict):
        raise FileFormatError(
            filepath, f"attribute '{name}' should be a JSON object, but "
                      f"it is a {type(config).__name__}.")
    return config


def is_full_model(filepath):
    with file_format.open_h5(filepath, "a Keras model file") as f:
        return "model_config" in f.attrs


def _configs(filepath, f):
    digests = _digests(filepath, f)
    missing = sorted(name for name in digests if name not in f.attrs)
    if missing:
        raise IntegrityError(
            filepath, f"attribute(s) {missing} were written with this file "
            "(they have checksums) but are gone: the file is corrupt.")
    config = _json_attr(filepath, f, "model_config", digests)
    if config is None:
        raise FileFormatError(
            filepath,
            "no 'model_config' attribute: this HDF5 file holds weights "
            "only (use `model.load_weights`) or is not a Keras model."
        )
    return config, _json_attr(filepath, f, "training_config", digests)


def _weights_root(filepath, f):
    """``model_weights``, once the root is known to hold nothing else
    than it and ``optimizer_weights`` (as tf.keras writes it: a name
    changed by damage would silently drop the optimizer's state)."""
    unknown = sorted(set(f.keys()) - {"model_weights", "optimizer_weights"})
    if unknown:
        raise FileFormatError(
            filepath, f"the file holds {unknown[:10]} besides "
            "'model_weights' and 'optimizer_weights': damaged or not a "
            "Keras model file.")
    root = file_format.find(filepath, f, "model_weights", h5py.Group)
    if root is None:
        raise FileFormatError(
            filepath, "the file has no 'model_weights' group (damaged).")
    return root


def read(filepath):
    """``(model config, training config, weights, optimizer)``; the
    optimizer is ``(names, arrays)`` of ``optimizer_weights`` or None.

    The weights are read and verified here (each dataset's declaration
    checked against the file first); nothing is assigned. ``load`` also
    compares them with the rebuilt model before reading them.
    """
    with file_format.open_h5(filepath, "a Keras '.h5' model file") as f:
        config, training = _configs(filepath, f)
        saved = h5_keras2.read_group(filepath, _weights_root(filepath, f))
        optimizer_values = h5_keras2.read_optimizer(filepath, f)
    return config, training, saved, optimizer_values


def load(filepath, custom_objects=None, compile=True, safe_mode=True):
    """``models.load_model`` of a ``.h5`` model file.

    In order, each step bounded by the one before: the file's structure
    (``file_format.open_h5``), the configs (checksums, bounds), the model
    rebuilt (its allocations bounded by what the file can hold) and
    compiled, every dataset's declared shape compared with the weight it
    will fill, the values read and matched, the optimizer's state
    prepared, and only then everything assigned. A failure leaves the
    process's global state as it was.
    """
    with model_config.state_restored_on_failure(), \
            file_format.open_h5(filepath, "a Keras '.h5' model file") as f:
        config, training = _configs(filepath, f)
        model = model_config.deserialize_model(
            filepath, config, custom_objects, safe_mode,
            where="attribute 'model_config'",
            max_weight_bytes=REBUILD_BYTES_PER_FILE_BYTE
            * f.id.get_filesize() + REBUILD_FLOOR)
        if compile and training:
            model_config.compile_from_config(filepath, model, training,
                                             custom_objects)
        saved = h5_keras2.read_group(filepath, _weights_root(filepath, f),
                                     model)
        optimizer_values = None
        if compile:
            optimizer_values = h5_keras2.read_optimizer(filepath, f, model)
        items = h5_keras2.match(filepath, model, saved)
        restore_optimizer = None
        if optimizer_values is not None:
            restore_optimizer = optimizer_io.prepare_h5(
                filepath, model, *optimizer_values)
    weight_paths.assign_all(filepath, items)
    if restore_optimizer is not None:
        restore_optimizer()
    return model
