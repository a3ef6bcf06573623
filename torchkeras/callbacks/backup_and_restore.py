"""`BackupAndRestore`: training that survives being killed.

The backup is one file, `backup_dir/latest.backup.pt`, replaced atomically
(`_atomic`), so a kill at any moment, during a write included, leaves the
previous backup whole. It holds everything the rest of the run depends on
(`_training_state`): the weights and buffers, the optimizer state, the
metric states, the seeded layers' generators, the random states of torch
(CPU and CUDA), NumPy and Python, the epoch and the number of batches done
in it, and torch's random state at the start of that epoch.

Resuming mid-epoch needs the fit loop's help (see `on_train_begin`): after
`on_train_begin` the loop asks the callbacks for a `ResumePoint` (the epoch
to start at, as Keras 3's `initial_epoch`, and the batches of that epoch
already done) through `resume_point()`, which hands it over once. The data
order is restored without touching the data: at the start of the resumed
epoch torch's random state is set back to what it was when that epoch
started, so the adapter draws the same permutation; the loop skips the done
batches, and before the first new batch every random state is set to the
backup's, so Dropout draws the same masks as the uninterrupted run. A run
whose data order does not come from torch's global generator at the start of
each epoch (a Python generator, a `steps_per_epoch` that spans several
passes over arrays) resumes from the right state, but its later batches may
differ from the uninterrupted run's.

A batch backup due at an epoch's last batch is written at the epoch's end
instead, so a resumed epoch always has batches left to run. In a
distributed run only rank 0 writes, so every rank resumes with rank 0's
random states (the weights and the data order are right; Dropout masks
then differ from the uninterrupted run's).

Reading a backup runs no code from it and never applies half of it: the
file is read with `torch.load(weights_only=True)` (torch's restricted
unpickler: tensors, numbers, strings and containers only) after its zip
members are checked against the file's size (`_atomic.load_tensors`);
then every part (weights, optimizer, metric, generator and random states,
epoch and step) is checked against the model (`_state_checks`) before the
weights and the optimizer are assigned. A backup that fails leaves them
as they were, with an error naming the file.
"""

import dataclasses
import os
import warnings

import torch

from torchkeras.callbacks import _atomic
from torchkeras.callbacks import _state_checks as checks
from torchkeras.callbacks import _training_state as state_lib
from torchkeras.callbacks._rank import is_main_process
from torchkeras.callbacks.callback import Callback
from torchkeras.utils.registry import keras_export

_FORMAT = "torchkeras.BackupAndRestore"
_VERSION = 1
_FILENAME = "latest.backup.pt"


@dataclasses.dataclass(frozen=True)
class ResumePoint:
    """Where ``fit`` resumes: at ``epoch``, after its first ``step``
    batches (done before the interruption)."""

    epoch: int
    step: int = 0


@keras_export("keras.callbacks.BackupAndRestore")
class BackupAndRestore(Callback):
    """Callback to back up and restore the training state.

    Backs up the whole training state every epoch (or every `save_freq`
    batches); when `fit` is started again with this callback after an
    interruption (an exception, or the process being killed, even during a
    backup write), the state is restored and training continues from the
    last backup, batch for batch: with fixed seeds on CPU the final weights
    are bit-identical to an uninterrupted run, with `shuffle=True` and
    Dropout included. At the end of a completed `fit` the backup is deleted.

    Other callbacks' own state (`EarlyStopping`'s patience counter, ...) is
    not part of the backup, as in Keras. Put this callback last in the
    list, so the epoch-end backup includes what the other callbacks change
    at the end of an epoch (e.g. `ReduceLROnPlateau`'s learning rate).

    A backup is never written from weights or optimizer state holding
    NaN/Inf: the callback warns, keeps the last good backup and does not
    delete it when training ends.

    Args:
        backup_dir: Path of the folder where the backup is stored. Do not
            share it with another run or callback.
        save_freq: `"epoch"`, or an integer: back up every that many
            batches.
        delete_checkpoint: Whether to delete the backup when training
            completes.

    Raises:
        ValueError: for an empty `backup_dir` or an invalid `save_freq`;
            at the start of `fit`, for an unbuilt model or a backup that does
            not match the model.

    Examples:
        >>> callback = BackupAndRestore(backup_dir="/tmp/backup", save_freq=50)
    """

    _supports_tf_logs = True  # Batch logs are never read.

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError(
                "Empty `backup_dir` argument passed. Received: "
                f"backup_dir={backup_dir!r}"
            )
        _check_save_freq(save_freq)
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, _FILENAME)
        self._reset()

    def _reset(self):
        self._current_epoch = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._epoch_rng = None
        self._pending = None  # A restored state not fully applied yet.
        self._resume = None  # Not yet handed to the fit loop.
        self._save_at_epoch_end = False
        self._kept_for_nan = False

    # ------------------------------------------------------------------
    # Restoring.

    def on_train_begin(self, logs=None):
        self._reset()
        model = self.model
        if not getattr(model, "built", False):
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be "
                "built before you call `fit()`. Model "
                f"'{getattr(model, 'name', model)}' is unbuilt. You can "
                "build it beforehand by calling it on a batch of data. "
                "Received: built=False"
            )
        if is_main_process():
            _atomic.remove_stale_temps(self.backup_dir, _FILENAME)
        backup = self._read_backup()
        if backup is None:
            return
        restore = self._checked_restore(backup)
        restore()
        # Handed to the fit loop once (see the module docstring).
        self._resume = ResumePoint(epoch=int(backup["epoch"]),
                                   step=int(backup["step"]))
        self._last_batch_seen = max(backup["step"] - 1, 0)
        self._pending = backup

    def resume_point(self):
        """The `ResumePoint` the restored backup asks ``fit`` to start at
        (None without a backup); handed over once per ``fit``."""
        point, self._resume = self._resume, None
        return point

    def _read_backup(self):
        if not os.path.exists(self._path):
            return None
        backup = _atomic.load_tensors(self._path)
        found = backup.get("format") if isinstance(backup, dict) else None
        if found != _FORMAT:
            raise ValueError(
                f"The file '{self._path}' is not a BackupAndRestore backup. "
                f"Expected format {_FORMAT!r}. Received: format={found!r}"
            )
        return backup

    def _checked_restore(self, backup):
        """Checks the whole backup against the model (`_state_checks`);
        returns what restores the model and the optimizer.

        Nothing is changed until every part has passed, so a backup that
        fails leaves the weights and the optimizer as they were.
        """
        try:
            self._check_layout(backup)
        except ValueError as error:
            raise ValueError(
                f"The backup '{self._path}' is damaged or was not written "
                f"by this version of BackupAndRestore: {error}. Delete it "
                f"to start training afresh. Received: backup_dir="
                f"{self.backup_dir!r}"
            ) from None
        model = self.model
        try:
            weights = checks.check_model_state(model, backup["model"])
            checks.check_optimizer_state(model, backup["optimizer"],
                                         backup.get("optimizer_class"))
            checks.check_metric_states(model, backup["metrics"])
            checks.check_generator_states(model, backup["generators"])
        except ValueError as error:
            raise ValueError(
                f"The backup '{self._path}' does not match model "
                f"'{getattr(model, 'name', '?')}' or its optimizer: "
                f"{error}. Delete it to start training afresh. Received: "
                f"backup_dir={self.backup_dir!r}"
            ) from None

        def restore():
            state_lib.load_optimizer_state(model, backup["optimizer"])
            model.load_state_dict(weights)

        return restore

    def _check_layout(self, backup):
        """The backup's own fields: version, position, random states."""
        version = backup.get("version")
        if version != _VERSION:
            raise ValueError(
                f"unknown backup version {str(version)[:20]!r} (this "
                f"torchkeras reads version {_VERSION})")
        for key in ("epoch", "step", "model", "optimizer", "metrics",
                    "generators", "rng", "epoch_rng"):
            if key not in backup:
                raise ValueError(f"the entry '{key}' is missing")
        checks.check_position(backup["epoch"], backup["step"],
                              self.params.get("steps"))
        checks.check_rng_states(backup["rng"])
        if backup["step"]:
            checks.check_torch_state("the epoch's random state",
                                     backup["epoch_rng"])

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        backup = self._pending
        if backup is not None:
            self._resume_epoch(epoch, backup)
        self._epoch_rng = torch.get_rng_state()

    def _resume_epoch(self, epoch, backup):
        if epoch != backup["epoch"]:
            raise RuntimeError(
                f"BackupAndRestore: the backup resumes at epoch "
                f"{backup['epoch']} but `fit` started epoch {epoch}: this fit "
                "loop does not resume at the callback's `resume_point()`. "
                f"Received: "
                f"epoch={epoch}"
            )
        # `fit` reset the metrics just before this hook.
        state_lib.load_metric_states(self.model, backup["metrics"])
        if backup["step"] == 0:
            self._apply_random_states()
        else:
            # The adapter draws this epoch's order again, as it did then.
            torch.set_rng_state(backup["epoch_rng"])

    def on_train_batch_begin(self, batch, logs=None):
        backup = self._pending
        if backup is None:
            return
        if batch != backup["step"]:
            raise RuntimeError(
                f"BackupAndRestore: the backup resumes after batch "
                f"{backup['step']} of epoch {backup['epoch']}, but `fit` ran "
                f"batch {batch}: this fit loop does not resume at the "
                f"callback's `resume_point()`. Received: batch={batch}"
            )
        self._apply_random_states()

    def _apply_random_states(self):
        backup, self._pending = self._pending, None
        state_lib.set_rng_states(backup["rng"])
        state_lib.load_generator_states(self.model, backup["generators"])

    # ------------------------------------------------------------------
    # Backing up.

    def on_train_batch_end(self, batch, logs=None):
        if not self._should_save_on_batch(batch):
            return
        if batch + 1 == self.params.get("steps"):
            # The epoch's last batch: back up at its end instead, so a
            # resume never starts with an epoch whose batches are all done.
            self._save_at_epoch_end = True
            return
        self._save(self._current_epoch, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self._pending is not None:
            # Every batch of the epoch was done before the interruption.
            self._apply_random_states()
        state_lib.drop_pending_metric_load(self.model)
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch" or self._save_at_epoch_end:
            self._save_at_epoch_end = False
            self._save(epoch + 1, 0)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # A new epoch.
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save(self, epoch, step):
        """Writes the backup to resume at batch `step` of `epoch`."""
        if not is_main_process():
            return
        model = self.model
        backup = {
            "format": _FORMAT,
            "version": _VERSION,
            "epoch": epoch,
            "step": step,
            "model": state_lib.model_state(model),
            "optimizer": state_lib.optimizer_state(
                getattr(model, "optimizer", None)),
            "optimizer_class": _class_name(getattr(model, "optimizer",
                                                   None)),
        }
        if not state_lib.all_finite([backup["model"], backup["optimizer"]]):
            self._refuse_non_finite(epoch, step)
            return
        backup.update(
            metrics=state_lib.metric_states(model),
            generators=state_lib.generator_states(model),
            rng=state_lib.rng_states(),
            epoch_rng=self._epoch_rng if step else None,
        )
        _atomic.save_tensors(backup, self._path)

    def _refuse_non_finite(self, epoch, step):
        self._kept_for_nan = True
        where = (f"batch {step} of epoch {epoch + 1}" if step
                 else f"the end of epoch {epoch}")
        warnings.warn(
            "BackupAndRestore: the model's weights or optimizer state "
            f"contain NaN or Inf at {where}; not backing them up. The last "
            f"good backup in '{self.backup_dir}' is kept.", stacklevel=4)

    def on_train_end(self, logs=None):
        if not (self.delete_checkpoint and is_main_process()):
            return
        if self._kept_for_nan:
            warnings.warn(
                "BackupAndRestore: training ended after a NaN/Inf state was "
                f"refused; the last good backup in '{self.backup_dir}' is "
                "kept.", stacklevel=3)
            return
        if os.path.exists(self._path):
            os.remove(self._path)
        _atomic.remove_stale_temps(self.backup_dir, _FILENAME)
        if os.path.isdir(self.backup_dir) and not os.listdir(
                self.backup_dir):
            os.rmdir(self.backup_dir)


def _class_name(optimizer):
    return None if optimizer is None else type(optimizer).__name__


def _check_save_freq(save_freq):
    if save_freq == "epoch":
        return
    if isinstance(save_freq, int) and not isinstance(save_freq, bool) and (
            save_freq > 0):
        return
    raise ValueError(
        "Invalid value for argument `save_freq`. Expected either 'epoch' or "
        f"a positive integer value. Received: save_freq={save_freq!r}"
    )
