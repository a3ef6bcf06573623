"""Rescaling: ``inputs * scale + offset`` in the layer's float dtype."""

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.layers.preprocessing.preprocessing_utils import listify
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.Rescaling",
    "keras.layers.experimental.preprocessing.Rescaling",
)
class Rescaling(PreprocessingLayer):
    """A preprocessing layer which rescales input values to a new range.

    Args:
        scale: a float, or a list with one scale per channel.
        offset: a float, or a list with one offset per channel.

    Examples:
        >>> import torchkeras as keras
        >>> keras.layers.Rescaling(1.0 / 255)([[255.0, 255.0]])
        tensor([[1., 1.]])
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = listify(scale)
        self.offset = listify(offset)
        self.supports_masking = True

    def _constant(self, value, inputs):
        t = torch.as_tensor(np.asarray(value), dtype=self._torch_dtype,
                            device=inputs.device)
        if t.dim() and config.image_data_format() == "channels_first":
            # Per-channel values broadcast on axis 1 of NCHW inputs.
            t = t.reshape(t.shape + (1,) * (inputs.dim() - t.dim() - 1))
        return t

    def call(self, inputs):
        x = inputs.to(self._torch_dtype)
        return x * self._constant(self.scale, x) + self._constant(
            self.offset, x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_dtype(self):
        return self.dtype

    def get_config(self):
        config_ = super().get_config()
        config_.update({"scale": self.scale, "offset": self.offset})
        return config_
