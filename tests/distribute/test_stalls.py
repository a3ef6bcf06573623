"""A rank that stops answering: every survivor fails in time, naming it.

The timeout resolves from the argument, ``TORCHKERAS_DDP_TIMEOUT`` or the
300 s default, and the backend's own timeout is set below it by the
diagnosis time. Then groups of gloo processes on the CPU
(``stall_worker.py``) lose one rank (killed, SIGSTOPped, sleeping outside
the collectives, or exiting on an error of its own) while the others wait
in one of our collectives, in ``data_parallel``'s step, or in ``fit``;
every survivor must raise within the timeout, naming that rank and only
it.
"""

import datetime
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys

import pytest

from torchkeras.distribute import stalls

WORKER = pathlib.Path(__file__).with_name("stall_worker.py")
ROOT = pathlib.Path(__file__).resolve().parents[2]
TIMEOUT = 8.0  # Seconds; the group's own: timing(TIMEOUT)[2].


# ----------------------------------------------------------------------
# The timeout.

def test_timeout_argument_then_environment_then_default(monkeypatch):
    monkeypatch.delenv(stalls.TIMEOUT_ENV, raising=False)
    assert stalls.resolve_timeout() == 300.0
    assert stalls.explicit_timeout() is None
    monkeypatch.setenv(stalls.TIMEOUT_ENV, " 12.5 ")
    assert stalls.resolve_timeout() == 12.5
    assert stalls.explicit_timeout() == 12.5
    assert stalls.resolve_timeout(3) == 3.0
    assert stalls.resolve_timeout(datetime.timedelta(minutes=2)) == 120.0


@pytest.mark.parametrize("raw", ["soon", "0", "-5", "nan", "inf"])
def test_a_bad_environment_timeout_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(stalls.TIMEOUT_ENV, raw)
    with pytest.raises(ValueError, match=(
            f"TORCHKERAS_DDP_TIMEOUT` must be a positive number.*"
            f"Received: TORCHKERAS_DDP_TIMEOUT='{raw}'")):
        stalls.resolve_timeout()


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), True, "5",
                                 datetime.timedelta(0)])
def test_a_bad_timeout_argument_is_refused(bad):
    with pytest.raises(ValueError, match="`timeout` must be a positive"):
        stalls.resolve_timeout(bad)


@pytest.mark.parametrize("seconds", [1.0, 8.0, 60.0, 300.0, 3600.0])
def test_the_diagnosis_fits_inside_the_timeout(seconds):
    interval, window, group = stalls.timing(seconds)
    assert group + window + interval == pytest.approx(seconds)
    assert 0.05 <= interval <= 5.0 and window == 3 * interval
    assert group >= seconds * 0.8 - 1e-9
    if seconds == 300.0:  # The default: the backend gives up at 280 s.
        assert (interval, window, group) == (5.0, 15.0, 280.0)


# ----------------------------------------------------------------------
# Groups that lose a rank.

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_group(mode, where, world=2, victim=1, timeout=TIMEOUT):
    """Starts ``world`` ranks of stall_worker.py; the survivors' results.

    The victim is killed once every survivor has exited (a SIGSTOPped or
    sleeping victim would wait forever).
    """
    port = str(_free_port())
    procs = []
    for rank in range(world):
        env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
                   RANK=str(rank), LOCAL_RANK=str(rank),
                   WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1",
                   MASTER_PORT=port, VICTIM=str(victim),
                   TORCHKERAS_DDP_TIMEOUT=str(timeout))
        procs.append(subprocess.Popen(
            [sys.executable, str(WORKER), mode, where], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=str(ROOT)))
    results = {}
    try:
        for rank, proc in enumerate(procs):
            if rank == victim:
                continue
            out, _ = proc.communicate(timeout=150)
            lines = [line for line in out.splitlines()
                     if line.startswith("RESULT ")]
            assert proc.returncode == 7 and lines, (rank, out[-3000:])
            results[rank] = json.loads(lines[-1][len("RESULT "):])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.communicate()  # Reaped, its pipe closed.
    return results


def _check_named(results, victim, reason, timeout=TIMEOUT, waited=False):
    group_timeout = stalls.timing(timeout)[2]
    for rank, result in results.items():
        message = result["message"]
        assert f"rank {victim} stopped answering: {reason}" in message, (
            rank, message)
        for other in results:  # No survivor blames another.
            assert f"rank {other} stopped" not in message, (rank, message)
        assert f"Rank {rank}: a collective failed" in message
        assert "TORCHKERAS_DDP_TIMEOUT" in message  # How to change it.
        assert result["seconds"] < timeout + 0.5, result  # Scheduling.
        if waited:  # It did wait for the backend's timeout.
            assert result["seconds"] >= group_timeout - 0.1, result


def test_a_killed_rank_is_named_at_once():
    results = _run_group("die", "collective")
    assert results[0]["type"] == "StalledRankError"
    assert results[0]["stopped"] == [1]
    _check_named(results, 1, "no heartbeat")
    assert results[0]["seconds"] < TIMEOUT / 2  # Not a timeout: a reset.


@pytest.mark.slow
def test_a_stopped_rank_is_named_by_every_survivor():
    results = _run_group("stop", "collective", world=3)
    assert sorted(results) == [0, 2]
    assert {r["type"] for r in results.values()} == {"StalledRankError"}
    assert all(r["stopped"] == [1] for r in results.values())
    _check_named(results, 1, "no heartbeat", waited=True)


@pytest.mark.slow
def test_a_rank_hung_outside_the_collectives_is_named():
    results = _run_group("stuck", "collective")
    assert results[0]["type"] == "StalledRankError"
    _check_named(results, 1, "it is alive but never joined collective #2 "
                 "(it has issued 1)", waited=True)


@pytest.mark.slow
def test_a_rank_that_exited_on_its_own_error_is_named():
    results = _run_group("error", "collective")
    _check_named(results, 1, "it exited")


@pytest.mark.slow
def test_losing_rank_0_names_it_as_the_store_host():
    results = _run_group("die", "collective", victim=0)
    assert results[1]["stopped"] == [0]
    _check_named(results, 0, "it hosts the rendezvous store")


@pytest.mark.slow
def test_data_parallel_names_the_stopped_rank_in_its_gradient_all_reduce():
    results = _run_group("stop", "ddp", world=3)
    for result in results.values():
        # Averaged exactly as torch's own DDP (1/3 is not a power of two).
        assert result["same_as_ddp"] is True
        # Raised through DDP's reducer: the type is the reducer's
        # RuntimeError, the message ours.
        assert "StalledRankError: Rank" in result["message"]
    _check_named(results, 1, "no heartbeat", waited=True)


@pytest.mark.slow
def test_fit_fails_within_the_environment_timeout_between_epochs():
    # The victim stops in a callback at the end of epoch 0 (a rank stuck
    # writing a checkpoint); the others wait in the next epoch's shuffle.
    results = _run_group("stop", "fit_epoch")
    assert results[0]["type"] == "StalledRankError"
    _check_named(results, 1, "no heartbeat", waited=True)


@pytest.mark.slow
def test_fit_names_a_rank_that_stops_mid_epoch():
    results = _run_group("stop", "fit_batch")
    _check_named(results, 1, "no heartbeat", waited=True)


# ----------------------------------------------------------------------
# A group of one in this process.

@pytest.fixture
def group_of_one():
    import torch.distributed as dist

    dist.init_process_group("gloo", store=dist.HashStore(), rank=0,
                            world_size=1)
    try:
        yield dist.group.WORLD
    finally:
        stalls.finish()
        dist.destroy_process_group()


def _backend_timeout(group):
    import torch

    return group._get_backend(torch.device("cpu")).options._timeout


def test_maybe_init_sets_the_timeout_of_a_group_started_elsewhere(
        group_of_one, monkeypatch):
    from torchkeras import distribute

    monkeypatch.delenv(stalls.TIMEOUT_ENV, raising=False)
    before = _backend_timeout(group_of_one)
    distribute.maybe_init()  # Nothing asked: the user's group is kept.
    assert _backend_timeout(group_of_one) == before
    assert stalls.current().seconds == before.total_seconds()
    distribute.maybe_init(timeout=42)
    assert _backend_timeout(group_of_one) == datetime.timedelta(
        seconds=stalls.timing(42)[2])
    assert stalls.current().seconds == 42


def test_communication_options_timeout_seconds_sets_the_timeout(
        group_of_one):
    import types

    from torchkeras import distribute

    options = types.SimpleNamespace(timeout_seconds=30)  # tf's spelling
    strategy = distribute.MultiWorkerMirroredStrategy(
        communication_options=options)
    assert strategy.num_replicas_in_sync == 1
    assert _backend_timeout(group_of_one) == datetime.timedelta(
        seconds=stalls.timing(30)[2])


def test_an_error_without_a_collective_passes_through_at_once(group_of_one):
    import time

    from torchkeras import distribute

    distribute.maybe_init()
    error = RuntimeError("the model's own error")
    start = time.monotonic()
    with pytest.raises(RuntimeError) as info:
        with stalls.named_failures():
            raise error
    assert info.value is error
    assert time.monotonic() - start < 0.5  # No diagnosis was waited for.


def test_data_parallel_trains_like_the_bare_module(group_of_one):
    import torch

    from torchkeras import distribute

    distribute.maybe_init()
    x = torch.linspace(-1, 1, 24).reshape(6, 4)
    results = []
    for wrap in (distribute.data_parallel,
                 lambda m: distribute.data_parallel(m, named_gradients=False),
                 lambda m: m):
        torch.manual_seed(0)
        module = torch.nn.Linear(4, 3)
        model = wrap(module)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            model(x).square().mean().backward()
            optimizer.step()
        results.append([p.detach().clone() for p in module.parameters()])
    for hooked, builtin, bare in zip(*results):
        torch.testing.assert_close(hooked, bare, rtol=0, atol=0)
        torch.testing.assert_close(builtin, bare, rtol=0, atol=0)


def test_maybe_init_explains_a_failed_restart_with_torchruns_store(
        monkeypatch):
    from torchkeras import distribute

    def fail(backend, timeout=None, **kwargs):
        raise RuntimeError("Gloo connectFullMesh failed with ... refused")

    monkeypatch.setattr(stalls, "start", fail)
    monkeypatch.setenv("TORCHELASTIC_USE_AGENT_STORE", "True")
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "1")
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    with pytest.raises(RuntimeError, match=(
            "Rank 3: the process group could not start after torchrun "
            "restarted the workers.*TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1.*"
            "Received: Gloo connectFullMesh failed")):
        distribute.maybe_init()
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "0")
    with pytest.raises(RuntimeError, match="^Gloo connectFullMesh"):
        distribute.maybe_init()  # A first attempt: torch's error as is.
