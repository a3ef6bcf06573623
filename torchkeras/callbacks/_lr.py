"""Reading and setting an optimizer's learning rate from a callback.

A Keras optimizer (`torchkeras.optimizers`) has a settable
`learning_rate` property; a user's `torch.optim` optimizer keeps it in
each param group's `"lr"`. These helpers hide the difference.
"""

import torch


def get_learning_rate(optimizer):
    """The optimizer's current learning rate as a Python float."""
    _check_optimizer(optimizer)
    if hasattr(optimizer, "learning_rate"):
        return float(optimizer.learning_rate)
    return float(optimizer.param_groups[0]["lr"])


def set_learning_rate(optimizer, value):
    """Sets the learning rate of every param group to `value`."""
    _check_optimizer(optimizer)
    if hasattr(optimizer, "learning_rate"):
        optimizer.learning_rate = value
        return
    for group in optimizer.param_groups:
        if torch.is_tensor(group["lr"]):
            group["lr"].fill_(value)
        else:
            group["lr"] = value


def has_learning_rate(optimizer):
    return hasattr(optimizer, "learning_rate") or bool(
        getattr(optimizer, "param_groups", None))


def _check_optimizer(optimizer):
    if not has_learning_rate(optimizer):
        raise ValueError(
            'Optimizer must have a "learning_rate" attribute or torch param '
            f"groups. Received: optimizer={optimizer!r}"
        )
