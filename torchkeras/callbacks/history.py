"""`History`: the per-epoch record that `fit` returns."""

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.callback import python_logs
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.History")
class History(Callback):
    """Callback that records events into a `History` object.

    `fit` adds one to every run and returns it. As in Keras 3, each epoch's
    logs are appended on `on_epoch_end`; `on_train_begin` restarts `epoch`
    but keeps `history`, so a `History` passed to several `fit` calls keeps
    growing (the one `fit` adds itself is new for each call).

    Attributes:
        history: Dict mapping each log key (`loss`, `val_loss`, ...) to the
            list of its per-epoch values (Python floats).
        epoch: List of the epoch indices recorded in the current run.
        params: The `params` dict of the run (`verbose`, `epochs`,
            `steps`).
        model: The model trained.

    Examples:
        >>> history = keras.callbacks.History()
        >>> history.on_train_begin()
        >>> history.on_epoch_end(0, {"loss": 0.5})
        >>> history.on_epoch_end(1, {"loss": 0.25})
        >>> history.epoch, history.history
        ([0, 1], {'loss': [0.5, 0.25]})
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in python_logs(logs).items():
            self.history.setdefault(key, []).append(value)
        # Point the model at the latest state, as Keras does.
        if self.model is not None:
            self.model.history = self

    def plot(self, metrics=None, to_file=None):
        """Plots the recorded curves (matplotlib): see `utils.plot_history`.

        Returns the matplotlib `Figure`; in Jupyter it shows inline.
        """
        from torchkeras.utils.plotting import plot_history

        return plot_history(self, metrics=metrics, to_file=to_file)
