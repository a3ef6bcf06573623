"""Image operations of ``torchkeras.ops`` (Keras 3 ``keras.ops.image``).

Images are ``(batch, height, width, channels)`` or one unbatched image,
``channels_last`` unless ``data_format`` (or
``backend.image_data_format()``) says ``channels_first``. Resizing runs
``F.interpolate`` with half-pixel centres (Keras's and TF 2's convention);
``affine_transform`` and ``map_coordinates`` interpolate as
``scipy.ndimage.map_coordinates`` does (orders 0 and 1, its fill modes).
Registered as ``image.<name>``, the Keras 3 ``keras.ops.image`` names.
"""

import itertools

import torch
import torch.nn.functional as F

from torchkeras.backend.config import floatx
from torchkeras.backend.config import image_data_format
from torchkeras.backend.config import to_torch_dtype
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op

_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact",
                 "bicubic": "bicubic", "area": "area"}
_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _data_format(data_format):
    data_format = data_format or image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={data_format!r}")
    return data_format


def _batched(images, name):
    """``images`` as a channels-first float batch, and how to undo it."""
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"`{name}` expects images of rank 3 (one image) or 4 (a batch)."
            f" Received: images.shape={tuple(images.shape)}")
    return images, images.ndim == 3


def _to_nchw(images, data_format):
    x = images if images.ndim == 4 else images[None]
    return x.permute(0, 3, 1, 2) if data_format == "channels_last" else x


def _from_nchw(x, data_format, squeeze, dtype):
    if data_format == "channels_last":
        x = x.permute(0, 2, 3, 1)
    if squeeze:
        x = x[0]
    if not (dtype.is_floating_point or dtype.is_complex):
        x = torch.round(x)
        if dtype == torch.uint8:
            x = x.clamp(0, 255)
    return x.to(dtype)


def _compute_dtype(dtype):
    if dtype in (torch.float32, torch.float64):
        return dtype
    if dtype in (torch.float16, torch.bfloat16):
        return torch.float32
    return to_torch_dtype(floatx())


def _pair(value, name):
    if isinstance(value, int):
        return value, value
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(
            f"`{name}` must be an int or a tuple of two ints. Received: "
            f"{name}={value}")
    return value


@keras_op("image.resize",
          tf=("image.resize", ("images", "size", "method", "antialias")))
def resize(images, size, interpolation="bilinear", antialias=False,
           crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
           fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images to `size = (height, width)`.

    Interpolation uses half-pixel centres, as Keras and TF 2 do.
    `crop_to_aspect_ratio` first takes the largest centred crop with the
    target aspect ratio; `pad_to_aspect_ratio` pads with `fill_value` to it
    instead. Integer images are rounded back to their dtype.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        size: The output `(height, width)`.
        interpolation: `"bilinear"`, `"nearest"`, `"bicubic"` or `"area"`.
        antialias: Whether to low-pass filter when downsampling (bilinear and
            bicubic only).
        crop_to_aspect_ratio: Whether to crop to the target aspect ratio
            before resizing, so nothing is distorted.
        pad_to_aspect_ratio: Whether to pad to the target aspect ratio before
            resizing, so nothing is distorted.
        fill_mode: How the padding is filled; only `"constant"` is supported.
        fill_value: The value of the padding.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The resized images, of the dtype of `images`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.convert_to_tensor([0.0, 1.0]),
        ...                       (1, 1, 2, 1))
        >>> keras.ops.image.resize(x, (1, 4))[0, 0, :, 0]
        tensor([0.0000, 0.2500, 0.7500, 1.0000])
        >>> y = keras.ops.image.resize(x, (1, 4), interpolation="nearest")
        >>> y[0, 0, :, 0]
        tensor([0., 0., 1., 1.])
    """
    data_format = _data_format(data_format)
    if interpolation not in _RESIZE_MODES:
        raise ValueError(
            f"`resize` expects `interpolation` in {sorted(_RESIZE_MODES)}. "
            f"Received: interpolation={interpolation!r}")
    if fill_mode != "constant":
        raise ValueError(
            "`resize` supports only fill_mode='constant'. Received: "
            f"fill_mode={fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` "
            "can be True. Received: both True")
    size = tuple(int(s) for s in size)
    if len(size) != 2:
        raise ValueError(
            "`size` must be (height, width). Received: size={size}")
    images, squeeze = _batched(images, "resize")
    dtype = images.dtype
    x = _to_nchw(images, data_format).to(_compute_dtype(dtype))
    height, width = x.shape[-2:]
    target_h, target_w = size
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(width * target_h / target_w)), 1)
        crop_w = max(min(width, int(height * target_w / target_h)), 1)
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        x = x[..., top:top + crop_h, left:left + crop_w]
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(width * target_h / target_w))
        pad_w = max(width, int(height * target_w / target_h))
        top, left = (pad_h - height) // 2, (pad_w - width) // 2
        x = F.pad(x, (left, left, top, top), value=float(fill_value))
    mode = _RESIZE_MODES[interpolation]
    smooth = interpolation in ("bilinear", "bicubic")
    out = F.interpolate(x, size=size, mode=mode,
                        align_corners=False if smooth else None,
                        antialias=bool(antialias) and smooth)
    return _from_nchw(out, data_format, squeeze, dtype)


# --------------------------------------------------------------------------
# Sampling at coordinates.


def _fix_index(index, size, fill_mode):
    """An in-range index for ``fill_mode`` (``constant`` clips; the caller
    masks those out)."""
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return torch.zeros_like(index)
        period = 2 * (size - 1)
        index = torch.remainder(index, period)
        return torch.where(index >= size, period - index, index)
    period = 2 * size  # reflect: the edge pixel repeats
    index = torch.remainder(index, period)
    return torch.where(index >= size, period - 1 - index, index)


def _nodes(coordinate, order):
    """``[(index, weight), ...]`` of one axis's interpolation."""
    if not coordinate.is_floating_point():
        return [(coordinate.long(), None)]
    if order == 0:
        return [(torch.round(coordinate).long(), None)]
    lower = torch.floor(coordinate)
    upper_weight = coordinate - lower
    lower = lower.long()
    return [(lower, 1.0 - upper_weight), (lower + 1, upper_weight)]


def _sample(array, coordinates, order, fill_mode, fill_value, exact=()):
    """``array`` interpolated at ``coordinates`` (one tensor per leading
    axis of ``array``, broadcastable); axes in ``exact`` take integer
    coordinates as they are."""
    if fill_mode not in _FILL_MODES:
        raise ValueError(
            f"`fill_mode` must be one of {_FILL_MODES}. Received: "
            f"fill_mode={fill_mode!r}")
    if order not in (0, 1):
        raise ValueError(
            f"Interpolation `order` must be 0 or 1. Received: order={order}")
    per_axis = []
    for axis, coordinate in enumerate(coordinates):
        size = array.shape[axis]
        if axis in exact:
            per_axis.append([(coordinate, None, None)])
            continue
        axis_nodes = []
        for index, weight in _nodes(coordinate, order):
            valid = None
            if fill_mode == "constant":
                valid = (index >= 0) & (index < size)
            axis_nodes.append((_fix_index(index, size, fill_mode), valid,
                               weight))
        per_axis.append(axis_nodes)
    compute = array if array.is_floating_point() else array.to(
        to_torch_dtype(floatx()))
    result = 0.0
    for corner in itertools.product(*per_axis):
        indices = tuple(node[0] for node in corner)
        value = compute[indices]
        valid = [node[1] for node in corner if node[1] is not None]
        if valid:
            mask = valid[0]
            for m in valid[1:]:
                mask = mask & m
            mask = mask.reshape(mask.shape + (1,) * (value.ndim - mask.ndim))
            value = torch.where(mask, value, torch.as_tensor(
                fill_value, dtype=value.dtype, device=value.device))
        for node in corner:
            if node[2] is not None:
                weight = node[2]
                value = value * weight.reshape(
                    weight.shape + (1,) * (value.ndim - weight.ndim)).to(
                        value.dtype)
        result = result + value
    if not array.is_floating_point():
        result = torch.round(result)
    return result.to(array.dtype)


@keras_op("image.map_coordinates")
def map_coordinates(inputs, coordinates, order, fill_mode="constant",
                    fill_value=0):
    """Samples `inputs` at the given coordinates, interpolating between points.

    Nearest (`order=0`) or linear (`order=1`) interpolation, with the fill
    modes of `scipy.ndimage.map_coordinates`.

    Args:
        inputs: Input tensor of any rank.
        coordinates: Sequence of `inputs.ndim` tensors of the same shape (or
            a tensor `(inputs.ndim, ...)`): the coordinates along each axis
            of the points to sample.
        order: Interpolation order: 0 (nearest) or 1 (linear).
        fill_mode: How points outside the input are read: `"constant"`,
            `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: The value outside the input for `fill_mode="constant"`.

    Returns:
        A tensor of the shape of the coordinates and the dtype of `inputs`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([0.0, 10.0, 20.0])
        >>> keras.ops.image.map_coordinates(x, [[0.5, 1.25, 2.0]], order=1)
        tensor([ 5.0000, 12.5000, 20.0000])
    """
    inputs = convert_to_tensor(inputs)
    coordinates = [convert_to_tensor(c, device=inputs.device)
                   for c in coordinates]
    if len(coordinates) != inputs.ndim:
        raise ValueError(
            "`map_coordinates` needs one coordinate array per axis of "
            f"`inputs`. Received: inputs.shape={tuple(inputs.shape)}, "
            f"{len(coordinates)} coordinate arrays")
    return _sample(inputs, coordinates, order, fill_mode, fill_value)


@keras_op("image.affine_transform")
def affine_transform(images, transform, interpolation="bilinear",
                     fill_mode="constant", fill_value=0, data_format=None):
    """Applies projective transforms to images.

    A transform `[a0, a1, a2, b0, b1, b2, c0, c1]` maps each output pixel
    `(x, y)` to the input point `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) /
    k)`, `k = c0 x + c1 y + 1` (TensorFlow's convention), which is then
    interpolated.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        transform: Tensor `(8,)` or `(batch, 8)` of transforms.
        interpolation: `"bilinear"` or `"nearest"`.
        fill_mode: How points outside the input are read: `"constant"`,
            `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: The value outside the input for `fill_mode="constant"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The transformed images, of the shape of `images`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(1.0, 4.0), (1, 1, 3, 1))
        >>> shift = keras.ops.convert_to_tensor(
        ...     [1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
        >>> keras.ops.image.affine_transform(x, shift)[0, 0, :, 0]
        tensor([0., 1., 2.])
    """
    data_format = _data_format(data_format)
    if interpolation not in _ORDERS:
        raise ValueError(
            "`affine_transform` expects `interpolation` 'nearest' or "
            f"'bilinear'. Received: interpolation={interpolation!r}")
    images, squeeze = _batched(images, "affine_transform")
    x = images if images.ndim == 4 else images[None]
    if data_format == "channels_first":
        x = x.permute(0, 2, 3, 1)
    transform = convert_to_tensor(transform, device=x.device)
    if transform.ndim == 1:
        transform = transform[None]
    if transform.ndim != 2 or transform.shape[-1] != 8:
        raise ValueError(
            "`transform` must have shape (8,) or (batch, 8). Received: "
            f"transform.shape={tuple(transform.shape)}")
    dtype = _compute_dtype(transform.dtype)
    transform = transform.to(dtype)
    batch, height, width = x.shape[:3]
    ys = torch.arange(height, dtype=dtype, device=x.device)[:, None]
    xs = torch.arange(width, dtype=dtype, device=x.device)[None, :]
    t = [transform[:, i, None, None] for i in range(8)]
    k = t[6] * xs + t[7] * ys + 1.0
    src_x = (t[0] * xs + t[1] * ys + t[2]) / k
    src_y = (t[3] * xs + t[4] * ys + t[5]) / k
    batch_index = torch.arange(batch, device=x.device)[:, None, None]
    out = _sample(x, [batch_index, src_y, src_x], _ORDERS[interpolation],
                  fill_mode, fill_value, exact=(0,))
    if data_format == "channels_first":
        out = out.permute(0, 3, 1, 2)
    return out[0] if squeeze else out


# --------------------------------------------------------------------------
# Patches, padding, cropping.


@keras_op("image.extract_patches")
def extract_patches(images, size, strides=None, dilation_rate=1,
                    padding="valid", data_format=None):
    """Extracts patches of `size` from images, flattened into the channels.

    Each patch is flattened in `(row, column, channel)` order, as
    `tf.image.extract_patches` does.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        size: Int or `(height, width)`: the patch size.
        strides: Int or pair: the step between patches; `None` uses `size`
            (non-overlapping patches).
        dilation_rate: Int or pair: the spacing between the pixels of a
            patch.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A tensor `(batch, rows, cols, size[0] * size[1] * channels)`
        (channels-last).

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(16.0), (1, 4, 4, 1))
        >>> patches = keras.ops.image.extract_patches(x, 2)
        >>> keras.ops.shape(patches)
        (1, 2, 2, 4)
        >>> patches[0, 0, 0]
        tensor([0., 1., 4., 5.])
    """
    data_format = _data_format(data_format)
    images, squeeze = _batched(images, "extract_patches")
    size = _pair(size, "size")
    strides = size if strides is None else _pair(strides, "strides")
    dilation = _pair(dilation_rate, "dilation_rate")
    x = _to_nchw(images, data_format)
    if padding == "same":
        pads = []
        for length, k, s, d in zip(x.shape[2:], size, strides, dilation):
            effective = (k - 1) * d + 1
            total = max((-(-length // s) - 1) * s + effective - length, 0)
            pads.append((total // 2, total - total // 2))
        x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
    elif padding != "valid":
        raise ValueError(
            "`padding` must be 'valid' or 'same'. Received: "
            f"padding={padding!r}")
    batch, channels, height, width = x.shape
    rows = (height - (size[0] - 1) * dilation[0] - 1) // strides[0] + 1
    cols = (width - (size[1] - 1) * dilation[1] - 1) // strides[1] + 1
    patches = F.unfold(x, size, dilation=dilation, stride=strides)
    # (N, C * kh * kw, L) -> (N, rows, cols, kh * kw * C).
    patches = patches.reshape(batch, channels, size[0] * size[1], rows, cols)
    patches = patches.permute(0, 3, 4, 2, 1).reshape(batch, rows, cols, -1)
    if data_format == "channels_first":
        patches = patches.permute(0, 3, 1, 2)
    return patches[0] if squeeze else patches


def _two_of(first, second, target, names):
    if [first, second, target].count(None) != 1:
        raise ValueError(
            f"Specify exactly two of {', '.join(names)}. Received: "
            f"{names[0]}={first}, {names[1]}={second}, {names[2]}={target}")


def _spatial_axes(images, data_format):
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


@keras_op("image.pad_images")
def pad_images(images, top_padding=None, left_padding=None,
               bottom_padding=None, right_padding=None, target_height=None,
               target_width=None, data_format=None):
    """Zero-pads images on each side, by amounts or up to a target size.

    For each of the height and the width give exactly two of the two paddings
    and the target size; the third follows.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        top_padding: Rows added at the top.
        left_padding: Columns added on the left.
        bottom_padding: Rows added at the bottom.
        right_padding: Columns added on the right.
        target_height: Height of the output.
        target_width: Width of the output.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The padded images.

    Examples:
        >>> x = keras.ops.ones((2, 2, 1))
        >>> y = keras.ops.image.pad_images(x, top_padding=1, left_padding=1,
        ...                                target_height=4, target_width=3)
        >>> y[:, :, 0]
        tensor([[0., 0., 0.],
                [0., 1., 1.],
                [0., 1., 1.],
                [0., 0., 0.]])
    """
    data_format = _data_format(data_format)
    images, _ = _batched(images, "pad_images")
    _two_of(top_padding, bottom_padding, target_height,
            ("top_padding", "bottom_padding", "target_height"))
    _two_of(left_padding, right_padding, target_width,
            ("left_padding", "right_padding", "target_width"))
    h_axis, w_axis = _spatial_axes(images, data_format)
    height, width = images.shape[h_axis], images.shape[w_axis]
    if top_padding is None:
        top_padding = target_height - bottom_padding - height
    if bottom_padding is None:
        bottom_padding = target_height - top_padding - height
    if left_padding is None:
        left_padding = target_width - right_padding - width
    if right_padding is None:
        right_padding = target_width - left_padding - width
    for name, value in (("top_padding", top_padding),
                        ("bottom_padding", bottom_padding),
                        ("left_padding", left_padding),
                        ("right_padding", right_padding)):
        if value < 0:
            raise ValueError(
                f"`pad_images`: {name} must be >= 0 (the target is smaller "
                f"than the image). Received: {name}={value}")
    pads = (left_padding, right_padding, top_padding, bottom_padding)
    if data_format == "channels_last":
        pads = (0, 0) + pads
    return F.pad(images, pads)


@keras_op("image.crop_images")
def crop_images(images, top_cropping=None, left_cropping=None,
                bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Crops images on each side, by amounts or down to a target size.

    For each of the height and the width give exactly two of the two
    croppings and the target size; the third follows.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        top_cropping: Rows removed at the top.
        left_cropping: Columns removed on the left.
        bottom_cropping: Rows removed at the bottom.
        right_cropping: Columns removed on the right.
        target_height: Height of the output.
        target_width: Width of the output.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The cropped images.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(16.0), (4, 4, 1))
        >>> y = keras.ops.image.crop_images(x, top_cropping=1, left_cropping=1,
        ...                                 target_height=2, target_width=2)
        >>> y[:, :, 0]
        tensor([[ 5.,  6.],
                [ 9., 10.]])
    """
    data_format = _data_format(data_format)
    images, _ = _batched(images, "crop_images")
    _two_of(top_cropping, bottom_cropping, target_height,
            ("top_cropping", "bottom_cropping", "target_height"))
    _two_of(left_cropping, right_cropping, target_width,
            ("left_cropping", "right_cropping", "target_width"))
    h_axis, w_axis = _spatial_axes(images, data_format)
    height, width = images.shape[h_axis], images.shape[w_axis]
    if top_cropping is None:
        top_cropping = height - target_height - bottom_cropping
    if target_height is None:
        target_height = height - bottom_cropping - top_cropping
    if left_cropping is None:
        left_cropping = width - target_width - right_cropping
    if target_width is None:
        target_width = width - right_cropping - left_cropping
    for name, value in (("top_cropping", top_cropping),
                        ("left_cropping", left_cropping),
                        ("target_height", target_height),
                        ("target_width", target_width)):
        if value < 0:
            raise ValueError(
                f"`crop_images`: {name} must be >= 0. Received: "
                f"{name}={value}")
    out = images.narrow(h_axis, top_cropping, target_height)
    return out.narrow(w_axis, left_cropping, target_width)


# --------------------------------------------------------------------------
# Colour and filtering.


def _channel_axis(images, data_format, name, allowed=(3,)):
    axis = -1 if _data_format(data_format) == "channels_last" else -3
    if images.ndim not in (3, 4) or images.shape[axis] not in allowed:
        raise ValueError(
            f"`{name}` expects images of rank 3 or 4 with "
            f"{' or '.join(map(str, allowed))} channels. Received: "
            f"images.shape={tuple(images.shape)}")
    return axis


@keras_op("image.rgb_to_grayscale")
def rgb_to_grayscale(images, data_format=None):
    """Converts RGB images to one grayscale channel.

    Uses the ITU-R 601 luma weights `0.2989 R + 0.587 G + 0.114 B`; images
    that already have one channel are returned unchanged.

    Args:
        images: One image (rank 3) or a batch of images (rank 4) with 3 (or
            1) channels.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The images with one channel, of the dtype of `images`.

    Examples:
        >>> rgb = keras.ops.convert_to_tensor([[[1.0, 0.0, 0.0],
        ...                                     [0.0, 0.0, 1.0]]])
        >>> keras.ops.image.rgb_to_grayscale(rgb)
        tensor([[[0.2989],
                 [0.1140]]])
    """
    images = convert_to_tensor(images)
    axis = _channel_axis(images, data_format, "rgb_to_grayscale", (1, 3))
    if images.shape[axis] == 1:
        return images.clone()
    r, g, b = images.unbind(dim=axis)
    gray = 0.2989 * r + 0.587 * g + 0.114 * b
    return gray.to(images.dtype).unsqueeze(axis)


def _float_images(images, name):
    images = convert_to_tensor(images)
    if not images.is_floating_point():
        raise ValueError(
            f"`{name}` expects float images (values in [0, 1]). Received: "
            f"images.dtype={images.dtype}")
    return images


@keras_op("image.rgb_to_hsv")
def rgb_to_hsv(images, data_format=None):
    """Converts RGB images in `[0, 1]` to hue, saturation and value in `[0, 1]`.

    Args:
        images: One image (rank 3) or a batch of images (rank 4) with 3
            float channels.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The HSV images, of the shape of `images`.

    Examples:
        >>> rgb = keras.ops.convert_to_tensor([[[1.0, 0.0, 0.0],
        ...                                     [0.0, 0.5, 0.5]]])
        >>> keras.ops.image.rgb_to_hsv(rgb)
        tensor([[[0.0000, 1.0000, 1.0000],
                 [0.5000, 1.0000, 0.5000]]])
    """
    images = _float_images(images, "rgb_to_hsv")
    axis = _channel_axis(images, data_format, "rgb_to_hsv")
    eps = torch.finfo(images.dtype).eps
    images = torch.where(images.abs() < eps, 0.0, images)
    r, g, b = images.unbind(dim=axis)
    value = torch.maximum(torch.maximum(r, g), b)
    spread = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(
        value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(value == g, norm * (b - r) + 2.0 / 6.0,
                      norm * (r - g) + 4.0 / 6.0)
    hue = torch.where(value == r, norm * (g - b), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack((hue, saturation, value), dim=axis)


@keras_op("image.hsv_to_rgb")
def hsv_to_rgb(images, data_format=None):
    """Converts hue, saturation and value in `[0, 1]` to RGB images in `[0, 1]`.

    Args:
        images: One image (rank 3) or a batch of images (rank 4) with 3
            float channels.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The RGB images, of the shape of `images`.

    Examples:
        >>> hsv = keras.ops.convert_to_tensor([[[0.0, 1.0, 1.0],
        ...                                     [0.5, 1.0, 0.5]]])
        >>> keras.ops.image.hsv_to_rgb(hsv)
        tensor([[[1.0000, 0.0000, 0.0000],
                 [0.0000, 0.5000, 0.5000]]])
    """
    images = _float_images(images, "hsv_to_rgb")
    axis = _channel_axis(images, data_format, "hsv_to_rgb")
    hue, saturation, value = images.unbind(dim=axis)
    sector = torch.remainder(hue, 1.0) * 6.0
    dr = torch.clamp((sector - 3.0).abs() - 1.0, 0.0, 1.0)
    dg = torch.clamp(2.0 - (sector - 2.0).abs(), 0.0, 1.0)
    db = torch.clamp(2.0 - (sector - 4.0).abs(), 0.0, 1.0)
    grey = 1.0 - saturation
    planes = [value * (grey + saturation * d) for d in (dr, dg, db)]
    return torch.stack(planes, dim=axis)


def _gaussian_1d(size, sigma, dtype, device):
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    kernel = torch.exp(-0.5 * torch.square(x / sigma))
    return kernel / kernel.sum()


@keras_op("image.gaussian_blur")
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0),
                  data_format=None):
    """Blurs each channel of images with a Gaussian kernel.

    The input is zero-padded so the output keeps its size.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        kernel_size: Int or `(height, width)` of the kernel.
        sigma: Float or `(sigma_y, sigma_x)`: the standard deviation of the
            Gaussian.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The blurred images, of the shape and dtype of `images`.

    Examples:
        >>> x = keras.ops.zeros((3, 3, 1))
        >>> x = keras.ops.slice_update(x, (1, 1, 0), keras.ops.ones((1, 1, 1)))
        >>> y = keras.ops.image.gaussian_blur(x)
        >>> keras.ops.round(y[:, :, 0] * 1000) / 1000
        tensor([[0.0750, 0.1240, 0.0750],
                [0.1240, 0.2040, 0.1240],
                [0.0750, 0.1240, 0.0750]])
    """
    data_format = _data_format(data_format)
    images, squeeze = _batched(images, "gaussian_blur")
    dtype = images.dtype
    x = _to_nchw(images, data_format).to(_compute_dtype(dtype))
    kh, kw = _pair(kernel_size, "kernel_size")
    sy, sx = (float(sigma),) * 2 if isinstance(sigma, (int, float)) else (
        float(sigma[0]), float(sigma[1]))
    kernel = torch.outer(_gaussian_1d(kh, sy, x.dtype, x.device),
                         _gaussian_1d(kw, sx, x.dtype, x.device))
    channels = x.shape[1]
    weight = kernel.expand(channels, 1, kh, kw)
    out = F.conv2d(x, weight, padding=(kh // 2, kw // 2), groups=channels)
    return _from_nchw(out, data_format, squeeze, dtype)


@keras_op("image.sobel_edges")
def sobel_edges(images, data_format=None):
    """Sobel image gradients per channel.

    The input is zero-padded so the output keeps its size; a new last axis
    holds the vertical and horizontal gradients `(dy, dx)`.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A float tensor `(*images.shape, 2)`.

    Examples:
        >>> ramp = keras.ops.convert_to_tensor([[[0.0], [1.0], [2.0]]] * 3)
        >>> edges = keras.ops.image.sobel_edges(ramp)
        >>> edges[1, 1, 0]
        tensor([0., 8.])
    """
    data_format = _data_format(data_format)
    images, squeeze = _batched(images, "sobel_edges")
    x = _to_nchw(images, data_format)
    if not x.is_floating_point():
        x = x.to(to_torch_dtype(floatx()))
    dx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0],
                       [-1.0, 0.0, 1.0]], dtype=x.dtype, device=x.device)
    channels = x.shape[1]
    weight = torch.stack((dx.T, dx))[:, None].repeat(channels, 1, 1, 1)
    grads = F.conv2d(x, weight, padding=1, groups=channels)
    grads = grads.reshape(x.shape[0], channels, 2, *x.shape[2:])
    grads = grads.permute(0, 1, 3, 4, 2)
    if data_format == "channels_last":
        grads = grads.permute(0, 2, 3, 1, 4)
    return grads[0] if squeeze else grads


@keras_op("image.ssim")
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5,
         k1=0.01, k2=0.03, data_format=None):
    """Structural similarity index (SSIM) between two images or image batches.

    Local statistics use a `filter_size` Gaussian window without padding;
    the SSIM map is averaged over pixels and channels.

    Args:
        image1: One image (rank 3) or a batch of images (rank 4).
        image2: Images of the shape of `image1`.
        max_val: The dynamic range of the pixel values (e.g. 1.0 or 255).
        filter_size: Size of the Gaussian window; both spatial sizes must be
            at least this.
        filter_sigma: Standard deviation of the Gaussian window.
        k1: Stability constant of the luminance term.
        k2: Stability constant of the contrast term.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A tensor `(batch,)` (a scalar for one image), 1 for identical images.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(144.0) / 144, (1, 12, 12, 1))
        >>> keras.ops.round(keras.ops.image.ssim(x, x) * 1000) / 1000
        tensor([1.])
        >>> keras.ops.round(keras.ops.image.ssim(x, x * 0.5) * 1000) / 1000
        tensor([0.6470])
    """
    data_format = _data_format(data_format)
    image1, squeeze = _batched(image1, "ssim")
    image2, _ = _batched(image2, "ssim")
    dtype = image1.dtype
    compute = _compute_dtype(dtype)
    x = _to_nchw(image1, data_format).to(compute)
    y = _to_nchw(image2, data_format).to(device=x.device, dtype=compute)
    channels = x.shape[1]
    if min(x.shape[2:]) < filter_size:
        raise ValueError(
            "`ssim` filters with a 'valid' window of `filter_size` pixels: "
            "the images must be at least that large. Received: "
            f"filter_size={filter_size}, image1.shape={tuple(image1.shape)}")
    g = _gaussian_1d(filter_size, float(filter_sigma), compute, x.device)
    weight = torch.outer(g, g).expand(channels, 1, filter_size, filter_size)

    def blur(v):
        return F.conv2d(v, weight, groups=channels)

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu1, mu2 = blur(x), blur(y)
    sigma1 = blur(x * x) - mu1 * mu1
    sigma2 = blur(y * y) - mu2 * mu2
    sigma12 = blur(x * y) - mu1 * mu2
    ssim_map = ((2 * mu1 * mu2 + c1) * (2 * sigma12 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (sigma1 + sigma2 + c2))
    out = ssim_map.mean(dim=(1, 2, 3))
    return (out[0] if squeeze else out).to(dtype)


def _homography(start_points, end_points):
    """The 8 projective coefficients mapping ``end_points`` (output) to
    ``start_points`` (input), one row per batch entry."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = torch.zeros_like(ex), torch.ones_like(ex)
    x_rows = torch.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex,
                          -sx * ey], -1)
    y_rows = torch.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex,
                          -sy * ey], -1)
    matrix = torch.cat([x_rows, y_rows], dim=-2)
    target = torch.cat([sx, sy], dim=-1)[..., None]
    return torch.linalg.solve(matrix, target)[..., 0]


@keras_op("image.perspective_transform")
def perspective_transform(images, start_points, end_points,
                          interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warps images so that four `start_points` land on `end_points`.

    The points are `(x, y)` corners; the warp is the homography that maps
    them, applied as `affine_transform` does (constant fill).

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        start_points: Tensor `(4, 2)` or `(batch, 4, 2)` of points in the
            input.
        end_points: Tensor of the shape of `start_points`: where those
            points go in the output.
        interpolation: `"bilinear"` or `"nearest"`.
        fill_value: The value of output pixels read from outside the input.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The warped images, of the shape of `images`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(1.0, 4.0), (1, 1, 3, 1))
        >>> start = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]]
        >>> end = [[1.0, 0.0], [3.0, 0.0], [1.0, 2.0], [3.0, 2.0]]
        >>> y = keras.ops.image.perspective_transform(x, start, end)
        >>> keras.ops.round(y[0, 0, :, 0] * 1000) / 1000
        tensor([0., 1., 2.])
    """
    start = convert_to_tensor(start_points).to(torch.float32)
    end = convert_to_tensor(end_points).to(torch.float32)
    if start.shape[-2:] != (4, 2) or start.shape != end.shape:
        raise ValueError(
            "`start_points` and `end_points` must both have shape (4, 2) "
            f"or (batch, 4, 2). Received: start_points.shape="
            f"{tuple(start.shape)}, end_points.shape={tuple(end.shape)}")
    transform = _homography(start if start.ndim == 3 else start[None],
                            end if end.ndim == 3 else end[None])
    return affine_transform(images, transform, interpolation, "constant",
                            fill_value, data_format)


@keras_op("image.elastic_transform")
def elastic_transform(images, alpha=20.0, sigma=5.0,
                      interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Displaces each pixel of images by smooth random offsets.

    The offsets are Gaussian noise smoothed by a Gaussian filter of standard
    deviation `sigma` and scaled by `alpha`; the images are then resampled
    at the displaced points.

    Args:
        images: One image (rank 3) or a batch of images (rank 4).
        alpha: Scale of the displacements, in pixels.
        sigma: Standard deviation of the smoothing filter.
        interpolation: `"bilinear"` or `"nearest"`.
        fill_mode: How points outside the input are read: `"constant"`,
            `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: The value outside the input for `fill_mode="constant"`.
        seed: An int makes the displacements repeatable; `None` draws fresh
            ones.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        The transformed images, of the shape of `images`.

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(64.0), (8, 8, 1))
        >>> y = keras.ops.image.elastic_transform(x, seed=1)
        >>> keras.ops.shape(y)
        (8, 8, 1)
    """
    data_format = _data_format(data_format)
    if interpolation not in _ORDERS:
        raise ValueError(
            "`elastic_transform` expects `interpolation` 'nearest' or "
            f"'bilinear'. Received: interpolation={interpolation!r}")
    images, squeeze = _batched(images, "elastic_transform")
    x = images if images.ndim == 4 else images[None]
    if data_format == "channels_first":
        x = x.permute(0, 2, 3, 1)
    batch, height, width = x.shape[:3]
    dtype = _compute_dtype(x.dtype)
    generator = None
    if isinstance(seed, int):
        generator = torch.Generator().manual_seed(seed)
    noise = torch.randn((2, batch, height, width, 1), generator=generator,
                        dtype=dtype) * float(sigma)
    size = int(6 * float(sigma)) | 1
    noise = torch.stack([gaussian_blur(n, (size, size), (sigma, sigma),
                                       "channels_last") for n in noise])
    dx, dy = (n[..., 0].to(x.device) * float(alpha) for n in noise)
    ys = torch.arange(height, dtype=dtype, device=x.device)[:, None] + dy
    xs = torch.arange(width, dtype=dtype, device=x.device)[None, :] + dx
    batch_index = torch.arange(batch, device=x.device)[:, None, None]
    out = _sample(x, [batch_index, ys, xs], _ORDERS[interpolation],
                  fill_mode, fill_value, exact=(0,))
    if data_format == "channels_first":
        out = out.permute(0, 3, 1, 2)
    return out[0] if squeeze else out


@keras_op("image.extract_patches_3d", keras3=False)
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1,
                       padding="valid", data_format=None):
    """Extracts 3D patches of `size` from volumes, flattened into the channels.

    Each patch is flattened in `(depth, row, column, channel)` order.

    Args:
        volumes: One volume (rank 4) or a batch of volumes (rank 5).
        size: Int or `(depth, height, width)`: the patch size.
        strides: Int or triple: the step between patches; `None` uses `size`.
        dilation_rate: Int or triple: the spacing between the voxels of a
            patch.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.config.image_data_format()`.

    Returns:
        A tensor `(batch, d, h, w, prod(size) * channels)` (channels-last).

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(8.0), (1, 2, 2, 2, 1))
        >>> keras.ops.image.extract_patches_3d(x, 2)[0, 0, 0, 0]
        tensor([0., 1., 2., 3., 4., 5., 6., 7.])
    """
    data_format = _data_format(data_format)
    volumes = convert_to_tensor(volumes)
    squeeze = volumes.ndim == 4
    x = volumes[None] if squeeze else volumes
    if x.ndim != 5:
        raise ValueError(
            "`extract_patches_3d` expects volumes of rank 4 or 5. "
            f"Received: volumes.shape={tuple(volumes.shape)}")
    if data_format == "channels_first":
        x = x.permute(0, 2, 3, 4, 1)
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    strides = size if strides is None else (
        (strides,) * 3 if isinstance(strides, int) else tuple(strides))
    dilation = (dilation_rate,) * 3 if isinstance(dilation_rate, int) else (
        tuple(dilation_rate))
    if padding == "same":
        pads = []
        for length, k, s, d in zip(x.shape[1:4], size, strides, dilation):
            effective = (k - 1) * d + 1
            total = max((-(-length // s) - 1) * s + effective - length, 0)
            pads.append((total // 2, total - total // 2))
        x = F.pad(x, (0, 0) + pads[2] + pads[1] + pads[0])
    elif padding != "valid":
        raise ValueError(
            "`padding` must be 'valid' or 'same'. Received: "
            f"padding={padding!r}")
    for axis, (k, s, d) in enumerate(zip(size, strides, dilation), 1):
        x = x.unfold(axis, (k - 1) * d + 1, s)[..., ::d]
    # (N, D', H', W', C, kd, kh, kw) -> (N, D', H', W', kd * kh * kw * C).
    x = x.permute(0, 1, 2, 3, 5, 6, 7, 4).flatten(4)
    if data_format == "channels_first":
        x = x.permute(0, 4, 1, 2, 3)
    return x[0] if squeeze else x


def _scale_kernel(method):
    if method in ("linear", "bilinear", "trilinear"):
        return lambda x: torch.clamp(1.0 - x.abs(), min=0.0)
    if method in ("cubic", "bicubic", "tricubic"):
        def keys(x):  # Keys cubic, a = -0.5
            near = ((1.5 * x - 2.5) * x) * x + 1.0
            far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
            return torch.where(x >= 2.0, 0.0, torch.where(x >= 1.0, far,
                                                            near))
        return keys
    if method in ("lanczos3", "lanczos5"):
        radius = int(method[-1])

        def lanczos(x):
            y = radius * torch.sin(torch.pi * x) * torch.sin(
                torch.pi * x / radius)
            safe = torch.where(x != 0, torch.pi ** 2 * x * x, 1.0)
            out = torch.where(x > 1e-3, y / safe, 1.0)
            return torch.where(x > radius, 0.0, out)
        return lanczos
    raise ValueError(
        "`scale_and_translate` expects `method` in linear, bilinear, "
        "trilinear, cubic, bicubic, tricubic, lanczos3, lanczos5. "
        f"Received: method={method!r}")


def _scale_weights(in_size, out_size, scale, translation, kernel,
                   antialias, dtype, device):
    """``(in_size, out_size)`` resampling weights of one axis."""
    inv = 1.0 / scale
    kernel_scale = torch.clamp(inv, min=1.0) if antialias else 1.0
    sample = ((torch.arange(out_size, dtype=dtype, device=device) + 0.5)
              * inv - translation * inv - 0.5)
    source = torch.arange(in_size, dtype=dtype, device=device)
    weights = kernel((sample[None] - source[:, None]).abs() / kernel_scale)
    total = weights.sum(0, keepdim=True)
    limit = 1000.0 * torch.finfo(torch.float32).eps
    weights = torch.where(total.abs() > limit, weights / torch.where(
        total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return torch.where(inside[None], weights, 0.0)


@keras_op("image.scale_and_translate")
def scale_and_translate(images, output_shape, scale, translation,
                        spatial_dims, method, antialias=True):
    """Resamples the `spatial_dims` of `images` under a scale and a translation.

    Output coordinates relate to input ones by `x_out = x_in * scale +
    translation` (pixel centres), with the interpolation kernel of `method`,
    as `jax.image.scale_and_translate` does.

    Args:
        images: Input tensor.
        output_shape: The full shape of the output (the axes not in
            `spatial_dims` keep their size).
        scale: One scale per spatial axis.
        translation: One translation per spatial axis.
        spatial_dims: The axes to resample.
        method: `"linear"`/`"bilinear"`/`"trilinear"`, `"cubic"`/`"bicubic"`/
            `"tricubic"`, `"lanczos3"` or `"lanczos5"`.
        antialias: Whether to widen the kernel when downsampling.

    Returns:
        A float tensor of shape `output_shape`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([0.0, 1.0])
        >>> keras.ops.image.scale_and_translate(
        ...     x, (4,), scale=[2.0], translation=[0.0], spatial_dims=(0,),
        ...     method="linear", antialias=False)
        tensor([0.0000, 0.2500, 0.7500, 1.0000])
    """
    kernel = _scale_kernel(method)
    images = convert_to_tensor(images)
    dtype = _compute_dtype(images.dtype)
    out = images.to(dtype)
    scale = convert_to_tensor(scale, dtype, images.device).reshape(-1)
    translation = convert_to_tensor(translation, dtype,
                                    images.device).reshape(-1)
    for i, axis in enumerate(spatial_dims):
        weights = _scale_weights(out.shape[axis], int(output_shape[axis]),
                                 scale[i], translation[i], kernel,
                                 antialias, dtype, images.device)
        out = torch.tensordot(out.movedim(axis, -1), weights, dims=1)
        out = out.movedim(-1, axis)
    return out
