"""GaussianNoise: additive zero-centred Gaussian noise at training time."""

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.dropout import generator_for
from torchkeras.layers.regularization.dropout import normal_noise
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.GaussianNoise")
class GaussianNoise(Layer):
    """Applies additive zero-centred Gaussian noise.

    A regularization (and data augmentation) layer, active only when
    called with ``training=True``.

    Args:
        stddev: non-negative float, standard deviation of the noise.
        seed: optional integer seed.
        **kwargs: base layer keyword arguments.

    Call arguments:
        inputs: input tensor of any rank.
        training: whether to add noise (``True``) or pass through.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.GaussianNoise(0.1)
        >>> bool((layer(torch.ones(3)) == 1).all())
        True
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        # Keras 3 caps stddev at 1; tf.keras accepted any non-negative value.
        if isinstance(stddev, bool) or not isinstance(
                stddev, (int, float)) or stddev < 0:
            raise ValueError(
                "Invalid value received for argument `stddev`. Expected a "
                f"non-negative float. Received: stddev={stddev}"
            )
        self.stddev = stddev
        self.seed = seed
        self.supports_masking = True
        self._generators = {}
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = normal_noise(inputs, generator_for(self, inputs))
        return inputs + noise * self.stddev

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
