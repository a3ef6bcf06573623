"""Deterministic initializers: ``Zeros``, ``Ones``, ``Constant``, ``Identity``.

They draw no random numbers and accept any dtype, integer and boolean
included, as Keras's do. ``Constant`` serializes array values in Keras 3's
``__numpy__`` form so that its config crosses over with Keras files.
"""

import numpy as np
import torch

from torchkeras.backend.config import standardize_dtype
from torchkeras.initializers.initializer import Initializer
from torchkeras.initializers.initializer import resolve_dtype
from torchkeras.initializers.initializer import standardize_shape
from torchkeras.utils.registry import keras_export


@keras_export("keras.initializers.Zeros", "keras.initializers.zeros")
class Zeros(Initializer):
    """Initializer that generates tensors filled with 0.

    Examples:
        >>> Zeros()((2, 2))
        tensor([[0., 0.],
                [0., 0.]])
    """

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self)
        return torch.zeros(standardize_shape(shape), dtype=dtype)


@keras_export("keras.initializers.Ones", "keras.initializers.ones")
class Ones(Initializer):
    """Initializer that generates tensors filled with 1.

    Examples:
        >>> Ones()((3,))
        tensor([1., 1., 1.])
    """

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self)
        return torch.ones(standardize_shape(shape), dtype=dtype)


@keras_export("keras.initializers.Constant", "keras.initializers.constant")
class Constant(Initializer):
    """Initializer that generates tensors filled with a constant ``value``.

    Args:
        value: A Python scalar, or an array broadcastable to the shape.

    Examples:
        >>> Constant(3.0)((2,))
        tensor([3., 3.])
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self)
        shape = standardize_shape(shape)
        value = self.value
        if isinstance(value, (bool, int, float)):
            return torch.full(shape, value, dtype=dtype)
        value = torch.as_tensor(np.asarray(value), dtype=dtype)
        try:
            return value.expand(shape).clone()
        except RuntimeError:
            raise ValueError(
                "The `value` of a Constant initializer must broadcast to the "
                f"shape {shape}. Received: value.shape={tuple(value.shape)}"
            ) from None

    def get_config(self):
        return {"value": _serialize_value(self.value)}

    @classmethod
    def from_config(cls, config):
        return cls(_deserialize_value(config.get("value", 0.0)))


@keras_export("keras.initializers.Identity", "keras.initializers.identity")
class Identity(Initializer):
    """Initializer that generates the identity matrix, times ``gain``.

    Only 2D shapes; a non-square shape gives ones on the main diagonal.

    Args:
        gain: Multiplicative factor applied to the identity matrix.

    Examples:
        >>> Identity(gain=2.0)((2, 3))
        tensor([[2., 0., 0.],
                [0., 2., 0.]])
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self)
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D "
                f"matrices. Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * torch.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


def _serialize_value(value):
    """Python scalars as they are; arrays as Keras 3's ``__numpy__`` dict."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value)
        return {
            "class_name": "__numpy__",
            "config": {
                "value": array.tolist(),
                "dtype": standardize_dtype(array.dtype),
            },
        }
    return value


def _deserialize_value(value):
    """Inverse of ``_serialize_value`` (also reads ``__tensor__`` dicts)."""
    if isinstance(value, dict) and value.get("class_name") in (
        "__numpy__",
        "__tensor__",
    ):
        inner = value["config"]
        return np.asarray(inner["value"], dtype=inner.get("dtype"))
    return value
