"""BaseCropping: removes rows before and after each spatial axis.

The shared part of Cropping1D/2D/3D: Keras's argument forms and a slice of
the input (a view, no copy).
"""

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer


class BaseCropping(Layer):
    """Abstract cropping layer over ``rank`` spatial axes.

    Args:
        rank: the number of spatial axes.
        cropping: int, tuple of ``rank`` ints, or tuple of ``rank`` pairs.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._rank = rank
        self.cropping = conv_utils.standardize_symmetric_pairs(
            cropping, rank, "cropping")
        self.data_format = conv_utils.standardize_data_format(data_format)
        self._first = 1 if self.data_format == "channels_last" else 2
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def _check(self, spatial, input_shape):
        for n, (before, after) in zip(spatial, self.cropping):
            if n is not None and before + after >= n:
                raise ValueError(
                    f"Layer '{self.name}': values in `cropping` should be "
                    "smaller than the corresponding spatial dimension of "
                    f"the input. Received: input_shape={input_shape}, "
                    f"cropping={self.cropping}"
                )

    def call(self, inputs):
        spatial = conv_utils.spatial_shape(inputs.shape, self.data_format)
        self._check(spatial, tuple(inputs.shape))
        index = [slice(None)] * inputs.ndim
        for i, (n, (before, after)) in enumerate(zip(spatial,
                                                     self.cropping)):
            index[self._first + i] = slice(before, n - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        self._check(spatial, input_shape)
        spatial = [None if n is None else n - before - after
                   for n, (before, after) in zip(spatial, self.cropping)]
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        return conv_utils.with_spatial(input_shape, spatial, channels,
                                       self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping,
                       "data_format": self.data_format})
        return config
