"""BackupAndRestore against real crashes: a training subprocess is killed
with SIGKILL and started again with the same command.

`fault_tolerance_script.py` trains a tiny model with `shuffle=True`, an
unseeded and a seeded Dropout and Adam, backing up every 7 batches (not
aligned with the 24-batch epochs). One run is killed three times in a row:
at a random mid-epoch batch (seeded), again at a later random batch after
it resumed, then in the middle of its third backup write after resuming;
the fourth start finishes. The reference, the same script left alone, runs
meanwhile in parallel. A chain of kills costs 5 interpreter starts instead
of 9 for independent runs, which keeps the module well under a minute.
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
KILL_SEEDS = (0, 1)
CUT_WRITE = 3  # The third backup write after the second restart is cut.

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")


def _kill_steps():
    """Two increasing random global batches, neither an epoch boundary."""
    steps = []
    for seed in KILL_SEEDS:
        rng = random.Random(seed)
        low = steps[-1] + 1 if steps else 1
        while True:
            step = rng.randrange(low, low + 4 * STEPS_PER_EPOCH)
            if step % STEPS_PER_EPOCH:
                steps.append(step)
                break
    return steps


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


def _backup_files(run_dir):
    folder = run_dir / "backup"
    return sorted(os.listdir(folder)) if folder.exists() else []


def _backup_position(run_dir):
    """Global batch count of the backup on disk (read with
    `weights_only=True`, so it is whole), or None."""
    path = run_dir / "backup" / "latest.backup.pt"
    if not path.exists():
        return None
    backup = torch.load(path, weights_only=True)
    return backup["epoch"] * STEPS_PER_EPOCH + backup["step"]


def _kill(run_dir, *args):
    _kill_when_paused(_start(run_dir, *args))
    return _backup_position(run_dir), _backup_files(run_dir)


def _age_strays(run_dir):
    """Dates the killed writer's temporary a minute back: a dead writer's
    temporary is removed once untouched for `DEAD_WRITER_SECONDS` (30 s;
    a younger one may be a live writer's in another pid namespace)."""
    folder = run_dir / "backup"
    for name in _backup_files(run_dir):
        if _is_stray(name):
            path = folder / name
            old = path.stat().st_mtime - 60
            os.utime(path, (old, old))


def _is_stray(name):
    return name.startswith(".latest.backup.pt.tmp-")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("fault_tolerance")
    victim = base / "victim"
    reference = _start(base / "reference")
    after = [_kill(victim, "--pause-at-step", str(step))
             for step in _kill_steps()]
    after.append(_kill(victim, "--pause-in-write", str(CUT_WRITE)))
    _age_strays(victim)
    _finish(_start(victim))
    _finish(reference)

    def final(path):
        return torch.load(path / "final.pt", weights_only=True)

    return {"reference": final(base / "reference"), "victim": final(victim),
            "after_kills": after, "victim_dir": victim}


def test_each_sigkill_leaves_the_last_backup(runs):
    for step, (position, files) in zip(_kill_steps(), runs["after_kills"]):
        last_backup = step // SAVE_FREQ * SAVE_FREQ
        assert position == (last_backup or None)
        assert files == (["latest.backup.pt"] if last_backup else [])


def test_sigkill_during_backup_write_keeps_previous_backup(runs):
    before_cut = runs["after_kills"][1][0]
    position, files = runs["after_kills"][2]
    # The third write after restarting at `before_cut` was cut: the second
    # one is the backup on disk, whole.
    assert position == before_cut + (CUT_WRITE - 1) * SAVE_FREQ
    stray = [name for name in files if name != "latest.backup.pt"]
    assert len(stray) == 1 and _is_stray(stray[0])
    assert "latest.backup.pt" in files


def test_restarted_run_ends_bit_identical_to_uninterrupted(runs):
    result, reference = runs["victim"], runs["reference"]
    weights = reference["weights"]
    assert result["weights"].keys() == weights.keys()
    for key, value in weights.items():
        assert torch.equal(result["weights"][key], value), key
    # The last start ran from the interrupted epoch on: its logs, the
    # interrupted epoch's included (restored metric states), are the
    # uninterrupted run's.
    resumed_at = runs["after_kills"][2][0]
    assert min(result["epoch_logs"]) == resumed_at // STEPS_PER_EPOCH
    for epoch, logs in result["epoch_logs"].items():
        assert logs == reference["epoch_logs"][epoch], epoch


def test_completed_run_deletes_backup_and_stray_file(runs):
    assert not (runs["victim_dir"] / "backup").exists()
