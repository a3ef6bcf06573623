"""RepeatVector: repeats a ``(batch, features)`` input ``n`` times."""

from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.RepeatVector")
class RepeatVector(Layer):
    """Repeats the input ``n`` times along a new axis 1.

    Args:
        n: integer, repetition factor.
        **kwargs: base layer keyword arguments.

    Input shape:
        2D tensor ``(batch_size, features)``.

    Output shape:
        3D tensor ``(batch_size, n, features)``.

    Examples:
        >>> import torchkeras as keras
        >>> x = keras.Input(shape=(32,))
        >>> keras.layers.RepeatVector(3)(x).shape
        (None, 3, 32)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(
                f"Expected an integer value for `n`. Received: n={n!r} of "
                f"type {type(n).__name__}"
            )
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        # A copy, as Keras's `repeat`: an `expand` view would break
        # in-place ops and `.view()` in the layers that follow.
        return inputs.unsqueeze(1).repeat(1, self.n, 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
