"""fit/evaluate/predict on torch DataLoaders and generators under DDP.

``ddp_data_worker.py`` runs its scenarios once in this process (the
single-process reference) and once as 2 gloo ranks; with the same global
batches and seed the final weights and logs (identical on both ranks) match
the reference, evaluate on uneven data gives the single-process metrics,
predict returns every row once in input order, and uneven generators train
to completion (the ranks would otherwise hang in a collective: the
subprocess timeout turns a hang into a failure).
"""

import importlib.util
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

WORKER = pathlib.Path(__file__).with_name("ddp_data_worker.py")
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_two_ranks(out):
    port = str(_free_port())
    procs = []
    for rank in (0, 1):
        env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
                   PYTHONWARNINGS="error::UserWarning", RANK=str(rank),
                   LOCAL_RANK=str(rank), WORLD_SIZE="2",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        procs.append(subprocess.Popen(
            [sys.executable, str(WORKER), str(out)], env=env, cwd=str(ROOT),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = []
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=150)[0])
    except subprocess.TimeoutExpired:
        pytest.fail("the 2 DDP ranks hung (no result in 150 s)")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, text in zip(procs, outputs):
        assert p.returncode == 0, text


def _reference(out):
    spec = importlib.util.spec_from_file_location("ddp_data_worker", WORKER)
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    worker.run_all(str(out))
    return np.load(out / "rank0.npz")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    single = tmp_path_factory.mktemp("single")
    multi = tmp_path_factory.mktemp("multi")
    _run_two_ranks(multi)
    one = _reference(single)
    return one, np.load(multi / "rank0.npz"), np.load(multi / "rank1.npz")


def _same(runs, prefix, keys=None):
    """Both ranks agree exactly and match the single-process run."""
    one, r0, r1 = runs
    keys = keys or [k for k in one.files if k.startswith(prefix + ".")
                    and not k.endswith(".warnings")]
    assert keys
    for key in keys:
        np.testing.assert_array_equal(r0[key], r1[key], err_msg=key)
        np.testing.assert_allclose(r0[key], one[key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)


def test_shuffled_dataloader_trains_as_one_process(runs):
    # Global batch 16 split 8/8 (the last, 5 rows, 3/2), the same
    # shuffled order on both ranks; validation on an uneven loader.
    _same(runs, "loader_fit")
    assert runs[1]["loader_fit.val_loss"].shape == (3,)


def test_evaluate_on_uneven_data_gives_single_process_metrics(runs):
    _same(runs, "loader_evaluate")
    _same(runs, "generator_evaluate")


def test_predict_on_a_dataloader_returns_every_row_in_order(runs):
    _same(runs, "loader_predict")
    assert runs[1]["loader_predict.rows"].shape == (41, 2)
    assert runs[1]["loader_predict.one"].shape == (1, 2)


def test_uneven_generator_trains_and_warns(runs):
    _same(runs, "generator_fit_uneven")
    for r in runs[1:]:
        (message,) = r["generator_fit_uneven.warnings"]
        assert "last 1 batch(es) were skipped" in message
    assert len(runs[0]["generator_fit_uneven.warnings"]) == 0


def test_steps_per_epoch_with_an_endless_generator(runs):
    _same(runs, "generator_steps_per_epoch")
    assert runs[1]["generator_steps_per_epoch.loss"].shape == (2,)


def test_a_shuffled_sequence_is_split_in_rank_0s_order(runs):
    _same(runs, "shuffled_sequence")


def test_a_users_distributed_sampler_is_kept_and_stepped(runs):
    _same(runs, "user_distributed_sampler")
    assert int(runs[1]["user_distributed_sampler.epoch"]) == 2


def test_a_global_batch_below_the_rank_count_is_refused(runs):
    for r in runs[1:]:
        message = str(r["tiny_global_batch.error"])
        assert "must be at least 2. Received: batch_size=1" in message
