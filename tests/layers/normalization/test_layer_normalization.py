"""Tests for layers.LayerNormalization against NumPy."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


def numpy_layer_norm(x, axes, gamma, beta, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_layer_normalization_standard_checks():
    run_layer_test(layers.LayerNormalization, {}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0,
                   supports_masking=True, stochastic=False)
    run_layer_test(layers.LayerNormalization,
                   {"axis": [1, 2], "rms_scaling": True},
                   input_shape=(2, 3, 4), expected_num_trainable_weights=1,
                   stochastic=False)


@pytest.mark.parametrize("axis", [-1, [1, 2], [-2, -1], 1, [1, 3]])
def test_layer_normalization_matches_numpy(axis):
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (3, 4, 5, 6))
    layer = layers.LayerNormalization(axis=axis, epsilon=1e-3,
                                      dtype="float64")
    layer.build(x.shape)
    axes = [axis] if isinstance(axis, int) else axis
    wshape = tuple(x.shape[a] for a in axes)
    gamma = rng.uniform(0.5, 1.5, wshape)
    beta = rng.uniform(-1, 1, wshape)
    layer.set_weights([gamma, beta])
    bshape = [1] * 4
    for a in axes:
        bshape[a] = x.shape[a]
    expected = numpy_layer_norm(x, tuple(a % 4 for a in axes),
                                gamma.reshape(bshape), beta.reshape(bshape),
                                1e-3)
    out = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


def test_layer_normalization_rms_scaling_uses_variance_like_keras():
    x = np.array([[1.0, 2.0, 3.0, 6.0]])
    layer = layers.LayerNormalization(rms_scaling=True, dtype="float64")
    out = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, x / np.sqrt(x.var() + 1e-3), rtol=1e-12)
    assert layer.beta is None and layer.gamma is not None


def test_layer_normalization_center_scale_flags():
    layer = layers.LayerNormalization(center=False, scale=False)
    out = layer(torch.tensor([[1.0, 3.0]]))
    assert layer.weights == []
    np.testing.assert_allclose(out.numpy(), [[-1.0, 1.0]], atol=1e-3)


def test_layer_normalization_functional_shape_and_bad_axis():
    inputs = keras.Input(shape=(5, 4))
    assert layers.LayerNormalization()(inputs).shape == (None, 5, 4)
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        layers.LayerNormalization(axis=3)(inputs)
    with pytest.raises(TypeError, match="axis='x'"):
        layers.LayerNormalization(axis="x")
