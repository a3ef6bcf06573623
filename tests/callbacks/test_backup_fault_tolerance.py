"""BackupAndRestore against real crashes: a training subprocess is killed
with SIGKILL and started again.

`fault_tolerance_script.py` trains a tiny model with `shuffle=True`, an
unseeded and a seeded Dropout and Adam, backing up every 7 batches (not
aligned with the 24-batch epochs). The reference is the same script left
alone. Kill points are random mid-epoch batches (fixed seeds), and the
middle of a backup write. All runs of a wave go in parallel to keep the
module fast.
"""

import os
import pathlib
import random
import signal
import subprocess
import sys

import pytest
import torch

HERE = pathlib.Path(__file__).resolve().parent
SCRIPT = HERE / "fault_tolerance_script.py"
ROOT = HERE.parents[1]
STEPS_PER_EPOCH = 24
EPOCHS = 10
SAVE_FREQ = 7
KILL_SEEDS = (0, 1, 2)
KILLED_WRITE = 20  # The 20th backup write (after batch 140) is cut.

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")


def _kill_step(seed):
    """A random global batch that is not an epoch boundary."""
    rng = random.Random(seed)
    while True:
        step = rng.randrange(1, STEPS_PER_EPOCH * EPOCHS)
        if step % STEPS_PER_EPOCH:
            return step


def _start(run_dir, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-W", "error", str(SCRIPT), str(run_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _kill_when_paused(process):
    line = process.stdout.readline()
    if line.strip() != "PAUSED":
        _, err = process.communicate(timeout=120)
        pytest.fail(f"the trainer did not pause: {line!r}\n{err}")
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def _finish(process):
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, err
    assert "DONE" in out


def _backup_position(run_dir):
    """Global batch count of the backup on disk, or None."""
    path = run_dir / "backup" / "latest.backup.pt"
    if not path.exists():
        return None
    backup = torch.load(path, weights_only=True)
    return backup["epoch"] * STEPS_PER_EPOCH + backup["step"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("fault_tolerance")
    killed = {seed: base / f"kill_{seed}" for seed in KILL_SEEDS}
    cut_write = base / "kill_in_write"
    reference = _start(base / "reference")
    victims = [_start(path, "--pause-at-step", str(_kill_step(seed)))
               for seed, path in killed.items()]
    victims.append(_start(cut_write, "--pause-in-write", str(KILLED_WRITE)))
    for process in victims:
        _kill_when_paused(process)
    after_kill = {path: (_backup_position(path),
                         sorted(os.listdir(path / "backup")))
                  for path in [*killed.values(), cut_write]}
    resumed = [_start(path) for path in [*killed.values(), cut_write]]
    _finish(reference)
    for process in resumed:
        _finish(process)

    def final(path):
        return torch.load(path / "final.pt", weights_only=True)

    return {"reference": final(base / "reference"),
            "killed": {seed: final(path) for seed, path in killed.items()},
            "cut_write": final(cut_write),
            "after_kill": after_kill, "dirs": killed,
            "cut_write_dir": cut_write}


def _assert_same_run(result, reference):
    weights = reference["weights"]
    assert result["weights"].keys() == weights.keys()
    for key, value in weights.items():
        assert torch.equal(result["weights"][key], value), key
    # The resumed process ran from the interrupted epoch on: its logs, the
    # interrupted epoch's included (restored metric states), are the
    # uninterrupted run's.
    assert result["epoch_logs"]
    for epoch, logs in result["epoch_logs"].items():
        assert logs == reference["epoch_logs"][epoch], epoch


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_sigkill_mid_epoch_then_restart_ends_bit_identical(runs, seed):
    step = _kill_step(seed)
    position, files = runs["after_kill"][runs["dirs"][seed]]
    last_backup = step // SAVE_FREQ * SAVE_FREQ
    assert position == (last_backup or None)
    assert files == (["latest.backup.pt"] if last_backup else [])
    result = runs["killed"][seed]
    _assert_same_run(result, runs["reference"])
    assert min(result["epoch_logs"]) == last_backup // STEPS_PER_EPOCH


def test_sigkill_during_backup_write_keeps_previous_backup(runs):
    position, files = runs["after_kill"][runs["cut_write_dir"]]
    # The cut write was the one after batch 20 * 7; the one before is whole
    # and loads (`_backup_position` read it with weights_only=True).
    assert position == (KILLED_WRITE - 1) * SAVE_FREQ
    assert "latest.backup.pt" in files
    stray = [name for name in files if name.startswith(".tmp-")]
    assert len(stray) == 1 and stray[0].endswith("latest.backup.pt")


def test_sigkill_during_backup_write_still_resumes(runs):
    _assert_same_run(runs["cut_write"], runs["reference"])
    # A completed run deletes its backup and the stray temporary file.
    assert not (runs["cut_write_dir"] / "backup").exists()
