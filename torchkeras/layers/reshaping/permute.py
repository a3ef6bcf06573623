"""Permute: reorders the non-batch axes (1-based ``dims``, as Keras)."""

from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Permute")
class Permute(Layer):
    """Permutes the dimensions of the input according to a given pattern.

    Useful e.g. to connect RNNs and convnets. The result is a torch view
    of the input (no copy).

    Args:
        dims: tuple of integers, the permutation of the non-batch axes,
            indexed from 1: ``(2, 1)`` swaps the first and second axes.
        **kwargs: base layer keyword arguments.

    Input shape:
        ``(batch_size, *dims_in)`` with ``len(dims)`` non-batch axes.

    Output shape:
        The input shape with its non-batch axes reordered by ``dims``.

    Examples:
        >>> import torchkeras as keras
        >>> x = keras.Input(shape=(10, 64))
        >>> keras.layers.Permute((2, 1))(x).shape
        (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The "
                "set of indices in `dims` must be consecutive and start from"
                f" 1. Received: dims={dims}"
            )
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return inputs.permute((0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config
