#!/usr/bin/env python
"""torchkeras ``fit``/``predict`` against a hand-written torch loop.

The same model, data, batch size, optimizer rule (Adam, lr 1e-3, eps 1e-7)
and threads. Each round times one epoch of the hand-written loop, one
``fit(epochs=1)``, then one predict pass of each, so machine drift touches
both alike. Prints per workload the best samples/s of each, the median of
the per-round ratios torchkeras / torch and the ratio of the best times
(on a shared VM the best time is the one least disturbed):

- ``mlp``: Dense 784-512-256-10, batch 128;
- ``cnn``: Conv2D 32 -> MaxPool -> Conv2D 64 -> MaxPool -> Flatten ->
  Dropout -> Dense 10 on 28x28x1 (channels_last), batch 128;
- ``tiny``: Dense(10) on 32 features, batch 32 (pure per-step overhead).

Usage::

    python benchmarks/bench_fit.py --threads 2 --rounds 7
    python benchmarks/bench_fit.py --workload tiny --rounds 11
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CONFIG = {
    "mlp": dict(n=12800, batch=128),
    "cnn": dict(n=3840, batch=128),
    "tiny": dict(n=32 * 1500, batch=32),
}


def make_data(workload, n, seed=0):
    rng = np.random.default_rng(seed)
    d = 32 if workload == "tiny" else 784
    x = rng.random((n, d), dtype=np.float32)
    w = rng.standard_normal((d, 10)).astype(np.float32)
    y = np.argmax((x - 0.5) @ w, axis=1).astype(np.int64)
    if workload == "cnn":
        x = x.reshape(n, 28, 28, 1)
    return x, y


def keras_model(keras, workload):
    L = keras.layers
    if workload == "mlp":
        inp = keras.Input(shape=(784,))
        h = L.Dense(512, activation="relu")(inp)
        h = L.Dense(256, activation="relu")(h)
        out = L.Dense(10, activation="softmax")(h)
    elif workload == "cnn":
        inp = keras.Input(shape=(28, 28, 1))
        h = L.Conv2D(32, kernel_size=(3, 3), activation="relu")(inp)
        h = L.MaxPooling2D(pool_size=(2, 2))(h)
        h = L.Conv2D(64, kernel_size=(3, 3), activation="relu")(h)
        h = L.MaxPooling2D(pool_size=(2, 2))(h)
        h = L.Flatten()(h)
        h = L.Dropout(0.5)(h)
        out = L.Dense(10, activation="softmax")(h)
    else:
        inp = keras.Input(shape=(32,))
        out = L.Dense(10, activation="softmax")(inp)
    return keras.Model(inp, out)


def torch_model(workload):
    nn = torch.nn
    if workload == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(),
                             nn.Linear(512, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5),
                             nn.Linear(1600, 10))
    return nn.Linear(32, 10)


class TorchkerasRunner:
    """The Keras way: ``compile`` once, then ``fit(epochs=1)``/``predict``."""

    def __init__(self, workload, cfg, x, y):
        import torchkeras as keras

        keras.utils.set_random_seed(0)
        self.model = keras_model(keras, workload)
        self.model.compile(
            optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7),
            loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        self.cfg, self.x, self.y = cfg, x, y

    def train_epoch(self):
        self.model.fit(self.x, self.y, batch_size=self.cfg["batch"],
                       epochs=1, verbose=0, shuffle=True)

    def predict(self):
        self.model.predict(self.x, batch_size=self.cfg["batch"], verbose=0)


class TorchRunner:
    """The hand-written loop: the same work (shuffle, Adam step, loss and
    accuracy kept on the side and read once per epoch)."""

    def __init__(self, workload, cfg, x_np, y_np):
        torch.manual_seed(0)
        self.model = torch_model(workload)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3,
                                    eps=1e-7)
        if workload == "cnn":
            x_np = x_np.reshape(-1, 1, 28, 28)
        self.X, self.Y = torch.from_numpy(x_np), torch.from_numpy(y_np)
        self.n, self.batch = cfg["n"], cfg["batch"]

    def train_epoch(self):
        import torch.nn.functional as F

        model, opt, X, Y = self.model, self.opt, self.X, self.Y
        model.train()
        perm = torch.randperm(self.n)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for i in range(0, self.n, self.batch):
            idx = perm[i:i + self.batch]
            xb, yb = X[idx], Y[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * xb.shape[0]
                correct += (out.argmax(1) == yb).sum()
        return loss_sum.item() / self.n, correct.item() / self.n

    def predict(self):
        self.model.eval()
        outs = []
        with torch.inference_mode():
            for i in range(0, self.n, self.batch):
                outs.append(torch.softmax(
                    self.model(self.X[i:i + self.batch]), -1).numpy())
        return np.concatenate(outs)


def measure(workload, cfg, x, y, rounds):
    """Rounds of (torch epoch, fit epoch, torch predict, predict), after
    one warm-up round; per-round ratios and the ratio of the best times."""
    runners = {"torch": TorchRunner(workload, cfg, x, y),
               "torchkeras": TorchkerasRunner(workload, cfg, x, y)}
    times = {(who, what): [] for who in runners
             for what in ("train", "predict")}
    for r in range(rounds + 1):
        for what in ("train", "predict"):
            for who, runner in runners.items():
                fn = runner.train_epoch if what == "train" else (
                    runner.predict)
                t = time.perf_counter()
                fn()
                if r:  # round 0 warms up
                    times[(who, what)].append(time.perf_counter() - t)
    n = cfg["n"]
    out = {}
    for what in ("train", "predict"):
        ours, theirs = times[("torchkeras", what)], times[("torch", what)]
        ratios = [t / k for k, t in zip(ours, theirs)]
        out[what] = dict(torch_sps=round(n / min(theirs)),
                         torchkeras_sps=round(n / min(ours)),
                         ratio_median=round(statistics.median(ratios), 3),
                         ratio_best=round(min(theirs) / min(ours), 3))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="mlp,cnn,tiny")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for workload in args.workload.split(","):
        cfg = dict(CONFIG[workload])
        cfg["n"] = int(cfg["n"] * args.scale) // cfg["batch"] * cfg["batch"]
        x, y = make_data(workload, cfg["n"])
        result = measure(workload, cfg, x, y, args.rounds)
        print(json.dumps({
            "workload": workload, "threads": args.threads,
            "batch": cfg["batch"], "n": cfg["n"], "rounds": args.rounds,
            "fit": result["train"], "predict": result["predict"],
        }), flush=True)


if __name__ == "__main__":
    main()
