"""``distribute.launch``: its collectives, and its timeout.

Two gloo processes on the CPU: a collective gives the hand-computed sum
(1 + 2 on ranks 0 and 1); with ``launch(timeout=...)`` a rank that never
joins a collective makes the other raise, at that timeout, an error that
names it (``test_stalls.py`` covers the other ways of losing a rank).
"""

import os
import time

import numpy as np
import pytest
import torch
import torch.distributed as dist
from torch.multiprocessing import ProcessRaisedException

from torchkeras import distribute


def _sum_worker(out_dir):
    rank = distribute.rank()
    value = torch.tensor([rank + 1.0, 10.0 * (rank + 1)])
    raw = value.clone()
    dist.all_reduce(raw)
    (helper,) = distribute.all_reduce_sum([value])
    np.save(os.path.join(out_dir, f"rank{rank}.npy"),
            np.concatenate([raw.numpy(), helper.numpy(),
                            [distribute.world_size()]]))


def test_launch_runs_a_collective_on_two_gloo_processes(tmp_path):
    distribute.launch(_sum_worker, 2, args=(str(tmp_path),),
                      backend="gloo")
    for rank in (0, 1):
        got = np.load(tmp_path / f"rank{rank}.npy")
        np.testing.assert_array_equal(got, [3.0, 30.0, 3.0, 30.0, 2.0])


def _stuck_worker():
    distribute.all_reduce_sum([torch.ones(1)])
    if distribute.rank() == 1:
        time.sleep(120)  # Alive, but never joins the next collective.
    distribute.all_reduce_sum([torch.ones(1)])


@pytest.mark.slow
def test_launch_timeout_names_the_rank_that_stopped_answering():
    start = time.monotonic()
    with pytest.raises(ProcessRaisedException) as info:
        distribute.launch(_stuck_worker, 2, backend="gloo", timeout=6)
    message = str(info.value)
    assert "-- Process 0 terminated" in message  # The survivor raised...
    assert "StalledRankError: Rank 0: a collective failed because rank 1 " \
        "stopped answering: it is alive but never joined" in message
    assert "now 6 s" in message  # ...at the timeout given to `launch`.
    assert time.monotonic() - start < 100  # Not after rank 1's sleep.


def test_launch_refuses_a_bad_timeout_before_starting_processes():
    with pytest.raises(ValueError, match="Received: timeout=0"):
        distribute.launch(_stuck_worker, 2, backend="gloo", timeout=0)


def _report_worker():
    print(f"rank {distribute.rank()}: {torch.get_num_threads()} threads, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}", flush=True)


def test_launch_shares_the_cores_and_relays_output(monkeypatch, capsys):
    # Where `sys.stdout` is not file descriptor 1 (a Jupyter kernel; here
    # pytest's capture), what the ranks print reaches `sys.stdout`, not the
    # console the parent process was started from.
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    distribute.launch(_report_worker, 2, backend="gloo")
    out = capsys.readouterr().out
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else os.cpu_count()
    share = max(1, cores // 2)
    for rank in (0, 1):
        assert (f"rank {rank}: {share} threads, OMP_NUM_THREADS={share}"
                in out), out


def test_launch_keeps_an_explicit_thread_count(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert distribute._threads_per_process(2) is None
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert distribute._threads_per_process(10 ** 6) == 1
