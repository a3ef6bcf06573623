"""CUDA checks of the recurrent and attention layers (run by hand on a GPU
machine: ``python tests/layers/rnn/_gpu_check.py``; pytest does not
collect it).

- the cuDNN path (fused GRU/LSTM/SimpleRNN, packed right-padded masks,
  go_backwards, Bidirectional's fused kernel) equals the Python loop on
  CUDA and the CPU results, forward and gradients;
- no warning is raised (cuDNN's "weights are not part of single contiguous
  chunk of memory" among them);
- MultiHeadAttention's SDPA path equals the explicit softmax on CUDA.
"""

import os
import sys
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, ".")

import torchkeras as keras  # noqa: E402
from torchkeras import layers  # noqa: E402

warnings.simplefilter("error")
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
DEVICE = os.environ.get("GPU_CHECK_DEVICE", "cuda")
B, T, F, U = 5, 9, 6, 4
MASKS = {
    "none": None,
    "right": torch.arange(T)[None] < torch.tensor([9, 5, 1, 0, 7])[:, None],
    "holes": torch.rand(B, T) > 0.3,
}


def _tanh(x):
    return torch.tanh(x)


def _pair(make, **kwargs):
    fused = make(**kwargs)
    loop = make(activation=_tanh, **kwargs)
    return fused, loop


def _run(layer, x, mask):
    out = layer(x, mask=mask)
    out = out if isinstance(out, list) else [out]
    sum(o.sum() for o in out).backward()
    grads = [w.grad.detach().cpu().numpy() for w in layer.trainable_weights]
    return [o.detach().cpu().numpy() for o in out], grads


def _close(a, b, what, atol=2e-5):
    for x, y in zip(a, b):
        err = float(np.abs(x - y).max())
        if err > atol:
            raise AssertionError(f"{what}: max error {err}")


def check_layer(make, name, wrap=None, **kwargs):
    x_cpu = torch.randn(B, T, F)
    for mask_name, mask in MASKS.items():
        for gb in ([False, True] if wrap is None else [False]):
            kw = dict(kwargs, go_backwards=gb) if wrap is None else kwargs
            fused, loop = _pair(make, **kw)
            if wrap is not None:
                fused, loop = wrap(fused), wrap(loop)
            x = x_cpu.to(DEVICE)
            m = None if mask is None else mask.to(DEVICE)
            fused(x)
            loop(x)
            loop.set_weights(fused.get_weights())
            out, grads = _run(fused, x, m)
            out_loop, grads_loop = _run(loop, x, m)
            fused.zero_grad(set_to_none=True)
            fused.to("cpu")
            cpu_out, cpu_grads = _run(fused, x_cpu, mask)
            what = f"{name} mask={mask_name} go_backwards={gb}"
            _close(out, out_loop, what + " fused vs loop")
            _close(grads, grads_loop, what + " grads", 1e-3)
            _close(out, cpu_out, what + " cuda vs cpu")
            _close(grads, cpu_grads, what + " grads cuda vs cpu", 1e-3)
    print("ok", name, kwargs)


def check_mha():
    q = torch.randn(4, 7, 16, device=DEVICE)
    v = torch.randn(4, 9, 16, device=DEVICE)
    mha = layers.MultiHeadAttention(4, 8)
    mha(q, v)
    keep = torch.rand(4, 7, 9, device=DEVICE) > 0.3
    keep[..., 0] = True
    with torch.no_grad():
        for kw in ({}, {"use_causal_mask": True}, {"attention_mask": keep}):
            fused = mha(q, v, **kw)
            explicit, _ = mha(q, v, return_attention_scores=True, **kw)
            _close([fused.cpu().numpy()], [explicit.cpu().numpy()],
                   f"mha {list(kw)}", 1e-5)
    print("ok MultiHeadAttention")


def _sync():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def _time_steps(model, batch, steps=25):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    for i in range(steps):
        if i == 5:
            _sync()
            start = time.perf_counter()
        loss = model(batch).float().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    _sync()
    return (time.perf_counter() - start) / (steps - 5) * 1e3


def time_bigru():
    """ms per training step: torchkeras vs benchmarks/bench_rnn.py's
    hand-written nn.GRU (packed when masked), interleaved twice."""
    sys.path.insert(0, "benchmarks")
    from bench_rnn import BiGRU

    ids = torch.randint(1, 20000, (64, 100), device=DEVICE)
    lengths = torch.randint(10, 101, (64,), device=DEVICE)
    ids[torch.arange(100, device=DEVICE)[None] >= lengths[:, None]] = 0
    for masked in (False, True):
        model = keras.Sequential([
            keras.Input((100,), dtype="int32"),
            layers.Embedding(20000, 128, mask_zero=masked),
            layers.Bidirectional(layers.GRU(64)),
            layers.Dense(1, activation="sigmoid")]).to(DEVICE)
        reference = BiGRU(masked).to(DEVICE)
        batch = ids if masked else ids.clamp(min=1)
        times = [(_time_steps(reference, batch), _time_steps(model, batch))
                 for _ in range(2)]
        print(f"bigru masked={masked} ms/step (torch, torchkeras): "
              + ", ".join(f"({a:.2f}, {b:.2f})" for a, b in times))


def main():
    torch.manual_seed(0)
    keras.utils.set_random_seed(0)
    print(torch.__version__, DEVICE == "cuda" and torch.cuda.get_device_name())
    for cls in (layers.GRU, layers.LSTM, layers.SimpleRNN):
        check_layer(cls, cls.__name__, units=U, return_sequences=True,
                    return_state=True)
        check_layer(cls, "Bidirectional " + cls.__name__,
                    wrap=layers.Bidirectional, units=U,
                    return_sequences=True, return_state=True)
    check_layer(layers.GRU, "Bidirectional GRU last",
                wrap=layers.Bidirectional, units=U)
    check_mha()
    time_bigru()
    print("ALL OK")


if __name__ == "__main__":
    main()
