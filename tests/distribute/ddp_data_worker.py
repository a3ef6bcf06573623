"""DDP scenarios over torch DataLoaders and generators, one rank each.

Run alone (``run_all(out)`` in the test process: the single-process
reference) or as each of 2 gloo ranks (``python ddp_data_worker.py OUT``
with the torchrun environment). Writes ``<out>/rank<R>.npz`` with, per
scenario, the final weights, the history, evaluate and predict results.
Where DDP needs other data than one process (a generator's per-rank
batches against the global batches they make up), each scenario builds
both spellings of the same global batches.
"""

import itertools
import os
import sys
import warnings

import numpy as np
import torch

import torchkeras as keras

X = np.random.default_rng(0).standard_normal((101, 6)).astype("float32")
Y = (X[:, :3].sum(1) > 0).astype("int64")


def _model():
    keras.utils.set_random_seed(0)
    inp = keras.Input(shape=(6,))
    h = keras.layers.Dense(8, activation="relu")(inp)
    out = keras.layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _loader(n, batch_size, shuffle=False, **kwargs):
    data = torch.utils.data.TensorDataset(torch.from_numpy(X[:n]),
                                          torch.from_numpy(Y[:n]))
    return torch.utils.data.DataLoader(data, batch_size=batch_size,
                                       shuffle=shuffle, **kwargs)


def _batches(sizes):
    """Consecutive (x, y) batches of X, Y with the given sizes."""
    ends = np.cumsum(sizes)
    return [(X[e - s:e], Y[e - s:e]) for s, e in zip(sizes, ends)]


def _pairs(batches):
    """Each two consecutive batches as one (the global batch of 2 ranks)."""
    it = iter(batches)
    for a, b in zip(it, it):
        yield np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])


def _fit_result(model, history):
    out = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    out.update({k: np.array(v) for k, v in history.history.items()})
    return out


def loader_fit():
    """Shuffled DataLoader (101 rows, global batch 16: the last is 5),
    validated on an uneven loader. The ranks' random streams differ (as
    without `set_random_seed`): rank 0's shuffle must win."""
    model = _model()
    torch.manual_seed(100 + keras.distribute.rank())
    history = model.fit(_loader(101, 16, shuffle=True), epochs=3,
                        validation_data=_loader(37, 8), verbose=0)
    return _fit_result(model, history)


def loader_evaluate():
    """Uneven loaders: 37 rows by 8, and 3 rows by 1 (rank 1 gets none)."""
    model = _model()
    model.fit(X[:32], Y[:32], batch_size=16, verbose=0)
    return {"uneven": np.array(model.evaluate(_loader(37, 8), verbose=0)),
            "tiny": np.array(model.evaluate(_loader(3, 1), verbose=0))}


def generator_evaluate():
    model = _model()
    model.fit(X[:32], Y[:32], batch_size=16, verbose=0)
    batches = _batches([8, 8, 8, 8, 5])
    return {"five": np.array(model.evaluate(iter(batches), verbose=0))}


def loader_predict():
    model = _model()
    return {"rows": model.predict(_loader(41, 8), verbose=0),
            "one": model.predict(_loader(1, 8), verbose=0)}


def generator_fit_uneven():
    """5 per-rank batches on 2 ranks: 2 steps, the 5th batch skipped."""
    batches = _batches([8, 6, 8, 8, 8])
    model = _model()
    two = keras.distribute.world_size() == 2
    data = iter(batches) if two else _pairs(batches[:4])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(data, epochs=1, verbose=0)
    out = _fit_result(model, history)
    out["warnings"] = np.array([str(w.message) for w in caught], dtype=str)
    return out


def generator_steps_per_epoch():
    """An endless generator (per-rank batches of 8 and 4 in turn) with
    steps_per_epoch: each step takes one batch per rank."""
    stream = itertools.cycle(_batches([8, 4, 8, 4, 8, 4]))
    two = keras.distribute.world_size() == 2
    model = _model()
    history = model.fit(stream if two else _pairs(stream),
                        steps_per_epoch=2, epochs=2, verbose=0)
    return _fit_result(model, history)


class _Batches(keras.utils.Sequence):
    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index]


def shuffled_sequence():
    """A Sequence shuffled by `fit` while the ranks' random streams
    differ: the ranks split rank 0's order of its batches."""
    batches = _batches([8] * 6)
    model = _model()
    torch.manual_seed(100 + keras.distribute.rank())
    if keras.distribute.world_size() == 2:
        history = model.fit(_Batches(batches), shuffle=True, verbose=0)
    else:  # the same order, each two batches as one global batch
        order = torch.randperm(len(batches)).tolist()
        history = model.fit(_pairs([batches[i] for i in order]), verbose=0)
    return _fit_result(model, history)


def user_distributed_sampler():
    """A loader the user already sharded: used as given, set_epoch."""
    data = torch.utils.data.TensorDataset(torch.from_numpy(X[:96]),
                                          torch.from_numpy(Y[:96]))
    world = keras.distribute.world_size()
    sampler = torch.utils.data.distributed.DistributedSampler(
        data, num_replicas=world, rank=keras.distribute.rank(),
        shuffle=True, seed=3)
    loader = torch.utils.data.DataLoader(data, batch_size=16 // world,
                                         sampler=sampler)
    model = _model()
    history = model.fit(loader, epochs=3, verbose=0)
    out = _fit_result(model, history)
    out["epoch"] = np.array(sampler.epoch)
    return out


def tiny_global_batch():
    """A global batch smaller than the number of ranks is refused."""
    if keras.distribute.world_size() == 1:
        return {}
    try:
        _model().fit(X[:8], Y[:8], batch_size=1, verbose=0)
    except ValueError as e:
        return {"error": np.array(str(e))}
    return {"error": np.array("no error")}


SCENARIOS = (loader_fit, loader_evaluate, generator_evaluate,
             loader_predict, generator_fit_uneven,
             generator_steps_per_epoch, shuffled_sequence,
             user_distributed_sampler,
             tiny_global_batch)


def run_all(out):
    keras.distribute.maybe_init()  # scenarios ask world_size() up front
    results = {}
    for scenario in SCENARIOS:
        for key, value in scenario().items():
            results[f"{scenario.__name__}.{key}"] = value
    rank = keras.distribute.rank()
    np.savez(os.path.join(out, f"rank{rank}.npz"), **results)


if __name__ == "__main__":
    run_all(sys.argv[1])
