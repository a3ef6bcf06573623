"""Nested element structures and the conversion of their leaves.

A dataset element is a leaf, a tuple (namedtuples included) or a dict of
elements. Numeric leaves are torch tensors; string leaves are NumPy object
arrays (torch has no strings). Lists are values, not structures: as in
`tf.data`, a Python list is converted to one tensor. Dict entries are
flattened in sorted-key order (as `tf.nest`), so two dicts with the same
keys line up whatever their insertion order.

This module owns flatten/pack, leaf conversion (Python lists and scalars
become int32/float32 like `tf.constant`, NumPy dtypes are kept) and the
stacking and unstacking of leaves that `batch`/`unbatch` use.
"""

import numpy as np
import torch

from torchkeras.data import tensor_spec

_PY_NUMBERS = (bool, int, float)


def is_nested(value):
    return isinstance(value, (tuple, dict))


def _sorted_keys(mapping):
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def flatten(value):
    """The leaves of `value`, depth first, dict entries by sorted key."""
    if isinstance(value, dict):
        return [leaf for k in _sorted_keys(value)
                for leaf in flatten(value[k])]
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in flatten(item)]
    return [value]


def pack_as(template, leaves):
    """Rebuilds the structure of `template` from its flat `leaves`."""
    leaves = list(leaves)
    expected = len(flatten(template))
    if expected != len(leaves):
        raise ValueError(
            f"Expected {expected} leaves to pack into the structure "
            f"{_describe(template)}. Received: {len(leaves)} leaves"
        )
    return _pack(template, leaves, 0)[0]


def _pack(template, leaves, pos):
    if isinstance(template, dict):
        items = {}
        for key in _sorted_keys(template):
            items[key], pos = _pack(template[key], leaves, pos)
        return type(template)((k, items[k]) for k in template), pos
    if isinstance(template, tuple):
        items = []
        for sub in template:
            item, pos = _pack(sub, leaves, pos)
            items.append(item)
        if hasattr(template, "_fields"):  # namedtuple
            return type(template)(*items), pos
        return tuple(items), pos
    return leaves[pos], pos + 1


def flatten_up_to(template, value):
    """The parts of `value` found at the leaves of `template`'s structure.

    Lists in `value` count as tuples, so `output_shapes=((2,), [None])`
    lines up with `output_types=(a, b)`.
    """
    if isinstance(template, dict):
        if not isinstance(value, dict) or set(value) != set(template):
            raise TypeError(
                f"Expected a dict with keys {sorted(template)}. "
                f"Received: {value!r}"
            )
        return [part for key in _sorted_keys(template)
                for part in flatten_up_to(template[key], value[key])]
    if isinstance(template, tuple):
        if (not isinstance(value, (tuple, list))
                or len(value) != len(template)):
            raise TypeError(
                f"Expected a sequence of {len(template)} items. "
                f"Received: {value!r}"
            )
        return [part for sub, item in zip(template, value)
                for part in flatten_up_to(sub, item)]
    return [value]


def map_structure(fn, *values):
    """Applies `fn` leafwise to structures of the same shape."""
    for other in values[1:]:
        assert_same_structure(values[0], other)
    flat = [flatten(v) for v in values]
    return pack_as(values[0], [fn(*leaves) for leaves in zip(*flat)])


def structure_signature(value):
    """A hashable description of the structure (leaves replaced by '.')."""
    if isinstance(value, dict):
        return ("dict", tuple((k, structure_signature(value[k]))
                              for k in _sorted_keys(value)))
    if isinstance(value, tuple):
        return ("tuple", tuple(structure_signature(v) for v in value))
    return "."


def assert_same_structure(expected, received, what="element"):
    if structure_signature(expected) != structure_signature(received):
        raise TypeError(
            f"The {what} structures do not match. Expected a structure like "
            f"{_describe(expected)}. Received: {_describe(received)}"
        )


def _describe(value):
    return repr(pack_as(value, ["."] * len(flatten(value))))


# --------------------------------------------------------------------------
# Leaf conversion.


class StringArray(np.ndarray):
    """A NumPy object array of strings that reads back like a TF string.

    String leaves are object arrays of `str` or `bytes` (torch has no
    strings). This subclass only adds `numpy()`, which returns what
    `tf.Tensor.numpy()` returns for a `tf.string` tensor: a plain object
    array of `bytes` (`str` encoded as UTF-8), or one `bytes` for a 0-d
    array. Indexing, reshaping and stacking keep the class.
    """

    def numpy(self):
        flat = [_as_bytes(v) for v in self.reshape(-1).tolist()]
        if self.ndim == 0:
            return flat[0]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(self.shape)


def _as_bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else value


def as_string_leaf(array):
    """`array` (of `str`/`bytes`) as a `StringArray` string leaf."""
    if isinstance(array, StringArray):
        return array
    return np.asarray(array, dtype=object).view(StringArray)


def is_string_leaf(leaf):
    return isinstance(leaf, np.ndarray) and leaf.dtype == object


def _all_strings(value):
    """Whether `value` is a (nested) list of str / bytes."""
    if isinstance(value, list):
        return bool(value) and all(_all_strings(v) for v in value)
    return isinstance(value, (str, bytes))


def _pure_python(value):
    """Whether `value` is a Python number or a (nested) list of them."""
    if isinstance(value, (list, tuple)):
        return all(_pure_python(v) for v in value)
    return type(value) in _PY_NUMBERS


def _python_default(array):
    """`tf.constant` turns Python ints/floats into int32/float32."""
    if array.dtype == np.int64:
        return array.astype(np.int32)
    if array.dtype == np.float64:
        return array.astype(np.float32)
    return array


def _strings(array, what):
    flat = array.reshape(-1)
    if all(isinstance(v, (str, bytes)) for v in flat):
        return array.astype(object)
    try:
        numbers = np.array(array.tolist())
    except (TypeError, ValueError):
        numbers = array
    if numbers.dtype.kind not in "biufc":
        kinds = sorted({type(v).__name__ for v in flat})
        raise TypeError(
            f"Expected the {what} to hold numbers or strings. Received an "
            f"object array holding values of types {kinds}"
        )
    return numbers


def _numpy_to_leaf(array, what):
    if array.dtype.kind in "US":
        return as_string_leaf(array.astype(object))
    if array.dtype == object:
        array = _strings(array, what)
        if array.dtype == object:
            return as_string_leaf(array)
    if array.dtype.kind not in "biufc":
        raise TypeError(
            f"Expected the {what} to hold numbers or strings. "
            f"Received: dtype={array.dtype}"
        )
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    # A copy: the dataset is a snapshot, like a `tf.constant`.
    return torch.from_numpy(np.array(array, order="C", copy=True))


def to_leaf(value, what="value"):
    """Converts one leaf value to a torch tensor or a NumPy string array."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if value is None:
        raise TypeError(f"Expected the {what} to be a tensor. Received: None")
    if _all_strings(value):  # keeps str and bytes apart
        return as_string_leaf(np.array(value, dtype=object))
    if isinstance(value, list) and value and all(
            isinstance(v, torch.Tensor) for v in value):
        return _stack_tensors([v.detach() for v in value], what)
    if _pure_python(value):
        return _numpy_to_leaf(_python_default(np.asarray(value)), what)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"Could not convert the {what} to a tensor: {error}. "
            f"Received: {type(value).__name__}"
        ) from None
    return _numpy_to_leaf(array, what)


def _stack_tensors(tensors, what):
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ValueError(
            f"Expected the tensors of the {what} list to share one shape. "
            f"Received shapes: {sorted(shapes)}"
        )
    return torch.stack(tensors)


def to_element(value, what="element"):
    """Converts a user structure to an element: tuples/dicts of leaves."""
    if isinstance(value, dict):
        return type(value)((k, to_element(v, what)) for k, v in value.items())
    if isinstance(value, tuple):
        items = [to_element(v, what) for v in value]
        if hasattr(value, "_fields"):
            return type(value)(*items)
        return tuple(items)
    return to_leaf(value, what)


def to_leaf_as(value, spec, what):
    """Converts `value` to the dtype of `spec` and checks its shape."""
    if spec.dtype == "string":
        leaf = as_string_leaf(np.asarray(value, dtype=object))
        if not all(isinstance(v, (str, bytes)) for v in leaf.reshape(-1)):
            _raise_type(value, spec, what)
    elif isinstance(value, torch.Tensor):
        leaf = value.detach().to(spec.torch_dtype)
    else:
        try:
            array = np.array(value, dtype=tensor_spec.numpy_dtype(spec.dtype))
        except (TypeError, ValueError):
            _raise_type(value, spec, what)
        leaf = torch.from_numpy(array).to(spec.torch_dtype)
    if not tensor_spec.shapes_compatible(spec.shape, tuple(leaf.shape)):
        raise ValueError(
            f"`{what}` yielded an element of shape {tuple(leaf.shape)} where "
            f"an element of shape {spec.shape} was expected."
        )
    return leaf


def _raise_type(value, spec, what):
    raise TypeError(
        f"`{what}` yielded an element that could not be converted to the "
        f"expected type. The expected type was {spec.dtype}, but the yielded "
        f"element was {value!r}."
    )


def spec_of(leaf):
    return tensor_spec.TensorSpec.from_tensor(leaf)


# --------------------------------------------------------------------------
# Batching helpers.


def first_dim(leaf):
    if leaf.ndim == 0:
        raise ValueError(
            "Slicing or unbatching a tensor needs rank >= 1. Received a "
            "scalar (shape=())"
        )
    return leaf.shape[0]


def stack_leaves(leaves, component):
    """Stacks the `component`-th leaf of a list of elements along axis 0."""
    first = tuple(leaves[0].shape)
    dtype = leaves[0].dtype
    for i, leaf in enumerate(leaves):
        if leaf.dtype != dtype:
            raise TypeError(
                "Cannot batch tensors of different dtypes in component "
                f"{component}. First element had dtype {dtype} and element "
                f"{i} had dtype {leaf.dtype}."
            )
        if tuple(leaf.shape) != first:
            raise ValueError(
                "Cannot batch tensors with different shapes in component "
                f"{component}. First element had shape {first} and element "
                f"{i} had shape {tuple(leaf.shape)}."
            )
    if is_string_leaf(leaves[0]):
        return as_string_leaf(np.stack(leaves))
    return torch.stack(leaves)


def row(leaf, i):
    """Row `i` of a leaf (a 0-d object array for a 1-d string leaf)."""
    if is_string_leaf(leaf):
        return leaf[i, ...]
    return leaf[i]


def unstack_leaf(leaf):
    if is_string_leaf(leaf):
        return [leaf[i, ...] for i in range(leaf.shape[0])]
    return list(leaf.unbind(0))


def to_numpy(leaf):
    """A NumPy value of a leaf, as `as_numpy_iterator` yields it."""
    if is_string_leaf(leaf):
        return leaf[()] if leaf.ndim == 0 else leaf
    array = leaf.detach().cpu()
    if array.dtype == torch.bfloat16:
        array = array.float()
    array = array.numpy()
    return array[()] if array.ndim == 0 else array
