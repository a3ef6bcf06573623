"""Image helpers for the image preprocessing layers (torch ops, NHWC).

- ``to_nhwc`` / ``from_nhwc``: one batched channels-last view whatever the
  layer's ``data_format`` and rank (3D images get a batch axis);
- ``resize``: ``F.interpolate`` with Keras's torch-backend modes
  (``'nearest'`` is ``'nearest-exact'``: half-pixel centers, like
  TensorFlow), after an optional crop or pad to the target aspect ratio
  (Keras's ``crop_to_aspect_ratio`` / ``pad_to_aspect_ratio`` arithmetic);
- ``affine_transform``: Keras's ``ops.image.affine_transform`` sampling
  (output ``(x, y)`` reads input ``(a0 x + a1 y + a2, b0 x + b1 y + b2)``)
  with ``'nearest'``/``'bilinear'`` interpolation and the
  ``'reflect'``/``'wrap'``/``'nearest'``/``'constant'`` fill modes applied
  to each neighbour index, as ``scipy.ndimage.map_coordinates`` does;
- ``RandomMixin``: the seeded generator of the random layers.
"""

import torch
import torch.nn.functional as F

from torchkeras.backend import config

INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest-exact",
                  "bicubic": "bicubic", "area": "area"}
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def standardize_data_format(data_format):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', "
            f"'channels_last'. Received: data_format={data_format}"
        )
    return data_format


def check_choice(value, choices, arg, layer):
    if value not in choices:
        raise ValueError(
            f"Unknown `{arg}` for {layer}: expected one of {choices}. "
            f"Received: {arg}={value}"
        )


def to_nhwc(images, data_format, dtype):
    """(batched NHWC float tensor, whether the input was unbatched)."""
    if not torch.is_tensor(images):
        images = torch.as_tensor(images)
    if images.dim() not in (3, 4):
        raise ValueError(
            "Expected an image tensor of rank 3 (unbatched) or 4 "
            f"(batched). Received: images.shape={tuple(images.shape)}"
        )
    unbatched = images.dim() == 3
    if unbatched:
        images = images.unsqueeze(0)
    if data_format == "channels_first":
        images = images.permute(0, 2, 3, 1)
    if not images.is_floating_point() or images.dtype != dtype:
        images = images.to(dtype)
    return images, unbatched


def from_nhwc(images, data_format, unbatched):
    if data_format == "channels_first":
        images = images.permute(0, 3, 1, 2)
    return images[0] if unbatched else images


def spatial_output_shape(input_shape, height, width, data_format):
    """``input_shape`` with its height and width replaced."""
    shape = list(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(
            "Expected an input shape of rank 3 (unbatched) or 4 (batched)."
            f" Received: input_shape={tuple(input_shape)}"
        )
    h_axis = -3 if data_format == "channels_last" else -2
    shape[h_axis], shape[h_axis + 1] = height, width
    return tuple(shape)


def aspect_crop_box(in_height, in_width, height, width):
    """Keras's centered crop with the target aspect ratio: (h0, w0, h, w)."""
    crop_height = max(min(in_height, int(float(in_width * height) / width)),
                      1)
    crop_width = max(min(in_width, int(float(in_height * width) / height)),
                     1)
    return (int(float(in_height - crop_height) / 2),
            int(float(in_width - crop_width) / 2), crop_height, crop_width)


def _pad_to_aspect(images, height, width, fill_value):
    in_height, in_width = images.shape[1], images.shape[2]
    pad_height = max(in_height, int(float(in_width * height) / width))
    pad_width = max(in_width, int(float(in_height * width) / height))
    top = int(float(pad_height - in_height) / 2)
    left = int(float(pad_width - in_width) / 2)
    return F.pad(images, (0, 0, left, pad_width - in_width - left, top,
                          pad_height - in_height - top), value=fill_value)


def resize(images, height, width, interpolation="bilinear",
           antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_value=0.0):
    """Resizes NHWC float ``images`` to ``(height, width)``."""
    if crop_to_aspect_ratio:
        h0, w0, h, w = aspect_crop_box(images.shape[1], images.shape[2],
                                       height, width)
        images = images[:, h0:h0 + h, w0:w0 + w, :]
    elif pad_to_aspect_ratio:
        images = _pad_to_aspect(images, height, width, fill_value)
    if tuple(images.shape[1:3]) == (height, width):
        return images
    mode = INTERPOLATIONS[interpolation]
    kwargs = {}
    if mode in ("bilinear", "bicubic"):
        kwargs = {"align_corners": False, "antialias": antialias}
    nchw = images.permute(0, 3, 1, 2)
    out = F.interpolate(nchw, size=(height, width), mode=mode, **kwargs)
    return out.permute(0, 2, 3, 1)


def smart_resize(images, height, width, interpolation="bilinear"):
    """Crop to the target aspect ratio, then resize (Keras smart_resize)."""
    return resize(images, height, width, interpolation,
                  crop_to_aspect_ratio=True)


def _fix_index(index, size, fill_mode):
    """Integer neighbour indices mapped inside ``[0, size)`` + validity."""
    valid = None
    if fill_mode == "reflect":  # (d c b a | a b c d | d c b a)
        index = torch.remainder(index, 2 * size)
        index = torch.where(index >= size, 2 * size - 1 - index, index)
    elif fill_mode == "wrap":  # (a b c d | a b c d | a b c d)
        index = torch.remainder(index, size)
    else:
        if fill_mode == "constant":
            valid = (index >= 0) & (index < size)
        index = index.clamp(0, size - 1)
    return index, valid


def _gather(flat, yi, xi, width, channels):
    """``flat[n, yi * width + xi, :]`` for (N, H, W) index tensors."""
    n = flat.shape[0]
    index = (yi * width + xi).reshape(n, -1, 1).expand(-1, -1, channels)
    return torch.gather(flat, 1, index).reshape(*yi.shape, channels)


def _sample(flat, y, x, size, fill_mode, fill_value):
    height, width, channels = size
    yi, y_ok = _fix_index(y, height, fill_mode)
    xi, x_ok = _fix_index(x, width, fill_mode)
    values = _gather(flat, yi, xi, width, channels)
    if fill_mode == "constant":
        ok = (y_ok & x_ok).unsqueeze(-1)
        values = torch.where(ok, values, torch.full_like(values, fill_value))
    return values


def affine_transform(images, matrices, interpolation="bilinear",
                     fill_mode="reflect", fill_value=0.0):
    """Applies per-image affine ``matrices`` ``(N, 6)`` to NHWC images."""
    n, height, width, channels = images.shape
    device, dtype = images.device, images.dtype
    ys = torch.arange(height, device=device, dtype=dtype).view(1, -1, 1)
    xs = torch.arange(width, device=device, dtype=dtype).view(1, 1, -1)
    m = matrices.to(device=device, dtype=dtype).view(n, 6, 1, 1)
    x_in = m[:, 0] * xs + m[:, 1] * ys + m[:, 2]
    y_in = m[:, 3] * xs + m[:, 4] * ys + m[:, 5]
    flat = images.reshape(n, height * width, channels)
    size = (height, width, channels)
    if interpolation == "nearest":
        return _sample(flat, torch.round(y_in).long(),
                       torch.round(x_in).long(), size, fill_mode, fill_value)
    y0, x0 = torch.floor(y_in), torch.floor(x_in)
    wy, wx = (y_in - y0).unsqueeze(-1), (x_in - x0).unsqueeze(-1)
    y0, x0 = y0.long(), x0.long()
    out = 0
    for dy, weight_y in ((0, 1 - wy), (1, wy)):
        for dx, weight_x in ((0, 1 - wx), (1, wx)):
            out = out + weight_y * weight_x * _sample(
                flat, y0 + dy, x0 + dx, size, fill_mode, fill_value)
    return out


class RandomMixin:
    """A CPU ``torch.Generator`` seeded by ``seed`` (global RNG if None).

    Draws happen on the CPU and move to the images' device (a copy, not a
    host sync), so a seed gives the same augmentations on every device.
    """

    def _init_random(self, seed):
        self.seed = seed
        self.__dict__["_generator"] = None
        if seed is not None:
            self.__dict__["_generator"] = torch.Generator().manual_seed(
                int(seed))

    def _uniform(self, shape, low, high, device):
        draws = torch.rand(shape, generator=self.__dict__["_generator"],
                           dtype=torch.float64)
        return (low + (high - low) * draws).to(device)


def factor_range(factor, name, layer):
    """``(lower, upper)`` from a float (``(-f, f)``) or a pair."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(
                f"`{name}` of {layer} must be a float or a tuple of 2 "
                f"floats. Received: {name}={factor}"
            )
        lower, upper = float(factor[0]), float(factor[1])
    else:
        lower, upper = -abs(float(factor)), abs(float(factor))
    if upper < lower:
        raise ValueError(
            f"`{name}` of {layer} must have lower bound <= upper bound. "
            f"Received: {name}={factor}"
        )
    return lower, upper
