"""Merge: the base of the elementwise merge layers (Add, Multiply, ...).

It owns what every merge shares: the checks done at graph construction
(a list of inputs, one batch size, broadcast-compatible shapes), Keras's
rank alignment (inputs of lower rank gain axes at position 1), the output
shape, and the default mask rule (the OR of the input masks).
"""

import torch

from torchkeras.layers.layer import Layer


class Merge(Layer):
    """Generic merge layer for elementwise merge functions.

    Subclasses define ``_merge_function(inputs, masks)``; ``masks`` is a
    list with one entry (a tensor or ``None``) per input.

    Args:
        **kwargs: base layer keyword arguments.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def build(self, input_shape):
        check_shape_list(input_shape, self)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"Layer '{self.name}': Cannot merge tensors with different "
                f"batch sizes. Received tensors with shapes "
                f"{_fmt(input_shape)}"
            )
        try:
            self.compute_output_shape(input_shape)
        except ValueError as e:
            raise ValueError(f"Layer '{self.name}': {e}") from None
        self._reshape_required = len({len(s) for s in input_shape}) != 1
        self.built = True

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"Layer '{self.name}': a merge layer should be called on a "
                f"list of inputs. Received: inputs={inputs} (not a list of "
                "tensors)"
            )
        inputs = list(inputs)
        masks = _input_masks(inputs, mask)
        if self._reshape_required:
            max_ndim = max(x.ndim for x in inputs)
            inputs = [_expand_at_axis_1(x, max_ndim) for x in inputs]
        return self._merge_function(inputs, masks)

    def _merge_function(self, inputs, masks):
        raise NotImplementedError

    def _apply_merge_op_and_or_mask(self, op_fn, inputs, masks):
        """Merges with ``op_fn``, ignoring each input where it is masked.

        Used by Maximum and Minimum, which have no identity element: a
        masked position takes the other inputs' value.
        """
        output = None
        output_mask = None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = mask.unsqueeze(-1).expand_as(x)
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = torch.where(mask, x, output)
            if output_mask is not None:
                output = torch.where(output_mask, output, x)
            if mask is not None and output_mask is not None:
                output_mask = output_mask | mask
            else:
                output_mask = None
            output = op_fn(output, x)
        return output

    def compute_output_shape(self, input_shape):
        check_shape_list(input_shape, self)
        output_shape = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output_shape = _broadcast_shapes(output_shape, tuple(shape[1:]))
        batch_sizes = {s[0] for s in input_shape} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + output_shape

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(
                f"Layer '{self.name}': `mask` should be a list. Received: "
                f"mask={mask}"
            )
        if len(mask) != len(inputs):
            raise ValueError(
                f"Layer '{self.name}': the lists `inputs` and `mask` should "
                f"have the same length. Received: {len(inputs)} inputs and "
                f"{len(mask)} masks"
            )
        if any(m is None for m in mask):
            return None
        output_mask = mask[0]
        for m in mask[1:]:
            output_mask = output_mask | m
        return output_mask


def check_shape_list(input_shape, layer):
    """Raises unless ``input_shape`` is a non-empty list of shapes."""
    if not isinstance(input_shape, (list, tuple)) or not input_shape or (
            not isinstance(input_shape[0], (list, tuple))):
        raise ValueError(
            f"Layer '{layer.name}': A `{type(layer).__name__}` layer should "
            "be called on a list of at least 1 input. Received: "
            f"input_shape={input_shape}"
        )


def _broadcast_shapes(shape1, shape2):
    """Keras's elementwise output shape of two non-batch shapes."""
    if len(shape1) < len(shape2):
        shape1, shape2 = shape2, shape1
    if not shape2:
        return shape1
    out = list(shape1[:-len(shape2)])
    for i, j in zip(shape1[-len(shape2):], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1 or i == j:
            out.append(j if i == 1 else i)
        else:
            raise ValueError(
                "Inputs have incompatible shapes. Received shapes "
                f"{_fmt(shape1)} and {_fmt(shape2)}"
            )
    return tuple(out)


def _input_masks(inputs, mask):
    if isinstance(mask, (list, tuple)) and len(mask) == len(inputs):
        return list(mask)
    return [getattr(x, "_keras_mask", None) for x in inputs]


def _expand_at_axis_1(x, ndim):
    while x.ndim < ndim:
        x = x.unsqueeze(1)
    return x


def _fmt(shapes):
    if shapes and isinstance(shapes[0], (list, tuple)):
        return [_fmt(s) for s in shapes]
    return tuple(shapes)
