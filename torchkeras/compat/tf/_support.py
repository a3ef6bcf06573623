"""Helpers shared by the ``torchkeras.compat.tf`` modules.

``missing`` builds each module's ``__getattr__`` (a TF name we do not
provide says so and points to ``keras.ops``); ``shape_arg`` turns a TF
shape argument (a list, tuple, ``torch.Size`` or a tensor from
``tf.shape``) into a tuple of ints; ``dtype_of_value`` is TF's dtype
inference for Python values (ints -> int32, floats -> float32).
"""

import torch


def missing(module):
    """A module ``__getattr__`` raising a clear ``AttributeError``."""
    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"torchkeras does not provide `{module}.{name}`. Use the "
            f"equivalent in `keras.ops` (`import torchkeras as keras`; "
            f"`keras.ops.*`) or torch directly. Received: name={name!r}")
    return __getattr__


def shape_arg(shape):
    """TF shape argument -> tuple of ints (``None`` stays ``None``)."""
    if shape is None:
        return None
    if torch.is_tensor(shape):
        return tuple(int(d) for d in shape.reshape(-1).tolist())
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) if torch.is_tensor(d) else d for d in shape)


def dtype_of_value(value):
    """TF's dtype for a Python value: bool, int32 or float32 (else None)."""
    if isinstance(value, bool):
        return torch.bool
    if isinstance(value, int):
        return torch.int32
    if isinstance(value, float):
        return torch.float32
    return None
