"""PReLU: leaky ReLU whose negative slopes are learned weights."""

import torch.nn.functional as F

from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.PReLU")
class PReLU(Layer):
    """Parametric Rectified Linear Unit activation layer.

    ``f(x) = alpha * x`` for ``x < 0``, ``x`` otherwise, where ``alpha``
    is a learned array shaped like one sample (``input_shape[1:]``), with
    size 1 along the ``shared_axes``.

    Args:
        alpha_initializer: initializer of the slopes (zeros).
        alpha_regularizer: optional regularizer of the slopes.
        alpha_constraint: optional constraint on the slopes.
        shared_axes: axes (indexed from 1, the first non-batch axis) along
            which the slopes are shared; e.g. ``[1, 2]`` after a
            ``(batch, height, width, channels)`` convolution gives one
            slope per channel.
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.PReLU(shared_axes=[1, 2])
        >>> layer.build((None, 8, 8, 3))
        >>> tuple(layer.alpha.shape)
        (1, 1, 3)
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.supports_masking = True

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for i in self.shared_axes or ():
            if not 1 <= i < len(input_shape):
                raise ValueError(
                    f"Layer '{self.name}': `shared_axes` must index the "
                    f"non-batch axes 1..{len(input_shape) - 1}. Received: "
                    f"shared_axes={self.shared_axes}"
                )
            param_shape[i - 1] = 1
        self.alpha = self.add_weight(
            name="alpha", shape=param_shape,
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or ())}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        # Keras's formula: relu(x) - alpha * relu(-x).
        return F.relu(inputs) - self.alpha * F.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(
                self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(
                self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
