"""`preprocessing.text` against hand-computed values and a tokenizer JSON
in the layout tf.keras 2's `Tokenizer.to_json` writes."""

import doctest
import hashlib
import json
import math

import numpy as np
import pytest

from torchkeras.preprocessing import text
from torchkeras.preprocessing.text import Tokenizer
from torchkeras.preprocessing.text import hashing_trick
from torchkeras.preprocessing.text import one_hot
from torchkeras.preprocessing.text import text_to_word_sequence
from torchkeras.preprocessing.text import tokenizer_from_json

TEXTS = ["The cat sat.", "The dog sat on the mat!", "A cat, a dog."]


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!\tBye") == [
        "hello", "world", "bye"]
    assert text_to_word_sequence("a-b c", filters="", lower=False,
                                 split="-") == ["a", "b c"]


def test_hashing_trick_md5_and_one_hot_range():
    words = ["the", "cat", "the"]
    expected = [int(hashlib.md5(w.encode()).hexdigest(), 16) % 9 + 1
                for w in words]
    assert hashing_trick("The cat, the", 10, hash_function="md5") == expected
    assert hashing_trick("ab cd", 5, hash_function=len) == [3, 3]
    indices = one_hot("some words and more words", 7)
    assert all(1 <= i < 7 for i in indices)
    assert indices[1] == indices[4]


def _fitted(**kwargs):
    tokenizer = Tokenizer(**kwargs)
    tokenizer.fit_on_texts(TEXTS)
    return tokenizer


def test_fit_ranks_by_count_then_first_seen():
    tokenizer = _fitted()
    # the:3, cat:2, sat:2, dog:2, a:2, on:1, mat:1 (ties: first seen).
    assert tokenizer.word_index == {
        "the": 1, "cat": 2, "sat": 3, "dog": 4, "a": 5, "on": 6, "mat": 7}
    assert tokenizer.word_counts["the"] == 3
    assert tokenizer.word_docs["the"] == 2 and tokenizer.word_docs["a"] == 1
    assert tokenizer.index_docs[1] == 2
    assert tokenizer.document_count == 3


def test_sequences_with_num_words_and_oov():
    plain = _fitted(num_words=4)
    assert plain.texts_to_sequences(["the mat cat zebra"]) == [[1, 2]]
    oov = _fitted(num_words=4, oov_token="<unk>")
    assert oov.word_index["<unk>"] == 1 and oov.word_index["the"] == 2
    assert oov.texts_to_sequences(["the mat cat zebra"]) == [[2, 1, 3, 1]]
    assert oov.sequences_to_texts([[2, 1, 3, 99]]) == [
        "the <unk> cat <unk>"]
    assert plain.sequences_to_texts([[1, 7, 2]]) == ["the cat"]


def test_char_level_and_token_lists():
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(["aab"])
    assert tokenizer.word_index == {"a": 1, "b": 2}
    words = Tokenizer()
    words.fit_on_texts([["Foo", "bar"], ["foo"]])
    assert words.word_index == {"foo": 1, "bar": 2}
    assert words.texts_to_sequences([["BAR", "foo"]]) == [[2, 1]]


def test_matrix_modes_by_hand():
    tokenizer = _fitted()
    seqs = [[1, 1, 2], []]
    binary = tokenizer.sequences_to_matrix(seqs)
    assert binary.shape == (2, 8)
    np.testing.assert_array_equal(binary[0], [0, 1, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(
        tokenizer.sequences_to_matrix(seqs, mode="count")[0, :3], [0, 2, 1])
    np.testing.assert_allclose(
        tokenizer.sequences_to_matrix(seqs, mode="freq")[0, :3],
        [0, 2 / 3, 1 / 3])
    tfidf = tokenizer.sequences_to_matrix(seqs, mode="tfidf")[0]
    # "the" (index 1) is in 2 of 3 documents, "cat" (2) in 2 of 3.
    assert tfidf[1] == pytest.approx(
        (1 + math.log(2)) * math.log(1 + 3 / (1 + 2)))
    assert tfidf[2] == pytest.approx(math.log(1 + 3 / 3))
    np.testing.assert_array_equal(
        tokenizer.texts_to_matrix(["the the cat"], mode="count")[0, :3],
        [0, 2, 1])


def test_matrix_errors():
    with pytest.raises(ValueError, match="fit on some text"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="tfidf"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match="mode='bag'"):
        _fitted().sequences_to_matrix([[1]], mode="bag")
    with pytest.raises(TypeError, match="bogus"):
        Tokenizer(bogus=1)


def test_fit_on_sequences_counts_documents():
    tokenizer = Tokenizer(num_words=5)
    tokenizer.fit_on_sequences([[1, 1, 2], [2, 3]])
    assert tokenizer.document_count == 2
    assert dict(tokenizer.index_docs) == {1: 1, 2: 2, 3: 1}


def test_json_round_trip():
    tokenizer = _fitted(num_words=6, oov_token="?")
    restored = tokenizer_from_json(tokenizer.to_json())
    assert restored.word_index == tokenizer.word_index
    assert restored.index_word == tokenizer.index_word
    assert restored.num_words == 6 and restored.oov_token == "?"
    assert restored.texts_to_sequences(TEXTS) == (
        tokenizer.texts_to_sequences(TEXTS))
    restored.fit_on_texts(["brand new words"])
    assert "brand" in restored.word_index


def test_loads_tf_keras2_json_layout():
    # The layout tf.keras 2 writes: JSON strings inside the config, index
    # keys as strings.
    config = {
        "num_words": None, "filters": "", "lower": True, "split": " ",
        "char_level": False, "oov_token": None, "document_count": 2,
        "word_counts": json.dumps({"hi": 2, "yo": 1}),
        "word_docs": json.dumps({"hi": 2, "yo": 1}),
        "index_docs": json.dumps({"1": 2, "2": 1}),
        "index_word": json.dumps({"1": "hi", "2": "yo"}),
        "word_index": json.dumps({"hi": 1, "yo": 2}),
    }
    tokenizer = tokenizer_from_json(
        json.dumps({"class_name": "Tokenizer", "config": config}))
    assert tokenizer.texts_to_sequences(["yo hi"]) == [[2, 1]]
    assert tokenizer.sequences_to_texts([[1, 2]]) == ["hi yo"]
    assert tokenizer.index_docs[1] == 2
    assert json.loads(tokenizer.to_json())["config"] == config


def test_docstring_examples():
    result = doctest.testmod(text)
    assert result.attempted > 0 and result.failed == 0
