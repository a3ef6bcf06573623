"""StringLookup: vocabularies, indices and encodings against hand values."""

import math

import numpy as np
import pytest
import torch

import torchkeras as keras

# Counts: earth 3, fire 2, wind 2, and 1, water 1. Keras orders by count,
# ties by the token, both descending: earth, wind, fire, water, and.
DOCS = [["fire", "earth", "earth"], ["earth", "wind", "wind"],
        ["and", "fire", "water"]]
ORDER = ["earth", "wind", "fire", "water", "and"]


def test_adapt_orders_by_count_then_token_descending():
    layer = keras.layers.StringLookup()
    layer.adapt(np.array(DOCS))
    assert layer.get_vocabulary() == ["[UNK]"] + ORDER
    assert layer.get_vocabulary(include_special_tokens=False) == ORDER
    assert layer.vocabulary_size() == 6
    out = layer([["earth", "and", "zzz"], ["wind", "fire", "water"]])
    assert out.dtype == torch.int64
    assert out.tolist() == [[1, 5, 0], [2, 3, 4]]


def test_adapt_on_1d_list_and_dataset():
    layer = keras.layers.StringLookup()
    layer.adapt(["b", "a", "b", "c", "b", "a"])
    assert layer.get_vocabulary() == ["[UNK]", "b", "a", "c"]
    ds = keras.data.Dataset.from_tensor_slices(
        np.array(["b", "a", "b", "c", "b", "a"])).batch(4)
    from_ds = keras.layers.StringLookup()
    from_ds.adapt(ds)
    assert from_ds.get_vocabulary() == ["[UNK]", "b", "a", "c"]
    first_batch = keras.layers.StringLookup()
    first_batch.adapt(ds, steps=1)  # "b", "a", "b", "c"
    assert first_batch.get_vocabulary() == ["[UNK]", "b", "c", "a"]


def test_mask_token_max_tokens_and_special_tokens():
    layer = keras.layers.StringLookup(mask_token="", max_tokens=5)
    layer.adapt(np.array(DOCS))
    # mask + OOV + the 3 most frequent terms.
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "fire"]
    assert layer([["", "earth", "and"]]).tolist() == [[0, 2, 1]]
    # A vocabulary given with its special tokens keeps them in place.
    given = keras.layers.StringLookup(
        mask_token="", vocabulary=["", "[UNK]", "x", "y"])
    assert given.get_vocabulary() == ["", "[UNK]", "x", "y"]
    assert given([["y", "", "q"]]).tolist() == [[3, 0, 1]]


def test_several_oov_indices_hash_with_farmhash():
    # to_hash_bucket_fast(A..E, 3) is 1, 0, 1, 1, 2 (Keras Hashing docs).
    layer = keras.layers.StringLookup(vocabulary=["x"], num_oov_indices=3)
    assert layer(["A", "B", "C", "D", "E", "x"]).tolist() == [
        1, 0, 1, 1, 2, 3]
    strict = keras.layers.StringLookup(vocabulary=["x"], num_oov_indices=0)
    assert strict(["x"]).tolist() == [0]
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        strict(["x", "nope"])


def test_encoded_output_modes():
    vocab = ["a", "b", "c"]
    data = [["a", "b", "b", "z"], ["c", "c", "c", "a"]]
    multi = keras.layers.StringLookup(vocabulary=vocab,
                                      output_mode="multi_hot")
    count = keras.layers.StringLookup(vocabulary=vocab, output_mode="count")
    np.testing.assert_array_equal(multi(data).numpy(),
                                  [[1, 1, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(count(data).numpy(),
                                  [[1, 1, 2, 0], [0, 1, 0, 3]])
    one_hot = keras.layers.StringLookup(vocabulary=vocab,
                                        output_mode="one_hot")
    np.testing.assert_array_equal(one_hot([["b"], ["z"]]).numpy(),
                                  [[0, 0, 1, 0], [1, 0, 0, 0]])
    padded = keras.layers.StringLookup(
        vocabulary=vocab, output_mode="multi_hot", max_tokens=6,
        pad_to_max_tokens=True)
    assert padded(data).shape == (2, 6)
    # The mask token is dropped from the counts.
    masked = keras.layers.StringLookup(vocabulary=vocab, mask_token="",
                                       output_mode="count")
    assert masked.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    np.testing.assert_array_equal(masked([["a", "", ""]]).numpy(),
                                  [[0, 1, 0, 0]])


def test_tf_idf_matches_keras_formula():
    layer = keras.layers.StringLookup(output_mode="tf_idf")
    layer.adapt(np.array(DOCS))
    n_docs = 3
    doc_freq = {"earth": 2, "wind": 1, "fire": 2, "water": 1, "and": 1}
    idf = np.array([math.log(1 + n_docs / (1 + doc_freq[t]))
                    for t in ORDER])
    idf = np.concatenate([[idf.mean()], idf])
    counts = np.array([[1, 2, 1, 0, 0, 0]])  # OOV, earth x2, wind
    expected = counts * idf
    got = layer([["earth", "earth", "zzz", "wind"]])
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
    config = layer.get_config()
    clone = keras.layers.StringLookup.from_config(config)
    np.testing.assert_allclose(
        clone([["earth", "earth", "zzz", "wind"]]).numpy(), expected,
        rtol=1e-6)


def test_invert_maps_indices_back():
    layer = keras.layers.StringLookup(vocabulary=["a", "b", "c", "d"],
                                      invert=True)
    out = layer(torch.tensor([[1, 3, 4], [4, 0, 2]]))
    assert out.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    inp = keras.Input(shape=(3,), dtype="int64")
    assert layer(inp).dtype == "string"


def test_config_round_trip_keeps_adapted_vocabulary():
    layer = keras.layers.StringLookup(mask_token="")
    layer.adapt(np.array(DOCS))
    config = layer.get_config()
    assert config["vocabulary"] == ORDER
    clone = keras.layers.StringLookup.from_config(config)
    assert clone.get_vocabulary() == layer.get_vocabulary()
    clone.adapt(["q", "q", "r"])  # an adapted layer can adapt again
    assert clone.get_vocabulary() == ["", "[UNK]", "q", "r"]


def test_symbolic_output_specs():
    inp = keras.Input(shape=(4,), dtype="string")
    layer = keras.layers.StringLookup(vocabulary=["a", "b"])
    assert layer(inp).shape == (None, 4) and layer(inp).dtype == "int64"
    multi = keras.layers.StringLookup(vocabulary=["a", "b"],
                                      output_mode="multi_hot")
    assert multi(inp).shape == (None, 3) and multi(inp).dtype == "float32"
    one = keras.layers.StringLookup(vocabulary=["a", "b"],
                                    output_mode="one_hot")
    assert one(keras.Input(shape=(1,), dtype="string")).shape == (None, 3)


@pytest.mark.parametrize("kwargs,match", [
    ({"max_tokens": 1}, "max_tokens"),
    ({"pad_to_max_tokens": True}, "pad_to_max_tokens"),
    ({"num_oov_indices": -1}, "num_oov_indices"),
    ({"invert": True, "output_mode": "count"}, "invert"),
    ({"output_mode": "bogus"}, "output_mode"),
    ({"idf_weights": [1.0]}, "idf_weights"),
    ({"vocabulary": ["a", "a"]}, "repeated"),
    ({"vocabulary": ["a", ""], "mask_token": ""}, "mask_token"),
    ({"vocabulary": ["a", "b", "c"], "max_tokens": 3}, "larger"),
    ({"output_mode": "tf_idf", "vocabulary": ["a"]}, "idf_weights"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.layers.StringLookup(**kwargs)


def test_calling_encoded_mode_before_adapt_raises():
    with pytest.raises(RuntimeError, match="vocabulary before calling"):
        keras.layers.StringLookup(output_mode="multi_hot")([["a"]])


def test_adapting_a_fixed_vocabulary_raises():
    layer = keras.layers.StringLookup(vocabulary=["a"])
    with pytest.raises(ValueError, match="static vocabulary"):
        layer.adapt(["a"])


def test_vocabulary_file_and_assets(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\nz\n", encoding="utf-8")
    layer = keras.layers.StringLookup(vocabulary=str(path))
    assert layer(["z", "x", "w"]).tolist() == [3, 1, 0]
    assert layer.get_config()["vocabulary"] == ["x", "y", "z"]
    adapted = keras.layers.StringLookup()
    adapted.adapt(["b", "a", "b"])
    adapted.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text() == "[UNK]\nb\na"
    fresh = keras.layers.StringLookup()
    fresh.load_assets(str(tmp_path))
    assert fresh.get_vocabulary() == ["[UNK]", "b", "a"]


def test_given_oov_idf_weight_survives_config():
    layer = keras.layers.StringLookup(
        output_mode="tf_idf", vocabulary=["[UNK]", "a", "b"],
        idf_weights=[5.0, 1.0, 2.0])
    data = [["a", "zz", "b", "b"]]
    np.testing.assert_allclose(layer(data).numpy(), [[5.0, 1.0, 4.0]])
    clone = keras.layers.StringLookup.from_config(layer.get_config())
    np.testing.assert_allclose(clone(data).numpy(), [[5.0, 1.0, 4.0]])


def test_outputs_follow_the_layer_device_and_state_is_empty():
    layer = keras.layers.StringLookup(vocabulary=["a"])
    assert layer.state_dict() == {} and layer.weights == []
    layer.to("meta")  # stands in for `.to("cuda")`: no GPU in the tests
    assert layer(["a", "b"]).device.type == "meta"
