"""`LambdaCallback`: a callback built from plain functions."""

from torchkeras.callbacks.callback import Callback
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.LambdaCallback")
class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    Each function is called at the matching hook with positional
    arguments:

    - `on_epoch_begin` and `on_epoch_end`: `epoch`, `logs`;
    - `on_batch_begin` and `on_batch_end` (train batches, the tf.keras 2
      names): `batch`, `logs`;
    - `on_train_begin` and `on_train_end`: `logs`.

    Any other hook of `Callback` (Keras 3 spellings included, e.g.
    `on_train_batch_end`, `on_test_end`, `on_predict_batch_end`) can be
    given by name in `**kwargs` with the same arguments.

    Args:
        on_epoch_begin: called at the beginning of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_batch_begin: called at the beginning of every train batch.
        on_batch_end: called at the end of every train batch.
        on_train_begin: called at the beginning of model training.
        on_train_end: called at the end of model training.
        **kwargs: other hooks, `hook_name=function`.

    Examples:
        >>> losses = []
        >>> record_loss = LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_batch_begin=None,
        on_batch_end=None,
        on_train_begin=None,
        on_train_end=None,
        **kwargs,
    ):
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_batch_begin": on_batch_begin,
            "on_batch_end": on_batch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
        }
        hooks.update(kwargs)
        for name, function in hooks.items():
            _check_hook(name, function)
            if function is not None:
                setattr(self, name, function)


def _check_hook(name, function):
    if not (name.startswith("on_") and hasattr(Callback, name)):
        raise ValueError(
            "LambdaCallback keyword arguments must be `Callback` hook names "
            "such as `on_epoch_end` or `on_train_batch_end`. "
            f"Received: {name}={function!r}"
        )
    if function is not None and not callable(function):
        raise TypeError(
            f"LambdaCallback `{name}` must be a callable or None. "
            f"Received: {name}={function!r}"
        )
