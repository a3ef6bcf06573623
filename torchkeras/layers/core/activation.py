"""Activation: a layer that applies an activation function to its inputs."""

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Activation")
class Activation(Layer):
    """Applies an activation function to an output.

    Args:
        activation: activation function name (``"relu"``) or callable.
        **kwargs: base layer keyword arguments (``name``, ``dtype``).

    Input shape:
        Arbitrary.

    Output shape:
        Same as the input.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.Activation("relu")
        >>> layer(torch.tensor([-3.0, -1.0, 0.0, 2.0]))
        tensor([0., 0., 0., 2.])
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
