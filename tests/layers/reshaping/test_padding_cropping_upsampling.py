"""ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D against
NumPy (``np.pad``, slicing, ``np.repeat``, TF's half-pixel bilinear)."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


def _spatial_first(data_format):
    return 1 if data_format == "channels_last" else 2


def _data(rank, data_format, rng=None):
    rng = rng or np.random.default_rng(rank)
    shape = (2,) + (5, 6, 7)[:rank] + (3,)
    x = rng.standard_normal(shape).astype("float32")
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 1)


# ----------------------------------------------------------------------
# ZeroPadding.


@pytest.mark.parametrize("cls, padding, pairs", [
    (layers.ZeroPadding1D, 2, ((2, 2),)),
    (layers.ZeroPadding1D, (1, 3), ((1, 3),)),
    (layers.ZeroPadding2D, 1, ((1, 1), (1, 1))),
    (layers.ZeroPadding2D, (2, 1), ((2, 2), (1, 1))),
    (layers.ZeroPadding2D, ((1, 0), (2, 3)), ((1, 0), (2, 3))),
    (layers.ZeroPadding3D, (1, 0, 2), ((1, 1), (0, 0), (2, 2))),
    (layers.ZeroPadding3D, ((0, 1), (2, 0), (1, 1)),
     ((0, 1), (2, 0), (1, 1))),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding_matches_np_pad(cls, padding, pairs, data_format):
    rank = len(pairs)
    x = _data(rank, data_format)
    first = _spatial_first(data_format)
    width = [(0, 0)] * x.ndim
    for i, pair in enumerate(pairs):
        width[first + i] = pair
    layer = cls(padding, data_format=data_format)
    out = layer(torch.from_numpy(x))
    np.testing.assert_array_equal(out.numpy(), np.pad(x, width))
    assert layer.compute_output_shape(x.shape) == tuple(out.shape)


def test_zero_padding_config_forms():
    assert layers.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert "data_format" not in layers.ZeroPadding1D().get_config()
    assert layers.ZeroPadding2D((1, 2)).get_config()["padding"] == (
        (1, 1), (2, 2))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding1D(-1)


# ----------------------------------------------------------------------
# Cropping.


@pytest.mark.parametrize("cls, cropping, pairs", [
    (layers.Cropping1D, (1, 2), ((1, 2),)),
    (layers.Cropping1D, 2, ((2, 2),)),
    (layers.Cropping2D, 1, ((1, 1), (1, 1))),
    (layers.Cropping2D, ((2, 0), (1, 3)), ((2, 0), (1, 3))),
    (layers.Cropping3D, (1, 2, 0), ((1, 1), (2, 2), (0, 0))),
    (layers.Cropping3D, ((0, 1), (2, 0), (1, 1)), ((0, 1), (2, 0), (1, 1))),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cropping_matches_slicing(cls, cropping, pairs, data_format):
    rank = len(pairs)
    x = _data(rank, data_format)
    first = _spatial_first(data_format)
    index = [slice(None)] * x.ndim
    for i, (before, after) in enumerate(pairs):
        index[first + i] = slice(before, x.shape[first + i] - after)
    layer = cls(cropping, data_format=data_format)
    out = layer(torch.from_numpy(x))
    np.testing.assert_array_equal(out.numpy(), x[tuple(index)])
    assert layer.compute_output_shape(x.shape) == tuple(out.shape)


def test_cropping_too_much_names_the_layer():
    with pytest.raises(ValueError, match="big_crop"):
        layers.Cropping2D(3, name="big_crop")(torch.zeros(1, 5, 9, 1))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping1D((3, 3))(keras.Input((6, 2)))
    assert layers.Cropping1D((3, 3))(keras.Input((None, 2))).shape == (
        None, None, 2)


# ----------------------------------------------------------------------
# UpSampling.


@pytest.mark.parametrize("cls, size", [
    (layers.UpSampling1D, 3),
    (layers.UpSampling2D, (2, 3)),
    (layers.UpSampling3D, (1, 2, 3)),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_nearest_upsampling_matches_np_repeat(cls, size, data_format):
    sizes = (size,) if isinstance(size, int) else size
    rank = len(sizes)
    x = _data(rank, data_format)
    expected = x
    first = _spatial_first(data_format)
    for i, factor in enumerate(sizes):
        expected = np.repeat(expected, factor, axis=first + i)
    layer = cls(size, data_format=data_format)
    out = layer(torch.from_numpy(x))
    np.testing.assert_array_equal(out.numpy(), expected)
    assert layer.compute_output_shape(x.shape) == tuple(out.shape)


def test_nearest_upsampling_keeps_integer_dtype():
    x = torch.arange(6).reshape(1, 3, 2)
    out = layers.UpSampling1D(2)(x)
    assert out.dtype == torch.int64
    np.testing.assert_array_equal(out.numpy()[0, :, 0], [0, 0, 2, 2, 4, 4])


def _np_bilinear_axis(x, axis, factor):
    """TF's half-pixel bilinear resize of one axis by ``factor``."""
    n = x.shape[axis]
    out = []
    for i in range(n * factor):
        src = (i + 0.5) / factor - 0.5
        low = int(np.floor(src))
        frac = src - low
        lo, hi = max(low, 0), min(low + 1, n - 1)
        out.append(np.take(x, lo, axis) * (1 - frac)
                   + np.take(x, hi, axis) * frac)
    return np.stack(out, axis=axis)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_bilinear_upsampling_matches_tf_half_pixel(data_format):
    x = _data(2, data_format)
    first = _spatial_first(data_format)
    expected = _np_bilinear_axis(_np_bilinear_axis(x, first, 2),
                                 first + 1, 3)
    layer = layers.UpSampling2D((2, 3), data_format=data_format,
                                interpolation="bilinear")
    out = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="interpolation"):
        layers.UpSampling2D(interpolation="lanczos9")


def test_upsampling_config():
    assert layers.UpSampling1D(3).get_config()["size"] == 3
    config = layers.UpSampling2D(2, interpolation="bilinear").get_config()
    assert config["size"] == (2, 2)
    assert config["interpolation"] == "bilinear"
    assert layers.UpSampling3D().get_config()["size"] == (2, 2, 2)


@pytest.mark.parametrize("cls, kwargs, shape, out", [
    (layers.ZeroPadding2D, {"padding": ((1, 0), (0, 2))}, (2, 3, 4, 2),
     (2, 4, 6, 2)),
    (layers.Cropping3D, {"cropping": 1}, (2, 4, 5, 6, 2), (2, 2, 3, 4, 2)),
    (layers.UpSampling2D, {"size": 2, "interpolation": "bilinear"},
     (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling1D, {"size": 2}, (2, 3, 2), (2, 6, 2)),
])
def test_run_layer_test(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, stochastic=False,
                   assert_built_after_instantiation=True)
