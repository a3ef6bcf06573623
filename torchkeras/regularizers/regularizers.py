"""Weight regularizers: penalties a layer adds to the loss for a weight.

A regularizer is a callable ``reg(weight)`` returning a 0-dim tensor of the
weight's dtype and device, computed with tensor ops only (it runs at every
training step, so it never reads values back to the host). Layers call it
from ``add_weight(regularizer=...)``; the engine sums the penalties.
"""

import math

import torch
import torch.nn.functional as F

from torchkeras.backend.config import epsilon
from torchkeras.utils.registry import keras_export


@keras_export("keras.regularizers.Regularizer")
class Regularizer:
    """Base class of weight regularizers.

    Subclasses implement ``__call__(self, x)`` returning a scalar tensor,
    and ``get_config()`` returning their constructor arguments.

    Examples:
        >>> import torch
        >>> class SumOfWeights(Regularizer):
        ...     def __call__(self, x):
        ...         return 0.1 * x.sum()
        ...     def get_config(self):
        ...         return {}
        >>> SumOfWeights()(torch.ones(2, 5))
        tensor(1.)
    """

    def __call__(self, x):
        return x.new_zeros(())

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(
            f"{self.__class__.__name__} does not implement `get_config()`."
        )

    def __repr__(self):
        try:
            config = self.get_config()
        except NotImplementedError:
            return f"{self.__class__.__name__}()"
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{self.__class__.__name__}({args})"


def _validate_penalty(value, name):
    """Returns ``value`` as a float, or raises if not finite and >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument `{name}`: expected a non-negative "
            f"float. Received: {name}={value!r}"
        )
    return float(value)


@keras_export("keras.regularizers.L1L2")
class L1L2(Regularizer):
    """Penalty ``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    Args:
        l1: L1 regularization factor.
        l2: L2 regularization factor.

    Examples:
        >>> import torch
        >>> L1L2(l1=0.1, l2=0.5)(torch.tensor([1.0, -2.0]))
        tensor(2.8000)
    """

    def __init__(self, l1=0.0, l2=0.0):
        # Defaults differ from `l1_l2()`'s, as in Keras: L1L2(l2=0.1) has
        # no L1 term.
        self.l1 = _validate_penalty(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate_penalty(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@keras_export("keras.regularizers.L1", "keras.regularizers.l1")
class L1(Regularizer):
    """Penalty ``l1 * sum(abs(x))``.

    Args:
        l1: L1 regularization factor (``l`` is the tf.keras 2 spelling).

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, -2.0], [3.0, 0.0]])
        >>> round(float(keras.regularizers.L1(0.1)(x)), 4)
        0.6
    """

    def __init__(self, l1=0.01, **kwargs):
        l1 = kwargs.pop("l", l1)  # tf.keras 2 backward compatibility.
        if kwargs:
            raise TypeError(
                f"L1 got unexpected keyword arguments. Received: {kwargs}"
            )
        self.l1 = _validate_penalty(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": self.l1}


@keras_export("keras.regularizers.L2", "keras.regularizers.l2")
class L2(Regularizer):
    """Penalty ``l2 * sum(square(x))``.

    Args:
        l2: L2 regularization factor (``l`` is the tf.keras 2 spelling).

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, -2.0], [3.0, 0.0]])
        >>> round(float(keras.regularizers.L2(0.1)(x)), 4)
        1.4
    """

    def __init__(self, l2=0.01, **kwargs):
        l2 = kwargs.pop("l", l2)  # tf.keras 2 backward compatibility.
        if kwargs:
            raise TypeError(
                f"L2 got unexpected keyword arguments. Received: {kwargs}"
            )
        self.l2 = _validate_penalty(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


@keras_export(
    "keras.regularizers.OrthogonalRegularizer",
    "keras.regularizers.orthogonal_regularizer",
)
class OrthogonalRegularizer(Regularizer):
    """Penalty encouraging the rows (or columns) of a 2D weight to be
    orthonormal.

    The rows (``mode="rows"``) or columns are L2-normalized; the penalty is
    ``factor * 0.5 * sum(abs(off-diagonal dot products)) / num_pairs``.

    Args:
        factor: Regularization factor.
        mode: ``"rows"`` or ``"columns"``.

    Examples:
        >>> reg = keras.regularizers.OrthogonalRegularizer(factor=1.0)
        >>> float(reg(keras.ops.convert_to_tensor([[1.0, 0.0], [0.0, 2.0]])))
        0.0
        >>> float(reg(keras.ops.convert_to_tensor([[1.0, 0.0], [3.0, 0.0]])))
        1.0
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _validate_penalty(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "Invalid value for argument `mode`: expected one of "
                f"('rows', 'columns'). Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, inputs):
        if inputs.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. "
                f"Received: inputs.shape={tuple(inputs.shape)}"
            )
        if self.mode == "rows":
            normalized = F.normalize(inputs, dim=1, eps=epsilon())
            product = normalized @ normalized.T
        else:
            normalized = F.normalize(inputs, dim=0, eps=epsilon())
            product = normalized.T @ normalized
        size = product.shape[0]
        off_diagonal = product * (
            1.0 - torch.eye(size, dtype=product.dtype, device=product.device)
        )
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * torch.sum(torch.abs(off_diagonal)) / (
            num_pairs
        )

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


@keras_export("keras.regularizers.l1_l2")
def l1_l2(l1=0.01, l2=0.01):
    """Returns ``L1L2(l1, l2)`` with tf.keras 2's defaults (0.01 each).

    Args:
        l1: L1 regularization factor.
        l2: L2 regularization factor.

    Returns:
        An `L1L2` regularizer.

    Examples:
        >>> l1_l2()
        L1L2(l1=0.01, l2=0.01)
    """
    return L1L2(l1=l1, l2=l2)
