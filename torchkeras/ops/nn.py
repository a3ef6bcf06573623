"""Neural-network operations of ``torchkeras.ops`` (Keras 3 ``ops/nn.py``).

Owns the element-wise crossentropies that the losses build on, with
Keras's probability clipping by ``backend.epsilon()`` and torch's fused
kernels for logits, and the Keras 3 CTC ops (``ctc_loss`` on logits,
``ctc_decode`` with ``mask_index`` as the blank). The CTC machinery itself
lives in ``backend/ctc.py``.

When ``from_logits=False`` and the prediction carries ``_keras_logits``
(set on a softmax/sigmoid output, as Keras does), the crossentropies use
those logits instead: tf.keras gets the same effect from the graph.
"""

import warnings

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.backend import config as backend_config
from torchkeras.backend import ctc as backend_ctc
from torchkeras.ops.core import convert_to_tensor

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def softmax(x, axis=-1):
    return F.softmax(convert_to_tensor(x), dim=axis)


def log_softmax(x, axis=-1):
    return F.log_softmax(convert_to_tensor(x), dim=axis)


def sigmoid(x):
    return torch.sigmoid(convert_to_tensor(x))


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encodes integer ``x``; negative entries give all zeros."""
    x = convert_to_tensor(x).long()
    out = F.one_hot(x.clamp(min=0), num_classes) * (x >= 0)[..., None]
    dtype = dtype or backend_config.floatx()
    return out.to(backend_config.to_torch_dtype(dtype)).movedim(-1, axis)


def normalize(x, axis=-1, order=2, epsilon=None):
    """L2-normalises ``x``: ``x * min(rsqrt(sum(x**2)), 1 / epsilon)``."""
    if order != 2:
        raise ValueError(
            f"`normalize` supports only `order=2`. Received: order={order}"
        )
    eps = backend_config.epsilon() if epsilon is None else epsilon
    x = convert_to_tensor(x)
    square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
    # Same numbers as Keras's min(rsqrt(s), 1/eps), with a finite gradient.
    return x * torch.rsqrt(torch.clamp(square_sum, min=eps * eps))


def _get_logits(output, from_logits, activation, name):
    """Uses the logits a softmax/sigmoid output carries, as Keras does."""
    logits = getattr(output, "_keras_logits", None)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(
            f"`{name}` received `from_logits=True`, but the `output` "
            f"argument was produced by a {activation} activation and thus "
            "does not represent logits. Was this intended?",
            stacklevel=3,
        )
        return output, True
    return logits.to(output.dtype), True


def _same_shape(target, output, name):
    if target.shape != output.shape:
        raise ValueError(
            f"In `{name}`, `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, "
            f"output.shape={tuple(output.shape)}"
        )


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary crossentropy.

    Probabilities are clipped to ``[eps, 1 - eps]`` and the logs taken of
    ``p + eps`` and ``1 - p + eps``, as tf.keras does; logits use torch's
    fused ``binary_cross_entropy_with_logits``.
    """
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(
        output, from_logits, "Sigmoid", "binary_crossentropy"
    )
    target = convert_to_tensor(target, output.dtype, output.device)
    _same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return F.binary_cross_entropy_with_logits(
            output, target, reduction="none"
        )
    eps = backend_config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    bce = target * torch.log(output + eps)
    bce = bce + (1.0 - target) * torch.log(1.0 - output + eps)
    return -bce


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) targets and predictions.

    Probabilities are renormalised along ``axis`` and clipped to
    ``[eps, 1 - eps]``; logits go through torch's fused ``cross_entropy``.
    """
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(
        output, from_logits, "Softmax", "categorical_crossentropy"
    )
    target = convert_to_tensor(target, output.dtype, output.device)
    _same_shape(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError(
            "In `categorical_crossentropy`, `target` and `output` must be at "
            f"least rank 1. Received: output.shape={tuple(output.shape)}"
        )
    if from_logits:
        if output.ndim == 1:
            return F.cross_entropy(output, target, reduction="none")
        return F.cross_entropy(
            output.movedim(axis, 1),
            target.movedim(axis, 1),
            reduction="none",
        )
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = backend_config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -torch.sum(target * torch.log(output), dim=axis)


def _sparse_target(target, output, axis):
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError(
            "In `sparse_categorical_crossentropy`, `target` must hold one "
            "integer class index per prediction: its shape must equal "
            "`output.shape` without the class axis "
            f"({tuple(expected)}), or that plus a trailing 1. For one-hot "
            "targets use `categorical_crossentropy`. Received: "
            f"target.shape={tuple(target.shape)}, "
            f"output.shape={tuple(output.shape)}"
        )
    return target.long()


def sparse_categorical_crossentropy(
    target, output, from_logits=False, axis=-1, ignore_index=-100
):
    """Crossentropy between integer targets and predictions.

    Runs torch's fused ``cross_entropy`` (logits) or ``nll_loss`` on the
    log of the renormalised, clipped probabilities. Entries whose target is
    ``ignore_index`` get a loss of 0. Out-of-range targets raise a
    ``ValueError`` where torch reports them (on the CPU).
    """
    output = convert_to_tensor(output)
    output, from_logits = _get_logits(
        output, from_logits, "Softmax", "sparse_categorical_crossentropy"
    )
    if output.ndim < 1:
        raise ValueError(
            "In `sparse_categorical_crossentropy`, `output` must be at "
            f"least rank 1. Received: output.shape={tuple(output.shape)}"
        )
    target = _sparse_target(
        convert_to_tensor(target, device=output.device), output, axis
    )
    if not from_logits:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = backend_config.epsilon()
        output = torch.log(torch.clamp(output, eps, 1.0 - eps))
    if output.ndim > 1:
        output = output.movedim(axis, 1)
    kernel = F.cross_entropy if from_logits else F.nll_loss
    try:
        return kernel(
            output, target, reduction="none", ignore_index=ignore_index
        )
    except (IndexError, RuntimeError) as e:
        if "out of bounds" not in str(e):
            raise
        num_classes = output.shape[1 if output.ndim > 1 else 0]
        raise ValueError(
            "In `sparse_categorical_crossentropy`, every label must be an "
            f"integer in [0, {num_classes}) (the number of classes of "
            f"`output`). Received: {e}"
        ) from e


def _ctc_float(x):
    x = convert_to_tensor(x)
    if not x.is_floating_point() or x.dtype in _LOW_PRECISION:
        x = x.float()
    return x


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss with Keras 3 conventions.

    Args:
        target: `(batch, max_label_length)` integer labels.
        output: `(batch, max_length, num_classes)` logits.
        target_length: `(batch,)` label lengths.
        output_length: `(batch,)` valid time steps.
        mask_index: index of the blank class. Defaults to `0`.

    Returns:
        `(batch,)` per-sample losses.
    """
    output = _ctc_float(output)
    if output.ndim != 3:
        raise ValueError(
            "`output` must have shape (batch_size, max_length, "
            f"num_classes). Received: output.shape={tuple(output.shape)}"
        )
    batch_size = output.shape[0]
    return backend_ctc.ctc_nll(
        F.log_softmax(output, dim=-1),
        target,
        backend_ctc.as_lengths(target_length, "target_length", batch_size),
        backend_ctc.as_lengths(output_length, "output_length", batch_size),
        blank=mask_index,
        name="ctc_loss",
    )


def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    """Decodes CTC logits with Keras 3 conventions.

    Args:
        inputs: `(batch, max_length, num_classes)` logits.
        sequence_lengths: `(batch,)` valid time steps.
        strategy: `"greedy"` or `"beam_search"`.
        beam_width: beam width for `"beam_search"`.
        top_paths: number of decodings for `"beam_search"`.
        merge_repeated: whether greedy decoding merges repeated classes
            (beam search always scores label prefixes, as tf's v2 op).
        mask_index: index of the blank class (`None`: the last one).

    Returns:
        `(decoded, scores)`: int32 `(1, batch, max_length)` for greedy or
        `(top_paths, batch, max_length)` for beam search, padded with -1;
        scores `(batch, 1)` (minus the summed best logits) for greedy,
        `(batch, top_paths)` path log-probabilities for beam search.
    """
    inputs = _ctc_float(inputs)
    batch_size, _, num_classes = inputs.shape
    lengths = backend_ctc.as_lengths(
        sequence_lengths, "sequence_lengths", batch_size
    )
    blank = num_classes - 1 if mask_index is None else mask_index % num_classes
    if strategy == "greedy":
        decoded, scores = backend_ctc.greedy_decode(
            inputs, lengths, blank, merge_repeated=merge_repeated
        )
        return decoded[None].int(), scores
    if strategy == "beam_search":
        log_probs = F.log_softmax(inputs, dim=-1).detach().cpu().numpy()
        decoded, scores = backend_ctc.beam_search_decode(
            log_probs, lengths.cpu().numpy(), blank, beam_width, top_paths
        )
        decoded = torch.as_tensor(np.stack(decoded), device=inputs.device)
        return decoded.int(), torch.as_tensor(
            scores, dtype=inputs.dtype, device=inputs.device
        )
    raise ValueError(
        f"Invalid strategy {strategy!r}. Supported values are 'greedy' and "
        f"'beam_search'. Received: strategy={strategy!r}"
    )
