"""ReduceLROnPlateau: learning-rate changes against scripted logs (worked
out by hand from Keras's rule), on Keras and torch optimizers, and in a
real fit."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import ReduceLROnPlateau


class FakeModel:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.stop_training = False


def _run(callback, optimizer, values, monitor="val_loss"):
    """Returns (logged learning rates, learning rates after each epoch)."""
    callbacks = CallbackList([callback], model=FakeModel(optimizer))
    callbacks.on_train_begin()
    logged, after = [], []
    for epoch, value in enumerate(values):
        logs = {monitor: value}
        callbacks.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
        # The learning rate is a variable: read its value now.
        after.append(float(callback.model.optimizer.learning_rate)
                     if hasattr(optimizer, "learning_rate")
                     else optimizer.param_groups[0]["lr"])
    return logged, after


def test_reduces_after_patience_then_cools_down():
    optimizer = keras.optimizers.SGD(learning_rate=1.0)
    callback = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1)
    logged, after = _run(callback, optimizer,
                         [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5])
    # Reductions at epochs 2 and 5; epoch 3 and 6 are cooldown epochs.
    assert after == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert logged == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_min_delta_and_min_lr():
    optimizer = keras.optimizers.SGD(learning_rate=1.0)
    # 0.95 is not below 1.0 - 0.1: no improvement, so reductions follow.
    callback = ReduceLROnPlateau(factor=0.1, patience=1, min_delta=0.1,
                                 min_lr=0.3)
    _, after = _run(callback, optimizer, [1.0, 0.95, 0.92, 0.91])
    assert after == [1.0, 0.3, 0.3, 0.3]


def test_max_mode_for_accuracy_in_auto_mode():
    optimizer = keras.optimizers.SGD(learning_rate=1.0)
    callback = ReduceLROnPlateau(monitor="val_acc", factor=0.5, patience=1,
                                 min_delta=0.0)
    _, after = _run(callback, optimizer, [0.5, 0.6, 0.6, 0.7],
                    monitor="val_acc")
    assert after == [1.0, 1.0, 0.5, 0.5]


def test_torch_optimizer_every_param_group_changes():
    a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    optimizer = torch.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.2)
    callback = ReduceLROnPlateau(factor=0.5, patience=1)
    _run(callback, optimizer, [1.0, 1.0])
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.1]


def test_missing_monitor_warns():
    optimizer = keras.optimizers.SGD(learning_rate=1.0)
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        _, after = _run(ReduceLROnPlateau(patience=0), optimizer, [1.0],
                        monitor="loss")
    assert after == [1.0]


def test_factor_of_one_or_more_is_refused():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ReduceLROnPlateau(factor=1.0)


def test_tf_keras_epsilon_alias():
    assert ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5


def test_real_fit_changes_the_learning_rate_used_by_the_optimizer():
    model = keras.Sequential([keras.Input((2,)),
                              keras.layers.Dense(1, use_bias=False)])
    model.compile(keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    callback = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                 min_delta=0.0)
    # Zero inputs and targets: a loss of 0 throughout, a plateau.
    history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=4,
                        batch_size=2, verbose=0, callbacks=[callback])
    assert history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.025]
    assert model.optimizer.param_groups[0]["lr"] == 0.0125
