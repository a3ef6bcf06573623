"""`ModelCheckpoint`: saves the model or its weights during `fit`.

The file is written by the model's own `save_weights` / `save` (the saving
layer, which writes atomically) when the model has them; until then, by an
atomic torch file of the weights (`_write_model_file`, the one place that
chooses). Weights with NaN/Inf are never written: the callback warns and
the last good file stays. Only the main process writes.
"""

import numbers
import os
import warnings

import numpy as np

from torchkeras.callbacks import _atomic
from torchkeras.callbacks._monitor import MonitorCallback
from torchkeras.callbacks._rank import is_main_process
from torchkeras.callbacks._training_state import all_finite
from torchkeras.callbacks._training_state import plain
from torchkeras.callbacks.callback import python_logs
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.ModelCheckpoint")
class ModelCheckpoint(MonitorCallback):
    """Callback to save the Keras model or model weights at some frequency.

    `filepath` may hold named format fields, filled with the epoch (1-based)
    and the logs: `"weights.{epoch:02d}-{val_loss:.2f}.h5"`; with batch-level
    saving, `{batch}` is the 1-based batch in the epoch.

    Args:
        filepath: String or `PathLike`, where to save the model file.
        monitor: The metric name to monitor (`"val_loss"`, `"accuracy"`,
            ...).
        verbose: 0 (silent) or 1 (a message when the callback acts).
        save_best_only: Only save when the model is considered the best so
            far by `monitor`; a `filepath` without format fields is then
            overwritten by each better model only.
        save_weights_only: Save with `model.save_weights(filepath)` instead
            of `model.save(filepath)`.
        mode: `"auto"`, `"min"` or `"max"`: whether `monitor` should be
            minimised or maximised.
        save_freq: `"epoch"`, or an integer: save every that many batches.
        initial_value_threshold: Initial "best" value of `monitor` (used
            with `save_best_only`).
        options: Accepted for tf.keras compatibility (ignored).
        period: tf.keras 2 (deprecated): with `save_freq="epoch"`, save
            every `period` epochs.

    Raises:
        ValueError: for an invalid `save_freq` or `period`.

    Examples:
        >>> checkpoint = ModelCheckpoint(
        ...     "ckpt/weights.{epoch:02d}-{val_loss:.2f}.weights.h5",
        ...     save_weights_only=True, save_best_only=True)
    """

    _supports_tf_logs = True  # Batch logs are read only when saving.

    def __init__(self, filepath, monitor="val_loss", verbose=0,
                 save_best_only=False, save_weights_only=False, mode="auto",
                 save_freq="epoch", initial_value_threshold=None,
                 options=None, period=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = _check_save_freq(save_freq)
        self.period = _check_period(period)
        self.epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()  # Once the metrics are built.
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch" and (
                self.epochs_since_last_save >= self.period):
            self.epochs_since_last_save = 0
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch):
        """Counts batches (a smaller index starts a new epoch)."""
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self, epoch, batch, logs):
        if not is_main_process():
            return
        logs = python_logs(logs)
        filepath = self._get_file_path(epoch, batch, logs)
        if self.monitor_op is None:
            self._set_monitor_op()
        weights = self.model.state_dict()
        if not all_finite(weights):
            warnings.warn(
                f"ModelCheckpoint: the model's weights contain NaN or Inf at "
                f"epoch {epoch + 1}; not saving them to '{filepath}'. The "
                "last checkpoint written is kept.", stacklevel=2)
            return
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                "Please specify a non-directory filepath for "
                "ModelCheckpoint. Filepath used is an existing directory: "
                f"{filepath}"
            )
        _write_model_file(self.model, filepath, self.save_weights_only)

    def _should_save(self, epoch, logs, filepath):
        """Keras 3's decision; updates `best` when saving the best."""
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available.",
                stacklevel=3)
            return True
        if not isinstance(current, numbers.Real):
            warnings.warn(
                "Can save best model only when `monitor` is a scalar value. "
                f"Received: {current}. Falling back to "
                "`save_best_only=False`.", stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            self._say(f"\nEpoch {epoch + 1}: {self.monitor} improved from "
                      f"{best} to {current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve "
                  f"from {best}")
        return False

    def _get_file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1,
                                        **logs)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}"'
                f". Reason: {error}"
            ) from None

    def _say(self, message):
        if self.verbose > 0:
            print(message)


def _write_model_file(model, filepath, save_weights_only):
    """Writes one checkpoint: through the saving layer when the model has
    it (`save_weights` / `save`), else as an atomic torch file."""
    method = getattr(model, "save_weights" if save_weights_only else "save",
                     None)
    if callable(method):
        method(filepath, overwrite=True)
        return
    _atomic.save_tensors(
        {"format": "torchkeras.ModelCheckpoint", "version": 1,
         "weights": plain(model.state_dict())},
        filepath)


def _check_save_freq(save_freq):
    if save_freq == "epoch":
        return save_freq
    if isinstance(save_freq, (int, np.integer)) and not isinstance(
            save_freq, bool) and save_freq > 0:
        return int(save_freq)
    raise ValueError(
        f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
        f"'epoch' or a positive integer. Received: save_freq={save_freq!r}"
    )


def _check_period(period):
    if period is None:
        return 1
    if isinstance(period, int) and not isinstance(period, bool) and (
            period > 0):
        return period
    raise ValueError(
        "ModelCheckpoint `period` must be a positive integer. "
        f"Received: period={period!r}"
    )

