"""LearningRateScheduler: the learning rate each epoch trains with."""

import math

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import LearningRateScheduler


def _model(optimizer=None):
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    model.compile(optimizer or keras.optimizers.SGD(), loss="mse")
    return model


X, Y = np.arange(100).reshape(5, 20) / 100.0, np.zeros((5, 10))


def test_keras_docstring_example():
    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    model = _model()
    assert round(model.optimizer.learning_rate, 5) == 0.01
    model.fit(X, Y, epochs=15, verbose=0,
              callbacks=[LearningRateScheduler(scheduler)])
    # 0.01 * exp(-0.5), as in Keras's docstring.
    assert round(model.optimizer.learning_rate, 5) == 0.00607


def test_learning_rate_in_effect_during_each_epoch():
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0:
                seen.append(self.model.optimizer.param_groups[0]["lr"])

    model = _model()
    history = model.fit(X, Y, epochs=3, batch_size=5, verbose=0,
                        callbacks=[LearningRateScheduler(
                            lambda epoch, lr: 0.5 ** epoch), Record()])
    assert seen == [1.0, 0.5, 0.25]
    assert history.history["learning_rate"] == [1.0, 0.5, 0.25]


def test_one_argument_schedule_and_torch_optimizer():
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    model.compile(optimizer, loss="mse")
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[
        LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert optimizer.param_groups[0]["lr"] == 0.05


def test_non_float_schedule_output_is_refused():
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        _model().fit(X, Y, epochs=1, verbose=0, callbacks=[
            LearningRateScheduler(lambda epoch, lr: 1)])


def test_verbose_message(capsys):
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[
        LearningRateScheduler(lambda epoch, lr: 0.2, verbose=1)])
    assert ("Epoch 1: LearningRateScheduler setting learning rate to 0.2."
            in capsys.readouterr().out)
