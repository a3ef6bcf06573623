"""Element-wise and order transformations of a dataset.

`map`, `filter`, `flat_map`, `interleave`, `enumerate` run user functions
per element. `repeat`, `take`, `skip`, `shard`, `prefetch` and
`with_options` only choose which elements pass; over a slice source they
also pass row indices on, so a later `batch` can gather whole batches
(see `dataset.py`). Shuffling lives in `shuffling.py`, batching in
`batching.py`.
"""

import itertools
import os

import numpy as np
import torch

from torchkeras.data import dataset as dataset_lib
from torchkeras.data import structure
from torchkeras.data.dataset import AUTOTUNE
from torchkeras.data.dataset import Dataset
from torchkeras.data.dataset import INFINITE_CARDINALITY
from torchkeras.data.dataset import UNKNOWN_CARDINALITY
from torchkeras.data.options import Options


class _UnaryDataset(Dataset):
    """A node with one input; by default it keeps the input's properties."""

    def __init__(self, input_dataset):
        self._input = input_dataset

    def _parents(self):
        return (self._input,)

    def _cardinality(self):
        return self._input._cardinality()

    def _compute_element_spec(self):
        return self._input.element_spec


class _OrderDataset(_UnaryDataset):
    """A node that only selects input elements: it can pass indices on."""

    def _index_source(self):
        return self._input._row_source()

    def _fixed_order(self):
        return self._input._fixed_order()


# --------------------------------------------------------------------------
# User functions.


def _check_callable(fn, name):
    if not callable(fn):
        raise TypeError(f"`{name}` must be callable. Received: {name}={fn!r}")


def map_output(value):
    """A `map_func` result as an element: a returned list is a tuple."""
    if isinstance(value, list):
        value = tuple(value)
    return structure.to_element(value, "`map_func` result")


class MapDataset(_UnaryDataset):
    """`map_func(*element)` for each element."""

    def __init__(self, input_dataset, map_func):
        _check_callable(map_func, "map_func")
        super().__init__(input_dataset)
        self._fn = map_func

    def _compute_element_spec(self):
        return Dataset._compute_element_spec(self)

    def _elements(self):
        fn = self._fn
        return (map_output(dataset_lib.call_with_element(fn, element))
                for element in self._input._iterate())


def _as_bool(value):
    if isinstance(value, torch.Tensor):
        if value.dtype != torch.bool or value.numel() != 1:
            raise ValueError(
                "`predicate` must return a scalar boolean tensor. Received "
                f"a tensor of dtype {value.dtype} and shape "
                f"{tuple(value.shape)}"
            )
        return bool(value)
    if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, np.ndarray) and value.dtype == np.bool_
            and value.size == 1):
        return bool(value)
    raise ValueError(
        "`predicate` must return a scalar boolean. "
        f"Received: {value!r}"
    )


class FilterDataset(_UnaryDataset):
    """The elements for which `predicate(*element)` is True."""

    def __init__(self, input_dataset, predicate):
        _check_callable(predicate, "predicate")
        super().__init__(input_dataset)
        self._predicate = predicate

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _elements(self):
        predicate = self._predicate
        return (element for element in self._input._iterate()
                if _as_bool(dataset_lib.call_with_element(predicate, element)))


def _as_dataset(value):
    if not isinstance(value, Dataset):
        raise TypeError(
            "`map_func` must return a Dataset. "
            f"Received: {type(value).__name__}"
        )
    return value


class FlatMapDataset(_UnaryDataset):
    """The elements of `map_func(*element)`, one dataset after another."""

    def __init__(self, input_dataset, map_func):
        _check_callable(map_func, "map_func")
        super().__init__(input_dataset)
        self._fn = map_func

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _compute_element_spec(self):
        return Dataset._compute_element_spec(self)

    def _elements(self):
        for element in self._input._iterate():
            inner = dataset_lib.call_with_element(self._fn, element)
            yield from _as_dataset(inner)._iterate()


class InterleaveDataset(FlatMapDataset):
    """Round robin over `cycle_length` datasets, `block_length` at a time.

    Same order as tf.data's deterministic interleave: a slot whose dataset
    ends is refilled from the input the next time its turn comes.
    """

    def __init__(self, input_dataset, map_func, cycle_length, block_length):
        super().__init__(input_dataset, map_func)
        if cycle_length is None or cycle_length == AUTOTUNE:
            cycle_length = os.cpu_count() or 1
        self._cycle = dataset_lib.as_count(cycle_length, "cycle_length")
        self._block = dataset_lib.as_count(
            1 if block_length is None else block_length, "block_length")
        if self._cycle <= 0 or self._block <= 0:
            raise ValueError(
                "`cycle_length` and `block_length` must be positive. Received:"
                f" cycle_length={cycle_length}, block_length={block_length}"
            )

    def _elements(self):
        inputs = self._input._iterate()
        slots = [None] * self._cycle
        index, taken, input_done = 0, 0, False
        while not (input_done and all(s is None for s in slots)):
            if slots[index] is None and not input_done:
                element = next(inputs, None)
                if element is None:
                    input_done = True
                else:
                    inner = dataset_lib.call_with_element(self._fn, element)
                    slots[index] = _as_dataset(inner)._iterate()
                continue
            value = None if slots[index] is None else next(slots[index], None)
            if value is not None:
                taken += 1
                yield value
                if taken < self._block:
                    continue
            else:
                slots[index] = None
            index, taken = (index + 1) % self._cycle, 0


class EnumerateDataset(_UnaryDataset):
    """`(i, element)` pairs with an int64 counter from `start`."""

    def __init__(self, input_dataset, start):
        super().__init__(input_dataset)
        self._start = dataset_lib.as_count(start, "start")

    def _compute_element_spec(self):
        counter = structure.spec_of(torch.zeros((), dtype=torch.int64))
        return (counter, self._input.element_spec)

    def _elements(self):
        for i, element in enumerate(self._input._iterate(), self._start):
            yield (torch.tensor(i, dtype=torch.int64), element)


# --------------------------------------------------------------------------
# Order: repeat, take, skip, shard, prefetch, options.


class RepeatDataset(_OrderDataset):
    """`count` passes over the input (forever when None or negative)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = -1 if count is None else dataset_lib.as_count(
            count, "count")

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        if self._count == 0:
            return 0
        if n < 0:
            return n
        return n * self._count

    def _passes(self, one_pass):
        """Chains passes; an empty pass ends an infinite repeat."""
        passes = itertools.count() if self._count < 0 else range(self._count)
        for _ in passes:
            empty = True
            for item in one_pass():
                empty = False
                yield item
            if empty:
                return

    def _elements(self):
        return self._passes(self._input._iterate)

    def _index_chunks(self):
        def one_pass():
            return (c for c in self._input._index_chunks() if len(c))

        return self._passes(one_pass)


class TakeDataset(_OrderDataset):
    """The first `count` elements (all when `count` is negative)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = dataset_lib.as_count(count, "count")

    def _cardinality(self):
        n = self._input._cardinality()
        if n == UNKNOWN_CARDINALITY or self._count < 0:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        return min(n, self._count)

    def _elements(self):
        iterator = self._input._iterate()
        if self._count < 0:
            return iterator
        return itertools.islice(iterator, self._count)

    def _index_chunks(self):
        return _take_chunks(self._input._index_chunks(), self._count)


def _take_chunks(chunks, count):
    left = count
    for chunk in chunks:
        if left >= 0 and len(chunk) >= left:
            if left:
                yield chunk[:left]
            return
        left = left - len(chunk) if left >= 0 else left
        yield chunk


class SkipDataset(_OrderDataset):
    """All but the first `count` elements (none when `count` < 0)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = dataset_lib.as_count(count, "count")

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return 0 if self._count < 0 else max(0, n - self._count)

    def _elements(self):
        iterator = self._input._iterate()
        if self._count < 0:
            return iter(())
        return itertools.islice(iterator, self._count, None)

    def _index_chunks(self):
        return _skip_chunks(self._input._index_chunks(), self._count)


def _skip_chunks(chunks, count):
    left = count
    for chunk in chunks:
        if left < 0:
            continue
        if left >= len(chunk):
            left -= len(chunk)
            continue
        yield chunk[left:]
        left = 0


class ShardDataset(_OrderDataset):
    """Elements `index`, `index + num_shards`, ... of the input."""

    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._num = dataset_lib.as_count(num_shards, "num_shards")
        self._index = dataset_lib.as_count(index, "index")
        if self._num <= 0 or not 0 <= self._index < self._num:
            raise ValueError(
                "`shard` needs num_shards > 0 and 0 <= index < num_shards. "
                f"Received: num_shards={num_shards}, index={index}"
            )

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._num + (1 if self._index < n % self._num else 0)

    def _elements(self):
        return itertools.islice(self._input._iterate(), self._index, None,
                                self._num)

    def _index_chunks(self):
        return _shard_chunks(self._input._index_chunks(), self._num,
                             self._index)


def _shard_chunks(chunks, num, index):
    offset = 0
    for chunk in chunks:
        part = chunk[(index - offset) % num::num]
        offset += len(chunk)
        if len(part):
            yield part


class PrefetchDataset(_OrderDataset):
    """Accepted for tf.data code: elements are produced on demand."""

    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        buffer_size = dataset_lib.as_count(buffer_size, "buffer_size")
        if buffer_size < AUTOTUNE:
            raise ValueError(
                "`buffer_size` must be AUTOTUNE (-1) or >= 0. "
                f"Received: buffer_size={buffer_size}"
            )

    def _elements(self):
        return self._input._iterate()

    def _index_chunks(self):
        return self._input._index_chunks()


class OptionsDataset(PrefetchDataset):
    """Carries `Options` (see `Dataset.options`)."""

    def __init__(self, input_dataset, options):
        _OrderDataset.__init__(self, input_dataset)
        if not isinstance(options, Options):
            raise TypeError(
                "`with_options` expects a `torchkeras.data.Options`. "
                f"Received: options={options!r}"
            )
        self._own_options = options
