"""Average: elementwise mean of inputs; functional form `average`."""

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Average")
class Average(Merge):
    """Averages a list of inputs elementwise.

    It takes a list of tensors of the same shape (or shapes that
    broadcast, as Keras allows) and returns one tensor of that shape.

    Args:
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> a, b = torch.tensor([[1.0, 5.0]]), torch.tensor([[4.0, 2.0]])
        >>> keras.layers.Average()([a, b])
        tensor([[2.5000, 3.5000]])
    """

    def _merge_function(self, inputs, masks):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


@keras_export("keras.layers.average")
def average(inputs, **kwargs):
    """Functional interface to the `Average` layer.

    Args:
        inputs: a list of input tensors (or KerasTensors).
        **kwargs: standard layer keyword arguments.

    Returns:
        The output of a new `Average` layer called on `inputs`.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.average([x1, x2])
        tensor([[2., 3.]])
    """
    return Average(**kwargs)(inputs)
