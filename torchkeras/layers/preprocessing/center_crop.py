"""CenterCrop: crops the central window of images (resizes small ones)."""

from torchkeras.layers.preprocessing import image_utils
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.CenterCrop",
    "keras.layers.experimental.preprocessing.CenterCrop",
)
class CenterCrop(PreprocessingLayer):
    """A preprocessing layer which crops images to their central window.

    An image smaller than the target (on either side) is instead cropped
    to the target aspect ratio and resized (Keras's ``smart_resize``).

    Args:
        height: Height of the output, in pixels.
        width: Width of the output, in pixels.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Examples:
        >>> import numpy as np
        >>> import torchkeras as keras
        >>> keras.layers.CenterCrop(2, 2)(np.ones((1, 4, 5, 3))).shape
        torch.Size([1, 2, 2, 3])
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width
        self.data_format = image_utils.standardize_data_format(data_format)

    def call(self, inputs):
        images, unbatched = image_utils.to_nhwc(inputs, self.data_format,
                                                self._torch_dtype)
        h_diff = images.shape[1] - self.height
        w_diff = images.shape[2] - self.width
        if h_diff >= 0 and w_diff >= 0:
            top, left = int(h_diff / 2), int(w_diff / 2)
            out = images[:, top:top + self.height, left:left + self.width]
        else:
            out = image_utils.smart_resize(images, self.height, self.width)
        return image_utils.from_nhwc(out, self.data_format, unbatched)

    def compute_output_shape(self, input_shape):
        return image_utils.spatial_output_shape(
            input_shape, self.height, self.width, self.data_format)

    def compute_output_dtype(self):
        return self.dtype

    def get_config(self):
        config_ = super().get_config()
        config_.update({"height": self.height, "width": self.width,
                        "data_format": self.data_format})
        return config_
