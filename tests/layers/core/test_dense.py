"""Dense against NumPy on every branch of its call: 2-D inputs with a bias
(one addmm), N-D inputs, no bias, a frozen layer (weights as buffers), and
each activation path (linear, softmax, others)."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def _np_softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


_ACTIVATIONS = {
    None: lambda z: z,
    "softmax": _np_softmax,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
}


@pytest.mark.parametrize("activation", list(_ACTIVATIONS))
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4)])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("frozen", [False, True])
def test_dense_matches_numpy(activation, shape, use_bias, frozen):
    layer = layers.Dense(3, activation=activation, use_bias=use_bias)
    layer.build((None, 4))
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((4, 3)).astype("float32")]
    if use_bias:
        weights.append(rng.standard_normal(3).astype("float32"))
    layer.set_weights(weights)
    if frozen:
        layer.trainable = False
    x = rng.standard_normal(shape).astype("float32")
    z = x @ weights[0] + (weights[1] if use_bias else 0)
    out = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(),
                               _ACTIVATIONS[activation](z), rtol=1e-5,
                               atol=1e-6)
    assert layer.trainable_weights == ([] if frozen else layer.weights)


def test_dense_gradients_match_numpy_in_a_model():
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(3, name="d")(inputs))
    rng = np.random.default_rng(1)
    kernel, bias = rng.standard_normal((4, 3)), rng.standard_normal(3)
    model.set_weights([kernel.astype("float32"), bias.astype("float32")])
    x = rng.standard_normal((6, 4)).astype("float32")
    out = model(torch.from_numpy(x), training=True)
    out.sum().backward()
    layer = model.get_layer("d")
    np.testing.assert_allclose(layer.kernel.grad.numpy(),
                               x.T @ np.ones((6, 3)), rtol=1e-5)
    np.testing.assert_allclose(layer.bias.grad.numpy(), np.full(3, 6.0))
