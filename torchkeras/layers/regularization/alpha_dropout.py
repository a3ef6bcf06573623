"""AlphaDropout: dropout that keeps SELU's self-normalizing statistics."""

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.dropout import validate_noise_shape
from torchkeras.layers.regularization.dropout import concrete_noise_shape
from torchkeras.layers.regularization.dropout import generator_for
from torchkeras.layers.regularization.dropout import validate_rate
from torchkeras.utils.registry import keras_export

# SELU's constants (Klambauer et al., 2017).
_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


@keras_export("keras.layers.AlphaDropout")
class AlphaDropout(Layer):
    """Applies Alpha Dropout to the input.

    Dropped units are set to SELU's negative saturation value
    ``-alpha * scale`` and the result is affinely rescaled so that the
    mean and variance of the inputs are kept. Active only in training.

    Args:
        rate: float in ``[0, 1]``, fraction of the input units to drop.
        noise_shape: optional shape of the keep-mask (as in ``Dropout``).
        seed: optional integer seed.
        **kwargs: base layer keyword arguments.

    Call arguments:
        inputs: input tensor of any rank.
        training: whether to apply dropout (``True``) or pass through.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.AlphaDropout(0.2)
        >>> layer(torch.zeros(2, 3), training=True).shape
        torch.Size([2, 3])
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate_rate(rate, "rate")
        self.noise_shape = validate_noise_shape(noise_shape)
        self.seed = seed
        self.supports_masking = True
        self._generators = {}
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = concrete_noise_shape(inputs, self.noise_shape)
        gen = generator_for(self, inputs)
        uniform = torch.rand(shape, generator=gen, dtype=inputs.dtype,
                             device=inputs.device)
        kept = (uniform >= self.rate).to(inputs.dtype)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": (list(self.noise_shape)
                            if self.noise_shape is not None else None),
        })
        return config
