"""`LearningRateScheduler`: sets the learning rate at each epoch's start."""

import numpy as np
import torch

from torchkeras.callbacks._lr import get_learning_rate
from torchkeras.callbacks._lr import set_learning_rate
from torchkeras.callbacks.callback import Callback
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.LearningRateScheduler")
class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the beginning of every epoch, the callback calls
    `schedule(epoch, lr)` with the epoch index (from 0) and the current
    learning rate, and applies the float it returns to the optimizer. A
    one-argument `schedule(epoch)` (tf.keras 1 style) is accepted too. The
    learning rate is added to the epoch logs as `"learning_rate"`.

    Args:
        schedule: A function `(epoch, lr) -> float`.
        verbose: Integer. 0: quiet, 1: log update messages.

    Raises:
        ValueError: when `schedule` returns something other than a float.

    Examples:
        >>> def scheduler(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.9
        >>> callback = LearningRateScheduler(scheduler)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:  # The (epoch, lr) signature.
            learning_rate = self.schedule(epoch, get_learning_rate(optimizer))
        except TypeError:  # The old (epoch) signature.
            learning_rate = self.schedule(epoch)
        learning_rate = _as_float(learning_rate)
        set_learning_rate(optimizer, learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                  f"learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)


def _as_float(value):
    if isinstance(value, (float, np.floating)):
        return float(value)
    if torch.is_tensor(value) and value.dim() == 0 and (
            value.is_floating_point()):
        return float(value)
    raise ValueError(
        "The output of the `schedule` function should be a float. "
        f"Got: {value}"
    )
