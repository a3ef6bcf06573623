"""TFOpLambda: one recorded op call inside a functional graph.

``keras.ops.mean(x)``, ``K.square(x)`` or ``x + 1`` on a KerasTensor records
a ``TFOpLambda`` node (``torchkeras.ops.dispatch``): the layer holds the op's
name and its constant arguments; the node holds the tensor arguments. Run
eagerly, it calls the op's torch function, nothing more.

Its config speaks both file dialects, and both read back:

- Keras 3: the operation class Keras 3 writes (``{"class_name": "Mean",
  "module": "keras.src.ops.numpy", "config": {"name": ..., "axis": -1}}``);
- tf.keras 2: ``{"class_name": "TFOpLambda", "config": {"name":
  "tf.math.reduce_mean", "function": "math.reduce_mean"}}`` with the other
  arguments in the inbound node (``to_keras2_config``).

An op with neither (a torchkeras-only op) is written as ``TFOpLambda`` whose
``function`` is its registry name.
"""

import numpy as np
import torch

from torchkeras.backend import global_state
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.graph.node import Node
from torchkeras.layers.layer import Layer
from torchkeras.ops import dispatch
from torchkeras.utils import tree


def _to_config_value(value):
    """Constant arguments as JSON values (dtypes by name, arrays listed)."""
    if isinstance(value, torch.dtype):
        from torchkeras.backend.config import standardize_dtype

        return standardize_dtype(value)
    if isinstance(value, (np.ndarray, torch.Tensor)):
        array = np.asarray(value.detach().cpu() if torch.is_tensor(value)
                           else value)
        return {"class_name": "__numpy__",
                "config": {"value": array.tolist(),
                           "dtype": str(array.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return [_to_config_value(v) for v in value]
    if isinstance(value, list):
        return [_to_config_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_config_value(v) for k, v in value.items()}
    return value


class TFOpLambda(Layer):
    """Runs the registered op ``function`` with constant ``arguments``.

    Args:
        function: the op's registry name, Keras 3 class name or TensorFlow
            function name (``"mean"``, ``"Mean"``, ``"math.reduce_mean"``).
        arguments: the op's constant (non-tensor) arguments, by name.
    """

    _accepts_string_inputs = True

    def __init__(self, function, arguments=None, **kwargs):
        spec = dispatch.get_spec(function)
        if spec is None:
            raise ValueError(
                f"Unknown op in a functional model: no op is registered as "
                f"'{function}'. Expected a keras.ops, keras.backend or tf "
                f"function name. Received: function={function!r}")
        if kwargs.get("name") is None:
            kwargs["name"] = global_state.unique_name(
                spec.name.rsplit(".", 1)[-1])
        super().__init__(**kwargs)
        self.function = spec.name
        self._spec = spec
        self._tf_dialect = (function == spec.tf_name
                            and function not in dispatch._BY_NAME)
        self.arguments = dict(arguments or {})
        self.built = True

    def __call__(self, *args, **kwargs):
        if dispatch.any_symbolic(*args, **kwargs):
            return self._record(args, kwargs)
        if kwargs and (self._tf_dialect or not kwargs.keys() <= set(
                self._spec.params)):
            # tf.keras 2 names: a TF name that is also a registry name
            # ("reshape", "cast") shows itself by its argument names.
            kwargs = _from_tf_slices(self._spec.from_tf_kwargs(kwargs))
        out = self._spec.fn(*args, **kwargs, **self.arguments)
        mask = _first_mask(args)
        if mask is not None and torch.is_tensor(out) and (
                tuple(out.shape[:mask.ndim]) == tuple(mask.shape)):
            out._keras_mask = mask
        return out

    def _record(self, args, kwargs):
        from torchkeras.layers.shape_inference import infer_output_spec

        if not args:
            raise TypeError(
                f"Op '{self.function}' needs its first argument "
                f"positionally. Received: kwargs={sorted(kwargs)}")
        outputs = infer_output_spec(self, args, kwargs)
        for t in tree.flatten(outputs):
            if isinstance(t, KerasTensor):
                t.name = self.name
        Node(self, args, kwargs, outputs)
        return outputs

    def call(self, *args, **kwargs):
        return self._spec.fn(*args, **kwargs, **self.arguments)

    def get_config(self):
        keras3 = self._spec.keras3
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": self.dtype}
        if keras3 is not None:
            config = {"name": self.name}
            config.update(_to_config_value(self.arguments))
            return config
        config["function"] = self.function
        if self.arguments:
            config["arguments"] = _to_config_value(self.arguments)
        return config

    def serialized_class_name(self):
        """The class name files carry: Keras 3's op class or TFOpLambda."""
        keras3 = self._spec.keras3
        return keras3[0] if keras3 is not None else "TFOpLambda"

    def serialized_module(self):
        keras3 = self._spec.keras3
        return ("keras.src.ops." + keras3[1]) if keras3 is not None else (
            "keras.layers")

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        function = config.pop("function")
        return cls(function, arguments=_from_config_value(
            config.pop("arguments", None)), **_layer_kwargs(config))

    @classmethod
    def from_keras3_config(cls, class_name, config):
        """A layer for Keras 3's serialized op class ``class_name``."""
        spec = dispatch.get_spec(class_name)
        if spec is None:
            raise ValueError(
                f"Unknown Keras 3 operation '{class_name}' in a functional "
                f"model config. Received: class_name={class_name!r}")
        config = dict(config)
        name = config.pop("name", None)
        for key in ("trainable", "dtype"):
            # ``dtype`` is an argument of some ops (Cast, OneHot).
            if key not in spec.keras3[2]:
                config.pop(key, None)
        return cls(spec.name, arguments=_from_config_value(config),
                   name=name)


def _from_tf_slices(value):
    """tf.keras 2's slice dicts (``SlicingOpLambda``) as Python slices."""
    if isinstance(value, dict):
        if set(value) == {"start", "stop", "step"}:
            return slice(value["start"], value["stop"], value["step"])
        if value.get("class_name") == "__ellipsis__":
            return Ellipsis
        return {k: _from_tf_slices(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_tf_slices(v) for v in value]
    return value


def _to_tf_slices(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__slice__":
            return dict(value["config"])
        return {k: _to_tf_slices(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_tf_slices(v) for v in value]
    return value


def _first_mask(args):
    """The mask of the first tensor argument (elementwise ops keep it, as
    the op layers of tf.keras did)."""
    for arg in args[:2]:
        if torch.is_tensor(arg):
            return getattr(arg, "_keras_mask", None)
    return None


def _layer_kwargs(config):
    return {k: v for k, v in config.items()
            if k in ("name", "trainable", "dtype")}


def _from_config_value(value):
    if isinstance(value, dict):
        if value.get("class_name") in ("__numpy__", "__tensor__"):
            inner = value["config"]
            return np.asarray(inner["value"], dtype=inner["dtype"])
        return {k: _from_config_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_config_value(v) for v in value]
    return value


_TENSOR = "__keras_tensor__"
_CONSTANT = "_CONSTANT_VALUE"


def _legacy_ref(value):
    """A Keras 3 tensor reference as tf.keras 2's ``[layer, node, tensor]``
    (constants unchanged)."""
    if isinstance(value, dict) and value.get("class_name") == _TENSOR:
        return list(value["config"]["keras_history"])
    if isinstance(value, list):
        return [_legacy_ref(v) for v in value]
    if isinstance(value, dict):
        return {k: _legacy_ref(v) for k, v in value.items()}
    return value


def keras2_entry(entry):
    """tf.keras 2's ``TFOpLambda`` form of an op's Keras 3 config entry.

    The constant arguments move into the legacy inbound nodes' kwargs under
    the TensorFlow function's argument names. Returns None for an op with no
    TensorFlow name (the caller keeps the Keras 3 form).
    """
    config = dict(entry["config"])
    if entry.get("class_name") == "TFOpLambda":
        spec = dispatch.get_spec(config.get("function", ""))
    else:
        spec = dispatch.get_spec(entry["class_name"])
    if spec is None or spec.tf_name is None:
        return None
    static = {k: v for k, v in config.items() if k not in (
        "name", "trainable", "dtype", "function", "arguments")}
    static.update(config.get("arguments") or {})
    call_names = list(spec.keras3[3]) if spec.keras3 is not None else [
        p for p in spec.params if p not in static]
    nodes = []
    for node in entry.get("inbound_nodes", []):
        args = list(node.get("args", []))
        if not args:
            return None
        merged = dict(zip(call_names[1:], args[1:]))
        merged.update(node.get("kwargs") or {})
        merged.update(static)
        kwargs = _legacy_ref(spec.to_tf_kwargs(merged))
        first = args[0]
        refs = first if isinstance(first, list) else [first]
        if not all(isinstance(r, dict) and r.get("class_name") == _TENSOR
                   for r in refs):
            refs = [[_CONSTANT, -1, first, kwargs]]
        else:
            refs = [_legacy_ref(r) + [kwargs] for r in refs]
        nodes.append(refs)
    name = config.get("name") or entry.get("name")
    class_name = "TFOpLambda"
    if spec.name == "get_item":
        class_name = "SlicingOpLambda"
        nodes = _to_tf_slices(nodes)
    return {"class_name": class_name, "name": name,
            "config": {"name": name, "trainable": True, "dtype": "float32",
                       "function": spec.tf_name},
            "inbound_nodes": nodes}
