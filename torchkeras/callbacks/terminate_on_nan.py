"""`TerminateOnNaN`: stops training at the first NaN or Inf loss."""

import torch

from torchkeras.callbacks.callback import Callback
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.TerminateOnNaN")
class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN loss is encountered.

    It reads the batch's `"loss"` after every training batch (one host sync
    per batch, as in Keras). By default it stops training gracefully with
    `model.stop_training = True`, so `on_train_end` of every callback runs;
    with `raise_error=True` it raises `RuntimeError` at once, which skips
    that cleanup (useful to keep a `BackupAndRestore` backup).

    Args:
        raise_error: Whether to raise `RuntimeError` instead of stopping.

    Examples:
        >>> callback = TerminateOnNaN()
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error
        # The raw batch logs: only the loss is read, not every metric.
        self._supports_tf_logs = True

    def on_batch_end(self, batch, logs=None):
        loss = None if logs is None else logs.get("loss")
        if loss is None or _is_finite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. "
                f"Loss value: {float(loss)}. Terminating training "
                "immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


def _is_finite(value):
    if torch.is_tensor(value):
        return bool(torch.isfinite(value).all())
    return bool(torch.isfinite(torch.as_tensor(value)).all())
