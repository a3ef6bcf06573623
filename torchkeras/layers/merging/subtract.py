"""Subtract: difference of two inputs; functional form `subtract`."""

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Subtract")
class Subtract(Merge):
    """Performs elementwise subtraction: ``inputs[0] - inputs[1]``.

    It takes a list of two tensors of the same shape (or shapes that
    broadcast, as Keras allows) and returns one tensor of that shape.

    Args:
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> a, b = torch.tensor([[1.0, 5.0]]), torch.tensor([[4.0, 2.0]])
        >>> keras.layers.Subtract()([a, b])
        tensor([[-3.,  3.]])
    """

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"Layer '{self.name}': A `Subtract` layer should be called "
                "on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )

    def _merge_function(self, inputs, masks):
        if len(inputs) != 2:
            raise ValueError(
                f"Layer '{self.name}': a `Subtract` layer should be called "
                f"on exactly 2 inputs. Received: {len(inputs)} inputs"
            )
        return inputs[0] - inputs[1]


@keras_export("keras.layers.subtract")
def subtract(inputs, **kwargs):
    """Functional interface to the `Subtract` layer.

    Args:
        inputs: a list of input tensors (or KerasTensors).
        **kwargs: standard layer keyword arguments.

    Returns:
        The output of a new `Subtract` layer called on `inputs`.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.subtract([x1, x2])
        tensor([[-2., -2.]])
    """
    return Subtract(**kwargs)(inputs)
