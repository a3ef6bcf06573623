"""Dropout, and the random helpers the other regularization layers share.

Unseeded dropout over the whole input runs torch's fused ``F.dropout``.
A ``noise_shape`` (or a ``seed``) draws a smaller keep-mask that broadcasts
over the input, as Keras's torch backend does; a seeded layer owns a
``torch.Generator`` per device, so its masks are reproducible.
"""

import torch
import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Dropout")
class Dropout(Layer):
    """Applies dropout to the input.

    During training, each input unit is set to 0 with probability ``rate``
    and the others are scaled up by ``1 / (1 - rate)``, so that the expected
    sum is unchanged. At inference the layer returns its input.

    Args:
        rate: float in ``[0, 1]``, fraction of the input units to drop.
        noise_shape: optional shape of the binary keep-mask, broadcast over
            the input; ``None`` entries take the input's size. For inputs
            ``(batch, timesteps, features)``, ``(None, 1, None)`` drops the
            same features at every timestep.
        seed: optional integer seed for reproducible masks.
        **kwargs: base layer keyword arguments (``name``, ``dtype``).

    Call arguments:
        inputs: input tensor of any rank.
        training: whether to drop units (``True``) or pass through.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.Dropout(0.5)
        >>> x = torch.ones(2, 3)
        >>> bool((layer(x) == x).all())
        True
        >>> y = layer(x, training=True)  # zeros and 2.0 (= 1 / (1 - rate))
        >>> bool(((y == 0) | (y == 2)).all())
        True
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate_rate(rate, "rate")
        self.seed = seed
        self.noise_shape = validate_noise_shape(noise_shape)
        self.supports_masking = True
        self._generators = {}
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, p=self.rate, training=True)
        shape = concrete_noise_shape(inputs, self.noise_shape)
        return apply_dropout_mask(inputs, self.rate, shape,
                                  generator_for(self, inputs))

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


def validate_rate(rate, arg_name):
    """Returns ``rate`` if it is a number in ``[0, 1]``, else raises."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (
            0 <= rate <= 1):
        raise ValueError(
            f"Invalid value received for argument `{arg_name}`. Expected a "
            f"float value between 0 and 1. Received: {arg_name}={rate}"
        )
    return rate


def validate_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str) or not hasattr(noise_shape, "__iter__"):
        raise ValueError(
            "Invalid value received for argument `noise_shape`. Expected a "
            f"tuple or list of integers. Received: noise_shape={noise_shape}"
        )
    noise_shape = tuple(noise_shape)
    for dim in noise_shape:
        if dim is not None and (isinstance(dim, bool)
                                or not isinstance(dim, int) or dim <= 0):
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected"
                " all elements to be positive integers or None. Received: "
                f"noise_shape={noise_shape}"
            )
    return noise_shape


def concrete_noise_shape(inputs, noise_shape):
    """``noise_shape`` with its ``None`` entries taken from ``inputs``."""
    if noise_shape is None:
        return tuple(inputs.shape)
    return tuple(inputs.shape[i] if d is None else d
                 for i, d in enumerate(noise_shape))


def generator_for(layer, inputs):
    """The layer's seeded generator on the inputs' device (or ``None``)."""
    if layer.seed is None:
        return None
    device = inputs.device
    gen = layer._generators.get(str(device))
    if gen is None:
        gen = torch.Generator(device=device)
        gen.manual_seed(int(layer.seed))
        layer._generators[str(device)] = gen
    return gen


def apply_dropout_mask(inputs, rate, noise_shape, generator=None):
    """Drops ``inputs`` with a keep-mask of ``noise_shape`` (broadcast)."""
    if rate >= 1:
        return inputs * 0
    keep = torch.full(noise_shape, 1.0 - rate, dtype=inputs.dtype,
                      device=inputs.device)
    mask = torch.bernoulli(keep, generator=generator)
    return inputs * (mask / (1.0 - rate))


def normal_noise(inputs, generator=None):
    """Standard normal noise shaped like ``inputs``."""
    if generator is None:
        return torch.randn_like(inputs)
    return torch.randn(inputs.shape, generator=generator,
                       dtype=inputs.dtype, device=inputs.device)
