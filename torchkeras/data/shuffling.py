"""`Dataset.shuffle`: tf.data's buffer shuffle, seeded per iteration.

The buffer algorithm (as tf.data): fill a buffer with the first
`buffer_size` elements; then, for each further input element, emit a
random buffer slot and put the new element in its place; at the end of the
input, emit the rest of the buffer in a random order. An element thus
never moves earlier than `buffer_size - 1` places before its input
position, and a buffer at least as large as the dataset is a uniform
shuffle.

Seeds: pass `k` of a dataset draws from `np.random.default_rng([seed, k])`
(`k` stays 0 with `reshuffle_each_iteration=False`). Without a `seed`, one
is drawn from torch's global generator when `shuffle` is called, so
`keras.utils.set_random_seed` makes a pipeline repeatable. The slot draws
come in fixed blocks, so shuffling row indices (the batch fast path) and
shuffling elements consume the same random numbers and agree exactly.
"""

import itertools

import numpy as np
import torch

from torchkeras.data import dataset as dataset_lib
from torchkeras.data.dataset import Dataset

_PICK_BLOCK = 1024
_OUT_CHUNK = 4096


class _SlotPicker:
    """Draws random buffer slots in blocks of `_PICK_BLOCK`."""

    def __init__(self, rng, buffer_size):
        self._rng = rng
        self._size = buffer_size
        self._block = []
        self._pos = 0

    def next(self):
        if self._pos == len(self._block):
            self._block = self._rng.integers(
                0, self._size, size=_PICK_BLOCK).tolist()
            self._pos = 0
        self._pos += 1
        return self._block[self._pos - 1]


def buffer_shuffle(items, buffer_size, rng):
    """Yields `items` in tf.data buffer-shuffled order."""
    buffer = []
    picker = _SlotPicker(rng, buffer_size)
    for item in items:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        slot = picker.next()
        yield buffer[slot]
        buffer[slot] = item
    for slot in rng.permutation(len(buffer)).tolist():
        yield buffer[slot]


def shuffle_index_chunks(chunks, buffer_size, rng):
    """`buffer_shuffle` over index chunks, vectorised when all fit."""
    head, total = [], 0
    chunks = iter(chunks)
    for chunk in chunks:
        head.append(chunk)
        total += len(chunk)
        if total > buffer_size:
            break
    else:  # The whole input fits in the buffer: one permutation.
        if head:
            indices = np.concatenate(head)
            yield indices[rng.permutation(len(indices))]
        return
    ints = itertools.chain.from_iterable(
        chunk.tolist() for chunk in itertools.chain(head, chunks))
    shuffled = buffer_shuffle(ints, buffer_size, rng)
    while True:
        block = list(itertools.islice(shuffled, _OUT_CHUNK))
        if not block:
            return
        yield np.asarray(block, dtype=np.int64)


class ShuffleDataset(Dataset):
    """The elements of `input` in buffer-shuffled order."""

    def __init__(self, input_dataset, buffer_size, seed, reshuffle):
        buffer_size = dataset_lib.as_count(buffer_size, "buffer_size")
        if buffer_size <= 0:
            raise ValueError(
                "`buffer_size` must be greater than zero. "
                f"Received: buffer_size={buffer_size}"
            )
        if seed is None:
            seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        self._input = input_dataset
        self._buffer_size = buffer_size
        self._seed = dataset_lib.as_count(seed, "seed") % 2**63
        self._reshuffle = reshuffle
        self._epoch = 0

    def _next_rng(self):
        epoch = self._epoch if self._reshuffle else 0
        if self._reshuffle and not dataset_lib.peeking():
            self._epoch += 1
        return np.random.default_rng([self._seed, epoch])

    def _parents(self):
        return (self._input,)

    def _cardinality(self):
        return self._input._cardinality()

    def _compute_element_spec(self):
        return self._input.element_spec

    def _fixed_order(self):
        return not self._reshuffle and self._input._fixed_order()

    def _elements(self):
        rng = self._next_rng()
        return buffer_shuffle(self._input._iterate(), self._buffer_size, rng)

    def _index_source(self):
        return self._input._row_source()

    def _index_chunks(self):
        rng = self._next_rng()
        return shuffle_index_chunks(self._input._index_chunks(),
                                    self._buffer_size, rng)
