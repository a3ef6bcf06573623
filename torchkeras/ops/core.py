"""Tensor conversion for ``torchkeras.ops`` (Keras 3 ``ops/core.py``).

Owns how Python values, NumPy arrays and torch tensors become torch
tensors: Python floats (and lists of them) take ``backend.floatx()``,
Python ints ``int32``, NumPy arrays and tensors keep their dtype unless one
is given. Device placement is left to the caller (``device=``).
"""

import numpy as np
import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype


def _python_dtype(x):
    """The Keras dtype of a Python scalar or (nested) list of them."""
    flat = np.asarray(x)
    if flat.dtype == np.bool_:
        return torch.bool
    if np.issubdtype(flat.dtype, np.integer):
        return torch.int32
    if np.issubdtype(flat.dtype, np.floating):
        return to_torch_dtype(floatx())
    return None


def convert_to_tensor(x, dtype=None, device=None):
    """Returns ``x`` as a torch tensor, cast to ``dtype`` when given.

    Example:

    >>> convert_to_tensor([1.0, 2.0]).dtype
    torch.float32
    """
    torch_dtype = None if dtype is None else to_torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        if torch_dtype is not None and x.dtype != torch_dtype:
            x = x.to(torch_dtype)
        if device is not None and x.device != torch.device(device):
            x = x.to(device)
        return x
    if isinstance(x, (bool, int, float, list, tuple)) and torch_dtype is None:
        if isinstance(x, (list, tuple)) and any(
            isinstance(item, torch.Tensor) for item in x
        ):
            return torch.stack([convert_to_tensor(i, None, device) for i in x])
        torch_dtype = _python_dtype(x)
    return torch.as_tensor(np.asarray(x), dtype=torch_dtype, device=device)


def cast(x, dtype):
    """Casts ``x`` to ``dtype`` (a Keras name or a torch dtype)."""
    return convert_to_tensor(x, dtype=dtype)
