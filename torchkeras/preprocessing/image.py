"""``preprocessing.image``: tf.keras 2's image file helpers.

`load_img`, `save_img`, `img_to_array` and `array_to_img`, with tf.keras
2's arguments and results. They need Pillow, imported when first used;
`ImageDataGenerator` and the augmentation functions are not provided
(use ``torchvision.transforms`` or Keras preprocessing layers).
"""

import io
import pathlib
import warnings

import numpy as np

from torchkeras.backend.config import floatx
from torchkeras.backend.config import image_data_format

_DATA_FORMATS = ("channels_first", "channels_last")
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box",
                   "lanczos")


def _pil_image(caller):
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError(
            f"Could not import PIL.Image. The use of `{caller}` requires "
            "PIL (pip install pillow).") from e
    return Image


def _check_data_format(data_format):
    data_format = data_format or image_data_format()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"`data_format` must be one of {_DATA_FORMATS}. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3-D array (one image) to a PIL image.

    Args:
        x: array-like of shape ``(height, width, channels)`` (or
            channels first) with 1, 3 or 4 channels.
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `backend.image_data_format()`.
        scale: rescale values so that min and max become 0 and 255.
        dtype: dtype of the intermediate array; `None` means floatx.

    Returns:
        A PIL image: mode ``L`` (``I`` above 255), ``RGB`` or ``RGBA``.

    Examples:
        >>> image = keras.utils.array_to_img(np.zeros((4, 6, 3)))
        >>> image.size, image.mode
        ((6, 4), 'RGB')
    """
    data_format = _check_data_format(data_format)
    image = _pil_image("array_to_img")
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(
            "Expected image array to have rank 3 (single image). "
            f"Received: x.shape={x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        mode = "RGB" if channels == 3 else "RGBA"
        return image.fromarray(x.astype("uint8"), mode)
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"Unsupported channel number: expected 1, 3 or 4. "
        f"Received: {channels} channels"
    )


def img_to_array(img, data_format=None, dtype=None):
    """Converts a PIL image to a 3-D array.

    Args:
        img: PIL image (or anything `np.asarray` turns into a 2-D or 3-D
            array).
        data_format: `"channels_last"` (``(height, width, channels)``) or
            `"channels_first"`; `None` means `backend.image_data_format()`.
        dtype: dtype of the result; `None` means floatx.

    Returns:
        A NumPy array, `(height, width, channels)` or channels first.

    Examples:
        >>> image = keras.utils.array_to_img(np.zeros((4, 6, 3)))
        >>> keras.utils.img_to_array(image).shape
        (4, 6, 3)
    """
    data_format = _check_data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        if data_format == "channels_first":
            return x.reshape((1,) + x.shape)
        return x.reshape(x.shape + (1,))
    raise ValueError(
        f"Unsupported image shape: expected rank 2 or 3. "
        f"Received: shape={x.shape}"
    )


def save_img(path, x, data_format=None, file_format=None, scale=True,
             **kwargs):
    """Saves an array as an image file (format from the file extension).

    Args:
        path: path or file object.
        x: the image array (see `array_to_img`).
        data_format: `"channels_last"` or `"channels_first"`.
        file_format: format override (needed with a file object).
        scale: rescale values to ``[0, 255]``.
        **kwargs: passed to `PIL.Image.Image.save`.

    Examples:
        >>> keras.utils.save_img("image.png", np.random.rand(4, 6, 3))
        >>> keras.utils.load_img("image.png").size
        (6, 4)
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, "
                      "converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, grayscale=False, color_mode="rgb", target_size=None,
             interpolation="nearest", keep_aspect_ratio=False):
    """Loads an image file into a PIL image.

    Args:
        path: path (str, bytes, `pathlib.Path`) or `io.BytesIO`.
        grayscale: deprecated; use `color_mode="grayscale"`.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        target_size: `None` or ``(height, width)`` to resize to.
        interpolation: resampling filter used when resizing: one of
            `"nearest"`, `"bilinear"`, `"bicubic"`, `"hamming"`, `"box"`,
            `"lanczos"`.
        keep_aspect_ratio: crop the centre to the target aspect ratio
            before resizing.

    Examples:
        >>> keras.utils.save_img("image.png", np.random.rand(4, 6, 3))
        >>> image = keras.utils.load_img("image.png", target_size=(2, 3))
        >>> image.size, image.mode
        ((3, 2), 'RGB')
    """
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use '
                      'color_mode = "grayscale"', stacklevel=2)
        color_mode = "grayscale"
    image = _pil_image("load_img")
    img = _open(image, path)
    img = _convert(img, color_mode)
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"`interpolation` must be one of {_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation!r}"
        )
    resample = getattr(image.Resampling, interpolation.upper())
    box = _crop_box(img.size, size) if keep_aspect_ratio else None
    return img.resize(size, resample, box=box)


def _open(image, path):
    if isinstance(path, io.BytesIO):
        return image.open(path)
    if isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as f:
            return image.open(io.BytesIO(f.read()))
    raise TypeError(
        "`path` should be path-like or io.BytesIO. "
        f"Received: path of type {type(path).__name__}"
    )


def _convert(img, color_mode):
    if color_mode == "grayscale":
        # 8-, 16- and 32-bit grayscale images are kept as they are.
        return img if img.mode in ("L", "I;16", "I") else img.convert("L")
    if color_mode in ("rgb", "rgba"):
        mode = color_mode.upper()
        return img if img.mode == mode else img.convert(mode)
    raise ValueError(
        '`color_mode` must be "grayscale", "rgb", or "rgba". '
        f"Received: color_mode={color_mode!r}"
    )


def _crop_box(image_size, target_size):
    """Centre crop with the target's aspect ratio, as tf.keras 2."""
    width, height = image_size
    target_width, target_height = target_size
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]
