"""`timeseries_dataset_from_array`: windows and targets as Keras makes them.

References: a NumPy sliding-window re-implementation of the documented
rule, the worked examples of Keras's docstring, and (when
`TORCHKERAS_KERAS_PYTHON` is set) Keras 3's own function run in the oracle
Python. That environment has neither TensorFlow nor Grain, so the oracle
runs Keras's `format="grain"` code path with a minimal in-memory stand-in
for `grain.MapDataset` (sources, zip and batching of Python lists): the
window and target arithmetic is Keras's own.
"""

import json
import os
import subprocess
import textwrap

import numpy as np
import pytest
import torch

import torchkeras as keras

CASES = [
    # sequence_length, sequence_stride, sampling_rate, batch_size,
    # start_index, end_index, with_targets
    (3, 1, 1, 4, None, None, True),
    (5, 2, 3, 3, None, None, True),
    (4, 3, 2, 5, 2, 27, True),
    (2, 1, 1, None, 5, None, False),
    (6, 4, 1, 2, None, 20, False),
    (1, 1, 1, 7, 3, 9, True),
]


def reference(data, targets, sequence_length, sequence_stride, sampling_rate,
              start_index, end_index):
    """Windows [s, s + r, ..., s + (L-1) r] with s = start + i * stride."""
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    windows, window_targets = [], []
    s = start
    while s + (sequence_length - 1) * sampling_rate < end:
        if targets is not None and s - start >= len(targets):
            break
        windows.append(data[s:s + (sequence_length - 1) * sampling_rate + 1:
                            sampling_rate])
        if targets is not None:
            window_targets.append(targets[s])
        s += sequence_stride
    return np.array(windows), np.array(window_targets)


def run(data, targets, case, **kwargs):
    seq, stride, rate, batch, start, end, _ = case
    return keras.utils.timeseries_dataset_from_array(
        data, targets, sequence_length=seq, sequence_stride=stride,
        sampling_rate=rate, batch_size=batch, start_index=start,
        end_index=end, **kwargs)


def flatten(ds, with_targets, batched):
    xs, ys = [], []
    for element in ds:
        x, y = element if with_targets else (element, None)
        xs.extend(x.numpy() if batched else [x.numpy()])
        if with_targets:
            ys.extend(y.numpy() if batched else [y.numpy()])
    return np.array(xs), np.array(ys)


def data_and_targets(case):
    data = np.arange(30 * 2, dtype="float32").reshape(30, 2)
    targets = np.arange(30) * 10 if case[-1] else None
    return data, targets


@pytest.mark.parametrize("case", CASES)
def test_windows_match_numpy_reference(case):
    data, targets = data_and_targets(case)
    ds = run(data, targets, case)
    windows, window_targets = flatten(ds, case[-1], case[3] is not None)
    ref_x, ref_y = reference(data, targets, *case[:3], *case[4:6])
    np.testing.assert_array_equal(windows, ref_x)
    np.testing.assert_array_equal(window_targets, ref_y)


def test_batch_shapes_and_dtypes():
    data = np.random.default_rng(0).normal(size=(50, 3))
    ds = keras.utils.timeseries_dataset_from_array(
        data, np.arange(50), sequence_length=10, batch_size=16)
    shapes = [(tuple(x.shape), tuple(y.shape)) for x, y in ds]
    assert shapes == [((16, 10, 3), (16,))] * 2 + [((9, 10, 3), (9,))]
    x, y = next(iter(ds))
    assert x.dtype == torch.float64 and y.dtype == torch.int64


def test_keras_docstring_examples():
    # Example 1: indices 0..98, length 10, rate 2, stride 3.
    ds = keras.utils.timeseries_dataset_from_array(
        np.arange(99), None, sequence_length=10, sampling_rate=2,
        sequence_stride=3, batch_size=100)
    windows = next(iter(ds)).numpy()
    np.testing.assert_array_equal(windows[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(windows[1], np.arange(3, 23, 2))
    np.testing.assert_array_equal(windows[-1], np.arange(78, 98, 2))
    # Example 2: targets `data[10:]` give each window its next value.
    data = np.arange(100)
    ds = keras.preprocessing.timeseries_dataset_from_array(
        data[:-10], data[10:], sequence_length=10)
    for inputs, targets in ds:
        np.testing.assert_array_equal(inputs[0].numpy(), data[:10])
        assert int(targets[0]) == data[10]
        break
    # Example 3: one step ahead over the first 30 values only.
    ds = keras.utils.timeseries_dataset_from_array(
        data, np.roll(data, -10), sequence_length=10, end_index=30,
        batch_size=100)
    inputs, targets = next(iter(ds))
    assert inputs.shape[0] == 21
    np.testing.assert_array_equal(targets.numpy(), np.arange(10, 31))


def test_shuffle_keeps_the_windows_and_pairs():
    data = np.arange(40)
    ds = keras.utils.timeseries_dataset_from_array(
        data, data * 100, sequence_length=4, batch_size=5, shuffle=True,
        seed=3)
    epochs = []
    for _ in range(2):
        pairs = [(tuple(x.tolist()), int(t))
                 for xb, yb in ds for x, t in zip(xb, yb)]
        assert all(t == x[0] * 100 for x, t in pairs)
        epochs.append(pairs)
    assert sorted(epochs[0]) == sorted(epochs[1])
    assert [x for x, _ in epochs[0]] != sorted(x for x, _ in epochs[0])
    assert len(epochs[0]) == 37


def test_trains_a_model():
    t = np.arange(400, dtype="float32")
    series = np.sin(t * 0.1)[:, None]
    ds = keras.utils.timeseries_dataset_from_array(
        series[:-8], series[8:, 0], sequence_length=8, batch_size=32,
        shuffle=True, seed=0)
    model = keras.Sequential([keras.Input((8, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(ds, epochs=5, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


@pytest.mark.parametrize("kwargs,match", [
    ({"start_index": -1}, "start_index"),
    ({"start_index": 30}, "start_index"),
    ({"start_index": 5, "end_index": 5}, "end_index"),
    ({"end_index": 30}, "end_index"),
    ({"sampling_rate": 0}, "sampling_rate"),
    ({"sequence_stride": 30}, "sequence_stride"),
])
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.utils.timeseries_dataset_from_array(
            np.arange(30), None, sequence_length=3, **kwargs)


_ORACLE = textwrap.dedent("""
    import json, sys, types
    import numpy as np

    class MapDataset:
        def __init__(self, items):
            self.items = list(items)

        @staticmethod
        def source(items):
            return MapDataset(items)

        def to_iter_dataset(self):
            return self

        def batch(self, size, batch_fn):
            return MapDataset(batch_fn(self.items[i:i + size])
                              for i in range(0, len(self.items), size))

    class ZipMapDataset(MapDataset):
        def __init__(self, parents):
            super().__init__(zip(*[p.items for p in parents]))

    grain = types.ModuleType("grain")
    grain.MapDataset = MapDataset
    grain.experimental = types.SimpleNamespace(ZipMapDataset=ZipMapDataset)
    sys.modules["grain"] = grain

    import keras
    data = np.arange(60, dtype="float32").reshape(30, 2)
    out = []
    for seq, stride, rate, batch, start, end, with_targets in json.loads(
            sys.argv[1]):
        targets = np.arange(30) * 10 if with_targets else None
        ds = keras.utils.timeseries_dataset_from_array(
            data, targets, seq, sequence_stride=stride, sampling_rate=rate,
            batch_size=batch, start_index=start, end_index=end,
            format="grain")
        xs, ys = [], []
        for element in ds.items:
            x, y = element if with_targets else (element, None)
            xs.extend(np.asarray(x).tolist() if batch else
                      [np.asarray(x).tolist()])
            if with_targets:
                ys.extend(np.asarray(y).tolist() if batch else
                          [np.asarray(y).tolist()])
        out.append([xs, ys])
    print(json.dumps(out))
""")


def test_windows_match_keras3():
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("set TORCHKERAS_KERAS_PYTHON to a Python with Keras 3 "
                    "to compare with Keras's timeseries_dataset_from_array")
    result = subprocess.run(
        [python, "-c", _ORACLE, json.dumps(CASES)], capture_output=True,
        text=True, check=True, env={**os.environ, "KERAS_BACKEND": "jax"})
    expected = json.loads(result.stdout.strip().splitlines()[-1])
    for case, (keras_x, keras_y) in zip(CASES, expected):
        data, targets = data_and_targets(case)
        ours_x, ours_y = flatten(run(data, targets, case), case[-1],
                                 case[3] is not None)
        np.testing.assert_array_equal(ours_x, np.array(keras_x))
        np.testing.assert_array_equal(ours_y.reshape(-1),
                                      np.array(keras_y).reshape(-1))


def test_docstring_example_runs():
    import doctest

    from torchkeras.preprocessing import timeseries_dataset

    result = doctest.testmod(timeseries_dataset)
    assert result.attempted > 0 and result.failed == 0
