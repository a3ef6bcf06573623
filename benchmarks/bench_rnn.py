#!/usr/bin/env python
"""torchkeras recurrent layers in ``fit``/``predict`` against hand-written
torch loops.

Workloads ``bigru`` and ``bigru_mask``: Embedding(20000, 128) ->
Bidirectional(GRU(64)) -> Dense(1, sigmoid), sequences of 100 tokens,
batch 64, binary crossentropy, Adam (lr 1e-3, epsilon 1e-7):

- ``bigru``: full-length sequences; the reference is ``nn.GRU(128, 64,
  bidirectional=True)`` on the embedded batch;
- ``bigru_mask``: ``Embedding(mask_zero=True)`` on right-padded sequences
  of 10..100 tokens; the reference packs them (``pack_padded_sequence``)
  for the same ``nn.GRU``.

Rounds are interleaved (torch, torchkeras, torch, ...) so machine drift hits
both; each run trains one warm-up epoch then ``epochs`` timed ones, then
times ``predict``. Prints one JSON line per workload with the samples/s of
every round, the median ratios torchkeras / torch, the load average and the
CPU share other processes took during the runs (the machine may be
shared: compare ratios, not absolute numbers).

Usage::

    python benchmarks/bench_rnn.py --threads 2 --rounds 3
    python benchmarks/bench_rnn.py --workload bigru_mask --scale 0.5
    python benchmarks/bench_rnn.py --device cuda
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VOCAB, SEQ_LEN, EMBED, UNITS = 20000, 100, 128, 64
CONFIG = {"bigru": dict(n=3840, batch=64, epochs=1),
          "bigru_mask": dict(n=3840, batch=64, epochs=1)}


def make_data(workload, n, seed=0):
    """Token ids (0 = padding) and binary labels: 1 when more than half
    of a sequence's tokens lie in the lower half of the vocabulary."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, VOCAB, size=(n, SEQ_LEN), dtype=np.int64)
    lengths = np.full((n,), SEQ_LEN)
    if workload == "bigru_mask":
        lengths = rng.integers(10, SEQ_LEN + 1, size=(n,))
        x[np.arange(SEQ_LEN)[None, :] >= lengths[:, None]] = 0
    frac_low = ((x < VOCAB // 2) & (x > 0)).sum(1) / lengths
    y = (frac_low > 0.5).astype(np.float32).reshape(n, 1)
    return x.astype(np.int32), y


class CpuShare:
    """Fraction of the machine's CPU time used by *other* processes."""

    def __init__(self):
        self.t, self.busy, self.own = self._read()

    @staticmethod
    def _read():
        with open("/proc/stat") as f:
            v = list(map(int, f.readline().split()[1:]))
        busy = (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
        return time.perf_counter(), busy, time.process_time()

    def foreign(self):
        t, busy, own = self._read()
        wall = (t - self.t) * os.cpu_count()
        return max(0.0, (busy - self.busy) - (own - self.own)) / wall


# ----------------------------------------------------------------------
# torchkeras.


def run_torchkeras(workload, cfg, x, y, device):
    import torchkeras as keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((SEQ_LEN,), dtype="int32")
    h = keras.layers.Embedding(VOCAB, EMBED,
                               mask_zero=workload == "bigru_mask")(inputs)
    h = keras.layers.Bidirectional(keras.layers.GRU(UNITS))(h)
    outputs = keras.layers.Dense(1, activation="sigmoid")(h)
    model = keras.Model(inputs, outputs)
    if device != "cpu":
        model.to(device)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7),
                  loss="binary_crossentropy", metrics=["accuracy"])
    marks = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if device != "cpu":
                torch.cuda.synchronize()
            marks.append(time.perf_counter())

    model.fit(x, y, batch_size=cfg["batch"], epochs=1 + cfg["epochs"],
              verbose=0, shuffle=True, callbacks=[Timer()])
    train = cfg["n"] * cfg["epochs"] / (marks[-1] - marks[0])
    model.predict(x[:2 * cfg["batch"]], batch_size=cfg["batch"], verbose=0)
    start = time.perf_counter()
    model.predict(x, batch_size=cfg["batch"], verbose=0)
    return train, cfg["n"] / (time.perf_counter() - start)


# ----------------------------------------------------------------------
# The hand-written torch loop.


class BiGRU(torch.nn.Module):
    def __init__(self, masked):
        super().__init__()
        self.masked = masked
        self.embedding = torch.nn.Embedding(VOCAB, EMBED)
        self.gru = torch.nn.GRU(EMBED, UNITS, batch_first=True,
                                bidirectional=True)
        self.fc = torch.nn.Linear(2 * UNITS, 1)
        torch.nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        torch.nn.init.xavier_uniform_(self.fc.weight)
        torch.nn.init.zeros_(self.fc.bias)

    def forward(self, ids):
        e = self.embedding(ids)
        if self.masked:  # right-padded: a packed sequence
            lengths = (ids != 0).sum(1).cpu()
            e = torch.nn.utils.rnn.pack_padded_sequence(
                e, lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(e)  # (2, B, units): last forward, last backward
        return self.fc(torch.cat([h[0], h[1]], 1))  # logits


def run_torch(workload, cfg, x_np, y_np, device):
    import torch.nn.functional as F

    torch.manual_seed(0)
    model = BiGRU(workload == "bigru_mask").to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x = torch.from_numpy(x_np).long()
    y = torch.from_numpy(y_np)
    n, batch = cfg["n"], cfg["batch"]
    marks = []
    for _ in range(1 + cfg["epochs"]):
        model.train()
        perm = torch.randperm(n)
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx].to(device), y[idx].to(device)
            out = model(xb)
            loss = F.binary_cross_entropy_with_logits(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * xb.shape[0]
                correct += ((out > 0).float() == yb).sum()
        _ = (loss_sum.item() / n, correct.item() / n)
        marks.append(time.perf_counter())
    train = n * cfg["epochs"] / (marks[-1] - marks[0])
    model.eval()

    def predict(xs):
        outs = []
        with torch.inference_mode():
            for i in range(0, xs.shape[0], batch):
                outs.append(torch.sigmoid(
                    model(xs[i:i + batch].to(device))).cpu().numpy())
        return np.concatenate(outs)

    predict(x[:2 * batch])
    start = time.perf_counter()
    predict(x)
    return train, n / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="bigru,bigru_mask")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="fraction of the samples per epoch")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for workload in args.workload.split(","):
        cfg = dict(CONFIG[workload])
        cfg["n"] = max(cfg["batch"], int(cfg["n"] * args.scale)
                       // cfg["batch"] * cfg["batch"])
        x, y = make_data(workload, cfg["n"])
        ratios, pratios, rows = [], [], []
        load = os.getloadavg()[0]
        share = CpuShare()
        for _ in range(args.rounds):
            t_train, t_pred = run_torch(workload, cfg, x, y, args.device)
            k_train, k_pred = run_torchkeras(workload, cfg, x, y,
                                             args.device)
            ratios.append(k_train / t_train)
            pratios.append(k_pred / t_pred)
            rows.append(dict(torch_train_sps=round(t_train),
                             torchkeras_train_sps=round(k_train),
                             torch_predict_sps=round(t_pred),
                             torchkeras_predict_sps=round(k_pred)))
        print(json.dumps({
            "workload": workload, "device": args.device,
            "threads": args.threads, "batch": cfg["batch"], "n": cfg["n"],
            "rounds": rows,
            "fit_ratio_median": round(statistics.median(ratios), 3),
            "predict_ratio_median": round(statistics.median(pratios), 3),
            "loadavg_start": round(load, 2),
            "foreign_cpu_frac": round(share.foreign(), 2),
        }), flush=True)


if __name__ == "__main__":
    main()
