"""Op layers: arithmetic and indexing on KerasTensors.

``x * 2 + 1`` or ``x[:, 0]`` inside a functional model records a small layer
for each operation (tf.keras's ``TFOpLambda``), so the graph stays a graph of
layers. The operation runs with torch's own operators.
"""

import operator

import torch

from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.layers.layer import Layer

_OPS = {
    "add": operator.add,
    "radd": lambda a, b: b + a,
    "sub": operator.sub,
    "rsub": lambda a, b: b - a,
    "mul": operator.mul,
    "rmul": lambda a, b: b * a,
    "truediv": operator.truediv,
    "rtruediv": lambda a, b: b / a,
    "matmul": operator.matmul,
    "pow": operator.pow,
    "neg": operator.neg,
    "abs": operator.abs,
    "getitem": operator.getitem,
}


class OpLayer(Layer):
    """Applies one named operator to its inputs (``x`` and an operand)."""

    def __init__(self, op, operand=None, **kwargs):
        kwargs.setdefault("name", None)
        super().__init__(**kwargs)
        if op not in _OPS:
            raise ValueError(
                f"Unknown op for OpLayer. Expected one of {sorted(_OPS)}. "
                f"Received: op={op!r}"
            )
        self.op = op
        self._fn = _OPS[op]
        self.operand = operand
        self.supports_masking = True

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return self._fn(*inputs)
        if self.op in ("neg", "abs"):
            return self._fn(inputs)
        operand = self.operand
        if operand is not None and not torch.is_tensor(operand) and (
                self.op != "getitem"):
            operand = torch.as_tensor(operand, dtype=inputs.dtype,
                                      device=inputs.device)
        return self._fn(inputs, operand)

    def get_config(self):
        config = super().get_config()
        operand = self.operand
        if isinstance(operand, slice) or (
                isinstance(operand, tuple)
                and any(isinstance(o, slice) for o in operand)):
            operand = _serialize_index(operand)
        config.update({"op": self.op, "operand": operand})
        return config


def _serialize_index(index):
    if isinstance(index, slice):
        return {"slice": [index.start, index.stop, index.step]}
    return [_serialize_index(i) if isinstance(i, slice) else i
            for i in index]


def apply_op(op, tensor, other=None):
    """Records ``op(tensor, other)`` as an OpLayer node."""
    if isinstance(other, KerasTensor):
        return OpLayer(op)([tensor, other])
    if op == "getitem" and isinstance(other, tuple) and any(
            isinstance(o, KerasTensor) for o in other):
        raise TypeError("Indexing a KerasTensor with a KerasTensor is not "
                        "supported; use a Lambda layer.")
    return OpLayer(op, operand=other)(tensor)
