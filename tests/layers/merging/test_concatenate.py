"""Tests for layers.Concatenate and layers.concatenate."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("axis, shapes, out_shape", [
    (-1, [(2, 3, 4), (2, 3, 5)], (2, 3, 9)),
    (1, [(2, 3, 4), (2, 1, 4)], (2, 4, 4)),
])
def test_concatenate_standard_checks(axis, shapes, out_shape):
    run_layer_test(layers.Concatenate, {"axis": axis}, input_shape=shapes,
                   expected_output_shape=out_shape, supports_masking=True,
                   stochastic=False)


def test_concatenate_values():
    x = np.arange(20, dtype="float32").reshape(2, 2, 5)
    y = np.arange(20, 30, dtype="float32").reshape(2, 1, 5)
    out = layers.Concatenate(axis=1)([torch.from_numpy(x),
                                      torch.from_numpy(y)])
    np.testing.assert_array_equal(out.numpy(),
                                  np.concatenate([x, y], axis=1))


def test_concatenate_functional_form_and_unknown_dims():
    a, b = keras.Input(shape=(None, 3)), keras.Input(shape=(None, 2))
    out = layers.concatenate([a, b])
    assert out.shape == (None, None, 5)
    model = keras.Model([a, b], out)
    got = model([torch.ones(2, 4, 3), torch.zeros(2, 4, 2)])
    assert got.shape == (2, 4, 5)


def test_concatenate_incompatible_shapes_raise_at_graph_construction():
    a, b = keras.Input(shape=(4, 3)), keras.Input(shape=(5, 2))
    expected = (r"'concat'.*A `Concatenate` layer requires inputs with "
                r"matching shapes except for the concatenation axis. "
                r"Received: input_shape=\[\(None, 4, 3\), \(None, 5, 2\)\]")
    with pytest.raises(ValueError, match=expected):
        layers.Concatenate(name="concat")([a, b])
    with pytest.raises(ValueError, match="matching shapes"):
        layers.concatenate([keras.Input(shape=(3,)),
                            keras.Input(shape=(4, 3))])


def test_concatenate_mask():
    x = torch.ones(2, 3, 4)
    y = torch.ones(2, 3, 2)
    mx = torch.tensor([[True, False, True], [False, False, True]])
    x._keras_mask = mx
    out = layers.Concatenate()([x, y])
    # The unmasked input counts as all True: every step is kept.
    assert torch.equal(out._keras_mask, torch.ones(2, 3, dtype=torch.bool))
    y = torch.ones(2, 3, 4)
    y._keras_mask = torch.zeros(2, 3, dtype=torch.bool)
    out = layers.Concatenate(axis=1)([x, y])
    expected = torch.cat([mx, torch.zeros(2, 3, dtype=torch.bool)], dim=1)
    assert torch.equal(out._keras_mask, expected)


def test_concatenate_axis_must_be_int():
    with pytest.raises(TypeError, match="axis='1'"):
        layers.Concatenate(axis="1")
