"""Data-parallel training on torch.distributed (the single owner of it).

``fit``/``evaluate``/``predict`` ask this module whether the process is one
of several (``is_distributed``), start the process group when a launcher
such as ``torchrun`` set the environment (``maybe_init``), and use its
collectives: ``broadcast_order`` (one epoch permutation for all ranks),
``broadcast_object`` (a DataLoader's global batches), ``all_reduce_sum`` and
``all_reduce_max`` (metric states), ``gather_ordered`` (predictions in input
order). ``MirroredStrategy`` keeps tf.keras code running unchanged: its
``scope()`` is a no-op context, since ``fit`` itself is data-parallel.
"""

import contextlib
import datetime
import os
import warnings

import numpy as np
import torch
import torch.distributed as dist


def is_distributed():
    """True inside an initialised process group (even of one process)."""
    return dist.is_available() and dist.is_initialized()


def rank():
    return dist.get_rank() if is_distributed() else 0


def world_size():
    return dist.get_world_size() if is_distributed() else 1


def is_main_process():
    return rank() == 0


def launched_by_torchrun():
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ and (
        "MASTER_ADDR" in os.environ or "TORCHELASTIC_RUN_ID" in os.environ)


def maybe_init(timeout_s=None):
    """Starts the process group that a launcher described, once.

    NCCL when CUDA is visible, gloo otherwise. Returns the device this rank
    should use (``cuda:LOCAL_RANK`` or ``cpu``).
    """
    if not dist.is_available():
        return None
    if not dist.is_initialized() and launched_by_torchrun():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        kwargs = {}
        if timeout_s is not None:
            kwargs["timeout"] = datetime.timedelta(seconds=timeout_s)
        dist.init_process_group(backend=backend, **kwargs)
    if not is_distributed():
        return None
    if dist.get_backend() == "nccl":
        local = int(os.environ.get("LOCAL_RANK", dist.get_rank()))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return torch.device("cpu")


def broadcast_order(order, device=None):
    """Rank 0's permutation, on every rank."""
    if not is_distributed():
        return order
    order = order.to(_collective_device(device))
    dist.broadcast(order, src=0)
    return order.cpu() if device is None else order.to(device)


def _collective_device(device):
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_reduce_sum(tensors):
    """Sums a list of tensors across ranks (one collective, in place)."""
    if not is_distributed() or not tensors:
        return tensors
    device = _collective_device(None)
    flat = torch.cat([t.detach().reshape(-1).to(device, torch.float64)
                      for t in tensors])
    dist.all_reduce(flat)
    offset = 0
    out = []
    for t in tensors:
        n = t.numel()
        out.append(flat[offset:offset + n].reshape(t.shape).to(
            t.device, t.dtype))
        offset += n
    return out


def gather_ordered(array):
    """Concatenates each rank's NumPy block in rank order, on every rank."""
    if not is_distributed():
        return array
    blocks = [None] * world_size()
    dist.all_gather_object(blocks, array)
    return np.concatenate(blocks, axis=0)


def shard_bounds(n, index, count):
    """The [start, stop) of part ``index`` of ``n`` items split ``count``
    ways, as evenly as possible (the first parts one longer)."""
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
    """Several machines (``torchrun --nnodes``): the same as Mirrored."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        super().__init__()


class ReduceOp:
    SUM = "SUM"
    MEAN = "MEAN"


def get_strategy():
    return MirroredStrategy()


def launch(fn, nprocs, args=(), backend=None):
    """Starts ``nprocs`` processes running ``fn(*args)`` in a process group.

    For scripts and notebooks without ``torchrun``. Uses the ``spawn`` start
    method; CUDA initialised in the parent before a fork would break the
    children, so it is refused with a clear error.
    """
    import torch.multiprocessing as mp

    if mp.get_start_method(allow_none=True) == "fork" and (
            torch.cuda.is_initialized()):
        raise RuntimeError(
            "distribute.launch: CUDA was initialised in this process before "
            "forking workers. Call `launch` before touching CUDA, or use "
            "the 'spawn' start method."
        )
    port = _free_port()
    mp.spawn(_worker, args=(nprocs, port, backend, fn, args),
             nprocs=nprocs, join=True)


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(index, nprocs, port, backend, fn, args):
    os.environ.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
                       "RANK": str(index), "WORLD_SIZE": str(nprocs),
                       "LOCAL_RANK": str(index)})
    backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    dist.init_process_group(backend, rank=index, world_size=nprocs)
    try:
        fn(*args)
    finally:
        dist.destroy_process_group()


def warn_uneven(message, _seen=set()):
    if message not in _seen:
        _seen.add(message)
        warnings.warn(message, stacklevel=3)


def broadcast_object(obj, src=0):
    """Rank ``src``'s picklable ``obj``, on every rank."""
    if not is_distributed():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=src)
    return box[0]


def all_reduce_max(values):
    """The element-wise maximum of a list of numbers over all ranks."""
    if not is_distributed():
        return list(values)
    t = torch.tensor([float(v) for v in values], dtype=torch.float64,
                     device=_collective_device(None))
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.cpu().tolist()
