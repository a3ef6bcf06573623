"""Image files to ``uint8`` arrays ``(height, width, channels)``.

Pillow decodes every format when it is installed (the ``image`` extra:
``pip install torchkeras[image]``). Without it, this module's own readers
decode the files a small dataset most often holds, using only the
standard library and NumPy: non-interlaced PNG (every colour type, bit
depths 1-16, palettes with transparency) and uncompressed 24/32-bit BMP.
Other files (JPEG, GIF, interlaced PNG) raise an `ImportError` naming the
extra.

``decode_image(path, num_channels)`` also converts the channels as
`tf.io.decode_image(channels=...)` / Pillow's ``convert`` do: grey to RGB
repeats the grey, RGB to grey is the ITU-R 601-2 luma, alpha is dropped
or added as 255.
"""

import struct
import zlib

import numpy as np

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PIL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def decode_image(path, num_channels):
    """The image at `path` as uint8 ``(height, width, num_channels)``."""
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        with Image.open(path) as img:
            return _from_pil(img, num_channels)
    with open(path, "rb") as f:
        content = f.read()
    if content.startswith(_PNG_SIGNATURE) and not _png_interlaced(content):
        image = decode_png(content)
    elif content.startswith(b"BM") and _bmp_supported(content):
        image = decode_bmp(content)
    else:
        raise ImportError(
            f"Decoding the image file {path!r} needs Pillow (this format is "
            "not a non-interlaced PNG or an uncompressed 24/32-bit BMP). "
            "Install it with `pip install torchkeras[image]` (or "
            "`pip install pillow`)."
        )
    return convert_channels(image, num_channels)


def _from_pil(img, num_channels):
    if img.mode == "I" or img.mode.startswith("I;16"):
        # 16-bit grey: the high byte, as the PNG reader below keeps it.
        wide = np.asarray(img).astype(np.int64) >> 8
        grey = np.clip(wide, 0, 255).astype(np.uint8)[..., None]
        return convert_channels(grey, num_channels)
    mode = _PIL_MODES[num_channels]
    if img.mode != mode:
        img = img.convert(mode)
    array = np.array(img)  # a writable copy (asarray's is read-only)
    return array[..., None] if array.ndim == 2 else array


def convert_channels(image, num_channels):
    """Converts uint8 ``(h, w, c)`` with c in 1-4 to `num_channels`."""
    channels = image.shape[-1]
    has_alpha = channels in (2, 4)
    color = image[..., :channels - 1] if has_alpha else image
    if num_channels == 1:
        if color.shape[-1] == 1:
            return np.ascontiguousarray(color)
        r, g, b = (color[..., i].astype(np.int64) for i in range(3))
        # Pillow's L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
        luma = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16
        return luma.astype(np.uint8)[..., None]
    if color.shape[-1] == 1:
        color = np.repeat(color, 3, axis=-1)
    if num_channels == 3:
        return np.ascontiguousarray(color)
    alpha = (image[..., -1:] if has_alpha
             else np.full(image.shape[:2] + (1,), 255, np.uint8))
    return np.concatenate([color, alpha], axis=-1)


# ---------------------------------------------------------------------------
# PNG (https://www.w3.org/TR/png/).


def _png_chunks(content):
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(content):
        length, kind = struct.unpack(">I4s", content[pos:pos + 8])
        yield kind, content[pos + 8:pos + 8 + length]
        pos += 12 + length


def _png_interlaced(content):
    for kind, data in _png_chunks(content):
        if kind == b"IHDR":
            return data[12] != 0
    return False


def decode_png(content):
    """A non-interlaced PNG file's bytes to uint8 ``(h, w, c)``."""
    header = None
    palette = transparency = None
    idat = []
    for kind, data in _png_chunks(content):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[:13])
        elif kind == b"PLTE":
            palette = np.frombuffer(data, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = data
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"IEND":
            break
    if header is None or not idat:
        raise ValueError("Expected a PNG file with IHDR and IDAT chunks. "
                         "Received a truncated or foreign file.")
    width, height, depth, color_type, _, _, interlace = header
    if interlace or color_type not in _PNG_CHANNELS:
        raise ValueError(
            "Expected a non-interlaced PNG of a standard colour type. "
            f"Received: color_type={color_type}, interlace={interlace}"
        )
    channels = _PNG_CHANNELS[color_type]
    rows = _unfilter(zlib.decompress(b"".join(idat)), width, height,
                     channels * depth)
    samples = _unpack_samples(rows, width, channels, depth)
    if color_type == 3:
        return _apply_palette(samples[..., 0], palette, transparency)
    if depth == 16:
        samples = (samples >> 8).astype(np.uint8)
    elif depth < 8:
        samples = (samples * (255 // ((1 << depth) - 1))).astype(np.uint8)
    return samples.astype(np.uint8)


def _unfilter(raw, width, height, bits_per_pixel):
    """Undoes the per-row PNG filters: uint8 ``(height, stride)``."""
    stride = (width * bits_per_pixel + 7) // 8
    bpp = max(1, bits_per_pixel // 8)
    data = np.frombuffer(raw, np.uint8)[:height * (stride + 1)]
    data = data.reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prior = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = data[y, 0], data[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum per byte of a pixel
            padded = np.zeros(-(-stride // bpp) * bpp, np.uint8)
            padded[:stride] = line
            row = np.cumsum(padded.reshape(-1, bpp), axis=0,
                            dtype=np.uint8).reshape(-1)[:stride]
        elif kind == 2:  # Up
            row = line + prior
        elif kind in (3, 4):
            row = _unfilter_sequential(kind, line, prior, bpp)
        else:
            raise ValueError(
                f"Expected a PNG row filter type in 0-4. Received: {kind}"
            )
        out[y] = row
        prior = out[y]
    return out


def _unfilter_sequential(kind, line, prior, bpp):
    """Average (3) and Paeth (4): each byte depends on the one before."""
    line = line.tolist()
    up = prior.tolist()
    row = [0] * len(line)
    for i, value in enumerate(line):
        left = row[i - bpp] if i >= bpp else 0
        if kind == 3:
            row[i] = (value + ((left + up[i]) >> 1)) & 0xFF
            continue
        upper_left = up[i - bpp] if i >= bpp else 0
        p = left + up[i] - upper_left
        pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - upper_left)
        if pa <= pb and pa <= pc:
            predictor = left
        elif pb <= pc:
            predictor = up[i]
        else:
            predictor = upper_left
        row[i] = (value + predictor) & 0xFF
    return np.asarray(row, np.uint8)


def _unpack_samples(rows, width, channels, depth):
    height = rows.shape[0]
    if depth == 8:
        return rows[:, :width * channels].reshape(height, width, channels)
    if depth == 16:
        wide = rows[:, :width * channels * 2].astype(np.uint16)
        wide = (wide[:, 0::2] << 8) | wide[:, 1::2]
        return wide.reshape(height, width, channels)
    bits = np.unpackbits(rows, axis=1)[:, :width * depth]
    weights = 1 << np.arange(depth - 1, -1, -1)
    values = bits.reshape(height, width, depth) @ weights
    return values.astype(np.uint8)[..., None]


def _apply_palette(indices, palette, transparency):
    if palette is None:
        raise ValueError("Expected a PLTE chunk in a palette PNG. "
                         "Received a file without one.")
    rgb = palette[indices]
    if transparency is None:
        return rgb
    alpha = np.full(len(palette), 255, np.uint8)
    known = np.frombuffer(transparency, np.uint8)[:len(palette)]
    alpha[:len(known)] = known
    return np.concatenate([rgb, alpha[indices][..., None]], axis=-1)


# ---------------------------------------------------------------------------
# BMP (BITMAPINFOHEADER, BI_RGB or BI_BITFIELDS in BGRA order).


def _bmp_supported(content):
    if len(content) < 34:
        return False
    bits, compression = struct.unpack("<HI", content[28:34])
    return bits in (24, 32) and compression in (0, 3)


def decode_bmp(content):
    """An uncompressed 24/32-bit BMP file's bytes to uint8 ``(h, w, c)``."""
    offset = struct.unpack("<I", content[10:14])[0]
    width, height = struct.unpack("<ii", content[18:26])
    bits = struct.unpack("<H", content[28:30])[0]
    channels = bits // 8
    stride = (width * channels + 3) // 4 * 4
    rows = np.frombuffer(content, np.uint8, count=stride * abs(height),
                         offset=offset).reshape(abs(height), stride)
    pixels = rows[:, :width * channels].reshape(abs(height), width,
                                                channels)
    if height > 0:  # bottom-up rows
        pixels = pixels[::-1]
    # BGR(A) to RGB; a 32-bit BMP's fourth byte is unused by BI_RGB.
    return np.ascontiguousarray(pixels[..., 2::-1])
