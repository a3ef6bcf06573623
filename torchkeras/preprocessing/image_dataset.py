"""`image_dataset_from_directory`: image files to a dataset of arrays.

Each file is decoded by `image_decoding` (Pillow when installed, else the
built-in PNG/BMP readers), converted to `color_mode`, resized to
`image_size` as `tf.image.resize` does (torch's `F.interpolate` with
half-pixel centers, no antialiasing; `crop_to_aspect_ratio` crops the
centered window first, `pad_to_aspect_ratio` resizes to fit and pads as
`tf.image.resize_with_pad`) and yielded as float32 in ``[0, 255]``.
Indexing, labels and splits are `dataset_utils`'s.
"""

import math

import torch
import torch.nn.functional as F

from torchkeras.backend import config
from torchkeras.layers.preprocessing import image_utils
from torchkeras.preprocessing import dataset_utils
from torchkeras.preprocessing import image_decoding
from torchkeras.utils.registry import keras_export

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
# Keras also names "lanczos3", "lanczos5", "gaussian" and "mitchellcubic",
# which torch has no kernel for.
_INTERPOLATIONS = tuple(image_utils.INTERPOLATIONS)


def _check_image_arguments(color_mode, image_size, interpolation,
                           crop_to_aspect_ratio, pad_to_aspect_ratio,
                           data_format):
    if color_mode not in _CHANNELS:
        raise ValueError(
            '`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
            f"Received: color_mode={color_mode}"
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if (not isinstance(image_size, (list, tuple)) or len(image_size) != 2
            or not all(isinstance(d, int) and d > 0 for d in image_size)):
        raise ValueError(
            "Invalid `image_size` value. Expected a tuple of 2 positive "
            f"integers. Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {_INTERPOLATIONS} "
            f"in torchkeras. Received: interpolation={interpolation}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can "
            "be set to `True`. Received: crop_to_aspect_ratio=True, "
            "pad_to_aspect_ratio=True"
        )
    data_format = image_utils.standardize_data_format(data_format)
    return tuple(image_size), interpolation, data_format


def _resize_with_pad(images, height, width, interpolation):
    """`tf.image.resize_with_pad` of NHWC `images`: fit, then pad."""
    in_height, in_width = images.shape[1], images.shape[2]
    ratio = max(in_width / width, in_height / height)
    fit_height, fit_width = in_height / ratio, in_width / ratio
    resized = image_utils.resize(images, math.floor(fit_height),
                                 math.floor(fit_width), interpolation)
    top = max(0, math.floor((height - fit_height) / 2))
    left = max(0, math.floor((width - fit_width) / 2))
    bottom = height - top - resized.shape[1]
    right = width - left - resized.shape[2]
    return F.pad(resized, (0, 0, left, right, top, bottom))


def load_image(path, image_size, num_channels, interpolation, data_format,
               crop_to_aspect_ratio=False, pad_to_aspect_ratio=False):
    """One image file as a float32 tensor of `image_size`."""
    pixels = image_decoding.decode_image(path, num_channels)
    images = torch.from_numpy(pixels).to(torch.float32).unsqueeze(0)
    height, width = image_size
    if pad_to_aspect_ratio:
        images = _resize_with_pad(images, height, width, interpolation)
    else:
        images = image_utils.resize(
            images, height, width, interpolation,
            crop_to_aspect_ratio=crop_to_aspect_ratio)
    image = images[0]
    if data_format == "channels_first":
        image = image.permute(2, 0, 1)
    return image.contiguous()


@keras_export(
    "keras.utils.image_dataset_from_directory",
    "keras.preprocessing.image_dataset_from_directory",
)
def image_dataset_from_directory(directory, labels="inferred",
                                 label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True,
                                 seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear",
                                 follow_links=False,
                                 crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False,
                                 data_format=None, verbose=True):
    """Generates a `torchkeras.data.Dataset` from image files in a directory.

    With ``labels="inferred"``, `directory` holds one subdirectory per
    class (``main/class_a/a_1.png``, ...); the classes are the
    subdirectory names in alphanumeric order, or the order of
    `class_names`. Files ending in `.bmp`, `.gif`, `.jpeg`, `.jpg` or
    `.png` are read. PNG and uncompressed BMP files decode without Pillow;
    JPEG and GIF need it (``pip install torchkeras[image]``).

    Args:
        directory: the directory of the data.
        labels: ``"inferred"`` (from the subdirectories), None (no labels)
            or a list/tuple of integer labels, one per file in the
            alphanumeric order of the file paths.
        label_mode: ``"int"`` (int32 labels, shape ``(batch_size,)``),
            ``"categorical"`` (float32 one-hot, ``(batch_size,
            num_classes)``), ``"binary"`` (float32 0/1, ``(batch_size,
            1)``; exactly 2 classes) or None (no labels).
        class_names: with ``labels="inferred"``, the subdirectories to use,
            in label order.
        color_mode: ``"grayscale"``, ``"rgb"`` (default) or ``"rgba"``: 1,
            3 or 4 channels.
        batch_size: the batch size (default 32); None yields single images.
        image_size: ``(height, width)`` (or one int) to resize to; default
            ``(256, 256)``.
        shuffle: whether to shuffle the files (default True); False sorts
            them alphanumerically.
        seed: the random seed of the shuffle (needed with
            `validation_split` when shuffling).
        validation_split: the fraction of files, between 0 and 1, to keep
            for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns a
            ``(train, validation)`` tuple); only with `validation_split`.
        interpolation: ``"bilinear"`` (default), ``"nearest"``,
            ``"bicubic"`` or ``"area"``.
        follow_links: whether to visit subdirectories that are symlinks.
        crop_to_aspect_ratio: resize without distortion by cropping the
            largest centered window of the target aspect ratio first.
        pad_to_aspect_ratio: resize without distortion by fitting the
            image inside the target size and padding with zeros.
        data_format: ``"channels_last"`` or ``"channels_first"``; default
            `keras.backend.image_data_format()`.
        verbose: whether to print the numbers of files and classes found.

    Returns:
        A `torchkeras.data.Dataset` of float32 image batches of shape
        ``(batch_size, height, width, channels)`` with values in
        ``[0, 255]``, or of ``(images, labels)`` tuples. It has
        `class_names` and `file_paths` attributes.

    Examples:
        >>> import os
        >>> for name in ("cats", "dogs"):
        ...     os.makedirs(f"pets/{name}")
        ...     for i in range(2):
        ...         keras.utils.save_img(f"pets/{name}/{i}.png",
        ...                              np.random.rand(8, 8, 3))
        >>> dataset = keras.preprocessing.image_dataset_from_directory(
        ...     "pets", image_size=(4, 4), batch_size=2, seed=0)
        Found 4 files belonging to 2 classes.
        >>> dataset.class_names
        ['cats', 'dogs']
        >>> images, labels = next(iter(dataset))
        >>> images.shape, labels.shape
        (torch.Size([2, 4, 4, 3]), torch.Size([2]))
    """
    num_channels = _CHANNELS.get(color_mode)
    image_size, interpolation, data_format = _check_image_arguments(
        color_mode, image_size, interpolation, crop_to_aspect_ratio,
        pad_to_aspect_ratio, data_format or config.image_data_format())

    def load(path):
        return load_image(path, image_size, num_channels, interpolation,
                          data_format, crop_to_aspect_ratio,
                          pad_to_aspect_ratio)

    return dataset_utils.from_directory(
        directory, labels, label_mode, class_names, batch_size, shuffle,
        seed, validation_split, subset, follow_links, verbose,
        formats=ALLOWLIST_FORMATS, what="image", load=load)
