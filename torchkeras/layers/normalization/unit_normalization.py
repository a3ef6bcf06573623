"""UnitNormalization: scales each sample to unit L2 norm over some axes."""

import torch

from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.UnitNormalization")
class UnitNormalization(Layer):
    """Unit normalization layer.

    Normalizes each input so that its L2 norm across ``axis`` is 1:
    ``x / max(||x||, 1e-6)`` (Keras's ``x * rsqrt(max(sum(x**2), 1e-12))``).

    Args:
        axis: integer or list of integers, the axes to normalize across
            (-1 by default).
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> y = keras.layers.UnitNormalization()(torch.tensor([[3.0, 4.0]]))
        >>> y
        tensor([[0.6000, 0.8000]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a "
                f"list/tuple of ints. Received: axis={axis!r}"
            )
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        norm = torch.linalg.vector_norm(inputs, ord=2, dim=self.axis,
                                        keepdim=True)
        return inputs / norm.clamp_min(1e-6)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
