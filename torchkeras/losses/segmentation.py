"""Overlap losses for segmentation: ``Dice`` and ``Tversky``.

``axis=None`` sums over every element and gives one scalar for the batch;
``axis=(1, 2, 3)`` gives one value per sample, as in Keras 3.
"""

import torch

from torchkeras.backend.config import epsilon
from torchkeras.losses.loss import LossFunctionWrapper
from torchkeras.losses.loss import prepare_inputs
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export


def _sum(x, axis):
    if axis is None:
        return torch.sum(x)
    return torch.sum(x, dim=tuple(axis) if isinstance(axis, list) else axis)


@keras_export("keras.losses.dice")
@keras_op("losses.dice", keras3=False)
def dice(y_true, y_pred, axis=None):
    """Dice loss between labels and predictions: one minus the Dice coefficient.

    Computes `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`
    (with `epsilon()` added to the denominator) over `axis`.

    Args:
        y_true: Ground truth masks, with values in `[0, 1]`.
        y_pred: Predicted masks (probabilities).
        axis: Axes to sum over; `None` sums over every element and gives one
            scalar for the batch, `(1, 2, 3)` one value per image.

    Returns:
        A tensor: a scalar for `axis=None`, else one value per remaining
        position.

    Examples:
        >>> keras.losses.dice([[1.0, 1.0]], [[1.0, 0.0]])
        tensor(0.3333)
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred, match_rank=False)
    intersection = _sum(y_true * y_pred, axis)
    union = _sum(y_true, axis) + _sum(y_pred, axis) + epsilon()
    return 1.0 - 2.0 * intersection / union


@keras_export("keras.losses.tversky")
@keras_op("losses.tversky", keras3=False)
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss between labels and predictions (Salehi et al., 2017).

    Computes `1 - TP / (TP + alpha * FP + beta * FN)` (with `epsilon()`
    added to the denominator) where, as Keras 3 computes them,
    `TP = sum(y_true * y_pred)`, `FP = sum((1 - y_pred) * y_true)` and
    `FN = sum(y_pred * (1 - y_true))`. With `alpha = beta = 0.5` it equals
    the Dice loss.

    Args:
        y_true: Ground truth masks, with values in `[0, 1]`.
        y_pred: Predicted masks (probabilities).
        alpha: Weight of the `FP` term.
        beta: Weight of the `FN` term.
        axis: Axes to sum over; `None` sums over every element.

    Returns:
        A tensor: a scalar for `axis=None`, else one value per remaining
        position.

    Examples:
        >>> y_true = [[1.0, 1.0, 1.0, 0.0]]
        >>> y_pred = [[1.0, 0.0, 0.0, 1.0]]
        >>> keras.losses.tversky(y_true, y_pred, alpha=0.7, beta=0.3)
        tensor(0.6296)
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred, match_rank=False)
    intersection = _sum(y_true * y_pred, axis)
    fp = _sum((1.0 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1.0 - y_true), axis)
    denominator = intersection + fp * alpha + fn * beta + epsilon()
    return 1.0 - intersection / denominator


@keras_export("keras.losses.Dice")
class Dice(LossFunctionWrapper):
    """Computes the Dice loss between `y_true` and `y_pred`.

    Args:
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        axis: Axes to sum over; `None` (default) sums over all of them.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> keras.losses.Dice()([[1.0, 1.0]], [[1.0, 0.0]])
        tensor(0.3333)
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="dice",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            dice, name=name, reduction=reduction, dtype=dtype, axis=axis
        )


@keras_export("keras.losses.Tversky")
class Tversky(LossFunctionWrapper):
    """Computes the Tversky loss between `y_true` and `y_pred`.

    With `alpha = beta = 0.5` it equals the Dice loss.

    Args:
        alpha: Weight of false positives. Defaults to `0.5`.
        beta: Weight of false negatives. Defaults to `0.5`.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        axis: Axes to sum over; `None` (default) sums over all of them.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> y_true = [[1.0, 1.0, 1.0, 0.0]]
        >>> y_pred = [[1.0, 0.0, 0.0, 1.0]]
        >>> keras.losses.Tversky(alpha=0.7, beta=0.3)(y_true, y_pred)
        tensor(0.6296)
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            tversky,
            name=name,
            reduction=reduction,
            dtype=dtype,
            alpha=alpha,
            beta=beta,
            axis=axis,
        )
