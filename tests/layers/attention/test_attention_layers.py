"""Attention and AdditiveAttention against NumPy implementations of
Keras's formulas, the fused SDPA path, dropout, masks and config."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test

Q_MASK = np.array([[1, 1, 0], [1, 1, 1]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)


def _qv():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((2, 3, 4)).astype("float32"),
            rng.standard_normal((2, 5, 4)).astype("float32"))


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def numpy_attention(scores, v, q_mask, v_mask, causal):
    """Keras's _apply_scores: -1e9 on masked scores, softmax, matmul."""
    keep = np.ones(scores.shape, bool)
    if v_mask is not None:
        keep &= v_mask[:, None, :]
    if causal:
        keep &= np.tril(np.ones(scores.shape[-2:], bool))[None]
    weights = _softmax(scores - 1e9 * ~keep)
    out = weights @ v
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, weights


def dot_scores(q, v, scale=None):
    s = q @ v.transpose(0, 2, 1)
    return s if scale is None else s * scale


def concat_scores(q, v, scale, weight):
    return weight * np.tanh(scale * (q[:, :, None] + v[:, None])).sum(-1)


def additive_scores(q, v, scale):
    return (scale * np.tanh(q[:, :, None] + v[:, None])).sum(-1)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("mode", ["dot", "dot_scale", "concat", "additive"])
def test_attention_matches_numpy(mode, masked, causal):
    q, v = _qv()
    if mode == "additive":
        layer = layers.AdditiveAttention()
    else:
        layer = layers.Attention(use_scale=mode != "dot",
                                 score_mode="concat" if mode == "concat"
                                 else "dot")
    layer([torch.from_numpy(q), torch.from_numpy(v)])
    weights = [np.full(w.shape, 0.7, "float32") for w in layer.get_weights()]
    if mode == "additive":
        weights = [np.array([0.5, -1.0, 2.0, 0.3], "float32")]
    layer.set_weights(weights)
    scores = {"dot": lambda: dot_scores(q, v),
              "dot_scale": lambda: dot_scores(q, v, 0.7),
              "concat": lambda: concat_scores(q, v, 0.7, 0.7),
              "additive": lambda: additive_scores(q, v, weights[0])}[mode]()
    q_mask, v_mask = (Q_MASK, V_MASK) if masked else (None, None)
    want_out, want_w = numpy_attention(scores, v, q_mask, v_mask, causal)
    mask = [torch.from_numpy(Q_MASK), torch.from_numpy(V_MASK)] if (
        masked) else None
    with torch.no_grad():
        out, w = layer([torch.from_numpy(q), torch.from_numpy(v)],
                       mask=mask, return_attention_scores=True,
                       use_causal_mask=causal)
        fused = layer([torch.from_numpy(q), torch.from_numpy(v)], mask=mask,
                      use_causal_mask=causal)
    np.testing.assert_allclose(out.numpy(), want_out, atol=1e-5)
    np.testing.assert_allclose(w.numpy(), want_w, atol=1e-6)
    np.testing.assert_allclose(fused.numpy(), want_out, atol=1e-5)


def test_key_input_and_fused_path_is_used(monkeypatch):
    q, v = _qv()
    k = np.random.default_rng(3).standard_normal(v.shape).astype("float32")
    calls = []
    real = torch.nn.functional.scaled_dot_product_attention
    monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    layer = layers.Attention()
    out = layer([torch.from_numpy(q), torch.from_numpy(v),
                 torch.from_numpy(k)])
    assert calls == [1]
    want, _ = numpy_attention(dot_scores(q, k), v, None, None, False)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-5)
    layer([torch.from_numpy(q), torch.from_numpy(v)],
          return_attention_scores=True)
    layers.AdditiveAttention()([torch.from_numpy(q), torch.from_numpy(v)])
    assert calls == [1]  # scores asked for / additive: explicit softmax


@pytest.mark.parametrize("cls", [layers.Attention, layers.AdditiveAttention])
def test_dropout_only_in_training(cls):
    q, v = (torch.from_numpy(a) for a in _qv())
    layer = cls(dropout=0.5)
    assert torch.equal(layer([q, v]), layer([q, v]))
    assert not torch.equal(layer([q, v], training=True),
                           layer([q, v], training=True))
    _, weights = layer([q, v], training=True, return_attention_scores=True)
    np.testing.assert_allclose(weights.sum(-1).detach().numpy(), 1.0,
                               rtol=1e-6)  # scores are before dropout


def test_output_mask_is_the_query_mask():
    q, v = (torch.from_numpy(a) for a in _qv())
    q._keras_mask = torch.from_numpy(Q_MASK)
    v._keras_mask = torch.from_numpy(V_MASK)
    out = layers.Attention()([q, v])
    assert out._keras_mask.tolist() == Q_MASK.tolist()
    assert float(out[0, 2].abs().sum()) == 0.0


@pytest.mark.parametrize("cls, kwargs, n_weights", [
    (layers.Attention, {}, 0),
    (layers.Attention, {"use_scale": True, "score_mode": "concat"}, 2),
    (layers.AdditiveAttention, {}, 1),
])
def test_standard_checks(cls, kwargs, n_weights):
    run_layer_test(cls, kwargs, input_shape=[(2, 3, 4), (2, 5, 4)],
                   expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=n_weights,
                   supports_masking=True, stochastic=None)


def test_symbolic_scores_shape():
    q, v = keras.Input((3, 4)), keras.Input((None, 4))
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, None)
    assert "score_mode" not in layers.AdditiveAttention().get_config()


@pytest.mark.parametrize("call, message", [
    (lambda layer, q, v: layer(q), "list of inputs"),
    (lambda layer, q, v: layer([q]), "length 2 or 3"),
    (lambda layer, q, v: layer([q, v], mask=q), "mask must be a list"),
])
def test_bad_inputs_raise(call, message):
    q, v = (torch.from_numpy(a) for a in _qv())
    with pytest.raises(ValueError, match=message):
        call(layers.Attention(), q, v)
    with pytest.raises(ValueError, match="score_mode=max"):
        layers.Attention(score_mode="max")
