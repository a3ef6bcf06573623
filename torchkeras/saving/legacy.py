"""What older Keras files need that Keras 3 dropped.

Weights (tf.keras ``hdf5_format.preprocess_weights_for_loading``):
- CuDNNLSTM -> LSTM: input and recurrent biases ``(8u,)`` summed to
  ``(4u,)``, kernels re-laid per gate as cuDNN stored them.
- CuDNNGRU -> GRU(reset_after=True): the same kernel re-lay, biases
  ``(6u,)`` -> ``(2, 3u)``; GRU(reset_after=True) files into
  reset_after=False layers (and back) are refused, as tf.keras does.
- Bidirectional, TimeDistributed and nested models are converted part by
  part.

Configs: ``sanitize_config`` walks a model config and
- renames ``CuDNNGRU``/``CuDNNLSTM`` to ``GRU``/``LSTM`` with the cuDNN
  activations;
- drops removed keywords (``time_major``, ``implementation``, ``groups`` on
  DepthwiseConv2D, ...) and Keras 3 keywords at their inert defaults
  (``quantization_config=None``, ``renorm=False``, ...) when the class here
  does not take them;
- refuses stored bytecode (a ``Lambda``'s Python lambda) under
  ``safe_mode=True``, looking at the values rather than the class named,
  so no spelling of the class (``registered_name``, ``module``,
  ``custom_objects``) gets one past;
- finds each entry's class exactly as the deserializer will
  (``serialization.resolve_class``), so keywords are dropped for the class
  really built.
"""

import functools
import inspect

import numpy as np

from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import UnsafeFileError
from torchkeras.saving.errors import WeightMismatchError
from torchkeras.utils import safe_mode as safe_mode_lib
from torchkeras.utils import serialization

# Keywords older Keras versions wrote that mean nothing here.
REMOVED_KEYWORDS = frozenset({
    "time_major", "implementation", "groups", "autocast", "dynamic",
    "experimental_autocast", "ragged", "sparse", "batch_input_shape",
    "input_dim", "input_length", "reset_after", "module", "function_type",
    "output_shape_type", "output_shape_module",
})

# Keras 3 keywords dropped only at these values (other values change the
# computation, so the class's own error must surface).
INERT_KEYWORDS = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None,
    "lora_enabled": False, "synchronized": False, "renorm": False,
    "renorm_clipping": None, "renorm_momentum": 0.99, "optional": False,
    "seed": None, "input_axes": None, "output_axes": None,
    "use_cudnn": "auto", "zero_output_for_mask": False,
    "noise_shape": None,
}

_BASE_KEYWORDS = frozenset({
    "name", "trainable", "dtype", "input_shape", "batch_input_shape",
    "batch_size", "input_dim", "input_length", "weights",
    "activity_regularizer", "autocast", "dynamic",
})

_CUDNN = {
    "CuDNNGRU": ("GRU", {"reset_after": True}),
    "CuDNNLSTM": ("LSTM", {}),
}


# ----------------------------------------------------------------------
# Weights.


def _per_gate(kernel, fn, gates):
    return np.hstack([fn(k) for k in np.hsplit(kernel, gates)])


def _input_kernel(from_cudnn):
    order = "F" if from_cudnn else "C"
    return lambda k: k.T.reshape(k.shape, order=order)


def _convert_lstm(filepath, layer, arrays):
    units = arrays[1].shape[0]
    bias = arrays[2]
    if bias.shape == (units * 4,):
        return arrays
    if bias.shape != (units * 8,):
        raise WeightMismatchError(
            filepath,
            f"LSTM layer '{layer.name}': invalid bias shape "
            f"{bias.shape} for {units} units."
        )
    kernel = _per_gate(arrays[0], _input_kernel(True), 4)
    recurrent = _per_gate(arrays[1], lambda k: k.T, 4)
    return [kernel, recurrent, np.sum(np.split(bias, 2), axis=0)]


def _gru_source(filepath, layer, units, shape):
    if shape == (units * 6,):
        return "CuDNNGRU"
    if shape == (2, units * 3):
        return "GRU(reset_after=True)"
    if shape == (units * 3,):
        return "GRU(reset_after=False)"
    raise WeightMismatchError(
        filepath,
        f"GRU layer '{layer.name}': invalid bias shape {shape} for "
        f"{units} units."
    )


def _convert_gru(filepath, layer, arrays):
    units = arrays[1].shape[0]
    source = _gru_source(filepath, layer, units, arrays[2].shape)
    target = ("GRU(reset_after=True)" if getattr(layer, "reset_after", True)
              else "GRU(reset_after=False)")
    if source == target:
        return arrays
    if "GRU(reset_after=False)" in (source, target):
        raise WeightMismatchError(
            filepath,
            f"GRU layer '{layer.name}': weights saved from a {source} layer "
            f"are not compatible with a {target} layer. Build the layer "
            f"with the matching `reset_after`."
        )
    kernel = _per_gate(arrays[0], _input_kernel(True), 3)
    recurrent = _per_gate(arrays[1], lambda k: k.T, 3)
    return [kernel, recurrent, np.asarray(arrays[2]).reshape((2, -1))]


def _convert_nested_model(filepath, model, arrays):
    from torchkeras.saving import weight_paths

    sublayers = [s for s in weight_paths.keras2_layers(model)]
    trainable, rest = [], list(arrays)
    for sub in sublayers:
        n = len(weight_paths.tf_trainable(sub))
        if n:
            trainable += convert_weights(filepath, sub, rest[:n])
            rest = rest[n:]
    non_trainable = []
    for sub in sublayers:
        n = len(weight_paths.tf_non_trainable(sub))
        if n:
            non_trainable += rest[:n]
            rest = rest[n:]
    return trainable + non_trainable + rest


def convert_weights(filepath, layer, arrays):
    """Arrays from a Keras 2 file converted for ``layer`` (tf.keras rules)."""
    arrays = list(arrays)
    name = type(layer).__name__
    if name == "Bidirectional" and hasattr(layer, "forward_layer"):
        half = len(arrays) // 2
        return (convert_weights(filepath, layer.forward_layer,
                                arrays[:half])
                + convert_weights(filepath, layer.backward_layer,
                                  arrays[half:]))
    if name == "TimeDistributed" and hasattr(layer, "layer"):
        return convert_weights(filepath, layer.layer, arrays)
    if name in ("Model", "Functional", "Sequential") or getattr(
            layer, "_is_graph_network", False):
        return _convert_nested_model(filepath, layer, arrays)
    if name == "LSTM" and len(arrays) == 3:
        return _convert_lstm(filepath, layer, arrays)
    if name == "GRU" and len(arrays) == 3:
        return _convert_gru(filepath, layer, arrays)
    return arrays


# ----------------------------------------------------------------------
# Configs.


def _accepted_keywords(cls):
    """Names ``cls(**config)`` takes, following ``**kwargs`` up the MRO."""
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            return None
        names.update(p for p, v in params.items()
                     if v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL))
        if not any(v.kind == v.VAR_KEYWORD for v in params.values()):
            return names
        if klass.__name__ == "Layer":
            return names | _BASE_KEYWORDS
    return None


@functools.lru_cache(maxsize=1)
def _config_classes():
    """Classes a config entry may name without ``custom_objects``: layers,
    then initializers, regularizers and constraints (the first wins)."""
    from torchkeras import constraints
    from torchkeras import initializers
    from torchkeras import layers
    from torchkeras import regularizers

    table = {}
    for module in (constraints, regularizers, initializers, layers):
        table.update((k, v) for k, v in vars(module).items()
                     if isinstance(v, type))
    return table


def _check_names(filepath, entry, parts):
    for key in ("class_name", "registered_name", "module"):
        value = entry.get(key)
        if not isinstance(value, str) and not (value is None
                                               and key != "class_name"):
            raise FileFormatError(
                filepath, "the config entry at "
                f"`{serialization.config_path(parts)}` is malformed: `{key}` "
                f"should be a string. Received: {key}={str(value)[:80]!r}")


def _find_class(filepath, entry, custom_objects, parts):
    """The class ``entry`` will be built as, found as the deserializer
    finds it (``registered_name``, then ``class_name``), or None."""
    _check_names(filepath, entry, parts)
    module = entry.get("module")
    if module is not None and module.startswith("keras.src.ops"):
        return None  # a recorded op (``layers.deserialize``): no keywords
    found = serialization.resolve_class(entry, custom_objects,
                                        _config_classes())
    return found if isinstance(found, type) else None


def _drop_keywords(cls, config):
    accepted = _accepted_keywords(cls)
    if accepted is None:
        return config
    out = {}
    for key, value in config.items():
        if key not in accepted and (
                key in REMOVED_KEYWORDS
                or (key in INERT_KEYWORDS and value == INERT_KEYWORDS[key])):
            continue
        out[key] = value
    return out


def _is_lambda(cls):
    from torchkeras.layers.core.lambda_layer import Lambda

    return isinstance(cls, type) and issubclass(cls, Lambda)


def _check_bytecode(filepath, entry, cls, parts, safe_mode):
    """Refuses stored bytecode under ``safe_mode``, whatever class the
    entry names or resolves to (``class_name``, ``registered_name``,
    ``module``, ``custom_objects``): only the values are looked at."""
    if not safe_mode:
        return
    inner = entry.get("config")
    key = safe_mode_lib.stored_bytecode(inner)
    if key is None and entry.get("class_name") != "__lambda__":
        return
    name = inner.get("name", "?") if isinstance(inner, dict) else "?"
    kind = "a Lambda layer" if _is_lambda(cls) else (
        f"an entry of class_name '{str(entry.get('class_name'))[:80]}'"
        + (f" (resolved to {cls.__name__})" if cls is not None else ""))
    where = f"its `{key}`" if key else (
        f"`{serialization.config_path(parts)}`")
    raise UnsafeFileError(
        filepath,
        f"the model contains {kind} ('{name}') storing Python bytecode in "
        f"{where}. Loading a Lambda layer from a file can run code stored "
        "in the file (a Python lambda is stored as bytecode), so it is "
        "refused under safe_mode=True. If you trust this file, load it "
        "with safe_mode=False (or call "
        "`keras.config.enable_unsafe_deserialization()`); a named function "
        "must also be passed in custom_objects. Received: safe_mode=True"
    )


# tf.keras 2 wrote these next to a Lambda's functions; Lambda.from_config
# reads them (``lambda`` means bytecode, ``raw`` a plain output shape).
_LAMBDA_KEYS = ("function_type", "module", "output_shape_type",
                "output_shape_module", "mask_type", "mask_module")


def sanitize_config(filepath, config, custom_objects=None, safe_mode=True):
    """A copy of a serialized object config ready for ``deserialize``.

    Raises:
        UnsafeFileError: for stored bytecode (a Lambda layer's lambda)
            under ``safe_mode``, whatever class names it.
        FileFormatError: for an entry whose ``class_name`` or
            ``registered_name`` is not a string, naming its JSON path.
    """
    return _sanitize(filepath, config, custom_objects, safe_mode, ())


def _sanitize(filepath, config, custom_objects, safe_mode, parts):
    if isinstance(config, list):
        return [_sanitize(filepath, c, custom_objects, safe_mode,
                          parts + (i,)) for i, c in enumerate(config)]
    if not isinstance(config, dict):
        return config
    is_entry = "class_name" in config and isinstance(config.get("config"),
                                                     dict)
    cls = None
    if is_entry:
        cls = _find_class(filepath, config, custom_objects, parts)
        _check_bytecode(filepath, config, cls, parts, safe_mode)
    out = {k: _sanitize(filepath, v, custom_objects, safe_mode,
                        parts + (k,)) for k, v in config.items()}
    if not is_entry:
        return out
    if out["class_name"] in _CUDNN:
        new_name, extra = _CUDNN[out["class_name"]]
        inner = dict(out["config"])
        inner.update(extra, activation="tanh",
                     recurrent_activation="sigmoid")
        out["class_name"], out["config"] = new_name, inner
        out.pop("registered_name", None)
        cls = _find_class(filepath, out, custom_objects, parts)
    if cls is not None:
        kept = {k: out["config"][k] for k in _LAMBDA_KEYS
                if k in out["config"]} if _is_lambda(cls) else {}
        out["config"] = dict(_drop_keywords(cls, out["config"]), **kept)
    return out
