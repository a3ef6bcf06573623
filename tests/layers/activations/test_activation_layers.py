"""Tests for layers.ReLU, LeakyReLU, ELU, PReLU and Softmax against NumPy."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test

X = np.array([[-10.0, -5.0, -0.5, 0.0, 0.5, 5.0, 10.0]], dtype="float32")


def numpy_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.minimum(out, max_value)


@pytest.mark.parametrize("layer_cls, kwargs", [
    (layers.ReLU, {"max_value": 6.0}),
    (layers.LeakyReLU, {"negative_slope": 0.1}),
    (layers.ELU, {"alpha": 0.5}),
    (layers.Softmax, {"axis": -1}),
])
def test_activation_layers_standard_checks(layer_cls, kwargs):
    run_layer_test(layer_cls, kwargs, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0, supports_masking=True,
                   stochastic=False, assert_built_after_instantiation=True)


@pytest.mark.parametrize("kwargs", [
    {}, {"max_value": 6.0}, {"negative_slope": 0.5},
    {"max_value": 10.0, "negative_slope": 0.5, "threshold": 1.0},
    {"threshold": 2.0},
])
def test_relu_matches_numpy(kwargs):
    out = layers.ReLU(**kwargs)(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, numpy_relu(X, **kwargs), rtol=1e-6)


def test_relu_invalid_arguments():
    for kwargs in ({"max_value": -1}, {"negative_slope": -0.1},
                   {"threshold": None}):
        with pytest.raises(ValueError, match="ReLU"):
            layers.ReLU(**kwargs)


def test_leaky_relu_default_and_tf_keras_alpha():
    out = layers.LeakyReLU()(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, np.where(X > 0, X, 0.3 * X), rtol=1e-6)
    layer = layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    assert layer.get_config()["negative_slope"] == 0.2
    revived = layers.LeakyReLU.from_config({"name": "l", "alpha": 0.1})
    assert revived.negative_slope == 0.1
    with pytest.raises(ValueError, match="negative_slope=-1"):
        layers.LeakyReLU(-1)


def test_elu_matches_numpy():
    out = layers.ELU(alpha=0.7)(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, np.where(X > 0, X, 0.7 * np.expm1(X)),
                               rtol=1e-6)


def test_prelu_standard_checks():
    run_layer_test(layers.PReLU, {"alpha_initializer": "ones",
                                  "shared_axes": [1]},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1, stochastic=False)


def test_prelu_shared_axes_and_values():
    layer = layers.PReLU(shared_axes=[1, 2])
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    layer.build(x.shape)
    assert tuple(layer.alpha.shape) == (1, 1, 5)
    alpha = np.linspace(0.1, 0.5, 5).reshape(1, 1, 5).astype("float32")
    layer.set_weights([alpha])
    out = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, np.where(x > 0, x, alpha * x),
                               rtol=1e-6)
    assert layers.PReLU(shared_axes=2).get_config()["shared_axes"] == [2]


def test_prelu_default_zero_slopes_and_bad_shared_axes():
    layer = layers.PReLU()
    x = torch.from_numpy(X)
    np.testing.assert_allclose(layer(x).detach().numpy(), np.maximum(X, 0))
    assert layer.get_weights()[0].shape == (7,)
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU(shared_axes=[0])(keras.Input(shape=(3, 4)))


def test_softmax_matches_numpy_and_axes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    e = np.exp(x - x.max(axis=1, keepdims=True))
    out = layers.Softmax(axis=1)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(out, e / e.sum(axis=1, keepdims=True),
                               rtol=1e-6)
    out = layers.Softmax(axis=[1, 2])(torch.from_numpy(x)).numpy()
    e = np.exp(x - x.max(axis=(1, 2), keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(axis=(1, 2), keepdims=True),
                               rtol=1e-6)


def test_softmax_with_mask():
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    mask = torch.tensor([[True, True, False, True]])
    out = layers.Softmax()(x, mask=mask).numpy()
    logits = np.array([1.0, 2.0, 4.0])
    ref = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(out[0, [0, 1, 3]], ref, rtol=1e-6)
    assert out[0, 2] < 1e-30
    # The caller's tensor is left unchanged (Keras adds in place).
    assert torch.equal(x, torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
