"""Softmax: the softmax activation layer, with Keras's masking."""

import torch

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


def _large_negative_number(dtype):
    """What Keras adds to masked logits (-1e9, or -3e4 for float16)."""
    return -3e4 if dtype == torch.float16 else -1e9


@keras_export("keras.layers.Softmax")
class Softmax(Layer):
    """Softmax activation layer.

    ``f(x) = exp(x) / sum(exp(x))`` over ``axis``. Where ``mask`` is False
    the logits get a large negative number added, so those positions
    receive (almost) zero probability.

    Args:
        axis: integer or list of integers, the axis (axes) along which the
            softmax normalization is applied.
        **kwargs: base layer keyword arguments.

    Call arguments:
        inputs: the logits.
        mask: optional boolean tensor broadcastable to ``inputs``; True
            keeps a position, False masks it.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.Softmax()
        >>> layer(torch.tensor([1.0, 2.0, 1.0]))
        tensor([0.2119, 0.5761, 0.2119])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, tuple):
            axis = list(axis)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            adder = (1.0 - mask.to(inputs.dtype)) * _large_negative_number(
                inputs.dtype)
            inputs = inputs + adder
        axis = self.axis
        if isinstance(axis, list):
            axis = axis[0] if len(axis) == 1 else tuple(axis)
        return activations.softmax(inputs, axis=axis)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if not -rank <= axis < rank:
                raise ValueError(
                    f"Layer '{self.name}': axis {axis} is out of range for "
                    f"inputs of rank {rank}. Received: axis={self.axis}"
                )
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
