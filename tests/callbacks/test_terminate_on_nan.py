"""TerminateOnNaN: a loss that becomes NaN (or Inf) stops training."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import TerminateOnNaN


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.01), loss="mse")
    return model


def _data(bad_row, value):
    x = np.ones((12, 2), "float32")
    x[bad_row] = value
    return x, np.zeros((12, 1), "float32")


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_stops_at_the_first_invalid_batch(value, capsys):
    model = _model()
    x, y = _data(7, value)  # Row 7 is in batch 3 (batch_size=2).
    with pytest.warns(UserWarning, match="`x` contains NaN or Inf"):
        history = model.fit(x, y, batch_size=2, epochs=5, shuffle=False,
                            verbose=0, callbacks=[TerminateOnNaN()])
    assert "Batch 3: Invalid loss, terminating training" in (
        capsys.readouterr().out)
    assert int(model.optimizer.iterations) == 4
    assert history.epoch == [0]  # The epoch still ends, then fit stops.


def test_finite_losses_train_to_the_end():
    history = _model().fit(*_data(0, 1.0), batch_size=2, epochs=2,
                           verbose=0, callbacks=[TerminateOnNaN()])
    assert history.epoch == [0, 1]


def test_raise_error_skips_the_cleanup():
    ended = []
    callbacks = [TerminateOnNaN(raise_error=True),
                 keras.callbacks.LambdaCallback(
                     on_train_end=lambda logs: ended.append(True))]
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered "
                                           "at batch 3"), pytest.warns(
            UserWarning, match="`x` contains NaN or Inf"):
        _model().fit(*_data(7, np.nan), batch_size=2, shuffle=False,
                     verbose=0, callbacks=callbacks)
    assert ended == []


def test_reads_device_logs_and_tf_keras_batch_hook():
    class Model:
        stop_training = False

    model = Model()
    callbacks = CallbackList([TerminateOnNaN()], model=model)
    callbacks.on_train_batch_end(0, {"loss": torch.tensor(0.5)})
    assert not model.stop_training
    callbacks.on_train_batch_end(1, {"loss": torch.tensor(float("nan"))})
    assert model.stop_training
