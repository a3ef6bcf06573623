"""fit/evaluate/predict under torchrun with 2 gloo processes on the CPU.

The same script runs once alone and once as two ranks; with the same
global batch and seed the final weights, the logs (identical on both
ranks), the predictions (in input order) and evaluate agree with the
single-process run.
"""

import os
import pathlib
import subprocess
import sys

import numpy as np

WORKER = pathlib.Path(__file__).with_name("ddp_worker.py")
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _run(args, out):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
               PYTHONWARNINGS="error::UserWarning")
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                "MASTER_PORT"):
        env.pop(key, None)
    subprocess.run([sys.executable] + args + [str(WORKER), str(out)],
                   check=True, env=env, timeout=240, cwd=str(ROOT))


def test_two_gloo_ranks_match_single_process(tmp_path):
    single = tmp_path / "single"
    multi = tmp_path / "multi"
    single.mkdir()
    multi.mkdir()
    _run([], single)
    _run(["-m", "torch.distributed.run", "--nproc_per_node=2",
          "--master_port=0" if False else "--rdzv-endpoint=127.0.0.1:0",
          "--rdzv-backend=c10d"], multi)
    one = np.load(single / "rank0.npz")
    r0 = np.load(multi / "rank0.npz")
    r1 = np.load(multi / "rank1.npz")
    assert int(one["replicas"]) == 1 and int(r0["replicas"]) == 2
    weight_keys = sorted(k for k in one.files if k.startswith("w"))
    for key in weight_keys:
        np.testing.assert_allclose(r0[key], one[key], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(r0[key], r1[key])
    for key in ("loss", "accuracy", "val_loss", "evaluated", "preds"):
        np.testing.assert_array_equal(r0[key], r1[key])
        np.testing.assert_allclose(r0[key], one[key], rtol=1e-5, atol=1e-6)
    assert r0["preds"].shape == (41, 2)
    np.testing.assert_array_equal(r0["reduce_sum"], [3.0, 4.0])
    np.testing.assert_array_equal(r0["reduce_mean"], [1.5, 2.0])
    np.testing.assert_array_equal(one["reduce_sum"], [1.0, 2.0])
    # File-writing callbacks ran on rank 0 only: one file each, no clash.
    assert sorted(os.listdir(multi / "files")) == [
        "ckpt.01.weights.h5", "ckpt.02.weights.h5", "ckpt.03.weights.h5",
        "log.csv"]
    rows = (multi / "files" / "log.csv").read_text().strip().splitlines()
    assert len(rows) == 4  # header and three epochs, written once
