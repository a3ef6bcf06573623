"""Beyond one machine: torchrun's c10d rendezvous and elastic restarts.

Two simulated nodes are two ``torchrun --nnodes=2 --nproc-per-node=2``
agents on localhost meeting at one c10d rendezvous endpoint (c10d numbers
the nodes itself, so no ``--node-rank``); their 4 gloo ranks train
``ddp_worker.py``. The weights, logs, predictions and evaluation are
bit-identical on the 4 ranks, and equal to a single-process run over the
same global batches to float32 rounding (rtol 1e-5): DDP averages the
per-rank gradients, which sums in another order than one batch does.

Elastic restart: ``torchrun --max-restarts=1`` with ``elastic_worker.py``
(Adam, Dropout, shuffling, ``BackupAndRestore(save_freq=4)``); one rank
SIGKILLs itself in the third epoch, torchrun restarts every rank, ``fit``
resumes from the backup. With 2 replicas (one node of two, or two nodes of
one) the final weights and optimizer slots are bit-identical to an
uninterrupted run's. With 4 they agree to float32 rounding: DDP lays the
gradients out anew after its first step, and the restarted group's first
step all-reduces on the initial layout, summing some of the 4 gradients in
another order (2 gradients sum the same in any order).
"""

import importlib.util
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parents[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(nodes, args, *options, per_node=2):
    """Runs ``args`` under ``nodes`` torchrun agents of ``per_node`` ranks
    on localhost, one c10d rendezvous; fails with the agents' output."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
               # torchrun would otherwise share its store with the workers
               # across restarts (see torchkeras.distribute).
               TORCH_DISABLE_SHARE_RDZV_TCP_STORE="1")
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                "MASTER_PORT"):
        env.pop(key, None)
    command = [sys.executable, "-m", "torch.distributed.run",
               f"--nnodes={nodes}", f"--nproc-per-node={per_node}",
               "--rdzv-backend=c10d", f"--rdzv-endpoint=127.0.0.1:{port}",
               "--rdzv-id=torchkeras-test", "--monitor-interval=0.2",
               *options, *map(str, args)]
    agents = [subprocess.Popen(command, env=env, cwd=str(ROOT),
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
              for _ in range(nodes)]
    try:
        outputs = [agent.communicate(timeout=240)[0] for agent in agents]
    finally:
        for agent in agents:
            if agent.poll() is None:
                agent.kill()
                agent.communicate()
    for agent, output in zip(agents, outputs):
        assert agent.returncode == 0, output[-4000:]


def _single_process_reference(out):
    spec = importlib.util.spec_from_file_location(
        "ddp_worker", HERE / "ddp_worker.py")
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    worker.main(str(out))
    return np.load(out / "rank0.npz")


@pytest.mark.slow
def test_two_nodes_of_two_ranks_train_like_one_process(tmp_path):
    multi, single = tmp_path / "multi", tmp_path / "single"
    multi.mkdir()
    single.mkdir()
    _torchrun(2, [HERE / "ddp_worker.py", multi])
    ranks = [np.load(multi / f"rank{r}.npz") for r in range(4)]
    one = _single_process_reference(single)
    # Two nodes of two local ranks each, numbered node by node.
    assert sorted((int(r["node"]), int(r["local_rank"])) for r in ranks) == [
        (0, 0), (0, 1), (1, 0), (1, 1)]
    for rank, r in enumerate(ranks):
        assert rank == 2 * int(r["node"]) + int(r["local_rank"])
        assert int(r["replicas"]) == 4
    keys = [k for k in one.files if k.startswith("w")] + [
        "loss", "accuracy", "val_loss", "evaluated", "preds"]
    for key in keys:
        for r in ranks[1:]:
            np.testing.assert_array_equal(r[key], ranks[0][key], err_msg=key)
        np.testing.assert_allclose(ranks[0][key], one[key], rtol=1e-5,
                                   atol=1e-6, err_msg=key)
    assert ranks[0]["preds"].shape == (41, 2)
    # reduce over the 4 replicas: rank + 1 summed, and a constant 2.
    np.testing.assert_array_equal(ranks[3]["reduce_sum"], [10.0, 8.0])
    np.testing.assert_array_equal(ranks[3]["reduce_mean"], [2.5, 2.0])
    # Checkpoints and the CSV log were written by global rank 0 only.
    assert sorted(os.listdir(multi / "files")) == [
        "ckpt.01.weights.h5", "ckpt.02.weights.h5", "ckpt.03.weights.h5",
        "log.csv"]
    assert len((multi / "files" / "log.csv").read_text().splitlines()) == 4


@pytest.mark.slow
@pytest.mark.parametrize("nodes,per_node", [(1, 2), (2, 1), (2, 2)])
def test_elastic_restart_resumes_from_the_backup(tmp_path, nodes, per_node):
    world = nodes * per_node
    plain, killed = tmp_path / "plain", tmp_path / "killed"
    plain.mkdir()
    killed.mkdir()
    worker = HERE / "elastic_worker.py"
    _torchrun(nodes, [worker, plain], "--max-restarts=1", per_node=per_node)
    # The last rank dies after batch 3 of epoch 2 (of 0..3).
    _torchrun(nodes, [worker, killed, f"{world - 1}:2:3"],
              "--max-restarts=1", per_node=per_node)
    assert (killed / "killed").exists()  # It did die once.
    first = [np.load(plain / f"rank{r}.npz") for r in range(world)]
    second = [np.load(killed / f"rank{r}.npz") for r in range(world)]
    assert sorted(int(r["node"]) for r in second) == sorted(
        list(range(nodes)) * per_node)
    assert all(list(r["epochs"]) == [0, 1, 2, 3] for r in first)
    # The restarted ranks began at the backed-up epoch, not from scratch.
    assert all(list(r["epochs"]) == [2, 3] for r in second)
    assert max(int(r["attempt"]) for r in second) == 1
    keys = [k for k in first[0].files if k.startswith(("w", "opt"))]
    assert len([k for k in keys if k.startswith("opt")]) > 2  # Adam slots.
    for key in keys:
        for run in (first, second):  # Replicas agree within a run.
            for r in run[1:]:
                np.testing.assert_array_equal(r[key], run[0][key],
                                              err_msg=key)
        if world == 2:
            # Bit-identical to the run that was never interrupted.
            np.testing.assert_array_equal(second[0][key], first[0][key],
                                          err_msg=key)
        else:
            # DDP re-buckets the gradients by their order after its first
            # step; the restarted group's first step all-reduces on the
            # initial layout, where a ring adds some of the 4 gradients
            # in another order: equal to float32 rounding.
            np.testing.assert_allclose(second[0][key], first[0][key],
                                       rtol=1e-5, atol=1e-7, err_msg=key)
    assert not (killed / "backup").exists() or not os.listdir(
        killed / "backup")  # Deleted at the end of a completed fit.
