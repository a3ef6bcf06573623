"""Image preprocessing layers against NumPy/SciPy references.

Resizing is compared with a NumPy bilinear resize using half-pixel
centers (TensorFlow's ``half_pixel_centers``); the affine sampler of the
random layers with ``scipy.ndimage.map_coordinates``; rotations by a
quarter and a half turn with ``np.rot90``.
"""

import numpy as np
import pytest
import torch
from scipy import ndimage

import torchkeras as keras
from torchkeras.layers.preprocessing import image_utils

RNG = np.random.default_rng(0)
IMAGES = RNG.random((4, 6, 8, 3)).astype("float32")


def _bilinear_axis(n_in, n_out):
    """(lower index, upper index, weight) along one axis, half-pixel."""
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    src = np.clip(src, 0, None)
    lower = np.floor(src).astype(int)
    upper = np.minimum(lower + 1, n_in - 1)
    return lower, upper, src - lower


def numpy_bilinear(images, height, width):
    y0, y1, wy = _bilinear_axis(images.shape[1], height)
    x0, x1, wx = _bilinear_axis(images.shape[2], width)
    wy, wx = wy[None, :, None, None], wx[None, None, :, None]
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


def test_rescaling():
    out = keras.layers.Rescaling(1 / 127.5, offset=-1)(IMAGES * 255)
    np.testing.assert_allclose(out.numpy(), IMAGES * 255 / 127.5 - 1,
                               rtol=1e-5, atol=1e-6)
    per_channel = keras.layers.Rescaling([1.0, 2.0, 3.0], offset=[0, 1, 2])
    np.testing.assert_allclose(per_channel(IMAGES).numpy(),
                               IMAGES * [1, 2, 3] + [0, 1, 2], rtol=1e-6)
    ints = keras.layers.Rescaling(0.5)(torch.tensor([[2, 4]]))
    assert ints.dtype == torch.float32 and ints.tolist() == [[1.0, 2.0]]
    config = per_channel.get_config()
    assert config["scale"] == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("size", [(3, 4), (9, 13), (6, 5)])
def test_resizing_bilinear_matches_half_pixel_reference(size):
    out = keras.layers.Resizing(*size)(IMAGES)
    np.testing.assert_allclose(out.numpy(), numpy_bilinear(IMAGES, *size),
                               rtol=1e-5, atol=1e-6)


def test_resizing_nearest_uses_half_pixel_centers():
    out = keras.layers.Resizing(4, 3, interpolation="nearest")(IMAGES)
    rows = np.floor((np.arange(4) + 0.5) * 6 / 4).astype(int)
    cols = np.floor((np.arange(3) + 0.5) * 8 / 3).astype(int)
    np.testing.assert_array_equal(out.numpy(), IMAGES[:, rows][:, :, cols])


def test_resizing_crop_and_pad_to_aspect_ratio():
    image = RNG.random((1, 4, 8, 1)).astype("float32")
    crop = keras.layers.Resizing(2, 2, crop_to_aspect_ratio=True)(image)
    # Central 4x4 window, then a 2x downsample: means of 2x2 blocks.
    window = image[:, :, 2:6, :]
    blocks = window.reshape(1, 2, 2, 2, 2, 1).mean(axis=(2, 4))
    np.testing.assert_allclose(crop.numpy(), blocks, rtol=1e-6)
    small = RNG.random((1, 2, 4, 1)).astype("float32")
    pad = keras.layers.Resizing(4, 4, pad_to_aspect_ratio=True,
                                fill_value=-1.0)(small)
    expected = np.full((1, 4, 4, 1), -1.0, "float32")
    expected[:, 1:3] = small
    np.testing.assert_array_equal(pad.numpy(), expected)


def test_resizing_channels_first_unbatched_and_symbolic():
    chw = np.transpose(IMAGES[0], (2, 0, 1))
    out = keras.layers.Resizing(3, 4, data_format="channels_first")(chw)
    np.testing.assert_allclose(
        out.numpy(), np.transpose(numpy_bilinear(IMAGES[:1], 3, 4)[0],
                                  (2, 0, 1)), rtol=1e-5, atol=1e-6)
    symbolic = keras.layers.Resizing(3, 4)(keras.Input(shape=(6, 8, 3)))
    assert symbolic.shape == (None, 3, 4, 3)


def test_center_crop():
    out = keras.layers.CenterCrop(3, 5)(IMAGES)
    np.testing.assert_array_equal(out.numpy(), IMAGES[:, 1:4, 1:6])
    # Smaller than the target: crop to the aspect ratio, then resize.
    big = keras.layers.CenterCrop(12, 12)(IMAGES)
    reference = keras.layers.Resizing(12, 12, crop_to_aspect_ratio=True)
    torch.testing.assert_close(big, reference(IMAGES))


@pytest.mark.parametrize("fill_mode,scipy_mode", [
    ("reflect", "reflect"), ("wrap", "grid-wrap"), ("nearest", "nearest"),
    ("constant", "grid-constant")])
@pytest.mark.parametrize("interpolation,order", [("bilinear", 1),
                                                 ("nearest", 0)])
def test_affine_transform_matches_scipy(fill_mode, scipy_mode,
                                        interpolation, order):
    images = IMAGES[:2]
    # No source coordinate is a rounding tie (x.5): Keras rounds half to
    # even (torch.round), SciPy half up.
    matrices = np.array([[0.931, -0.413, 1.377, 0.291, 1.137, -2.071],
                         [1.713, 0.237, -3.619, -0.113, 0.831, 2.209]])
    out = image_utils.affine_transform(
        torch.from_numpy(images), torch.from_numpy(matrices), interpolation,
        fill_mode, fill_value=0.5)
    ys, xs = np.meshgrid(np.arange(6), np.arange(8), indexing="ij")
    for n, (a0, a1, a2, b0, b1, b2) in enumerate(matrices):
        coords = [b0 * xs + b1 * ys + b2, a0 * xs + a1 * ys + a2]
        for c in range(3):
            want = ndimage.map_coordinates(
                images[n, :, :, c].astype(np.float64), coords, order=order,
                mode=scipy_mode, cval=0.5)
            np.testing.assert_allclose(out[n, :, :, c].numpy(), want,
                                       rtol=1e-5, atol=1e-5)


def test_random_layers_are_identity_at_inference():
    layers = [keras.layers.RandomFlip(seed=1),
              keras.layers.RandomRotation(0.3, seed=1),
              keras.layers.RandomZoom(0.3, seed=1)]
    x = torch.from_numpy(IMAGES)
    for layer in layers:
        assert torch.equal(layer(x), x)
        assert torch.equal(layer(x, training=False), x)
        assert not torch.equal(layer(x, training=True), x)


def test_random_flip_flips_whole_images():
    x = torch.from_numpy(np.tile(IMAGES, (4, 1, 1, 1)))
    out = keras.layers.RandomFlip("horizontal", seed=3)(x, training=True)
    flipped = [torch.equal(o, i.flip(1)) for o, i in zip(out, x)]
    kept = [torch.equal(o, i) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert any(flipped) and any(kept)
    both = keras.layers.RandomFlip(seed=3)(x, training=True)
    for o, i in zip(both, x):
        assert torch.equal(o, i) or torch.equal(o, i.flip(0).flip(1))


def test_random_flip_seed_reproducible_and_config():
    layer = keras.layers.RandomFlip("vertical", seed=5)
    clone = keras.layers.RandomFlip.from_config(layer.get_config())
    x = torch.from_numpy(np.tile(IMAGES, (4, 1, 1, 1)))
    assert torch.equal(layer(x, training=True), clone(x, training=True))
    assert clone.get_config()["mode"] == "vertical"


def test_random_rotation_half_and_quarter_turns():
    x = torch.from_numpy(IMAGES)
    half = keras.layers.RandomRotation((0.5, 0.5))(x, training=True)
    np.testing.assert_allclose(half.numpy(), IMAGES[:, ::-1, ::-1],
                               atol=1e-5)
    square = RNG.random((2, 5, 5, 2)).astype("float32")
    quarter = keras.layers.RandomRotation((0.25, 0.25),
                                          interpolation="nearest")
    out = quarter(torch.from_numpy(square), training=True)
    np.testing.assert_allclose(out.numpy(), np.rot90(square, 1, (1, 2)),
                               atol=1e-6)


def test_random_zoom_in_by_two():
    image = RNG.random((1, 5, 5, 1)).astype("float32")
    layer = keras.layers.RandomZoom((-0.5, -0.5))
    out = layer(torch.from_numpy(image), training=True).numpy()
    # Zoom 0.5 about the center: output (y, x) reads (y/2 + 1, x/2 + 1).
    np.testing.assert_allclose(out[:, ::2, ::2], image[:, 1:4, 1:4],
                               atol=1e-6)
    unchanged = keras.layers.RandomZoom((0.0, 0.0), width_factor=0.0)
    torch.testing.assert_close(unchanged(torch.from_numpy(image),
                                         training=True),
                               torch.from_numpy(image))
    with pytest.raises(ValueError, match="larger than -1"):
        keras.layers.RandomZoom((-1.5, 0.0))


def test_random_crop_windows_and_inference():
    layer = keras.layers.RandomCrop(4, 5, seed=2)
    out = layer(torch.from_numpy(IMAGES), training=True).numpy()
    assert out.shape == (4, 4, 5, 3)
    windows = [(t, l) for t in range(3) for l in range(4)
               if np.array_equal(out, IMAGES[:, t:t + 4, l:l + 5])]
    assert len(windows) == 1
    # Inference: the centered window with the target aspect ratio, resized.
    square = keras.layers.RandomCrop(3, 3)(IMAGES)
    np.testing.assert_allclose(square.numpy(),
                               numpy_bilinear(IMAGES[:, :, 1:7], 3, 3),
                               rtol=1e-5, atol=1e-6)
    assert layer(keras.Input(shape=(6, 8, 3))).shape == (None, 4, 5, 3)


def test_augmentation_model_trains_and_predicts_deterministically():
    inputs = keras.Input(shape=(6, 8, 3))
    x = keras.layers.RandomFlip(seed=1)(inputs)
    x = keras.layers.RandomRotation(0.1, seed=2)(x)
    x = keras.layers.RandomZoom(0.1, seed=3)(x)
    x = keras.layers.RandomCrop(4, 4, seed=4)(x)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x))
    model.compile("sgd", "mse")
    model.fit(IMAGES, np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    first = model.predict(IMAGES, verbose=0)
    np.testing.assert_array_equal(first, model.predict(IMAGES, verbose=0))
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(IMAGES, verbose=0), first,
                               rtol=1e-6)


@pytest.mark.parametrize("make,match", [
    (lambda: keras.layers.RandomFlip("diagonal"), "mode"),
    (lambda: keras.layers.RandomRotation(0.1, fill_mode="mirror"),
     "fill_mode"),
    (lambda: keras.layers.RandomRotation((0.2, 0.1)), "lower bound"),
    (lambda: keras.layers.Resizing(2, 2, interpolation="lanczos3"),
     "interpolation"),
    (lambda: keras.layers.Resizing(2, 2, crop_to_aspect_ratio=True,
                                   pad_to_aspect_ratio=True), "Only one"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
