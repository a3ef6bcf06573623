"""CSVLogger: the rows written, read back with the `csv` module."""

import csv

import numpy as np

import torchkeras as keras
from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import CSVLogger


def _fit(path, epochs, **kwargs):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x = np.linspace(-1, 1, 30, dtype="float32").reshape(10, 3)
    y = x.sum(1, keepdims=True)
    return model.fit(x, y, validation_data=(x, y), epochs=epochs,
                     batch_size=5, verbose=0,
                     callbacks=[CSVLogger(str(path), **kwargs)])


def _rows(path, separator=","):
    with open(path, newline="") as file:
        return list(csv.reader(file, delimiter=separator))


def test_writes_one_row_per_epoch_with_sorted_keys(tmp_path):
    path = tmp_path / "run" / "log.csv"  # The folder is created.
    history = _fit(path, epochs=3, separator=";")
    rows = _rows(path, ";")
    keys = sorted(history.history)
    assert rows[0] == ["epoch"] + keys
    assert keys == ["loss", "mae", "val_loss", "val_mae"]
    for epoch, row in enumerate(rows[1:]):
        assert int(row[0]) == epoch
        assert [float(v) for v in row[1:]] == [
            history.history[key][epoch] for key in keys]
    assert len(rows) == 4


def test_append_continues_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    _fit(path, epochs=2)
    _fit(path, epochs=1, append=True)
    rows = _rows(path)
    assert [row[0] for row in rows] == ["epoch", "0", "1", "0"]
    _fit(path, epochs=1)  # Without append the file starts over.
    assert [row[0] for row in _rows(path)] == ["epoch", "0"]


def test_missing_keys_and_array_values(tmp_path):
    class Model:
        stop_training = False

    path = tmp_path / "log.csv"
    logger = CSVLogger(str(path))
    callbacks = CallbackList([logger], model=Model())
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"loss": 1.5, "vec": np.array([1, 2])})
    callbacks.on_epoch_end(1, {"vec": np.array([3, 4]), "extra": 9.0})
    callbacks.on_train_end()
    assert _rows(path) == [["epoch", "loss", "vec"],
                           ["0", "1.5", '"[1, 2]"'],
                           ["1", "NA", '"[3, 4]"']]
    assert logger.csv_file.closed
