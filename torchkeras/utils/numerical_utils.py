"""``utils.to_categorical`` and ``utils.normalize``, as in tf.keras 2.

NumPy in, NumPy out, with tf.keras 2's defaults (`to_categorical` returns
``float32``); a torch tensor in gives a torch tensor out, on its device.
Labels outside ``[0, num_classes)`` raise instead of wrapping around (NumPy
fancy indexing would silently one-hot ``-1`` as the last class).
"""

import numpy as np
import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype


def to_categorical(y, num_classes=None, dtype="float32"):
    """Converts a class vector (integers) to a binary class matrix.

    A trailing axis of size 1 is dropped first, so labels of shape
    ``(n, 1)`` give ``(n, num_classes)``, as in Keras.

    Args:
        y: array-like (or torch tensor) of class values, integers from 0
            to `num_classes - 1`.
        num_classes: total number of classes; `None` means `max(y) + 1`.
        dtype: dtype of the result. Defaults to `"float32"`.

    Returns:
        A one-hot array with the class axis last: a NumPy array, or a torch
        tensor when `y` is one.

    Raises:
        ValueError: if a label is negative or not below `num_classes`.

    Examples:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    if isinstance(y, torch.Tensor):
        return _to_categorical_torch(y, num_classes, dtype)
    y = np.array(y, dtype="int64")
    shape = _label_shape(tuple(y.shape))
    y = y.reshape(-1)
    num_classes = _check_labels(
        num_classes, int(y.min()) if y.size else 0,
        int(y.max()) if y.size else -1)
    categorical = np.zeros((y.shape[0], num_classes), dtype=dtype)
    categorical[np.arange(y.shape[0]), y] = 1
    return categorical.reshape(shape + (num_classes,))


def _to_categorical_torch(y, num_classes, dtype):
    shape = _label_shape(tuple(y.shape))
    y = y.reshape(-1).long()
    low = int(y.min()) if y.numel() else 0
    high = int(y.max()) if y.numel() else -1
    num_classes = _check_labels(num_classes, low, high)
    categorical = torch.nn.functional.one_hot(y, num_classes)
    return categorical.to(to_torch_dtype(dtype)).reshape(
        shape + (num_classes,))


def _label_shape(shape):
    if len(shape) > 1 and shape[-1] == 1:
        return shape[:-1]
    return shape


def _check_labels(num_classes, low, high):
    if not num_classes:
        num_classes = high + 1
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise ValueError(
            "`to_categorical` expects class values in [0, num_classes), "
            f"with num_classes={num_classes}. Received: a label {bad}"
        )
    return int(num_classes)


def normalize(x, axis=-1, order=2):
    """Normalizes an array to unit norm along an axis.

    Vectors of norm 0 are left unchanged (their norm is taken as 1).

    Args:
        x: NumPy array (or torch tensor) to normalize.
        axis: integer axis along which to normalize.
        order: order of the norm (2 for the L2 norm).

    Returns:
        `x / norm(x, order, axis)`: a NumPy array, or a torch tensor when
        `x` is one.

    Examples:
        >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    if not isinstance(axis, int):
        raise TypeError(
            f"`normalize` expects an integer `axis`. Received: axis={axis!r}"
        )
    if isinstance(x, torch.Tensor):
        if not x.is_floating_point():
            x = x.to(to_torch_dtype(floatx()))
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.where(norm == 0, torch.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
