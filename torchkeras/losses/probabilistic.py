"""Probabilistic losses: crossentropies, focal crossentropies, KL, Poisson.

Function forms return per-sample values; classes wrap them. The
element-wise crossentropies (clipping with ``epsilon()``, torch's fused
kernels for logits) live in ``ops/nn.py``; this module adds label
smoothing, focal factors, shape checks that name the loss, and
``validate_sparse_labels``, the one-off label check the engine runs on the
whole label array before training (so ``call`` never syncs the host).

Sparse labels: torch's kernels skip a target of ``-100`` (their default
``ignore_index``); Keras skips a label only when ``ignore_class`` names it.
So the kernels get ``NO_IGNORE_INDEX`` unless ``ignore_class`` is set, and
every other label outside ``[0, classes)`` fails inside the kernel itself:
on the CPU synchronously (turned here into the same ``ValueError`` as
``validate_sparse_labels``), on CUDA as the kernel's device-side assert --
the check costs nothing per step either way.
"""

import warnings

import numpy as np
import torch

from torchkeras.backend.config import epsilon
from torchkeras.losses.loss import LossFunctionWrapper
from torchkeras.losses.loss import as_prediction
from torchkeras.losses.loss import prepare_inputs
from torchkeras.ops import nn as nn_ops
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export


def _check_same_shape(y_true, y_pred, name, hint=""):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"In loss `{name}`, `y_true` and `y_pred` must have the same "
            f"shape.{hint} Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type "
            f"{type(axis)}"
        )


_SPARSE_HINT = (
    " For integer class labels use `sparse_categorical_crossentropy` "
    "(`SparseCategoricalCrossentropy`)."
)


@keras_export(
    "keras.losses.binary_crossentropy",
    "keras.losses.BCE",
    "keras.losses.bce",
)
@keras_op("losses.binary_crossentropy", keras3=False)
def binary_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Binary crossentropy, averaged over ``axis``.

    Args:
        y_true: Targets in `[0, 1]`, shaped like `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: Float in `[0, 1]`; targets become
            `y_true * (1 - label_smoothing) + 0.5 * label_smoothing`.
        axis: The axis the mean is taken over. Defaults to `-1`.

    Examples:
        >>> binary_crossentropy([[0.0, 1.0]], [[0.6, 0.4]])
        tensor([0.9163])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    bce = nn_ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
    return torch.mean(bce, dim=axis)


@keras_export("keras.losses.binary_focal_crossentropy")
@keras_op("losses.binary_focal_crossentropy", keras3=False)
def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Binary focal crossentropy (Lin et al., 2018), averaged over `axis`.

    Computes `bce * (1 - p_t) ** gamma`, where `p_t` is the predicted
    probability of the true class, so well-classified examples weigh less;
    with `apply_class_balancing`, class 1 is weighted by `alpha` and class 0
    by `1 - alpha`. Logits go through a sigmoid first (as in Keras 3).

    Args:
        y_true: Targets in `[0, 1]`, shaped like `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        apply_class_balancing: Whether to weight the classes with `alpha`.
        alpha: The weight of class 1 when balancing.
        gamma: The focusing parameter; `0` gives the binary crossentropy.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: Float in `[0, 1]`; targets become
            `y_true * (1 - label_smoothing) + 0.5 * label_smoothing`.
        axis: The axis the mean is taken over.

    Returns:
        A tensor of per-sample losses.

    Examples:
        >>> keras.losses.binary_focal_crossentropy([[0.0, 1.0]], [[0.4, 0.6]])
        tensor([0.0817])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = nn_ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        weight = y_true * alpha + (1.0 - y_true) * (1.0 - alpha)
        focal_bce = weight * focal_bce
    return torch.mean(focal_bce, dim=axis)


def _warn_single_class(y_pred, name):
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, "
            "num_classes) with num_classes > 1. Received: y_pred.shape="
            f"{tuple(y_pred.shape)}. Consider using 'binary_crossentropy' "
            "if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def _smooth_categorical(y_true, label_smoothing, axis):
    if not label_smoothing:
        return y_true
    num_classes = y_true.shape[axis]
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes


@keras_export("keras.losses.categorical_crossentropy")
@keras_op("losses.categorical_crossentropy", keras3=False)
def categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Crossentropy between one-hot targets and predictions, over ``axis``.

    Args:
        y_true: One-hot (or soft) targets, shaped like `y_pred`.
        y_pred: Probabilities (renormalised and clipped to
            `[eps, 1 - eps]`), or logits when `from_logits=True`.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: Float in `[0, 1]`; targets become
            `y_true * (1 - label_smoothing) + label_smoothing / classes`.
        axis: The class axis. Defaults to `-1`.

    Examples:
        >>> categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]])
        tensor([0.0513])
    """
    _check_axis(axis)
    y_true, y_pred = prepare_inputs(y_true, y_pred, match_rank=False)
    _check_same_shape(y_true, y_pred, "categorical_crossentropy", _SPARSE_HINT)
    _warn_single_class(y_pred, "categorical_crossentropy")
    y_true = _smooth_categorical(y_true, label_smoothing, axis)
    return nn_ops.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, axis=axis
    )


@keras_export("keras.losses.categorical_focal_crossentropy")
@keras_op("losses.categorical_focal_crossentropy", keras3=False)
def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Alpha-balanced categorical focal crossentropy, summed over `axis`.

    Computes `sum(alpha * (1 - p) ** gamma * -y_true * log(p))` with `p`
    the predictions renormalised to sum to 1 and clipped to
    `[epsilon(), 1 - epsilon()]`.

    Args:
        y_true: One-hot (or soft) targets, shaped like `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        alpha: A weighting factor, a float or a per-class list.
        gamma: The focusing parameter; `0` (with `alpha=1`) gives the
            categorical crossentropy.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: Float in `[0, 1]`; targets become
            `y_true * (1 - label_smoothing) + label_smoothing / classes`.
        axis: The class axis.

    Returns:
        A tensor of per-sample losses.

    Examples:
        >>> y_true = [[0.0, 1.0, 0.0]]
        >>> y_pred = [[0.1, 0.8, 0.1]]
        >>> keras.losses.categorical_focal_crossentropy(y_true, y_pred)
        tensor([0.0022])
    """
    _check_axis(axis)
    y_true, y_pred = prepare_inputs(y_true, y_pred, match_rank=False)
    _check_same_shape(
        y_true, y_pred, "categorical_focal_crossentropy", _SPARSE_HINT
    )
    _warn_single_class(y_pred, "categorical_focal_crossentropy")
    y_true = _smooth_categorical(y_true, label_smoothing, axis)
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    output = torch.clamp(output, epsilon(), 1.0 - epsilon())
    cce = -y_true * torch.log(output)
    if not isinstance(alpha, (int, float, torch.Tensor)):
        # Per-class weights; the class caches them on the device.
        alpha = convert_to_tensor(alpha, output.dtype, output.device)
    focal = torch.pow(1.0 - output, gamma) * alpha * cce
    return torch.sum(focal, dim=axis)


@keras_export("keras.losses.sparse_categorical_crossentropy")
@keras_op("losses.sparse_categorical_crossentropy", keras3=False)
def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    """Crossentropy between integer labels and predictions.

    Args:
        y_true: Integer labels, shaped like `y_pred` without the class axis
            (a trailing 1 is accepted).
        y_pred: Probabilities or logits, with the classes on `axis`.
        from_logits: Whether `y_pred` holds logits.
        ignore_class: Optional label whose entries get a loss of 0 and are
            masked out of the reduction (`_keras_mask` on the result).
        axis: The class axis. Defaults to `-1`.

    Examples:
        >>> sparse_categorical_crossentropy([1], [[0.05, 0.95, 0.0]])
        tensor([0.0513])
    """
    y_pred = as_prediction(y_pred)
    y_true = convert_to_tensor(y_true, device=y_pred.device)
    ignore_index = (
        NO_IGNORE_INDEX if ignore_class is None else int(ignore_class)
    )
    try:
        result = nn_ops.sparse_categorical_crossentropy(
            y_true,
            y_pred,
            from_logits=from_logits,
            axis=axis,
            ignore_index=ignore_index,
        )
    except (ValueError, IndexError, RuntimeError) as e:
        # Only reached when the kernel refused (no cost per step).
        error = sparse_label_error(
            "sparse_categorical_crossentropy",
            y_true,
            y_pred.shape[axis] if y_pred.ndim else 1,
            ignore_class,
        )
        if error is None:
            raise
        raise error from e
    if ignore_class is not None:
        labels = y_true.reshape(result.shape)
        result._keras_mask = labels != ignore_class
    return result


@keras_export(
    "keras.losses.kl_divergence",
    "keras.losses.KLD",
    "keras.losses.kld",
    "keras.losses.kullback_leibler_divergence",
)
@keras_op("losses.kl_divergence", keras3=False)
def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence from `y_pred` to `y_true`, per sample.

    Computes `sum(y_true * log(y_true / y_pred), axis=-1)`, with both
    arguments clipped to `[epsilon(), 1]`.

    Args:
        y_true: Target probabilities, shaped like `y_pred`.
        y_pred: Predicted probabilities.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> keras.losses.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])
        tensor([0.1438])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    y_true = torch.clamp(y_true, epsilon(), 1.0)
    y_pred = torch.clamp(y_pred, epsilon(), 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@keras_export("keras.losses.poisson")
@keras_op("losses.poisson", keras3=False)
def poisson(y_true, y_pred):
    """Poisson loss between labels and predicted rates, per sample.

    Computes `mean(y_pred - y_true * log(y_pred + epsilon()), axis=-1)`.

    Args:
        y_true: Ground truth values, shaped like `y_pred`.
        y_pred: Predicted values.

    Returns:
        A tensor of per-sample losses (the last axis reduced).

    Examples:
        >>> keras.losses.poisson([[1.0, 0.0]], [[1.0, 2.0]])
        tensor([1.5000])
    """
    y_true, y_pred = prepare_inputs(y_true, y_pred)
    return torch.mean(y_pred - y_true * torch.log(y_pred + epsilon()), -1)


# torch's `ignore_index` for "ignore nothing": no label can hold it (unlike
# torch's default -100; NaN labels cast to int64 become the *minimum*).
NO_IGNORE_INDEX = torch.iinfo(torch.int64).max


def is_sparse_loss(loss):
    if isinstance(loss, str):
        return loss in (
            "sparse_categorical_crossentropy",
            "SparseCategoricalCrossentropy",
        )
    fn = getattr(loss, "fn", loss)
    return fn is sparse_categorical_crossentropy


def _host_labels(labels):
    if isinstance(labels, torch.Tensor):
        labels = labels.detach().cpu().numpy()
    return np.asarray(labels).reshape(-1)


def sparse_label_error(name, y_true, num_classes, ignore_class=None):
    """The ``ValueError`` for sparse labels the loss cannot take, or None.

    Labels must be numbers, integers in ``[0, num_classes)`` except the
    loss's ``ignore_class``. One vectorized pass on the host: the engine
    runs it once per label array, the losses only after their kernel
    refused a batch.
    """
    labels = _host_labels(y_true)
    if labels.dtype.kind not in "biuf":
        example = labels[0] if labels.size else None
        return ValueError(
            f"Loss `{name}` expects integer labels in [0, {num_classes}), "
            f"but the labels are not numbers. Convert them to class "
            "indices first (e.g. with `keras.layers.StringLookup`). "
            f"Received: y_true of dtype {labels.dtype} (e.g. {example!r})"
        )
    if labels.dtype.kind in "biu" and (
        not labels.size or labels.min() >= 0 and labels.max() < num_classes
    ):
        return None  # the common case, in two reductions
    if ignore_class is not None:
        labels = labels[labels != ignore_class]
    bad = (labels < 0) | (labels >= num_classes) | (labels != np.floor(labels))
    if not np.any(bad):
        return None
    values = np.unique(labels[bad])[:10].tolist()
    hint = ""
    if ignore_class is None and -100 in values:
        hint = (
            " -100 is torch's `ignore_index`, not a Keras convention: to "
            "skip a label pass it as `ignore_class` "
            "(`SparseCategoricalCrossentropy(ignore_class=-100)`)."
        )
    return ValueError(
        f"Loss `{name}` expects integer labels in [0, {num_classes}) "
        f"(the predictions have {num_classes} classes).{hint} Received "
        f"labels outside that range, e.g. {values}"
    )


def validate_sparse_labels(loss, y_true, num_classes):
    """Checks integer labels once, before training (with NumPy, on the host).

    A no-op unless `loss` is a sparse categorical crossentropy (an instance,
    its function or its name). Every label other than the loss's
    `ignore_class` must be an integer in `[0, num_classes)`.

    Args:
        loss: The loss, as given to `compile`.
        y_true: The labels (array, tensor or list).
        num_classes: The number of classes the predictions have.

    Raises:
        ValueError: naming the loss, the class count and the bad labels.

    Examples:
        >>> keras.losses.validate_sparse_labels(
        ...     "sparse_categorical_crossentropy", [0, 2, 1], num_classes=3)
        >>> keras.losses.validate_sparse_labels(
        ...     "sparse_categorical_crossentropy", [0, 3], num_classes=3)
        Traceback (most recent call last):
        ...
        ValueError: Loss `sparse_categorical_crossentropy` expects ...
    """
    if not is_sparse_loss(loss):
        return
    name = getattr(loss, "name", None) or getattr(loss, "__name__", loss)
    error = sparse_label_error(
        name, y_true, num_classes, getattr(loss, "ignore_class", None)
    )
    if error is not None:
        raise error


@keras_export("keras.losses.BinaryCrossentropy")
class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy between binary labels and predicted probabilities.

    Args:
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.
        label_smoothing: Float in `[0, 1]`, squeezing targets towards 0.5.
        axis: The axis the mean is taken over. Defaults to `-1`.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> bce = BinaryCrossentropy(from_logits=True)
        >>> bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])
        tensor(0.8655)
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@keras_export("keras.losses.BinaryFocalCrossentropy")
class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Focal crossentropy between binary labels and predictions.

    Args:
        apply_class_balancing: Whether to weight class 1 by `alpha` and
            class 0 by `1 - alpha`.
        alpha: Class-1 weight when balancing. Defaults to `0.25`.
        gamma: Focusing parameter. Defaults to `2.0`.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: Float in `[0, 1]`, squeezing targets towards 0.5.
        axis: The axis the mean is taken over.
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> loss = keras.losses.BinaryFocalCrossentropy(gamma=2.0)
        >>> loss([[0.0, 1.0]], [[0.4, 0.6]])
        tensor(0.0817)
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
        )


@keras_export("keras.losses.CategoricalCrossentropy")
class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between one-hot labels and predictions.

    Args:
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.
        label_smoothing: Float in `[0, 1]`: `0.1` gives `0.1 / classes` to
            non-target and `0.9 + 0.1 / classes` to target classes.
        axis: The class axis. Defaults to `-1`.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> cce = CategoricalCrossentropy()
        >>> cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        tensor(1.1769)
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@keras_export("keras.losses.CategoricalFocalCrossentropy")
class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Alpha-balanced focal crossentropy between one-hot labels and
    predictions.

    Args:
        alpha: Class weight (a float or a per-class list). Defaults to
            `0.25`.
        gamma: Focusing parameter. Defaults to `2.0`.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: Float in `[0, 1]`; `0.1` gives `0.1 / classes` to
            non-target and `0.9 + 0.1 / classes` to target classes.
        axis: The class axis.
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> loss = keras.losses.CategoricalFocalCrossentropy()
        >>> loss([[0.0, 1.0, 0.0]], [[0.1, 0.8, 0.1]])
        tensor(0.0022)
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
            alpha=alpha,
            gamma=gamma,
        )
        self._alpha_on_device = {}

    def call(self, y_true, y_pred):
        kwargs = dict(self._fn_kwargs)
        if not isinstance(self.alpha, (int, float)):
            # Copied to the device once, not at every step.
            key = (y_pred.device, y_pred.dtype)
            if key not in self._alpha_on_device:
                self._alpha_on_device[key] = convert_to_tensor(
                    self.alpha, y_pred.dtype, y_pred.device
                )
            kwargs["alpha"] = self._alpha_on_device[key]
        return categorical_focal_crossentropy(y_true, y_pred, **kwargs)


@keras_export("keras.losses.SparseCategoricalCrossentropy")
class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between integer labels and predictions.

    Labels are `(batch, ...)` (or with a trailing 1), predictions
    `(batch, ..., num_classes)`. Labels outside `[0, num_classes)` raise a
    `ValueError` on the CPU -- including torch's `-100`, which Keras does
    not skip: only `ignore_class` is skipped. The engine checks labels on
    the host before they move to a CUDA device (arrays once, host batches
    as they go); labels a program already put on the GPU meet the CUDA
    kernel's device assert instead.

    Args:
        from_logits: Whether `y_pred` holds logits. Defaults to `False`.
        ignore_class: Optional label to ignore (e.g. a "void" class); its
            entries are masked out of the reduction.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> scce = SparseCategoricalCrossentropy()
        >>> scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        tensor(1.1769)
    """

    _cast_y_true = False

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
        )

    def call(self, y_true, y_pred):
        # Labels are not rank-matched: (n,) and (n, 1) both fit (n, classes).
        return sparse_categorical_crossentropy(
            y_true, y_pred, **self._fn_kwargs
        )


@keras_export("keras.losses.KLDivergence")
class KLDivergence(LossFunctionWrapper):
    """Computes ``y_true * log(y_true / y_pred)``, summed over the last axis.

    Both arguments are clipped to `[epsilon(), 1]`.

    Args:
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> keras.losses.KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])
        tensor(0.1438)
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None
    ):
        super().__init__(
            kl_divergence, name=name, reduction=reduction, dtype=dtype
        )


@keras_export("keras.losses.Poisson")
class Poisson(LossFunctionWrapper):
    """Computes the Poisson loss between labels and predicted rates.

    `loss = mean(y_pred - y_true * log(y_pred + epsilon()))`.

    Args:
        reduction: The reduction applied to the per-sample values; see
            `Loss`. Defaults to `"sum_over_batch_size"`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations (`y_true` and `y_pred`
            are cast to it). Defaults to `keras.config.floatx()`.

    Examples:
        >>> keras.losses.Poisson()([[1.0, 0.0]], [[1.0, 2.0]])
        tensor(1.5000)
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="poisson", dtype=None
    ):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)
