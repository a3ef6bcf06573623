"""Per-sample functions the metric classes average (private).

Each is Keras 3's formula (``keras/src/losses/losses.py`` and the torch
backend's crossentropies): ``fn(y_true, y_pred) -> values`` with the last
axis reduced. They are kept here, not imported from ``torchkeras.losses``,
so that metrics do not depend on losses; probabilities are clipped to
``[epsilon, 1 - epsilon]`` as Keras does.
"""

import math
import warnings

import torch
import torch.nn.functional as F

from torchkeras.backend.config import epsilon
from torchkeras.metrics._utils import squeeze_or_expand_to_same_rank
from torchkeras.metrics._utils import to_tensor


def _pair(y_true, y_pred, match_rank=True):
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    if match_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _check_same_shape(fn_name, target, output):
    if target.shape != output.shape:
        raise ValueError(
            f"In `{fn_name}`, arguments `target` and `output` must have the "
            f"same shape. Received: target.shape={tuple(target.shape)}, "
            f"output.shape={tuple(output.shape)}"
        )


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.square(y_true - y_pred).mean(dim=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.abs(y_true - y_pred).mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / y_true.abs().clamp(min=epsilon()))
    return 100.0 * diff.mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    first_log = torch.log(y_pred.clamp(min=epsilon()) + 1.0)
    second_log = torch.log(y_true.clamp(min=epsilon()) + 1.0)
    return torch.square(first_log - second_log).mean(dim=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    return (error + F.softplus(-2.0 * error) - math.log(2.0)).mean(dim=-1)


def _l2_normalize(x, axis):
    square_sum = torch.square(x).sum(dim=axis, keepdim=True)
    inv_norm = torch.rsqrt(square_sum).clamp(max=1.0 / epsilon())
    return x * inv_norm


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred)
    y_pred = _l2_normalize(y_pred, axis)
    y_true = _l2_normalize(y_true, axis)
    return (y_true * y_pred).sum(dim=axis)


def _binary_labels_to_hinge(y_true):
    # Keras converts {0, 1} labels to {-1, 1} only when all of them are
    # binary; `where` decides on the device, without reading the answer.
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _binary_labels_to_hinge(y_true)
    return torch.clamp(1.0 - y_true * y_pred, min=0.0).mean(dim=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _binary_labels_to_hinge(y_true)
    margin = torch.clamp(1.0 - y_true * y_pred, min=0.0)
    return torch.square(margin).mean(dim=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = y_true.clamp(epsilon(), 1.0)
    y_pred = y_pred.clamp(epsilon(), 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + epsilon())).mean(dim=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False,
                        label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    if from_logits:
        bce = F.binary_cross_entropy_with_logits(
            y_pred, y_true, reduction="none"
        )
    else:
        p = y_pred.clamp(epsilon(), 1.0 - epsilon())
        bce = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log(1.0 - p))
    return bce.mean(dim=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False,
                             label_smoothing=0.0, axis=-1):
    if isinstance(axis, bool):
        raise ValueError(
            "`axis` must be of type `int`. "
            f"Received: axis={axis} of type {type(axis)}"
        )
    y_true, y_pred = _pair(y_true, y_pred, match_rank=False)
    if y_pred.dim() and y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be "
            "(batch_size, num_classes) with num_classes > 1. Received: "
            f"y_pred.shape={tuple(y_pred.shape)}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + (
            label_smoothing / num_classes
        )
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    return -(y_true * _log_probs(y_pred, from_logits, axis)).sum(dim=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False,
                                    ignore_class=None, axis=-1):
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if y_pred.dim() < 1 or y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            "In `sparse_categorical_crossentropy`, arguments `target` and "
            "`output` must have the same shape up until the last dimension: "
            f"target.shape={tuple(y_true.shape)}, "
            f"output.shape={tuple(y_pred.shape)}"
        )
    valid = None
    if ignore_class is not None:
        valid = y_true != ignore_class
        y_true = torch.where(valid, y_true, torch.zeros_like(y_true))
        y_pred = y_pred * valid.unsqueeze(-1).to(y_pred.dtype)
    labels = y_true.to(torch.int64)
    classes = torch.arange(y_pred.shape[axis], device=y_pred.device)
    # A one-hot comparison (as Keras's one_hot) rather than `gather`: a bad
    # label cannot trigger a device-side assert.
    one_hot = (labels.unsqueeze(axis) == _along(classes, axis, y_pred.dim()))
    log_prob = _log_probs(y_pred, from_logits, axis)
    res = -(one_hot.to(log_prob.dtype) * log_prob).sum(dim=axis)
    if valid is not None:
        res = torch.where(valid, res, torch.zeros_like(res))
    return res


def _along(vector, axis, ndim):
    shape = [1] * ndim
    shape[axis] = -1
    return vector.reshape(shape)


def _log_probs(y_pred, from_logits, axis):
    if from_logits:
        return F.log_softmax(y_pred, dim=axis)
    output = y_pred / y_pred.sum(dim=axis, keepdim=True)
    output = output.clamp(epsilon(), 1.0 - epsilon())
    return torch.log(output)


ALL_FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        mean_squared_error, mean_absolute_error,
        mean_absolute_percentage_error, mean_squared_logarithmic_error,
        log_cosh, cosine_similarity, hinge, squared_hinge,
        categorical_hinge, kl_divergence, poisson, binary_crossentropy,
        categorical_crossentropy, sparse_categorical_crossentropy,
    )
}
ALL_FUNCTIONS.update({
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
    "logcosh": log_cosh, "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
})
