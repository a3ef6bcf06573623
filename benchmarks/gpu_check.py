#!/usr/bin/env python
"""CUDA checks that the CPU test suite cannot make, printed as JSON lines.

- ``embedding``: an out-of-range index raises ValueError on CUDA (no
  device-side assert), and the GPU keeps working after it;
- ``conv``: a channels_last Conv2D on CUDA equals the CPU result;
- ``gru``/``lstm``: Bidirectional GRU/LSTM on CUDA (unmasked and with
  right-padded masks, the cuDNN paths) equal the CPU results;
- ``fit``: single-GPU ``fit`` of the MLP against a hand-written loop, in
  float32, ``mixed_float16`` (against an autocast + GradScaler loop) and
  ``mixed_bfloat16`` (against the float32 loop), interleaved runs;
- ``ddp``: run under ``torchrun`` it trains through DDP with NCCL, against
  a hand-written DDP loop with the same global batch.

Usage: ``python benchmarks/gpu_check.py`` or
``torchrun --nproc_per_node=1 benchmarks/gpu_check.py --only ddp``.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torchkeras as keras  # noqa: E402


def report(**fields):
    print(json.dumps(fields), flush=True)


def check_embedding():
    layer = keras.layers.Embedding(10, 4, name="emb")
    layer(torch.zeros((2, 3), dtype=torch.long, device="cuda"))
    try:
        layer(torch.tensor([[1, 12]], device="cuda"))
        raised = None
    except ValueError as e:
        raised = str(e)
    alive = float(torch.ones(3, device="cuda").sum())
    report(check="embedding", value_error=raised, gpu_alive=alive == 3.0)


def _same_on_cpu_and_cuda(build, x):
    keras.utils.set_random_seed(0)
    with keras.device("cpu"):
        cpu_model = build()
    keras.utils.set_random_seed(0)
    with keras.device("cuda"):
        gpu_model = build()
    gpu_model.set_weights(cpu_model.get_weights())
    a = cpu_model(x).detach().numpy()
    b = gpu_model(torch.as_tensor(x).cuda()).detach().cpu().numpy()
    return float(np.abs(a - b).max())


def check_conv():
    def build():
        inp = keras.Input(shape=(28, 28, 3))
        out = keras.layers.Conv2D(8, 3, padding="same", strides=2)(inp)
        return keras.Model(inp, out)

    x = np.random.default_rng(0).standard_normal((4, 28, 28, 3)).astype(
        "float32")
    report(check="conv_channels_last", max_abs_diff=_same_on_cpu_and_cuda(
        build, x))


def check_rnn(kind):
    cls = getattr(keras.layers, kind)
    for masked in (False, True):
        def build():
            inp = keras.Input(shape=(20,), dtype="int64")
            h = keras.layers.Embedding(50, 8, mask_zero=masked)(inp)
            out = keras.layers.Bidirectional(cls(6))(h)
            return keras.Model(inp, out)

        x = np.random.default_rng(1).integers(1, 50, size=(5, 20))
        if masked:
            for i, n in enumerate([20, 7, 13, 1, 16]):
                x[i, n:] = 0
        report(check=f"{kind.lower()}_cudnn", masked=masked,
               max_abs_diff=_same_on_cpu_and_cuda(build, x))


def _mlp():
    inp = keras.Input(shape=(784,))
    h = keras.layers.Dense(512, activation="relu")(inp)
    h = keras.layers.Dense(256, activation="relu")(h)
    out = keras.layers.Dense(10, activation="softmax")(h)
    return keras.Model(inp, out)


def _torch_loop(x, y, batch, epochs, amp=None, ddp=False):
    """The hand-written loop: same model, data on the GPU, Adam, shuffle,
    loss and accuracy kept per epoch (as ``benchmarks/bench_fit.py``).

    ``amp``: ``torch.float16`` (autocast with a GradScaler, the torch
    recipe for ``mixed_float16``) or ``torch.bfloat16`` (autocast alone).
    ``ddp``: DistributedDataParallel, each rank taking its slice of every
    global batch of ``batch`` rows from one permutation.
    """
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(),
                          nn.Linear(512, 256), nn.ReLU(),
                          nn.Linear(256, 10)).cuda()
    step_model = model
    rank, world = 0, 1
    if ddp:
        import torch.distributed as dist
        rank, world = dist.get_rank(), dist.get_world_size()
        step_model = nn.parallel.DistributedDataParallel(
            model, device_ids=[torch.cuda.current_device()])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    scaler = (torch.amp.GradScaler("cuda") if amp is torch.float16
              else None)
    X, Y = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()
    n = len(x)
    local = batch // world
    for epoch in range(epochs):
        if epoch == 1:
            torch.cuda.synchronize()
            t = time.perf_counter()
        gen = torch.Generator(device="cuda").manual_seed(epoch)
        perm = torch.randperm(n, device="cuda", generator=gen)
        # The same work as fit's logs: loss and accuracy accumulated on the
        # device, read once per epoch.
        loss_sum = torch.zeros((), device="cuda")
        correct = torch.zeros((), dtype=torch.long, device="cuda")
        for i in range(0, n, batch):
            idx = perm[i + rank * local:i + (rank + 1) * local]
            xb, yb = X[idx], Y[idx]
            with torch.autocast("cuda", dtype=amp or torch.float32,
                                enabled=amp is not None):
                out = step_model(xb)
                loss = torch.nn.functional.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * xb.shape[0]
                correct += (out.argmax(1) == yb).sum()
        _ = (loss_sum.item(), correct.item())
    torch.cuda.synchronize()
    return n * (epochs - 1) / (time.perf_counter() - t)


def _fit_speed(x, y, batch, epochs, policy=None):
    if policy is not None:
        keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        model = _mlp()
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        marks = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                torch.cuda.synchronize()
                marks.append((time.perf_counter(), logs["accuracy"]))

        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0,
                  callbacks=[Timer()])
        sps = len(x) * (epochs - 1) / (marks[-1][0] - marks[0][0])
        kernel = model.layers[1].kernel
        return {"sps": sps, "accuracy": marks[-1][1],
                "device": str(kernel.device),
                "variable_dtype": str(kernel.dtype).replace("torch.", ""),
                "output_dtype": str(model(torch.from_numpy(x[:4]).cuda())
                                    .dtype).replace("torch.", ""),
                "optimizer": type(model.optimizer).__name__}
    finally:
        if policy is not None:
            keras.mixed_precision.set_global_policy("float32")


def _data(n):
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    w = rng.standard_normal((784, 10)).astype(np.float32)
    y = np.argmax((x - 0.5) @ w, axis=1).astype(np.int64)
    return x, y


def _interleaved(x, y, batch, epochs, policy, amp, ddp=False, rounds=2):
    """Medians of interleaved hand-loop and fit runs (same warm GPU)."""
    loops, fits = [], []
    for _ in range(rounds):
        loops.append(_torch_loop(x, y, batch, epochs, amp=amp, ddp=ddp))
        fits.append(_fit_speed(x, y, batch, epochs, policy))
    fit = sorted(fits, key=lambda f: f["sps"])[len(fits) // 2]
    loop = float(np.median(loops))
    return fit, loop


def check_fit():
    x, y = _data(65536)
    for policy, amp, recipe in (
            (None, None, "float32"),
            ("mixed_float16", torch.float16, "autocast float16 + GradScaler"),
            ("mixed_bfloat16", torch.bfloat16, "autocast bfloat16")):
        fit, loop = _interleaved(x, y, 256, 3, policy, amp)
        sps = fit.pop("sps")
        report(check=f"fit_{policy or 'float32'}", batch=256,
               fit_sps=round(sps), torch_loop_sps=round(loop),
               torch_loop=recipe,
               ratio=round(sps / loop, 3), **fit)


def check_ddp():
    device = keras.distribute.maybe_init()
    import torch.distributed as dist
    x, y = _data(65536)
    fit, loop = _interleaved(x, y, 256, 3, None, None, ddp=True)
    sps = fit.pop("sps")
    if dist.get_rank() != 0:
        return
    report(check="ddp", world_size=dist.get_world_size(),
           backend=dist.get_backend(), rank_device=str(device),
           fit_sps=round(sps), torch_ddp_loop_sps=round(loop),
           ratio=round(sps / loop, 3), **fit)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="embedding,conv,rnn,fit")
    args = ap.parse_args()
    checks = {"embedding": check_embedding, "conv": check_conv,
              "rnn": lambda: (check_rnn("GRU"), check_rnn("LSTM")),
              "fit": check_fit, "ddp": check_ddp}
    for name in args.only.split(","):
        try:
            checks[name]()
        except Exception as e:  # noqa: BLE001 - report and go on
            report(check=name, error=f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
