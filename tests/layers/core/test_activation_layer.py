"""Tests for layers.Activation."""

import numpy as np
import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


def test_activation_layer_standard_checks():
    run_layer_test(layers.Activation, {"activation": "relu"},
                   input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0,
                   supports_masking=True, stochastic=False,
                   assert_built_after_instantiation=True)


@pytest.mark.parametrize("name, reference", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("tanh", np.tanh),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("linear", lambda x: x),
])
def test_activation_layer_values(name, reference):
    x = np.linspace(-3, 3, 12).reshape(3, 4).astype("float32")
    out = layers.Activation(name)(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), reference(x), atol=1e-6)


def test_activation_layer_config_names_function():
    assert layers.Activation("tanh").get_config()["activation"] == "tanh"
    custom = layers.Activation(torch.nn.functional.softsign)
    assert custom(torch.tensor([1.0])).item() == pytest.approx(0.5)


def test_activation_layer_unknown_name_raises():
    with pytest.raises(ValueError, match="not_an_activation"):
        layers.Activation("not_an_activation")
