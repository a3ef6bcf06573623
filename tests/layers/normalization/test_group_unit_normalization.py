"""Tests for layers.GroupNormalization and layers.UnitNormalization."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


def numpy_group_norm(x, groups, gamma, beta, eps):
    """Keras's formula for channels-last inputs (batch, ..., channels)."""
    n, c = x.shape[0], x.shape[-1]
    g = x.reshape(n, -1, groups, c // groups)
    mean = g.mean(axis=(1, 3), keepdims=True)
    var = g.var(axis=(1, 3), keepdims=True)
    out = ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return out * gamma + beta


def test_group_normalization_standard_checks():
    run_layer_test(layers.GroupNormalization, {"groups": 2},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=2, supports_masking=True,
                   stochastic=False)


@pytest.mark.parametrize("groups, shape", [
    (2, (3, 5, 4)), (3, (2, 4, 4, 6)), (-1, (2, 7, 3)), (1, (2, 3, 5)),
])
def test_group_normalization_matches_numpy(groups, shape):
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, shape)
    c = shape[-1]
    layer = layers.GroupNormalization(groups=groups, dtype="float64")
    layer.build(shape)
    gamma, beta = rng.uniform(0.5, 1.5, c), rng.uniform(-1, 1, c)
    layer.set_weights([gamma, beta])
    expected = numpy_group_norm(x, c if groups == -1 else groups, gamma,
                                beta, 1e-3)
    out = layer(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)


def test_group_normalization_channels_first_axis():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 3, 3))
    layer = layers.GroupNormalization(groups=2, axis=1, dtype="float64")
    out = layer(torch.from_numpy(x)).detach().numpy()
    expected = numpy_group_norm(np.moveaxis(x, 1, -1), 2, 1.0, 0.0, 1e-3)
    np.testing.assert_allclose(out, np.moveaxis(expected, -1, 1),
                               rtol=1e-9, atol=1e-9)


def test_group_normalization_bad_groups_raise():
    with pytest.raises(ValueError, match="multiple of the number of groups"):
        layers.GroupNormalization(groups=3)(keras.Input(shape=(5, 4)))
    with pytest.raises(ValueError, match="defined dimension"):
        layers.GroupNormalization(groups=2)(keras.Input(shape=(5, None)))


def test_unit_normalization_standard_checks():
    run_layer_test(layers.UnitNormalization, {"axis": [1, 2]},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   supports_masking=True, stochastic=False,
                   assert_built_after_instantiation=True)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_unit_normalization_matches_numpy(axis):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 4))
    out = layers.UnitNormalization(axis=axis, dtype="float64")(
        torch.from_numpy(x)).numpy()
    axes = tuple(axis) if isinstance(axis, list) else axis
    square_sum = (x ** 2).sum(axis=axes, keepdims=True)
    np.testing.assert_allclose(out, x / np.sqrt(np.maximum(square_sum,
                                                           1e-12)),
                               rtol=1e-12)


def test_unit_normalization_zero_input_and_bad_axis():
    out = layers.UnitNormalization()(torch.zeros(2, 3))
    assert torch.equal(out, torch.zeros(2, 3))
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="last")
