"""Multiply: elementwise product of inputs; functional form `multiply`."""

import torch

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Multiply")
class Multiply(Merge):
    """Performs elementwise multiplication of a list of inputs.

    It takes a list of tensors of the same shape (or shapes that
    broadcast, as Keras allows) and returns one tensor of that shape.

    Args:
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> a, b = torch.tensor([[1.0, 5.0]]), torch.tensor([[4.0, 2.0]])
        >>> keras.layers.Multiply()([a, b])
        tensor([[ 4., 10.]])
    """

    def _merge_function(self, inputs, masks):
        # Keras: masked positions count as 1 in the product, and the output
        # is 0 where every input is masked.
        if any(m is None for m in masks):
            output = inputs[0]
            for x in inputs[1:]:
                output = output * x
            return output
        output = None
        output_mask = None
        for x, mask in zip(inputs, masks):
            mask = mask.unsqueeze(-1).expand_as(x)
            x = torch.where(mask, x, torch.ones_like(x))
            output_mask = mask if output_mask is None else output_mask | mask
            output = x if output is None else output * x
        return torch.where(output_mask, output, torch.zeros_like(output))


@keras_export("keras.layers.multiply")
def multiply(inputs, **kwargs):
    """Functional interface to the `Multiply` layer.

    Args:
        inputs: a list of input tensors (or KerasTensors).
        **kwargs: standard layer keyword arguments.

    Returns:
        The output of a new `Multiply` layer called on `inputs`.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.multiply([x1, x2])
        tensor([[3., 8.]])
    """
    return Multiply(**kwargs)(inputs)
