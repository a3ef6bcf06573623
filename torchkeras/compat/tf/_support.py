"""Helpers shared by the ``torchkeras.compat.tf`` modules.

``missing`` builds each module's ``__getattr__`` (a TF name we do not
provide says so and points to ``keras.ops``); ``shape_arg`` turns a TF
shape argument (a list, tuple, ``torch.Size`` or a tensor from
``tf.shape``) into a tuple of ints; ``dtype_of_value`` is TF's dtype
inference for Python values (ints -> int32, floats -> float32);
``eager_results`` makes a module's own functions return ``EagerTensor``s
when the user calls them, as the ``keras.ops`` they build on do.
"""

import functools
import inspect

import torch

from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.backend.eager_tensor import eager_outputs


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


def eager_results(namespace):
    """Wraps the public functions defined in the module of ``namespace``
    (its ``globals()``) so that, called from the user's code, their tensor
    results are ``EagerTensor``s (``backend/eager_tensor.py``): a TF
    program reads them as NumPy and mixes them with NumPy arrays. Ops of
    their own (``keras_op``) and aliases of ``keras.ops`` do this already.
    """
    module = namespace["__name__"]
    for name, fn in list(namespace.items()):
        if (name.startswith("_") or not inspect.isfunction(fn)
                or fn.__module__ != module or hasattr(fn, "op_spec")):
            continue
        namespace[name] = _eager(fn)


def _eager(fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        outputs = fn(*args, **kwargs)
        context = CALL_CONTEXT
        if context.depth or context.in_step:
            return outputs
        return eager_outputs(outputs, args, kwargs)

    return call
