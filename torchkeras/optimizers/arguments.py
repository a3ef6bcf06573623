"""Argument handling shared by the Keras optimizers.

Owns the checks of common arguments, learning-rate standardisation,
torch-style ``Optimizer(params, ...)`` construction (``OptimizerMeta``) and
turning what ``build`` receives into torch param groups. The optimizer
itself is in ``base_optimizer.py``.
"""

import collections.abc
import numbers

import torch

from torchkeras.optimizers.schedules import learning_rate_schedule

# tf.keras 2.11+ configs carry these; they mean nothing here.
IGNORED_TF2_KWARGS = ("jit_compile", "is_legacy_optimizer")
GROUP_KEYS = ("params", "lr", "param_names")


def looks_like_params(value):
    """True for what torch optimizers take first: an iterable of tensors."""
    if isinstance(value, (numbers.Number, str, torch.Tensor)):
        return False
    if isinstance(value, learning_rate_schedule.LearningRateSchedule):
        return False
    if callable(value):
        return False
    return isinstance(value, collections.abc.Iterable)


class OptimizerMeta(type):
    """Lets ``Adam(params, ...)`` work as in torch: builds after __init__."""

    def __call__(cls, *args, **kwargs):
        params = kwargs.pop("params", None)
        if args and looks_like_params(args[0]):
            if params is not None:
                raise TypeError(
                    f"{cls.__name__} got parameters both positionally and as "
                    "`params=`. Received: params=..."
                )
            params, args = args[0], args[1:]
        optimizer = super().__call__(*args, **kwargs)
        if params is not None:
            optimizer.build(params)
        return optimizer


def check_non_negative(name, value):
    if value is None:
        return
    if not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(
            f"Argument `{name}` must be a non-negative float or None. "
            f"Received: {name}={value!r}"
        )


def standardize_learning_rate(learning_rate):
    if isinstance(learning_rate, learning_rate_schedule.LearningRateSchedule):
        return learning_rate
    if isinstance(learning_rate, torch.Tensor) and learning_rate.ndim == 0:
        learning_rate = float(learning_rate)
    if callable(learning_rate):
        return learning_rate
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, numbers.Real)
        or not learning_rate >= 0
    ):
        raise ValueError(
            "Argument `learning_rate` should be a non-negative float, an "
            "instance of LearningRateSchedule, or a callable (that takes no "
            "arguments and returns the learning rate). "
            f"Received: learning_rate={learning_rate!r}"
        )
    return float(learning_rate)


def normalize_groups(var_list):
    """Torch param groups (list of dicts) from what ``build`` received."""
    if isinstance(var_list, torch.Tensor):
        raise TypeError(
            "`build` expects a list of parameters, not a single tensor. "
            f"Received: var_list of shape {tuple(var_list.shape)}"
        )
    items = list(var_list)
    if items and isinstance(items[0], dict):
        groups = [dict(g) for g in items]
    else:
        groups = [{"params": items}]
    for group in groups:
        unknown = sorted(set(group) - set(GROUP_KEYS))
        if unknown:
            raise ValueError(
                "Keras optimizers take their hyper-parameters from the "
                "constructor; a parameter group may only set 'params' and "
                f"'lr'. Received: param group keys={sorted(group)}"
            )
        group["params"] = list(group["params"])
    return groups


def group_tensors(groups):
    tensors = []
    for group in groups:
        for p in group["params"]:
            tensors.append(p[1] if isinstance(p, tuple) else p)
    return tensors
