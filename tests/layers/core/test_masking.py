"""Masking: zeroes and masks timesteps equal to ``mask_value``."""

import numpy as np
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


def test_masking_matches_numpy():
    x = np.array([[[1.0, 2.0], [-1.0, -1.0], [-1.0, 3.0]],
                  [[-1.0, -1.0], [0.0, 0.0], [5.0, -1.0]]], "float32")
    keep = (x != -1.0).any(axis=-1)
    layer = layers.Masking(mask_value=-1.0)
    out = layer(torch.from_numpy(x))
    np.testing.assert_array_equal(out.numpy(), x * keep[..., None])
    np.testing.assert_array_equal(out._keras_mask.numpy(), keep)
    assert layer.get_config()["mask_value"] == -1.0


def test_mask_reaches_a_global_average_pooling():
    x = torch.tensor([[[2.0], [0.0], [4.0]]])
    out = layers.GlobalAveragePooling1D()(layers.Masking()(x))
    np.testing.assert_allclose(out.numpy(), [[3.0]])


def test_masking_symbolic_and_run_layer_test():
    assert layers.Masking()(keras.Input((None, 3))).shape == (None, None, 3)
    run_layer_test(layers.Masking, {"mask_value": 0.0},
                   input_shape=(2, 4, 3), expected_output_shape=(2, 4, 3),
                   supports_masking=True, stochastic=False,
                   expected_num_trainable_weights=0,
                   assert_built_after_instantiation=True)
