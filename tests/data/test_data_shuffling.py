"""`Dataset.shuffle`: tf.data buffer semantics, seeds and reshuffling.

The reference for the buffer semantics is a replay of the tf.data rule:
before output `p` the buffer has read `min(n, buffer_size + p)` input
elements, and output `p` must be one of those not yet emitted.
"""

import collections
import itertools

import numpy as np
import torchkeras
from torchkeras import data

Dataset = data.Dataset


def order(ds):
    return [int(v) for v in ds.as_numpy_iterator()]


def is_buffer_shuffle(output, n, buffer_size):
    """Whether `output` is a possible tf.data buffer shuffle of range(n)."""
    if sorted(output) != list(range(n)):
        return False
    available = set()
    read = 0
    for p, value in enumerate(output):
        while read < min(n, buffer_size + p):
            available.add(read)
            read += 1
        if value not in available:
            return False
        available.remove(value)
    return True


def test_output_is_a_buffer_shuffle():
    for n, buffer_size in [(50, 1), (50, 2), (50, 7), (50, 49), (50, 50),
                           (50, 500), (3000, 100)]:
        for source in (Dataset.range(n),
                       Dataset.from_tensor_slices(np.arange(n))):
            ds = source.shuffle(buffer_size, seed=11)
            for _ in range(3):
                out = order(ds)
                assert is_buffer_shuffle(out, n, buffer_size), buffer_size


def test_buffer_of_one_keeps_the_order():
    ds = Dataset.from_tensor_slices(np.arange(30)).shuffle(1, seed=5)
    assert order(ds) == list(range(30))
    assert order(ds.batch(4).unbatch()) == list(range(30))


def test_small_buffer_moves_elements_a_little():
    out = order(Dataset.range(200).shuffle(4, seed=2))
    assert out != list(range(200))
    # An element is emitted at most `buffer_size - 1` places early.
    assert all(v <= p + 3 for p, v in enumerate(out))


def test_seed_is_deterministic_across_fresh_pipelines():
    def epochs(seed):
        ds = Dataset.range(40).shuffle(10, seed=seed)
        return [order(ds) for _ in range(3)]

    assert epochs(7) == epochs(7)
    assert epochs(7) != epochs(8)


def test_reshuffle_each_iteration():
    ds = Dataset.range(40).shuffle(40, seed=1)
    first, second = order(ds), order(ds)
    assert first != second
    assert sorted(first) == sorted(second) == list(range(40))
    fixed = Dataset.range(40).shuffle(40, seed=1,
                                      reshuffle_each_iteration=False)
    assert order(fixed) == order(fixed) == order(fixed)


def test_repeat_after_shuffle_reshuffles_each_pass():
    ds = Dataset.range(20).shuffle(20, seed=4).repeat(2)
    out = order(ds)
    assert sorted(out[:20]) == sorted(out[20:]) == list(range(20))
    assert out[:20] != out[20:]
    fixed = Dataset.range(20).shuffle(20, seed=4,
                                      reshuffle_each_iteration=False)
    out = order(fixed.repeat(2))
    assert out[:20] == out[20:]


def test_shuffle_after_repeat_mixes_epochs():
    out = order(Dataset.range(10).repeat(2).shuffle(20, seed=0))
    assert sorted(out) == sorted(list(range(10)) * 2)
    assert sorted(out[:10]) != list(range(10))


def test_global_seed_makes_unseeded_shuffle_repeatable():
    torchkeras.utils.set_random_seed(3)
    a = order(Dataset.range(30).shuffle(30))
    torchkeras.utils.set_random_seed(3)
    b = order(Dataset.range(30).shuffle(30))
    assert a == b
    assert order(Dataset.range(30).shuffle(30)) != a


def test_full_buffer_is_uniform_over_permutations():
    # 4 elements, 24 permutations, 2400 passes: each ~100 times.
    ds = Dataset.from_tensor_slices(np.arange(4)).shuffle(4, seed=123)
    counts = collections.Counter(tuple(order(ds)) for _ in range(2400))
    assert set(counts) == set(itertools.permutations(range(4)))
    assert 60 <= min(counts.values()) and max(counts.values()) <= 140


def test_small_buffer_first_element_distribution():
    # Buffer 2: the first output is element 0 or 1, each half the time.
    ds = Dataset.range(6).shuffle(2, seed=9)
    firsts = collections.Counter(order(ds)[0] for _ in range(1000))
    assert set(firsts) == {0, 1}
    assert 420 <= firsts[0] <= 580


def test_shuffle_keeps_structure_and_pairs():
    x = np.arange(20)
    ds = Dataset.from_tensor_slices({"x": x, "y": x * 10}).shuffle(
        8, seed=1)
    rows = list(ds.as_numpy_iterator())
    assert all(r["y"] == r["x"] * 10 for r in rows)
    assert sorted(r["x"] for r in rows) == list(range(20))
    assert ds.cardinality() == 20
