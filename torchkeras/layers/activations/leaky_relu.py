"""LeakyReLU: ReLU with a small slope for negative inputs."""

import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.LeakyReLU")
class LeakyReLU(Layer):
    """Leaky version of a Rectified Linear Unit activation layer.

    ``f(x) = negative_slope * x`` for ``x < 0``, ``x`` otherwise.

    Args:
        negative_slope: float >= 0, the slope for negative inputs (0.3).
            tf.keras 2's name ``alpha`` is accepted too.
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.LeakyReLU(negative_slope=0.5)
        >>> layer(torch.tensor([-4.0, 2.0]))
        tensor([-2.,  2.])
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # tf.keras 2 spelling
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be "
                "None or negative value. Expected a float. Received: "
                f"negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return F.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
