"""IntegerLookup: torch-side lookups against hand-computed indices."""

import numpy as np
import pytest
import torch

import torchkeras as keras


def test_vocabulary_lookup_and_oov():
    layer = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    out = layer(torch.tensor([[12, 1138, 42], [42, 1000, 36]]))
    assert out.dtype == torch.int64
    assert out.tolist() == [[1, 3, 4], [4, 0, 2]]
    assert layer.get_vocabulary() == [-1, 12, 36, 1138, 42]


def test_adapt_order_and_mask():
    data = np.array([[12, 1138, 42], [42, 1000, 42], [7, 12, 0]])
    # Counts: 42 x3, 12 x2, then 1138, 1000, 7 (ties: larger first); the
    # mask token 0 is not learned.
    layer = keras.layers.IntegerLookup(mask_token=0)
    layer.adapt(data)
    assert layer.get_vocabulary() == [0, -1, 42, 12, 1138, 1000, 7]
    assert layer(torch.tensor([[0, 7, 5]])).tolist() == [[0, 6, 1]]


def test_floormod_oov_buckets_and_invert():
    layer = keras.layers.IntegerLookup(vocabulary=[12, 36],
                                       num_oov_indices=2)
    # OOV ids go to (id % 2): 5 -> 1, 8 -> 0, -3 -> 1 (floor modulo).
    assert layer(torch.tensor([5, 8, 12, -3, 36])).tolist() == [
        1, 0, 2, 1, 3]
    inverse = keras.layers.IntegerLookup(vocabulary=[12, 36], invert=True)
    assert inverse(torch.tensor([[1, 2, 0, 9]])).tolist() == [
        [12, 36, -1, -1]]


def test_encoded_modes_and_lists():
    layer = keras.layers.IntegerLookup(vocabulary=[3, 5, 7],
                                       output_mode="count")
    np.testing.assert_array_equal(
        layer([[3, 3, 9], [7, 5, 5]]).numpy(), [[1, 2, 0, 0], [0, 0, 2, 1]])
    one_hot = keras.layers.IntegerLookup(vocabulary=[3, 5, 7],
                                         output_mode="one_hot")
    assert one_hot(keras.Input(shape=(1,), dtype="int64")).shape == (
        None, 4)
    np.testing.assert_array_equal(one_hot(np.array([[7], [1]])).numpy(),
                                  [[0, 0, 0, 1], [1, 0, 0, 0]])


def test_num_oov_zero_raises_and_config_round_trip():
    layer = keras.layers.IntegerLookup(num_oov_indices=0)
    layer.adapt(np.array([4, 4, 9]))
    assert layer(torch.tensor([9, 4])).tolist() == [1, 0]
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layer(torch.tensor([5]))
    clone = keras.layers.IntegerLookup.from_config(layer.get_config())
    assert clone.get_vocabulary() == [4, 9]


def test_vocabulary_dtype_must_be_int64():
    with pytest.raises(ValueError, match="vocabulary_dtype"):
        keras.layers.IntegerLookup(vocabulary_dtype="int32")
