"""Tests for layers.Dropout, GaussianNoise, GaussianDropout, AlphaDropout
and ActivityRegularization."""

import math

import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("layer_cls, kwargs", [
    (layers.Dropout, {"rate": 0.5}),
    (layers.Dropout, {"rate": 0.5, "noise_shape": [None, 1, None],
                      "seed": 3}),
    (layers.GaussianNoise, {"stddev": 0.5}),
    (layers.GaussianDropout, {"rate": 0.3}),
    (layers.AlphaDropout, {"rate": 0.3, "seed": 1}),
])
def test_noise_layers_standard_checks(layer_cls, kwargs):
    run_layer_test(layer_cls, kwargs, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0,
                   supports_masking=True, stochastic=True,
                   assert_built_after_instantiation=True)


def test_dropout_rate_statistics_and_scaling():
    x = torch.ones(200, 500)
    y = layers.Dropout(0.3)(x, training=True)
    kept = y != 0
    # 100k Bernoulli(0.7) draws: the kept fraction is within 5 sigma.
    assert abs(kept.float().mean().item() - 0.7) < 5 * math.sqrt(
        0.21 / x.numel())
    np.testing.assert_allclose(y[kept].numpy(), 1 / 0.7, rtol=1e-6)


def test_dropout_inference_is_identity():
    x = torch.randn(4, 5)
    layer = layers.Dropout(0.9)
    assert torch.equal(layer(x), x)
    assert torch.equal(layer(x, training=False), x)
    assert torch.equal(layers.Dropout(0.0)(x, training=True), x)


def test_dropout_noise_shape_shares_mask():
    x = torch.ones(8, 50, 6)
    y = layers.Dropout(0.5, noise_shape=(None, 1, None))(x, training=True)
    # Every timestep of a (sample, feature) pair is kept or dropped alike.
    assert torch.equal(y.amax(dim=1), y.amin(dim=1))
    assert set(torch.unique(y).tolist()) <= {0.0, 2.0}


def test_dropout_seed_reproducible():
    x = torch.ones(10, 10)
    a = layers.Dropout(0.5, seed=7)(x, training=True)
    b = layers.Dropout(0.5, seed=7)(x, training=True)
    assert torch.equal(a, b)


def test_dropout_rate_one_drops_everything():
    x = torch.randn(3, 4)
    y = layers.Dropout(1.0, noise_shape=(None, 4))(x, training=True)
    assert torch.equal(y, torch.zeros_like(x))


@pytest.mark.parametrize("kwargs, match", [
    ({"rate": 1.5}, "rate=1.5"),
    ({"rate": -0.1}, "rate=-0.1"),
    ({"rate": 0.5, "noise_shape": "abc"}, "noise_shape"),
    ({"rate": 0.5, "noise_shape": (None, 0)}, "noise_shape"),
])
def test_dropout_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Dropout(**kwargs)


def test_dropout_training_flag_from_module_mode():
    layer = layers.Dropout(0.5)
    layer.train()
    y = layer(torch.ones(100, 100))
    assert (y == 0).any()


def test_gaussian_noise_statistics():
    x = torch.zeros(300, 300)
    y = layers.GaussianNoise(0.5)(x, training=True)
    assert abs(y.mean().item()) < 0.01
    assert abs(y.std().item() - 0.5) < 0.01
    assert torch.equal(layers.GaussianNoise(0.5)(x), x)


def test_gaussian_noise_rejects_negative_stddev():
    with pytest.raises(ValueError, match="stddev=-1"):
        layers.GaussianNoise(-1)


def test_gaussian_dropout_statistics():
    x = torch.ones(300, 300)
    y = layers.GaussianDropout(0.2)(x, training=True)
    assert abs(y.mean().item() - 1.0) < 0.01
    assert abs(y.std().item() - math.sqrt(0.2 / 0.8)) < 0.01


def test_alpha_dropout_keeps_selu_statistics():
    torch.manual_seed(0)
    x = torch.randn(300, 300)
    y = layers.AlphaDropout(0.2)(x, training=True)
    # Keras's affine correction keeps mean 0 and variance 1.
    assert abs(y.mean().item()) < 0.02
    assert abs(y.var().item() - 1.0) < 0.02
    # Dropped units all take one value: a * (-alpha * scale) + b.
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = a * alpha_p + (-a * alpha_p * 0.2)
    frac = (y - dropped).abs().lt(1e-5).float().mean().item()
    assert abs(frac - 0.2) < 0.01


def test_activity_regularization_adds_l1_l2_penalty():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert torch.equal(layer(x), x)
    assert len(layer.losses) == 1
    raw = 0.1 * np.abs(x.numpy()).sum() + 0.01 * (x.numpy() ** 2).sum()
    # The base layer divides activity penalties by the batch size
    # (tf.keras 2's rule).
    assert layer.losses[0].item() == pytest.approx(raw / 2, rel=1e-6)
    config = layer.get_config()
    assert config["l1"] == 0.1 and config["l2"] == 0.01
    assert "activity_regularizer" not in config


def test_activity_regularization_standard_checks():
    run_layer_test(layers.ActivityRegularization, {"l1": 0.1, "l2": 0.1},
                   input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_losses=1, supports_masking=True,
                   stochastic=False)
