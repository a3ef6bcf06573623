"""Data adapters: every kind of input ``fit`` accepts, as batches of tensors.

``get_adapter(x, y, sample_weight, ...)`` picks one adapter:
- ``ArrayAdapter``: NumPy arrays, torch tensors, and lists/dicts of them.
  They become tensors once (pinned on CUDA) and each epoch is a permutation
  sliced into batches (``tensor[idx]``): no per-sample collation.
- ``DatasetAdapter``: ``torchkeras.data.Dataset`` (already batched).
- ``GeneratorAdapter``: Python generators and iterators.
- ``SequenceAdapter``: ``utils.Sequence`` (with ``on_epoch_end``).
- ``TorchDataAdapter``: torch ``Dataset``/``DataLoader``.

Every adapter yields ``(x, y, sample_weight)`` tuples (``y`` or
``sample_weight`` may be None). Validation of what the model expects
(input counts, names, label ranges) is the trainer's job: arrays once,
before training; batches of the iterable adapters through their
``check_targets`` hook, called with each batch's targets while they are
still on the host (the trainer sets it where a loss kernel could only
assert, on accelerators).

Data parallelism (``shard(rank, world)``, ``block``): as with tf.keras's
MirroredStrategy a batch the user gives is the global batch. Arrays and
torch DataLoaders over map-style datasets split every global batch into
contiguous per-rank parts (the loader keeps its sampler, workers and
collate_fn; rank 0 decides the order). Generators, ``data.Dataset``,
``Sequence`` and DataLoaders over iterable datasets cannot be split: rank r
keeps every ``world``-th batch starting at r. In training (``drop_uneven``)
all ranks must run the same number of DDP steps; every rank sees the same
batch boundaries, so each drops an incomplete last group without asking the
others. Evaluation and prediction drop nothing. The collectives themselves
belong to ``torchkeras.distribute``.
"""

import collections
import itertools
import math
import warnings

import numpy as np
import torch

from torchkeras.utils import tree
from torchkeras.utils.batch_utils import describe as _describe
from torchkeras.utils.batch_utils import (
    pack_x_y_sample_weight as pack_x_y_sample_weight,
)
from torchkeras.utils.batch_utils import (
    unpack_x_y_sample_weight as unpack_x_y_sample_weight,
)


def _is_array(v):
    return isinstance(v, (np.ndarray, torch.Tensor)) or (
        hasattr(v, "__array__") and not isinstance(v, (str, bytes))
        and not hasattr(v, "__next__"))


def is_array_like(x):
    leaves = tree.flatten(x)
    return bool(leaves) and all(
        leaf is None or _is_array(leaf) or isinstance(leaf, list)
        for leaf in leaves)


def to_tensor(value, device=None, pin=False):
    """NumPy/array-likes to a tensor (strings stay NumPy object arrays)."""
    if value is None:
        return None
    if torch.is_tensor(value):
        t = value
    else:
        arr = np.asarray(value)
        if arr.dtype.kind in "OUS":
            return arr.astype(object) if arr.dtype.kind != "O" else arr
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.dtype == torch.float64:
        t = t.float()
    if device is not None and t.device != device:
        if pin and t.device.type == "cpu":
            t = t.pin_memory()
        t = t.to(device, non_blocking=pin)
    return t


def _length(v):
    return v.shape[0] if hasattr(v, "shape") else len(v)


class ArrayAdapter:
    """In-memory arrays, batched by index slicing of a permutation."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None,
                 steps=None, shuffle=False, device=None):
        self.x = tree.map_structure(lambda v: to_tensor(v), x)
        self.y = tree.map_structure(lambda v: to_tensor(v), y)
        self.sample_weight = tree.map_structure(lambda v: to_tensor(v),
                                                sample_weight)
        self._check_lengths()
        self.num_samples = _length(tree.flatten(self.x)[0])
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.device = device
        self.steps = steps
        self._index_device = None
        if device is not None and device.type == "cuda":
            self._place_on_accelerator(device)

    def _place_on_accelerator(self, device):
        """Data on the GPU once if it fits easily, else pinned host memory.

        Either way batches reach the GPU without a synchronous copy: sliced
        on the device, or sliced on the host and copied with
        ``non_blocking=True`` from pinned memory.
        """
        leaves = [v for v in tree.flatten((self.x, self.y,
                                           self.sample_weight))
                  if torch.is_tensor(v)]
        nbytes = sum(v.numel() * v.element_size() for v in leaves)
        free, _ = torch.cuda.mem_get_info(device)
        if nbytes < 0.25 * free:
            move = (lambda v: v.to(device) if torch.is_tensor(v) else v)
            self._index_device = device
        else:
            move = (lambda v: v.pin_memory() if torch.is_tensor(v)
                    and v.device.type == "cpu" else v)
        self.x = tree.map_structure(move, self.x)
        self.y = tree.map_structure(move, self.y)
        self.sample_weight = tree.map_structure(move, self.sample_weight)

    def _check_lengths(self):
        sizes = {}
        for kind, struct in (("x", self.x), ("y", self.y),
                             ("sample_weight", self.sample_weight)):
            for leaf in tree.flatten(struct):
                if leaf is not None:
                    sizes.setdefault(kind, set()).add(_length(leaf))
        all_sizes = set().union(*sizes.values()) if sizes else set()
        if len(all_sizes) > 1:
            detail = ", ".join(f"{k} sizes: {sorted(v)}"
                               for k, v in sizes.items())
            raise ValueError(
                "Data cardinality is ambiguous: all arrays must contain the "
                f"same number of samples. Received: {detail}"
            )

    @property
    def steps_per_epoch(self):
        if self.steps is not None:
            return self.steps
        return math.ceil(self.num_samples / self.batch_size)

    def _order(self):
        n = self.num_samples
        if self.shuffle == "batch":
            starts = torch.randperm(math.ceil(n / self.batch_size))
            return torch.cat([
                torch.arange(s * self.batch_size,
                             min((s + 1) * self.batch_size, n))
                for s in starts.tolist()])
        if self.shuffle:
            order = torch.randperm(n)
            if self._index_device is not None:
                order = order.to(self._index_device)
            return order
        return None

    def __iter__(self):
        if self.drop_uneven:
            _check_global_batch(self.batch_size, self.world)
        order = self._epoch_order()
        if (order is None and self.world == 1 and self.steps is None
                and self._plain_slices()):
            # predict/evaluate on tensors already in place: the views of
            # one split.
            bs = self.batch_size
            parts = [(None,) * math.ceil(self.num_samples / bs)
                     if v is None else v.split(bs)
                     for v in (self.x, self.y, self.sample_weight)]
            for batch in zip(*parts):
                self.global_batch_size = batch[0].shape[0]
                yield batch
            return
        n, bs = self.num_samples, self.batch_size
        produced = 0
        while True:
            for start in range(0, self._usable(n), bs):
                self.global_batch_size = min(start + bs, n) - start
                index = self._batch_index(order, start, min(start + bs, n))
                if self.world > 1 and _empty(index):
                    continue  # evaluation: this rank has no sample here
                yield tuple(self._take(s, index) for s in
                            (self.x, self.y, self.sample_weight))
                produced += 1
                if self.steps is not None and produced >= self.steps:
                    return
            if self.steps is None:
                return
            order = self._epoch_order()

    def _plain_slices(self):
        """True when x, y and sample_weight are single tensors (or None)
        that need no move to ``device``."""
        for v in (self.x, self.y, self.sample_weight):
            if v is None:
                continue
            if type(v) is not torch.Tensor or (
                    self.device is not None and v.device != self.device):
                return False
        return self.x is not None

    # Data parallelism: every rank walks the same global batches (rank 0's
    # permutation) and takes its own contiguous part of each, so the
    # global batch is `batch_size`, as with tf.keras's MirroredStrategy.
    rank = 0
    world = 1

    def shard(self, rank, world):
        self.rank, self.world = rank, world
        return self

    def set_epoch(self, epoch):
        """Nothing to do: each epoch's permutation comes from rank 0."""

    def block(self, rank, world):
        """An adapter over this rank's contiguous block of the samples,
        or None when there are fewer samples than ranks (or ``steps``)."""
        from torchkeras.distribute import shard_bounds

        if self.num_samples < world or self.steps is not None:
            return None
        lo, hi = shard_bounds(self.num_samples, rank, world)

        def cut(v):
            return None if v is None else v[lo:hi]

        part = ArrayAdapter.__new__(ArrayAdapter)
        part.__dict__.update(self.__dict__)
        part.x = tree.map_structure(cut, self.x)
        part.y = tree.map_structure(cut, self.y)
        part.sample_weight = tree.map_structure(cut, self.sample_weight)
        part.num_samples = hi - lo
        return part

    def _epoch_order(self):
        order = self._order()
        if self.world > 1 and order is not None:
            from torchkeras import distribute

            order = distribute.broadcast_order(order, order.device)
        return order

    drop_uneven = False

    def _usable(self, n):
        if self.drop_uneven and self.world > 1 and n % self.batch_size and (
                n % self.batch_size < self.world):
            from torchkeras import distribute

            distribute.warn_uneven(
                f"The last batch ({n % self.batch_size} samples) is smaller "
                f"than the number of processes ({self.world}) and is "
                "skipped in distributed training.")
            return n - n % self.batch_size
        return n

    def _batch_index(self, order, start, stop):
        if self.world > 1:
            from torchkeras.distribute import shard_bounds

            lo, hi = shard_bounds(stop - start, self.rank, self.world)
            start, stop = start + lo, start + hi
        if order is None:
            return slice(start, stop)
        return order[start:stop]

    def _take(self, struct, index):
        if struct is None:
            return None
        device = self.device

        def take(v):
            if v is None:
                return None
            if isinstance(v, np.ndarray):  # strings
                return v[index.numpy() if torch.is_tensor(index) else index]
            out = v[index]
            if device is not None and out.device != device:
                if out.device.type == "cpu" and device.type == "cuda":
                    out = out.pin_memory()
                out = out.to(device, non_blocking=True)
            return out

        if torch.is_tensor(struct):
            return take(struct)
        return tree.map_structure(take, struct)

    def on_epoch_end(self):
        pass


def _empty(index):
    if isinstance(index, slice):
        return index.stop <= index.start
    return index.numel() == 0


def train_validation_split(arrays, validation_split):
    """Splits array structures, the last fraction being validation.

    As Keras: the split happens before any shuffling.
    """
    flat = [a for a in tree.flatten(arrays) if a is not None]
    n = _length(flat[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient "
            f"to split it into a validation and training set as specified "
            f"by `validation_split={validation_split}`. Either provide more "
            "data, or a different value for the `validation_split` argument."
        )

    def head(a):
        return None if a is None else a[:split_at]

    def tail(a):
        return None if a is None else a[split_at:]

    return (tree.map_structure(head, arrays),
            tree.map_structure(tail, arrays))


class _IterableAdapter:
    """Shared logic of adapters over iterables that yield whole batches."""

    def __init__(self, steps=None, device=None):
        self.steps = steps
        self.device = device
        self._iterator = None

    @property
    def steps_per_epoch(self):
        if self.steps is not None:
            return self.steps
        n = self._known_length()
        if n is None or self.world == 1 or self._splits_batches():
            return n
        if self.drop_uneven:
            return n // self.world
        return len(range(self.rank, n, self.world))

    def _known_length(self):
        return None

    def _new_iterator(self):
        raise NotImplementedError

    rank = 0
    world = 1
    # Set by `fit`: training needs the same number of steps on all ranks.
    drop_uneven = False

    def shard(self, rank, world):
        """Each rank keeps every ``world``-th batch, starting at ``rank``."""
        self.rank, self.world = rank, world
        return self

    def set_epoch(self, epoch):
        """Called by ``fit`` at the start of every epoch."""

    def _splits_batches(self):
        return False

    def _mine(self, iterator):
        if self.world == 1:
            yield from iterator
        elif self.drop_uneven:
            yield from self._mine_in_groups(iterator)
        else:
            for i, batch in enumerate(iterator):
                if i % self.world == self.rank:
                    yield batch

    def _mine_in_groups(self, iterator):
        """Training: one step takes one batch per rank, whole groups only.

        Every rank walks the same batches, so each knows without any
        communication whether a complete group of ``world`` batches came;
        all ranks skip an incomplete last group alike and so run the same
        number of DDP steps (else the collectives would not line up).
        """
        group = []
        for batch in iterator:
            group.append(batch)
            if len(group) < self.world:
                continue
            self.global_batch_size = sum(_batch_length(b) for b in group)
            yield group[self.rank]
            group = []
        if group:
            from torchkeras import distribute

            distribute.warn_uneven(
                f"The data ended with {len(group)} batch(es) for "
                f"{self.world} processes: distributed training takes one "
                f"batch per process per step, so the last {len(group)} "
                "batch(es) were skipped.")

    # Set by the trainer: ``check_targets(y)`` before ``y`` moves.
    check_targets = None

    def _convert(self, batch):
        x, y, sw = unpack_x_y_sample_weight(batch)
        if y is not None and self.check_targets is not None:
            self.check_targets(y)
        convert = (lambda v: to_tensor(v, self.device))
        return (tree.map_structure(convert, x),
                tree.map_structure(convert, y) if y is not None else None,
                tree.map_structure(convert, sw) if sw is not None else None)

    def __iter__(self):
        if self.steps is None:
            for batch in self._mine(self._new_iterator()):
                yield self._convert(batch)
            return
        # With `steps_per_epoch`, an epoch takes `steps` batches and the
        # next epoch continues the same iterator (tf.keras semantics).
        produced = 0
        while produced < self.steps:
            if self._iterator is None:
                self._iterator = iter(self._mine(self._new_iterator()))
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                if produced == 0 or not self._restartable():
                    warnings.warn(
                        "Your input ran out of data; interrupting training. "
                        "Make sure that your dataset or generator can "
                        "generate at least `steps_per_epoch * epochs` "
                        f"batches. Stopped after {produced} of "
                        f"{self.steps} steps.", stacklevel=2)
                    self.exhausted = True
                    return
                continue
            produced += 1
            yield self._convert(batch)

    def _restartable(self):
        return True

    def on_epoch_end(self):
        pass


def _batch_length(batch):
    x, _, _ = unpack_x_y_sample_weight(batch)
    for leaf in tree.flatten(x):
        if leaf is not None:
            return _length(leaf)
    return 0


def _check_global_batch(batch_size, world):
    if batch_size is not None and world > 1 and batch_size < world:
        raise ValueError(
            "In distributed training `batch_size` is the global batch, "
            f"split across the {world} processes, so it must be at least "
            f"{world}. Received: batch_size={batch_size}"
        )


class DatasetAdapter(_IterableAdapter):
    def __init__(self, dataset, steps=None, device=None):
        super().__init__(steps, device)
        self.dataset = dataset

    def _new_iterator(self):
        return iter(self.dataset)

    def _known_length(self):
        n = self.dataset.cardinality()
        n = int(n)
        return n if n >= 0 else None


class GeneratorAdapter(_IterableAdapter):
    def __init__(self, generator, steps=None, device=None):
        super().__init__(steps, device)
        self.generator = generator
        # One pass for the whole run (`_iterator` is the adapter's own,
        # sharded view of it).
        self._source = iter(generator)

    def _new_iterator(self):
        return self._source

    def _restartable(self):
        return False


class SequenceAdapter(_IterableAdapter):
    def __init__(self, sequence, steps=None, shuffle=False, device=None):
        super().__init__(steps, device)
        self.sequence = sequence
        self.shuffle = shuffle

    def _known_length(self):
        return len(self.sequence)

    def _new_iterator(self):
        order = list(range(len(self.sequence)))
        if self.shuffle:
            order = torch.randperm(len(order))
            if self.world > 1:  # ranks split one order: rank 0's
                from torchkeras import distribute

                order = distribute.broadcast_order(order)
            order = order.tolist()
        return (self.sequence[i] for i in order)

    def on_epoch_end(self):
        if hasattr(self.sequence, "on_epoch_end"):
            self.sequence.on_epoch_end()


class TorchDataAdapter(_IterableAdapter):
    """torch ``Dataset``/``DataLoader``.

    Under data parallelism (``shard``) a DataLoader over a map-style
    dataset is rebuilt with a batch sampler that gives this rank its part
    of each of the loader's own (global) batches: the user's sampler,
    shuffling, ``drop_last``, workers and ``collate_fn`` stay, the global
    batches are those of one process, and no sample is padded or repeated.
    A loader whose sampler is already a ``DistributedSampler`` is used as
    given (its ``batch_size`` is then per rank, as in torch). Other loaders
    (iterable datasets, ``batch_size=None``, DataLoader subclasses) fall
    back to every ``world``-th batch.
    """

    def __init__(self, data, batch_size=None, shuffle=False, steps=None,
                 device=None):
        super().__init__(steps, device)
        if isinstance(data, torch.utils.data.DataLoader):
            self.loader = data
        else:
            self.loader = torch.utils.data.DataLoader(
                data, batch_size=batch_size or 32, shuffle=bool(shuffle))
        self._rank_loader = None
        self._parts = None

    def shard(self, rank, world):
        super().shard(rank, world)
        if world == 1:
            return self
        if _user_sharded(self.loader):
            self.rank, self.world = 0, 1  # each rank has its own part
        elif _splittable(self.loader):
            self._parts = _RankBatchSampler(self, self.loader.batch_sampler)
            self._rank_loader = _rebuilt(self.loader, self._parts)
        return self

    def set_epoch(self, epoch):
        """``set_epoch`` of the loader's samplers (DistributedSampler)."""
        loader = self.loader
        seen = set()
        for sampler in (loader.sampler, loader.batch_sampler,
                        getattr(loader.batch_sampler, "sampler", None)):
            fn = getattr(sampler, "set_epoch", None)
            if callable(fn) and id(sampler) not in seen:
                seen.add(id(sampler))
                fn(epoch)

    def block(self, rank, world):
        """This rank's contiguous block of the samples (for ``predict``),
        or None when the loader cannot be split so."""
        if not _splittable(self.loader) or _user_sharded(self.loader):
            return None
        batches = _global_batches(self.loader.batch_sampler)
        if self.steps is not None:
            batches = itertools.islice(batches, self.steps)
        batches = list(batches)
        total = sum(len(b) for b in batches)
        if total < world:
            return None
        from torchkeras.distribute import shard_bounds

        lo, hi = shard_bounds(total, rank, world)
        mine, start = [], 0
        for batch in batches:
            part = batch[max(lo - start, 0):max(hi - start, 0)]
            if part:
                mine.append(part)
            start += len(batch)
        return TorchDataAdapter(_rebuilt(self.loader, _FixedBatches(mine)),
                                device=self.device)

    def _splits_batches(self):
        return self._rank_loader is not None

    def _known_length(self):
        try:
            return len(self.loader)
        except TypeError:
            return None

    def _new_iterator(self):
        if self._rank_loader is not None:
            if self.drop_uneven:
                _check_global_batch(self.loader.batch_size, self.world)
            return iter(self._rank_loader)
        return iter(self.loader)

    def _mine(self, iterator):
        if self._rank_loader is None:
            yield from super()._mine(iterator)
            return
        sizes = self._parts.sizes
        for batch in iterator:
            # Batches arrive in sampler order (workers included).
            self.global_batch_size = sizes.popleft()
            yield batch


def _user_sharded(loader):
    from torch.utils.data.distributed import DistributedSampler

    return any(isinstance(s, DistributedSampler) for s in (
        loader.sampler, getattr(loader.batch_sampler, "sampler", None)))


def _splittable(loader):
    return (type(loader) is torch.utils.data.DataLoader
            and loader.batch_sampler is not None
            and not isinstance(loader.dataset,
                               torch.utils.data.IterableDataset))


def _rebuilt(loader, batch_sampler):
    """The same DataLoader with another batch sampler."""
    kwargs = {}
    if loader.num_workers > 0:
        kwargs["prefetch_factor"] = loader.prefetch_factor
        kwargs["multiprocessing_context"] = loader.multiprocessing_context
        kwargs["persistent_workers"] = loader.persistent_workers
    if getattr(loader, "pin_memory_device", ""):
        kwargs["pin_memory_device"] = loader.pin_memory_device
    return torch.utils.data.DataLoader(
        loader.dataset, batch_sampler=batch_sampler,
        num_workers=loader.num_workers, collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory, timeout=loader.timeout,
        worker_init_fn=loader.worker_init_fn, generator=loader.generator,
        **kwargs)


# Global batches are agreed on in chunks, so an endless sampler streams.
_CHUNK = 256


def _global_batches(batch_sampler):
    """The batches of one pass of ``batch_sampler``, the same on all ranks.

    Every rank walks its own sampler (keeping random streams in step) and
    rank 0's batches are broadcast, unless the order cannot differ between
    ranks (a plain BatchSampler over a SequentialSampler).
    """
    data = torch.utils.data
    if type(batch_sampler) is data.BatchSampler and type(
            batch_sampler.sampler) is data.SequentialSampler:
        for batch in batch_sampler:
            yield list(batch)
        return
    from torchkeras import distribute

    iterator = iter(batch_sampler)
    while True:
        chunk = [list(b) for b in itertools.islice(iterator, _CHUNK)]
        chunk = distribute.broadcast_object(chunk)
        yield from chunk
        if len(chunk) < _CHUNK:
            return


class _RankBatchSampler:
    """This rank's contiguous part of every global batch of a DataLoader.

    The global size of each part goes to ``sizes`` in order (the replica
    loss scale). In training a global batch smaller than the number of
    ranks would leave a rank without a step: it is skipped on all ranks.
    """

    def __init__(self, adapter, batch_sampler):
        self.adapter = adapter
        self.batch_sampler = batch_sampler
        self.sizes = collections.deque()

    def __len__(self):
        return len(self.batch_sampler)

    def __iter__(self):
        from torchkeras.distribute import shard_bounds

        rank, world = self.adapter.rank, self.adapter.world
        drop = self.adapter.drop_uneven
        self.sizes.clear()
        skipped = 0
        for batch in _global_batches(self.batch_sampler):
            if drop and len(batch) < world:
                skipped += 1
                continue
            lo, hi = shard_bounds(len(batch), rank, world)
            if hi > lo:
                self.sizes.append(len(batch))
                yield batch[lo:hi]
        if skipped:
            from torchkeras import distribute

            distribute.warn_uneven(
                f"{skipped} batch(es) of the DataLoader had fewer samples "
                f"than the number of processes ({world}) and were skipped "
                "in distributed training.")


class _FixedBatches:
    """A batch sampler over a fixed list of index batches."""

    def __init__(self, batches):
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        return iter(self.batches)


def _scalar_lists_to_arrays(value):
    """A flat list of numbers or strings is one array, as in tf.keras."""
    if isinstance(value, list) and value and all(
            isinstance(v, (str, bytes, int, float, bool, np.generic))
            for v in value):
        if any(isinstance(v, (str, bytes)) for v in value):
            return np.asarray(value, dtype=object)
        return np.asarray(value)
    if isinstance(value, dict):
        return {k: _scalar_lists_to_arrays(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and any(
            isinstance(v, list) for v in value):
        return type(value)(_scalar_lists_to_arrays(v) for v in value)
    return value


def get_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None,
                shuffle=False, device=None, argument="x"):
    """Chooses the adapter for ``x`` (and checks what goes with it)."""
    x = _scalar_lists_to_arrays(x)
    y = _scalar_lists_to_arrays(y)
    sample_weight = _scalar_lists_to_arrays(sample_weight)
    from torchkeras.data.dataset import is_dataset
    from torchkeras.utils.sequence import Sequence

    if x is None:
        raise ValueError(f"Expected `{argument}` to be data. Received: "
                         f"{argument}=None")
    iterable_kind = None
    if is_dataset(x):
        iterable_kind = "a torchkeras.data.Dataset"
        adapter = DatasetAdapter(x, steps=steps, device=device)
    elif isinstance(x, Sequence):
        iterable_kind = "a keras.utils.Sequence"
        adapter = SequenceAdapter(x, steps=steps, shuffle=shuffle,
                                  device=device)
    elif isinstance(x, (torch.utils.data.DataLoader,
                        torch.utils.data.Dataset)):
        iterable_kind = "a torch DataLoader/Dataset"
        adapter = TorchDataAdapter(x, batch_size=batch_size,
                                   shuffle=shuffle, steps=steps,
                                   device=device)
    elif hasattr(x, "__next__") or (hasattr(x, "__iter__")
                                    and not is_array_like(x)
                                    and not isinstance(x, dict)):
        iterable_kind = "a generator"
        adapter = GeneratorAdapter(x, steps=steps, device=device)
    else:
        return ArrayAdapter(x, y, sample_weight, batch_size=batch_size,
                            steps=steps, shuffle=shuffle, device=device)
    if y is not None:
        raise ValueError(
            f"`y` argument is not supported when using {iterable_kind} as "
            "input: the targets come from the input itself. Received: "
            f"y={_describe(y)}"
        )
    if sample_weight is not None:
        raise ValueError(
            "`sample_weight` argument is not supported when using "
            f"{iterable_kind} as input. Yield (x, y, sample_weight) "
            "instead."
        )
    return adapter


def rank_block(adapter, rank, world):
    """This rank's contiguous block of ``adapter``'s samples for
    ``predict``, or None when the data cannot be split so (every rank then
    predicts everything, which gives the same result)."""
    block = getattr(adapter, "block", None)
    return None if block is None else block(rank, world)
