"""Embedding: lookups, masks, out-of-range indices, configs."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.layers.core import embedding as embedding_module
from torchkeras.testing import run_layer_test


def test_lookup_matches_the_table():
    layer = layers.Embedding(7, 3)
    indices = np.array([[0, 6, 2], [5, 5, 1]])
    out = layer(indices)
    table = layer.get_weights()[0]
    assert table.shape == (7, 3)
    np.testing.assert_array_equal(out.detach().numpy(), table[indices])
    new_table = np.arange(21, dtype="float32").reshape(7, 3)
    layer.set_weights([new_table])
    np.testing.assert_array_equal(layer(indices).detach().numpy(),
                                  new_table[indices])
    assert [w.name for w in layer.weights] == ["embedding/embeddings"]


def test_default_initializer_is_uniform_005():
    layer = layers.Embedding(500, 8)
    layer.build(None)
    values = layer.get_weights()[0]
    assert np.abs(values).max() <= 0.05
    assert np.abs(values).max() > 0.045


def test_float_and_int32_indices_are_accepted():
    layer = layers.Embedding(4, 2)
    layer.build(None)
    table = layer.get_weights()[0]
    out = layer(torch.tensor([[1.7, 3.0]]))
    np.testing.assert_array_equal(out.detach().numpy(), table[[[1, 3]]])
    out = layer(torch.tensor([[2, 0]], dtype=torch.int32))
    np.testing.assert_array_equal(out.detach().numpy(), table[[[2, 0]]])


def test_mask_zero():
    layer = layers.Embedding(5, 2, mask_zero=True)
    assert layer.supports_masking
    out = layer(torch.tensor([[3, 0, 1], [0, 0, 4]]))
    np.testing.assert_array_equal(out._keras_mask.numpy(),
                                  [[True, False, True], [False, False, True]])
    unmasked = layers.Embedding(5, 2)(torch.tensor([[3, 0]]))
    assert getattr(unmasked, "_keras_mask", None) is None


@pytest.mark.parametrize("bad", [9, 10, -1])
def test_out_of_range_index_raises_value_error(bad):
    layer = layers.Embedding(9, 2, name="tokens")
    with pytest.raises(ValueError) as info:
        layer(torch.tensor([[1, bad, 2]]))
    message = str(info.value)
    assert "'tokens'" in message
    assert "input_dim=9" in message
    assert f"index={bad}" in message


def test_device_check_runs_first_call_then_only_when_asked():
    # The accelerator path, exercised on CPU tensors.
    layer = layers.Embedding(4, 2, name="emb")
    with pytest.raises(ValueError, match="index=4"):
        layer._check_on_device(torch.tensor([0, 4]))
    layer._check_on_device(torch.tensor([0, 3]))
    assert layer._checked_on_device
    with embedding_module.skip_index_validation():
        assert not embedding_module.VALIDATE_INDICES
        layer._check_on_device(torch.tensor([0, 4]))  # skipped, no error
    assert embedding_module.VALIDATE_INDICES
    with pytest.raises(ValueError, match="index=-2"):
        layer._check_on_device(torch.tensor([-2, 1]))


@pytest.mark.cuda
def test_out_of_range_on_cuda_is_a_value_error_not_a_device_assert():
    layer = layers.Embedding(6, 3, name="gpu_emb").cuda()
    with pytest.raises(ValueError, match="index=6"):
        layer(torch.tensor([[1, 6]], device="cuda"))
    out = layer(torch.tensor([[1, 5]], device="cuda"))  # context still fine
    assert out.shape == (1, 2, 3)
    with embedding_module.skip_index_validation():
        out = layer(torch.tensor([[0, 2]], device="cuda"))
    np.testing.assert_array_equal(out.cpu().detach().numpy(),
                                  layer.get_weights()[0][[[0, 2]]])


def test_config_and_input_length():
    layer = layers.Embedding(10, 4, input_length=6, mask_zero=True)
    config = layer.get_config()
    assert config["input_length"] == 6
    assert config["batch_input_shape"] == [None, 6]
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    revived = layers.Embedding.from_config(config)
    assert revived.mask_zero and revived.input_length == 6
    assert "input_length" not in layers.Embedding(3, 2).get_config()
    model = keras.Sequential([layers.Embedding(10, 4, input_length=6)])
    assert model.output_shape == (None, 6, 4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="input_dim=0"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim=-1"):
        layers.Embedding(3, -1)
    with pytest.raises(ValueError, match="sparse"):
        layers.Embedding(3, 2, sparse=True)


def test_symbolic_shape():
    x = keras.Input((None,), dtype="int32")
    y = layers.Embedding(10, 4)(x)
    assert y.shape == (None, None, 4)
    assert y.dtype == "float32"


def test_embedding_run_layer_test():
    data = np.array([[1, 2, 0], [4, 4, 3]])
    run_layer_test(layers.Embedding, {"input_dim": 5, "output_dim": 3,
                                      "mask_zero": True},
                   input_data=data, expected_output_shape=(2, 3, 3),
                   expected_num_trainable_weights=1,
                   supports_masking=True, stochastic=False)
