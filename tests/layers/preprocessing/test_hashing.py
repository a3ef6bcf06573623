"""Hashing: bins from Keras's documented FarmHash/SipHash examples."""

import numpy as np
import pytest
import torch

import torchkeras as keras

LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]


def test_farmhash_bins_match_keras_docs():
    out = keras.layers.Hashing(num_bins=3)(LETTERS)
    assert out.dtype == torch.int64 and out.shape == (5, 1)
    assert out.flatten().tolist() == [1, 0, 1, 1, 2]


def test_mask_value_takes_bin_zero():
    layer = keras.layers.Hashing(num_bins=3, mask_value="")
    out = layer([["A"], ["B"], [""], ["C"], ["D"]])
    assert out.flatten().tolist() == [1, 1, 0, 2, 2]


@pytest.mark.parametrize("salt,expected", [([133, 137], [1, 2, 1, 0, 2]),
                                           (133, [0, 0, 2, 1, 0])])
def test_salted_siphash_bins_match_keras_docs(salt, expected):
    out = keras.layers.Hashing(num_bins=3, salt=salt)(np.array(LETTERS))
    assert out.flatten().tolist() == expected


def test_bytes_and_str_hash_alike():
    layer = keras.layers.Hashing(num_bins=3)
    out = layer(np.array([b"A", b"B", b"E"], dtype=object))
    assert out.tolist() == [1, 0, 2]


def test_encoded_output_modes():
    # Bins of A..E are 1, 0, 1, 1, 2 (above).
    multi = keras.layers.Hashing(3, output_mode="multi_hot")
    count = keras.layers.Hashing(3, output_mode="count")
    one_hot = keras.layers.Hashing(3, output_mode="one_hot")
    data = [["A", "B", "C"], ["D", "E", "E"]]
    np.testing.assert_array_equal(multi(data).numpy(), [[1, 1, 0],
                                                        [0, 1, 1]])
    np.testing.assert_array_equal(count(data).numpy(), [[1, 2, 0],
                                                        [0, 1, 2]])
    np.testing.assert_array_equal(one_hot([["A"], ["E"]]).numpy(),
                                  [[0, 1, 0], [0, 0, 1]])
    assert multi(data).dtype == torch.float32


def test_integers_hash_as_their_decimal_strings():
    ints = keras.layers.Hashing(num_bins=7)(torch.tensor([[12], [345]]))
    strs = keras.layers.Hashing(num_bins=7)([["12"], ["345"]])
    assert ints.tolist() == strs.tolist()


def test_symbolic_shapes_and_config_round_trip():
    layer = keras.layers.Hashing(num_bins=4, salt=7, mask_value="",
                                 output_mode="multi_hot")
    out = layer(keras.Input(shape=(3,), dtype="string"))
    assert out.shape == (None, 4) and out.dtype == "float32"
    config = layer.get_config()
    assert config["salt"] == [7, 7] and config["num_bins"] == 4
    clone = keras.layers.Hashing.from_config(config)
    data = [["a", "", "b"], ["c", "d", "e"]]
    torch.testing.assert_close(clone(data), layer(data))


@pytest.mark.parametrize("kwargs,match", [
    ({"num_bins": 0}, "num_bins"),
    ({"num_bins": 3, "salt": "x"}, "salt"),
    ({"num_bins": 3, "output_mode": "tf_idf"}, "output_mode"),
    ({"num_bins": 3, "sparse": True, "output_mode": "count"}, "sparse"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.layers.Hashing(**kwargs)
