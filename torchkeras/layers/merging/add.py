"""Add: elementwise sum of inputs, and its functional form `add`."""

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Add")
class Add(Merge):
    """Performs elementwise addition of a list of inputs.

    It takes a list of tensors of the same shape (or shapes that
    broadcast, as Keras allows) and returns one tensor of that shape.

    Args:
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> a, b = torch.tensor([[1.0, 5.0]]), torch.tensor([[4.0, 2.0]])
        >>> keras.layers.Add()([a, b])
        tensor([[5., 7.]])
    """

    def _merge_function(self, inputs, masks):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


@keras_export("keras.layers.add")
def add(inputs, **kwargs):
    """Functional interface to the `Add` layer.

    Args:
        inputs: a list of input tensors (or KerasTensors).
        **kwargs: standard layer keyword arguments.

    Returns:
        The output of a new `Add` layer called on `inputs`.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.add([x1, x2])
        tensor([[4., 6.]])
    """
    return Add(**kwargs)(inputs)
