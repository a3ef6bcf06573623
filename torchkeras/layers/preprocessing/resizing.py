"""Resizing: resizes images with ``F.interpolate`` (Keras's torch modes)."""

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.Resizing",
    "keras.layers.experimental.preprocessing.Resizing",
)
class Resizing(PreprocessingLayer):
    """A preprocessing layer which resizes images.

    Bilinear and bicubic use half-pixel centers (TensorFlow's and Keras's
    convention, ``align_corners=False``); ``'nearest'`` is torch's
    ``'nearest-exact'``.

    Args:
        height: Height of the output, in pixels.
        width: Width of the output, in pixels.
        interpolation: ``'bilinear'``, ``'nearest'``, ``'bicubic'`` or
            ``'area'``.
        crop_to_aspect_ratio: first crop the largest centered window with
            the target aspect ratio.
        pad_to_aspect_ratio: first pad (with ``fill_value``) to the target
            aspect ratio.
        fill_mode: only ``'constant'`` padding is supported.
        fill_value: the padding value.
        antialias: anti-alias when downsampling (bilinear/bicubic).
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Input shape:
        ``(batch_size, height, width, channels)`` or unbatched 3D images.

    Output shape:
        ``(batch_size, height, width, channels)``, float.

    Examples:
        >>> import numpy as np
        >>> import torchkeras as keras
        >>> keras.layers.Resizing(2, 3)(np.ones((1, 4, 4, 3))).shape
        torch.Size([1, 2, 3, 3])
    """

    def __init__(self, height, width, interpolation="bilinear",
                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        image_utils.check_choice(interpolation,
                                 tuple(image_utils.INTERPOLATIONS),
                                 "interpolation", "Resizing")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Only one of `crop_to_aspect_ratio` and "
                "`pad_to_aspect_ratio` can be True. Received: "
                f"crop_to_aspect_ratio={crop_to_aspect_ratio}, "
                f"pad_to_aspect_ratio={pad_to_aspect_ratio}"
            )
        image_utils.check_choice(fill_mode, ("constant",), "fill_mode",
                                 "Resizing")
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = antialias
        self.data_format = image_utils.standardize_data_format(data_format)

    def call(self, inputs):
        images, unbatched = image_utils.to_nhwc(inputs, self.data_format,
                                                self._torch_dtype)
        out = image_utils.resize(
            images, self.height, self.width, self.interpolation,
            self.antialias, self.crop_to_aspect_ratio,
            self.pad_to_aspect_ratio, self.fill_value)
        return image_utils.from_nhwc(out, self.data_format, unbatched)

    def compute_output_shape(self, input_shape):
        return image_utils.spatial_output_shape(
            input_shape, self.height, self.width, self.data_format)

    def compute_output_dtype(self):
        return self.dtype

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
            "data_format": self.data_format,
        })
        return config_
