"""Maximum: elementwise maximum of inputs; functional form `maximum`."""

import torch

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Maximum")
class Maximum(Merge):
    """Computes the elementwise maximum of a list of inputs.

    It takes a list of tensors of the same shape (or shapes that
    broadcast, as Keras allows) and returns one tensor of that shape.

    Args:
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> a, b = torch.tensor([[1.0, 5.0]]), torch.tensor([[4.0, 2.0]])
        >>> keras.layers.Maximum()([a, b])
        tensor([[4., 5.]])
    """

    def _merge_function(self, inputs, masks):
        return self._apply_merge_op_and_or_mask(torch.maximum, inputs, masks)


@keras_export("keras.layers.maximum")
def maximum(inputs, **kwargs):
    """Functional interface to the `Maximum` layer.

    Args:
        inputs: a list of input tensors (or KerasTensors).
        **kwargs: standard layer keyword arguments.

    Returns:
        The output of a new `Maximum` layer called on `inputs`.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.maximum([x1, x2])
        tensor([[3., 4.]])
    """
    return Maximum(**kwargs)(inputs)
