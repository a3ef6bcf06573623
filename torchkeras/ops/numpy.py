"""NumPy-style operations of ``torchkeras.ops`` (Keras 3 ``ops/numpy.py``).

A minimal subset with Keras's names, arguments and semantics (``transpose``
reverses every axis by default, ``eye`` takes ``M`` and ``k``, ``axis``
may be ``None`` or a tuple). Each runs one torch kernel; nothing syncs the
host.
"""

import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype
from torchkeras.ops.core import convert_to_tensor


def _promote(x1, x2):
    x1 = convert_to_tensor(x1)
    x2 = convert_to_tensor(x2, device=x1.device)
    dtype = torch.promote_types(x1.dtype, x2.dtype)
    return x1.to(dtype), x2.to(dtype)


def _dims(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def matmul(x1, x2):
    """Matrix product of two tensors, with NumPy's broadcasting."""
    x1, x2 = _promote(x1, x2)
    return torch.matmul(x1, x2)


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere.

    Example:

    >>> eye(2, 3, k=1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]])
    """
    M = N if M is None else M
    rows = torch.arange(N)[:, None]
    cols = torch.arange(M)[None, :]
    return (cols - rows == k).to(to_torch_dtype(dtype or floatx()))


def transpose(x, axes=None):
    """Permutes the axes of ``x``; reverses them when ``axes`` is None."""
    x = convert_to_tensor(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    return x.permute(*axes)


def sum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    if axis is None:
        return x.sum().reshape((1,) * x.ndim if keepdims else ())
    return torch.sum(x, dim=_dims(axis), keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    if not x.is_floating_point():
        x = x.to(to_torch_dtype(floatx()))
    if axis is None:
        return x.mean().reshape((1,) * x.ndim if keepdims else ())
    return torch.mean(x, dim=_dims(axis), keepdim=keepdims)


def abs(x):
    return torch.abs(convert_to_tensor(x))


def square(x):
    return torch.square(convert_to_tensor(x))


def sqrt(x):
    return torch.sqrt(convert_to_tensor(x))


def log(x):
    return torch.log(convert_to_tensor(x))


def exp(x):
    return torch.exp(convert_to_tensor(x))


def maximum(x1, x2):
    x1, x2 = _promote(x1, x2)
    return torch.maximum(x1, x2)


def minimum(x1, x2):
    x1, x2 = _promote(x1, x2)
    return torch.minimum(x1, x2)


def clip(x, x_min, x_max):
    return torch.clamp(convert_to_tensor(x), x_min, x_max)


def where(condition, x1, x2):
    condition = convert_to_tensor(condition).bool()
    x1, x2 = _promote(x1, x2)
    return torch.where(condition, x1, x2)


def expand_dims(x, axis):
    return torch.unsqueeze(convert_to_tensor(x), axis)


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    return torch.squeeze(x) if axis is None else torch.squeeze(x, axis)


def reshape(x, newshape):
    return torch.reshape(convert_to_tensor(x), tuple(newshape))


def argmax(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    if axis is None:
        return torch.argmax(x.reshape(-1)).reshape(
            (1,) * x.ndim if keepdims else ()
        )
    return torch.argmax(x, dim=axis, keepdim=keepdims)
