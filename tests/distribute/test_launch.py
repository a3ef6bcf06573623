"""``distribute.launch`` and what happens when a rank goes away.

Two gloo processes on the CPU: a collective gives the hand-computed sum
(1 + 2 on ranks 0 and 1), and under a torchrun-style environment a process
group started with ``maybe_init(timeout_s=...)`` turns a dead or stuck peer
into an error on the surviving rank within that timeout, not a hang.
"""

import os
import pathlib
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.distributed as dist

from torchkeras import distribute

ROOT = pathlib.Path(__file__).resolve().parents[2]


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


_RANK_SCRIPT = textwrap.dedent("""
    import os, sys, time
    import torch
    import torch.distributed as dist
    from torchkeras import distribute

    distribute.maybe_init(timeout_s=5)
    if dist.get_rank() == 1:
        if sys.argv[1] == "die":
            os._exit(3)
        time.sleep(60)  # stuck: alive, but never joins the collective
    start = time.monotonic()
    try:
        dist.all_reduce(torch.ones(1))
    except Exception as e:  # what the surviving rank sees
        print(f"ERROR after {time.monotonic() - start:.1f}s: "
              f"{type(e).__name__}: {e}", flush=True)
        os._exit(7)  # skip gloo's teardown of the broken group
    print("no error", flush=True)
""")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_two_ranks(script, mode):
    port = str(_free_port())
    procs = []
    for rank in (0, 1):
        env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
                   RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        output = subprocess.PIPE if rank == 0 else subprocess.DEVNULL
        procs.append(subprocess.Popen(
            [sys.executable, str(script), mode], env=env, stdout=output,
            stderr=subprocess.STDOUT, text=True))
    try:
        out, _ = procs[0].communicate(timeout=60)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    return procs[0].returncode, out


@pytest.mark.parametrize("mode", ["die", "stuck"])
def test_surviving_rank_fails_within_the_timeout(tmp_path, mode):
    script = tmp_path / "rank.py"
    script.write_text(_RANK_SCRIPT)
    code, out = _run_two_ranks(script, mode)
    assert code == 7, (code, out)
    seconds = float(out.split("ERROR after ")[1].split("s:")[0])
    assert seconds < 20, out
    if mode == "stuck":
        assert seconds >= 4, out  # it waited for the 5 s timeout
