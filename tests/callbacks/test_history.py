"""History: Keras 3's per-epoch record."""

import torch

from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import History


class FakeModel:
    pass


def _fit(callbacks, losses, first_epoch=0):
    callbacks.on_train_begin()
    for offset, loss in enumerate(losses):
        epoch = first_epoch + offset
        callbacks.on_epoch_begin(epoch)
        logs = {"loss": torch.tensor(loss), "val_loss": torch.tensor(loss * 2)}
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end()


def test_records_floats_per_epoch():
    model = FakeModel()
    callbacks = CallbackList(
        add_history=True, model=model, verbose=0, epochs=3, steps=5
    )
    _fit(callbacks, [0.5, 0.25, 0.125])
    history = model.history
    assert isinstance(history, History)
    assert history.history == {
        "loss": [0.5, 0.25, 0.125],
        "val_loss": [1.0, 0.5, 0.25],
    }
    assert all(
        type(value) is float
        for values in history.history.values()
        for value in values
    )
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 5}
    assert history.model is model


def test_train_begin_restarts_epoch_but_keeps_history():
    # Keras 3: `on_train_begin` sets `epoch = []` and leaves `history`.
    history = History()
    callbacks = CallbackList([history], model=FakeModel())
    _fit(callbacks, [1.0, 0.5])
    _fit(callbacks, [0.25], first_epoch=2)
    assert history.epoch == [2]
    assert history.history["loss"] == [1.0, 0.5, 0.25]


def test_history_used_directly_converts_tensors():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": torch.tensor(0.75), "lr": 0.1})
    history.on_epoch_end(1)
    assert history.history == {"loss": [0.75], "lr": [0.1]}
    assert history.epoch == [0, 1]
