"""Node: one layer call in the graph, its parents and its bookkeeping."""

import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.graph.node import Node


class SplitHalves(layers.Layer):
    """Two outputs: the first and second halves of the last axis."""

    def call(self, x):
        half = x.shape[-1] // 2
        return x[..., :half], x[..., half:]


class Gated(layers.Layer):
    """A layer whose second KerasTensor comes as a keyword argument."""

    def call(self, x, gate=None):
        return x * torch.sigmoid(gate)


def test_input_node():
    x = keras.Input(shape=(3,))
    input_layer = x._keras_history.layer
    (node,) = input_layer._inbound_nodes
    assert isinstance(node, Node)
    assert node.is_input
    assert node.input_tensors == [] and node.parent_nodes == []
    assert node.output_tensors == [x]
    assert node.output_shapes == (None, 3)


def test_node_links_parents_and_layers():
    x = keras.Input(shape=(3,))
    dense = layers.Dense(4)
    y = dense(x)
    node = dense._inbound_nodes[0]
    assert not node.is_input
    assert node.layer is dense
    assert node.input_tensors == [x] and node.output_tensors == [y]
    assert node.inbound_layers == [x._keras_history.layer]
    assert node.parent_nodes == x._keras_history.layer._inbound_nodes
    assert node.input_shapes == (None, 3)
    assert node.output_shapes == (None, 4)
    assert "dense" in repr(node)


def test_multi_output_layer_tensor_indices():
    x = keras.Input(shape=(6,))
    split = SplitHalves()
    left, right = split(x)
    assert left._keras_history == (split, 0, 0)
    assert right._keras_history == (split, 0, 1)
    assert left.shape == (None, 3) and right.shape == (None, 3)
    node = split._inbound_nodes[0]
    assert node.output_shapes == [(None, 3), (None, 3)]
    model = keras.Model(x, [right, left])
    out = model(torch.arange(6.0).reshape(1, 6))
    torch.testing.assert_close(out[0], torch.tensor([[3.0, 4.0, 5.0]]))
    torch.testing.assert_close(out[1], torch.tensor([[0.0, 1.0, 2.0]]))


def test_keyword_keras_tensors_are_node_inputs():
    x = keras.Input(shape=(3,))
    g = keras.Input(shape=(3,))
    gated = Gated()
    y = gated(x, gate=g)
    node = gated._inbound_nodes[0]
    assert node.input_tensors == [x, g]
    assert len(node.parent_nodes) == 2
    assert node in g._keras_history.layer._outbound_nodes
    model = keras.Model([x, g], y)
    data = torch.ones(2, 3)
    gate = torch.zeros(2, 3)
    torch.testing.assert_close(model([data, gate]), torch.full((2, 3), 0.5))


def test_same_tensor_twice_is_one_parent():
    x = keras.Input(shape=(3,))
    y = x * x
    node = y._keras_history.layer._inbound_nodes[0]
    assert len(node.input_tensors) == 2
    assert len(node.parent_nodes) == 1
