#!/usr/bin/env python
"""keras.applications models against the same network as a plain torch module.

torchvision has no release that imports beside the pinned torch, so the
plain modules are written here: ResNet50 as Keras builds it (stride on the
first 1x1 convolution, biased convolutions, BatchNorm epsilon 1.001e-5) and
MobileNetV2 (asymmetric zero-padding before the strided convolutions, as
``imagenet_utils.correct_pad``), NCHW in torch's ``channels_last`` memory
format. They get the torchkeras model's weights, and the script checks
that both predict the same before timing anything.

Two measurements per model, alternating torch / torchkeras within each
round so machine drift touches both alike; each reports the images/s of
the best round and the median of the per-round ratios torchkeras / torch
(above 1: torchkeras is faster):

- ``predict``: ``model.predict(x, batch_size=32)`` against a loop of
  ``module(x)`` under ``torch.inference_mode()``;
- ``finetune``: one epoch of fine-tuning as the Keras transfer-learning
  guide does it (every layer trainable, BatchNormalization frozen in
  inference mode, a new 10-class head, Adam 1e-4): ``fit(epochs=1)``
  against a hand-written loop over the plain module.

Usage::

    python benchmarks/bench_applications.py --threads 2 --rounds 3
    python benchmarks/bench_applications.py --model mobilenet_v2 --n 64
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def named(module, name):
    """Tags a module with the Keras layer whose weights it takes."""
    module.keras_name = name
    return module


def conv_bn(name, cin, cout, k, stride=1, padding=0, groups=1, bias=True,
            eps=1.001e-5, bn_name=None):
    return [named(nn.Conv2d(cin, cout, k, stride, padding=padding,
                            groups=groups, bias=bias), name),
            named(nn.BatchNorm2d(cout, eps=eps), bn_name or f"{name}_bn")]


class Bottleneck(nn.Module):
    """Keras's ResNet v1 block: 1x1 (strided) -> 3x3 -> 1x1, + shortcut."""

    def __init__(self, name, cin, filters, stride, conv_shortcut):
        super().__init__()
        self.shortcut = nn.Sequential(*conv_bn(
            f"{name}_0_conv", cin, 4 * filters, 1, stride,
            bn_name=f"{name}_0_bn")) if conv_shortcut else None
        self.body = nn.Sequential(
            *conv_bn(f"{name}_1_conv", cin, filters, 1, stride,
                     bn_name=f"{name}_1_bn"), nn.ReLU(),
            *conv_bn(f"{name}_2_conv", filters, filters, 3, padding=1,
                     bn_name=f"{name}_2_bn"), nn.ReLU(),
            *conv_bn(f"{name}_3_conv", filters, 4 * filters, 1,
                     bn_name=f"{name}_3_bn"),
        )

    def forward(self, x):
        shortcut = x if self.shortcut is None else self.shortcut(x)
        return F.relu(shortcut + self.body(x))


class ResNet50(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.stem = nn.Sequential(
            nn.ZeroPad2d(3),
            *conv_bn("conv1_conv", 3, 64, 7, 2, bn_name="conv1_bn"),
            nn.ReLU(), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2))
        blocks, cin = [], 64
        for stack, (filters, count, stride) in enumerate(
                ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)), 2):
            for i in range(count):
                blocks.append(Bottleneck(
                    f"conv{stack}_block{i + 1}", cin, filters,
                    stride if i == 0 else 1, i == 0))
                cin = 4 * filters
        self.blocks = nn.Sequential(*blocks)
        self.fc = named(nn.Linear(2048, classes), "predictions")

    def features(self, x):
        return self.blocks(self.stem(x)).mean((2, 3))

    def forward(self, x):
        return self.fc(self.features(x))


class InvertedResidual(nn.Module):
    def __init__(self, block_id, cin, cout, stride, expansion, size):
        super().__init__()
        hidden = cin * expansion
        prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
        layers = []
        if expansion != 1:
            layers += [*conv_bn(f"{prefix}expand", cin, hidden, 1,
                                bias=False, eps=1e-3,
                                bn_name=f"{prefix}expand_BN"), nn.ReLU6()]
        if stride == 2:  # correct_pad: one more row/column at the end
            layers.append(nn.ZeroPad2d((0, 1, 0, 1) if size % 2 == 0
                                       else (1, 1, 1, 1)))
        layers += [*conv_bn(f"{prefix}depthwise", hidden, hidden, 3, stride,
                            padding=1 if stride == 1 else 0, groups=hidden,
                            bias=False, eps=1e-3,
                            bn_name=f"{prefix}depthwise_BN"), nn.ReLU6(),
                   *conv_bn(f"{prefix}project", hidden, cout, 1, bias=False,
                            eps=1e-3, bn_name=f"{prefix}project_BN")]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


class MobileNetV2(nn.Module):
    SETTINGS = ((16, 1, 1, 1), (24, 2, 2, 6), (32, 3, 2, 6), (64, 4, 2, 6),
                (96, 3, 1, 6), (160, 3, 2, 6), (320, 1, 1, 6))

    def __init__(self, size=224, classes=1000):
        super().__init__()
        stem_pad = (0, 1, 0, 1) if size % 2 == 0 else (1, 1, 1, 1)
        layers = [nn.ZeroPad2d(stem_pad),
                  *conv_bn("Conv1", 3, 32, 3, 2, bias=False, eps=1e-3,
                           bn_name="bn_Conv1"), nn.ReLU6()]
        cin, size, block_id = 32, (size + 1) // 2, 0
        for cout, count, stride, expansion in self.SETTINGS:
            for i in range(count):
                s = stride if i == 0 else 1
                layers.append(InvertedResidual(block_id, cin, cout, s,
                                               expansion, size))
                size = (size + 1) // 2 if s == 2 else size
                cin, block_id = cout, block_id + 1
        layers += [*conv_bn("Conv_1", 320, 1280, 1, bias=False, eps=1e-3,
                            bn_name="Conv_1_bn"), nn.ReLU6()]
        self.body = nn.Sequential(*layers)
        self.fc = named(nn.Linear(1280, classes), "predictions")

    def features(self, x):
        return self.body(x).mean((2, 3))

    def forward(self, x):
        return self.fc(self.features(x))


def copy_weights(keras_model, module):
    """Copies the torchkeras model's weights into the plain module, each
    module from the Keras layer it is named after."""
    theirs = [m for m in module.modules() if hasattr(m, "keras_name")]
    ours = [layer for layer in keras_model.layers if layer.weights]
    if len(ours) != len(theirs):
        raise ValueError(f"{len(ours)} layers with weights against "
                         f"{len(theirs)} torch modules")
    with torch.no_grad():
        for m in theirs:
            layer = keras_model.get_layer(m.keras_name)
            w = [t.detach() for t in layer.weights]
            if isinstance(m, nn.BatchNorm2d):
                for dst, src in zip((m.weight, m.bias, m.running_mean,
                                     m.running_var), w):
                    dst.copy_(src)
            elif isinstance(m, nn.Linear):
                m.weight.copy_(w[0].T)
                m.bias.copy_(w[1])
            else:
                m.weight.copy_(w[0])
                if m.bias is not None:
                    m.bias.copy_(w[1])


def build(name, size):
    import torchkeras as keras

    keras.utils.set_random_seed(0)
    if name == "resnet50":
        model = keras.applications.ResNet50(
            weights=None, input_shape=(size, size, 3),
            classifier_activation=None)
        module = ResNet50()
    else:
        model = keras.applications.MobileNetV2(
            weights=None, input_shape=(size, size, 3),
            classifier_activation=None)
        module = MobileNetV2(size)
    copy_weights(model, module)
    module = module.eval().to(memory_format=torch.channels_last)
    return model, module


def torch_predict(module, x, batch):
    out = []
    with torch.inference_mode():
        for i in range(0, len(x), batch):
            xb = x[i:i + batch].permute(0, 3, 1, 2)
            out.append(module(xb))
    return torch.cat(out)


def check_same(model, module, x):
    ours = model.predict(x[:2].numpy(), verbose=0)
    theirs = torch_predict(module, x[:2], 2).numpy()
    err = float(np.abs(ours - theirs).max())
    scale = max(1.0, float(np.abs(theirs).max()))
    if err > 1e-3 * scale:
        raise AssertionError(f"the plain module predicts otherwise: {err}")


def finetune_pair(keras, name, size, n):
    """(torchkeras model compiled for fine-tuning, torch loop step)."""
    base, module = build(name, size)
    keras.utils.set_random_seed(0)
    features = keras.Model(base.inputs, base.layers[-2].output)
    inputs = keras.Input((size, size, 3))
    x = features(inputs, training=False)  # BatchNorm in inference mode
    outputs = keras.layers.Dense(10)(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(1e-4),
                  keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True))
    head = nn.Linear(module.fc.in_features, 10)
    module.train()
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
    params = list(module.parameters()) + list(head.parameters())
    params = [p for p in params if p is not module.fc.weight
              and p is not module.fc.bias]
    opt = torch.optim.Adam(params, lr=1e-4, eps=1e-7)

    def torch_epoch(x, y, batch):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb = x[idx].permute(0, 3, 1, 2)
            loss = F.cross_entropy(head(module.features(xb)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return model, torch_epoch


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def summarise(n, ours, theirs):
    ratios = [t / k for k, t in zip(ours, theirs)]
    return dict(torch_ips=round(n / min(theirs), 2),
                torchkeras_ips=round(n / min(ours), 2),
                ratio_median=round(statistics.median(ratios), 3),
                ratio_best=round(min(theirs) / min(ours), 3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="resnet50,mobilenet_v2")
    ap.add_argument("--what", default="predict,finetune")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=64, help="images per pass")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import torchkeras as keras

    rng = np.random.default_rng(0)
    x = torch.from_numpy(
        rng.uniform(-1, 1, (args.n, args.size, args.size, 3)).astype(
            "float32"))
    y = torch.from_numpy(rng.integers(0, 10, args.n))
    for name in args.model.split(","):
        result = {"model": name, "threads": args.threads, "n": args.n,
                  "size": args.size, "batch": args.batch,
                  "rounds": args.rounds}
        if "predict" in args.what:
            model, module = build(name, args.size)
            check_same(model, module, x)
            xs = x.numpy()
            ours, theirs = [], []
            for r in range(args.rounds + 1):
                t = timed(lambda: torch_predict(module, x, args.batch))
                k = timed(lambda: model.predict(xs, batch_size=args.batch,
                                                verbose=0))
                if r:
                    theirs.append(t)
                    ours.append(k)
            result["predict"] = summarise(args.n, ours, theirs)
        if "finetune" in args.what:
            model, torch_epoch = finetune_pair(keras, name, args.size, args.n)
            xs, ys = x.numpy(), y.numpy()
            ours, theirs = [], []
            for r in range(args.rounds + 1):
                t = timed(lambda: torch_epoch(x, y, args.batch))
                k = timed(lambda: model.fit(xs, ys, batch_size=args.batch,
                                            epochs=1, verbose=0))
                if r:
                    theirs.append(t)
                    ours.append(k)
            result["finetune"] = summarise(args.n, ours, theirs)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
