"""`timeseries_dataset_from_array`: sliding windows over an array.

The windows are never materialised: the dataset holds the start
positions (shuffled as Keras shuffles them) and each batch of positions
gathers its windows from the data in one indexing operation.
"""

import numpy as np
import torch

from torchkeras.data.dataset import AUTOTUNE
from torchkeras.data.dataset import Dataset
from torchkeras.data.structure import to_leaf
from torchkeras.utils.registry import keras_export


def _check_arguments(length, sequence_stride, sampling_rate, start_index,
                     end_index):
    if start_index:
        if start_index < 0:
            raise ValueError(
                "`start_index` must be 0 or greater. "
                f"Received: start_index={start_index}"
            )
        if start_index >= length:
            raise ValueError(
                "`start_index` must be lower than the length of the data. "
                f"Received: start_index={start_index}, for data of length "
                f"{length}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. "
                f"Received: start_index={start_index}, and "
                f"end_index={end_index}"
            )
        if end_index >= length:
            raise ValueError(
                "`end_index` must be lower than the length of the data. "
                f"Received: end_index={end_index}, for data of length "
                f"{length}"
            )
        if end_index <= 0:
            raise ValueError(
                "`end_index` must be higher than 0. "
                f"Received: end_index={end_index}"
            )
    for name, value in (("sampling_rate", sampling_rate),
                        ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(
                f"`{name}` must be higher than 0. Received: {name}={value}"
            )
        if value >= length:
            raise ValueError(
                f"`{name}` must be lower than the length of the data. "
                f"Received: {name}={value}, for data of length {length}"
            )


def _gather(leaf, index):
    if isinstance(leaf, np.ndarray):  # strings
        return leaf[index.numpy()]
    return leaf[index]


@keras_export(
    "keras.utils.timeseries_dataset_from_array",
    "keras.preprocessing.timeseries_dataset_from_array",
)
def timeseries_dataset_from_array(data, targets, sequence_length,
                                  sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Creates a dataset of sliding windows over a timeseries array.

    Window ``i`` holds the timesteps ``s, s + sampling_rate, ...,
    s + (sequence_length - 1) * sampling_rate`` of `data`, where
    ``s = start_index + i * sequence_stride``; its target is
    ``targets[s]`` (the target of the window's first timestep). Only
    timesteps before `end_index` are used. Windows come in order unless
    `shuffle` is True.

    Args:
        data: an array or tensor of timesteps, first axis the time.
        targets: the targets, aligned with `data` on the first axis
            (``targets[i]`` is the target of the window starting at
            ``data[i]``), or None for a dataset of windows only.
        sequence_length: the number of timesteps per window.
        sequence_stride: the step between the starts of two windows.
        sampling_rate: the step between two timesteps of a window.
        batch_size: windows per batch (default 128); None yields single
            windows.
        shuffle: whether to shuffle the windows.
        seed: the random seed of the shuffle.
        start_index: the first timestep used (inclusive, default 0).
        end_index: the end of the timesteps used (exclusive, default the
            length of `data`).

    Returns:
        A `torchkeras.data.Dataset` of ``(windows, targets)`` batches
        (windows of shape ``(batch_size, sequence_length) +
        data.shape[1:]``), or of windows alone when `targets` is None.

    Examples:
        >>> import numpy as np
        >>> ds = timeseries_dataset_from_array(
        ...     np.arange(10), np.arange(10) * 10, sequence_length=3,
        ...     batch_size=4)
        >>> x, y = next(iter(ds))
        >>> x.tolist(), y.tolist()
        ([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [0, 10, 20, 30])
    """
    length = len(data)
    _check_arguments(length, sequence_stride, sampling_rate, start_index,
                     end_index)
    start_index = start_index or 0
    end_index = length if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride,
                          dtype="int64")
    if shuffle:
        # Keras's own shuffle of the start positions, then a per-epoch
        # shuffle of the windows.
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    values = to_leaf(data, "data")[start_index:end_index]
    target_values = None
    if targets is not None:
        target_values = to_leaf(targets, "targets")[start_index:end_index]
    offsets = torch.arange(0, sequence_length * sampling_rate,
                           sampling_rate, dtype=torch.int64)

    def windows(starts):
        window = _gather(values, starts.unsqueeze(-1) + offsets)
        if target_values is None:
            return window
        return window, _gather(target_values, starts)

    ds = Dataset.from_tensor_slices(torch.from_numpy(positions))
    if shuffle:
        ds = ds.shuffle(1024 if batch_size is None else 8 * batch_size,
                        seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds.map(windows).prefetch(AUTOTUNE)
