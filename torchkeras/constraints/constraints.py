"""Weight constraints: projections applied to a weight after each update.

A constraint is a callable ``c(w)`` returning the projected tensor, with
Keras's formulas (``epsilon()`` guards the divisions). It computes with
tensor ops only; the caller (the optimizer step) assigns the result to the
weight under ``torch.no_grad()``.
"""

import torch

from torchkeras.backend.config import epsilon
from torchkeras.utils.registry import keras_export


@keras_export("keras.constraints.Constraint")
class Constraint:
    """Base class of weight constraints: the identity projection.

    Subclasses implement ``__call__(self, w)`` and ``get_config()``.

    Examples:
        >>> import torch
        >>> class Clip(Constraint):
        ...     def __call__(self, w):
        ...         return torch.clamp(w, -1.0, 1.0)
        >>> Clip()(torch.tensor([-3.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{self.__class__.__name__}({args})"


def _norms(w, axis):
    """L2 norms of ``w`` over ``axis`` (int or list), dims kept."""
    if isinstance(axis, (list, tuple)):
        axis = tuple(axis)
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


@keras_export("keras.constraints.MaxNorm", "keras.constraints.max_norm")
class MaxNorm(Constraint):
    """Rescales slices of ``w`` whose L2 norm over ``axis`` exceeds
    ``max_value`` down to it.

    Args:
        max_value: The largest norm allowed.
        axis: Axis (or axes) the norms are taken over; ``0`` for a Dense
            kernel ``(in, out)`` constrains each unit's incoming weights,
            ``[0, 1, 2]`` for a Conv2D kernel ``(kh, kw, in, out)``.

    Examples:
        >>> w = keras.ops.convert_to_tensor([[3.0, 0.0], [4.0, 0.5]])
        >>> keras.constraints.MaxNorm(max_value=2.0)(w)
        tensor([[1.2000, 0.0000],
                [1.6000, 0.5000]])
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@keras_export("keras.constraints.NonNeg", "keras.constraints.non_neg")
class NonNeg(Constraint):
    """Sets the negative entries of ``w`` to zero.

    Examples:
        >>> w = keras.ops.convert_to_tensor([-1.0, 2.0])
        >>> keras.constraints.NonNeg()(w).tolist() == [0.0, 2.0]
        True
    """

    def __call__(self, w):
        return w * (w >= 0.0).to(w.dtype)


@keras_export("keras.constraints.UnitNorm", "keras.constraints.unit_norm")
class UnitNorm(Constraint):
    """Scales slices of ``w`` to unit L2 norm over ``axis``.

    Args:
        axis: Axis (or axes) the norms are taken over.

    Examples:
        >>> w = keras.ops.convert_to_tensor([[3.0, 0.0], [4.0, 0.5]])
        >>> keras.constraints.UnitNorm()(w)
        tensor([[0.6000, 0.0000],
                [0.8000, 1.0000]])
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@keras_export("keras.constraints.MinMaxNorm", "keras.constraints.min_max_norm")
class MinMaxNorm(Constraint):
    """Moves the L2 norms of slices of ``w`` over ``axis`` into
    ``[min_value, max_value]``, at ``rate``.

    The new norm is ``rate * clip(norm, min_value, max_value) +
    (1 - rate) * norm``.

    Args:
        min_value: The smallest norm allowed.
        max_value: The largest norm allowed.
        rate: How far to move towards the range each time (1.0: all the
            way).
        axis: Axis (or axes) the norms are taken over.

    Examples:
        >>> w = keras.ops.convert_to_tensor([[3.0, 0.0], [4.0, 0.5]])
        >>> keras.constraints.MinMaxNorm(min_value=1.0, max_value=2.0)(w)
        tensor([[1.2000, 0.0000],
                [1.6000, 1.0000]])
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = torch.clamp(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }
