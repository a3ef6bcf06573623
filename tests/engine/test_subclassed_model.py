"""Subclassed models: ``call`` with sublayers, an optional ``build``, layer
tracking through attributes and lists, and use inside functional graphs."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def rand(*shape):
    return np.random.RandomState(0).randn(*shape).astype("float32")


class TwoDense(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(4, activation="relu")
        self.d2 = layers.Dense(2)

    def call(self, x, training=None):
        return self.d2(self.d1(x))


class ScaleModel(keras.Model):
    """Creates its own weight in ``build``."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],),
                                     initializer="ones", name="scale")

    def call(self, x):
        return x * self.scale


def test_subclassed_lazy_until_called():
    model = TwoDense(name="two")
    assert model.name == "two"
    assert not model._is_graph_network
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.weights == []
    x = rand(3, 5)
    out = model(x)
    assert tuple(out.shape) == (3, 2)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(out.detach().numpy(),
                               np.maximum(x @ k1 + b1, 0) @ k2 + b2,
                               rtol=1e-5, atol=1e-6)
    assert [w.name for w in model.weights] == [
        "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2


def test_subclassed_build_with_shape():
    model = TwoDense()
    model.build((None, 3))
    assert model.built
    assert model.layers[0].kernel.shape == (3, 4)


def test_subclassed_own_build_and_weight():
    model = ScaleModel()
    model.build((None, 3))
    assert [w.name for w in model.weights] == ["scale_model/scale"]
    model.scale.data.copy_(torch.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(model(np.ones((2, 3), "float32")).numpy(
        force=True), [[1, 2, 3], [1, 2, 3]])


def test_subclassed_build_on_first_call():
    model = ScaleModel()
    out = model(torch.ones(2, 4))
    assert tuple(out.shape) == (2, 4)
    assert model.scale.shape == (4,)


def test_subclassed_layers_in_list_are_tracked():
    class Stack(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(3), layers.Dense(2)]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = Stack()
    model(rand(1, 4))
    assert len(model.layers) == 2
    assert len(model.weights) == 4
    assert len(list(model.parameters())) == 4


def test_subclassed_has_no_graph_attributes():
    model = TwoDense()
    model(rand(1, 3))
    with pytest.raises(AttributeError):
        _ = model.inputs


def test_subclassed_model_without_call_raises():
    with pytest.raises(NotImplementedError, match="call"):
        keras.Model()(rand(1, 3))


def test_subclassed_model_in_functional_graph():
    inner = TwoDense()
    x = keras.Input(shape=(3,))
    y = layers.Dense(1)(inner(x))
    model = keras.Model(x, y)
    assert y.shape == (None, 1)
    assert inner in model.layers
    data = rand(4, 3)
    k1, b1, k2, b2, k3, b3 = model.get_weights()
    expected = (np.maximum(data @ k1 + b1, 0) @ k2 + b2) @ k3 + b3
    np.testing.assert_allclose(model(data).detach().numpy(), expected,
                               rtol=1e-5, atol=1e-6)


def test_training_flag_reaches_call():
    seen = []

    class Probe(keras.Model):
        def call(self, x, training=None):
            seen.append(training)
            return x

    model = Probe()
    model(torch.ones(1, 2))
    model(torch.ones(1, 2), training=True)
    assert seen == [False, True]
