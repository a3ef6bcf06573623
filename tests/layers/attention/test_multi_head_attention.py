"""MultiHeadAttention against a NumPy implementation of Keras's
formulas on Keras-layout weights; the fused SDPA path, masks, dropout,
shapes and config."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers

B, T, S, D = 2, 3, 5, 4


def _data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((B, T, D)).astype("float32"),
            rng.standard_normal((B, S, D)).astype("float32"))


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def numpy_mha(weights, q, v, key_dim, keep=None, use_bias=True):
    """Keras: project, scale the query by 1/sqrt(key_dim), -1e9 on masked
    scores, softmax over keys, combine heads, project out."""
    if use_bias:
        wq, bq, wk, bk, wv, bv, wo, bo = weights
    else:
        (wq, wk, wv, wo), bq = weights, 0
        bk = bv = bo = 0
    query = np.einsum("btd,dnh->btnh", q, wq) + bq
    key = np.einsum("bsd,dnh->bsnh", v, wk) + bk
    value = np.einsum("bsd,dnh->bsnh", v, wv) + bv
    scores = np.einsum("bsnh,btnh->bnts", key, query / np.sqrt(key_dim))
    if keep is not None:  # in float32 as Keras: a fully masked row of
        # scores all become -1e9, i.e. uniform attention
        scores = (scores.astype("float32")
                  - np.float32(1e9) * ~keep[:, None]).astype("float64")
    probs = _softmax(scores)
    context = np.einsum("bnts,bsnh->btnh", probs, value)
    out = np.einsum("btnh,nh...->bt...", context, wo) + bo
    return out, probs


def _randomized(layer, q, v, **kwargs):
    layer(torch.from_numpy(q), torch.from_numpy(v), **kwargs)
    rng = np.random.default_rng(1)
    weights = [w + 0.3 * rng.standard_normal(w.shape).astype("float32")
               for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("masks", ["none", "keras_masks", "attention_mask",
                                   "causal"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_mha_matches_numpy(masks, use_bias):
    q, v = _data()
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3,
                                      use_bias=use_bias)
    weights = _randomized(layer, q, v)
    query, value = torch.from_numpy(q), torch.from_numpy(v)
    kwargs, keep = {}, None
    q_mask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    v_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    if masks == "keras_masks":
        query._keras_mask = torch.from_numpy(q_mask)
        value._keras_mask = torch.from_numpy(v_mask)
        keep = q_mask[:, :, None] & v_mask[:, None, :]
    elif masks == "attention_mask":
        keep = np.random.default_rng(2).integers(0, 2, (B, T, S)) > 0
        keep[..., 0] = True
        kwargs["attention_mask"] = torch.from_numpy(keep)
    elif masks == "causal":
        kwargs["use_causal_mask"] = True
        keep = np.broadcast_to(np.tril(np.ones((T, S), bool)), (B, T, S))
    want, want_probs = numpy_mha(weights, q, v, 3, keep, use_bias)
    with torch.no_grad():
        out, probs = layer(query, value, return_attention_scores=True,
                           **kwargs)
        fused = layer(query, value, **kwargs)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-5)
    np.testing.assert_allclose(probs.numpy(), want_probs, atol=1e-6)
    np.testing.assert_allclose(fused.numpy(), want, atol=1e-5)
    if masks == "keras_masks":
        assert fused._keras_mask.tolist() == q_mask.tolist()


def test_weights_have_keras_layouts_and_names():
    q, v = _data()
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5,
                                      output_shape=(2, 7))
    out = layer(torch.from_numpy(q), torch.from_numpy(v))
    assert tuple(out.shape) == (B, T, 2, 7)
    assert [w.shape for w in layer.get_weights()] == [
        (D, 2, 3), (2, 3), (D, 2, 3), (2, 3), (D, 2, 5), (2, 5),
        (2, 5, 2, 7), (2, 7)]
    assert [w.name for w in layer.weights] == [
        f"{part}/{kind}" for part in ("query", "key", "value",
                                      "attention_output")
        for kind in ("kernel", "bias")]
    copy = layers.MultiHeadAttention.from_config(layer.get_config())
    copy(torch.from_numpy(q), torch.from_numpy(v))
    copy.set_weights(layer.get_weights())
    with torch.no_grad():
        np.testing.assert_allclose(
            copy(torch.from_numpy(q), torch.from_numpy(v)).numpy(),
            layer(torch.from_numpy(q), torch.from_numpy(v)).numpy())


def test_fused_path_and_dropout(monkeypatch):
    q, v = (torch.from_numpy(a) for a in _data())
    calls = []
    real = torch.nn.functional.scaled_dot_product_attention
    monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention",
                        lambda *a, **kw: calls.append(kw) or real(*a, **kw))
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, dropout=0.5)
    assert torch.equal(layer(q, v), layer(q, v))
    first, second = layer(q, v, training=True), layer(q, v, training=True)
    assert not torch.equal(first, second)
    assert [c["dropout_p"] for c in calls] == [0.0, 0.0, 0.5, 0.5]
    _, probs = layer(q, v, training=True, return_attention_scores=True)
    np.testing.assert_allclose(probs.sum(-1).detach().numpy(), 1.0,
                               rtol=1e-6)
    assert len(calls) == 4  # scores asked for: the explicit softmax
    first.sum().backward()
    assert all(w.grad is not None for w in layer.trainable_weights)


def test_attention_axes_on_rank_four_inputs():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((B, 3, S, D)).astype("float32")
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3,
                                      attention_axes=(2,))
    weights = _randomized(layer, x, x)
    with torch.no_grad():
        out, probs = layer(torch.from_numpy(x), torch.from_numpy(x),
                           return_attention_scores=True)
    assert tuple(probs.shape) == (B, 3, 2, S, S)
    for row in range(3):  # axis 1 is a batch axis: attention per row
        want, want_probs = numpy_mha(weights, x[:, row], x[:, row], 3)
        np.testing.assert_allclose(out[:, row].numpy(), want, atol=1e-5)
        np.testing.assert_allclose(probs[:, row].numpy(), want_probs,
                                   atol=1e-6)


def test_functional_model_shapes_and_mask():
    tokens = keras.Input((None,), dtype="int64")
    h = layers.Embedding(10, D, mask_zero=True)(tokens)
    out, scores = layers.MultiHeadAttention(2, 3)(
        h, h, return_attention_scores=True)
    assert out.shape == (None, None, D)
    assert scores.shape == (None, 2, None, None)
    model = keras.Model(tokens, [out, scores])
    ids = torch.tensor([[1, 2, 0, 0], [3, 4, 5, 6]])
    with torch.no_grad():
        got, probs = model(ids)
    assert got._keras_mask.tolist() == (ids != 0).tolist()
    assert float(probs[0, :, :2, 2:].abs().max()) < 1e-6  # padded keys
    np.testing.assert_allclose(probs[0, :, 2:].numpy(), 0.25)  # padded
    # queries attend uniformly (all their scores are -1e9), as in Keras


def test_bad_arguments_raise():
    q, v = (torch.from_numpy(a) for a in _data())
    with pytest.raises(ValueError, match="`value` and `key`"):
        layers.MultiHeadAttention(2, 3)(q, v, key=q)
    with pytest.raises(ValueError, match="attention_axes"):
        layers.MultiHeadAttention(2, 3, attention_axes="time")
    with pytest.raises(TypeError, match="value"):
        layers.MultiHeadAttention(2, 3)(q)


def test_tf_keras_config_with_input_shapes_builds():
    config = {"name": "mha", "num_heads": 2, "key_dim": 3,
              "query_shape": [None, T, D], "value_shape": [None, S, D],
              "key_shape": [None, S, 6]}
    layer = layers.MultiHeadAttention.from_config(config)
    assert layer.built
    assert [w.shape for w in layer.get_weights()][2] == (6, 2, 3)
    q, v = (torch.from_numpy(a) for a in _data())
    k = torch.ones(B, S, 6)
    assert tuple(layer(q, v, key=k).shape) == (B, T, D)
