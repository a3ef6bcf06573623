"""Reshape: gives the non-batch axes a new shape (one entry may be -1)."""

import math

from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Reshape")
class Reshape(Layer):
    """Layer that reshapes inputs into the given shape.

    Args:
        target_shape: tuple of integers, the new shape without the batch
            dimension. One entry may be ``-1``: it is inferred from the
            size of the input.
        **kwargs: base layer keyword arguments.

    Input shape:
        Arbitrary, with a size compatible with ``target_shape``.

    Output shape:
        ``(batch_size, *target_shape)``.

    Raises:
        ValueError: at graph construction when the input's size cannot be
            reshaped to ``target_shape``.

    Examples:
        >>> import torchkeras as keras
        >>> x = keras.Input(shape=(12,))
        >>> keras.layers.Reshape((3, 4))(x).shape
        (None, 3, 4)
        >>> keras.layers.Reshape((-1, 2, 2))(x).shape
        (None, 3, 2, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        target_shape = tuple(target_shape)
        if any(isinstance(d, bool) or not isinstance(d, int)
               or (d < 0 and d != -1) for d in target_shape):
            raise ValueError(
                "The `target_shape` argument must be a tuple of positive "
                "integers, one of which may be -1. Received: "
                f"target_shape={target_shape}"
            )
        if target_shape.count(-1) > 1:
            raise ValueError(
                "The `target_shape` argument must not contain more than one "
                f"`-1` value. Received: target_shape={target_shape}"
            )
        self.target_shape = target_shape
        self.built = True

    def call(self, inputs):
        target = resolve_target_shape(tuple(inputs.shape[1:]),
                                      self.target_shape)
        return inputs.reshape((inputs.shape[0],) + target)

    def compute_output_shape(self, input_shape):
        try:
            target = resolve_target_shape(tuple(input_shape[1:]),
                                          self.target_shape)
        except ValueError as e:
            raise ValueError(f"Layer '{self.name}': {e}") from None
        return (input_shape[0],) + tuple(None if d == -1 else d
                                         for d in target)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


def resolve_target_shape(input_shape, target_shape):
    """``target_shape`` with its -1 resolved when ``input_shape`` is known.

    Raises:
        ValueError: if the sizes cannot match.
    """
    if any(d is None for d in input_shape):
        return target_shape
    size = math.prod(input_shape)
    if -1 not in target_shape:
        if size != math.prod(target_shape):
            raise ValueError(
                "The total size of the tensor must be unchanged. Received: "
                f"input_shape={input_shape}, target_shape={target_shape}"
            )
        return target_shape
    known = math.prod(d for d in target_shape if d != -1)
    if known == 0 or size % known != 0:
        raise ValueError(
            "The total size of the tensor must be unchanged, however, the "
            "input size cannot be divided by the specified dimensions in "
            f"target_shape. Received: input_shape={input_shape}, "
            f"target_shape={target_shape}"
        )
    return tuple(size // known if d == -1 else d for d in target_shape)
