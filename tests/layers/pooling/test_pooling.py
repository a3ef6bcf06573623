"""Max/AveragePooling1D/2D/3D against a NumPy reference of Keras/TF pooling.

``'same'`` pads as TF (``pad_before = pad_total // 2``); max pooling pads
with ``-inf`` and average pooling divides by the number of real (unpadded)
elements in each window.
"""

import itertools

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test

MAX = {1: layers.MaxPooling1D, 2: layers.MaxPooling2D,
       3: layers.MaxPooling3D}
AVG = {1: layers.AveragePooling1D, 2: layers.AveragePooling2D,
       3: layers.AveragePooling3D}


def np_pool(x, pool, strides, padding, mode):
    """Channels-last pooling, written from TF's definition."""
    sizes = x.shape[1:-1]
    pads = []
    for n, k, s in zip(sizes, pool, strides):
        total = 0
        if padding == "same":
            total = max((-(-n // s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    width = [(0, 0)] + pads + [(0, 0)]
    xp = np.pad(x, width, constant_values=-np.inf if mode == "max" else 0)
    real = np.pad(np.ones_like(x), width)
    outs = [(n + b + a - k) // s + 1
            for n, (b, a), k, s in zip(sizes, pads, pool, strides)]
    out = np.zeros((x.shape[0],) + tuple(outs) + (x.shape[-1],))
    for o in itertools.product(*[range(m) for m in outs]):
        window = (slice(None),) + tuple(
            slice(i * s, i * s + k) for i, s, k in zip(o, strides, pool))
        values = xp[window].reshape(x.shape[0], -1, x.shape[-1])
        index = (slice(None),) + o
        if mode == "max":
            out[index] = values.max(axis=1)
        else:
            counts = real[window].reshape(x.shape[0], -1,
                                          x.shape[-1]).sum(axis=1)
            out[index] = values.sum(axis=1) / counts
    return out


def _cases():
    cases = []
    for rank in (1, 2, 3):
        for padding in ("valid", "same"):
            for pool, strides in ((2, None), (3, 2), (2, 3), (3, 1)):
                cases.append((rank, padding, pool, strides,
                              "channels_last"))
        cases.append((rank, "same", 3, 2, "channels_first"))
    return cases


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("rank, padding, pool, strides, data_format",
                         _cases())
def test_pooling_matches_numpy(mode, rank, padding, pool, strides,
                               data_format):
    rng = np.random.default_rng(rank + pool)
    spatial = {1: (8,), 2: (7, 8), 3: (5, 6, 7)}[rank]
    x = rng.standard_normal((2,) + spatial + (3,)).astype("float32")
    if mode == "max":
        x = -np.abs(x) - 1.0  # all negative: zero padding would win
    layer = (MAX if mode == "max" else AVG)[rank](
        pool, strides=strides, padding=padding, data_format=data_format)
    xin = x if data_format == "channels_last" else np.moveaxis(x, -1, 1)
    out = layer(torch.from_numpy(xin)).numpy()
    expected = np_pool(x, layer.pool_size, layer.strides, padding, mode)
    if data_format == "channels_first":
        expected = np.moveaxis(expected, -1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
    assert layer.compute_output_shape(xin.shape) == out.shape


def test_same_average_excludes_padding_by_hand():
    # [1, 2, 3, 4, 5], pool 2, stride 2, 'same': windows [1, 2], [3, 4],
    # [5, pad] -> the last average is 5, not 2.5.
    layer = layers.AveragePooling1D(2, padding="same")
    out = layer(torch.arange(1.0, 6.0).reshape(1, 5, 1))
    np.testing.assert_array_equal(out.numpy().ravel(), [1.5, 3.5, 5.0])


def test_strides_default_to_pool_size_and_config():
    layer = layers.MaxPooling2D((2, 3))
    assert layer.strides == (2, 3)
    assert layer.get_config()["strides"] == (2, 3)
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool3D is layers.AveragePooling3D


def test_symbolic_shapes_and_errors():
    x = keras.Input((None, 9, 3))
    assert layers.MaxPooling2D(2, padding="same")(x).shape == (None, None,
                                                               5, 3)
    assert layers.AveragePooling2D(3, 2)(x).shape == (None, None, 4, 3)
    with pytest.raises(ValueError, match="tiny_pool"):
        layers.MaxPooling2D(4, name="tiny_pool")(keras.Input((3, 3, 1)))
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling1D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        layers.AveragePooling2D((2, 0))


def test_channels_last_pooling_keeps_channels_last():
    out = layers.MaxPooling2D(3, 2, padding="same")(torch.randn(2, 7, 7, 4))
    assert out.is_contiguous()


@pytest.mark.parametrize("cls, shape, out", [
    (layers.MaxPooling1D, (2, 8, 3), (2, 4, 3)),
    (layers.AveragePooling2D, (2, 6, 5, 3), (2, 3, 2, 3)),
    (layers.MaxPooling3D, (2, 4, 4, 4, 3), (2, 2, 2, 2, 3)),
])
def test_pooling_run_layer_test(cls, shape, out):
    run_layer_test(cls, {"padding": "valid"}, input_shape=shape,
                   expected_output_shape=out,
                   expected_num_trainable_weights=0, stochastic=False,
                   assert_built_after_instantiation=True)
