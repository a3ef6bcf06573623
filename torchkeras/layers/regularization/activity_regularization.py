"""ActivityRegularization: an identity layer that penalizes its outputs."""

from torchkeras import regularizers
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ActivityRegularization")
class ActivityRegularization(Layer):
    """Adds an L1/L2 penalty on its input activity to the model's losses.

    The layer returns its input unchanged; each call adds
    ``l1 * sum(|x|) + l2 * sum(x ** 2)`` to ``layer.losses`` (the base
    layer applies it as every ``activity_regularizer``).

    Args:
        l1: L1 regularization factor (non-negative float).
        l2: L2 regularization factor (non-negative float).
        **kwargs: base layer keyword arguments.

    Input shape:
        Arbitrary.

    Output shape:
        Same as the input.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.ActivityRegularization(l1=0.1)
        >>> layer(torch.ones(1, 4)).shape
        torch.Size([1, 4])
        >>> len(layer.losses)
        1
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(
            activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
