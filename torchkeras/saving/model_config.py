"""Model configs in files: serializing, rebuilding, compile configs, JSON.

``serialize_model`` writes Keras 3's top-level entry (``module``,
``class_name``, ``config``, ``registered_name``, ``build_config``,
``compile_config``) and annotates every nested object with the ``module`` /
``registered_name`` keys Keras 3 needs to find built-ins. ``deserialize_model``
rebuilds from a Keras 3 or tf.keras 2 config: functional and Sequential
models from the layer registry, subclassed ones from ``custom_objects`` or
``register_keras_serializable``. Classes are looked up, never imported by a
module name read from the file, and no code in a file is run.
"""

import json
import warnings

from torchkeras.saving import legacy
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import SavingError
from torchkeras.utils import safe_mode as safe_mode_lib
from torchkeras.utils import serialization

_KERAS_MODULES = (
    ("layers", "keras.layers"),
    ("initializers", "keras.initializers"),
    ("regularizers", "keras.regularizers"),
    ("constraints", "keras.constraints"),
    ("optimizers", "keras.optimizers"),
    ("losses", "keras.losses"),
    ("metrics", "keras.metrics"),
)
_MODEL_MODULES = {"Functional": "keras.src.models.functional",
                  "Sequential": "keras", "Model": "keras"}


def _builtin_module(class_name):
    import importlib

    if class_name in _MODEL_MODULES:
        return _MODEL_MODULES[class_name]
    for package, keras_module in _KERAS_MODULES:
        module = importlib.import_module(f"torchkeras.{package}")
        if isinstance(getattr(module, class_name, None), type):
            return keras_module
    return None


def annotate(config):
    """Adds Keras 3's ``module``/``registered_name`` keys where missing."""
    if isinstance(config, list):
        return [annotate(c) for c in config]
    if not isinstance(config, dict):
        return config
    out = {k: annotate(v) for k, v in config.items()}
    name = out.get("class_name")
    if (not isinstance(name, str) or "config" not in out
            or name.startswith("__") or "module" in out):
        return out
    registered = serialization.get_registered_object(name)
    if ">" in name or (registered is not None
                       and name in serialization.get_custom_objects()):
        out["module"] = getattr(registered, "__module__", None)
        out["registered_name"] = name
        return out
    module = _builtin_module(name)
    out["module"] = module
    out["registered_name"] = "Functional" if name == "Functional" else (
        None if module else name)
    return out


def model_class_name(model):
    if getattr(model, "_is_graph_network", False) and type(
            model).__name__ in ("Model", "Functional"):
        return "Functional"
    return serialization.get_registered_name(type(model))


def build_config(model):
    shape = getattr(model, "_build_input_shape", None)
    if shape is not None:
        shape = _listify(shape)
    return {"input_shape": shape}


def _listify(value):
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    return value


def _serialize_spec(spec):
    """Loss/metric specs: names stay, objects become configs."""
    if spec is None or isinstance(spec, (str, int, float, bool)):
        return spec
    if isinstance(spec, dict):
        return {k: _serialize_spec(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_serialize_spec(v) for v in spec]
    return serialization.serialize_keras_object(spec)


def compile_config(model):
    """Keras 3's ``compile_config``, or None if the model is not compiled."""
    if not getattr(model, "compiled", False):
        return None
    getter = getattr(model, "get_compile_config", None)
    if getter is not None:
        return getter()
    from torchkeras import optimizers

    opt = model.optimizer
    opt_config = optimizers.serialize(opt) if isinstance(
        opt, optimizers.Optimizer) else None
    closs = getattr(model, "compiled_loss", None)
    cmetrics = getattr(model, "compiled_metrics", None)
    return {
        "optimizer": opt_config,
        "loss": _serialize_spec(model.loss),
        "loss_weights": _serialize_spec(getattr(closs, "_weights_spec",
                                                None)),
        "metrics": _serialize_spec(getattr(cmetrics, "_metrics_spec", None)),
        "weighted_metrics": _serialize_spec(
            getattr(cmetrics, "_weighted_spec", None)),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def serialize_model(model, include_compile=True):
    """The Keras 3 ``config.json`` entry for ``model``."""
    name = model_class_name(model)
    entry = {"class_name": name, "config": model.get_config()}
    entry = annotate(entry)
    entry["build_config"] = build_config(model)
    if include_compile:
        entry["compile_config"] = annotate(compile_config(model))
    return entry


def _deserialize_spec(spec, module, custom_objects):
    if isinstance(spec, dict) and "class_name" in spec:
        return module.deserialize(spec, custom_objects=custom_objects)
    if isinstance(spec, dict):
        return {k: _deserialize_spec(v, module, custom_objects)
                for k, v in spec.items()}
    if isinstance(spec, list):
        return [_deserialize_spec(v, module, custom_objects) for v in spec]
    return spec


def _builtin_optimizer(config):
    """tf.keras 2.11+ writes built-in optimizers as ``Custom>Adam``."""
    from torchkeras import optimizers

    if not isinstance(config, dict):
        return config
    name = config.get("class_name", "")
    if isinstance(name, str) and name.startswith("Custom>") and (
            name.split(">", 1)[1].lower() in optimizers.ALL_OBJECTS_DICT):
        config = dict(config, class_name=name.split(">", 1)[1])
        config.pop("registered_name", None)
    return config


def compile_from_config(filepath, model, config, custom_objects=None):
    """Compiles ``model`` as ``config`` (Keras 3 or tf.keras 2) says.

    A part that cannot be rebuilt (an unregistered custom loss) leaves the
    model uncompiled with a warning, as Keras does.
    """
    from torchkeras import losses
    from torchkeras import metrics
    from torchkeras import optimizers

    if not config:
        return
    opt = _builtin_optimizer(config.get("optimizer",
                                        config.get("optimizer_config")))
    try:
        kwargs = {
            "optimizer": optimizers.deserialize(
                opt, custom_objects=custom_objects) if opt else "rmsprop",
            "loss": _deserialize_spec(config.get("loss"), losses,
                                      custom_objects),
            "metrics": _deserialize_spec(config.get("metrics"), metrics,
                                         custom_objects),
            "weighted_metrics": _deserialize_spec(
                config.get("weighted_metrics"), metrics, custom_objects),
            "loss_weights": config.get("loss_weights"),
        }
        model.compile(**kwargs)
    except (ValueError, TypeError, KeyError) as e:
        warnings.warn(
            f"File '{filepath}': the model was loaded but not compiled: its "
            f"compile config cannot be rebuilt ({e}). Compile it yourself.",
            stacklevel=3,
        )


def _build(filepath, model, entry):
    if getattr(model, "built", False):
        return
    shape = (entry.get("build_config") or {}).get("input_shape")
    if shape is None:
        return
    try:
        model.build(_tupleize(shape))
    except (ValueError, TypeError) as e:
        raise FileFormatError(
            filepath,
            f"model '{model.name}' cannot be built from its build_config "
            f"(input_shape={shape}): {e}"
        ) from e


def _tupleize(shape):
    if isinstance(shape, dict):
        return {k: _tupleize(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0],
                                                        (list, dict)):
        return [_tupleize(s) for s in shape]
    return tuple(shape)


def deserialize_model(filepath, entry, custom_objects=None, safe_mode=True):
    """Rebuilds a model from its top-level config entry.

    Raises:
        FileFormatError: when the config names an unknown class or cannot
            be rebuilt (the message names the file and the class).
        UnsafeFileError: for a Lambda layer under ``safe_mode``.
    """
    from torchkeras import layers

    if not isinstance(entry, dict) or "class_name" not in entry or (
            not isinstance(entry.get("config"), dict)):
        raise FileFormatError(
            filepath,
            "the model config should be a dict with 'class_name' and "
            f"'config'. Received: {str(entry)[:200]}"
        )
    safe_mode = safe_mode_lib.resolve(safe_mode)
    entry = legacy.sanitize_config(filepath, entry, custom_objects,
                                   safe_mode)
    if entry["class_name"] == "Model" and "layers" not in entry["config"]:
        entry["class_name"] = entry.get("registered_name") or "Model"
    try:
        with serialization.custom_object_scope(custom_objects or {}), \
                safe_mode_lib.safe_mode_scope(safe_mode):
            model = layers.deserialize(
                {k: entry[k] for k in ("class_name", "config",
                                       "registered_name") if k in entry},
                custom_objects=custom_objects)
    except SavingError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError,
            IndexError, NotImplementedError) as e:
        raise FileFormatError(
            filepath,
            f"cannot rebuild the model (class '{entry['class_name']}', "
            f"module '{entry.get('module')}') from its config: {e}"
        ) from e
    _build(filepath, model, entry)
    return model


def model_to_json(model, **kwargs):
    """The model's Keras 3 config as a JSON string (``Model.to_json``)."""
    entry = serialize_model(model, include_compile=False)
    entry.pop("compile_config", None)
    return json.dumps(entry, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """Rebuilds a model (without weights) from ``model_to_json``'s output,
    or from a tf.keras 2 ``to_json`` string."""
    try:
        entry = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`model_from_json` expects a JSON string. Received: "
            f"json_string={str(json_string)[:80]!r} ({e})"
        ) from None
    return deserialize_model("<json string>", entry, custom_objects,
                             safe_mode=True)
