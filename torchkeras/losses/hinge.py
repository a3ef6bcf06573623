"""Hinge losses: ``Hinge``, ``SquaredHinge`` and ``CategoricalHinge``.

Labels in ``{0, 1}`` are mapped to ``{-1, 1}`` as Keras does; the check
runs on the device (``torch.where`` on a 0-d flag), never on the host.
"""

import torch

from torchkeras.losses.loss import LossFunctionWrapper
from torchkeras.losses.loss import prepare_inputs
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export


def convert_binary_labels_to_hinge(y_true):
    """Returns ``2 * y_true - 1`` if every label is 0 or 1, else ``y_true``."""
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@keras_export("keras.losses.hinge")
@keras_op("losses.hinge", keras3=False)
def hinge(y_true, y_pred):
    """Hinge loss, per sample.

    Computes `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`. Labels
    are expected in `{-1, 1}`; labels that are all 0 or 1 are mapped to
    `{-1, 1}` first.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> keras.losses.hinge([[0.0, 1.0]], [[0.5, 0.5]])
        tensor([1.])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


@keras_export("keras.losses.squared_hinge")
@keras_op("losses.squared_hinge", keras3=False)
def squared_hinge(y_true, y_pred):
    """Squared hinge loss, per sample.

    Computes `mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`,
    with 0/1 labels mapped to `{-1, 1}` as in `hinge`.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> keras.losses.squared_hinge([[-1.0, 1.0]], [[0.5, 0.5]])
        tensor([1.2500])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    margin = torch.clamp(1.0 - y_true * y_pred, min=0.0)
    return torch.mean(torch.square(margin), dim=-1)


@keras_export("keras.losses.categorical_hinge")
@keras_op("losses.categorical_hinge", keras3=False)
def categorical_hinge(y_true, y_pred):
    """Categorical hinge loss, per sample, for one-hot labels.

    Computes `maximum(neg - pos + 1, 0)` where
    `pos = sum(y_true * y_pred)` and `neg = max((1 - y_true) * y_pred)`
    over the last axis.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> keras.losses.categorical_hinge([[0.0, 1.0, 0.0]], [[0.3, 0.5, 0.2]])
        tensor([0.8000])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


@keras_export("keras.losses.Hinge")
class Hinge(LossFunctionWrapper):
    """Computes ``maximum(1 - y_true * y_pred, 0)``, averaged over the last
    axis. `y_true` is -1 or 1 (0/1 labels are converted).

    Args:
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> keras.losses.Hinge()([[0.0, 1.0]], [[0.5, 0.5]])
        tensor(1.)
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="hinge", dtype=None
    ):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


@keras_export("keras.losses.SquaredHinge")
class SquaredHinge(LossFunctionWrapper):
    """Computes the squared hinge loss between labels and predictions.

    `loss = mean(square(maximum(1 - y_true * y_pred, 0)))`. `y_true` is -1
    or 1 (0/1 labels are converted).

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> keras.losses.SquaredHinge()([[-1.0, 1.0]], [[0.5, 0.5]])
        tensor(1.2500)
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None
    ):
        super().__init__(
            squared_hinge, name=name, reduction=reduction, dtype=dtype
        )


@keras_export("keras.losses.CategoricalHinge")
class CategoricalHinge(LossFunctionWrapper):
    """Computes the categorical hinge loss for one-hot labels.

    `loss = maximum(neg - pos + 1, 0)` with `pos = sum(y_true * y_pred)`
    and `neg = max((1 - y_true) * y_pred)` over the last axis.

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> loss = keras.losses.CategoricalHinge()
        >>> loss([[0.0, 1.0, 0.0]], [[0.3, 0.5, 0.2]])
        tensor(0.8000)
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="categorical_hinge",
        dtype=None,
    ):
        super().__init__(
            categorical_hinge, name=name, reduction=reduction, dtype=dtype
        )
