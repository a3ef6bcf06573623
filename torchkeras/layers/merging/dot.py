"""Dot: batchwise dot product of two inputs, and its functional form `dot`.

The contraction is one ``torch.bmm``: the first input's axis moves last,
the second's moves to position 1, and the other axes are flattened around
them (Keras's ``batch_dot``).
"""

import math

import torch
import torch.nn.functional as F

from torchkeras.backend import config as backend_config
from torchkeras.layers.merging.base_merge import Merge
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Dot")
class Dot(Merge):
    """Computes the batchwise dot product of two tensors.

    For inputs ``x`` of shape ``(batch, ..., d)`` and ``y`` of shape
    ``(batch, ..., d, ...)`` it sums ``x * y`` over the given axes. The
    output shape is ``x``'s shape without its summed axis, followed by
    ``y``'s without the batch and summed axes; a ``(batch,)`` result
    becomes ``(batch, 1)``.

    Args:
        axes: integer, or pair of integers, the axis (or one axis per
            input) to sum over; never the batch axis 0.
        normalize: whether to L2-normalize both inputs along the summed
            axis first, making the output their cosine proximity.
        **kwargs: base layer keyword arguments.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.arange(10.0).reshape(1, 5, 2)
        >>> y = torch.arange(10.0, 20.0).reshape(1, 2, 5)
        >>> keras.layers.Dot(axes=(1, 2))([x, y])
        tensor([[[260., 360.],
                 [320., 445.]]])
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be a list "
                    f"or an int. Received: axes={axes}"
                )
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain "
                    f"two integers. Received: axes={axes}"
                )
            axes = list(axes)
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolve_axes(self, rank1, rank2):
        """The summed axis of each input; negative axes count from the end.

        Raises:
            ValueError: for an axis an input does not have.
        """
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else (
            self.axes)
        resolved = []
        for axis, rank in zip(axes, (rank1, rank2)):
            if not -rank <= axis < rank:
                raise ValueError(
                    f"Layer '{self.name}': axis {axis} is out of range for "
                    f"inputs of rank {rank}. Received: axes={self.axes}"
                )
            resolved.append(axis % rank)
        return resolved

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(
                input_shape) != 2 or not isinstance(input_shape[0],
                                                    (list, tuple)):
            raise ValueError(
                f"Layer '{self.name}': A `Dot` layer should be called on a "
                "list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = input_shape
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f"Layer '{self.name}': a `Dot` layer needs inputs of rank "
                ">= 2 (a batch axis and an axis to sum). Received: "
                f"input_shape={input_shape}"
            )
        a1, a2 = self._resolve_axes(len(shape1), len(shape2))
        if 0 in (a1, a2):
            raise ValueError(
                f"Layer '{self.name}': cannot perform batch_dot over axis 0 "
                "(the batch axis). "
                f"Received: axes={self.axes}"
            )
        d1, d2 = shape1[a1], shape2[a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(
                f"Layer '{self.name}': Incompatible input shapes: axis "
                f"values {d1} (at axis {a1})"
                f" != {d2} (at axis {a2}). Full input shapes: "
                f"{tuple(shape1)}, {tuple(shape2)}"
            )
        self.built = True

    def _merge_function(self, inputs, masks):
        if len(inputs) != 2:
            raise ValueError(
                f"Layer '{self.name}': a `Dot` layer should be called on "
                f"exactly 2 inputs. Received: {len(inputs)} inputs"
            )
        x, y = inputs
        a1, a2 = self._resolve_axes(x.ndim, y.ndim)
        if self.normalize:
            eps = backend_config.epsilon()
            x = F.normalize(x, p=2.0, dim=a1, eps=eps)
            y = F.normalize(y, p=2.0, dim=a2, eps=eps)
        return batch_dot(x, y, a1, a2)

    def compute_output_shape(self, input_shape):
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._resolve_axes(len(shape1), len(shape2))
        shape1.pop(a1)
        shape2.pop(a2)
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape.append(1)
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def batch_dot(x, y, axis_x, axis_y):
    """Sums ``x * y`` over ``x``'s ``axis_x`` and ``y``'s ``axis_y``."""
    batch, depth = x.shape[0], x.shape[axis_x]
    x = x.movedim(axis_x, -1)
    y = y.movedim(axis_y, 1)
    x_rest, y_rest = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    out = torch.bmm(x.reshape(batch, math.prod(x_rest), depth),
                    y.reshape(batch, depth, math.prod(y_rest)))
    out_shape = (batch,) + x_rest + y_rest
    if len(out_shape) == 1:
        out_shape = (batch, 1)
    return out.reshape(out_shape)


@keras_export("keras.layers.dot")
def dot(inputs, axes=-1, **kwargs):
    """Functional interface to the `Dot` layer.

    Args:
        inputs: a list of two input tensors (or KerasTensors).
        axes: integer or pair of integers, the axes to sum over.
        **kwargs: standard layer keyword arguments (and ``normalize``).

    Returns:
        The batchwise dot product of the inputs.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.dot([x1, x2], axes=1)
        tensor([[11.]])
    """
    return Dot(axes=axes, **kwargs)(inputs)
