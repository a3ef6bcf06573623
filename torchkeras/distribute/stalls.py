"""Ranks that stop answering: a bounded wait and an error that names them.

A collective waits for every rank. When one process dies, is stopped
(SIGSTOP, a debugger, a frozen host) or hangs outside the collectives,
torch's gloo backend waits 30 minutes by default and then raises an error
that names a socket, not a rank. This module owns the remedy; the rest of
`torchkeras.distribute` only calls `start`, `watch` and `named_failures`.

- **The timeout** (`resolve_timeout`): the ``timeout`` argument of
  `distribute.maybe_init` or `distribute.launch`, else the environment
  variable ``TORCHKERAS_DDP_TIMEOUT`` (seconds), else 300 s. A collective
  that waits longer fails, and the named error reaches the caller within
  that time: the process group's own timeout is set below it by the time
  the diagnosis may take (`timing`).
- **A heartbeat** (`watch`): a daemon thread on every rank writes to the
  process group's store, every ``interval`` seconds, a beat counter, the
  number of collectives the rank has issued (the group's sequence number)
  and its state: running, exited, or stalled.
- **The diagnosis** (`named_failures`): when a collective fails, the rank
  reads every rank's record for up to ``window`` seconds. A rank whose beat
  does not move stopped answering (its process died, was stopped, or its
  host is unreachable); a rank that beats but has issued fewer collectives
  is alive but never joined (hung or busy elsewhere, or on another code
  path); a rank that wrote "exited" ended its script. Every surviving rank
  raises `StalledRankError` naming them, with the backend's error as its
  ``__cause__``. A failure that no rank explains (all alive and at the same
  collective) is re-raised unchanged.

Under ``torchrun`` the store is its agent's; without it (``env://``,
`distribute.launch`) rank 0 hosts the store, so when rank 0 goes away the
others can no longer read heartbeats and name rank 0 as the store's host.
With NCCL the timeout applies as well, but torch's NCCL watchdog may end
the process at the timeout before Python sees an error.
"""

import atexit
import contextlib
import datetime
import math
import os
import threading
import time

import torch
import torch.distributed as dist

TIMEOUT_ENV = "TORCHKERAS_DDP_TIMEOUT"
DEFAULT_TIMEOUT_S = 300.0
_PREFIX = "torchkeras/heartbeat"


class StalledRankError(RuntimeError):
    """A collective failed because other ranks stopped answering.

    Raised on every rank that was waiting. ``stopped`` lists the ranks named
    (in rank order); ``rank`` is the rank that raised; the backend's own
    error is ``__cause__``.

    Args:
        message: The error message, naming the ranks.
        rank: The rank that raised.
        stopped: The ranks that stopped answering.

    Examples:
        >>> error = keras.distribute.StalledRankError(
        ...     "rank 1 stopped answering", rank=0, stopped=[1])
        >>> error.rank, error.stopped
        (0, (1,))
        >>> isinstance(error, RuntimeError)
        True
    """

    def __init__(self, message, rank=None, stopped=()):
        super().__init__(message)
        self.rank = rank
        self.stopped = tuple(stopped)

    def __reduce__(self):
        return type(self), (str(self), self.rank, self.stopped)


# ----------------------------------------------------------------------
# The timeout.

def resolve_timeout(timeout=None):
    """Seconds: ``timeout``, else ``$TORCHKERAS_DDP_TIMEOUT``, else 300.

    ``timeout`` is a number of seconds or a `datetime.timedelta`.
    """
    name, shown = "timeout", timeout
    if timeout is None:
        shown = os.environ.get(TIMEOUT_ENV, "").strip()
        if not shown:
            return DEFAULT_TIMEOUT_S
        name = TIMEOUT_ENV
        try:
            timeout = float(shown)
        except ValueError:
            timeout = None
    if isinstance(timeout, datetime.timedelta):
        seconds = timeout.total_seconds()
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        seconds = float(timeout)
    else:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(
            f"`{name}` must be a positive number of seconds (or a "
            "datetime.timedelta for the argument): how long a collective "
            f"waits for the other ranks. Received: {name}={shown!r}"
        )
    return seconds


def explicit_timeout(timeout=None):
    """The user's timeout (argument or environment), or None if unset."""
    if timeout is None and not os.environ.get(TIMEOUT_ENV, "").strip():
        return None
    return resolve_timeout(timeout)


def timing(seconds):
    """``(interval, window, group_timeout)`` for a timeout of ``seconds``.

    Heartbeats every ``interval`` (a twentieth of the timeout, 0.05 to
    5 s); a rank whose beat does not move in ``window`` (3 intervals)
    stopped. The backend gives up 4 intervals before the timeout, so the
    diagnosis ends within it.
    """
    interval = min(max(seconds / 20.0, 0.05), 5.0)
    window = 3.0 * interval
    return interval, window, max(seconds - window - interval, seconds / 2.0)


def start(backend, timeout=None, **kwargs):
    """``dist.init_process_group`` with the resolved timeout, watched."""
    seconds = resolve_timeout(timeout)
    group_timeout = timing(seconds)[2]
    dist.init_process_group(
        backend, timeout=datetime.timedelta(seconds=group_timeout), **kwargs)
    watch(seconds)


def apply_timeout(seconds):
    """Sets a group started elsewhere to time out as ``seconds`` says."""
    group_timeout = datetime.timedelta(seconds=timing(seconds)[2])
    setter = getattr(dist.distributed_c10d, "_set_pg_timeout", None)
    if setter is None:
        return False
    setter(group_timeout)
    return True


# ----------------------------------------------------------------------
# The heartbeat.

_current = None
_generation = [0]
_exit_hook = []


def watch(seconds=None):
    """Starts this rank's heartbeat for the default group, once per group.

    ``seconds`` (the timeout) sets the beat interval; None takes the
    user's setting (environment), else the group's own timeout, else the
    default.
    """
    global _current
    group = dist.group.WORLD
    if seconds is None:
        seconds = explicit_timeout() or _group_timeout(group)
    if _current is not None and _current.group is group:
        if seconds is not None:
            _current.retime(seconds)
        return _current
    if _current is not None:
        _current.stop()
    _generation[0] += 1
    _current = _Watch(group, resolve_timeout(seconds), _generation[0])
    _current.begin()
    if not _exit_hook:
        _exit_hook.append(atexit.register(_at_exit))
    return _current


def _group_timeout(group):
    """The timeout a group was started with, in seconds, if torch says."""
    try:
        backend = group._get_backend(torch.device("cpu"))
        return backend.options._timeout.total_seconds()
    except (AttributeError, RuntimeError, ValueError):
        return None


def current():
    """The running heartbeat of the default group, or None."""
    if _current is None or not _current.alive():
        return None
    return _current


def finish():
    """Ends this rank's heartbeat, telling the others it left (not died)."""
    if _current is not None and _current.alive():
        _current.stop(final=True)


def _at_exit():
    finish()


class _Watch:
    """One rank's heartbeat and its reading of the others'."""

    def __init__(self, group, seconds, generation):
        self.group = group
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()
        self.retime(seconds)
        self.prefix = f"{_PREFIX}/{generation}/"
        self.state = "run"
        self.beat = 0
        self.failure = None  # The diagnosis, once made: (text, ranks).
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self._beat_store = self._reader = None
        self.store_lost = False

    def retime(self, seconds):
        self.seconds = seconds
        self.interval, self.window, _ = timing(seconds)

    def alive(self):
        return dist.is_initialized() and dist.group.WORLD is self.group

    def seq(self):
        """How many collectives this rank has issued on the group."""
        try:
            return int(self.group._get_sequence_number_for_group())
        except (RuntimeError, AttributeError):
            return -1

    def _client(self):
        """A store connection of its own, made while the store is up.

        One for the heartbeat thread and one for the diagnosis, so neither
        waits behind the other or the main thread's store calls; their
        short timeout makes a store whose host is gone fail within the
        window instead of the group's timeout.
        """
        store = dist.distributed_c10d._get_default_store()
        base = store
        while isinstance(base, dist.PrefixStore):
            base = base.underlying_store
        if isinstance(base, dist.TCPStore):
            store = dist.TCPStore(
                base.host, base.port, is_master=False,
                timeout=datetime.timedelta(
                    seconds=min(max(self.window, 1.0), 5.0)),
                wait_for_workers=False)
        return dist.PrefixStore(self.prefix, store)

    def begin(self):
        try:
            self._beat_store = self._client()
            self._reader = self._client()
            self.publish(self._beat_store)  # A record from the start.
        except RuntimeError:
            return  # No store to beat on: failures stay unnamed.
        self._thread = threading.Thread(
            target=self._run, name=f"torchkeras-heartbeat-rank{self.rank}",
            daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.interval):
            if not self.alive():
                return
            try:
                self.publish(self._beat_store)
            except RuntimeError:
                self.store_lost = True  # The others' diagnosis says so.
                return

    def publish(self, store):
        self.beat += 1
        store.set(str(self.rank), f"{self.beat} {self.seq()} {self.state}")

    def stop(self, final=False):
        """Ends the heartbeat; ``final`` writes this rank's last state."""
        self._stop.set()
        if self._thread is not None and (
                self._thread is not threading.current_thread()):
            # Not left running into the interpreter's shutdown.
            self._thread.join(timeout=min(max(self.window, 1.0), 5.0) + 0.5)
        if final and self._reader is not None and not self.store_lost:
            if self.state == "run":
                self.state = "exit"
            with contextlib.suppress(RuntimeError):
                self.publish(self._reader)
                if self.rank == 0 and os.environ.get(
                        "TORCHELASTIC_USE_AGENT_STORE") != "True":
                    self._linger()

    def _linger(self):
        """Keeps the store (this process hosts it) up until the others
        have written their last state, at most a window: a store that
        vanishes under them would make them log connection errors."""
        deadline = time.monotonic() + self.window
        while time.monotonic() < deadline:
            records = self.read(self._reader)
            if len(records) == self.world - 1 and all(
                    state != "run" for _, _, state in records.values()):
                return
            time.sleep(min(self.interval, 0.1))

    # ------------------------------------------------------------------
    # The diagnosis.

    def read(self, store):
        """``{rank: (beat, seq, state)}`` of the ranks that wrote one."""
        records = {}
        for rank in range(self.world):
            key = str(rank)
            if rank == self.rank or not store.check([key]):
                continue
            beat, seq, state = store.get(key).decode().split(" ", 2)
            records[rank] = (int(beat), int(seq), state)
        return records

    def diagnose(self, error):
        """``(text, ranks)`` naming the ranks behind ``error``, or None."""
        with self._lock:
            if self.failure is None and self._reader is not None:
                self.failure = self._diagnose()
            return self.failure

    def _diagnose(self):
        my_seq = self.seq()
        began = time.monotonic()
        try:
            first = self.read(self._reader)
            moved, latest = self._watch_beats(self._reader, first, began)
        except (RuntimeError, ValueError):  # The store does not answer.
            self.store_lost = True
            return self._store_gone()
        found = self._name(first, moved, latest, my_seq,
                           time.monotonic() - began)
        if found is not None:
            self.state = "stalled:" + ",".join(map(str, found[1]))
            with contextlib.suppress(RuntimeError):
                self.publish(self._reader)  # The others skip this survivor.
        return found

    def _watch_beats(self, store, first, began):
        """The ranks whose beat moved within the window, and their latest
        records (a beat at least half an interval after the failure)."""
        moved, latest = set(), dict(first)
        while time.monotonic() - began < self.window:
            time.sleep(self.interval / 2.0)
            for rank, record in self.read(store).items():
                if rank not in first or record[0] != first[rank][0]:
                    moved.add(rank)
                latest[rank] = record
            if len(moved) == self.world - 1:
                break
        return moved, latest

    def _name(self, first, moved, latest, my_seq, waited):
        reasons = {}
        for rank in range(self.world):
            if rank == self.rank:
                continue
            record = latest.get(rank)
            state = record[2] if record else "run"
            if state.startswith("stalled"):
                continue  # Another survivor, gone after its own diagnosis.
            if state == "exit":
                reasons[rank] = ("it exited (its script ended, or it raised "
                                 "an error of its own)")
            elif record is None:
                reasons[rank] = "it never sent a heartbeat"
            elif rank not in moved:
                reasons[rank] = (
                    f"no heartbeat for {waited:.1f} s: its process died, "
                    "was stopped, or its host is unreachable")
            elif 0 <= record[1] < my_seq:
                reasons[rank] = (
                    f"it is alive but never joined collective #{my_seq} "
                    f"(it has issued {record[1]}): it is busy or hung "
                    "outside the collectives, or runs another code path")
        if not reasons:
            return None
        text = "; ".join(f"rank {rank} stopped answering: {why}"
                         for rank, why in sorted(reasons.items()))
        return text, sorted(reasons)

    def _store_gone(self):
        if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True":
            address = (f"{os.environ.get('MASTER_ADDR', '?')}:"
                       f"{os.environ.get('MASTER_PORT', '?')}")
            return (f"the rendezvous store of torchrun's agent at {address} "
                    "does not answer: the node that hosts it stopped", [])
        if self.rank == 0:
            return None  # This process hosts the store.
        return ("rank 0 stopped answering: it hosts the rendezvous store, "
                "which does not answer (rank 0 died, was stopped, or exited "
                "after an error of its own)", [0])

    def error(self, error, found):
        text, ranks = found
        return StalledRankError(
            f"Rank {self.rank}: a collective failed because {text}. A "
            "collective waits for every rank, at most the timeout, now "
            f"{self.seconds:g} s (set it with `distribute.maybe_init("
            "timeout=...)`, `distribute.launch(timeout=...)` or the "
            f"environment variable {TIMEOUT_ENV}). Received: "
            f"{type(error).__name__}: {_first_line(error)}",
            rank=self.rank, stopped=ranks)


def _first_line(error):
    lines = str(error).strip().splitlines()
    return lines[0] if lines else ""


def named(error):
    """``error`` as a `StalledRankError` if ranks explain it, else None."""
    watch = current()
    if watch is None or isinstance(error, StalledRankError):
        return None
    found = watch.diagnose(error)
    return None if found is None else watch.error(error, found)


@contextlib.contextmanager
def named_failures():
    """Turns a collective failure inside the block into `StalledRankError`.

    A ``RuntimeError`` raised while no collective was issued in the block
    (the model's own errors) passes through untouched and at once.

    Examples:
        >>> with keras.distribute.named_failures():
        ...     total = keras.distribute.all_reduce_sum([torch.tensor(1.0)])
    """
    watch = current()
    issued = watch.seq() if watch is not None else None
    try:
        yield
    except RuntimeError as error:
        if watch is None or (watch.seq() == issued and watch.failure is None):
            raise
        stalled = named(error)
        if stalled is None:
            raise
        raise stalled from error
