"""The built-in PNG and BMP readers, against the pixels a test encoder wrote.

The encoder below writes PNG files the way the specification describes
them (each row filtered with a chosen filter type, computed here byte by
byte) and BMP files row by row, so every decoder branch (filters 0-4,
colour types, bit depths, palettes with transparency, bottom-up BMP rows)
is checked against known pixels. When Pillow is installed it is a second
reference for the files it can read.
"""

import struct
import sys
import zlib

import numpy as np
import pytest

from torchkeras.preprocessing import image_decoding

COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_row(kind, row, prior, bpp):
    out = bytearray()
    for i, value in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]
        out.append((value - predictor) % 256)
    return bytes(out)


def _chunk(kind, data):
    body = kind + data
    return (struct.pack(">I", len(data)) + body
            + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF))


def encode_png(rows, width, height, depth, color_type, filters=(0,),
               extra_chunks=()):
    """PNG bytes of packed `rows` (bytes per row), filter types cycling."""
    bits = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type] * depth
    bpp = max(1, bits // 8)
    raw = bytearray()
    prior = bytes(len(rows[0]))
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        raw += bytes([kind]) + _filter_row(kind, row, prior, bpp)
        prior = row
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0,
                         0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + b"".join(_chunk(k, d) for k, d in extra_chunks)
            + _chunk(b"IDAT", zlib.compress(bytes(raw)))
            + _chunk(b"IEND", b""))


def write_png(path, pixels, filters=(0, 1, 2, 3, 4)):
    """Writes uint8 ``(h, w, c)`` pixels (c in 1-4) as an 8-bit PNG."""
    pixels = np.asarray(pixels, np.uint8)
    height, width, channels = pixels.shape
    rows = [pixels[y].tobytes() for y in range(height)]
    with open(path, "wb") as f:
        f.write(encode_png(rows, width, height, 8, COLOR_TYPES[channels],
                           filters))


def write_bmp(path, pixels, channels=3, top_down=False):
    pixels = np.asarray(pixels, np.uint8)
    height, width, _ = pixels.shape
    stride = (width * channels + 3) // 4 * 4
    body = bytearray()
    order = range(height) if top_down else range(height - 1, -1, -1)
    for y in order:
        row = bytearray()
        for x in range(width):
            r, g, b = pixels[y, x, :3]
            row += bytes([b, g, r] + ([0] if channels == 4 else []))
        body += row + bytes(stride - len(row))
    header = struct.pack("<IiiHHIIiiII", 40, width,
                         -height if top_down else height, 1, channels * 8,
                         0, len(body), 2835, 2835, 0, 0)
    with open(path, "wb") as f:
        f.write(b"BM" + struct.pack("<IHHI", 54 + len(body), 0, 0, 54)
                + header + body)


def _pixels(height, width, channels, seed=0):
    return np.random.default_rng(seed).integers(
        0, 256, size=(height, width, channels), dtype=np.uint8)


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("kind", [0, 1, 2, 3, 4])
def test_png_filters_and_colour_types(kind, channels):
    pixels = _pixels(5, 7, channels, seed=kind)
    rows = [pixels[y].tobytes() for y in range(5)]
    content = encode_png(rows, 7, 5, 8, COLOR_TYPES[channels], (kind,))
    np.testing.assert_array_equal(image_decoding.decode_png(content),
                                  pixels)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_png_low_bit_depth_grey_is_scaled_to_255(depth):
    levels = np.random.default_rng(depth).integers(0, 1 << depth, (3, 9))
    rows = []
    for line in levels:
        bits = "".join(format(int(v), f"0{depth}b") for v in line)
        bits += "0" * (-len(bits) % 8)
        rows.append(bytes(int(bits[i:i + 8], 2)
                          for i in range(0, len(bits), 8)))
    content = encode_png(rows, 9, 3, depth, 0, (0, 1, 4))
    expected = levels * 255 // ((1 << depth) - 1)
    np.testing.assert_array_equal(image_decoding.decode_png(content)[..., 0],
                                  expected)


def test_png_16_bit_keeps_the_high_byte():
    values = np.array([[0, 255, 256, 65535], [4660, 43981, 1, 32768]],
                      dtype=">u2")
    rows = [line.tobytes() for line in values]
    content = encode_png(rows, 4, 2, 16, 0, (2, 3))
    np.testing.assert_array_equal(image_decoding.decode_png(content)[..., 0],
                                  values >> 8)


def test_png_palette_with_transparency():
    palette = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
    indices = np.array([[0, 1, 2], [2, 1, 0]], np.uint8)
    rows = [line.tobytes() for line in indices]
    content = encode_png(rows, 3, 2, 8, 3, (0,), [
        (b"PLTE", palette.tobytes()), (b"tRNS", bytes([10, 20]))])
    out = image_decoding.decode_png(content)
    np.testing.assert_array_equal(out[..., :3], palette[indices])
    np.testing.assert_array_equal(out[..., 3],
                                  np.array([10, 20, 255])[indices])


@pytest.mark.parametrize("channels,top_down", [(3, False), (4, False),
                                               (3, True)])
def test_bmp(tmp_path, channels, top_down):
    pixels = _pixels(3, 5, 3, seed=channels)
    path = tmp_path / "a.bmp"
    write_bmp(path, pixels, channels, top_down)
    np.testing.assert_array_equal(
        image_decoding.decode_bmp(path.read_bytes()), pixels)


def test_channel_conversions():
    rgba = _pixels(2, 3, 4)
    rgb = rgba[..., :3]
    grey = rgba[..., :1]
    convert = image_decoding.convert_channels
    np.testing.assert_array_equal(convert(rgba, 3), rgb)
    np.testing.assert_array_equal(convert(rgb, 4)[..., 3], 255)
    np.testing.assert_array_equal(convert(grey, 3),
                                  np.repeat(grey, 3, axis=-1))
    np.testing.assert_array_equal(convert(rgba[..., :2], 4)[..., 3],
                                  rgba[..., 1])
    luma = rgb.astype(float) @ np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(convert(rgb, 1)[..., 0], luma, atol=0.51)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_decode_image_matches_pillow(tmp_path, channels):
    pytest.importorskip("PIL")
    from PIL import Image

    path = tmp_path / "a.png"
    write_png(path, _pixels(6, 4, 3, seed=3))
    with Image.open(path) as img:
        mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
        expected = np.asarray(img.convert(mode)).reshape(6, 4, channels)
    content = path.read_bytes()
    ours = image_decoding.convert_channels(
        image_decoding.decode_png(content), channels)
    np.testing.assert_array_equal(ours, expected)


def test_other_formats_without_pillow_name_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if not installed
    path = tmp_path / "a.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(16))
    with pytest.raises(ImportError, match=r"torchkeras\[image\]"):
        image_decoding.decode_image(str(path), 3)


def test_truncated_png_is_reported():
    with pytest.raises(ValueError, match="IHDR and IDAT"):
        image_decoding.decode_png(b"\x89PNG\r\n\x1a\n")
