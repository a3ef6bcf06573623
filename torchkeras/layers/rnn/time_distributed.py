"""TimeDistributed: applies a layer to every time step of a sequence.

The time axis is folded into the batch, ``(batch, time, ...)`` ->
``(batch * time, ...)``, the layer runs once on that, and its outputs are
unfolded: one kernel call instead of a Python loop over time (Keras 3 loops
when the time dimension is static). Masks are folded the same way and
passed to the layer if its ``call`` takes one.
"""

from torchkeras.layers.layer import Layer
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


def _fold(batch, time):
    return None if batch is None or time is None else batch * time


@keras_export("keras.layers.TimeDistributed")
class TimeDistributed(Layer):
    """Applies the wrapped layer to every temporal slice of an input.

    Every input is at least 3D; its dimension 1 is the time dimension.

    Args:
        layer: a ``keras.layers.Layer`` instance (``Dense``, ``Conv2D``,
            ...), applied with the same weights at every step.

    Call arguments:
        inputs: ``(batch, timesteps, ...)`` tensor.
        training: passed to the wrapped layer.
        mask: ``(batch, timesteps)`` boolean tensor, folded and passed on.

    Output shape:
        ``(batch, timesteps) + layer_output_shape[1:]``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.TimeDistributed(keras.layers.Dense(8))
        >>> layer(torch.ones((32, 10, 16))).shape
        torch.Size([32, 10, 8])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a "
                f"`keras.layers.Layer` instance. Received: layer={layer}"
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True

    def _child_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` "
                f"with at least 3 dimensions, received: {shape}"
            )
        return (_fold(shape[0], shape[1]),) + shape[2:]

    def build(self, input_shape):
        self.layer._maybe_build(self._child_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        batch, time = inputs.shape[0], inputs.shape[1]
        folded = inputs.reshape((batch * time,) + tuple(inputs.shape[2:]))
        kwargs = {"training": training}
        if mask is not None:
            if tuple(mask.shape[:2]) != (batch, time):
                raise ValueError(
                    "`TimeDistributed` Layer should be passed a `mask` of "
                    f"shape ({batch}, {time}, ...), received: "
                    f"mask.shape={tuple(mask.shape)}"
                )
            kwargs["mask"] = mask.reshape((batch * time,)
                                          + tuple(mask.shape[2:]))
        outputs = self.layer(folded, **kwargs)
        return tree.map_structure(
            lambda y: y.reshape((batch, time) + tuple(y.shape[1:])),
            outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child = self.layer.compute_output_shape(
            self._child_shape(input_shape))
        head = input_shape[:2]
        if isinstance(child, list):
            return [head + tuple(c[1:]) for c in child]
        return head + tuple(child[1:])

    def get_config(self):
        from torchkeras.utils.serialization import serialize_keras_object

        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from torchkeras import layers

        config = dict(config)
        config["layer"] = layers.deserialize(config["layer"],
                                             custom_objects=custom_objects)
        return cls(**config)
