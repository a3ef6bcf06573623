"""BaseRandomImageLayer: the shared frame of the random image augmenters.

It converts inputs to a batched NHWC float view, runs ``_augment`` in
training and ``_infer`` otherwise (identity by default: Keras's
augmentation layers do nothing at inference), and converts back. Random
draws come from a CPU generator seeded by ``seed`` (``RandomMixin``).
"""

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)


class BaseRandomImageLayer(image_utils.RandomMixin, PreprocessingLayer):
    """Base class: ``call(inputs, training)`` around ``_augment``."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_random(seed)
        self.data_format = image_utils.standardize_data_format(data_format)

    def call(self, inputs, training=None):
        images, unbatched = image_utils.to_nhwc(inputs, self.data_format,
                                                self._torch_dtype)
        out = self._augment(images) if training else self._infer(images)
        return image_utils.from_nhwc(out, self.data_format, unbatched)

    def _augment(self, images):
        raise NotImplementedError

    def _infer(self, images):
        return images

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_dtype(self):
        return self.dtype

    def get_config(self):
        config_ = super().get_config()
        config_.update({"seed": self.seed, "data_format": self.data_format})
        return config_
