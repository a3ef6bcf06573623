"""`ReduceLROnPlateau`: lowers the learning rate when a metric plateaus.

Works with Keras optimizers and with a user's `torch.optim` optimizer (every
param group's `"lr"`); see `_lr.py`.
"""

import warnings

import numpy as np

from torchkeras.callbacks._lr import get_learning_rate
from torchkeras.callbacks._lr import set_learning_rate
from torchkeras.callbacks.callback import Callback
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.ReduceLROnPlateau")
class ReduceLROnPlateau(Callback):
    """Reduce learning rate when a metric has stopped improving.

    When `monitor` has not improved by more than `min_delta` for `patience`
    epochs, the learning rate becomes `max(lr * factor, min_lr)`; then
    `cooldown` epochs pass before waiting starts again. The learning rate
    of the epoch is added to the logs as `"learning_rate"`.

    Args:
        monitor: String. Quantity to be monitored.
        factor: Float. Factor by which the learning rate will be reduced:
            `new_lr = lr * factor`.
        patience: Integer. Number of epochs with no improvement after which
            the learning rate will be reduced.
        verbose: Integer. 0: quiet, 1: update messages.
        mode: One of `{"auto", "min", "max"}`. In `"auto"` mode the
            quantity must increase if its name contains `"acc"`, else
            decrease (Keras's rule).
        min_delta: Float. Threshold for measuring the new optimum, to only
            focus on significant changes.
        cooldown: Integer. Number of epochs to wait before resuming normal
            operation after the learning rate has been reduced.
        min_lr: Float. Lower bound on the learning rate.
        epsilon: tf.keras 2 name of `min_delta`.

    Raises:
        ValueError: if `factor >= 1.0`.

    Examples:
        >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2,
        ...                               patience=5, min_lr=0.001)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10,
                 verbose=0, mode="auto", min_delta=1e-4, cooldown=0,
                 min_lr=0.0, epsilon=None):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received: factor={factor}"
            )
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta if epsilon is None else epsilon
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._reset()

    def _reset(self):
        """Resets the wait and cooldown counters and the best value."""
        if self.mode not in ("auto", "min", "max"):
            warnings.warn(
                f"Learning rate reduction mode {self.mode} is unknown, "
                "fallback to auto mode.", stacklevel=3)
            self.mode = "auto"
        if self.mode == "min" or (
                self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = get_learning_rate(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                "Learning rate reduction is conditioned on metric "
                f"`{self.monitor}` which is not available. Available "
                f"metrics are: {','.join(list(logs.keys()))}.",
                stacklevel=3)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce(optimizer, epoch)

    def _reduce(self, optimizer, epoch):
        old_lr = get_learning_rate(optimizer)
        if old_lr <= np.float32(self.min_lr):
            return
        new_lr = max(old_lr * self.factor, self.min_lr)
        set_learning_rate(optimizer, new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                  f"learning rate to {new_lr}.")
        self.cooldown_counter = self.cooldown
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0
