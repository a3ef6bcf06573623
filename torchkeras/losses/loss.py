"""The ``Loss`` base class, ``LossFunctionWrapper`` and loss reduction.

Owns what every loss shares (Keras 3 ``losses/loss.py``): turning inputs
into tensors of the loss dtype, ``call`` -> per-sample values, merging a
``_keras_mask`` into the sample weights, matching the sample weights' rank
to the values, and the reductions ``sum_over_batch_size`` (default),
``sum``, ``mean``, ``mean_with_sample_weight``, ``none``/``None`` plus
tf.keras 2's ``Reduction.AUTO``. Concrete losses live in the sibling
modules; name lookup in ``losses/__init__.py``.

Nothing here syncs the host: reductions stay tensors on the device.
"""

import functools
import inspect

import numpy as np
import torch

from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.backend.config import floatx
from torchkeras.backend.config import standardize_dtype
from torchkeras.backend.config import to_torch_dtype
from torchkeras.backend.eager_tensor import eager_outputs
from torchkeras.backend.global_state import unique_name
from torchkeras.ops.core import convert_to_tensor
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.registry import keras_export
from torchkeras.utils.serialization import serialize_keras_object


class Reduction:
    """tf.keras 2's ``losses.Reduction`` (``ReductionV2``) constants.

    ``AUTO`` means ``SUM_OVER_BATCH_SIZE``, as in every tf.keras loop.

    Examples:
        >>> keras.losses.Reduction.SUM
        'sum'
        >>> loss = keras.losses.MeanAbsoluteError(
        ...     reduction=keras.losses.Reduction.SUM)
        >>> loss([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        tensor(1.)
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(
                f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"'
            )


_ALLOWED_REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    None,
    "none",
    "mean",
    "mean_with_sample_weight",
)


def standardize_reduction(reduction):
    """Validates ``reduction``; tf.keras 2's ``'auto'`` becomes the default."""
    if reduction == Reduction.AUTO:
        return "sum_over_batch_size"
    if reduction not in _ALLOWED_REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{_ALLOWED_REDUCTIONS + (Reduction.AUTO,)}. "
            f"Received: reduction={reduction!r}"
        )
    return reduction


def _loss_dtype(dtype):
    """Keras name of the compute dtype.

    Accepts a dtype, a dtype policy object or its Keras 3 config dict
    (``{"class_name": "DTypePolicy", "config": {"name": ...}}``).
    """
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    dtype = getattr(dtype, "compute_dtype", dtype)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_") :]  # mixed_float16 computes in float16
    return standardize_dtype(dtype or floatx())


@keras_export("keras.losses.Loss")
class Loss:
    """Loss base class.

    Subclasses implement ``call(y_true, y_pred)``, returning per-sample
    values; ``__call__`` converts the inputs, applies masks and
    ``sample_weight``, and reduces.

    Args:
        name: Optional name for the loss instance.
        reduction: `"sum_over_batch_size"` (default: sum divided by the
            number of elements of the per-sample values), `"sum"`, `"mean"`
            (same as the default), `"mean_with_sample_weight"` (sum divided
            by the sum of the sample weights), `"none"` or `None` (no
            reduction); tf.keras 2's `Reduction.AUTO` means the default.
        dtype: The dtype of the loss's computations. Defaults to
            `backend.floatx()`. Both `y_pred` and `y_true` are cast to it.

    Call arguments:
        y_true: Ground truth values (tensor, NumPy array or list).
        y_pred: Predictions. A `_keras_mask` attribute masks its entries.
        sample_weight: Optional weights, rank-matched to the per-sample
            values: a trailing 1 is squeezed, a missing last axis added.

    Examples:
        >>> class MeanSquaredError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return torch.mean(torch.square(y_pred - y_true), dim=-1)
        >>> MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]])
        tensor(0.5000)
    """

    # Sparse and CTC losses keep integer labels as they are.
    _cast_y_true = True

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if name in Reduction.all() and reduction == "sum_over_batch_size":
            # tf.keras 2 order: Loss(reduction=AUTO, name=None).
            name, reduction = None, name
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = _loss_dtype(dtype)
        self._torch_dtype = to_torch_dtype(self._dtype)

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = _map_structure(
            lambda x: _convert_prediction(x, self._torch_dtype), y_pred
        )
        device = _first_device(y_pred)
        true_dtype = self._torch_dtype if self._cast_y_true else None
        y_true = _map_structure(
            lambda x: convert_to_tensor(x, true_dtype, device), y_true
        )
        losses = self.call(y_true, y_pred)
        mask = _merge_masks(in_mask, getattr(losses, "_keras_mask", None))
        value = reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self._torch_dtype,
            name=self.name,
        )
        context = CALL_CONTEXT
        if context.depth or context.in_step:
            return value
        # Called eagerly by the user: `float(loss)`, `loss.numpy()` read it
        # as tf.keras code does (backend/eager_tensor.py).
        return eager_outputs(value, (), {})

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras_export("keras.losses.LossFunctionWrapper")
class LossFunctionWrapper(Loss):
    """Wraps a function ``fn(y_true, y_pred, **kwargs)`` into a ``Loss``.

    ``y_true`` and ``y_pred`` are rank-matched first (a trailing 1 squeezed
    or added), so labels `(n,)` meet predictions `(n, 1)`.

    Args:
        fn: The loss function, returning per-sample values.
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: See `Loss`.
        **kwargs: Keyword arguments passed to `fn`.

    Examples:
        >>> loss = keras.losses.LossFunctionWrapper(
        ...     keras.losses.mean_absolute_error, name="mae")
        >>> loss([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
        tensor(0.5000)
    """

    def __init__(
        self,
        fn,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        if not _takes_fn(type(self)):
            # A named loss's arguments are its attributes too
            # (``loss.from_logits``), as in Keras.
            for key, value in kwargs.items():
                setattr(self, key, value)

    def call(self, y_true, y_pred):
        if isinstance(y_true, torch.Tensor) and isinstance(
            y_pred, torch.Tensor
        ):
            y_true, y_pred = match_ranks(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        """The constructor's arguments: ``name`` and ``reduction``, ``fn``
        when the class takes one (a plain wrapper; a named loss such as
        `MeanSquaredError` fixes its own), then the keyword arguments for
        ``fn`` in the order the constructor passed them, which is the
        order of Keras's configs."""
        config = Loss.get_config(self)
        if _takes_fn(type(self)):
            config["fn"] = serialize_keras_object(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            # Deferred: the name table imports this module.
            from torchkeras.losses import deserialize

            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


@functools.lru_cache(maxsize=None)
def _takes_fn(cls):
    """Whether ``cls``'s constructor takes ``fn`` (a plain wrapper) or
    fixes it (a named loss such as `MeanSquaredError`)."""
    return "fn" in inspect.signature(cls.__init__).parameters


def _is_numbers(x):
    """Whether ``x`` is a number or a (nested) list of numbers: one value."""
    if isinstance(x, (list, tuple)):
        return all(_is_numbers(item) for item in x)
    return isinstance(x, (bool, int, float, np.number))


def _map_structure(fn, x):
    """Applies ``fn`` to each tensor of a list/tuple/dict structure."""
    if isinstance(x, (list, tuple)) and not _is_numbers(x):
        return type(x)(_map_structure(fn, item) for item in x)
    if isinstance(x, dict):
        return {key: _map_structure(fn, value) for key, value in x.items()}
    return fn(x)


def _first_device(x):
    if isinstance(x, torch.Tensor):
        return x.device
    items = x.values() if isinstance(x, dict) else x
    for item in items:
        return _first_device(item)
    return None


def _convert_prediction(x, dtype):
    """Casts a prediction, keeping the logits a softmax/sigmoid cached."""
    if dtype is None and isinstance(x, torch.Tensor):
        return x
    converted = convert_to_tensor(x, dtype)
    logits = getattr(x, "_keras_logits", None)
    if logits is not None and converted is not x:
        converted._keras_logits = logits.to(dtype)
    return converted


def _merge_masks(in_mask, out_mask):
    if in_mask is None:
        return out_mask
    if out_mask is None:
        return in_mask
    return in_mask.bool() & out_mask.bool()


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeezes/expands the last axis when ranks differ by exactly one.

    The one with a trailing 1 is squeezed, unless the other is rank 1 and
    ``expand_rank_1``: then the rank-1 tensor gets a trailing axis.
    """
    x1_rank, x2_rank = x1.ndim, x2.ndim
    if x1_rank == x2_rank + 1 and x1.shape[-1] == 1:
        if x2_rank == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    elif x2_rank == x1_rank + 1 and x2.shape[-1] == 1:
        if x1_rank == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def match_ranks(y_true, y_pred):
    """``squeeze_or_expand_to_same_rank`` that keeps cached logits."""
    new_true, new_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is not None and new_pred is not y_pred:
        new_pred._keras_logits = logits.reshape(new_pred.shape)
    return new_true, new_pred


def as_prediction(y_pred):
    """``y_pred`` as a floating tensor (integers become ``floatx()``)."""
    y_pred = _convert_prediction(y_pred, None)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(to_torch_dtype(floatx()))
    return y_pred


def prepare_inputs(y_true, y_pred, match_rank=True):
    """Tensors for a loss function: ``y_true`` cast to ``y_pred``'s dtype.

    Integer predictions become ``floatx()``; with ``match_rank`` the ranks
    are matched as ``LossFunctionWrapper`` does.
    """
    y_pred = as_prediction(y_pred)
    y_true = convert_to_tensor(y_true, y_pred.dtype, y_pred.device)
    if match_rank:
        return match_ranks(y_true, y_pred)
    return y_true, y_pred


def _divide_no_nan(x, y):
    """``x / y``, and 0 where ``y == 0`` (``x`` may be a Python number)."""
    zero = y == 0
    return torch.where(zero, 0.0, x / torch.where(zero, 1.0, y))


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merges a boolean mask into the sample weights, as Keras does.

    For the averaging reductions the mask is rescaled so that the mean runs
    over the unmasked entries only.
    """
    if mask is None:
        return sample_weight
    mask = mask.to(dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        # A Python number: no host-to-device copy per step.
        mask = mask * _divide_no_nan(float(mask.numel()), torch.sum(mask))
    if sample_weight is None:
        return mask
    mask, sample_weight = _match_weight_rank(mask, sample_weight, "mask")
    return sample_weight * mask


def _match_weight_rank(values, sample_weight, name):
    """Rank-matches the weights to the values, keeping the values' shape.

    As tf.keras 2: a weight with one trailing axis of size 1 too many is
    squeezed; a weight one axis short gets a trailing axis (per-sample
    weights broadcast over time steps).
    """
    if sample_weight.ndim == values.ndim + 1 and sample_weight.shape[-1] == 1:
        sample_weight = sample_weight.squeeze(-1)
    elif values.ndim == sample_weight.ndim + 1:
        sample_weight = sample_weight.unsqueeze(-1)
    try:
        torch.broadcast_shapes(values.shape, sample_weight.shape)
    except RuntimeError as e:
        raise ValueError(
            f"In loss `{name}`, `sample_weight` cannot be broadcast to the "
            "per-sample loss values. Received: sample_weight.shape="
            f"{tuple(sample_weight.shape)}, values.shape="
            f"{tuple(values.shape)}"
        ) from e
    return values, sample_weight


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduces (already weighted) values to a scalar, per ``reduction``."""
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    loss = torch.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(loss, torch.sum(sample_weight).to(loss.dtype))
    return loss / values.numel()


def reduce_weighted_values(
    values,
    sample_weight=None,
    mask=None,
    reduction="sum_over_batch_size",
    dtype=None,
    name="loss",
):
    """Applies ``mask`` and ``sample_weight`` to ``values``, then reduces."""
    reduction = standardize_reduction(reduction)
    values = convert_to_tensor(values, dtype)
    device = values.device
    if sample_weight is not None:
        sample_weight = convert_to_tensor(sample_weight, values.dtype, device)
    if mask is not None:
        mask = convert_to_tensor(mask, device=device)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = sample_weight.to(values.dtype)
        values, sample_weight = _match_weight_rank(values, sample_weight, name)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)
