"""Tensor helpers shared by the metric modules (private).

Converting metric inputs (tensors, NumPy arrays, lists) to tensors on the
state's device, Keras's rank matching of labels/predictions/weights, the
per-sample reduction with sample weights that ``Mean`` and ``Sum`` use, and
the shape errors metrics raise. Nothing here reads a value back to the host.
"""

import numpy as np
import torch

from torchkeras.backend.config import to_torch_dtype


def to_tensor(x, dtype=None, device=None):
    """Returns ``x`` as a detached tensor, cast and moved when asked."""
    if isinstance(dtype, str):
        dtype = to_torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if (device is not None and x.device != torch.device(device)) or (
            dtype is not None and x.dtype != dtype
        ):
            x = x.to(device=device, dtype=dtype, non_blocking=True)
        return x
    if isinstance(x, np.ndarray) and x.dtype == object:
        raise TypeError(
            "Metric inputs must be numeric arrays or tensors. Received an "
            f"array of dtype object with shape {x.shape}."
        )
    return torch.as_tensor(x, dtype=dtype, device=device)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeezes or expands the last dim when the ranks differ by one."""
    x1_rank, x2_rank = x1.dim(), x2.dim()
    if x1_rank == x2_rank:
        return x1, x2
    if x1_rank == x2_rank + 1 and x1.shape[-1] == 1:
        if x2_rank == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if x2_rank == x1_rank + 1 and x2.shape[-1] == 1:
        if x1_rank == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def divide_no_nan(x, y):
    """``x / y``, with 0 wherever ``y == 0``."""
    return (x / y).masked_fill(y == 0, 0.0)


def broadcast_to(x, shape, metric, what, other="values"):
    """``x.expand(shape)`` raising a ValueError naming the metric."""
    try:
        return x.expand(shape)
    except RuntimeError:
        raise ValueError(
            f"{describe(metric)}: `{what}` of shape {tuple(x.shape)} cannot "
            f"be broadcast to the shape of `{other}`, {tuple(shape)}. "
            f"Received: {what}.shape={tuple(x.shape)}"
        ) from None


def describe(metric):
    return f"{type(metric).__name__} metric '{metric.name}'"


def check_batch_sizes(metric, y_true, y_pred):
    """Raises when ``y_true`` and ``y_pred`` disagree on the batch size."""
    if y_true.dim() and y_pred.dim() and y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"{describe(metric)}: `y_true` and `y_pred` must have the same "
            f"batch size (first dimension). Received: "
            f"y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )


def check_same_shape(metric, y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{describe(metric)}: `y_true` and `y_pred` must have the same "
            f"shape. Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )


def reduce_to_samplewise_values(metric, values, sample_weight, reduce_fn):
    """Keras 3's reduction of ``values`` to one value per sample.

    Weights are brought to the rank of ``values`` (last dim squeezed or
    expanded), ``values`` reduced to the rank of the weights, weighted, and
    both reduced over every non-batch axis. Returns ``(values, weights)``.
    """
    dtype = to_torch_dtype(metric.dtype)
    values = to_tensor(values, dtype=dtype, device=metric._state_device())
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype, values.device)
        values, sample_weight = squeeze_or_expand_to_same_rank(
            values, sample_weight
        )
        weight_ndim, values_ndim = sample_weight.dim(), values.dim()
        if values_ndim > weight_ndim:
            values = reduce_fn(values, tuple(range(weight_ndim, values_ndim)))
        sample_weight = broadcast_to(
            sample_weight, values.shape, metric, "sample_weight"
        )
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(
                sample_weight, tuple(range(1, weight_ndim))
            )
    if values.dim() > 1:
        values = reduce_fn(values, tuple(range(1, values.dim())))
    return values, sample_weight


def reduce_sum(x, dims):
    return x.sum(dim=dims) if dims else x


def reduce_mean(x, dims):
    return x.mean(dim=dims) if dims else x


def apply_mask(sample_weight, mask, dtype):
    """Folds a Keras mask (``tensor._keras_mask``) into the weights."""
    if mask is None:
        return sample_weight
    mask = to_tensor(mask, dtype=dtype)
    if sample_weight is None:
        return mask
    sample_weight = to_tensor(sample_weight, dtype, mask.device)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def is_cpu(x):
    return x.device.type == "cpu"


def check_label_range(metric, labels, num_classes, what):
    """Raises for a label outside ``[0, num_classes)``.

    Only for CPU tensors, where reading the answer costs nothing; on an
    accelerator it would stall the device, so callers mask bad labels out.
    """
    if not is_cpu(labels) or labels.numel() == 0:
        return
    bad = (labels < 0) | (labels >= num_classes)
    if bool(bad.any()):
        raise ValueError(
            f"{describe(metric)}: every value of `{what}` must be in "
            f"[0, {num_classes}). Received: {what} containing "
            f"{labels[bad][:5].tolist()}"
        )
