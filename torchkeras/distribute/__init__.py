"""Data-parallel training on torch.distributed (the single owner of it).

``fit``/``evaluate``/``predict`` ask this module whether the process is one
of several (``is_distributed``), start the process group when a launcher
such as ``torchrun`` set the environment (``maybe_init``), build the
DistributedDataParallel wrapper (``data_parallel``), and use its
collectives: ``broadcast_order`` (one epoch permutation for all ranks),
``broadcast_object`` (a DataLoader's global batches), ``all_reduce_sum`` and
``all_reduce_max`` (metric states), ``gather_ordered`` (predictions in input
order). ``MirroredStrategy`` keeps tf.keras code running unchanged: its
``scope()`` is a no-op context, since ``fit`` itself is data-parallel.

Several machines are ``torchrun --nnodes=N --nproc-per-node=G
--rdzv-backend=c10d --rdzv-endpoint=HOST:PORT --rdzv-id=JOB`` on each (the
same script, no code change; c10d numbers the nodes itself). With
``--max-restarts=K`` torchrun restarts every rank after one fails, and
``callbacks.BackupAndRestore`` resumes the training from its last backup:
on the CPU the result is bit-identical to an uninterrupted run's with 2
replicas, and equal to float32 rounding with more (DDP lays the gradients
out anew after its first step, and the restarted group's first step sums
them in the initial layout's order). Start such a torchrun with
``TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1`` in its environment: otherwise
torch's agent shares its store with the workers and a restarted group can
read the previous attempt's addresses (``maybe_init`` then says so).

A rank that stops answering (its process died, was stopped or hangs) makes
every collective wait. The wait is bounded by a timeout: the ``timeout``
argument of ``maybe_init`` or ``launch`` (or ``MultiWorkerMirroredStrategy``'s
``communication_options.timeout_seconds``), else the environment variable
``TORCHKERAS_DDP_TIMEOUT`` in seconds, else 300 s. At the timeout every
waiting rank raises ``StalledRankError`` naming the ranks that stopped
answering (``stalls`` explains how it knows).
"""

import contextlib
import os
import sys
import warnings

import numpy as np
import torch
import torch.distributed as dist

from torchkeras.distribute import stalls
from torchkeras.distribute.stalls import StalledRankError


def is_distributed():
    """True inside an initialised process group (even of one process).

    Returns:
        Whether `torch.distributed` is available and initialized.

    Examples:
        >>> keras.distribute.is_distributed()  # a plain process
        False
    """
    return dist.is_available() and dist.is_initialized()


def rank():
    """Returns this process's rank in the process group (0 outside one).

    Returns:
        An int: `torch.distributed.get_rank()` in a group, else 0.

    Examples:
        >>> keras.distribute.rank()
        0
    """
    return dist.get_rank() if is_distributed() else 0


def world_size():
    """Returns the number of processes in the group (1 outside one).

    Returns:
        An int: `torch.distributed.get_world_size()` in a group, else 1.

    Examples:
        >>> keras.distribute.world_size()
        1
    """
    return dist.get_world_size() if is_distributed() else 1


def is_main_process():
    """Returns whether this process is rank 0, the one that logs and saves.

    Outside a process group the single process is the main one.

    Returns:
        A bool.

    Examples:
        >>> keras.distribute.is_main_process()
        True
    """
    return rank() == 0


def launched_by_torchrun():
    """Returns whether a launcher such as `torchrun` set this process's rank.

    It checks the environment variables `torchrun` sets: `RANK` and
    `WORLD_SIZE`, with `MASTER_ADDR` or `TORCHELASTIC_RUN_ID`.

    Returns:
        A bool.

    Examples:
        >>> keras.distribute.launched_by_torchrun()  # a plain process
        False
    """
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ and (
        "MASTER_ADDR" in os.environ or "TORCHELASTIC_RUN_ID" in os.environ)


def maybe_init(timeout=None):
    """Starts the process group that a launcher described, once.

    NCCL when CUDA is visible, gloo otherwise. Returns the device this rank
    should use (``cuda:LOCAL_RANK`` or ``cpu``), None outside a group.

    Args:
        timeout: how long a collective waits for the other ranks before
            every waiting rank raises `StalledRankError` naming those that
            stopped answering: seconds or a `datetime.timedelta`. Default:
            the environment variable ``TORCHKERAS_DDP_TIMEOUT`` (seconds),
            else 300 s. Given here or in the environment, it also applies
            to a group started by other code.

    Returns:
        The `torch.device` of this rank, or `None` outside a process group.

    Raises:
        ValueError: for a timeout that is not a positive number.

    Examples:
        >>> print(keras.distribute.maybe_init())  # not started by torchrun
        None
    """
    if not dist.is_available():
        return None
    if not dist.is_initialized() and launched_by_torchrun():
        _start_torchrun_group(timeout)
    elif dist.is_initialized():
        seconds = stalls.explicit_timeout(timeout)
        if seconds is not None and (
                timeout is not None or stalls.current() is None):
            stalls.apply_timeout(seconds)
        stalls.watch(seconds)
    if not is_distributed():
        return None
    if dist.get_backend() == "nccl":
        local = int(os.environ.get("LOCAL_RANK", dist.get_rank()))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return torch.device("cpu")


def _start_torchrun_group(timeout):
    try:
        stalls.start(_default_backend(), timeout)
    except RuntimeError as error:
        restarts = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") or 0)
        if restarts and os.environ.get(
                "TORCHELASTIC_USE_AGENT_STORE") == "True":
            # torchrun shares its store with the workers and keeps it across
            # restarts, so a restarted rank can read the previous attempt's
            # addresses (pytorch/pytorch#135712).
            raise RuntimeError(
                f"Rank {os.environ.get('RANK')}: the process group could "
                f"not start after torchrun restarted the workers "
                f"({restarts} restart(s)). torchrun shares its rendezvous "
                "store with the workers and keeps the previous attempt's "
                "addresses in it; start torchrun with the environment "
                "variable TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1 when it may "
                f"restart (--max-restarts). Received: {error}"
            ) from error
        raise


def _default_backend():
    return "nccl" if torch.cuda.is_available() else "gloo"


def data_parallel(module, device=None, *, named_gradients=True):
    """``module`` in DistributedDataParallel: how ``fit`` trains replicas.

    A failure of the collectives in the forward pass (bucket rebuilding,
    buffer broadcasts) raises `StalledRankError` naming the ranks that
    stopped answering instead of the backend's error.

    Args:
        module: the model, on ``device``.
        device: the device of this rank (``cuda:i`` gives DDP
            ``device_ids=[i]``); default: the first parameter's.
        named_gradients: True averages gradients in a comm hook that
            names a stall in the gradient all-reduce itself (each bucket
            multiplied by 1 / world size, then summed, as DDP's built-in
            all-reduce does). False keeps DDP's built-in all-reduce, which
            costs less per step; a stall then surfaces from ``backward()``,
            so run the step inside `named_failures()` to name it, as
            ``fit`` does.

    Returns:
        The `DistributedDataParallel` wrapper of `module`.

    Examples:
        >>> import torch.distributed as dist
        >>> dist.init_process_group("gloo", store=dist.HashStore(), rank=0,
        ...                         world_size=1)
        >>> ddp = keras.distribute.data_parallel(torch.nn.Linear(2, 1))
        >>> isinstance(ddp, torch.nn.parallel.DistributedDataParallel)
        True
        >>> dist.destroy_process_group()
    """
    if device is None:
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    device = torch.device(device)
    with stalls.named_failures():
        ddp = _NamedFailuresDDP(
            module, device_ids=[device.index] if device.type == "cuda"
            else None)
    if named_gradients:
        ddp.register_comm_hook(None, _average_gradients)
    return ddp


named_failures = stalls.named_failures


class _NamedFailuresDDP(torch.nn.parallel.DistributedDataParallel):
    def forward(self, *args, **kwargs):
        with stalls.named_failures():
            return super().forward(*args, **kwargs)


def _average_gradients(group, bucket):
    """DDP's default gradient hook, with a failure named (`stalls`)."""
    world = dist.get_world_size(group)
    buffer = bucket.buffer()
    buffer.mul_(1.0 / world)  # As DDP's reducer scales (not div_).
    future = dist.all_reduce(buffer, group=group, async_op=True).get_future()
    return future.then(_named_result)


def _named_result(future):
    try:
        return future.value()[0]
    except RuntimeError as error:
        stalled = stalls.named(error)
        if stalled is None:
            raise
        raise stalled from error


def broadcast_order(order, device=None):
    """Returns rank 0's permutation, on every rank.

    `fit` shuffles with it, so that every replica draws its share of the
    same epoch order.

    Outside a process group (a plain single process) it returns its
    argument unchanged, as the examples show.

    Args:
        order: A 1D integer tensor (the permutation of this rank).
        device: Where the result goes; `None` gives a CPU tensor.

    Returns:
        Rank 0's `order`.

    Examples:
        >>> keras.distribute.broadcast_order(torch.tensor([2, 0, 1]))
        tensor([2, 0, 1])
    """
    if not is_distributed():
        return order
    order = order.to(_collective_device(device))
    with stalls.named_failures():
        dist.broadcast(order, src=0)
    return order.cpu() if device is None else order.to(device)


def _collective_device(device):
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_reduce_sum(tensors):
    """Sums a list of tensors across ranks, in one collective.

    The tensors travel as one float64 buffer and come back with their
    shapes, dtypes and devices.

    Outside a process group (a plain single process) it returns its
    argument unchanged, as the examples show.

    Args:
        tensors: A list of tensors (metric states).

    Returns:
        A list of the summed tensors.

    Examples:
        >>> keras.distribute.all_reduce_sum([torch.tensor([1.0, 2.0])])
        [tensor([1., 2.])]
    """
    if not is_distributed() or not tensors:
        return tensors
    device = _collective_device(None)
    flat = torch.cat([t.detach().reshape(-1).to(device, torch.float64)
                      for t in tensors])
    with stalls.named_failures():
        dist.all_reduce(flat)
    offset = 0
    out = []
    for t in tensors:
        n = t.numel()
        out.append(flat[offset:offset + n].reshape(t.shape).to(
            t.device, t.dtype))
        offset += n
    return out


@contextlib.contextmanager
def _averaged_optimizer_steps(scale=1.0, synced=None):
    """Within it, every optimizer step first averages its gradients.

    `fit` runs a custom ``train_step`` in it when there are several
    processes, as tf.keras's ``apply_gradients`` aggregates the replicas'
    gradients under ``MirroredStrategy``: ``apply_gradients``, ``apply``,
    ``minimize`` and ``step()`` (after ``loss.backward()``) of any
    optimizer, Keras or torch, then update with the mean of the ranks'
    gradients. The built-in step gets that mean from
    DistributedDataParallel instead, never from here.

    torch's global optimizer-step hooks do it, registered only for the
    duration of the context: nothing is checked in any other step. Each
    step's gradients travel as one flat buffer per dtype (one collective
    for a model of one dtype), each multiplied by ``scale / world_size``
    before the sum, as DDP's gradient hook scales. A parameter without a
    gradient on any rank keeps none; one with a gradient on some ranks
    only counts zero on the others. A wrapper's step
    (``LossScaleOptimizer``) averages once, for itself and the optimizer
    it wraps. A rank that stops answering is named (`StalledRankError`).

    Outside a process group of several processes it changes nothing.

    Args:
        scale: this rank's share of the global batch times the number of
            ranks (1.0 for equal shards): unequal shards then weigh their
            samples as one global batch would, as the built-in step's
            loss scaling does.
        synced: a set of the ``id``s of the tensors that hold the same
            values on every rank, or None. The parameters of a stepping
            optimizer not in it (weights a step created) first take rank
            0's values, and join it.
    """
    if world_size() < 2:
        yield
        return
    from torch.optim import optimizer as torch_optimizer

    averager = _StepAverager(scale, synced)
    handles = (
        torch_optimizer.register_optimizer_step_pre_hook(averager.before),
        torch_optimizer.register_optimizer_step_post_hook(averager.after),
    )
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


class _StepAverager:
    """The optimizer step hooks of `_averaged_optimizer_steps`."""

    def __init__(self, scale, synced):
        self.scale = scale
        self.synced = synced
        self.stepping = None  # the outermost optimizer in its step

    def before(self, optimizer, args, kwargs):
        if self.stepping is not None:  # the inner step of a wrapper
            return
        self.stepping = optimizer
        params = [p for group in optimizer.param_groups
                  for p in group["params"]]
        synced = self.synced
        if synced is not None:
            new = [p for p in params if id(p) not in synced]
            if new:
                _broadcast_from_first(new)
                synced.update(id(p) for p in new)
        _average_gradients_of(params, self.scale)

    def after(self, optimizer, args, kwargs):
        if optimizer is self.stepping:
            self.stepping = None


def _broadcast_from_first(tensors):
    """Gives ``tensors`` (weights, in place) rank 0's values: one
    broadcast per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t.dtype, []).append(t)
    device = _collective_device(None)
    with torch.no_grad():
        for group in by_dtype.values():
            flat = torch.cat([t.detach().reshape(-1).to(device)
                              for t in group])
            with stalls.named_failures():
                dist.broadcast(flat, src=0)
            offset = 0
            for t in group:
                n = t.numel()
                t.copy_(flat[offset:offset + n].view(t.shape))
                offset += n


def _average_gradients_of(params, scale):
    """Replaces each ``p.grad`` by its mean over the ranks (see
    `_averaged_optimizer_steps`); the tensors it held are not modified."""
    by_dtype = {}
    for p in params:
        by_dtype.setdefault(p.dtype, []).append(p)
    device = _collective_device(None)
    factor = scale / world_size()
    with torch.no_grad():
        for dtype, group in by_dtype.items():
            pieces = []
            for p in group:
                g = p.grad
                if g is None:
                    g = torch.zeros(p.numel(), dtype=dtype, device=device)
                elif g.is_sparse:
                    g = g.to_dense()
                pieces.append(g.reshape(-1).to(device))
            count = sum(piece.numel() for piece in pieces)
            # How many ranks have each gradient, in the same buffer.
            local = [p.grad is not None for p in group]
            pieces.append(torch.tensor(local, dtype=dtype, device=device))
            flat = torch.cat(pieces)
            flat[:count].mul_(factor)
            with stalls.named_failures():
                dist.all_reduce(flat)
            # A host read only where this rank lacks a gradient.
            present = local if all(local) else [
                bool(n) for n in flat[count:].tolist()]
            offset = 0
            for p, kept in zip(group, present):
                n = p.numel()
                if kept:
                    p.grad = flat[offset:offset + n].view(p.shape).to(
                        p.device)
                offset += n


def gather_ordered(array):
    """Concatenates each rank's NumPy block in rank order, on every rank.

    `predict` gathers its outputs with it, so that they come back in the
    order of the inputs.

    Outside a process group (a plain single process) it returns its
    argument unchanged, as the examples show.

    Args:
        array: This rank's block, a NumPy array.

    Returns:
        The blocks of all ranks concatenated along axis 0.

    Examples:
        >>> keras.distribute.gather_ordered(np.array([1, 2, 3]))
        array([1, 2, 3])
    """
    if not is_distributed():
        return array
    blocks = [None] * world_size()
    with stalls.named_failures():
        dist.all_gather_object(blocks, array)
    return np.concatenate(blocks, axis=0)


def shard_bounds(n, index, count):
    """Returns the `[start, stop)` bounds of part `index` of `n` items.

    The `n` items are split `count` ways as evenly as possible, the first
    parts one item longer.

    Args:
        n: The number of items.
        index: Which part (0-based).
        count: The number of parts.

    Returns:
        A tuple `(start, stop)`.

    Examples:
        >>> [keras.distribute.shard_bounds(10, i, 3) for i in range(3)]
        [(0, 4), (4, 7), (7, 10)]
    """
    base, extra = divmod(n, count)
    start = index * base + min(index, extra)
    return start, start + base + (1 if index < extra else 0)


class MirroredStrategy:
    """tf.keras's ``MirroredStrategy``, mapped onto DistributedDataParallel.

    Under ``torchrun --nproc_per_node=N``, ``fit`` trains data-parallel
    with or without this object; ``scope()`` only exists so tf.keras code
    runs unchanged. ``num_replicas_in_sync`` is the number of processes.

    Args:
        devices: accepted for tf.keras compatibility (one process per
            device is how torch runs data-parallel).
        cross_device_ops: accepted and ignored.

    Examples:
        >>> strategy = keras.distribute.MirroredStrategy()
        >>> strategy.num_replicas_in_sync  # one process
        1
        >>> with strategy.scope():
        ...     model = keras.Sequential([keras.Input((3,)),
        ...                               keras.layers.Dense(1)])
    """

    def __init__(self, devices=None, cross_device_ops=None):
        maybe_init()
        self.devices = devices
        self.extended = self

    @property
    def num_replicas_in_sync(self):
        return world_size()

    @contextlib.contextmanager
    def scope(self):
        yield self

    def run(self, fn, args=(), kwargs=None):
        """Runs ``fn`` on this replica (each process is one replica)."""
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """``'SUM'`` or ``'MEAN'`` of ``value`` across replicas.

        With ``axis``, the value is first reduced along that axis within
        the replica, as tf.distribute does (MEAN divides by the global
        number of elements along it).
        """
        op = str(getattr(reduce_op, "name", reduce_op)).upper()
        if op.startswith("REDUCEOP."):
            op = op.split(".")[-1]
        if op not in ("SUM", "MEAN"):
            raise ValueError(
                "`reduce_op` must be 'SUM' or 'MEAN'. Received: "
                f"reduce_op={reduce_op!r}"
            )
        t = value if torch.is_tensor(value) else torch.as_tensor(
            np.asarray(value, dtype=np.float64))
        count = torch.tensor(1.0, dtype=torch.float64)
        if axis is not None:
            count = torch.tensor(float(t.shape[axis]), dtype=torch.float64)
            t = t.sum(dim=axis)
        total, n = all_reduce_sum([t.to(torch.float64), count])
        if op == "SUM":
            return total.to(t.dtype)
        return (total / n if axis is not None else total / world_size()
                ).to(t.dtype)

    def experimental_distribute_dataset(self, dataset, options=None):
        return dataset

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        return dataset_fn(None)


class MultiWorkerMirroredStrategy(MirroredStrategy):
    """Several machines (``torchrun --nnodes``): the same as Mirrored.

    Args:
        cluster_resolver: accepted for tf.keras compatibility (torchrun's
            rendezvous finds the workers).
        communication_options: its ``timeout_seconds`` (as in
            ``tf.distribute.experimental.CommunicationOptions``), if set, is
            the collectives' timeout (see `maybe_init`).

    Examples:
        >>> strategy = keras.distribute.MultiWorkerMirroredStrategy()
        >>> strategy.num_replicas_in_sync  # one process
        1
    """

    def __init__(self, cluster_resolver=None, communication_options=None):
        maybe_init(timeout=getattr(communication_options, "timeout_seconds",
                                   None))
        super().__init__()


class ReduceOp:
    """The reduction names of `MirroredStrategy.reduce`: `SUM` and `MEAN`.

    As `tf.distribute.ReduceOp`; the strings `"SUM"` and `"MEAN"` work too.

    Examples:
        >>> strategy = keras.distribute.MirroredStrategy()
        >>> strategy.reduce(keras.distribute.ReduceOp.SUM, torch.tensor(3.0))
        tensor(3.)
    """
    SUM = "SUM"
    MEAN = "MEAN"


def get_strategy():
    """Returns the distribution strategy, a `MirroredStrategy`.

    As `tf.distribute.get_strategy()`: `fit` is data-parallel whenever the
    process is one of several, so there is no default strategy to tell
    apart.

    Returns:
        A `MirroredStrategy`.

    Examples:
        >>> type(keras.distribute.get_strategy()).__name__
        'MirroredStrategy'
    """
    return MirroredStrategy()


def launch(fn, nprocs, args=(), backend=None, timeout=None):
    """Starts ``nprocs`` processes running ``fn(*args)`` in a process group.

    For scripts and notebooks without ``torchrun``. Uses the ``spawn`` start
    method; CUDA initialised in the parent before a fork would break the
    children, so it is refused with a clear error. As ``torchrun`` does, it
    gives each process its share of the CPU cores for its thread pool
    (unless ``OMP_NUM_THREADS`` is set), and where ``sys.stdout`` is not
    the console (a Jupyter kernel) it copies what the processes print into
    ``sys.stdout``, so a notebook shows it.

    A script calls it as:

    ```python
    def train():
        model = ...  # build and compile
        model.fit(x, y)  # data-parallel over the processes

    if __name__ == "__main__":
        keras.distribute.launch(train, nprocs=2)
    ```

    Args:
        fn: a function importable by the children (defined in a module).
        nprocs: the number of processes (ranks).
        args: the arguments of ``fn``.
        backend: ``"gloo"`` or ``"nccl"``; default NCCL when CUDA is
            visible, else gloo.
        timeout: how long a collective waits for the other ranks (see
            `maybe_init`); default ``TORCHKERAS_DDP_TIMEOUT``, else 300 s.

    Raises:
        torch.multiprocessing.ProcessRaisedException: when a process
            raised; a rank that stopped answering makes the others raise
            `StalledRankError`, whose message names it.

    Examples:
        >>> keras.distribute.launch(print, 2, timeout=-1)
        Traceback (most recent call last):
        ...
        ValueError: `timeout` must be a positive number of seconds ...
    """
    import torch.multiprocessing as mp

    seconds = stalls.resolve_timeout(timeout)
    if mp.get_start_method(allow_none=True) == "fork" and (
            torch.cuda.is_initialized()):
        raise RuntimeError(
            "distribute.launch: CUDA was initialised in this process before "
            "forking workers. Call `launch` before touching CUDA, or use "
            "the 'spawn' start method."
        )
    port = _free_port()
    threads = _threads_per_process(nprocs)
    relay = _OutputRelay(nprocs) if _needs_relay() else None
    context = mp.start_processes(
        _worker, args=(nprocs, port, backend, fn, args, seconds, threads,
                       relay and relay.paths),
        nprocs=nprocs, join=False, start_method="spawn")
    try:
        while not context.join(timeout=0.1):
            if relay is not None:
                relay.pump()
    finally:
        if relay is not None:
            relay.close()


def _threads_per_process(nprocs):
    """CPU threads for each rank, or None where ``OMP_NUM_THREADS`` says.

    Each process would otherwise start one intra-op thread per core: two
    ranks on two cores then run four spinning thread pools, and gloo's
    collectives wait behind them (~30x slower steps, measured). ``torchrun``
    avoids it by setting ``OMP_NUM_THREADS=1``; here the cores are shared
    out instead.
    """
    if "OMP_NUM_THREADS" in os.environ:
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // nprocs)


def _needs_relay():
    """Whether the children's output must be forwarded by this process.

    Spawned processes write to this process's file descriptors 1 and 2. In
    a terminal or a log file that is where ``print`` goes too; in a Jupyter
    kernel (or under output capture) ``sys.stdout`` is another stream, and
    what the children print would reach the kernel's console, not the
    notebook.
    """
    try:
        return sys.stdout.fileno() != 1
    except (AttributeError, OSError, ValueError):
        return True


class _OutputRelay:
    """Per-rank files the children write to, copied to ``sys.stdout``."""

    def __init__(self, nprocs):
        import tempfile

        self._dir = tempfile.TemporaryDirectory(prefix="torchkeras-launch-")
        self.paths = [os.path.join(self._dir.name, f"rank{i}.log")
                      for i in range(nprocs)]
        self._offsets = [0] * nprocs

    def pump(self):
        for i, path in enumerate(self.paths):
            try:
                with open(path, "rb") as f:
                    f.seek(self._offsets[i])
                    data = f.read()
            except FileNotFoundError:
                continue
            if data:
                self._offsets[i] += len(data)
                sys.stdout.write(data.decode("utf-8", errors="replace"))
                sys.stdout.flush()

    def close(self):
        self.pump()
        self._dir.cleanup()


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(index, nprocs, port, backend, fn, args, seconds, threads=None,
            relay_paths=None):
    if relay_paths is not None:
        out = os.open(relay_paths[index],
                      os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
    if threads is not None:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        torch.set_num_threads(threads)
    os.environ.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
                       "RANK": str(index), "WORLD_SIZE": str(nprocs),
                       "LOCAL_RANK": str(index)})
    stalls.start(backend or _default_backend(), seconds, rank=index,
                 world_size=nprocs)
    try:
        fn(*args)
    finally:
        stalls.finish()
        dist.destroy_process_group()


def warn_uneven(message, _seen=set()):
    """Warns once per distinct message (about uneven shards across ranks).

    The same message is not repeated, e.g. at every epoch.

    Args:
        message: The warning text.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     keras.distribute.warn_uneven("Docs: uneven shards.")
        ...     keras.distribute.warn_uneven("Docs: uneven shards.")
        >>> len(caught)
        1
    """
    if message not in _seen:
        _seen.add(message)
        warnings.warn(message, stacklevel=3)


def broadcast_object(obj, src=0):
    """Returns rank `src`'s picklable `obj`, on every rank.

    `fit` uses it for the global batches of a `DataLoader` that only rank 0
    reads. Outside a process group (a plain single process) it returns its
    argument unchanged, as the examples show.

    Args:
        obj: A picklable object (ignored on the other ranks).
        src: The rank whose object is sent.

    Returns:
        Rank `src`'s object.

    Examples:
        >>> keras.distribute.broadcast_object({"epoch": 3})
        {'epoch': 3}
    """
    if not is_distributed():
        return obj
    box = [obj]
    with stalls.named_failures():
        dist.broadcast_object_list(box, src=src)
    return box[0]


def all_reduce_max(values):
    """Returns the element-wise maximum of a list of numbers over all ranks.

    Outside a process group it returns the numbers as a list.

    Args:
        values: A list of numbers.

    Returns:
        A list of floats (of numbers outside a group).

    Examples:
        >>> keras.distribute.all_reduce_max([1, 5])
        [1, 5]
    """
    if not is_distributed():
        return list(values)
    t = torch.tensor([float(v) for v in values], dtype=torch.float64,
                     device=_collective_device(None))
    with stalls.named_failures():
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.cpu().tolist()
