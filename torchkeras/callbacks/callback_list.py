"""`CallbackList`: the one place where callback hooks are called.

The engine calls `callbacks.on_train_batch_end(step, logs)` and so on; this
module decides who receives each call and in what form:

- a hook goes only to the callbacks that override it (the base hooks are
  `@default`); `on_train_batch_*` also reach callbacks that override the
  tf.keras 2 aliases `on_batch_*`;
- `logs` values may be 0-dim tensors on the device. Callbacks with
  `_supports_tf_logs = True` get that dict as is; the others share one
  converted copy of Python floats, made once per hook call (one host
  transfer per device/dtype) and only when one of them is called;
- epoch-end logs are converted in place for everyone, so what the engine
  keeps, what callbacks add (e.g. a learning rate) and what `History`
  records are one dict of floats.

`needs_batch_logs(mode)` tells the engine whether any callback besides the
progress bar wants batch logs, i.e. whether it must build them each step.
The raw `logs` object is never read here (not even its truth value), so the
engine may pass a lazy mapping. Hooks run synchronously on the caller's
thread.
"""

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.callback import is_default
from torchkeras.callbacks.callback import python_logs
from torchkeras.callbacks.history import History
from torchkeras.callbacks.progbar_logger import ProgbarLogger
from torchkeras.utils.registry import keras_export

# A callback receives a hook when it overrides the hook or an alias that
# the base hook forwards to.
_ALIASES = {
    "on_train_batch_begin": ("on_batch_begin",),
    "on_train_batch_end": ("on_batch_end",),
}
_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


@keras_export("keras.callbacks.CallbackList")
class CallbackList(Callback):
    """Container abstracting a list of callbacks.

    Wraps `Callback` instances so they can be called together through one
    endpoint (`callback_list.on_epoch_end(...)`), as in a custom loop:

    ```python
    callbacks = keras.callbacks.CallbackList([...], add_history=True)
    callbacks.on_train_begin()
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        for step, data in enumerate(dataset):
            callbacks.on_train_batch_begin(step)
            logs = model.train_step(data)
            callbacks.on_train_batch_end(step, logs)
        callbacks.on_epoch_end(epoch, epoch_logs)
    callbacks.on_train_end(epoch_logs)
    ```

    Args:
        callbacks: List of `Callback` instances (nested lists are
            flattened), or `None`.
        add_history: Whether to add a `History` callback if `callbacks`
            holds none.
        add_progbar: Whether to add a `ProgbarLogger` callback if
            `callbacks` holds none.
        model: The `Model` these callbacks are used with.
        **params: If given, passed to each callback via `set_params`
            (`verbose`, `epochs`, `steps`).

    Examples:
        >>> callbacks = keras.callbacks.CallbackList([], add_history=True)
        >>> callbacks.on_train_begin()
        >>> callbacks.on_epoch_end(0, {"loss": 0.5})
        >>> callbacks.on_train_end()
        >>> callbacks.callbacks[0].history
        {'loss': [0.5]}
    """

    def __init__(
        self,
        callbacks=None,
        add_history=False,
        add_progbar=False,
        model=None,
        **params,
    ):
        super().__init__()
        self.callbacks = []
        self._receivers = {}
        self._receivers_size = 0
        for callback in _flatten(callbacks):
            self.append(callback)
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        self._history = None
        self._progbar = None
        for callback in self.callbacks:
            if isinstance(callback, ProgbarLogger):
                self._progbar = callback
            elif isinstance(callback, History):
                self._history = callback
        if self._history is None and add_history:
            self._history = History()
            self.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.append(self._progbar)

    def append(self, callback):
        """Adds `callback` at the end of the list."""
        if not isinstance(callback, Callback):
            raise TypeError(
                "CallbackList expects `keras.callbacks.Callback` instances. "
                f"Received: callback={callback!r}"
            )
        self.callbacks.append(callback)
        self._receivers = {}

    def __iter__(self):
        return iter(self.callbacks)

    def resume_point(self):
        """Where a callback (`BackupAndRestore`) asks ``fit`` to resume,
        read once after ``on_train_begin``: the first callback's
        ``resume_point()`` that is not None, else None."""
        for callback in self.callbacks:
            ask = getattr(callback, "resume_point", None)
            point = ask() if ask is not None else None
            if point is not None:
                return point
        return None

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            self.model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def needs_batch_logs(self, mode):
        """Whether a callback other than `ProgbarLogger` overrides a batch
        hook of `mode` (`"train"`, `"test"` or `"predict"`)."""
        if mode not in _BATCH_HOOKS:
            raise ValueError(
                "CallbackList.needs_batch_logs `mode` must be one of "
                f"{sorted(_BATCH_HOOKS)}. Received: mode={mode!r}"
            )
        return any(
            not isinstance(callback, ProgbarLogger)
            for hook in _BATCH_HOOKS[mode]
            for callback in self._receivers_of(hook)
        )

    def _receivers_of(self, hook):
        """The callbacks that override `hook` (or its alias), in order."""
        if self._receivers_size != len(self.callbacks):
            # `callbacks` was changed without `append`.
            self._receivers = {}
            self._receivers_size = len(self.callbacks)
        receivers = self._receivers.get(hook)
        if receivers is None:
            names = (hook,) + _ALIASES.get(hook, ())
            receivers = tuple(
                callback
                for callback in self.callbacks
                if any(_overrides(callback, name) for name in names)
            )
            self._receivers[hook] = receivers
        return receivers

    def _call(self, hook, args, logs, shared=False):
        """Calls `hook(*args, logs)` on each receiver.

        With `shared`, every receiver gets `logs` itself; otherwise the
        callbacks without `_supports_tf_logs` get one float copy of it.
        """
        receivers = self._receivers_of(hook)
        if not receivers:
            return
        if logs is None:
            logs = {}
        plain_logs = None
        for callback in receivers:
            if shared or getattr(callback, "_supports_tf_logs", False):
                getattr(callback, hook)(*args, logs)
                continue
            if plain_logs is None:
                plain_logs = python_logs(logs)
            getattr(callback, hook)(*args, plain_logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", (batch,), logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", (batch,), logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", (epoch,), logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = python_logs(logs, in_place=True)
        self._call("on_epoch_end", (epoch,), logs, shared=True)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", (batch,), logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", (batch,), logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", (batch,), logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", (batch,), logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", (batch,), logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", (batch,), logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", (), logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", (), logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", (), logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", (), logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", (), logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", (), logs)


def _overrides(callback, name):
    method = getattr(callback, name, None)
    return method is not None and not is_default(method)


def _flatten(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return [item for entry in callbacks for item in _flatten(entry)]
    return [callbacks]
