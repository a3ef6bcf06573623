#!/usr/bin/env python
"""torchkeras ``fit``/``predict`` against a hand-written torch loop.

The same model, data, batch size, optimizer rule (Adam, lr 1e-3, eps 1e-7)
and threads, run in interleaved rounds (torch, torchkeras, torch, ...), so
machine drift affects both. Prints samples/s of each and the median ratio
torchkeras / torch per workload:

- ``mlp``: Dense 784-512-256-10, batch 128;
- ``cnn``: Conv2D 32 -> MaxPool -> Conv2D 64 -> MaxPool -> Flatten ->
  Dropout -> Dense 10 on 28x28x1 (channels_last), batch 128;
- ``tiny``: Dense(10) on 32 features, batch 32 (pure per-step overhead).

Usage::

    python benchmarks/bench_fit.py --threads 2 --rounds 3
    python benchmarks/bench_fit.py --workload tiny --rounds 5
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
    "mlp": dict(n=12800, batch=128, epochs=2),
    "cnn": dict(n=3840, batch=128, epochs=1),
    "tiny": dict(n=32 * 1500, batch=32, epochs=1),
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


def run_torchkeras(workload, cfg, x, y):
    import torchkeras as keras

    keras.utils.set_random_seed(0)
    model = keras_model(keras, workload)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    marks = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            marks.append(time.perf_counter())

    model.fit(x, y, batch_size=cfg["batch"], epochs=1 + cfg["epochs"],
              verbose=0, shuffle=True, callbacks=[Timer()])
    train = cfg["n"] * cfg["epochs"] / (marks[-1] - marks[0])
    model.predict(x[:2 * cfg["batch"]], batch_size=cfg["batch"], verbose=0)
    t = time.perf_counter()
    model.predict(x, batch_size=cfg["batch"], verbose=0)
    return train, cfg["n"] / (time.perf_counter() - t)


def run_torch(workload, cfg, x_np, y_np):
    import torch.nn.functional as F

    torch.manual_seed(0)
    model = torch_model(workload)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    if workload == "cnn":
        x_np = x_np.reshape(-1, 1, 28, 28)
    X, Y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    n, batch = cfg["n"], cfg["batch"]
    marks = []
    for _ in range(1 + cfg["epochs"]):
        model.train()
        perm = torch.randperm(n)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = X[idx], Y[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * xb.shape[0]
                correct += (out.argmax(1) == yb).sum()
        _ = (loss_sum.item() / n, correct.item() / n)
        marks.append(time.perf_counter())
    train = n * cfg["epochs"] / (marks[-1] - marks[0])
    model.eval()

    def predict(xs):
        outs = []
        with torch.inference_mode():
            for i in range(0, xs.shape[0], batch):
                outs.append(torch.softmax(model(xs[i:i + batch]), -1).numpy())
        return np.concatenate(outs)

    predict(X[:2 * batch])
    t = time.perf_counter()
    predict(X)
    return train, n / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="mlp,cnn,tiny")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for workload in args.workload.split(","):
        cfg = dict(CONFIG[workload])
        cfg["n"] = int(cfg["n"] * args.scale) // cfg["batch"] * cfg["batch"]
        x, y = make_data(workload, cfg["n"])
        ratios, pratios, rows = [], [], []
        for _ in range(args.rounds):
            t_train, t_pred = run_torch(workload, cfg, x, y)
            k_train, k_pred = run_torchkeras(workload, cfg, x, y)
            ratios.append(k_train / t_train)
            pratios.append(k_pred / t_pred)
            rows.append(dict(torch_train_sps=round(t_train),
                             torchkeras_train_sps=round(k_train),
                             torch_predict_sps=round(t_pred),
                             torchkeras_predict_sps=round(k_pred)))
        print(json.dumps({
            "workload": workload, "threads": args.threads,
            "batch": cfg["batch"], "n": cfg["n"], "rounds": rows,
            "fit_ratio_median": round(statistics.median(ratios), 3),
            "predict_ratio_median": round(statistics.median(pratios), 3),
        }), flush=True)


if __name__ == "__main__":
    main()
