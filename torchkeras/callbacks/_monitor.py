"""`MonitorCallback`: the "is this value better?" logic of monitoring
callbacks (`ModelCheckpoint`, `EarlyStopping`).

The direction of a monitored quantity is `mode` when it is `"min"` or
`"max"`. In `"auto"` mode it is read, as Keras 3 does, from the metric of
that name (its `_direction`, `"up"` or `"down"`); losses go down; for a
metric that does not say, names that are scores (`acc`, `auc`,
`precision`, ...) go up and everything else down, as in tf.keras 2 (Keras
3 would raise instead). `ReduceLROnPlateau` keeps Keras's own simpler rule
and does not use this module.
"""

import warnings

import numpy as np

from torchkeras.callbacks.callback import Callback

# Parts of metric names whose values are better when higher (tf.keras 2
# knew only "acc" and "fmeasure"; Keras 3 metrics carry `_direction`).
_UP_NAMES = ("acc", "fmeasure", "auc", "precision", "recall", "iou",
             "f1_score", "fbeta_score", "r2_score", "sensitivity",
             "specificity", "true_positives", "true_negatives",
             "cosine_similarity")


class MonitorCallback(Callback):
    """Base class for callbacks that monitor a quantity in the logs.

    Args:
        monitor: Name of the quantity in the logs, e.g. `"val_loss"`.
        mode: `"auto"`, `"min"` or `"max"`; an unknown mode warns and falls
            back to `"auto"`.
        baseline: Initial "best" value, or `None` (the first value seen
            improves on `±inf`).
        min_delta: Minimum change that counts as an improvement (its sign is
            ignored).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None,
                 min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback "
                "to auto mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        direction = monitor_direction(self.monitor, self.mode, self.model)
        self.monitor_op = np.less if direction == "min" else np.greater
        if self.best is None:
            self.best = np.inf if direction == "min" else -np.inf

    def _is_improvement(self, monitor_value, reference_value):
        """Whether `monitor_value` beats `reference_value` by `min_delta`."""
        if reference_value is None:
            return True
        delta = -self.min_delta if self.monitor_op is np.less else (
            self.min_delta)
        return bool(self.monitor_op(monitor_value - delta, reference_value))


def monitor_direction(monitor, mode, model):
    """`"min"` or `"max"`: how the quantity `monitor` improves."""
    if mode in ("min", "max"):
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("_loss"):
        return "min"
    direction = getattr(_find_metric(model, name), "_direction", None)
    if direction in ("up", "down"):
        return "max" if direction == "up" else "min"
    if any(part in name for part in _UP_NAMES):
        return "max"
    return "min"


def flat_metrics(model):
    """The model's metric objects, compiled-metric containers expanded."""
    found = []
    for metric in getattr(model, "metrics", None) or ():
        inner = getattr(metric, "flat_metrics", None)
        if inner is not None and getattr(metric, "built", True):
            found.extend(inner)
        elif inner is None:
            found.append(metric)
    return found


def _find_metric(model, name):
    for metric in flat_metrics(model):
        if getattr(metric, "name", None) == name:
            return metric
    return None
