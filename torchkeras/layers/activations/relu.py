"""ReLU: the rectified linear unit layer, with leak, cap and threshold."""

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ReLU")
class ReLU(Layer):
    """Rectified Linear Unit activation layer.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for
    ``threshold <= x < max_value``, ``negative_slope * (x - threshold)``
    otherwise. With the defaults this is ``max(x, 0)``.

    Args:
        max_value: float >= 0, the largest output (``None``: no cap).
        negative_slope: float >= 0, slope below the threshold.
        threshold: float >= 0, the threshold of the activation.
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.ReLU(max_value=10, negative_slope=0.5)
        >>> layer(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]))
        tensor([-5.0000, -2.5000,  0.0000,  5.0000, 10.0000])
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                "max_value of a ReLU layer cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be None or a negative"
                f" value. Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be None or a negative "
                f"value. Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value,
                                threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value,
                       "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config
