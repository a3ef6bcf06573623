"""GaussianDropout: multiplicative one-centred Gaussian noise in training."""

import math

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.dropout import generator_for
from torchkeras.layers.regularization.dropout import normal_noise
from torchkeras.layers.regularization.dropout import validate_rate
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.GaussianDropout")
class GaussianDropout(Layer):
    """Applies multiplicative 1-centred Gaussian noise.

    Active only when called with ``training=True``: the input is multiplied
    by noise of mean 1 and standard deviation ``sqrt(rate / (1 - rate))``.

    Args:
        rate: float in ``[0, 1]``, drop probability (as with ``Dropout``).
        seed: optional integer seed.
        **kwargs: base layer keyword arguments.

    Call arguments:
        inputs: input tensor of any rank.
        training: whether to apply the noise (``True``) or pass through.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.GaussianDropout(0.2)
        >>> layer(torch.ones(2, 3), training=True).shape
        torch.Size([2, 3])
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate_rate(rate, "rate")
        self.seed = seed
        self.supports_masking = True
        self._generators = {}
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = normal_noise(inputs, generator_for(self, inputs))
        return inputs * (noise * stddev + 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
