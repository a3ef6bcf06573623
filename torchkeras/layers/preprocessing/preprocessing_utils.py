"""Helpers shared by the preprocessing layers.

- ``PreprocessingLayer``: the base class. Its output spec comes from
  ``compute_output_shape`` and ``compute_output_dtype`` (string inputs
  cannot be traced on meta tensors), and a non-persistent empty buffer
  tells host-side layers which device their outputs belong on (it follows
  ``model.to(device)``; it is not a weight and is never saved).
- ``to_string_array``: NumPy object array of ``str`` from what users pass.
- ``encode_categorical``: Keras's ``one_hot``/``multi_hot``/``count``
  encoding of integer indices, as torch ops.
- ``iterate_batches``: the batches ``adapt`` reads from arrays, lists,
  ``torchkeras.data.Dataset`` objects or other iterables.
"""

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend import config
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.layers.layer import Layer
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.experimental.preprocessing.PreprocessingLayer")
class PreprocessingLayer(Layer):
    """A weightless layer whose output spec is declared, not traced.

    The base class of the preprocessing layers (`Rescaling`,
    `Normalization`, `StringLookup`, ...), also reachable as tf.keras
    2.2-2.5 spelled it, `keras.layers.experimental.preprocessing`.

    Args:
        **kwargs: The base `Layer` keyword arguments (`name`, `dtype`, ...).

    Examples:
        >>> base = keras.layers.experimental.preprocessing.PreprocessingLayer
        >>> isinstance(keras.layers.Rescaling(1 / 255), base)
        True
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.register_buffer("_device_anchor", torch.empty(0),
                             persistent=False)

    def compute_output_dtype(self):
        """The Keras dtype name of the outputs (default: ``floatx()``)."""
        return config.floatx()

    def compute_output_spec(self, inputs):
        shape = tuple(inputs.shape)
        return KerasTensor(self.compute_output_shape(shape),
                           self.compute_output_dtype())

    def _infer_outputs(self, args, kwargs):
        # The base class would trace `call` on meta tensors (impossible for
        # strings) or copy a non-float input dtype to the outputs.
        return self.compute_output_spec(args[0])

    def _convert_inputs(self, inputs):
        # A nested list of Python values is one array (the base class
        # would convert each leaf on its own).
        if isinstance(inputs, (list, tuple)) and not any(
                torch.is_tensor(x) or isinstance(x, np.ndarray)
                for x in tree.flatten(inputs)):
            inputs = np.asarray(inputs)
            if inputs.dtype.kind in "US":
                inputs = inputs.astype(object)
        return super()._convert_inputs(inputs)

    @property
    def _output_device(self):
        return self._device_anchor.device

    def _on_device(self, tensor):
        device = self._output_device
        if tensor.device != device:
            tensor = tensor.to(device)
        return tensor


def to_string_array(inputs, encoding="utf-8", name="inputs"):
    """A NumPy object array of ``str`` (bytes decoded with ``encoding``)."""
    if torch.is_tensor(inputs):
        raise TypeError(
            f"Expected `{name}` to be strings (a NumPy array, a list or a "
            f"str), not a torch tensor. Received: {name}.dtype="
            f"{inputs.dtype}"
        )
    arr = np.asarray(inputs, dtype=object) if not isinstance(
        inputs, np.ndarray) else inputs
    if arr.dtype.kind not in "OUS":
        raise TypeError(
            f"Expected `{name}` to hold strings. Received: "
            f"{name}.dtype={arr.dtype}"
        )
    if arr.dtype.kind != "O":
        arr = arr.astype(object)
    flat = arr.reshape(-1)
    if any(not isinstance(s, str) for s in flat):
        out = np.empty(flat.shape, dtype=object)
        for i, s in enumerate(flat):
            out[i] = _as_text(s, encoding, name)
        arr = out.reshape(arr.shape)
    return arr


def _as_text(value, encoding, name):
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode(encoding)
    raise TypeError(
        f"Expected `{name}` to hold strings. Received an element of type "
        f"{type(value).__name__}: {value!r}"
    )


def categorical_output_shape(input_shape, output_mode, depth):
    """The output shape of ``encode_categorical`` for ``input_shape``."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (depth,)
    if len(shape) <= 1:
        return shape + (depth,)
    return shape[:-1] + (depth,)


def encode_categorical(indices, output_mode, depth, count_weights=None):
    """Encodes int64 ``indices`` as Keras's ``encode_categorical_inputs``.

    Indices outside ``[0, depth)`` are dropped (a zero row for
    ``one_hot``): the lookup layers map mask tokens there. ``one_hot``
    encodes each element (a trailing axis of size 1 is replaced); the
    other modes reduce the last axis, a sample's tokens. A rank-1 input is
    a batch of one-token samples, as in tf.keras 2 (Keras 3 would read it
    as one sample and drop the batch axis); a scalar is one sample.
    """
    valid = (indices >= 0) & (indices < depth)
    safe = torch.where(valid, indices, torch.full_like(indices, depth))
    if output_mode == "one_hot":
        if safe.dim() > 1 and safe.shape[-1] == 1:
            safe = safe.squeeze(-1)
        return F.one_hot(safe, depth + 1)[..., :depth].to(torch.float32)
    if safe.dim() > 2 and output_mode != "multi_hot":
        raise ValueError(
            "When output_mode is anything other than 'multi_hot', "
            "'one_hot', or 'int', the rank must be 2 or less. Received: "
            f"output_mode={output_mode}, input shape={tuple(safe.shape)}"
        )
    if safe.dim() <= 1:
        safe = safe.reshape(-1, 1) if safe.dim() else safe.reshape(1, 1)
        if count_weights is not None:
            count_weights = torch.as_tensor(count_weights).reshape(
                safe.shape)
    lead = tuple(safe.shape[:-1]) if indices.dim() else ()
    rows = safe.reshape(-1, safe.shape[-1])
    out = torch.zeros((rows.shape[0], depth + 1), dtype=torch.float32,
                      device=indices.device)
    if output_mode == "multi_hot":
        out.scatter_(1, rows, 1.0)
    else:
        weights = torch.ones(rows.shape, dtype=torch.float32,
                             device=indices.device)
        if count_weights is not None:
            weights = torch.as_tensor(
                count_weights, dtype=torch.float32,
                device=indices.device).reshape(rows.shape)
        out.scatter_add_(1, rows, weights)
    return out[:, :depth].reshape(lead + (depth,))


def iterate_batches(data, steps=None):
    """Yields the batches of ``data`` that ``adapt`` consumes.

    Arrays, tensors, lists and tuples are one batch; datasets, generators
    and other iterables yield theirs (``steps`` limits how many).
    """
    if isinstance(data, (np.ndarray, list, tuple)) or torch.is_tensor(data):
        yield data
        return
    from torchkeras.data.dataset import is_dataset

    if is_dataset(data) and steps is not None:
        data = data.take(steps)
        steps = None
    if not hasattr(data, "__iter__"):
        raise TypeError(
            "`adapt` expects a NumPy array, a tensor, a list, a "
            "`torchkeras.data.Dataset` or an iterable of batches. "
            f"Received: data={type(data).__name__}"
        )
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            return
        yield batch


def to_numpy(value):
    """NumPy view of a tensor (moved to the host) or array-like."""
    if torch.is_tensor(value):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def listify(value):
    """Config-friendly copy: arrays and tensors become lists."""
    if value is None:
        return None
    if torch.is_tensor(value):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [listify(v) if isinstance(v, (np.ndarray, list, tuple))
                else _plain(v) for v in value]
    return _plain(value)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value
