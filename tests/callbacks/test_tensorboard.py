"""TensorBoard: event files read back with tensorboard's own reader.

Needs the optional `tensorboard` package (`torchkeras[tensorboard]`).
"""

import importlib.util
import os

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.callbacks import TensorBoard

pytest.importorskip(
    "tensorboard", reason="the optional `tensorboard` extra is not "
    "installed; the TensorBoard callback needs it")

from tensorboard.backend.event_processing import (  # noqa: E402
    event_accumulator,
)

EPOCHS = 3
STEPS = 4  # 16 samples, batch_size 4.


def _read(folder):
    reader = event_accumulator.EventAccumulator(
        str(folder), size_guidance={event_accumulator.SCALARS: 0,
                                    event_accumulator.HISTOGRAMS: 0})
    reader.Reload()
    return reader


def _scalars(reader, tag):
    events = reader.Scalars(tag)
    return [e.step for e in events], [e.value for e in events]


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("logs")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(4, activation="relu",
                                                 name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile(keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    callback = TensorBoard(str(log_dir), histogram_freq=1, update_freq=3)
    history = model.fit(x, y, batch_size=4, epochs=EPOCHS, verbose=0,
                        validation_data=(x[:8], y[:8]),
                        callbacks=[callback])
    return log_dir, history.history, model


def test_layout_is_train_and_validation(logged):
    log_dir, _, _ = logged
    assert sorted(os.listdir(log_dir)) == ["train", "validation"]


def test_epoch_scalars_are_the_history(logged):
    log_dir, history, _ = logged
    train, val = _read(log_dir / "train"), _read(log_dir / "validation")
    for name in ("loss", "mae", "learning_rate"):
        steps, values = _scalars(train, "epoch_" + name)
        assert steps == list(range(EPOCHS))
        expected = history[name] if name in history else [0.05] * EPOCHS
        np.testing.assert_array_equal(values, np.float32(expected))
    for name in ("loss", "mae"):
        steps, values = _scalars(val, "epoch_" + name)
        assert steps == list(range(EPOCHS))
        np.testing.assert_array_equal(values,
                                      np.float32(history["val_" + name]))


def test_batch_scalars_every_update_freq_batches(logged):
    train = _read(logged[0] / "train")
    for name in ("batch_loss", "batch_mae"):
        steps, _ = _scalars(train, name)
        assert steps == [3, 6, 9, 12]  # Global batches 1..12, every 3rd.


def test_evaluation_vs_iterations_on_validation(logged):
    log_dir, history, _ = logged
    steps, values = _scalars(_read(log_dir / "validation"),
                             "evaluation_loss_vs_iterations")
    assert steps == [STEPS * (epoch + 1) for epoch in range(EPOCHS)]
    np.testing.assert_array_equal(values, np.float32(history["val_loss"]))


def test_weight_histograms_and_graph(logged):
    train = _read(logged[0] / "train")
    tags = train.Tags()
    assert sorted(tags["histograms"]) == [
        "hidden/bias/histogram", "hidden/kernel/histogram",
        "out/bias/histogram", "out/kernel/histogram"]
    events = train.Histograms("hidden/kernel/histogram")
    assert [e.step for e in events] == list(range(EPOCHS))
    kernel = logged[2].get_weights()[0]
    last = events[-1].histogram_value
    assert (last.min, last.max, last.num) == (
        pytest.approx(kernel.min()), pytest.approx(kernel.max()), 12)
    assert tags["graph"]
    names = [node.name for node in train.Graph().node]
    assert any("Dense[hidden]" in name for name in names)


def test_epoch_only_by_default_and_no_graph(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, batch_size=2,
              verbose=0, callbacks=[TensorBoard(str(tmp_path),
                                                write_graph=False)])
    train = _read(tmp_path / "train")
    assert sorted(train.Tags()["scalars"]) == ["epoch_learning_rate",
                                               "epoch_loss"]
    assert not train.Tags()["graph"]
    assert not (tmp_path / "validation").exists()


def test_missing_tensorboard_package_is_reported(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: (
        None if name == "tensorboard" else real(name, *a)))
    with pytest.raises(ImportError, match="pip install tensorboard"):
        TensorBoard("logs")


@pytest.mark.parametrize("kwargs, match", [
    ({"profile_batch": 2}, "profile_batch=2"),
    ({"update_freq": 0}, "update_freq=0"),
    ({"update_freq": "step"}, "update_freq='step'"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TensorBoard("logs", **kwargs)
