"""Lambda: wraps an arbitrary function of tensors as a layer.

A named function is stored by name (Keras 3's ``{"class_name":
"function", ...}`` form) and found again through ``custom_objects``, a
``custom_object_scope`` or the registry. A Python ``lambda`` is stored as
Keras stores it, marshalled bytecode (``lambda_code``), so Keras loads our
files and we load Keras's; loading that bytecode runs code from the file,
so ``from_config`` does it only outside safe mode (``safe_mode=False`` or
``keras.config.enable_unsafe_deserialization()``) and otherwise asks for
the function in ``custom_objects`` under the layer's name.
"""

import inspect

import numpy as np
import torch

from torchkeras import activations
from torchkeras.layers.core import lambda_code
from torchkeras.layers.layer import Layer
from torchkeras.utils import safe_mode as safe_mode_lib
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export
from torchkeras.utils.serialization import get_registered_name
from torchkeras.utils.serialization import get_registered_object

# tf.keras 2 wrote each function's kind and module next to it.
_TF_KERAS_KEYS = {"function": ("function_type", "module"),
                  "output_shape": ("output_shape_type",
                                   "output_shape_module"),
                  "mask": ("mask_type", "mask_module")}


@keras_export("keras.layers.Lambda")
class Lambda(Layer):
    """Wraps an arbitrary expression as a ``Layer`` object.

    ``Lambda`` layers suit simple operations in ``Sequential`` and
    functional models. Prefer a ``Layer`` subclass for anything that must
    be saved and loaded: a named function is stored by name, so loading
    needs it again in ``custom_objects``; a Python ``lambda`` is stored as
    bytecode, as Keras does, which loads only on the same Python version
    and only with ``safe_mode=False`` (or the lambda passed again as
    ``custom_objects={layer_name: fn}``).

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

    Examples:
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
        """Rebuilds the layer from a Keras 3 or tf.keras 2 config.

        A function passed in ``custom_objects`` under the layer's name wins;
        a named function is looked up; a Python lambda's bytecode is loaded
        only when safe mode is off (``safe_mode=False`` here, in the loading
        function, or ``keras.config.enable_unsafe_deserialization()``).

        Raises:
            ValueError: when a function cannot be found, when bytecode
                would have to be loaded in safe mode (naming the layer), or
                when the bytecode comes from another Python version.
        """
        config = dict(config)
        safe = safe_mode_lib.resolve(safe_mode)
        name = config.get("name")
        for what, (type_key, module_key) in _TF_KERAS_KEYS.items():
            kind = config.pop(type_key, None)
            module = config.pop(module_key, None)
            spec = config.get(what)
            if spec is None or callable(spec):
                continue
            if kind == "raw" or (what == "output_shape" and kind is None
                                 and _is_shape_spec(spec)):
                config[what] = _list_to_shape(spec)
            elif what == "mask" and isinstance(spec, dict) and (
                    spec.get("class_name") == "__tensor__"):
                config[what] = _deserialize_tensor(spec)
            else:
                config[what] = _deserialize_function(
                    spec, name, what, custom_objects, safe, module)
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


def _is_shape_spec(spec):
    return isinstance(spec, (list, tuple)) and not lambda_code.is_dumped(
        spec)


def _serialize_function(fn):
    """Keras 3's config for ``fn``: bytecode for a lambda, else a name."""
    if lambda_code.is_python_lambda(fn):
        return {"class_name": "__lambda__", "config": lambda_code.dump(fn)}
    name = get_registered_name(fn) or type(fn).__name__
    return {"module": getattr(fn, "__module__", None),
            "class_name": "function", "config": name,
            "registered_name": name}


def _unsafe_error(layer_name, what):
    return ValueError(
        f"Lambda layer '{layer_name}': its `{what}` is a Python lambda "
        "stored as bytecode. Loading it runs code from the file, so it "
        "cannot be loaded safely and is refused in safe mode. If you trust "
        "the file, pass safe_mode=False to the loading function (or call "
        "`keras.config.enable_unsafe_deserialization()`), or pass the "
        f"function as custom_objects={{'{layer_name}': fn}}. Received: "
        "safe_mode=True"
    )


def _deserialize_function(spec, layer_name, what, custom_objects,
                          safe=True, module=None):
    """Finds the function ``spec`` stands for; loads bytecode only when
    ``safe`` is False."""
    if callable(spec):
        return spec
    if lambda_code.is_dumped(spec):
        fn = _lookup(layer_name, custom_objects) if what == "function" \
            else None
        if fn is not None:
            return fn
        if safe:
            raise _unsafe_error(layer_name, what)
        return lambda_code.load(spec, layer_name, what, module,
                                custom_objects)
    module = ""
    if isinstance(spec, dict):
        module = spec.get("module") or ""
        spec = spec.get("registered_name") or spec.get("config")
    fn = _lookup(spec, custom_objects)
    if fn is None and "activations" in module:
        fn = activations.ALL_OBJECTS_DICT.get(spec)
    if fn is None:
        raise ValueError(
            f"Lambda layer '{layer_name}': cannot find the function "
            f"'{spec}' for its `{what}`. torchkeras never imports code "
            "named in a file: pass the function as custom_objects="
            f"{{'{spec}': fn}} or register it with "
            "`keras.saving.register_keras_serializable`. Received: "
            f"{what}={spec!r}"
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
