"""The `Callback` base class, its `@default` marker, and log conversion.

Every hook of the base class is marked with `@default`, as tf.keras marks
them with `generic_utils.default`, so `CallbackList` can tell which hooks a
callback overrides and call only those: when no callback overrides a batch
hook, the engine never has to build per-batch logs.

`python_logs` turns the engine's logs (0-dim torch tensors that may live
on an accelerator) into Python floats with one host transfer per
device/dtype; it is used by `CallbackList`, `ProgbarLogger` and
`History`. Hooks are called only from `callbacks/callback_list.py`.
"""

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel

from torchkeras.utils.registry import keras_export


def default(method):
    """Marks `method` as a base-class hook that does nothing by itself."""
    method._is_default = True
    return method


def is_default(method):
    """Whether `method` is a `@default` hook (i.e. not overridden)."""
    return getattr(method, "_is_default", False)


@keras_export("keras.callbacks.Callback")
class Callback:
    """Base class used to build new callbacks.

    Callbacks are passed to `fit()`, `evaluate()` and `predict()` to hook
    into the stages of training, evaluation and inference. Subclass it and
    override the hooks you need; `self.model` is the model being run and
    `self.params` a dict of run parameters (`verbose`, `epochs`, `steps`).

    Hooks receive `logs` dicts of Python floats. A callback that sets
    `_supports_tf_logs = True` receives the engine's raw logs instead:
    values may be 0-dim torch tensors still on the device, and reading
    them syncs the host (this is how `ProgbarLogger` stays cheap).

    `on_batch_begin` / `on_batch_end` are the tf.keras 2 spellings of
    `on_train_batch_begin` / `on_train_batch_end`; the train-batch hooks
    call them unless overridden.

    Examples:
        >>> class StopAfterOneEpoch(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.model.stop_training = True

    Attributes:
        params: Dict. Training parameters (verbosity, epochs, steps).
        model: The `Model` being trained, evaluated or run.
    """

    _supports_tf_logs = False

    def __init__(self):
        self.params = {}
        self._model = None
        # tf.keras 2 attribute, kept for scripts that read it.
        self.validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        # Callbacks call Keras methods on the model; give them the module
        # inside a DDP wrapper, as Keras 3 does.
        model = getattr(self, "_model", None)
        if isinstance(model, DistributedDataParallel):
            return model.module
        return model

    @model.setter
    def model(self, model):
        # tf.keras 2 callbacks assign `self.model` directly.
        self._model = model

    @default
    def on_batch_begin(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_begin`."""

    @default
    def on_batch_end(self, batch, logs=None):
        """A backwards compatibility alias for `on_train_batch_end`."""

    @default
    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only).

        Args:
            epoch: Integer, index of epoch.
            logs: Dict. Currently empty.
        """

    @default
    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch (training only).

        Args:
            epoch: Integer, index of epoch.
            logs: Dict of metric results for this epoch, and for the
                validation run (keys prefixed with `val_`), e.g.
                `{'loss': 0.2, 'accuracy': 0.7}`.
        """

    @default
    def on_train_batch_begin(self, batch, logs=None):
        """Called at the beginning of a training batch in `fit`.

        With `steps_per_execution=N` it is called every `N` batches.

        Args:
            batch: Integer, index of batch within the current epoch.
            logs: Dict. Currently empty.
        """
        self.on_batch_begin(batch, logs)

    @default
    def on_train_batch_end(self, batch, logs=None):
        """Called at the end of a training batch in `fit`.

        Args:
            batch: Integer, index of batch within the current epoch.
            logs: Dict. Aggregated metric results up until this batch.
        """
        self.on_batch_end(batch, logs)

    @default
    def on_test_batch_begin(self, batch, logs=None):
        """Called at the beginning of a batch in `evaluate` (and of a
        validation batch in `fit`).

        Args:
            batch: Integer, index of batch within the current epoch.
            logs: Dict. Currently empty.
        """

    @default
    def on_test_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `evaluate` (and of a validation
        batch in `fit`).

        Args:
            batch: Integer, index of batch within the current epoch.
            logs: Dict. Aggregated metric results up until this batch.
        """

    @default
    def on_predict_batch_begin(self, batch, logs=None):
        """Called at the beginning of a batch in `predict`.

        Args:
            batch: Integer, index of batch within the current epoch.
            logs: Dict. Currently empty.
        """

    @default
    def on_predict_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `predict`.

        Args:
            batch: Integer, index of batch within the current epoch.
            logs: Dict with the batch's `outputs`.
        """

    @default
    def on_train_begin(self, logs=None):
        """Called at the beginning of training.

        Args:
            logs: Dict. Currently empty.
        """

    @default
    def on_train_end(self, logs=None):
        """Called at the end of training.

        Args:
            logs: Dict. The logs of the last `on_epoch_end`.
        """

    @default
    def on_test_begin(self, logs=None):
        """Called at the beginning of evaluation or validation.

        Args:
            logs: Dict. Currently empty.
        """

    @default
    def on_test_end(self, logs=None):
        """Called at the end of evaluation or validation.

        Args:
            logs: Dict. The metric results of the evaluation.
        """

    @default
    def on_predict_begin(self, logs=None):
        """Called at the beginning of prediction.

        Args:
            logs: Dict. Currently empty.
        """

    @default
    def on_predict_end(self, logs=None):
        """Called at the end of prediction.

        Args:
            logs: Dict. Currently empty.
        """


def python_logs(logs, in_place=False):
    """Returns `logs` with 0-dim tensors and NumPy scalars as floats.

    Nested dicts are converted too. All 0-dim tensors on one device with one
    dtype come to the host in a single transfer (`torch.stack(...).tolist()`),
    so a dict of CUDA metric results costs one sync. Other values (Python
    numbers, strings, non-scalar tensors such as predict outputs) are kept.

    Args:
        logs: Dict of logs, or `None` (gives `{}`).
        in_place: Whether to replace the values inside `logs` (and its
            nested dicts) instead of returning a converted copy.
    """
    if logs is None:
        return {}
    result = logs if in_place else _copy_dicts(logs)
    slots = {}
    _collect_scalars(result, slots)
    for group in slots.values():
        tensors = [tensor.detach() for _, _, tensor in group]
        values = torch.stack(tensors).tolist()
        for (container, key, _), value in zip(group, values):
            container[key] = float(value)
    return result


def _copy_dicts(logs):
    return {
        key: _copy_dicts(value) if isinstance(value, dict) else value
        for key, value in logs.items()
    }


def _collect_scalars(logs, slots):
    """Converts NumPy scalars now and groups 0-dim tensors into `slots`."""
    for key, value in logs.items():
        if isinstance(value, dict):
            _collect_scalars(value, slots)
        elif _is_real_scalar(value) and isinstance(value, torch.Tensor):
            group = slots.setdefault((value.device, value.dtype), [])
            group.append((logs, key, value))
        elif _is_real_scalar(value):
            logs[key] = float(value)


def _is_real_scalar(value):
    """0-dim torch tensor or NumPy value of a bool, int or float dtype."""
    if isinstance(value, torch.Tensor):
        return value.dim() == 0 and not value.is_complex()
    if isinstance(value, (np.generic, np.ndarray)):
        return value.ndim == 0 and value.dtype.kind in "biuf"
    return False
