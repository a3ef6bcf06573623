"""`EarlyStopping`: stops `fit` when a monitored quantity stops improving."""

import warnings

from torchkeras.callbacks._monitor import MonitorCallback
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.EarlyStopping")
class EarlyStopping(MonitorCallback):
    """Stop training when a monitored metric has stopped improving.

    At the end of every epoch the callback compares `logs[monitor]` with the
    best value so far; after `patience` epochs without an improvement of at
    least `min_delta` it sets `model.stop_training = True`. As in Keras 3,
    the best weights (with `restore_best_weights`) are put back when
    training ends, whether or not it stopped early.

    Args:
        monitor: Quantity to be monitored. Defaults to `"val_loss"`.
        min_delta: Minimum change in the monitored quantity to qualify as an
            improvement. Defaults to `0`.
        patience: Number of epochs with no improvement after which training
            will be stopped. Defaults to `0`.
        verbose: 0 (silent) or 1 (messages when the callback acts).
        mode: `"auto"`, `"min"` or `"max"`. Defaults to `"auto"`.
        baseline: Baseline value for the monitored quantity. If not `None`,
            training stops if the model doesn't improve over the baseline
            within `patience` epochs.
        restore_best_weights: Whether to restore model weights from the
            epoch with the best value of the monitored quantity.
        start_from_epoch: Number of epochs to wait before starting to
            monitor improvement.

    Examples:
        >>> callback = EarlyStopping(monitor="loss", patience=3)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0,
                 verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, None, min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # Allow instances to be re-used.
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0
        self.best = None
        self.monitor_op = None

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # Once the metrics are built.
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the current weights are the best.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Restart waiting only when both the baseline and the previous
            # best are beaten.
            if self.baseline is None or self._is_improvement(
                    current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best "
                      f"epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` "
                "which is not available. Available metrics are: "
                f"{','.join(list(logs.keys()))}", stacklevel=3)
        return value

