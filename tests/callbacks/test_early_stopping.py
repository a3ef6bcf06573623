"""EarlyStopping: decisions against scripted logs (expected epochs worked
out by hand from Keras 3's rule), then against real short fits."""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import EarlyStopping


class FakeModel:
    """Weights are the epoch number at which they were produced."""

    def __init__(self):
        self.stop_training = False
        self.epoch = -1

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.epoch = int(weights[0])


def _run(callback, values, monitor="val_loss"):
    """Feeds one logged value per epoch; returns (epochs run, model)."""
    model = FakeModel()
    callbacks = CallbackList([callback], model=model, epochs=len(values))
    callbacks.on_train_begin()
    ran = []
    for epoch, value in enumerate(values):
        model.epoch = epoch
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, {monitor: value, "other": 0.0})
        ran.append(epoch)
        if model.stop_training:
            break
    callbacks.on_train_end()
    return ran, model


def test_stops_after_patience_without_improvement():
    ran, _ = _run(EarlyStopping(patience=2), [1.0, 0.8, 0.85, 0.9, 0.7])
    assert ran == [0, 1, 2, 3]


def test_restores_weights_of_the_best_epoch():
    callback = EarlyStopping(patience=2, restore_best_weights=True)
    ran, model = _run(callback, [1.0, 0.8, 0.85, 0.9, 0.7])
    assert ran == [0, 1, 2, 3]
    assert model.epoch == 1
    assert (callback.stopped_epoch, callback.best_epoch) == (3, 1)


def test_restores_best_weights_even_without_stopping():
    ran, model = _run(EarlyStopping(patience=5, restore_best_weights=True),
                      [1.0, 0.5, 0.7, 0.9])
    assert ran == [0, 1, 2, 3]
    assert model.epoch == 1


def test_min_delta_smaller_changes_do_not_count():
    # 0.95 + 0.1 is not below 1.0: no improvement at epoch 1.
    ran, _ = _run(EarlyStopping(patience=1, min_delta=0.1),
                  [1.0, 0.95, 0.8])
    assert ran == [0, 1]
    ran, _ = _run(EarlyStopping(patience=1, min_delta=-0.1),
                  [1.0, 0.85, 0.7, 0.65])
    assert ran == [0, 1, 2, 3]


def test_baseline_not_beaten_keeps_counting():
    values = [0.9, 0.8, 0.85, 0.8]
    ran, _ = _run(EarlyStopping(patience=2), values)
    assert ran == [0, 1, 2, 3]
    # Improvements that stay above the baseline do not reset the wait.
    ran, _ = _run(EarlyStopping(patience=2, baseline=0.5), values)
    assert ran == [0, 1, 2]


def test_max_mode_and_auto_mode_for_accuracy():
    values = [0.5, 0.6, 0.55, 0.58]
    for callback in (EarlyStopping(monitor="val_accuracy", patience=1),
                     EarlyStopping(monitor="val_thing", mode="max",
                                   patience=1)):
        ran, _ = _run(callback, values, monitor=callback.monitor)
        assert ran == [0, 1, 2]


def test_start_from_epoch_ignores_warm_up():
    ran, _ = _run(EarlyStopping(monitor="loss", patience=1,
                                start_from_epoch=2),
                  [5.0, 6.0, 3.0, 4.0, 1.0], monitor="loss")
    assert ran == [0, 1, 2, 3]


def test_reuse_resets_state():
    callback = EarlyStopping(patience=1)
    assert _run(callback, [1.0, 2.0, 3.0])[0] == [0, 1]
    assert _run(callback, [5.0, 4.0, 3.0])[0] == [0, 1, 2]


def test_missing_monitor_warns_and_continues():
    callback = EarlyStopping(monitor="val_acc")
    with pytest.warns(UserWarning, match="`val_acc` which is not available"):
        ran, _ = _run(callback, [1.0, 1.0], monitor="loss")
    assert ran == [0, 1]


def test_unknown_mode_warns_and_uses_auto():
    with pytest.warns(UserWarning, match="mode 'up' is unknown"):
        callback = EarlyStopping(mode="up")
    assert callback.mode == "auto"


def _frozen_model():
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    return model


def test_keras_docstring_example_runs_four_epochs():
    # Keras's example: a constant loss and patience=3 give 4 epochs.
    callback = EarlyStopping(monitor="loss", patience=3)
    history = _frozen_model().fit(
        np.arange(100).reshape(5, 20), np.zeros(5), epochs=10,
        batch_size=1, callbacks=[callback], verbose=0)
    assert len(history.history["loss"]) == 4


def test_real_fit_restores_the_best_epoch_weights():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    snapshots = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(
            model.get_weights()))
    # From epoch 3 on, a huge learning rate makes the loss blow up.
    blow_up = keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: 0.05 if epoch < 3 else 2.0)
    stop = EarlyStopping(monitor="loss", patience=1,
                         restore_best_weights=True)
    history = model.fit(x, y, batch_size=8, epochs=10, verbose=0,
                        callbacks=[blow_up, record, stop])
    losses = history.history["loss"]
    best = int(np.argmin(losses))
    assert len(losses) == best + 2  # One epoch without improvement.
    for restored, expected in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(restored, expected)
