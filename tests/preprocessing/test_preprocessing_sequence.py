"""`preprocessing.sequence` against hand-computed values (tf.keras 2's
docstring examples) and the word2vec formula."""

import doctest
import json
import math
import random

import numpy as np
import pytest

from torchkeras.preprocessing import sequence
from torchkeras.preprocessing.sequence import TimeseriesGenerator
from torchkeras.preprocessing.sequence import make_sampling_table
from torchkeras.preprocessing.sequence import pad_sequences
from torchkeras.preprocessing.sequence import skipgrams

SEQS = [[1], [2, 3], [4, 5, 6]]


def test_pad_sequences_keras_examples():
    np.testing.assert_array_equal(
        pad_sequences(SEQS), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(
        pad_sequences(SEQS, value=-1), [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(
        pad_sequences(SEQS, padding="post"),
        [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(
        pad_sequences(SEQS, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(
        pad_sequences(SEQS, maxlen=2, truncating="post"),
        [[0, 1], [2, 3], [4, 5]])
    assert pad_sequences(SEQS).dtype == np.int32


def test_pad_sequences_items_strings_and_empties():
    seqs = [np.ones((2, 3)), [], np.zeros((1, 3))]
    result = pad_sequences(seqs, maxlen=3, dtype="float32", value=9.0)
    assert result.shape == (3, 3, 3)
    np.testing.assert_array_equal(result[1], np.full((3, 3), 9.0))
    np.testing.assert_array_equal(result[0, 1:], np.ones((2, 3)))
    words = pad_sequences([["a", "bb"], ["ccc"]], dtype=object, value="")
    assert words.tolist() == [["a", "bb"], ["", "ccc"]]
    assert pad_sequences([]).shape == (0, 0)


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="padding='mid'"):
        pad_sequences(SEQS, padding="mid")
    with pytest.raises(ValueError, match="truncating='x'"):
        pad_sequences(SEQS, truncating="x")
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="pad")
    with pytest.raises(ValueError, match="position 1"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))])


def test_timeseries_generator_keras_example():
    data = np.array([[i] for i in range(50)])
    targets = np.array([[i] for i in range(50)])
    gen = TimeseriesGenerator(data, targets, length=10, sampling_rate=2,
                              batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    np.testing.assert_array_equal(
        x, [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]])
    np.testing.assert_array_equal(y, [[10], [11]])
    x, y = gen[len(gen) - 1]
    np.testing.assert_array_equal(y, [[48], [49]])


def test_timeseries_generator_stride_reverse_and_config():
    data = np.arange(20)
    gen = TimeseriesGenerator(data, data * 10, length=3, stride=4,
                              reverse=True, batch_size=3, end_index=15)
    x, y = gen[0]
    np.testing.assert_array_equal(x, [[2, 1, 0], [6, 5, 4], [10, 9, 8]])
    np.testing.assert_array_equal(y, [30, 70, 110])
    assert len(gen) == 2
    config = json.loads(gen.to_json())["config"]
    assert json.loads(config["data"]) == list(range(20))
    assert config["start_index"] == 3 and config["end_index"] == 15
    with pytest.raises(ValueError, match="same length"):
        TimeseriesGenerator(data, data[:5], length=2)
    with pytest.raises(ValueError, match="start_index"):
        TimeseriesGenerator(data, data, length=30)


def test_make_sampling_table_formula():
    table = make_sampling_table(6, sampling_factor=1e-3)
    for i, p in enumerate(table):
        rank = max(i, 1)
        inv_fq = rank * (math.log(rank) + 0.577) + 0.5 - 1 / (12 * rank)
        f = 1e-3 * inv_fq
        assert p == pytest.approx(min(1.0, f / math.sqrt(f)))


def test_skipgrams_positive_pairs_by_hand():
    couples, labels = skipgrams([1, 2, 0, 3], vocabulary_size=4,
                                window_size=1, negative_samples=0,
                                shuffle=False)
    assert couples == [[1, 2], [2, 1]]
    assert labels == [1, 1]
    couples, labels = skipgrams([1, 2, 3], 4, window_size=2,
                                negative_samples=0, shuffle=False,
                                categorical=True)
    assert couples == [[1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2]]
    assert labels == [[0, 1]] * 6


def test_skipgrams_negative_samples():
    random.seed(0)
    couples, labels = skipgrams([1, 2, 3, 4], vocabulary_size=10,
                                window_size=1, negative_samples=2.0, seed=3)
    assert labels.count(1) == 6 and labels.count(0) == 12
    for (wi, wj), label in zip(couples, labels):
        assert 1 <= wi <= 4 and 1 <= wj <= 9
        if label == 1:
            assert abs(wi - wj) == 1


def test_docstring_examples():
    result = doctest.testmod(sequence)
    assert result.attempted > 0 and result.failed == 0
