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

KerasHistory = collections.namedtuple(
    "KerasHistory", ["layer", "node_index", "tensor_index"]
)


class KerasTensor:
    """A symbolic tensor: ``shape`` (``None`` for unknown dims), ``dtype``.

    Args:
        shape: tuple of ints or ``None``; the first dim is the batch.
        dtype: Keras dtype name (``'float32'``, ``'int64'``, ``'string'``).
        name: optional name, taken from the layer that produced it.
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

    # Arithmetic on KerasTensors records an op layer, as tf.keras's
    # TFOpLambda does, so `x * 2 + 1` works inside a functional model.
    def _op(self, fn_name, *args):
        from torchkeras.layers.core.op_layer import apply_op

        return apply_op(fn_name, self, *args)

    def __add__(self, other):
        return self._op("add", other)

    def __radd__(self, other):
        return self._op("radd", other)

    def __sub__(self, other):
        return self._op("sub", other)

    def __rsub__(self, other):
        return self._op("rsub", other)

    def __mul__(self, other):
        return self._op("mul", other)

    def __rmul__(self, other):
        return self._op("rmul", other)

    def __truediv__(self, other):
        return self._op("truediv", other)

    def __rtruediv__(self, other):
        return self._op("rtruediv", other)

    def __matmul__(self, other):
        return self._op("matmul", other)

    def __pow__(self, other):
        return self._op("pow", other)

    def __neg__(self):
        return self._op("neg")

    def __abs__(self):
        return self._op("abs")

    def __getitem__(self, key):
        return self._op("getitem", key)

    __hash__ = object.__hash__


def is_keras_tensor(x):
    """True for symbolic tensors made by ``Input`` or a layer call."""
    return isinstance(x, KerasTensor)


def any_symbolic(flat):
    return any(isinstance(x, KerasTensor) for x in flat)
