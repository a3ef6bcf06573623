"""`ProgbarLogger`: the callback that drives `utils.Progbar` in the engine.

It receives the engine's raw logs (`_supports_tf_logs`), whose values are
0-dim tensors on the device, and turns them into floats only when the bar
is redrawn: at most every `_REFRESH_INTERVAL` seconds in a terminal or
notebook, and never between batches when writing to a log file (one line
per epoch). So a step costs a clock read, not a host sync. The bar itself
is `torchkeras.utils.progbar`; which process prints (rank 0) is the
engine's choice.

What a `fit` leaves in a notebook: an `Epoch i/n` line on stdout before
each epoch (when there are several), then that epoch's bar as one display
output updated in place; `evaluate` and `predict` add one display each.
With `verbose=2` every bar is one plain stdout line instead.
"""

import numbers
import sys
import time

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.callback import python_logs
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.registry import keras_export

# Seconds between two redraws of a running bar.
_REFRESH_INTERVAL = 0.1


@keras_export("keras.callbacks.ProgbarLogger")
class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    Reads `params["verbose"]` (0, 1, 2, or `"auto"` = 1),
    `params["epochs"]` and `params["steps"]` (`None` when unknown: it is
    learnt at the end of the first epoch). Prints `Epoch i/n` before each
    epoch when there are several, one bar per epoch, and a bar for
    `evaluate` and `predict` run outside `fit` (validation inside `fit` is
    silent). The values shown during training are the engine's running
    metric results, so all metrics are displayed as given.

    Args:
        count_mode: `"steps"` or `"samples"`. The engine counts steps;
            `"samples"` uses `params["samples"]` as the target when given
            and otherwise counts steps too.
        stateful_metrics: Accepted for tf.keras compatibility; every metric
            is already treated as stateful.

    Raises:
        ValueError: In case of invalid `count_mode`.

    Examples:
        >>> logger = keras.callbacks.ProgbarLogger()
        >>> logger.set_params({"verbose": 1, "epochs": 1, "steps": 2})
        >>> logger.on_train_begin()
        >>> logger.on_epoch_begin(0)
        >>> logger.on_train_batch_end(0, {"loss": 0.5})
        >>> logger.on_train_batch_end(1, {"loss": 0.25})
        >>> logger.on_epoch_end(0, {"loss": 0.25})
        2/2 [====================] ... - loss: 0.2500
    """

    _supports_tf_logs = True

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError(
                'ProgbarLogger `count_mode` must be "steps" or "samples". '
                f"Received: count_mode={count_mode}"
            )
        self.count_mode = count_mode
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False
        self._last_refresh = None

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")
        if self.count_mode == "samples" and params.get("samples"):
            self.target = params["samples"]

    def on_train_begin(self, logs=None):
        # Validation inside `fit` is silent.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs > 1 and sys.stdout is not None:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_predict_batch_end(self, batch, logs=None):
        # Predictions are not metrics: show progress only.
        self._update_progbar(batch, None)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    def _reset_progbar(self):
        # A new bar starts its clock now, before the first batch runs.
        self.seen = 0
        self.progbar = None
        self._last_refresh = None
        self._maybe_init_progbar()

    def _maybe_init_progbar(self):
        if self.progbar is None:
            # `interval=0`: this callback throttles redraws itself;
            # `stateless_metrics=()`: every metric is shown as given.
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                interval=0.0,
                stateless_metrics=(),
                unit_name="step",
            )

    def _update_progbar(self, batch, logs):
        self._maybe_init_progbar()
        self.seen = batch + 1
        if not self._redraws_between_batches():
            return
        now = time.monotonic()
        last = self._last_refresh
        if last is not None and now - last < _REFRESH_INTERVAL:
            return
        self._last_refresh = now
        self.progbar.update(self.seen, _values(logs), finalize=False)

    def _redraws_between_batches(self):
        return self.verbose == 1 and self.progbar._dynamic_display

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, _values(logs), finalize=True)


def _values(logs):
    """The Progbar `(name, float)` pairs of `logs`: one host transfer."""
    if logs is None:
        return None
    return [
        (name, value)
        for name, value in python_logs(logs).items()
        if isinstance(value, numbers.Real)
    ]
