"""Regression losses: squared, absolute, percentage, log, cosine, Huber.

Function forms return per-sample values (a mean over the last axis, a sum
for cosine similarity); each class wraps its function with
``LossFunctionWrapper``. Formulas and ``epsilon()`` guards are Keras 3's
``losses/losses.py``.
"""

import math

import torch
import torch.nn.functional as F

from torchkeras.backend.config import epsilon
from torchkeras.losses.loss import LossFunctionWrapper
from torchkeras.losses.loss import prepare_inputs
from torchkeras.ops.nn import normalize
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.losses.mean_squared_error",
    "keras.losses.MSE",
    "keras.losses.mse",
)
@keras_op("losses.mean_squared_error", keras3=False)
def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``.

    Example:

    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
    tensor([0.5000])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


@keras_export(
    "keras.losses.mean_absolute_error",
    "keras.losses.MAE",
    "keras.losses.mae",
)
@keras_op("losses.mean_absolute_error", keras3=False)
def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


@keras_export(
    "keras.losses.mean_absolute_percentage_error",
    "keras.losses.MAPE",
    "keras.losses.mape",
)
@keras_op("losses.mean_absolute_percentage_error", keras3=False)
def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), eps)))``."""
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    denominator = torch.clamp(torch.abs(y_true), min=epsilon())
    diff = torch.abs((y_true - y_pred) / denominator)
    return 100.0 * torch.mean(diff, dim=-1)


@keras_export(
    "keras.losses.mean_squared_logarithmic_error",
    "keras.losses.MSLE",
    "keras.losses.msle",
)
@keras_op("losses.mean_squared_logarithmic_error", keras3=False)
def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean over the last axis of the squared difference of the logs.

    ``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)))``
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    first_log = torch.log(torch.clamp(y_pred, min=epsilon()) + 1.0)
    second_log = torch.log(torch.clamp(y_true, min=epsilon()) + 1.0)
    return torch.mean(torch.square(first_log - second_log), dim=-1)


@keras_export("keras.losses.cosine_similarity")
@keras_op("losses.cosine_similarity", keras3=False)
def cosine_similarity(y_true, y_pred, axis=-1):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``.

    In `[-1, 1]`; -1 means the vectors point the same way, and a zero
    vector gives 0.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_pred = normalize(y_pred, axis=axis)
    y_true = normalize(y_true, axis=axis)
    return -torch.sum(y_true * y_pred, dim=axis)


@keras_export("keras.losses.huber")
@keras_op("losses.huber", keras3=False)
def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of ``0.5 * x**2`` for ``|x| <= delta``, else
    ``delta * |x| - 0.5 * delta**2``, where ``x = y_pred - y_true``.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    error = y_pred - y_true
    abs_error = torch.abs(error)
    quadratic = 0.5 * torch.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return torch.mean(torch.where(abs_error <= delta, quadratic, linear), -1)


@keras_export("keras.losses.log_cosh", "keras.losses.logcosh")
@keras_op("losses.log_cosh", keras3=False)
def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably as
    ``x + softplus(-2x) - log(2)``.
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    error = y_pred - y_true
    values = error + F.softplus(-2.0 * error) - math.log(2.0)
    return torch.mean(values, dim=-1)


@keras_export("keras.losses.MeanSquaredError")
class MeanSquaredError(LossFunctionWrapper):
    """Computes the mean of squares of errors between labels and predictions.

    ``loss = mean(square(y_true - y_pred))``

    Args:
        reduction: See `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_squared_error",
        dtype=None,
    ):
        super().__init__(
            mean_squared_error, name=name, reduction=reduction, dtype=dtype
        )


@keras_export("keras.losses.MeanAbsoluteError")
class MeanAbsoluteError(LossFunctionWrapper):
    """Computes the mean of absolute differences: ``mean(abs(y_true -
    y_pred))``. Arguments as `MeanSquaredError`.
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_absolute_error",
        dtype=None,
    ):
        super().__init__(
            mean_absolute_error, name=name, reduction=reduction, dtype=dtype
        )


@keras_export("keras.losses.MeanAbsolutePercentageError")
class MeanAbsolutePercentageError(LossFunctionWrapper):
    """Computes ``100 * mean(abs((y_true - y_pred) / y_true))``.

    Division by zero is avoided with ``maximum(abs(y_true), epsilon())``.
    Arguments as `MeanSquaredError`.
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_absolute_percentage_error",
        dtype=None,
    ):
        super().__init__(
            mean_absolute_percentage_error,
            name=name,
            reduction=reduction,
            dtype=dtype,
        )


@keras_export("keras.losses.MeanSquaredLogarithmicError")
class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Computes ``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Values at or below 0 are replaced by ``epsilon()``. Arguments as
    `MeanSquaredError`.
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_squared_logarithmic_error",
        dtype=None,
    ):
        super().__init__(
            mean_squared_logarithmic_error,
            name=name,
            reduction=reduction,
            dtype=dtype,
        )


@keras_export("keras.losses.CosineSimilarity")
class CosineSimilarity(LossFunctionWrapper):
    """Computes ``-sum(l2_norm(y_true) * l2_norm(y_pred), axis)``.

    Args:
        axis: The axis along which the similarity is computed. Defaults to
            `-1`.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.
    """

    def __init__(
        self,
        axis=-1,
        reduction="sum_over_batch_size",
        name="cosine_similarity",
        dtype=None,
    ):
        super().__init__(
            cosine_similarity,
            name=name,
            reduction=reduction,
            dtype=dtype,
            axis=axis,
        )


@keras_export("keras.losses.Huber")
class Huber(LossFunctionWrapper):
    """Computes the Huber loss between `y_true` and `y_pred`.

    Args:
        delta: The point where the loss changes from quadratic to linear.
            Defaults to `1.0`.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.
    """

    def __init__(
        self,
        delta=1.0,
        reduction="sum_over_batch_size",
        name="huber_loss",
        dtype=None,
    ):
        super().__init__(
            huber, name=name, reduction=reduction, dtype=dtype, delta=delta
        )


@keras_export("keras.losses.LogCosh")
class LogCosh(LossFunctionWrapper):
    """Computes ``mean(log(cosh(y_pred - y_true)))``. Arguments as
    `MeanSquaredError`.
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="log_cosh",
        dtype=None,
    ):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)
