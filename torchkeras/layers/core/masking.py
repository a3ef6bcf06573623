"""Masking: masks the timesteps whose features all equal ``mask_value``."""

from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Masking")
class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps.

    A timestep is masked (skipped by downstream layers that support
    masking) when every feature equals ``mask_value``; masked timesteps are
    zeroed in the output. The mask is ``any(inputs != mask_value, axis=-1)``.

    Args:
        mask_value: the value marking padded features (default ``0.0``).

    Input shape:
        ``(batch_size, timesteps, features)`` (any rank >= 2).

    Output shape:
        Same as the input; the output carries ``_keras_mask`` of shape
        ``(batch_size, timesteps)``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.tensor([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
        >>> keras.layers.Masking()(x)._keras_mask
        tensor([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return (inputs != self.mask_value).any(dim=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"mask_value": self.mask_value})
        return config
