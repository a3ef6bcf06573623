"""Node: one call of a layer inside the functional graph.

A Node is created every time a layer is called on KerasTensors. It holds the
layer, the call's arguments (with the KerasTensors in place) and the output
KerasTensors. The graph is a DAG: the parents of a node are the nodes that
produced its input tensors (``parent_nodes``), found through each tensor's
``_keras_history``. The node is appended to ``layer._inbound_nodes`` and to
the ``_outbound_nodes`` of every layer that produced one of its inputs, as
tf.keras records them. Running the graph is the Functional model's job.
"""

from torchkeras.graph.keras_tensor import KerasHistory
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.utils import tree


class Node:
    """One call of ``layer`` on symbolic ``call_args``/``call_kwargs``."""

    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        flat = tree.flatten((self.call_args, self.call_kwargs))
        self.input_tensors = [x for x in flat if isinstance(x, KerasTensor)]
        self.output_tensors = [
            x for x in tree.flatten(outputs) if isinstance(x, KerasTensor)
        ]
        self.is_input = not self.input_tensors
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for tensor_index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = KerasHistory(layer, node_index,
                                                 tensor_index)
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                tensor._keras_history.layer._outbound_nodes.append(self)

    @property
    def parent_nodes(self):
        parents = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None:
                node = history.layer._inbound_nodes[history.node_index]
                if node not in parents:
                    parents.append(node)
        return parents

    @property
    def inbound_layers(self):
        return [t._keras_history.layer for t in self.input_tensors
                if t._keras_history is not None]

    @property
    def input_shapes(self):
        shapes = [t.shape for t in self.input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shapes(self):
        shapes = [t.shape for t in self.output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    def __repr__(self):
        return f"<Node layer={self.layer.name} inputs={self.input_shapes}>"
