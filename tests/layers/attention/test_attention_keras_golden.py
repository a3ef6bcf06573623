"""Attention layers against Keras's own outputs (``data/
attention_keras_golden.npz``, written by ``data/make_attention_golden.py``
with Keras 3 on TensorFlow): Keras weights loaded with ``set_weights``
give Keras's outputs and attention scores, with masks, causal masks,
``attention_axes`` and ``output_shape``."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from torchkeras import layers

GOLDEN = np.load(Path(__file__).parent / "data" /
                 "attention_keras_golden.npz")
META = json.loads(str(GOLDEN["meta"]))


def _tensor(name):
    return torch.from_numpy(GOLDEN[name])


def _unpack(flat, shapes):
    arrays, offset = [], 0
    for shape in shapes:
        size = math.prod(shape)
        arrays.append(flat[offset:offset + size].reshape(shape))
        offset += size
    return arrays, flat[offset:]


def _call(layer, case, **kwargs):
    if case["cls"] != "MultiHeadAttention":
        mask = None
        if case["masked"]:
            mask = [_tensor("query_mask"), _tensor("value_mask")]
        return layer([_tensor("q"), _tensor("v")], mask=mask,
                     use_causal_mask=case["causal"], **kwargs)
    q = _tensor("q4") if case["rank"] == 4 else _tensor("q")
    v = _tensor("v") if case["rank"] == 3 else (
        q if case["config"].get("attention_axes") else _tensor("v4"))
    if case["key"]:
        kwargs["key"] = _tensor("k")
    if case["attention_mask"]:
        kwargs["attention_mask"] = _tensor("attention_mask")
    return layer(q, v, use_causal_mask=case["causal"], **kwargs)


@pytest.mark.parametrize("index", range(len(META["cases"])))
def test_matches_keras(index):
    case = META["cases"][index]
    weights, rest = _unpack(GOLDEN[str(index)], case["weight_shapes"])
    expected, _ = _unpack(rest, case["output_shapes"])
    layer = getattr(layers, case["cls"])(**case["config"])
    _call(layer, case)
    layer.set_weights(weights)
    with torch.no_grad():
        output, scores = _call(layer, case, return_attention_scores=True)
        fused = _call(layer, case)  # no scores: the fused SDPA path
    np.testing.assert_allclose(output.numpy(), expected[0], atol=2e-5)
    np.testing.assert_allclose(scores.numpy(), expected[1], atol=2e-5)
    np.testing.assert_allclose(fused.numpy(), expected[0], atol=2e-5)
