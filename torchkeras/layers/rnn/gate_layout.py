"""Keras <-> torch layouts of gated recurrent weights.

Keras stores a recurrent kernel as ``(input_dim, gates * units)`` with the
gates in Keras's order (GRU ``z, r, h``; LSTM ``i, f, c, o``); torch's
``nn.GRU``/``nn.LSTM`` keep ``(gates * units, input_dim)`` in torch's order
(GRU ``r, z, n``; LSTM ``i, f, g, o``). Biases keep their shape and only
have their gate blocks reordered (GRU ``reset_after=True``: ``(2, 3u)``,
rows input and recurrent bias; otherwise ``(gates * u,)``).

``GateLayout`` converts tensors both ways with torch ops (so a constraint
or regularizer written for Keras's layout can run on the stored weight, with
gradients) and wraps initializers, regularizers and constraints so that they
see Keras's layout.
"""

import torch


def _reorder_gates(x, order):
    """``x``'s last axis split in ``len(order)`` blocks, taken in ``order``."""
    if tuple(order) == tuple(range(len(order))):
        return x
    blocks = torch.chunk(x, len(order), dim=-1)
    return torch.cat([blocks[i] for i in order], dim=-1)


class GateLayout:
    """Converts recurrent weights between Keras's and torch's layouts.

    Args:
        torch_gates: for each torch gate block, the index of the Keras gate
            it holds (GRU: ``(1, 0, 2)`` since torch's ``r, z, n`` are
            Keras's gates 1, 0, 2 of ``z, r, h``).
    """

    def __init__(self, torch_gates):
        self.to_torch_order = tuple(torch_gates)
        inverse = [0] * len(torch_gates)
        for torch_index, keras_index in enumerate(torch_gates):
            inverse[keras_index] = torch_index
        self.to_keras_order = tuple(inverse)

    def to_torch(self, kind, value):
        """``value`` in Keras layout -> torch layout (``kind``: 'kernel' or
        'bias')."""
        value = _reorder_gates(value, self.to_torch_order)
        return value.transpose(0, 1) if kind == "kernel" else value

    def to_keras(self, kind, value):
        """Inverse of ``to_torch``."""
        if kind == "kernel":
            value = value.transpose(0, 1)
        return _reorder_gates(value, self.to_keras_order)

    @staticmethod
    def keras_shape(kind, torch_shape):
        if kind == "kernel":
            return (torch_shape[1], torch_shape[0])
        return tuple(torch_shape)

    def initializer(self, kind, init, keras_shape):
        """An initializer drawing in Keras's shape, returning torch layout.

        Fans (Glorot) and orthogonality then follow Keras's weight shape.
        """

        def initialize(shape, dtype=None):
            value = torch.as_tensor(init(keras_shape, dtype=dtype))
            return self.to_torch(kind, value).contiguous()

        return initialize

    def regularizer(self, kind, regularizer):
        if regularizer is None:
            return None
        return lambda w: regularizer(self.to_keras(kind, w))

    def constraint(self, kind, constraint):
        if constraint is None:
            return None
        return lambda w: self.to_torch(kind, constraint(self.to_keras(kind,
                                                                      w)))
