"""ModelCheckpoint: which files exist after scripted logs (improving epochs
worked out by hand), what they hold, and a real fit with validation.

Files are written through `model.save_weights` (the Keras 2 `.h5` layout
for these names) and read back independently with h5py.
"""

import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import ModelCheckpoint
from torchkeras.callbacks import model_checkpoint


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), loss="mse",
                  metrics=["accuracy"])
    return model


def _epochs(callback, model, logs_per_epoch, change_weights=True):
    """Runs the epoch hooks; the bias is set to the epoch number first."""
    callbacks = CallbackList([callback], model=model)
    callbacks.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        callbacks.on_epoch_begin(epoch)
        if change_weights:
            with torch.no_grad():
                model.layers[0].bias.fill_(float(epoch))
        callbacks.on_epoch_end(epoch, dict(logs))
    callbacks.on_train_end()


def _h5_weights(path):
    """{weight name: array} of a Keras 2 weights file, read with h5py."""
    import h5py

    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return found


def _saved_bias(path):
    weights = _h5_weights(path)
    (bias,) = [v for k, v in weights.items() if k.endswith("bias:0")]
    return float(bias[0])


def test_save_best_only_keeps_exactly_the_improving_epochs(tmp_path):
    pattern = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.h5")
    losses = [0.9, 0.7, 0.8, 0.5, 0.5, 0.6]
    _epochs(ModelCheckpoint(pattern, save_best_only=True), _model(),
            [{"val_loss": v, "loss": 1.0} for v in losses])
    # Improvements at epochs 1, 2 and 4 (1-based); 0.5 again is no better.
    assert sorted(os.listdir(tmp_path)) == [
        "weights.01-0.90.h5", "weights.02-0.70.h5", "weights.04-0.50.h5"]
    assert _saved_bias(tmp_path / "weights.04-0.50.h5") == 3.0


def test_single_path_is_overwritten_by_better_models_only(tmp_path):
    path = tmp_path / "best.h5"
    model = _model()
    _epochs(ModelCheckpoint(str(path), monitor="val_accuracy",
                            save_best_only=True), model,
            [{"val_accuracy": v} for v in [0.5, 0.7, 0.6, 0.65]])
    # Auto mode maximises accuracy: the best is epoch index 1.
    assert os.listdir(tmp_path) == ["best.h5"]
    assert _saved_bias(path) == 1.0


def test_min_and_max_modes_and_initial_threshold(tmp_path):
    values = [0.5, 0.3, 0.4, 0.2]
    cases = [("min", None, ["1.h5", "2.h5", "4.h5"]),
             ("max", None, ["1.h5"]),
             ("min", 0.35, ["2.h5", "4.h5"]),
             ("max", 0.55, [])]
    for mode, threshold, expected in cases:
        folder = tmp_path / f"{mode}{threshold}"
        callback = ModelCheckpoint(str(folder / "{epoch}.h5"),
                                   monitor="score", mode=mode,
                                   save_best_only=True,
                                   initial_value_threshold=threshold)
        _epochs(callback, _model(), [{"score": v} for v in values])
        found = sorted(os.listdir(folder)) if folder.exists() else []
        assert found == expected, (mode, threshold)


def test_every_epoch_and_tf_keras_period(tmp_path):
    _epochs(ModelCheckpoint(str(tmp_path / "a" / "{epoch}.h5")), _model(),
            [{}] * 3)
    assert sorted(os.listdir(tmp_path / "a")) == ["1.h5", "2.h5", "3.h5"]
    _epochs(ModelCheckpoint(str(tmp_path / "b" / "{epoch}.h5"), period=2),
            _model(), [{}] * 5)
    assert sorted(os.listdir(tmp_path / "b")) == ["2.h5", "4.h5"]


def test_save_freq_in_batches_counts_across_epochs(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.h5"),
                               save_freq=3)
    callbacks = CallbackList([callback], model=_model())
    callbacks.on_train_begin()
    for epoch in range(2):
        callbacks.on_epoch_begin(epoch)
        for batch in range(5):
            callbacks.on_train_batch_begin(batch)
            callbacks.on_train_batch_end(batch, {"loss": torch.tensor(1.0)})
        callbacks.on_epoch_end(epoch, {"loss": 1.0})
    # Batches 3, 6 and 9 overall: epoch 1 batch 3, epoch 2 batches 1, 4.
    assert sorted(os.listdir(tmp_path)) == [
        "e1-b3.h5", "e2-b1.h5", "e2-b4.h5"]


def test_uses_the_models_saving_methods_when_present(tmp_path):
    calls = []
    model = _model()
    model.save_weights = lambda path, overwrite: calls.append(
        ("save_weights", path, overwrite))
    model.save = lambda path, overwrite: calls.append(
        ("save", path, overwrite))
    _epochs(ModelCheckpoint(str(tmp_path / "w.weights.h5"),
                            save_weights_only=True), model, [{}])
    _epochs(ModelCheckpoint(str(tmp_path / "m.keras")), model, [{}])
    assert calls == [("save_weights", str(tmp_path / "w.weights.h5"), True),
                     ("save", str(tmp_path / "m.keras"), True)]


def test_nan_weights_never_overwrite_the_good_file(tmp_path):
    path = tmp_path / "last.h5"
    model = _model()
    callback = ModelCheckpoint(str(path))
    _epochs(callback, model, [{}], change_weights=False)
    good = path.read_bytes()
    with torch.no_grad():
        model.layers[0].kernel[0, 0] = float("nan")
    with pytest.warns(UserWarning, match="contain NaN or Inf at epoch 1; "
                                         "not saving"):
        _epochs(callback, model, [{}], change_weights=False)
    assert path.read_bytes() == good


def test_missing_monitor_warns_and_saves(tmp_path):
    with pytest.warns(UserWarning, match="only with val_loss available"):
        _epochs(ModelCheckpoint(str(tmp_path / "m.h5"), save_best_only=True),
                _model(), [{"loss": 1.0}])
    assert os.listdir(tmp_path) == ["m.h5"]


def test_unknown_format_field_raises_key_error(tmp_path):
    with pytest.raises(KeyError, match="Failed to format this callback"):
        _epochs(ModelCheckpoint(str(tmp_path / "{val_auc}.h5")), _model(),
                [{"loss": 1.0}])


@pytest.mark.parametrize("save_freq", ["batch", 0, -2, 1.5])
def test_invalid_save_freq(save_freq):
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ModelCheckpoint("m.h5", save_freq=save_freq)


def test_only_the_main_process_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(model_checkpoint, "is_main_process", lambda: False)
    _epochs(ModelCheckpoint(str(tmp_path / "{epoch}.h5")), _model(), [{}])
    assert os.listdir(tmp_path) == []


def test_real_fit_best_files_match_validation_history(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 2)).astype("float32")
    y = (x @ np.array([[0.7], [-0.3]], "float32")).astype("float32")
    model = _model()
    snapshots = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(
            [v.clone() for v in model.state_dict().values()]))
    checkpoint = ModelCheckpoint(
        str(tmp_path / "w.{epoch:02d}-{val_loss:.4f}.h5"),
        save_best_only=True)
    history = model.fit(x[:30], y[:30], validation_data=(x[30:], y[30:]),
                        batch_size=10, epochs=6, verbose=0,
                        callbacks=[record, checkpoint])
    val = history.history["val_loss"]
    improving = [e for e in range(len(val)) if val[e] < min(
        val[:e], default=np.inf)]
    assert sorted(os.listdir(tmp_path)) == [
        f"w.{e + 1:02d}-{val[e]:.4f}.h5" for e in improving]
    last = improving[-1]
    saved = _h5_weights(tmp_path / f"w.{last + 1:02d}-{val[last]:.4f}.h5")
    kernel = next(v for k, v in saved.items() if k.endswith("kernel:0"))
    bias = next(v for k, v in saved.items() if k.endswith("bias:0"))
    np.testing.assert_array_equal(kernel, snapshots[last][0].numpy())
    np.testing.assert_array_equal(bias, snapshots[last][1].numpy())
