"""KerasTensor: a symbolic value with a static shape and dtype.

``Input(...)`` returns one; calling a layer on KerasTensors returns new ones
and computes nothing. Each KerasTensor remembers where it came from in
``_keras_history = (layer, node_index, tensor_index)``: the layer that made
it, which of that layer's calls (``layer._inbound_nodes[node_index]``) and
which of that call's outputs. ``Model(inputs, outputs)`` walks these
histories back to the inputs.
"""

import collections

from torchkeras.backend.config import standardize_dtype
from torchkeras.utils.registry import keras_export

KerasHistory = collections.namedtuple(
    "KerasHistory", ["layer", "node_index", "tensor_index"]
)


@keras_export("keras.KerasTensor")
class KerasTensor:
    """A symbolic tensor: ``shape`` (``None`` for unknown dims), ``dtype``.

    Args:
        shape: tuple of ints or ``None``; the first dim is the batch.
        dtype: Keras dtype name (``'float32'``, ``'int64'``, ``'string'``).
        name: optional name, taken from the layer that produced it.
        sparse: accepted for Keras compatibility (torchkeras has no sparse
            tensors).

    Examples:
        >>> x = keras.KerasTensor((None, 3))
        >>> x
        <KerasTensor shape=(None, 3), dtype=float32, name=None>
        >>> keras.layers.Dense(2)(x).shape
        (None, 2)
    """

    def __init__(self, shape, dtype="float32", name=None, sparse=False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.name = name
        self.sparse = sparse
        self._keras_history = None
        self._keras_mask = None

    @property
    def ndim(self):
        return len(self.shape)

    def get_shape(self):
        return self.shape

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}>")

    def __len__(self):
        raise TypeError(
            "A KerasTensor has no length: it is symbolic. Use `x.shape`."
        )

    def __iter__(self):
        raise TypeError(
            "A KerasTensor is symbolic and cannot be iterated. You may be "
            "calling a torch function on it: wrap that code in a "
            "`layers.Lambda` layer or a custom Layer."
        )

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be used as a Python bool. Wrap "
            "the computation in a `layers.Lambda` or a custom Layer."
        )

    # Operators on KerasTensors record op nodes (``keras.ops``), as tf.keras
    # records TFOpLambda layers and Keras 3 its operations: `x * 2 + 1`
    # works inside a functional model.
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().divide(self, other)

    def __rtruediv__(self, other):
        return _ops().divide(other, self)

    def __floordiv__(self, other):
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops().floor_divide(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().absolute(self)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

    def __and__(self, other):
        return _ops().logical_and(self, other)

    def __rand__(self, other):
        return _ops().logical_and(other, self)

    def __or__(self, other):
        return _ops().logical_or(self, other)

    def __ror__(self, other):
        return _ops().logical_or(other, self)

    def __xor__(self, other):
        return _ops().logical_xor(self, other)

    def __rxor__(self, other):
        return _ops().logical_xor(other, self)

    def __invert__(self):
        return _ops().logical_not(self)

    def __getitem__(self, key):
        return _ops().get_item(self, key)

    __hash__ = object.__hash__


def _ops():
    from torchkeras.ops import numpy as ops_numpy

    return ops_numpy


def is_keras_tensor(x):
    """True for symbolic tensors made by ``Input`` or a layer call."""
    return isinstance(x, KerasTensor)


def source_inputs(tensor):
    """The input tensors `tensor` is computed from (``Input``s), as a list.

    ``keras.utils.get_source_inputs``: walks the tensor's history back to
    the input nodes; each source appears once, in the order first reached.
    A value without a history is returned as is.

    Args:
        tensor: A `KerasTensor` (or a value without a history).

    Returns:
        The list of the `Input` tensors `tensor` depends on.

    Examples:
        >>> a = keras.Input((2,), name="a")
        >>> b = keras.Input((3,), name="b")
        >>> outputs = keras.layers.concatenate([a, keras.layers.Dense(2)(b)])
        >>> [x.name for x in keras.utils.get_source_inputs(outputs)]
        ['a', 'b']
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor if not isinstance(tensor, KerasTensor) else [tensor]
    layer, node_index, _ = history
    if not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return list(node.output_tensors)
    sources = []
    for parent in node.input_tensors:
        for x in source_inputs(parent):
            if all(x is not s for s in sources):
                sources.append(x)
    return sources
