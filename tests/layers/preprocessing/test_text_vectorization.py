"""TextVectorization: vocabularies, every output mode and string models.

Expected values are computed by hand from Keras's rules: standardize
(ASCII lower-casing, punctuation stripped), whitespace split, vocabulary
by count then token (descending), index 0 padding and 1 OOV in 'int'
mode, and ``idf = log(1 + num_docs / (1 + doc_freq))`` with the OOV weight
the mean of the others.
"""

import math
import os

import numpy as np
import pytest
import torch

import torchkeras as keras

CORPUS = ["The cat sat.", "the dog sat", "a cat!"]
# Standardized: "the cat sat", "the dog sat", "a cat". Counts: the 2, sat 2,
# cat 2, dog 1, a 1 -> the, sat, cat, dog, a.
TOKENS = ["the", "sat", "cat", "dog", "a"]
QUERY = ["The cat", "a bird sat sat"]


def adapted(**kwargs):
    layer = keras.layers.TextVectorization(**kwargs)
    layer.adapt(CORPUS)
    return layer


def test_keras_docstring_example():
    layer = keras.layers.TextVectorization(max_tokens=5000,
                                           output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == torch.int64
    assert out.tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    given = keras.layers.TextVectorization(
        vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and",
                                      "fire"]


def test_int_mode_padding_and_truncation():
    layer = adapted()
    assert layer.get_vocabulary() == ["", "[UNK]"] + TOKENS
    assert layer(QUERY).tolist() == [[2, 4, 0, 0], [6, 1, 3, 3]]
    short = adapted(output_sequence_length=3)
    assert short(QUERY).tolist() == [[2, 4, 0], [6, 1, 3]]
    long = adapted(output_sequence_length=6)
    assert long(np.array(QUERY)[:, None]).tolist() == [
        [2, 4, 0, 0, 0, 0], [6, 1, 3, 3, 0, 0]]
    capped = adapted(max_tokens=4)
    assert capped.get_vocabulary() == ["", "[UNK]", "the", "sat"]


def test_multi_hot_and_count():
    multi = adapted(output_mode="multi_hot")
    assert multi.get_vocabulary() == ["[UNK]"] + TOKENS
    np.testing.assert_array_equal(multi(QUERY).numpy(),
                                  [[0, 1, 0, 1, 0, 0], [1, 0, 1, 0, 0, 1]])
    count = adapted(output_mode="count")
    np.testing.assert_array_equal(count(QUERY).numpy(),
                                  [[0, 1, 0, 1, 0, 0], [1, 0, 2, 0, 0, 1]])
    padded = adapted(output_mode="count", max_tokens=10,
                     pad_to_max_tokens=True)
    assert padded(QUERY).shape == (2, 10)


def test_tf_idf():
    layer = adapted(output_mode="tf_idf")
    doc_freq = {"the": 2, "sat": 2, "cat": 2, "dog": 1, "a": 1}
    idf = np.array([math.log(1 + 3 / (1 + doc_freq[t])) for t in TOKENS])
    idf = np.concatenate([[idf.mean()], idf])
    counts = np.array([[0, 1, 0, 1, 0, 0], [1, 0, 2, 0, 0, 1]])
    np.testing.assert_allclose(layer(QUERY).numpy(), counts * idf,
                               rtol=1e-6)
    given = keras.layers.TextVectorization(
        output_mode="tf_idf", vocabulary=TOKENS, idf_weights=idf[1:])
    np.testing.assert_allclose(given(QUERY).numpy(), counts * idf,
                               rtol=1e-6)


def test_one_hot_without_split():
    layer = keras.layers.TextVectorization(
        split=None, output_mode="one_hot", vocabulary=["a", "b"])
    np.testing.assert_array_equal(layer(["A", "z", "b"]).numpy(),
                                  [[0, 1, 0], [1, 0, 0], [0, 0, 1]])


def test_ngrams_character_split_and_callables():
    bigrams = keras.layers.TextVectorization(ngrams=2)
    bigrams.adapt(["a b c"])
    # All counts 1, so tokens sort descending: c, b c, b, a b, a.
    assert bigrams.get_vocabulary() == ["", "[UNK]", "c", "b c", "b",
                                        "a b", "a"]
    assert bigrams(["a b"]).tolist() == [[6, 4, 5]]
    chars = keras.layers.TextVectorization(split="character",
                                           standardize=None)
    chars.adapt(["abcA"])
    assert chars.get_vocabulary() == ["", "[UNK]", "c", "b", "a", "A"]
    assert chars(["cab"]).tolist() == [[2, 4, 3]]
    custom = keras.layers.TextVectorization(
        standardize=lambda s: np.array([x.upper() for x in s], object),
        split=lambda s: [x.split("-") for x in s],
        vocabulary=["A", "B"])
    assert custom(["a-b-c", "b"]).tolist() == [[2, 3, 1], [3, 0, 0]]


def test_lower_is_ascii_only_and_punctuation_is_ascii():
    layer = keras.layers.TextVectorization(
        vocabulary=["\u00c9mile", "\u00e9mile", "\u00aba\u00bb"])
    # TF's strings.lower leaves non-ASCII letters alone ("\u00c9MILE" ->
    # "\u00c9mile") and the regex strips ASCII punctuation only.
    out = layer(["\u00c9MILE!", "\u00e9mile", "\u00abA\u00bb"])
    assert out.tolist() == [[2], [3], [4]]


def test_dataset_adapt_and_bad_shape():
    ds = keras.data.Dataset.from_tensor_slices(np.array(CORPUS)).batch(2)
    layer = keras.layers.TextVectorization()
    layer.adapt(ds)
    assert layer.get_vocabulary() == ["", "[UNK]"] + TOKENS
    with pytest.raises(ValueError, match="last shape dimension"):
        layer(np.array([["a", "b"]]))


def test_config_round_trip_with_vocabulary():
    layer = adapted(output_mode="tf_idf", ngrams=(1, 2))
    config = layer.get_config()
    assert config["vocabulary"] == layer.get_vocabulary(False)
    clone = keras.layers.TextVectorization.from_config(config)
    assert clone.get_vocabulary() == layer.get_vocabulary()
    torch.testing.assert_close(clone(QUERY), layer(QUERY))


@pytest.mark.parametrize("kwargs,match", [
    ({"standardize": "upper"}, "standardize"),
    ({"split": "comma"}, "split"),
    ({"ngrams": "2"}, "ngrams"),
    ({"output_mode": "count", "output_sequence_length": 3}, "sequence"),
    ({"ragged": True}, "ragged"),
    ({"sparse": True}, "sparse"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.layers.TextVectorization(**kwargs)


def _string_model():
    texts = np.array(["good movie", "bad movie", "good fun", "bad bad",
                      "very good", "very bad"] * 4)
    labels = np.array([1, 0, 1, 0, 1, 0] * 4, dtype="float32")
    vectorizer = keras.layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(texts)
    inputs = keras.Input(shape=(), dtype="string")
    outputs = keras.layers.Dense(1, activation="sigmoid")(vectorizer(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss="binary_crossentropy")
    return model, vectorizer, texts, labels


def _hand_multi_hot(vocabulary, texts):
    rows = np.zeros((len(texts), len(vocabulary)), dtype="float32")
    for i, text in enumerate(texts):
        for token in text.split():
            j = vocabulary.index(token) if token in vocabulary else 0
            rows[i, j] = 1.0
    return rows


def test_string_model_fits_on_python_strings():
    model, vectorizer, texts, labels = _string_model()
    history = model.fit(texts, labels, epochs=15, batch_size=6, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] * 0.7
    kernel, bias = model.get_weights()
    queries = ["good good", "bad movie", "unseen words"]
    features = _hand_multi_hot(vectorizer.get_vocabulary(), queries)
    expected = 1 / (1 + np.exp(-(features @ kernel + bias)))
    np.testing.assert_allclose(model.predict(np.array(queries), verbose=0),
                               expected, rtol=1e-5)


def test_string_model_config_and_keras_file_round_trip(tmp_path):
    model, vectorizer, texts, labels = _string_model()
    model.fit(texts, labels, epochs=2, verbose=0)
    queries = np.array(["good movie", "bad", "???"])
    expected = model.predict(queries, verbose=0)
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    assert clone.layers[1].get_vocabulary() == vectorizer.get_vocabulary()
    np.testing.assert_allclose(clone.predict(queries, verbose=0), expected,
                               rtol=1e-6)
    import torchkeras.saving as saving

    path = os.path.join(tmp_path, "text.keras")
    saving.save_model(model, path)
    loaded = saving.load_model(path)
    assert loaded.layers[1].get_vocabulary() == vectorizer.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(queries, verbose=0), expected,
                               rtol=1e-6)


def test_int_sequences_feed_an_embedding_model():
    layer = adapted(output_sequence_length=4)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = keras.layers.Embedding(layer.vocabulary_size(), 3)(layer(inputs))
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    assert model.layers[1].output.shape == (None, 4)
    model.compile("sgd", "mse")
    data = np.array(CORPUS * 4)[:, None]
    ds = keras.data.Dataset.from_tensor_slices(
        (data, np.ones((12, 1), "float32"))).batch(4)
    before = model.evaluate(ds, verbose=0)
    model.fit(ds, epochs=3, verbose=0)
    assert model.evaluate(ds, verbose=0) < before
