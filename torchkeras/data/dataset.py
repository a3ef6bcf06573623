"""`Dataset`: the `tf.data.Dataset` API over torch tensors, without TF.

A dataset is a node of a lazy pipeline: each public method returns a new
node (`sources`, `transforms`, `shuffling`, `batching`, `caching`) and
nothing runs until the dataset is iterated. Elements are nested tuples /
dicts whose leaves are torch tensors, or NumPy object arrays for strings
(`structure`). Iteration is single-threaded and deterministic for a seed.

Fast path: a node whose elements are rows of an in-memory
`from_tensor_slices` source, in some order (`shuffle`, `take`, `skip`,
`repeat`, `shard`, `prefetch`, `cache`), describes that order as chunks of
row indices (`_index_source`/`_index_chunks`). `batch` then builds each
batch as `tensor[idx]` instead of stacking per-element rows. Both paths
draw the same random numbers, so they give identical elements.

This module owns the public methods, iteration, cardinality and
`element_spec`; the training engine uses `is_dataset` and iterates.
"""

import threading

import torch

from torchkeras.data import structure
from torchkeras.data.options import Options

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2

# Tests turn this off to check the index fast path against the generic one.
_USE_INDEX_PATH = True

_PEEK = threading.local()


def peeking():
    """True while `element_spec` reads a first element (no state change)."""
    return getattr(_PEEK, "active", False)


def is_dataset(obj):
    """Whether `obj` is a `torchkeras.data.Dataset`."""
    return isinstance(obj, Dataset)


def as_count(value, name):
    """An int from an int-like argument (Python, NumPy or 0-d tensor)."""
    if isinstance(value, bool) or not _is_integer(value):
        raise TypeError(
            f"Expected `{name}` to be an integer. Received: {name}={value!r}"
        )
    return int(value)


def _is_integer(value):
    if isinstance(value, torch.Tensor):
        return value.ndim == 0 and not value.is_floating_point()
    return hasattr(value, "__index__")


def call_with_element(fn, element):
    """Calls `fn` as `tf.data` does: a plain tuple is unpacked."""
    if type(element) is tuple:
        return fn(*element)
    return fn(element)


class Dataset:
    """A sequence of elements, built and transformed like `tf.data.Dataset`.

    Create one with `Dataset.from_tensor_slices`, `from_tensors`,
    `from_generator`, `range` or `zip`, transform it with `map`, `shuffle`,
    `batch`, ... and iterate it with `for`, `iter`/`next` or
    `as_numpy_iterator()`. Every element is a tuple, a dict or a single
    leaf; leaves are torch tensors (strings: NumPy object arrays).

    Examples:
        >>> import numpy as np
        >>> x = np.arange(6, dtype="float32").reshape(3, 2)
        >>> ds = Dataset.from_tensor_slices((x, np.array([0, 1, 0])))
        >>> ds = ds.shuffle(3, seed=1).batch(2)
        >>> xb, yb = next(iter(ds))
        >>> tuple(xb.shape), yb.dtype
        ((2, 2), torch.int64)
        >>> len(ds)
        2
    """

    # ---------------------------------------------------------------------
    # Interface of the pipeline nodes.

    def _elements(self):
        """A new iterator over the elements (one pass)."""
        raise NotImplementedError

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _compute_element_spec(self):
        return structure.map_structure(structure.spec_of, self._peek())

    def _index_source(self):
        """The slice source whose rows this dataset yields, or None."""
        return None

    def _index_chunks(self):
        """Iterator of int64 index arrays into `_index_source()`."""
        raise NotImplementedError

    def _fixed_order(self):
        """Whether every pass yields the same elements in the same order."""
        return False

    def _parents(self):
        return ()

    # ---------------------------------------------------------------------
    # Iteration and introspection.

    def _row_source(self):
        return self._index_source() if _USE_INDEX_PATH else None

    def _iterate(self):
        source = self._row_source()
        if source is not None and source is not self:
            return source._rows(self._index_chunks())
        return self._elements()

    def _peek(self):
        """The first element, read without advancing shuffle seeds."""
        outer = peeking()
        _PEEK.active = True
        try:
            return next(iter(self._iterate()))
        except StopIteration:
            raise ValueError(
                "Cannot infer the `element_spec` of an empty dataset. "
                f"Received: {type(self).__name__}"
            ) from None
        finally:
            _PEEK.active = outer

    def __iter__(self):
        return Iterator(self)

    def as_numpy_iterator(self):
        """Iterates the elements with NumPy leaves (strings stay `str`)."""
        return NumpyIterator(self)

    @property
    def element_spec(self):
        """The structure of `TensorSpec`s of one element."""
        if getattr(self, "_spec_cache", None) is None:
            self._spec_cache = self._compute_element_spec()
        return self._spec_cache

    def cardinality(self):
        """The number of elements as a 0-d int64 tensor.

        `INFINITE_CARDINALITY` (-1) or `UNKNOWN_CARDINALITY` (-2) when
        the count is infinite or not known without iterating.
        """
        return torch.tensor(self._cardinality(), dtype=torch.int64)

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True  # `len()` may raise; a dataset is always truthy.

    def __repr__(self):
        try:
            spec = self.element_spec
        except Exception:  # noqa: BLE001 - repr must not raise.
            spec = "?"
        return f"<{type(self).__name__} element_spec={spec}>"

    def options(self):
        """The `Options` set on this pipeline (merged, latest wins)."""
        merged = Options()
        for parent in self._parents():
            merged = merged.merge(parent.options())
        own = getattr(self, "_own_options", None)
        return merged if own is None else merged.merge(own)

    # ---------------------------------------------------------------------
    # Sources.

    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset of the slices of `tensors` along their first axis.

        `tensors` is an array, tensor, list, or a tuple/dict of them; all
        leaves must have the same first dimension.
        """
        return sources.TensorSliceDataset(structure.to_element(
            tensors, "`tensors`"))

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: `tensors`."""
        return sources.TensorDataset(structure.to_element(
            tensors, "`tensors`"))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None,
                       args=None, output_signature=None, name=None):
        """A dataset of the elements `generator(*args)` yields.

        The elements follow `output_signature` (a structure of
        `TensorSpec`), or `output_types`/`output_shapes`; with neither,
        the structure and dtypes are read from the yielded values.
        """
        spec = sources.generator_spec(output_types, output_shapes,
                                      output_signature)
        return sources.GeneratorDataset(generator, args, spec)

    @staticmethod
    def range(*args, output_type="int64", name=None):
        """`range(stop)`, `range(start, stop[, step])` as a dataset."""
        return sources.RangeDataset(args, output_type)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Zips a tuple/dict of datasets, or several datasets, together."""
        return sources.zip_datasets(args, datasets)

    # ---------------------------------------------------------------------
    # Transformations.

    def map(self, map_func, num_parallel_calls=None, deterministic=None,
            name=None):
        """Applies `map_func` to each element (a tuple is unpacked)."""
        return transforms.MapDataset(self, map_func)

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` returns True."""
        return transforms.FilterDataset(self, predicate)

    def flat_map(self, map_func, name=None):
        """Maps each element to a dataset and chains them."""
        return transforms.FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Maps to datasets and interleaves their elements (round robin)."""
        return transforms.InterleaveDataset(self, map_func, cycle_length,
                                            block_length)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None,
                name=None):
        """Shuffles with a buffer of `buffer_size` elements, as tf.data."""
        reshuffle = (True if reshuffle_each_iteration is None
                     else bool(reshuffle_each_iteration))
        return shuffling.ShuffleDataset(self, buffer_size, seed, reshuffle)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stacks `batch_size` consecutive elements into one element."""
        return batching.BatchDataset(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None,
                     padding_values=None, drop_remainder=False, name=None):
        """Batches elements of different shapes, padding them."""
        return batching.PaddedBatchDataset(self, batch_size, padded_shapes,
                                           padding_values, drop_remainder)

    def unbatch(self, name=None):
        """Splits each element into its rows along the first axis."""
        return batching.UnbatchDataset(self)

    def repeat(self, count=None, name=None):
        """Repeats the dataset `count` times (forever when None or -1)."""
        return transforms.RepeatDataset(self, count)

    def take(self, count, name=None):
        """The first `count` elements (all of them when `count` is -1)."""
        return transforms.TakeDataset(self, count)

    def skip(self, count, name=None):
        """All but the first `count` elements (none when `count` is -1)."""
        return transforms.SkipDataset(self, count)

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element, starting at `index`."""
        return transforms.ShardDataset(self, num_shards, index)

    def prefetch(self, buffer_size, name=None):
        """Accepted for tf.data code; elements are produced on demand."""
        return transforms.PrefetchDataset(self, buffer_size)

    def cache(self, filename="", name=None):
        """Keeps the elements of the first full pass, in memory or a file."""
        return caching.CacheDataset(self, filename)

    def concatenate(self, dataset, name=None):
        """The elements of this dataset, then those of `dataset`."""
        return sources.ConcatenateDataset(self, dataset)

    def enumerate(self, start=0, name=None):
        """Pairs each element with its int64 index: `(i, element)`."""
        return transforms.EnumerateDataset(self, start)

    def with_options(self, options, name=None):
        """Sets `Options` on the pipeline (see `options()`)."""
        return transforms.OptionsDataset(self, options)

    def apply(self, transformation_func):
        """Returns `transformation_func(self)`."""
        return transformation_func(self)

    # ---------------------------------------------------------------------
    # Reductions.

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds `reduce_func(state, element)` over the elements."""
        state = structure.to_element(initial_state, "`initial_state`")
        for element in self._iterate():
            state = structure.to_element(reduce_func(state, element),
                                         "`reduce_func` result")
        return state

    def get_single_element(self, name=None):
        """The only element of a dataset with exactly one element."""
        iterator = self._iterate()
        try:
            element = next(iterator)
        except StopIteration:
            raise ValueError(
                "`get_single_element` needs a dataset with exactly one "
                "element. Received: an empty dataset"
            ) from None
        for _ in iterator:
            raise ValueError(
                "`get_single_element` needs a dataset with exactly one "
                "element. Received: a dataset with more than one element"
            )
        return element


class Iterator:
    """An iterator over a dataset: `next(it)` or `it.get_next()`.

    Args:
        dataset: The dataset to iterate over.

    Examples:
        >>> dataset = keras.data.Dataset.from_tensor_slices(np.array([1, 2, 3]))
        >>> iterator = iter(dataset)
        >>> next(iterator), iterator.get_next()
        (tensor(1), tensor(2))
    """

    def __init__(self, dataset):
        self._dataset = dataset
        self._iterator = dataset._iterate()

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iterator)

    def get_next(self):
        """The next element; raises `StopIteration` at the end."""
        return next(self._iterator)

    @property
    def element_spec(self):
        return self._dataset.element_spec


class NumpyIterator(Iterator):
    """Yields elements whose leaves are NumPy arrays or scalars."""

    def __next__(self):
        element = next(self._iterator)
        return structure.map_structure(structure.to_numpy, element)

    get_next = __next__


# The pipeline nodes subclass `Dataset`, so they are imported after it.
from torchkeras.data import batching  # noqa: E402
from torchkeras.data import caching  # noqa: E402
from torchkeras.data import shuffling  # noqa: E402
from torchkeras.data import sources  # noqa: E402
from torchkeras.data import transforms  # noqa: E402
