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
    """Mean squared error between labels and predictions, per sample.

    Computes `mean(square(y_true - y_pred), axis=-1)`.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
            >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.mean_squared_error(y_true, y_pred)
        tensor([0.5000, 0.5000])
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
    """Mean absolute error between labels and predictions, per sample.

    Computes `mean(abs(y_true - y_pred), axis=-1)`.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
            >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.mean_absolute_error(y_true, y_pred)
        tensor([0.5000, 0.5000])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


@keras_export(
    "keras.losses.mean_absolute_percentage_error",
    "keras.losses.MAPE",
    "keras.losses.mape",
)
@keras_op("losses.mean_absolute_percentage_error", keras3=False)
def mean_absolute_percentage_error(y_true, y_pred):
    """Mean absolute percentage error, per sample.

    Computes `100 * mean(abs((y_true - y_pred) / y_true), axis=-1)`,
    with `abs(y_true)` clipped below at `epsilon()` to avoid division by
    zero.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> y_true, y_pred = [[1.0, 2.0]], [[1.5, 2.0]]
        >>> keras.losses.mean_absolute_percentage_error(y_true, y_pred)
        tensor([25.])
    """
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
    """Mean squared logarithmic error, per sample.

    Computes
    `mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`, with
    both arguments clipped below at `epsilon()` first.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
            >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.mean_squared_logarithmic_error(y_true, y_pred)
        tensor([0.2402, 0.2402])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    first_log = torch.log(torch.clamp(y_pred, min=epsilon()) + 1.0)
    second_log = torch.log(torch.clamp(y_true, min=epsilon()) + 1.0)
    return torch.mean(torch.square(first_log - second_log), dim=-1)


@keras_export("keras.losses.cosine_similarity")
@keras_op("losses.cosine_similarity", keras3=False)
def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity between labels and predictions.

    Computes `-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`.
    The result lies in `[-1, 1]`: -1 when the vectors point the same way,
    1 when they point opposite ways; a zero vector gives 0.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.
        axis: The axis along which the similarity is computed.

    Returns:
        A tensor of per-sample values (`axis` reduced).

    Examples:
        >>> y_true = [[0.0, 1.0], [1.0, 1.0]]
        >>> y_pred = [[0.0, 2.0], [-1.0, -1.0]]
        >>> keras.losses.cosine_similarity(y_true, y_pred)
        tensor([-1.0000,  1.0000])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_pred = normalize(y_pred, axis=axis)
    y_true = normalize(y_true, axis=axis)
    return -torch.sum(y_true * y_pred, dim=axis)


@keras_export("keras.losses.huber")
@keras_op("losses.huber", keras3=False)
def huber(y_true, y_pred, delta=1.0):
    """Huber loss, per sample: quadratic for small errors, linear beyond.

    With `x = y_pred - y_true`, each element contributes `0.5 * x ** 2`
    where `abs(x) <= delta` and `delta * abs(x) - 0.5 * delta ** 2`
    elsewhere; the result is their mean over the last axis.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.
        delta: The error size where the loss turns from quadratic to
            linear.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> keras.losses.huber([[0.0, 1.0]], [[2.0, 1.5]])
        tensor([0.8125])
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
    """Logarithm of the hyperbolic cosine of the error, per sample.

    Computes `mean(log(cosh(y_pred - y_true)), axis=-1)`, evaluated
    stably as `x + softplus(-2 * x) - log(2)`. It is about `x ** 2 / 2`
    for small errors and `abs(x) - log(2)` for large ones.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
            >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.log_cosh(y_true, y_pred)
        tensor([0.2169, 0.2169])
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
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
            >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.MeanSquaredError()(y_true, y_pred)
        tensor(0.5000)
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
    """Computes the mean of absolute differences between labels and predictions.

    `loss = mean(abs(y_true - y_pred))`

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
        >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.MeanAbsoluteError()(y_true, y_pred)
        tensor(0.5000)
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
    """Computes the mean absolute percentage error of predictions.

    `loss = 100 * mean(abs((y_true - y_pred) / y_true))`; division by zero
    is avoided with `maximum(abs(y_true), epsilon())`.

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> mape = keras.losses.MeanAbsolutePercentageError()
        >>> mape([[1.0, 2.0]], [[1.5, 2.0]])
        tensor(25.)
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
    """Computes the mean squared logarithmic error of predictions.

    `loss = mean(square(log(y_true + 1) - log(y_pred + 1)))`; values at or
    below 0 are replaced by `epsilon()` first.

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
        >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.MeanSquaredLogarithmicError()(y_true, y_pred)
        tensor(0.2402)
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

    Examples:
        >>> y_true = [[0.0, 1.0], [1.0, 1.0]]
        >>> y_pred = [[0.0, 2.0], [1.0, 1.0]]
        >>> keras.losses.CosineSimilarity()(y_true, y_pred)
        tensor(-1.)
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

    Examples:
        >>> keras.losses.Huber()([[0.0, 1.0]], [[2.0, 1.5]])
        tensor(0.8125)
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
    """Computes the logarithm of the hyperbolic cosine of the prediction error.

    `loss = mean(log(cosh(y_pred - y_true)))`, close to the mean squared
    error halved for small errors and to the mean absolute error for large
    ones, so it is less sensitive to outliers.

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
        >>> y_pred = [[1.0, 1.0], [1.0, 0.0]]
        >>> keras.losses.LogCosh()(y_true, y_pred)
        tensor(0.2169)
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="log_cosh",
        dtype=None,
    ):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)
