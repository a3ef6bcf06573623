"""`Dataset.cache`: in memory and in a file, counted against the calls
that the cached pipeline makes to a user function."""

import numpy as np
import pytest

from torchkeras import data

Dataset = data.Dataset


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, value):
        self.calls += 1
        return value * 2


def as_list(ds):
    return list(ds.as_numpy_iterator())


def test_memory_cache_runs_the_input_once():
    fn = Counter()
    ds = Dataset.range(6).map(fn).cache()
    assert as_list(ds) == [2 * v for v in range(6)]
    assert as_list(ds) == [2 * v for v in range(6)]
    assert fn.calls == 6
    assert ds.cardinality() == 6


def test_partial_pass_is_not_cached():
    fn = Counter()
    ds = Dataset.range(6).map(fn).cache()
    assert as_list(ds.take(2)) == [0, 2]
    assert as_list(ds) == [2 * v for v in range(6)]
    assert fn.calls == 8
    as_list(ds)
    assert fn.calls == 8


def test_cache_freezes_the_first_shuffled_order():
    ds = Dataset.range(20).shuffle(20, seed=1).cache()
    first = as_list(ds)
    assert first != list(range(20))
    assert as_list(ds) == first
    assert as_list(ds.batch(7).unbatch()) == first


def test_file_cache_round_trip(tmp_path):
    path = str(tmp_path / "cache.bin")
    fn = Counter()
    words = np.array(["x", "yy", "zzz"])
    source = Dataset.from_tensor_slices((np.arange(3), words))
    ds = source.map(lambda n, w: (fn(n), w, {"m": n.float()})).cache(path)
    expected = [(2 * i, w, {"m": float(i)}) for i, w in enumerate(words)]
    assert as_list(ds) == expected
    assert fn.calls == 3
    # A new pipeline with the same file reads it instead of its input.
    again = source.map(lambda n, w: (fn(n), w, {"m": n.float()})).cache(path)
    assert as_list(again) == expected
    assert fn.calls == 3
    assert list(tmp_path.iterdir()) == [tmp_path / "cache.bin"]


def test_foreign_cache_file_is_reported(tmp_path):
    path = tmp_path / "not_a_cache"
    path.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not_a_cache"):
        list(Dataset.range(3).cache(str(path)))
    with pytest.raises(TypeError, match="filename"):
        Dataset.range(3).cache(3)
