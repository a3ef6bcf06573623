"""ELU: the exponential linear unit layer."""

import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ELU")
class ELU(Layer):
    """Applies an Exponential Linear Unit function to an output.

    ``f(x) = alpha * (exp(x) - 1)`` for ``x < 0``, ``x`` otherwise.

    Args:
        alpha: float, the scale of the negative section (1.0).
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> keras.layers.ELU(alpha=2.0)(torch.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return F.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
