"""Lambda: wraps an arbitrary function of tensors as a layer.

The function itself is never written into a config as code: a named
function is stored by name (Keras 3's ``{"class_name": "function", ...}``
form) and a Python ``lambda`` as a ``__lambda__`` marker without its
bytecode. ``from_config`` therefore needs the function again, by name, in
``custom_objects`` (or a ``custom_object_scope``, or the registry); it never
unmarshals or executes code read from a config or file.
"""

import inspect

import numpy as np
import torch

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.utils import tree
from torchkeras.utils.serialization import get_registered_name
from torchkeras.utils.serialization import get_registered_object

# Keys tf.keras 2 wrote next to the function; they carry no information
# that loading by name needs.
_TF_KERAS_KEYS = ("function_type", "module", "output_shape_type",
                  "output_shape_module")


class Lambda(Layer):
    """Wraps an arbitrary expression as a ``Layer`` object.

    ``Lambda`` layers suit simple operations in ``Sequential`` and
    functional models. Prefer a ``Layer`` subclass for anything that must
    be saved and loaded: a ``Lambda``'s function is stored by name only, so
    loading a model that contains one needs the function passed again in
    ``custom_objects`` (keyed by the function's name, or by the layer's
    name for a Python ``lambda``).

    Args:
        function: the function to evaluate; takes the input tensor (or
            list of tensors) as first argument, and optionally ``mask`` and
            ``training`` keyword arguments.
        output_shape: the output shape without the batch dimension (a
            tuple), or a function of the full input shape returning the
            full output shape. Inferred by tracing when ``None``.
        mask: ``None`` (no masking), a callable with the signature of
            ``compute_mask``, or a tensor returned as the output mask.
        arguments: optional dict of keyword arguments for ``function``.
        **kwargs: base layer keyword arguments (``name``, ``dtype``).

    Example:
    >>> import torch
    >>> import torchkeras as keras
    >>> square = keras.layers.Lambda(lambda x: x ** 2)
    >>> square(torch.tensor([1.0, 2.0, 3.0]))
    tensor([1., 4., 9.])
    """

    def __init__(self, function, output_shape=None, mask=None,
                 arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                "The `function` argument of a Lambda layer must be callable."
                f" Received: function={function!r}"
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        self._trace_output_shape = output_shape is None
        params = _parameter_names(function)
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch_size = tree.flatten(input_shape)[0] if input_shape else None
        if _is_shape(self._output_shape):
            return (batch_size,) + tuple(self._output_shape)
        return [(batch_size,) + tuple(s) for s in self._output_shape]

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        config = super().get_config()
        config["function"] = _serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (
                _serialize_function(self._output_shape)
                if callable(self._output_shape)
                else _shape_to_list(self._output_shape))
        if self.mask is not None:
            config["mask"] = (_serialize_function(self.mask)
                              if callable(self.mask)
                              else _serialize_tensor(self.mask))
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuilds the layer, finding its functions by name.

        ``safe_mode`` is accepted for Keras compatibility; code stored in a
        config is never executed whatever its value.

        Raises:
            ValueError: when a function is not in ``custom_objects``, the
                active ``custom_object_scope`` or the registry.
        """
        config = dict(config)
        function_type = config.get("function_type")
        for key in _TF_KERAS_KEYS:
            config.pop(key, None)
        name = config.get("name")
        if function_type == "lambda":  # tf.keras 2: marshalled bytecode
            config["function"] = {"class_name": "__lambda__", "config": {}}
        config["function"] = _deserialize_function(
            config["function"], name, "function", custom_objects)
        shape = config.get("output_shape")
        if isinstance(shape, (dict, str)):
            config["output_shape"] = _deserialize_function(
                shape, name, "output_shape", custom_objects)
        elif shape is not None:
            config["output_shape"] = _list_to_shape(shape)
        mask = config.get("mask")
        if isinstance(mask, dict) and mask.get("class_name") == "__tensor__":
            config["mask"] = _deserialize_tensor(mask)
        elif mask is not None:
            config["mask"] = _deserialize_function(mask, name, "mask",
                                                   custom_objects)
        return cls(**config)


def _parameter_names(function):
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # some builtins have no signature
        return set()


def _is_shape(shape):
    return all(d is None or isinstance(d, int) for d in shape)


def _shape_to_list(shape):
    if _is_shape(shape):
        return list(shape)
    return [list(s) for s in shape]


def _list_to_shape(shape):
    if _is_shape(shape):
        return tuple(shape)
    return [tuple(s) for s in shape]


def _serialize_function(fn):
    """A config for ``fn`` that holds its name, never its code."""
    if getattr(fn, "__name__", None) == "<lambda>":
        return {"class_name": "__lambda__",
                "config": {"code": None, "defaults": None, "closure": None}}
    name = get_registered_name(fn) or type(fn).__name__
    return {"module": getattr(fn, "__module__", None),
            "class_name": "function", "config": name,
            "registered_name": name}


def _deserialize_function(spec, layer_name, what, custom_objects):
    """Finds the function ``spec`` names; never runs stored code."""
    if callable(spec):
        return spec
    if isinstance(spec, dict) and spec.get("class_name") == "__lambda__":
        fn = _lookup(layer_name, custom_objects)
        if fn is None:
            raise ValueError(
                f"Lambda layer '{layer_name}': its `{what}` is a Python "
                "lambda. torchkeras never stores or loads Python code, so a "
                "Lambda layer cannot be loaded safely from a config. Pass "
                f"the function again as custom_objects={{'{layer_name}': "
                f"fn}}. Received: {what}={spec!r}"
            )
        return fn
    module = ""
    if isinstance(spec, dict):
        module = spec.get("module") or ""
        spec = spec.get("registered_name") or spec.get("config")
    if isinstance(spec, (list, tuple)):  # tf.keras 2 marshalled bytecode
        return _deserialize_function({"class_name": "__lambda__"},
                                     layer_name, what, custom_objects)
    fn = _lookup(spec, custom_objects)
    if fn is None and "activations" in module:
        fn = activations.ALL_OBJECTS_DICT.get(spec)
    if fn is None:
        raise ValueError(
            f"Lambda layer '{layer_name}': cannot find the function "
            f"'{spec}' for its `{what}`. Lambda layers cannot be loaded "
            "safely from a config: torchkeras never imports or runs code "
            "named in a file. Pass the function as custom_objects="
            f"{{'{spec}': fn}}. Received: {what}={spec!r}"
        )
    return fn


def _lookup(name, custom_objects):
    if not isinstance(name, str):
        return None
    fn = get_registered_object(name, custom_objects)
    return fn if callable(fn) else None


def _serialize_tensor(value):
    array = np.asarray(value.detach().cpu() if torch.is_tensor(value)
                       else value)
    return {"class_name": "__tensor__",
            "config": {"value": array.tolist(), "dtype": str(array.dtype)}}


def _deserialize_tensor(spec):
    inner = spec["config"]
    return torch.as_tensor(np.asarray(inner["value"], dtype=inner["dtype"]))
