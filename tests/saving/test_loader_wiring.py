"""`load_weights` hands each reader the model (issue 15, items 1 and 4).

The readers can compare a file's declared shapes with the model's before
any value is read or allocated; these tests check that `saving_api` asks
them to, for every format, by counting the values read when the shapes do
not fit (none may be). A model that is not built yet has no shapes: the
file is read whole and applied at its first call.

Also the optimizer's iteration count through the files: a huge one costs
no time (Nadam's ``u_product`` is recomputed in closed form), and one an
``int64`` counter cannot hold is refused, naming the file, before anything
changes.
"""

import time

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.optimizers import nadam
from torchkeras.saving import checkpoint
from torchkeras.saving import file_format
from torchkeras.saving import safetensors_io
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError


def _layers(units=2):
    # Named: files that key weights by layer names then match by name,
    # and a mismatch is one of shapes.
    return [keras.layers.Dense(units, name="hidden"),
            keras.layers.Dense(1, name="out")]


def _model(units=2, optimizer="nadam"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), *_layers(units)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _trained(units=2):
    model = _model(units)
    model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, verbose=0)
    return model


def _weights(model):
    return [w.detach().clone() for w in model.weights]


def _optimizer_state(model):
    opt = model.optimizer
    return ([v.detach().clone() for v in opt.variables], opt._u_product,
            opt._iteration_count)


def _assert_unchanged(model, weights, optimizer):
    for old, new in zip(weights, _weights(model)):
        assert torch.equal(old, new)
    now = _optimizer_state(model)
    assert optimizer[1:] == now[1:]
    for old, new in zip(optimizer[0], now[0]):
        assert torch.equal(old, new)


@pytest.fixture
def reads(monkeypatch):
    """Counts the tensor values the safetensors reader reads."""
    count = {"n": 0}
    original = safetensors_io._read_tensor

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(safetensors_io, "_read_tensor", counting)
    return count


@pytest.fixture
def dataset_reads(monkeypatch):
    """Counts the HDF5 datasets the readers read."""
    count = {"n": 0}
    original = file_format.read_dataset

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(file_format, "read_dataset", counting)
    return count


def _refused_unread(model, path, count):
    weights, optimizer = _weights(model), _optimizer_state(model)
    with pytest.raises(WeightMismatchError) as raised:
        model.load_weights(path)
    assert count["n"] == 0
    _assert_unchanged(model, weights, optimizer)
    return str(raised.value)


@pytest.mark.parametrize("name", ["ckpt", "w.safetensors"])
def test_tensor_files_are_checked_against_the_model_before_reading(
        tmp_path, reads, name):
    path = str(tmp_path / name)
    _trained(units=2).save_weights(path)
    # Control: a reader that is not given the model reads the values.
    read = (checkpoint.read if name == "ckpt" else safetensors_io.read)
    read(path)
    assert reads["n"] > 0
    reads["n"] = 0
    message = _refused_unread(_trained(units=4), path, reads)
    assert "(3, 2)" in message and "(3, 4)" in message


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_hdf5_files_are_checked_against_the_model_before_reading(
        tmp_path, dataset_reads, name):
    path = str(tmp_path / name)
    _trained(units=2).save_weights(path)
    _refused_unread(_trained(units=4), path, dataset_reads)


def test_an_archive_that_does_not_fit_changes_nothing(tmp_path):
    """`.keras` weights are bounded by what the model needs
    (`keras_archive.read(filepath, model)`), then matched in full before
    any is assigned."""
    path = str(tmp_path / "m.keras")
    _trained(units=2).save(path)
    model = _trained(units=4)
    weights, optimizer = _weights(model), _optimizer_state(model)
    with pytest.raises(WeightMismatchError):
        model.load_weights(path)
    _assert_unchanged(model, weights, optimizer)


@pytest.mark.parametrize("name", ["ckpt", "w.safetensors", "w.weights.h5"])
def test_a_model_built_later_still_takes_the_values(tmp_path, name):
    path = str(tmp_path / name)
    source = _trained()
    source.save_weights(path)
    model = keras.Sequential(_layers())
    model.load_weights(path)
    x = np.linspace(0, 1, 6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0),
                                  source.predict(x, verbose=0))


# ----------------------------------------------------------------------
# Iteration counts.

HUGE = 10**12


def _with_huge_iteration(path, consistent=True):
    model = _trained()
    model.optimizer.iterations = HUGE
    if consistent:  # what training HUGE steps would have left
        model.optimizer._u_product = nadam.u_product_after(0.9, HUGE)
    model.save_weights(path)
    return model


@pytest.mark.parametrize("name", ["ckpt", "w.weights.h5"])
def test_a_huge_iteration_count_loads_at_once(tmp_path, name):
    path = str(tmp_path / name)
    source = _with_huge_iteration(path)
    model = _model()
    start = time.perf_counter()
    model.load_weights(path)
    assert time.perf_counter() - start < 10
    assert int(model.optimizer.iterations) == HUGE
    # The file keeps float32; the float64 value recomputed from the step
    # count is the one training would hold.
    assert model.optimizer._u_product == source.optimizer._u_product
    for saved, loaded in zip(source.optimizer.variables,
                             model.optimizer.variables):
        assert torch.equal(saved, loaded)


def test_a_stored_value_that_is_not_ours_is_kept(tmp_path):
    path = str(tmp_path / "ckpt")
    source = _with_huge_iteration(path, consistent=False)
    model = _model()
    model.load_weights(path)
    assert model.optimizer._u_product == float(
        np.float32(source.optimizer._u_product))


@pytest.mark.parametrize("value", [np.float64(1e30), np.float64(2.0**63)])
def test_an_iteration_count_past_int64_changes_nothing(tmp_path, value):
    """Digests valid (the file is rewritten by the writer), the count a
    whole number, but no int64 counter holds it."""
    prefix = str(tmp_path / "ckpt")
    _trained().save_weights(prefix)
    data = prefix + checkpoint.DATA_SUFFIX
    tensors, meta = safetensors_io.read(data)
    tensors["optimizer/0"] = value
    safetensors_io.write(data, tensors, meta)
    model = _trained(units=2)
    model.fit(np.zeros((4, 3)), np.ones((4, 1)), verbose=0)
    weights, optimizer = _weights(model), _optimizer_state(model)
    with pytest.raises(FileFormatError, match="iteration count") as raised:
        model.load_weights(prefix)
    assert data in str(raised.value)
    _assert_unchanged(model, weights, optimizer)
