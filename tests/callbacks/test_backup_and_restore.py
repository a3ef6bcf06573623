"""BackupAndRestore in one process: interruptions raised from a callback,
the backup file's content, NaN guards and argument checks.

Runs reuse `fault_tolerance_script.py` (shuffled data, unseeded and seeded
Dropout, Adam, backups every 7 of 24 batches per epoch); the reference is
the same run without interruption. Real SIGKILLs are in
`test_backup_fault_tolerance.py`.
"""

import importlib.util
import os
import pathlib
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import BackupAndRestore

HERE = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "fault_tolerance_script", HERE / "fault_tolerance_script.py")
script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)

EPOCHS = 3
BACKUP = "latest.backup.pt"


class Interrupt(Exception):
    pass


class InterruptAt(keras.callbacks.Callback):
    """Raises before global training batch `step`."""

    def __init__(self, step):
        super().__init__()
        self.step = step
        self.first = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.first = epoch * self.params["steps"]

    def on_train_batch_begin(self, batch, logs=None):
        if self.first + batch == self.step:
            raise Interrupt(self.step)


def _weights(model):
    """The `state_dict` values in order (layer names vary by session)."""
    return [v.detach().clone() for v in model.state_dict().values()]


def _saved_weights(backup):
    return backup["model"]["values"]


def _assert_same_weights(a, b):
    assert len(a) == len(b)
    for index, (left, right) in enumerate(zip(a, b)):
        assert torch.equal(left, right), index


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("reference")
    model, history = script.train(str(run_dir), epochs=EPOCHS)
    return _weights(model), history.history


@pytest.mark.parametrize("step", [5, 30, 50, 71])
def test_interrupted_fit_resumes_to_identical_weights(tmp_path, reference,
                                                      step):
    with pytest.raises(Interrupt):
        script.train(str(tmp_path), [InterruptAt(step)], epochs=EPOCHS)
    # Something else draws random numbers between the two runs.
    torch.rand(100)
    np.random.rand(10)
    model, history = script.train(str(tmp_path), epochs=EPOCHS)
    _assert_same_weights(_weights(model), reference[0])
    first_epoch = (step // 7 * 7) // script.STEPS_PER_EPOCH
    assert history.epoch == list(range(first_epoch, EPOCHS))
    for key, values in history.history.items():
        assert values == reference[1][key][first_epoch:], key
    assert not (tmp_path / "backup").exists()


def test_backup_file_holds_the_training_state(tmp_path):
    with pytest.raises(Interrupt):
        script.train(str(tmp_path), [InterruptAt(30)], epochs=EPOCHS)
    backup = torch.load(tmp_path / "backup" / BACKUP, weights_only=True)
    # Saved after batch 28 = epoch 1, 4 batches done.
    assert (backup["epoch"], backup["step"]) == (1, 4)
    assert backup["optimizer"]["keras"]["iterations"] == 28
    assert set(backup["metrics"]) == {"loss", "mae"}
    assert backup["metrics"]["mae"]["count"].item() == 4 * script.BATCH_SIZE
    names = [name for name, _ in script.build_model().named_modules()]
    ((position, device, state),) = backup["generators"]
    assert (names[position], device) == ("dropout_1", "cpu")
    assert state.dtype == torch.uint8
    assert set(backup["rng"]) == {"torch", "cuda", "numpy", "python"}
    assert backup["epoch_rng"].dtype == torch.uint8


def test_keras_example_epoch_interruption(tmp_path):
    """Keras's docstring example: interrupted at epoch 4 of 10, the second
    `fit` runs the 6 remaining epochs."""

    class InterruptingCallback(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 4:
                raise RuntimeError("Interrupting!")

    callback = BackupAndRestore(backup_dir=str(tmp_path / "backup"))
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    model.compile(keras.optimizers.SGD(), loss="mse")
    # Scaled down from the docstring's values, which make SGD diverge.
    x, y = np.arange(100).reshape(5, 20) / 100, np.zeros(5)
    with pytest.raises(RuntimeError, match="Interrupting"):
        model.fit(x, y, epochs=10, batch_size=1, verbose=0,
                  callbacks=[callback, InterruptingCallback()])
    history = model.fit(x, y, epochs=10, batch_size=1, verbose=0,
                        callbacks=[callback])
    assert len(history.history["loss"]) == 6
    assert history.epoch == [4, 5, 6, 7, 8, 9]


def test_torch_optimizer_state_is_restored(tmp_path):
    def run(callbacks):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05,
                                    momentum=0.9)
        model.compile(optimizer, loss="mse")
        x = np.linspace(-1, 1, 48, dtype="float32").reshape(16, 3)
        y = np.stack([x.sum(1), x[:, 0]], 1)
        backup = BackupAndRestore(str(tmp_path / "backup"), save_freq=3)
        model.fit(x, y, batch_size=2, epochs=3, verbose=0,
                  callbacks=[backup, *callbacks])
        return _weights(model)

    expected = run([])
    with pytest.raises(Interrupt):
        run([InterruptAt(13)])
    _assert_same_weights(run([]), expected)


def test_delete_checkpoint_false_keeps_the_finished_state(tmp_path):
    model, _ = _small_fit(tmp_path, epochs=2, delete_checkpoint=False)
    backup = torch.load(tmp_path / BACKUP, weights_only=True)
    assert (backup["epoch"], backup["step"]) == (2, 0)
    _assert_same_weights(_saved_weights(backup), _weights(model))
    # A new fit resumes after the last epoch: nothing left to train.
    again, history = _small_fit(tmp_path, epochs=2, delete_checkpoint=False)
    assert history.epoch == []
    _assert_same_weights(_weights(again), _weights(model))


def _small_fit(folder, epochs, callbacks=(), x=None, **kwargs):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), loss="mse")
    x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32") if x is None else x
    backup = BackupAndRestore(str(folder), **kwargs)
    history = model.fit(x, np.ones((len(x), 1), "float32"), epochs=epochs,
                        batch_size=1, verbose=0,
                        callbacks=[backup, *callbacks])
    return model, history


def test_nan_loss_stops_and_no_file_gets_nan_weights(tmp_path, capsys):
    """An infinite learning rate at epoch 3 makes the loss NaN:
    TerminateOnNaN stops training; the backup and the checkpoint keep the
    weights of epoch 2 instead of taking the NaN ones."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), loss="mse")
    snapshots = []
    callbacks = [
        keras.callbacks.LearningRateScheduler(
            lambda epoch, lr: float("inf") if epoch == 2 else 0.1),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: (
            snapshots.append(_weights(model)))),
        keras.callbacks.ModelCheckpoint(str(tmp_path / "last.h5")),
        BackupAndRestore(str(tmp_path / "backup")),
    ]
    x = np.array([[1.0, 2.0], [3.0, 4.0], [0.5, 1.0], [2.0, 1.0]], "float32")
    with pytest.warns(UserWarning) as record:
        history = model.fit(x, np.ones((4, 1), "float32"), epochs=5,
                            batch_size=2, verbose=0, callbacks=callbacks)
    assert "Batch 1: Invalid loss, terminating training" in (
        capsys.readouterr().out)
    assert history.epoch == [0, 1, 2]
    assert not all(torch.isfinite(w).all() for w in _weights(model))
    messages = [str(w.message) for w in record]
    assert len(messages) == 3, messages
    assert ("ModelCheckpoint: the model's weights contain NaN or Inf at "
            "epoch 3") in messages[0]
    assert "NaN or Inf at the end of epoch 3" in messages[1]
    assert "is kept" in messages[2]
    backup = torch.load(tmp_path / "backup" / BACKUP, weights_only=True)
    assert (backup["epoch"], backup["step"]) == (2, 0)
    _assert_same_weights(_saved_weights(backup), snapshots[1])
    model.load_weights(str(tmp_path / "last.h5"))  # the Keras .h5 file
    _assert_same_weights(_weights(model), snapshots[1])


def test_unbuilt_model_is_refused(tmp_path):
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile("sgd", loss="mse")
    data = keras.data.Dataset.from_tensor_slices(
        (np.ones((4, 2), "float32"), np.ones((4, 1), "float32"))).batch(2)
    with pytest.raises(ValueError, match="must be built before"):
        model.fit(data, epochs=1, verbose=0,
                  callbacks=[BackupAndRestore(str(tmp_path))])


def test_backup_of_another_model_is_refused(tmp_path):
    _small_fit(tmp_path, epochs=1, delete_checkpoint=False)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match="does not match model"):
        model.fit(np.ones((2, 3)), np.ones((2, 1)), epochs=1, verbose=0,
                  callbacks=[BackupAndRestore(str(tmp_path))])


def test_foreign_file_is_refused(tmp_path):
    torch.save({"format": "something else"}, tmp_path / BACKUP)
    with pytest.raises(ValueError, match="not a BackupAndRestore backup"):
        _small_fit(tmp_path, epochs=1)
    (tmp_path / BACKUP).write_bytes(b"truncated")
    with pytest.raises(ValueError, match="truncated"):
        _small_fit(tmp_path, epochs=1)


@pytest.mark.parametrize("kwargs, match", [
    ({"backup_dir": ""}, "Empty `backup_dir`"),
    ({"backup_dir": "b", "save_freq": 0}, "save_freq=0"),
    ({"backup_dir": "b", "save_freq": "batch"}, "save_freq='batch'"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BackupAndRestore(**kwargs)


def test_only_the_main_process_writes(tmp_path, monkeypatch):
    from torchkeras.callbacks import backup_and_restore

    monkeypatch.setattr(backup_and_restore, "is_main_process", lambda: False)
    _small_fit(tmp_path, epochs=2, save_freq=1, delete_checkpoint=False)
    assert not os.path.exists(tmp_path / BACKUP)


def test_no_warning_in_a_clean_run(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _small_fit(tmp_path / "b", epochs=2, save_freq=1)
    assert not (tmp_path / "b").exists()
