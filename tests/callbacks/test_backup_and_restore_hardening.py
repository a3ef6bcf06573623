"""BackupAndRestore against damaged and foreign backups (issue 15).

A backup that cannot be restored must fail before anything changes: each
case below writes a damaged copy of a real backup, starts `fit` on a
trained model (its weights and optimizer slots are not the backup's) and
checks that the error names the file and that every weight, buffer,
optimizer slot, scalar and learning rate is exactly as before. A positive
control restores the undamaged backup through the same harness.

Also: loading runs no code and inflates nothing beyond the file's size,
and the temporaries of killed writers are removed by the rule of
`saving.atomic` (never a live writer's).
"""

import io
import os
import pathlib
import stat
import warnings
import zipfile

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import BackupAndRestore
from torchkeras.callbacks import _atomic
from torchkeras.saving import atomic

BACKUP = "latest.backup.pt"
BATCH = 4
STEPS = 6  # batches per epoch
X = np.linspace(-1, 1, STEPS * BATCH * 3, dtype="float32").reshape(-1, 3)
Y = X.sum(1, keepdims=True) ** 2


class Interrupt(Exception):
    pass


class InterruptAt(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step = step
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self.epoch * STEPS + batch == self.step:
            raise Interrupt()


def _model(optimizer=None):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    h = keras.layers.Dense(4)(inputs)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Dropout(0.25, seed=3)(h)
    outputs = keras.layers.Dense(1)(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer or keras.optimizers.Nadam(0.01), loss="mse",
                  metrics=["mae"])
    return model


def _fit(model, folder, epochs=2, callbacks=()):
    return model.fit(
        X, Y, batch_size=BATCH, epochs=epochs, verbose=0,
        callbacks=[BackupAndRestore(str(folder), save_freq=2,
                                    delete_checkpoint=False), *callbacks])


@pytest.fixture(scope="module")
def backup_bytes(tmp_path_factory):
    """A real backup, written after batch 8: epoch 1, 2 batches done."""
    folder = tmp_path_factory.mktemp("source")
    with pytest.raises(Interrupt):
        _fit(_model(), folder, callbacks=[InterruptAt(9)])
    return (folder / BACKUP).read_bytes()


def _load(data):
    return torch.load(io.BytesIO(data), weights_only=True)


def _trained_victim(optimizer=None):
    """A model whose weights and optimizer state differ from the
    backup's (trained on other targets, without a backup)."""
    model = _model(optimizer)
    model.fit(X, -Y, batch_size=BATCH, epochs=1, verbose=0)
    return model


def _snapshot(model):
    opt = model.optimizer
    return {
        "state": [t.detach().clone() for t in model.state_dict().values()],
        "variables": [v.detach().clone() for v in opt.variables],
        "scalars": (getattr(opt, "_u_product", None), opt._iteration_count,
                    [g["lr"] for g in opt.param_groups],
                    {k: v for k, v in opt.state_dict()["keras"].items()}),
        "slot_names": [sorted(s) for s in opt.state_dict()[
            "state"].values()],
    }


def _assert_same(before, after):
    assert before["scalars"] == after["scalars"]
    assert before["slot_names"] == after["slot_names"]
    for key in ("state", "variables"):
        assert len(before[key]) == len(after[key])
        for index, (old, new) in enumerate(zip(before[key], after[key])):
            assert old.dtype == new.dtype and torch.equal(old, new), (
                key, index)


def _restore_fails(tmp_path, data, match, optimizer=None):
    (tmp_path / BACKUP).write_bytes(data)
    model = _trained_victim(optimizer)
    before = _snapshot(model)
    with pytest.raises(ValueError, match=match) as raised:
        _fit(model, tmp_path)
    assert str(tmp_path / BACKUP) in str(raised.value)
    _assert_same(before, _snapshot(model))
    return str(raised.value)


def _saved(backup):
    buffer = io.BytesIO()
    torch.save(backup, buffer)
    return buffer.getvalue()


def test_the_harness_sees_a_restore(tmp_path, backup_bytes):
    """Positive control: the undamaged backup changes every weight and
    slot to the backup's, through the same steps as the failing cases."""
    backup = _load(backup_bytes)
    (tmp_path / BACKUP).write_bytes(backup_bytes)
    model = _trained_victim()
    before = _snapshot(model)
    _fit(model, tmp_path, epochs=1)  # the backup is at epoch 1: no training
    after = _snapshot(model)
    for saved, now in zip(backup["model"]["values"], after["state"]):
        assert torch.equal(saved, now)
    assert after["scalars"][1] == backup["optimizer"]["keras"]["iterations"]
    assert after["scalars"][1] != before["scalars"][1]
    assert not all(torch.equal(a, b) for a, b in zip(before["variables"],
                                                     after["variables"]))


def test_a_truncated_backup_changes_nothing(tmp_path, backup_bytes):
    _restore_fails(tmp_path, backup_bytes[:len(backup_bytes) // 2],
                   "truncated")


def test_a_backup_of_another_optimizer_changes_nothing(tmp_path,
                                                       backup_bytes):
    _restore_fails(tmp_path, backup_bytes, "Nadam optimizer.*Adam",
                   keras.optimizers.Adam(0.01))
    # A backup that does not name its optimizer's class (older files):
    # its slots tell.
    backup = _load(backup_bytes)
    del backup["optimizer_class"]
    _restore_fails(tmp_path, _saved(backup), "slots",
                   keras.optimizers.SGD(0.01, momentum=0.9))


def _damaged(backup_bytes, change):
    backup = _load(backup_bytes)
    change(backup)
    return _saved(backup)


def _set(path, value):
    def change(backup):
        *parents, last = path
        target = backup
        for key in parents:
            target = target[key]
        target[last] = value
    return change


def _first_slot(backup):
    return backup["optimizer"]["state"][0]


CASES = {
    "epoch_text": (_set(["epoch"], "1.5"), "'epoch' must be an integer"),
    "epoch_float": (_set(["epoch"], 1.0), "'epoch' must be an integer"),
    "negative_step": (_set(["step"], -1), "'step' must be an integer"),
    "step_past_the_epoch": (_set(["step"], STEPS), r"\[0, 6\)"),
    "step_bool": (_set(["step"], True), "'step' must be an integer"),
    "version": (_set(["version"], 2), "unknown backup version"),
    "missing_entry": (lambda b: b.pop("rng"), "'rng' is missing"),
    "weight_shape": (
        lambda b: b["model"]["values"].__setitem__(
            0, torch.zeros(4, 4)), r"shape \(4, 4\)"),
    "weight_dtype": (
        lambda b: b["model"]["values"].__setitem__(
            -1, b["model"]["values"][-1].to(torch.int64)), "dtype"),
    "weight_count": (lambda b: b["model"]["values"].pop(), "weights and"),
    "weight_nan": (
        lambda b: b["model"]["values"][0].fill_(float("nan")), "NaN"),
    "weight_not_a_tensor": (
        lambda b: b["model"]["values"].__setitem__(0, [1.0]), "tensor"),
    "slot_shape": (lambda b: _first_slot(b).__setitem__(
        "momentum", torch.zeros(5)), r"'momentum'.*shape \(5,\)"),
    "slot_missing": (lambda b: _first_slot(b).pop("velocity"), "slots"),
    "slot_inf": (lambda b: _first_slot(b)["velocity"].fill_(float("inf")),
                 "NaN or Inf"),
    "iterations_text": (_set(["optimizer", "keras", "iterations"], "1.5"),
                        "iteration count"),
    "iterations_negative": (_set(["optimizer", "keras", "iterations"], -3),
                            "iteration count"),
    "iterations_past_int64": (_set(["optimizer", "keras", "iterations"],
                                   2**63), "iteration count"),
    "u_product_text": (_set(["optimizer", "keras", "u_product"], "x"),
                       "u_product"),
    "learning_rate_text": (
        lambda b: b["optimizer"]["param_groups"][0].__setitem__(
            "lr", "fast"), "'lr'"),
    "learning_rate_nan": (
        lambda b: b["optimizer"]["param_groups"][0].__setitem__(
            "lr", float("nan")), "'lr' must be finite"),
    "group_size": (
        lambda b: b["optimizer"]["param_groups"][0]["params"].pop(),
        "groups of sizes"),
    "unknown_parameter": (
        lambda b: b["optimizer"]["state"].__setitem__(99, {}),
        "parameter 99"),
    "torch_rng": (lambda b: b["rng"].__setitem__(
        "torch", b["rng"]["torch"][:100]), "torch random state"),
    "numpy_position": (_set(["rng", "numpy", "pos"], 700),
                       "NumPy random position"),
    "numpy_keys": (_set(["rng", "numpy", "keys"], torch.zeros(
        5, dtype=torch.int64)), "624"),
    "python_rng": (lambda b: b["rng"]["python"].__setitem__(
        "state", b["rng"]["python"]["state"][:10]), "Python random state"),
    "epoch_rng": (_set(["epoch_rng"], None), "epoch's random state"),
    "generator_state": (lambda b: b["generators"].__setitem__(
        0, (b["generators"][0][0], "cpu", torch.zeros(3, dtype=torch.uint8))),
        "generator state"),
    "metric_state": (_set(["metrics", "loss"], {"total": "x"}),
                     "metric 'loss'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_damaged_backup_changes_nothing(tmp_path, backup_bytes, case):
    change, match = CASES[case]
    _restore_fails(tmp_path, _damaged(backup_bytes, change), match)


def test_a_compressed_backup_is_refused_before_inflating(tmp_path,
                                                         backup_bytes):
    """A deflated member could claim gigabytes in a few kilobytes; torch's
    reader would inflate it."""
    source = tmp_path / "source.pt"
    source.write_bytes(backup_bytes)
    bomb = tmp_path / "bomb.pt"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(
            bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    # torch itself would read it: the refusal is ours.
    assert torch.load(bomb, weights_only=True)["format"]
    folder = tmp_path / "backup"
    folder.mkdir()
    _restore_fails(folder, bomb.read_bytes(), "compressed or encrypted")


class _Touch:
    """Pickles as a call that creates `path`."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return pathlib.Path.touch, (pathlib.Path(self.path),)


def test_loading_a_backup_runs_no_code(tmp_path, backup_bytes):
    marker = tmp_path / "code_ran"
    backup = _load(backup_bytes)
    backup["extra"] = _Touch(str(marker))
    folder = tmp_path / "backup"
    folder.mkdir()
    _restore_fails(folder, _saved(backup), "plain tensors")
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_in_place_of_the_backup_is_refused_without_blocking(
        tmp_path):
    os.mkfifo(tmp_path / BACKUP)
    model = _trained_victim()
    before = _snapshot(model)
    with pytest.raises(ValueError, match="not a regular file"):
        _fit(model, tmp_path)
    _assert_same(before, _snapshot(model))


# ----------------------------------------------------------------------
# Temporaries and modes (the rule of `saving.atomic`).

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"),
                                reason="a killed writer is a forked child")


def _age(path, seconds):
    old = os.stat(path).st_mtime - seconds
    os.utime(path, (old, old))


def _killed_writer_temp(folder):
    """The temporary a writer killed mid-write leaves: a forked child
    starts a backup write and exits without finishing it (its pid is then
    gone)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # threads
        pid = os.fork()
    if pid == 0:  # the child: no cleanup, no exception handling
        try:
            writing = _atomic.atomic_path(str(folder / BACKUP))
            with open(writing.__enter__(), "wb") as file:
                file.write(b"half")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    (temp,) = [path for path in folder.iterdir()
               if path.name.startswith(f".{BACKUP}.tmp-")]
    return temp


@needs_fork
def test_a_killed_writers_temporary_is_removed_once_stale(tmp_path):
    temp = _killed_writer_temp(tmp_path)
    _atomic.remove_stale_temps(str(tmp_path), BACKUP)
    assert temp.exists()  # within the grace: could be a live writer's
    _age(temp, atomic.DEAD_WRITER_SECONDS + 30)
    assert _atomic.remove_stale_temps(str(tmp_path), BACKUP) == [str(temp)]
    assert not temp.exists()


def test_a_live_writers_temporary_is_never_removed(tmp_path):
    with _atomic.atomic_path(str(tmp_path / BACKUP)) as temp:
        with open(temp, "wb") as file:
            file.write(b"half")
        _age(temp, atomic.DEAD_WRITER_SECONDS + 30)  # a slow writer
        assert _atomic.remove_stale_temps(str(tmp_path), BACKUP) == []
        assert os.path.exists(temp)
    assert (tmp_path / BACKUP).read_bytes() == b"half"


@needs_fork
def test_other_files_and_fresh_old_style_temporaries_are_kept(tmp_path):
    other = _killed_writer_temp(tmp_path)
    other = other.rename(tmp_path / other.name.replace(BACKUP, "other.pt"))
    _age(other, 3600)
    legacy = tmp_path / f".tmp-abc123-{BACKUP}"
    legacy.write_bytes(b"half")
    assert _atomic.remove_stale_temps(str(tmp_path), BACKUP) == []
    assert other.exists() and legacy.exists()
    # Old-style names carry no pid: removed once untouched for
    # STALE_SECONDS.
    _age(legacy, atomic.STALE_SECONDS + 60)
    assert _atomic.remove_stale_temps(str(tmp_path), BACKUP) == [
        str(legacy)]


@needs_fork
def test_a_new_fit_removes_a_stale_temporary(tmp_path):
    temp = _killed_writer_temp(tmp_path)
    _age(temp, atomic.DEAD_WRITER_SECONDS + 30)
    model = _model()
    model.fit(X, Y, batch_size=BATCH, epochs=1, verbose=0,
              callbacks=[BackupAndRestore(str(tmp_path))])
    assert not tmp_path.exists()  # backup, temporary and folder removed


def test_a_backup_keeps_its_mode_and_new_ones_follow_the_umask(tmp_path):
    path = tmp_path / "state.pt"
    old_umask = os.umask(0o022)
    try:
        _atomic.save_tensors({"a": torch.ones(2)}, str(path))
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
        os.chmod(path, 0o640)
        _atomic.save_tensors({"a": torch.zeros(2)}, str(path))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert torch.equal(_atomic.load_tensors(str(path))["a"], torch.zeros(2))
