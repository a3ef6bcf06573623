"""`batch`, `padded_batch`, `unbatch`, and the index-slicing fast path.

References: NumPy slices of the source arrays, the `padded_batch`
examples of the tf.data docs, and the generic (element by element) path
for the fast path.
"""

import numpy as np
import pytest
import torch

from torchkeras import data
from torchkeras.data import batching
from torchkeras.data import dataset as dataset_lib
from torchkeras.data import sources

Dataset = data.Dataset


def as_list(ds):
    return list(ds.as_numpy_iterator())


def numpy_batches(array, size, drop_remainder=False):
    stop = len(array) - len(array) % size if drop_remainder else len(array)
    return [array[i:i + size] for i in range(0, stop, size)]


def test_batch_matches_numpy_slices():
    x = np.random.rand(23, 3).astype("float32")
    y = np.arange(23)
    for drop_remainder in (False, True):
        ds = Dataset.from_tensor_slices((x, y)).batch(5, drop_remainder)
        got = as_list(ds)
        want_x = numpy_batches(x, 5, drop_remainder)
        want_y = numpy_batches(y, 5, drop_remainder)
        assert len(got) == len(want_x) == len(ds)
        for (gx, gy), wx, wy in zip(got, want_x, want_y):
            np.testing.assert_array_equal(gx, wx)
            np.testing.assert_array_equal(gy, wy)
        assert int(ds.cardinality()) == (4 if drop_remainder else 5)


def test_batch_generic_path_matches_numpy():
    # Range is not a slice source: batches are stacked element by element.
    got = as_list(Dataset.range(10).map(lambda v: (v, v * v)).batch(4))
    values = np.arange(10)
    for (a, b), ref in zip(got, numpy_batches(values, 4)):
        np.testing.assert_array_equal(a, ref)
        np.testing.assert_array_equal(b, ref * ref)
    assert len(got) == 3


def test_batch_larger_than_dataset():
    ds = Dataset.from_tensor_slices(np.arange(3))
    assert [b.tolist() for b in as_list(ds.batch(10))] == [[0, 1, 2]]
    assert as_list(ds.batch(10, drop_remainder=True)) == []
    assert len(ds.batch(10, drop_remainder=True)) == 0
    ds = Dataset.range(1, 4).map(lambda v: torch.zeros(int(v))).batch(2)
    with pytest.raises(ValueError, match=r"different shapes.*\(1,\).*\(2,\)"):
        list(ds)


def test_batched_dict_and_string_components():
    words = np.array(["a", "b", "c", "d", "e"])
    ds = Dataset.from_tensor_slices({"w": words, "n": np.arange(5)}).batch(2)
    got = as_list(ds)
    assert [g["w"].tolist() for g in got] == [["a", "b"], ["c", "d"], ["e"]]
    assert [g["n"].tolist() for g in got] == [[0, 1], [2, 3], [4]]


def test_unbatch_inverts_batch():
    x = np.arange(22).reshape(11, 2)
    ds = Dataset.from_tensor_slices((x, np.array(list("abcdefghijk"))))
    rows = as_list(ds.batch(3).unbatch())
    assert [r[1] for r in rows] == list("abcdefghijk")
    np.testing.assert_array_equal(np.stack([r[0] for r in rows]), x)
    ds = Dataset.from_tensors(np.arange(6).reshape(3, 2)).unbatch()
    np.testing.assert_array_equal(np.stack(as_list(ds)),
                                  np.arange(6).reshape(3, 2))
    bad = Dataset.from_tensors((np.zeros(2), np.zeros(3))).unbatch()
    with pytest.raises(ValueError, match="first dimension"):
        list(bad)


def test_padded_batch_matches_tf_docs():
    # The `padded_batch` examples of the tf.data docs.
    a = Dataset.range(1, 5, output_type="int32").map(
        lambda x: x.repeat(int(x)))
    got = as_list(a.padded_batch(2))
    np.testing.assert_array_equal(got[0], [[1, 0], [2, 2]])
    np.testing.assert_array_equal(got[1], [[3, 3, 3, 0], [4, 4, 4, 4]])
    got = as_list(a.padded_batch(2, padded_shapes=5, padding_values=-1))
    np.testing.assert_array_equal(got[0], [[1, -1, -1, -1, -1],
                                           [2, 2, -1, -1, -1]])
    assert got[1].dtype == np.int32
    spec = a.padded_batch(2, padded_shapes=5).element_spec
    assert spec == data.TensorSpec((None, 5), "int32")
    with pytest.raises(ValueError, match="smaller size"):
        list(a.padded_batch(2, padded_shapes=3))


def test_padded_batch_structure_and_strings():
    def gen():
        for i in range(1, 4):
            yield np.arange(i), np.array(["t"] * i)

    ds = Dataset.from_generator(gen).padded_batch(
        3, padded_shapes=((None,), (4,)), padding_values=(-1, "<pad>"))
    nums, words = next(iter(ds))
    np.testing.assert_array_equal(
        nums.numpy(), [[0, -1, -1], [0, 1, -1], [0, 1, 2]])
    assert words.tolist()[0] == ["t", "<pad>", "<pad>", "<pad>"]


# --------------------------------------------------------------------------
# The fast path: batches gathered with tensor[idx].


PIPELINES = {
    "plain": lambda d: d.batch(4),
    "drop": lambda d: d.batch(4, drop_remainder=True),
    "shuffle_full": lambda d: d.shuffle(100, seed=1).batch(4),
    "shuffle_small": lambda d: d.shuffle(3, seed=2).batch(5),
    "shuffle_one": lambda d: d.shuffle(1, seed=2).batch(5),
    "take_skip": lambda d: d.skip(3).take(11).batch(3),
    "repeat": lambda d: d.repeat(3).batch(7),
    "shuffle_repeat": lambda d: d.shuffle(30, seed=3).repeat(2).batch(6),
    "repeat_shuffle": lambda d: d.repeat(2).shuffle(9, seed=3).batch(6),
    "repeat_forever": lambda d: d.shuffle(8, seed=5).repeat().take(40).batch(
        6),
    "shard": lambda d: d.shuffle(30, seed=4).shard(3, 1).batch(2),
    "cache_prefetch": lambda d: d.cache().shuffle(30, seed=6).batch(4)
    .prefetch(data.AUTOTUNE),
    "options": lambda d: d.with_options(data.Options()).batch(4),
    "take_zero": lambda d: d.take(0).repeat().batch(4),
}


def _source():
    n = 30
    return Dataset.from_tensor_slices((
        {"img": np.random.RandomState(0).rand(n, 2, 3).astype("float32"),
         "word": np.array([f"w{i}" for i in range(n)])},
        np.arange(n)))


def _take_epochs(ds, epochs=2):
    return [[
        (b[0]["img"].numpy(), b[0]["word"].tolist(), b[1].numpy())
        for b in ds] for _ in range(epochs)]


def _assert_same_epochs(a, b):
    assert len(a) == len(b)
    for epoch_a, epoch_b in zip(a, b):
        assert len(epoch_a) == len(epoch_b)
        for (ia, wa, ya), (ib, wb, yb) in zip(epoch_a, epoch_b):
            np.testing.assert_array_equal(ia, ib)
            assert wa == wb
            np.testing.assert_array_equal(ya, yb)


def test_fast_path_equals_generic_path(monkeypatch):
    collated = []

    def counting_collate(elements, original=batching.collate):
        collated.append(len(elements))
        return original(elements)

    monkeypatch.setattr(batching, "collate", counting_collate)
    for name, pipeline in PIPELINES.items():
        fast = _take_epochs(pipeline(_source()))
        assert not collated, name
        monkeypatch.setattr(dataset_lib, "_USE_INDEX_PATH", False)
        generic = _take_epochs(pipeline(_source()))
        monkeypatch.setattr(dataset_lib, "_USE_INDEX_PATH", True)
        assert collated or name == "take_zero", name
        collated.clear()
        _assert_same_epochs(fast, generic)
        # Rows stay together: label i goes with word "wi".
        for epoch in fast:
            for _, words, labels in epoch:
                assert words == [f"w{i}" for i in labels], name


def test_fast_path_gathers_batches_without_collating(monkeypatch):
    def no_collate(elements):
        raise AssertionError("per-element collation on the fast path")

    def no_rows(self, chunks):
        raise AssertionError("per-element rows on the fast path")

    monkeypatch.setattr(batching, "collate", no_collate)
    monkeypatch.setattr(sources.TensorSliceDataset, "_rows", no_rows)
    x = np.arange(40.0).reshape(20, 2)
    ds = Dataset.from_tensor_slices((x, np.arange(20)))
    for pipeline in PIPELINES.values():
        list(pipeline(_source()))  # raises if a batch is collated
    perm_batches = list(ds.shuffle(20, seed=0).batch(8))
    labels = np.concatenate([b[1].numpy() for b in perm_batches])
    assert sorted(labels) == list(range(20))
    for xb, yb in perm_batches:
        np.testing.assert_array_equal(xb.numpy(), x[yb.numpy()])


def test_fast_path_matches_numpy_permutation_slicing():
    # With a full buffer, a pass is x[perm] cut into batches.
    x = np.random.RandomState(1).rand(50, 4)
    ds = Dataset.from_tensor_slices((x, np.arange(50))).shuffle(
        50, seed=8).batch(16)
    for _ in range(2):
        batches = list(ds)
        perm = np.concatenate([b[1].numpy() for b in batches])
        assert sorted(perm) == list(range(50))
        assert [len(b[1]) for b in batches] == [16, 16, 16, 2]
        for (xb, yb), ref in zip(batches, numpy_batches(x[perm], 16)):
            np.testing.assert_array_equal(xb.numpy(), ref)


def test_fast_batches_are_copies_of_the_source():
    x = torch.zeros(6, 2)
    ds = Dataset.from_tensor_slices(x).batch(3)
    for batch in ds:
        batch.add_(1.0)  # in-place edits must not reach the source
    for row in Dataset.from_tensor_slices(x).map(lambda r: r.add_(1.0)):
        pass
    assert all(b.sum().item() == 0 for b in ds)
    assert x.sum().item() == 0
