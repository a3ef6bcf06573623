"""`preprocessing.image` file helpers, checked against Pillow itself."""

import io

import numpy as np
import pytest

from torchkeras.preprocessing import image

Image = pytest.importorskip(
    "PIL.Image", reason="preprocessing.image needs Pillow")


def test_array_to_img_and_back_channels_last():
    x = np.random.RandomState(0).randint(0, 256, (4, 5, 3)).astype("uint8")
    img = image.array_to_img(x, scale=False)
    assert img.mode == "RGB" and img.size == (5, 4)
    np.testing.assert_array_equal(np.asarray(img), x)
    back = image.img_to_array(img)
    assert back.dtype == np.float32 and back.shape == (4, 5, 3)
    np.testing.assert_array_equal(back, x)


def test_channels_first_and_scaling():
    x = np.linspace(-1.0, 1.0, 2 * 3 * 4).reshape(2, 3, 4)[:1]
    img = image.array_to_img(x, data_format="channels_first")
    assert img.mode == "L" and img.size == (4, 3)
    v = x[0].astype("float32")
    expected = ((v - v.min()) / (v.max() - v.min()) * 255).astype("uint8")
    np.testing.assert_array_equal(np.asarray(img), expected)
    back = image.img_to_array(img, data_format="channels_first",
                              dtype="uint8")
    assert back.shape == (1, 3, 4)
    np.testing.assert_array_equal(back[0], expected)


def test_large_grayscale_uses_32_bit_mode():
    x = np.full((2, 2, 1), 1000.0)
    img = image.array_to_img(x, scale=False)
    assert img.mode == "I"
    np.testing.assert_array_equal(np.asarray(img), np.full((2, 2), 1000))


def test_save_and_load_with_resize(tmp_path):
    x = np.random.RandomState(1).randint(0, 256, (6, 8, 3)).astype("uint8")
    path = tmp_path / "pic.png"
    image.save_img(path, x, scale=False)
    loaded = image.load_img(path)
    np.testing.assert_array_equal(np.asarray(loaded), x)
    small = image.load_img(str(path), target_size=(3, 4),
                           interpolation="bilinear")
    reference = Image.fromarray(x).resize((4, 3), Image.Resampling.BILINEAR)
    np.testing.assert_array_equal(np.asarray(small), np.asarray(reference))
    square = image.load_img(path, target_size=(2, 2),
                            keep_aspect_ratio=True)
    # Centre crop of the 8x6 image to 1:1 is the box (1, 0, 7, 6).
    reference = Image.fromarray(x).resize(
        (2, 2), Image.Resampling.NEAREST, box=(1, 0, 7, 6))
    np.testing.assert_array_equal(np.asarray(square), np.asarray(reference))
    gray = image.load_img(io.BytesIO(path.read_bytes()),
                          color_mode="grayscale")
    assert gray.mode == "L"
    assert image.load_img(path, color_mode="rgba").mode == "RGBA"


def test_rgba_to_jpeg_warns_and_converts(tmp_path):
    x = np.zeros((2, 2, 4), dtype="uint8")
    with pytest.warns(UserWarning, match="RGBA"):
        image.save_img(tmp_path / "a.jpg", x, file_format="jpeg")
    with Image.open(tmp_path / "a.jpg") as img:
        assert img.mode == "RGB"


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="rank 3"):
        image.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="2 channels"):
        image.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="data_format='nhwc'"):
        image.img_to_array(np.zeros((2, 2)), data_format="nhwc")
    with pytest.raises(ValueError, match="rank 2 or 3"):
        image.img_to_array(np.zeros(3))
    path = tmp_path / "p.png"
    image.save_img(path, np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="color_mode='cmyk'"):
        image.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation='cubic'"):
        image.load_img(path, target_size=(1, 1), interpolation="cubic")
    with pytest.raises(TypeError, match="path of type int"):
        image.load_img(3)
