"""Recurrent layers against Keras's own outputs (``data/
rnn_keras_golden.npz``, written by ``data/make_rnn_golden.py`` with Keras
3 on TensorFlow): Keras weights loaded with ``set_weights`` give Keras's
numbers, for GRU/LSTM/SimpleRNN and Bidirectional with masks."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from torchkeras import layers

GOLDEN = np.load(Path(__file__).parent / "data" / "rnn_keras_golden.npz")
META = json.loads(str(GOLDEN["meta"]))
X = torch.from_numpy(GOLDEN["x"])


def _unpack(flat, shapes):
    arrays, offset = [], 0
    for shape in shapes:
        size = math.prod(shape)
        arrays.append(flat[offset:offset + size].reshape(shape))
        offset += size
    return arrays, flat[offset:]


def _case_id(case):
    wrapper = case["wrapper"] or ""
    options = "-".join(f"{k}={v}" for k, v in case["config"].items()
                       if k != "units")
    return f"{wrapper}{case['cls']}-{options}-{case.get('merge_mode')}-" \
        f"{case['mask']}"


@pytest.mark.parametrize("index", range(len(META["cases"])),
                         ids=[_case_id(c) for c in META["cases"]])
def test_matches_keras(index):
    case = META["cases"][index]
    weights, rest = _unpack(GOLDEN[str(index)], case["weight_shapes"])
    expected, _ = _unpack(rest, case["output_shapes"])
    layer = getattr(layers, case["cls"])(**case["config"])
    if case["wrapper"]:
        layer = layers.Bidirectional(layer, merge_mode=case["merge_mode"])
    layer(X)
    layer.set_weights(weights)
    mask = META["masks"][case["mask"]]
    mask = None if mask is None else torch.tensor(mask, dtype=torch.bool)
    with torch.no_grad():
        out = layer(X, mask=mask)
    out = out if isinstance(out, list) else [out]
    assert len(out) == len(expected)
    for got, want in zip(out, expected):
        np.testing.assert_allclose(got.numpy(), want, atol=2e-5)
