"""Tests for layers.BatchNormalization against a NumPy version of Keras 3's
formulas (biased batch variance for normalizing *and* for the moving
variance update)."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


class NumpyBatchNorm:
    """Keras 3's BatchNormalization, written with NumPy (float64)."""

    def __init__(self, channels, axis, momentum, epsilon, gamma, beta):
        self.axis, self.m, self.eps = axis, momentum, epsilon
        self.gamma, self.beta = gamma, beta
        self.moving_mean = np.zeros(channels)
        self.moving_var = np.ones(channels)

    def _shape(self, x):
        shape = [1] * x.ndim
        shape[self.axis] = x.shape[self.axis]
        return shape

    def __call__(self, x, training):
        dims = tuple(d for d in range(x.ndim) if d != self.axis % x.ndim)
        if training:
            mean, var = x.mean(axis=dims), x.var(axis=dims)
            self.moving_mean = self.moving_mean * self.m + mean * (1 - self.m)
            self.moving_var = self.moving_var * self.m + var * (1 - self.m)
        else:
            mean, var = self.moving_mean, self.moving_var
        s = self._shape(x)
        return ((x - mean.reshape(s)) / np.sqrt(var.reshape(s) + self.eps)
                * self.gamma.reshape(s) + self.beta.reshape(s))


def test_batch_normalization_standard_checks():
    run_layer_test(layers.BatchNormalization, {"momentum": 0.9},
                   input_shape=(4, 3, 5), expected_output_shape=(4, 3, 5),
                   expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=2,
                   supports_masking=True, stochastic=False)
    run_layer_test(layers.BatchNormalization,
                   {"axis": 1, "center": False, "scale": False},
                   input_shape=(4, 3, 2, 2),
                   expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=2, stochastic=False)


@pytest.mark.parametrize("axis, shape", [
    (-1, (8, 3)), (-1, (6, 4, 5, 3)), (1, (6, 3, 4, 5)), (2, (5, 4, 3, 2)),
])
def test_batch_normalization_matches_numpy_over_steps(axis, shape):
    rng = np.random.default_rng(0)
    channels = shape[axis]
    gamma = rng.uniform(0.5, 1.5, channels)
    beta = rng.uniform(-1, 1, channels)
    layer = layers.BatchNormalization(axis=axis, momentum=0.8,
                                      epsilon=1e-3, dtype="float64")
    layer.build(shape)
    layer.set_weights([gamma, beta, np.zeros(channels), np.ones(channels)])
    ref = NumpyBatchNorm(channels, axis, 0.8, 1e-3, gamma, beta)
    for step in range(4):
        x = rng.normal(step, 2.0 + step, shape)
        got = layer(torch.from_numpy(x), training=True)
        np.testing.assert_allclose(got.detach().numpy(), ref(x, True),
                                   rtol=1e-10, atol=1e-10)
    weights = layer.get_weights()
    np.testing.assert_allclose(weights[2], ref.moving_mean, rtol=1e-12)
    np.testing.assert_allclose(weights[3], ref.moving_var, rtol=1e-12)
    x = rng.normal(1.0, 3.0, shape)
    np.testing.assert_allclose(layer(torch.from_numpy(x)).detach().numpy(),
                               ref(x, False), rtol=1e-10, atol=1e-10)


def test_batch_normalization_float32_close_to_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, (16, 4)).astype("float32")
    layer = layers.BatchNormalization(momentum=0.5)
    got = layer(torch.from_numpy(x), training=True)
    ref = NumpyBatchNorm(4, -1, 0.5, 1e-3, np.ones(4), np.zeros(4))
    np.testing.assert_allclose(got.detach().numpy(),
                               ref(x.astype("float64"), True), atol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), ref.moving_var,
                               rtol=1e-5)


def test_batch_normalization_one_value_per_channel():
    # torch's kernel refuses a batch of one value per channel; Keras
    # normalizes it to beta (zero variance).
    layer = layers.BatchNormalization(beta_initializer="ones")
    x = torch.tensor([[2.0, -1.0, 4.0]])
    np.testing.assert_allclose(layer(x, training=True).detach().numpy(),
                               [[1.0, 1.0, 1.0]])
    np.testing.assert_allclose(layer.moving_mean.numpy(),
                               0.01 * np.array([2.0, -1.0, 4.0]), rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.99,
                               rtol=1e-6)


def test_batch_normalization_masked_moments_match_keras_formula():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 2))
    mask = rng.uniform(size=(3, 5)) > 0.4
    layer = layers.BatchNormalization(momentum=0.0, dtype="float64")
    out = layer(torch.from_numpy(x), training=True,
                mask=torch.from_numpy(mask))
    w = mask[..., None].astype("float64")
    total = w.sum(axis=(0, 1)) + 1e-7
    mean = (w * x).sum(axis=(0, 1)) / total
    var = (w * (w * x - mean) ** 2).sum(axis=(0, 1)) / total
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-10)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var,
                               rtol=1e-10)
    np.testing.assert_allclose(out.detach().numpy(),
                               (x - mean) / np.sqrt(var + 1e-3), rtol=1e-9)
    with pytest.raises(ValueError, match="one dimension less"):
        layer(torch.from_numpy(x), training=True,
              mask=torch.ones(3, 5, 2, dtype=torch.bool))


def test_batch_normalization_trainable_false_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    x = torch.randn(8, 3) * 5 + 2
    layer(x, training=True)
    before = [w.copy() for w in layer.get_weights()]
    layer.trainable = False
    out = layer(x, training=True)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    mm, mv = before[2], before[3]
    np.testing.assert_allclose(out.detach().numpy(), (x.numpy() - mm) /
                               np.sqrt(mv + 1e-3), rtol=1e-5, atol=1e-6)
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 4


def test_batch_normalization_gradients_match_autograd_reference():
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    layer = layers.BatchNormalization(dtype="float64")
    y = layer(x, training=True)
    (y * torch.arange(18.0, dtype=torch.float64).reshape(6, 3)).sum(
    ).backward()
    x2 = x.detach().clone().requires_grad_(True)
    mean = x2.mean(0)
    var = x2.var(0, unbiased=False)
    y2 = (x2 - mean) / torch.sqrt(var + 1e-3)
    (y2 * torch.arange(18.0, dtype=torch.float64).reshape(6, 3)).sum(
    ).backward()
    np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy(), rtol=1e-9,
                               atol=1e-12)
    assert layer.gamma.grad is not None and layer.beta.grad is not None


def test_batch_normalization_half_precision_inputs():
    # As Keras: half-precision inputs are normalized in float32 and cast
    # back to their dtype.
    layer = layers.BatchNormalization()
    layer.build((8, 4))
    x = (torch.randn(8, 4) * 3 + 1).to(torch.bfloat16)
    y = layer.call(x, training=True)
    assert y.dtype == torch.bfloat16
    ref = layers.BatchNormalization()(x.float(), training=True)
    np.testing.assert_allclose(y.float().detach().numpy(),
                               ref.detach().numpy(), atol=2e-2)


def test_batch_normalization_config_and_tf_keras_arguments():
    layer = layers.BatchNormalization(axis=[3], fused=True, renorm=False,
                                      virtual_batch_size=None)
    assert layer.axis == 3
    config = layer.get_config()
    for key in ("axis", "momentum", "epsilon", "center", "scale",
                "beta_initializer", "gamma_initializer",
                "moving_mean_initializer", "moving_variance_initializer",
                "beta_regularizer", "gamma_regularizer", "beta_constraint",
                "gamma_constraint", "synchronized"):
        assert key in config
    with pytest.raises(ValueError, match="renorm=True"):
        layers.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="single feature axis"):
        layers.BatchNormalization(axis=[1, 2])


def test_batch_normalization_in_model_uses_training_flag():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.BatchNormalization()(inputs))
    x = torch.randn(10, 3) * 4 + 1
    out = model(x, training=True)
    np.testing.assert_allclose(out.mean(0).detach().numpy(), 0, atol=1e-5)
    out = model(x)
    np.testing.assert_allclose(out.detach().numpy(),
                               (x.numpy() - model.layers[1].moving_mean
                                .numpy()) / np.sqrt(
                                    model.layers[1].moving_variance.numpy()
                                    + 1e-3), rtol=1e-5, atol=1e-6)


def test_batch_normalization_undefined_axis_raises():
    with pytest.raises(ValueError, match="defined dimension"):
        layers.BatchNormalization()(keras.Input(shape=(4, None)))
