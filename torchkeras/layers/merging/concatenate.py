"""Concatenate: joins a list of inputs along one axis; form `concatenate`."""

import torch

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.layers.merging.base_merge import check_shape_list
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Concatenate")
class Concatenate(Merge):
    """Concatenates a list of inputs along an axis.

    All inputs must have the same shape except along the concatenation
    axis; a mismatch is reported when the layer is called on KerasTensors.

    Args:
        axis: axis along which to concatenate (default -1).
        **kwargs: base layer keyword arguments.

    Returns:
        The concatenation of the inputs along ``axis``.

    Examples:
        >>> import torchkeras as keras
        >>> a = keras.Input(shape=(2, 5))
        >>> b = keras.Input(shape=(1, 5))
        >>> keras.layers.Concatenate(axis=1)([a, b]).shape
        (None, 3, 5)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                "The `axis` argument of a Concatenate layer must be an "
                f"integer. Received: axis={axis!r}"
            )
        self.axis = axis

    def build(self, input_shape):
        check_shape_list(input_shape, self)
        error = ValueError(
            f"Layer '{self.name}': A `Concatenate` layer requires inputs "
            "with matching shapes "
            "except for the concatenation axis. Received: "
            f"input_shape={[tuple(s) for s in input_shape]}"
        )
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise error
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"Layer '{self.name}': the `axis` is out of range for "
                f"inputs of rank {rank}. Received: axis={self.axis}"
            )
        concat_axis = self.axis % rank
        for axis in range(rank):
            if axis == concat_axis:
                continue
            dims = {s[axis] for s in input_shape} - {None}
            if len(dims) > 1:
                raise error
        self.built = True

    def _merge_function(self, inputs, masks):
        return torch.cat(inputs, dim=self.axis)

    def compute_output_shape(self, input_shape):
        check_shape_list(input_shape, self)
        output_shape = list(input_shape[0])
        for shape in input_shape[1:]:
            if output_shape[self.axis] is None or shape[self.axis] is None:
                output_shape[self.axis] = None
                break
            output_shape[self.axis] += shape[self.axis]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        if len(mask) != len(inputs):
            raise ValueError(
                f"Layer '{self.name}': the lists `inputs` and `mask` should "
                f"have the same length. Received: {len(inputs)} inputs and "
                f"{len(mask)} masks"
            )
        # Keras: unmasked inputs count as all-True; masks one rank lower
        # than their input broadcast over its last axis.
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = torch.ones_like(x, dtype=torch.bool)
            elif m.ndim < x.ndim:
                m = m.unsqueeze(-1).expand_as(x)
            masks.append(m)
        return torch.cat(masks, dim=self.axis).any(dim=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


@keras_export("keras.layers.concatenate")
def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the `Concatenate` layer.

    Args:
        inputs: a list of input tensors (or KerasTensors).
        axis: concatenation axis.
        **kwargs: standard layer keyword arguments.

    Returns:
        The concatenation of the inputs along ``axis``.

    Examples:
        >>> x1 = np.array([[1.0, 2.0]], "float32")
        >>> x2 = np.array([[3.0, 4.0]], "float32")
        >>> keras.layers.concatenate([x1, x2])
        tensor([[1., 2., 3., 4.]])
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
