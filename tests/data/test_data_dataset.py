"""Sources, transformations and introspection of `torchkeras.data.Dataset`.

Each pipeline is checked against the same computation written with
plain Python / NumPy (list comprehensions, slicing, itertools).
"""

import doctest
import itertools

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import data
from torchkeras.data import dataset as dataset_lib
from torchkeras.data import options as options_lib
from torchkeras.data import tensor_spec

Dataset = data.Dataset


def as_list(ds):
    return list(ds.as_numpy_iterator())


# --------------------------------------------------------------------------
# Sources.


def test_from_tensor_slices_tuple_matches_numpy_rows():
    x = np.random.rand(7, 3).astype("float32")
    y = np.arange(7)
    rows = as_list(Dataset.from_tensor_slices((x, y)))
    assert len(rows) == 7
    for i, (xi, yi) in enumerate(rows):
        np.testing.assert_array_equal(xi, x[i])
        assert yi == y[i]


def test_iter_next_yields_torch_tensors():
    x = np.random.rand(4, 2)
    y = np.array([3, 1, 2, 0])
    iterator = iter(Dataset.from_tensor_slices((x, y)))
    xb, yb = next(iterator)
    assert isinstance(xb, torch.Tensor) and isinstance(yb, torch.Tensor)
    assert xb.shape == (2,) and xb.dtype == torch.float64
    np.testing.assert_array_equal(xb.numpy(), x[0])
    assert yb.numpy() == 3
    xb, yb = iterator.get_next()
    np.testing.assert_array_equal(xb.numpy(), x[1])


DTYPE_CASES = [
    (np.zeros(3, dtype="float64"), torch.float64),
    (np.zeros(3, dtype="float32"), torch.float32),
    (np.zeros(3, dtype="int64"), torch.int64),
    (np.zeros(3, dtype="uint8"), torch.uint8),
    (np.zeros(3, dtype="bool"), torch.bool),
    (torch.zeros(3, dtype=torch.int16), torch.int16),
    ([1, 2, 3], torch.int32),  # Python ints: int32, as tf.constant
    ([1.5, 2.0], torch.float32),  # Python floats: float32
    ([True, False], torch.bool),
]


def test_from_tensor_slices_dtypes():
    for value, dtype in DTYPE_CASES:
        first = next(iter(Dataset.from_tensor_slices(value)))
        assert first.dtype == dtype, value


def test_from_tensor_slices_list_is_one_tensor():
    # tf.data: a list is a value (stacked), a tuple is a structure.
    rows = as_list(Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]]))
    np.testing.assert_array_equal(np.stack(rows), [[1, 2], [3, 4], [5, 6]])
    tensors = [torch.ones(2), torch.zeros(2)]
    rows = as_list(Dataset.from_tensor_slices(tensors))
    np.testing.assert_array_equal(np.stack(rows), [[1, 1], [0, 0]])


def test_from_tensor_slices_copies_numpy_input():
    x = np.arange(4.0)
    ds = Dataset.from_tensor_slices(x)
    x[:] = -1
    assert as_list(ds) == [0.0, 1.0, 2.0, 3.0]


def test_from_tensor_slices_bad_inputs():
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(4,\)"):
        Dataset.from_tensor_slices((np.zeros((3, 2)), np.zeros(4)))
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(np.float32(3))
    with pytest.raises(TypeError, match="None"):
        Dataset.from_tensor_slices((np.zeros(2), None))
    with pytest.raises(TypeError, match="datetime64"):
        Dataset.from_tensor_slices(np.array(["2020-01-01"], "datetime64[D]"))


def test_dict_elements_and_nested_structure():
    a, b = np.arange(5), np.arange(10).reshape(5, 2)
    ds = Dataset.from_tensor_slices(({"a": a, "b": b}, a * 10))
    rows = as_list(ds)
    for i, (features, label) in enumerate(rows):
        assert set(features) == {"a", "b"}
        assert features["a"] == a[i] and label == a[i] * 10
        np.testing.assert_array_equal(features["b"], b[i])


def test_string_elements():
    words = np.array(["apple", "b", "cherry"])
    ds = Dataset.from_tensor_slices((words, np.array([0, 1, 0])))
    assert as_list(ds) == [("apple", 0), ("b", 1), ("cherry", 0)]
    assert ds.element_spec[0] == data.TensorSpec((), "string")
    batch = next(iter(ds.batch(2)))
    assert batch[0].dtype == object
    assert batch[0].tolist() == ["apple", "b"]
    lengths = ds.map(lambda w, y: len(w.item()))
    assert as_list(lengths) == [5, 1, 6]
    kept = ds.filter(lambda w, y: w.item().startswith("c"))
    assert as_list(kept) == [("cherry", 0)]
    assert as_list(Dataset.from_tensor_slices(["x", "yz"])) == ["x", "yz"]


def test_from_tensors_is_one_element():
    x = np.arange(6).reshape(2, 3)
    ds = Dataset.from_tensors((x, "label"))
    rows = as_list(ds)
    assert len(rows) == 1 and ds.cardinality() == 1
    np.testing.assert_array_equal(rows[0][0], x)
    assert rows[0][1] == "label"
    assert ds.element_spec[0] == data.TensorSpec((2, 3), "int64")


def test_range_matches_python_range():
    for args in [(5,), (2, 7), (10, 1, -3), (3, 3)]:
        ds = Dataset.range(*args)
        assert as_list(ds) == list(range(*args)), args
        assert int(ds.cardinality()) == len(range(*args)), args
        assert ds.element_spec == data.TensorSpec((), "int64")
    assert next(iter(Dataset.range(3, output_type="int32"))).dtype == (
        torch.int32)
    with pytest.raises(ValueError, match="step"):
        Dataset.range(0, 5, 0)
    with pytest.raises(TypeError, match="stop"):
        Dataset.range(2.5)


# --------------------------------------------------------------------------
# from_generator.


def test_from_generator_with_output_signature():
    def gen():
        for i in range(4):
            yield [float(j) for j in range(i)], i

    ds = Dataset.from_generator(gen, output_signature=(
        data.TensorSpec(shape=(None,), dtype="float32"),
        data.TensorSpec(shape=(), dtype=torch.int32)))
    rows = list(ds)
    assert [r[1].item() for r in rows] == [0, 1, 2, 3]
    assert all(r[0].dtype == torch.float32 for r in rows)
    assert rows[3][0].tolist() == [0.0, 1.0, 2.0]
    assert ds.element_spec[0].shape == (None,)
    assert ds.cardinality() == data.UNKNOWN_CARDINALITY
    # The generator is called again for every pass.
    assert len(list(ds)) == 4


def test_from_generator_args_types_and_shapes():
    def gen(n, scale):
        for i in range(n):
            yield {"x": np.full(2, i * scale)}, i

    ds = Dataset.from_generator(
        gen, output_types=({"x": "float32"}, "int64"),
        output_shapes=({"x": (2,)}, ()), args=(3, 0.5))
    assert as_list(ds.map(lambda f, y: f["x"].sum())) == [0.0, 1.0, 2.0]
    assert ds.element_spec == (
        {"x": data.TensorSpec((2,), "float32")}, data.TensorSpec((), "int64"))


def test_from_generator_shape_and_structure_errors():
    spec = data.TensorSpec((2,), "float32")
    bad_shape = Dataset.from_generator(lambda: iter([[1.0, 2.0, 3.0]]),
                                       output_signature=spec)
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(2,\)"):
        list(bad_shape)
    bad_structure = Dataset.from_generator(
        lambda: iter([(1.0, 2.0, 3.0)]), output_signature=(spec, spec))
    with pytest.raises(TypeError, match="structure"):
        list(bad_structure)
    bad_type = Dataset.from_generator(lambda: iter(["abc"]),
                                      output_signature=data.TensorSpec(()))
    with pytest.raises(TypeError, match="float32"):
        list(bad_type)
    with pytest.raises(TypeError, match="callable"):
        Dataset.from_generator([1, 2], output_signature=spec)


def test_from_generator_string_signature():
    ds = Dataset.from_generator(lambda: iter(["a", "bb"]),
                                output_signature=data.TensorSpec((), str))
    assert as_list(ds) == ["a", "bb"]
    bad = Dataset.from_generator(lambda: iter([1]),
                                 output_signature=data.TensorSpec((), str))
    with pytest.raises(TypeError, match="string"):
        list(bad)


def test_from_generator_without_signature_infers_structure():
    ds = Dataset.from_generator(lambda: ((i, 2.0 * i) for i in range(3)))
    assert as_list(ds) == [(0, 0.0), (1, 2.0), (2, 4.0)]
    assert ds.element_spec == (data.TensorSpec((), "int32"),
                               data.TensorSpec((), "float32"))


# --------------------------------------------------------------------------
# map / filter / flat_map / interleave / enumerate.


def test_map_unpacks_tuples_like_tf():
    x, y = np.arange(5.0), np.arange(5)
    ds = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a * 2, b + 1))
    assert as_list(ds) == [(a * 2, b + 1) for a, b in zip(x, y)]


def test_map_passes_dicts_whole_and_lists_become_tuples():
    ds = Dataset.from_tensor_slices({"a": np.arange(3), "b": np.ones(3)})
    out = ds.map(lambda d: [d["a"], d["b"] * 3])
    assert as_list(out) == [(i, 3.0) for i in range(3)]
    assert out.element_spec == (data.TensorSpec((), "int64"),
                                data.TensorSpec((), "float64"))


def test_map_converts_numpy_and_python_results():
    ds = Dataset.range(3).map(lambda x: (np.float64(1.5), 2, "s"))
    first = next(iter(ds))
    assert first[0].dtype == torch.float64
    assert first[1].dtype == torch.int32
    assert first[2].item() == "s"


def test_map_after_batch_maps_whole_batches():
    x = np.arange(10.0)
    ds = Dataset.from_tensor_slices(x).batch(4).map(lambda b: b.sum())
    assert as_list(ds) == [x[i:i + 4].sum() for i in range(0, 10, 4)]


def test_filter_matches_list_comprehension():
    ds = Dataset.range(20).filter(lambda v: v % 3 == 0)
    assert as_list(ds) == [v for v in range(20) if v % 3 == 0]
    assert ds.cardinality() == data.UNKNOWN_CARDINALITY
    ds = Dataset.from_tensor_slices(np.ones((3, 2))).filter(lambda v: v > 0)
    with pytest.raises(ValueError, match="scalar boolean"):
        list(ds)


def test_flat_map_chains_datasets():
    ds = Dataset.range(4).flat_map(lambda v: Dataset.range(int(v)))
    assert as_list(ds) == [j for i in range(4) for j in range(i)]


def test_interleave_matches_tf_docs_example():
    # Output of the `Dataset.interleave` example in the tf.data docs.
    ds = Dataset.range(1, 6).interleave(
        lambda x: Dataset.from_tensors(x).repeat(6),
        cycle_length=2, block_length=4)
    expected = [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                3, 3, 4, 4, 5, 5, 5, 5, 5, 5]
    assert as_list(ds) == expected


def test_enumerate():
    ds = Dataset.from_tensor_slices(np.array([7, 8, 9])).enumerate(start=2)
    assert as_list(ds) == list(enumerate([7, 8, 9], start=2))
    assert ds.element_spec[0] == data.TensorSpec((), "int64")


# --------------------------------------------------------------------------
# repeat / take / skip / shard / concatenate / zip.


ORDER_CASES = [
    (lambda d: d.repeat(3), lambda r: r * 3, 15),
    (lambda d: d.repeat(0), lambda r: [], 0),
    (lambda d: d.take(2), lambda r: r[:2], 2),
    (lambda d: d.take(9), lambda r: r, 5),
    (lambda d: d.take(-1), lambda r: r, 5),
    (lambda d: d.skip(2), lambda r: r[2:], 3),
    (lambda d: d.skip(9), lambda r: [], 0),
    (lambda d: d.skip(-1), lambda r: [], 0),
    (lambda d: d.repeat().take(12),
     lambda r: list(itertools.islice(itertools.cycle(r), 12)), 12),
    (lambda d: d.repeat(2).skip(3).take(4), lambda r: (r * 2)[3:7], 4),
    (lambda d: d.shard(2, 1), lambda r: r[1::2], 2),
    (lambda d: d.shard(3, 0), lambda r: r[0::3], 2),
    (lambda d: d.concatenate(Dataset.range(2)), lambda r: r + [0, 1], 7),
]


def test_order_ops_and_cardinality():
    for case, (pipeline, reference, cardinality) in enumerate(ORDER_CASES):
        ds = pipeline(Dataset.from_tensor_slices(np.arange(5)))
        assert as_list(ds) == reference(list(range(5))), case
        assert int(ds.cardinality()) == cardinality, case
        assert len(ds) == cardinality, case


SPECIAL_CARDINALITIES = [
    (lambda d: d.repeat(), data.INFINITE_CARDINALITY),
    (lambda d: d.repeat().skip(3), data.INFINITE_CARDINALITY),
    (lambda d: d.repeat().batch(2), data.INFINITE_CARDINALITY),
    (lambda d: d.filter(lambda v: True), data.UNKNOWN_CARDINALITY),
    (lambda d: d.filter(lambda v: True).take(2), data.UNKNOWN_CARDINALITY),
    (lambda d: d.filter(lambda v: True).repeat(), data.INFINITE_CARDINALITY),
    (lambda d: d.take(0).repeat(), 0),
    (lambda d: d.unbatch(), data.UNKNOWN_CARDINALITY),
]


def test_special_cardinalities():
    source = Dataset.from_tensor_slices(np.arange(10).reshape(5, 2))
    for case, (pipeline, expected) in enumerate(SPECIAL_CARDINALITIES):
        ds = pipeline(source)
        assert int(ds.cardinality()) == expected, case
        assert data.experimental.cardinality(ds) == expected, case


def test_len_errors_match_tf():
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(Dataset.range(3).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(Dataset.range(3).filter(lambda v: v > 0))
    assert bool(Dataset.range(3).repeat())
    # An infinite repeat of an empty pass ends (as tf.data).
    assert as_list(Dataset.range(0).repeat()) == []
    assert as_list(Dataset.range(3).filter(lambda v: v > 5).repeat()) == []


def test_zip_tuple_dict_and_varargs():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    assert as_list(Dataset.zip((a, b))) == list(zip(range(3), range(10, 15)))
    assert as_list(Dataset.zip(a, b)) == list(zip(range(3), range(10, 15)))
    rows = as_list(Dataset.zip({"p": a, "q": b}))
    assert rows == [{"p": i, "q": j} for i, j in zip(range(3), range(10, 15))]
    assert Dataset.zip((a, b)).cardinality() == 3
    assert Dataset.zip(a, b.repeat()).cardinality() == 3
    with pytest.raises(TypeError, match="datasets"):
        Dataset.zip((a, [1, 2]))
    # Slice sources of different lengths: the shortest wins.
    x = Dataset.from_tensor_slices(np.arange(6))
    y = Dataset.from_tensor_slices(np.arange(4) * 2)
    zipped = Dataset.zip((x, y))
    assert as_list(zipped) == [(i, 2 * i) for i in range(4)]
    assert len(zipped) == 4


def test_concatenate_structure_mismatch():
    a = Dataset.from_tensor_slices((np.arange(2), np.arange(2)))
    with pytest.raises(TypeError, match="structure"):
        list(a.concatenate(Dataset.range(2)))
    with pytest.raises(TypeError, match="structure"):
        a.concatenate(Dataset.range(2)).element_spec  # noqa: B018
    a = Dataset.from_tensors(np.zeros((2, 3), "float32"))
    b = Dataset.from_tensors(np.zeros((4, 3), "float32"))
    assert a.concatenate(b).element_spec == data.TensorSpec((None, 3))


# --------------------------------------------------------------------------
# Introspection, reductions, options.


def test_element_spec_of_pipeline():
    x = np.zeros((6, 4, 3), "float32")
    y = np.zeros(6, "int64")
    ds = Dataset.from_tensor_slices((x, y))
    assert ds.element_spec == (data.TensorSpec((4, 3), "float32"),
                               data.TensorSpec((), "int64"))
    batched = ds.shuffle(6).batch(4, drop_remainder=True).prefetch(
        data.AUTOTUNE)
    assert batched.element_spec == (data.TensorSpec((4, 4, 3), "float32"),
                                    data.TensorSpec((4,), "int64"))
    assert ds.batch(4).unbatch().element_spec == ds.element_spec
    mapped = ds.batch(2).map(lambda a, b: a.mean(dim=(1, 2)))
    assert mapped.element_spec == data.TensorSpec((2,), "float32")


def test_element_spec_does_not_advance_shuffle():
    ds = Dataset.range(50).shuffle(50, seed=3).map(lambda v: v * 1)
    fresh = Dataset.range(50).shuffle(50, seed=3).map(lambda v: v * 1)
    ds.element_spec  # noqa: B018 - reads one element
    assert as_list(ds) == as_list(fresh)
    with pytest.raises(ValueError, match="empty"):
        Dataset.range(0).map(lambda v: v).element_spec  # noqa: B018


def test_as_numpy_iterator_types():
    ds = Dataset.from_tensor_slices((np.arange(3.0), np.ones((3, 2), "int32")))
    rows = list(ds.as_numpy_iterator())
    assert isinstance(rows[0][0], np.float64)
    assert isinstance(rows[0][1], np.ndarray) and rows[0][1].dtype == np.int32
    assert "TensorSpec(shape=(), dtype=float64" in repr(ds)


def test_reduce_and_get_single_element():
    total = Dataset.range(5).reduce(np.int64(0), lambda s, v: s + v)
    assert total.item() == sum(range(5))
    assert Dataset.range(4, 5).get_single_element().item() == 4
    with pytest.raises(ValueError, match="more than one"):
        Dataset.range(2).get_single_element()
    with pytest.raises(ValueError, match="empty"):
        Dataset.range(0).get_single_element()


def test_is_dataset():
    assert dataset_lib.is_dataset(Dataset.range(2).batch(1))
    assert not dataset_lib.is_dataset([1, 2])
    assert not dataset_lib.is_dataset(torch.utils.data.TensorDataset(
        torch.zeros(2)))


def test_options_merge_and_unknown_names():
    options = data.Options()
    options.experimental_distribute.auto_shard_policy = (
        data.experimental.AutoShardPolicy.DATA)
    ds = Dataset.range(4).with_options(options).batch(2)
    policy = ds.options().experimental_distribute.auto_shard_policy
    assert policy == data.experimental.AutoShardPolicy.DATA
    assert as_list(ds)[1].tolist() == [2, 3]
    later = data.Options()
    later.deterministic = False
    merged = ds.with_options(later).options()
    assert merged.deterministic is False
    assert merged.experimental_distribute.auto_shard_policy == 2
    with pytest.raises(AttributeError, match="no option"):
        options.not_an_option = 1
    with pytest.raises(TypeError, match="Options"):
        Dataset.range(2).with_options({"deterministic": True})


ARGUMENT_ERRORS = [
    (lambda d: d.batch(0), ValueError),
    (lambda d: d.batch(2.5), TypeError),
    (lambda d: d.shuffle(0), ValueError),
    (lambda d: d.shard(2, 2), ValueError),
    (lambda d: d.prefetch(-2), ValueError),
    (lambda d: d.map("f"), TypeError),
    (lambda d: d.take("3"), TypeError),
]


def test_argument_errors():
    for call, error in ARGUMENT_ERRORS:
        with pytest.raises(error, match="Received"):
            call(Dataset.range(4))


def test_counts_accept_numpy_and_tensors():
    ds = Dataset.range(10).take(np.int64(4)).batch(torch.tensor(2))
    assert as_list(ds)[1].tolist() == [2, 3]


def test_docstring_examples():
    for module in (dataset_lib, tensor_spec, options_lib):
        result = doctest.testmod(
            module, extraglobs={"keras": keras, "np": np},
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module
