"""Tests for layers.Flatten, Reshape, Permute and RepeatVector."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("layer_cls, kwargs, shape, out_shape", [
    (layers.Flatten, {}, (2, 3, 4), (2, 12)),
    (layers.Flatten, {"data_format": "channels_first"}, (2, 3, 4, 5),
     (2, 60)),
    (layers.Reshape, {"target_shape": (4, 3)}, (2, 12), (2, 4, 3)),
    (layers.Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
])
def test_reshaping_standard_checks(layer_cls, kwargs, shape, out_shape):
    run_layer_test(layer_cls, kwargs, input_shape=shape,
                   expected_output_shape=out_shape,
                   expected_num_trainable_weights=0, stochastic=False)


def test_flatten_values_channels_last_and_first():
    x = np.arange(2 * 3 * 2 * 2, dtype="float32").reshape(2, 3, 2, 2)
    out = layers.Flatten()(torch.from_numpy(x))
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, -1))
    out = layers.Flatten(data_format="channels_first")(torch.from_numpy(x))
    # Keras moves the channels (axis 1) last before flattening.
    np.testing.assert_array_equal(
        out.numpy(), np.transpose(x, (0, 2, 3, 1)).reshape(2, -1))


def test_flatten_rank_one_and_unknown_dims():
    assert layers.Flatten()(torch.ones(5)).shape == (5, 1)
    assert layers.Flatten()(keras.Input(shape=(None, 3))).shape == (
        None, None)
    assert layers.Flatten()(keras.Input(shape=(4, 3))).shape == (None, 12)


def test_reshape_values_and_minus_one():
    x = np.arange(24, dtype="float32").reshape(2, 12)
    out = layers.Reshape((-1, 2, 2))(torch.from_numpy(x))
    np.testing.assert_array_equal(out.numpy(), x.reshape(2, 3, 2, 2))
    assert layers.Reshape((-1, 2))(keras.Input(shape=(None,))).shape == (
        None, None, 2)


def test_reshape_incompatible_size_raises_at_graph_construction():
    inputs = keras.Input(shape=(12,))
    with pytest.raises(ValueError, match=r"'bad_reshape'.*total size of "
                       r"the tensor must be unchanged"):
        layers.Reshape((5,), name="bad_reshape")(inputs)
    with pytest.raises(ValueError, match="bad_reshape_1.*cannot be "
                       "divided"):
        layers.Reshape((-1, 5), name="bad_reshape_1")(inputs)


def test_reshape_invalid_target_shape():
    with pytest.raises(ValueError, match="more than one `-1`"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="target_shape=\\(0.5,\\)"):
        layers.Reshape((0.5,))


def test_permute_values_are_a_view():
    x = torch.arange(24.0).reshape(2, 3, 4)
    out = layers.Permute((2, 1))(x)
    np.testing.assert_array_equal(out.numpy(),
                                  np.transpose(x.numpy(), (0, 2, 1)))
    assert out.data_ptr() == x.data_ptr()
    out = layers.Permute((3, 1, 2))(torch.ones(2, 3, 4, 5))
    assert out.shape == (2, 5, 3, 4)


def test_permute_invalid_dims_and_rank():
    with pytest.raises(ValueError, match="start from 1"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.Permute((2, 1))(keras.Input(shape=(2, 3, 4)))


def test_repeat_vector_values():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = layers.RepeatVector(3)(x)
    np.testing.assert_array_equal(out.numpy(),
                                  np.repeat(x.numpy()[:, None], 3, axis=1))
    with pytest.raises(TypeError, match="n=2.0"):
        layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="expected ndim=2"):
        layers.RepeatVector(2)(torch.ones(2, 3, 4))
