"""`TensorSpec`: the shape and dtype of one component of a dataset element.

Owns dtype and shape normalisation for `torchkeras.data`: dtypes are kept
as Keras dtype names (``'float32'``, ``'int64'``, ``'string'``), shapes as
tuples whose unknown dims are ``None`` (``shape=None`` is an unknown
rank). Element structures of specs are built by the datasets themselves.
"""

import numpy as np

from torchkeras.backend import config

_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32"}
_STRING_TYPES = (str, bytes, np.str_, np.bytes_)


def normalize_dtype(dtype):
    """Returns the Keras dtype name of a torch/NumPy/Python/Keras dtype."""
    if dtype is None:
        raise TypeError(
            "Expected `dtype` to be a dtype, such as 'float32' or "
            "torch.float32. Received: dtype=None"
        )
    if dtype in _STRING_TYPES or dtype is object:
        return "string"
    if isinstance(dtype, type) and dtype in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[dtype]
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        dtype = np.dtype(dtype)
    if isinstance(dtype, np.dtype) and dtype.kind in "USO":
        return "string"
    try:
        return config.standardize_dtype(dtype)
    except ValueError:
        raise TypeError(
            "Expected `dtype` to be a numeric dtype or 'string'. "
            f"Received: dtype={dtype!r}"
        ) from None


def numpy_dtype(dtype):
    """The NumPy dtype used to convert Python values to `dtype`."""
    name = normalize_dtype(dtype)
    if name == "string":
        return np.dtype(object)
    if name == "bfloat16":
        return np.dtype("float32")  # NumPy has no bfloat16; cast in torch.
    return np.dtype(name)


def normalize_shape(shape):
    """Returns `shape` as a tuple of ints and `None`s (None: unknown rank)."""
    if shape is None:
        return None
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(
            "Expected `shape` to be a tuple of ints and None. "
            f"Received: shape={shape!r}"
        ) from None
    return tuple(None if d is None or d == -1 else int(d) for d in dims)


def shapes_compatible(expected, actual):
    """Whether shape `actual` fits `expected` (None dims are wildcards)."""
    if expected is None or actual is None:
        return True
    if len(expected) != len(actual):
        return False
    return all(e is None or a is None or e == a
               for e, a in zip(expected, actual))


def merge_shapes(a, b):
    """The most specific shape that both `a` and `b` fit."""
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b))


class TensorSpec:
    """Describes the shape and dtype of one tensor of a dataset element.

    Used as `output_signature` of `Dataset.from_generator` and returned by
    `Dataset.element_spec`, as `tf.TensorSpec` is.

    Args:
        shape: tuple of ints and `None` (unknown dims), or `None` for an
            unknown rank.
        dtype: a torch/NumPy dtype or a Keras dtype name; `'string'` (or
            `str`) for strings. Defaults to `'float32'`.
        name: optional name.

    Examples:
        >>> import torch
        >>> spec = TensorSpec(shape=(None, 3), dtype="float32")
        >>> spec
        TensorSpec(shape=(None, 3), dtype=float32, name=None)
        >>> spec.is_compatible_with(torch.zeros(5, 3))
        True
    """

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = normalize_shape(shape)
        self.dtype = normalize_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        """The spec of a torch tensor or NumPy array."""
        return cls(tuple(tensor.shape), normalize_dtype(tensor.dtype), name)

    @property
    def torch_dtype(self):
        """The `torch.dtype` of this spec (`None` for strings)."""
        if self.dtype == "string":
            return None
        return config.to_torch_dtype(self.dtype)

    def is_compatible_with(self, spec_or_value):
        """Whether a spec or tensor has this dtype and a fitting shape."""
        other = spec_or_value
        if not isinstance(other, TensorSpec):
            other = TensorSpec.from_tensor(other)
        return (self.dtype == other.dtype
                and shapes_compatible(self.shape, other.shape))

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self.shape == other.shape
                and self.dtype == other.dtype and self.name == other.name)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self):
        return (f"TensorSpec(shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name!r})")
