"""Tests for ``torchkeras/ops/image.py`` against SciPy, colorsys and
hand-computed values."""

import colorsys

import numpy as np
import pytest
import scipy.ndimage
import torch

import torchkeras as keras
from torchkeras import ops

RNG = np.random.default_rng(2)
IMG = RNG.random((2, 6, 8, 3)).astype("float32")


def test_resize_uses_half_pixel_centres():
    x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    # Halving with half-pixel centres samples between each 2x2 block.
    expected = x.reshape(1, 2, 2, 2, 2, 1).mean((2, 4))
    np.testing.assert_allclose(ops.image.resize(x, (2, 2)).numpy(), expected)
    nearest = ops.image.resize(x, (8, 8), interpolation="nearest").numpy()
    np.testing.assert_array_equal(nearest, x.repeat(2, 1).repeat(2, 2))
    as_int = ops.image.resize(x.astype("uint8"), (2, 2))
    assert as_int.dtype == torch.uint8
    cropped = ops.image.resize(IMG, (6, 6), crop_to_aspect_ratio=True)
    np.testing.assert_allclose(cropped.numpy(), IMG[:, :, 1:7])
    padded = ops.image.resize(IMG[0], (8, 8), pad_to_aspect_ratio=True,
                              fill_value=-1.0)
    np.testing.assert_allclose(padded.numpy()[1:7], IMG[0])
    assert (padded.numpy()[0] == -1).all()
    with pytest.raises(ValueError, match="interpolation"):
        ops.image.resize(IMG, (2, 2), interpolation="cubic")


SCIPY_MODES = {"constant": "grid-constant", "nearest": "nearest",
               "wrap": "grid-wrap", "mirror": "mirror", "reflect": "reflect"}


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("fill_mode", sorted(SCIPY_MODES))
def test_map_coordinates_matches_scipy(order, fill_mode):
    plane = RNG.normal(size=(5, 7))
    coords = RNG.uniform(-4, 11, size=(2, 30))
    expected = scipy.ndimage.map_coordinates(
        plane, coords, order=order, mode=SCIPY_MODES[fill_mode], cval=0.5)
    result = ops.image.map_coordinates(plane, coords, order, fill_mode,
                                       fill_value=0.5)
    np.testing.assert_allclose(result.numpy(), expected, atol=1e-10)


def test_affine_transform_translates_and_flips():
    shift = np.array([1, 0, 2, 0, 1, -1, 0, 0], "float32")  # x+2, y-1
    out = ops.image.affine_transform(IMG, shift, fill_value=0.25).numpy()
    np.testing.assert_allclose(out[:, 1:, :6], IMG[:, :5, 2:])
    assert (out[:, 0] == 0.25).all() and (out[:, :, 6:] == 0.25).all()
    flip = np.array([-1, 0, 7, 0, 1, 0, 0, 0], "float32")
    flipped = ops.image.affine_transform(
        np.moveaxis(IMG, -1, 1), flip, interpolation="nearest",
        data_format="channels_first").numpy()
    np.testing.assert_allclose(np.moveaxis(flipped, 1, -1),
                               IMG[:, :, ::-1])


def test_extract_patches_pad_crop_match_numpy():
    patches = ops.image.extract_patches(IMG, (2, 3), strides=(2, 2))
    assert patches.shape == (2, 3, 3, 18)
    np.testing.assert_array_equal(patches.numpy()[:, 1, 2],
                                  IMG[:, 2:4, 4:7].reshape(2, -1))
    padded = ops.image.pad_images(IMG, 1, 2, target_height=9,
                                  target_width=11).numpy()
    np.testing.assert_array_equal(
        padded, np.pad(IMG, ((0, 0), (1, 2), (2, 1), (0, 0))))
    cropped = ops.image.crop_images(IMG[0], 1, 2, bottom_cropping=2,
                                    right_cropping=1).numpy()
    np.testing.assert_array_equal(cropped, IMG[0, 1:4, 2:7])
    with pytest.raises(ValueError, match="exactly two"):
        ops.image.pad_images(IMG, 1, 2)


def test_colour_conversions_match_colorsys():
    hsv = ops.image.rgb_to_hsv(IMG).numpy()
    expected = np.apply_along_axis(lambda p: colorsys.rgb_to_hsv(*p), -1,
                                   IMG)
    np.testing.assert_allclose(hsv, expected, atol=1e-6)
    np.testing.assert_allclose(ops.image.hsv_to_rgb(hsv).numpy(), IMG,
                               atol=1e-6)
    gray = ops.image.rgb_to_grayscale(IMG).numpy()
    np.testing.assert_allclose(gray[..., 0],
                               IMG @ np.array([0.2989, 0.587, 0.114]),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="channels"):
        ops.image.rgb_to_hsv(IMG[..., :2])


def test_filters_match_scipy():
    x = 1 - 2 * np.arange(3, dtype="float32") / 2
    kernel = np.exp(-0.5 * x ** 2)
    kernel = np.outer(kernel, kernel) / kernel.sum() ** 2
    blurred = ops.image.gaussian_blur(IMG, (3, 3), (1.0, 1.0)).numpy()
    expected = scipy.ndimage.correlate(IMG[0, ..., 0], kernel,
                                       mode="constant")
    np.testing.assert_allclose(blurred[0, ..., 0], expected, rtol=1e-5,
                               atol=1e-6)
    edges = ops.image.sobel_edges(IMG).numpy()
    dx = scipy.ndimage.correlate(IMG[1, ..., 2], [[-1, 0, 1], [-2, 0, 2],
                                                  [-1, 0, 1]],
                                 mode="constant")
    np.testing.assert_allclose(edges[1, ..., 2, 1], dx, rtol=1e-5,
                               atol=1e-6)


def test_image_ops_in_functional_models():
    inputs = keras.Input((6, 8, 3))
    small = ops.image.resize(inputs, (3, 4))
    gray = ops.image.rgb_to_grayscale(small)
    patches = ops.image.extract_patches(gray, 2)
    assert patches.shape == (None, 1, 2, 4)
    model = keras.Model(inputs, patches)
    expected = ops.image.extract_patches(ops.image.rgb_to_grayscale(
        ops.image.resize(IMG, (3, 4))), 2)
    np.testing.assert_allclose(model.predict(IMG, verbose=0),
                               expected.numpy(), rtol=1e-6)
