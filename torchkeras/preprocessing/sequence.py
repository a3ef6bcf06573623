"""``preprocessing.sequence``: tf.keras 2's sequence utilities.

`pad_sequences`, `TimeseriesGenerator`, `make_sampling_table` and
`skipgrams`, with tf.keras 2's arguments, defaults and outputs (NumPy
arrays and Python lists; nothing here touches torch).
"""

import json
import random

import numpy as np

from torchkeras.utils.sequence import Sequence


def pad_sequences(
    sequences,
    maxlen=None,
    dtype="int32",
    padding="pre",
    truncating="pre",
    value=0.0,
):
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences into an array of shape
    ``(num_samples, maxlen) + item_shape``; shorter sequences are padded
    with `value`, longer ones truncated.

    Args:
        sequences: list of sequences (lists or arrays).
        maxlen: length of the result; `None` means the longest sequence.
        dtype: dtype of the result (`object` for variable-length strings).
        padding: `"pre"` or `"post"`: pad before or after each sequence.
        truncating: `"pre"` or `"post"`: cut the start or the end of
            longer sequences.
        value: padding value (a number, or a string with a string dtype).

    Returns:
        A NumPy array of shape ``(len(sequences), maxlen) + item_shape``.

    Examples:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
        array([[0, 0, 1],
               [0, 2, 3],
               [4, 5, 6]], dtype=int32)
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding="post")
        array([[1, 0],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    _check_side("padding", padding)
    _check_side("truncating", truncating)
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            "`sequences` must be a list of iterables. "
            f"Received: sequences={sequences!r}"
        )
    lengths, item_shape = _lengths_and_item_shape(sequences)
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_str_dtype = np.issubdtype(np.dtype(dtype), np.str_)
    if isinstance(value, str) and dtype is not object and not is_str_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: "
            f"{type(value)}. You should set `dtype=object` for variable "
            f"length strings. Received: value={value!r}"
        )
    x = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != item_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of sequence at "
                f"position {idx} is different from expected shape "
                f"{item_shape}"
            )
        if padding == "post":
            x[idx, : len(trunc)] = trunc
        else:
            x[idx, -len(trunc):] = trunc
    return x


def _check_side(name, side):
    if side not in ("pre", "post"):
        raise ValueError(
            f"`{name}` must be 'pre' or 'post'. Received: {name}={side!r}")


def _lengths_and_item_shape(sequences):
    """Lengths, and the item shape of the first non-empty sequence."""
    lengths, item_shape = [], None
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError as e:
            raise ValueError(
                "`sequences` must be a list of iterables. "
                f"Found non-iterable: {x!r}"
            ) from e
        if item_shape is None and len(x):
            item_shape = np.asarray(x).shape[1:]
    return lengths, item_shape or ()


class TimeseriesGenerator(Sequence):
    """Batches of windows over a time series (tf.keras 2).

    Sample ``j`` of the result ends just before row ``i_j`` of `data`:
    ``data[i_j - length : i_j : sampling_rate]``, with target
    ``targets[i_j]``; consecutive ``i_j`` are `stride` apart, from
    ``start_index + length`` to `end_index`.

    Args:
        data: indexable series (list or array), time on axis 0.
        targets: targets aligned with `data` (same length).
        length: length of the history window, in timesteps.
        sampling_rate: period between timesteps kept in a window.
        stride: period between consecutive windows.
        start_index: rows before it are not used.
        end_index: rows after it are not used (default: the last row).
        shuffle: draw window ends at random instead of in order.
        reverse: give each window in reverse time order.
        batch_size: windows per batch.

    Examples:
        >>> data = np.arange(10).reshape(10, 1)
        >>> gen = TimeseriesGenerator(data, data, length=3, batch_size=2)
        >>> x, y = gen[0]
        >>> x[:, :, 0], y[:, 0]
        (array([[0, 1, 2],
               [1, 2, 3]]), array([3, 4]))
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1,
                 start_index=0, end_index=None, shuffle=False,
                 reverse=False, batch_size=128):
        super().__init__()
        if len(data) != len(targets):
            raise ValueError(
                "Data and targets have to be of same length. Data length "
                f"is {len(data)} while target length is {len(targets)}"
            )
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError(
                f"`start_index+length={self.start_index} > "
                f"end_index={self.end_index}` is disallowed, as no part of "
                "the sequence would be left to be used as current step."
            )

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if self.shuffle:
            rows = np.random.randint(
                self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(
                first,
                min(first + self.batch_size * self.stride,
                    self.end_index + 1),
                self.stride)
        samples = np.array([
            self.data[row - self.length: row: self.sampling_rate]
            for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def get_config(self):
        """The generator's arguments; `data`/`targets` as JSON strings."""
        return {
            "data": _to_json("Data", self.data),
            "targets": _to_json("Targets", self.targets),
            "length": self.length,
            "sampling_rate": self.sampling_rate,
            "stride": self.stride,
            "start_index": self.start_index,
            "end_index": self.end_index,
            "shuffle": self.shuffle,
            "reverse": self.reverse,
            "batch_size": self.batch_size,
        }

    def to_json(self, **kwargs):
        """``{"class_name": ..., "config": get_config()}`` as JSON."""
        return json.dumps({"class_name": type(self).__name__,
                           "config": self.get_config()}, **kwargs)


def _to_json(what, values):
    if isinstance(values, np.ndarray):
        values = values.tolist()
    try:
        return json.dumps(values)
    except TypeError as e:
        raise TypeError(f"{what} not JSON Serializable: {values!r}") from e


def make_sampling_table(size, sampling_factor=1e-5):
    """word2vec's rank-based sampling probabilities, for `skipgrams`.

    Assumes Zipf-distributed word frequencies: entry ``i`` is the
    probability of keeping the ``i``-th most common word,
    ``min(1, sqrt(f / sampling_factor) / (f / sampling_factor))``.

    Args:
        size: number of words.
        sampling_factor: the word2vec sampling factor.

    Returns:
        A 1-D array of `size` probabilities.
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0,
              shuffle=True, categorical=False, sampling_table=None,
              seed=None):
    """Generates skip-gram word pairs with 1/0 labels (tf.keras 2).

    Pairs ``(word, word in its window)`` get label 1; `negative_samples`
    times as many ``(word, random word)`` pairs get label 0. Index 0 is a
    non-word and is skipped. Uses Python's `random` module, as Keras.

    Args:
        sequence: list of word indices.
        vocabulary_size: largest word index + 1.
        window_size: half-width of the window.
        negative_samples: ratio of negative to positive pairs.
        shuffle: shuffle the pairs.
        categorical: labels as ``[0, 1]`` / ``[1, 0]`` instead of 1 / 0.
        sampling_table: probability of keeping each word rank.
        seed: seed of the shuffle.

    Returns:
        ``(couples, labels)``: lists of ``[wi, wj]`` pairs and labels.
    """
    couples, labels = _positive_pairs(
        sequence, window_size, categorical, sampling_table)
    if negative_samples > 0:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)],
                     random.randint(1, vocabulary_size - 1)]
                    for i in range(count)]
        labels += [[1, 0] if categorical else 0] * count
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


def _positive_pairs(sequence, window_size, categorical, sampling_table):
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and (
                sampling_table[wi] < random.random()):
            continue
        start = max(0, i - window_size)
        end = min(len(sequence), i + window_size + 1)
        for j in range(start, end):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    return couples, labels
