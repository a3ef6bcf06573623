"""Tests for ``torchkeras/ops/nn.py``: Keras 3 CTC ops and crossentropies.

CTC references enumerate every alignment by brute force (small cases),
independently of torch's kernel and of our decoders.
"""

import itertools

import numpy as np
import pytest
import torch

from torchkeras import ops

EPS = 1e-7


def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def collapse(path, blank):
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return tuple(c for c in merged if c != blank)


def brute_force_labelings(log_probs, blank):
    totals = {}
    time_steps, num_classes = log_probs.shape
    for path in itertools.product(range(num_classes), repeat=time_steps):
        labeling = collapse(path, blank)
        score = sum(log_probs[t, c] for t, c in enumerate(path))
        totals[labeling] = np.logaddexp(totals.get(labeling, -np.inf), score)
    return totals


def test_ctc_loss_matches_brute_force_for_any_mask_index():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 3))
    targets = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0]])
    target_length = np.array([2, 2, 1])
    output_length = np.array([5, 4, 3])
    for mask_index, relabel in ((0, {}), (2, {2: 0})):
        labels = np.vectorize(lambda c: relabel.get(c, c))(targets)
        loss = ops.ctc_loss(
            labels,
            torch.tensor(logits),
            target_length,
            output_length,
            mask_index=mask_index,
        )
        assert tuple(loss.shape) == (3,)
        for b in range(3):
            log_p = np_log_softmax(logits[b, : output_length[b]])
            totals = brute_force_labelings(log_p, mask_index)
            key = tuple(labels[b, : target_length[b]])
            np.testing.assert_allclose(-loss[b].item(), totals[key], 1e-9)


def test_ctc_decode_greedy_keras3_conventions():
    logits = torch.tensor(
        [
            [
                [0.0, 3.0, 1.0],
                [0.0, 3.0, 1.0],
                [2.0, 0.0, 1.0],
                [0.0, 1.0, 3.0],
                [0.0, 3.0, 0.0],
            ]
        ]
    )
    decoded, scores = ops.ctc_decode(logits, [5])
    assert decoded.dtype == torch.int32 and tuple(decoded.shape) == (1, 1, 5)
    np.testing.assert_array_equal(decoded[0].numpy(), [[1, 2, 1, -1, -1]])
    np.testing.assert_allclose(scores.numpy(), [[-(3 + 3 + 2 + 3 + 3)]])
    decoded, _ = ops.ctc_decode(logits, [5], merge_repeated=False)
    np.testing.assert_array_equal(decoded[0].numpy(), [[1, 1, 2, 1, -1]])
    decoded, scores = ops.ctc_decode(logits, [3], mask_index=None)
    np.testing.assert_array_equal(decoded[0].numpy(), [[1, 0, -1, -1, -1]])
    np.testing.assert_allclose(scores.numpy(), [[-8.0]])


def test_ctc_decode_beam_search_matches_brute_force():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(2, 4, 3))
    decoded, scores = ops.ctc_decode(
        torch.tensor(logits),
        [4, 3],
        strategy="beam_search",
        top_paths=2,
    )
    assert tuple(decoded.shape) == (2, 2, 4)
    assert tuple(scores.shape) == (2, 2)
    for b, length in enumerate([4, 3]):
        totals = brute_force_labelings(np_log_softmax(logits[b, :length]), 0)
        best = sorted(totals.items(), key=lambda item: -item[1])[:2]
        for k, (labeling, score) in enumerate(best):
            # Keras 3 (tf v2 decoder): labelings are returned unmerged.
            row = decoded[k, b].numpy()
            np.testing.assert_array_equal(row[: len(labeling)], labeling)
            assert np.all(row[len(labeling) :] == -1)
            np.testing.assert_allclose(scores[b, k].item(), score, 1e-6)
    with pytest.raises(ValueError, match="strategy='best'"):
        ops.ctc_decode(torch.tensor(logits), [4, 3], strategy="best")


def test_crossentropy_ops_match_numpy():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4, 3))
    probs = np.exp(np_log_softmax(logits))
    labels = np.array([0, 2, 1, 1])
    one_hot = np.eye(3)[labels]
    np.testing.assert_allclose(
        ops.categorical_crossentropy(one_hot, logits, from_logits=True),
        -np.sum(one_hot * np_log_softmax(logits), -1),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        ops.sparse_categorical_crossentropy(labels, probs),
        -np.log(np.clip(probs[np.arange(4), labels], EPS, 1 - EPS)),
        rtol=1e-6,
    )
    p = np.clip(probs, EPS, 1 - EPS)
    np.testing.assert_allclose(
        ops.binary_crossentropy(one_hot, probs),
        -(one_hot * np.log(p + EPS) + (1 - one_hot) * np.log(1 - p + EPS)),
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match=r"target.shape=\(4,\)"):
        ops.binary_crossentropy(labels, probs)


def test_softmax_one_hot_normalize():
    x = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(
        ops.softmax(x), np.exp(np_log_softmax(x)), rtol=1e-6
    )
    np.testing.assert_allclose(ops.log_softmax(x), np_log_softmax(x), 1e-6)
    np.testing.assert_allclose(ops.sigmoid(x), 1 / (1 + np.exp(-x)), 1e-6)
    encoded = ops.one_hot(np.array([2, -1, 0]), 3)
    assert encoded.dtype == torch.float32
    np.testing.assert_array_equal(
        encoded.numpy(), [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
    )
    np.testing.assert_array_equal(
        ops.one_hot([1, 0], 2, axis=0).numpy(), [[0, 1], [1, 0]]
    )
    normalized = ops.normalize(x)
    norms = np.linalg.norm(x[:1], axis=-1, keepdims=True)
    np.testing.assert_allclose(normalized[:1].numpy(), x[:1] / norms, 1e-6)
    np.testing.assert_array_equal(normalized[1].numpy(), [0, 0, 0])


# --------------------------------------------------------------------------
# Activations, convolution, pooling, normalization, attention.

V = np.linspace(-4.0, 4.0, 41).astype("float32")


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("name, kwargs, reference", [
    ("relu", {}, lambda x: np.maximum(x, 0)),
    ("relu6", {}, lambda x: np.clip(x, 0, 6)),
    ("sigmoid", {}, np_sigmoid),
    ("softplus", {}, lambda x: np.log1p(np.exp(x))),
    ("softsign", {}, lambda x: x / (1 + np.abs(x))),
    ("silu", {}, lambda x: x * np_sigmoid(x)),
    ("swish", {}, lambda x: x * np_sigmoid(x)),
    ("elu", {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    ("selu", {}, lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(x))),
    ("hard_sigmoid", {}, lambda x: np.clip(x + 3, 0, 6) / 6),
    ("hard_silu", {}, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_tanh", {}, lambda x: np.clip(x, -1, 1)),
    ("tanh_shrink", {}, lambda x: x - np.tanh(x)),
    ("hard_shrink", {"threshold": 1.0},
     lambda x: np.where(np.abs(x) > 1.0, x, 0)),
    ("soft_shrink", {"threshold": 1.0},
     lambda x: np.sign(x) * np.maximum(np.abs(x) - 1.0, 0)),
    ("threshold", {"threshold": 0.5, "default_value": -2.0},
     lambda x: np.where(x > 0.5, x, -2.0)),
    ("leaky_relu", {}, lambda x: np.where(x > 0, x, 0.2 * x)),
    ("log_sigmoid", {}, lambda x: -np.log1p(np.exp(-x))),
    ("sparse_sigmoid", {}, lambda x: np.clip((x + 1) / 2, 0, 1)),
    ("squareplus", {"b": 4}, lambda x: (x + np.sqrt(x * x + 4)) / 2),
])
def test_activations_match_numpy(name, kwargs, reference):
    result = getattr(ops, name)(V, **kwargs)
    np.testing.assert_allclose(result.numpy(), reference(V), rtol=1e-5,
                               atol=1e-6)
    assert ops.nn.relu is ops.relu


def np_correlate_nhwc(x, kernel, stride, pads):
    """Cross-correlation of NHWC ``x`` with a Keras HWIO kernel."""
    x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw, _, out = kernel.shape
    rows = (x.shape[1] - kh) // stride + 1
    cols = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], rows, cols, out))
    for i in range(rows):
        for j in range(cols):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
            y[:, i, j] = np.einsum("nhwc,hwco->no", patch, kernel)
    return y


def test_conv_and_depthwise_conv_same_padding_match_numpy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 5, 3)).astype("float32")
    kernel = rng.normal(size=(3, 3, 3, 4)).astype("float32")
    # 'same' with stride 2 on 6 rows pads (0, 1), on 5 columns (1, 1).
    expected = np_correlate_nhwc(x, kernel, 2, [(0, 1), (1, 1)])
    result = ops.conv(x, kernel, strides=2, padding="same")
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-4,
                               atol=1e-5)
    depth = rng.normal(size=(3, 3, 3, 2)).astype("float32")
    dense = np.zeros((3, 3, 3, 6), "float32")
    for c in range(3):
        dense[:, :, c, 2 * c:2 * c + 2] = depth[:, :, c]
    np.testing.assert_allclose(
        ops.depthwise_conv(x, depth, padding="same").numpy(),
        np_correlate_nhwc(x, dense, 1, [(1, 1), (1, 1)]), rtol=1e-4,
        atol=1e-5)
    first = ops.conv(np.moveaxis(x, -1, 1), kernel, 2, "same",
                     data_format="channels_first")
    np.testing.assert_allclose(np.moveaxis(first.numpy(), 1, -1),
                               expected, rtol=1e-4, atol=1e-5)


def test_pooling_same_padding_matches_numpy():
    x = np.arange(2 * 5 * 5 * 1, dtype="float32").reshape(2, 5, 5, 1)
    # 3x3 windows, stride 2, 'same' on 5: pads (1, 1); averages count only
    # real pixels.
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)),
                    constant_values=np.nan)
    windows = np.stack([padded[:, i:i + 3, j:j + 3]
                        for i in (0, 2, 4) for j in (0, 2, 4)], 1)
    expected_max = np.nanmax(windows, axis=(2, 3)).reshape(2, 3, 3, 1)
    expected_avg = np.nanmean(windows, axis=(2, 3)).reshape(2, 3, 3, 1)
    np.testing.assert_array_equal(
        ops.max_pool(x, 3, 2, "same").numpy(), expected_max)
    np.testing.assert_allclose(
        ops.average_pool(x, 3, 2, "same").numpy(), expected_avg, rtol=1e-6)
    valid = ops.average_pool(x, 2).numpy()
    np.testing.assert_allclose(
        valid, x[:, :4, :4].reshape(2, 2, 2, 2, 2, 1).mean((2, 4)))


def test_moments_and_normalizations_match_numpy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4, 3, 5)).astype("float32")
    mean, var = ops.moments(x, axes=(0, 2), keepdims=True)
    np.testing.assert_allclose(mean.numpy(), x.mean((0, 2), keepdims=True),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var.numpy(), x.var((0, 2), keepdims=True),
                               rtol=1e-5)
    m, v = x.mean((0, 2)), x.var((0, 2))
    scale, offset = rng.normal(size=3), rng.normal(size=3)
    bn = ops.batch_normalization(x, m, v, axis=1, offset=offset,
                                 scale=scale, epsilon=1e-3)
    expected = ((x - m[:, None]) / np.sqrt(v[:, None] + 1e-3)
                * scale[:, None] + offset[:, None])
    np.testing.assert_allclose(bn.numpy(), expected, rtol=1e-4, atol=1e-5)
    ln = ops.layer_normalization(x, gamma=np.full(5, 2.0), axis=-1,
                                 epsilon=1e-5)
    expected = 2 * (x - x.mean(-1, keepdims=True)) / np.sqrt(
        x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(ln.numpy(), expected, rtol=1e-4, atol=1e-5)
    rms = ops.rms_normalization(x, axis=(1, 2), epsilon=1e-6)
    expected = x / np.sqrt((x ** 2).mean((1, 2), keepdims=True) + 1e-6)
    np.testing.assert_allclose(rms.numpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ops.psnr(x, x + 0.1, 1.0).numpy(), 20.0, rtol=1e-4)


def test_dot_product_attention_matches_numpy():
    rng = np.random.default_rng(5)
    q = rng.normal(size=(2, 4, 4, 8)).astype("float32")
    k = rng.normal(size=(2, 6, 2, 8)).astype("float32")
    v = rng.normal(size=(2, 6, 2, 8)).astype("float32")
    bias = rng.normal(size=(1, 4, 4, 6)).astype("float32")
    mask = rng.random((2, 1, 4, 6)) > 0.3
    mask[..., 0] = True

    def reference(cap=None):
        kk, vv = np.repeat(k, 2, axis=2), np.repeat(v, 2, axis=2)
        logits = np.einsum("btnh,bsnh->bnts", q, kk) / np.sqrt(8)
        if cap:
            logits = np.tanh(logits / cap) * cap
        logits = np.where(mask, logits + bias, -1e9)
        weights = np.exp(logits - logits.max(-1, keepdims=True))
        weights /= weights.sum(-1, keepdims=True)
        return np.einsum("bnts,bsnh->btnh", weights, vv)

    result = ops.dot_product_attention(q, k, v, bias=bias, mask=mask)
    np.testing.assert_allclose(result.numpy(), reference(), rtol=1e-4,
                               atol=1e-5)
    capped = ops.dot_product_attention(q, k, v, bias=bias, mask=mask,
                                       attn_logits_soft_cap=2.0)
    np.testing.assert_allclose(capped.numpy(), reference(2.0), rtol=1e-4,
                               atol=1e-5)


def test_encodings_and_space_to_depth():
    np.testing.assert_array_equal(
        ops.multi_hot([[0, 2, 2], [1, 1, -1]], 4).numpy(),
        [[1, 0, 1, 0], [0, 1, 0, 0]])
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    s2d = ops.space_to_depth(x, 2).numpy()
    # TF order: the block (row, column) outer, channels inner.
    np.testing.assert_array_equal(s2d[:, :, :, :3], x[:, ::2, ::2])
    np.testing.assert_array_equal(s2d[:, :, :, 3:6], x[:, ::2, 1::2])
    np.testing.assert_array_equal(ops.depth_to_space(s2d, 2).numpy(), x)
    with pytest.raises(ValueError, match="order"):
        ops.normalize(x, order=0)


def test_nn_ops_record_graph_nodes_that_predict_the_eager_result():
    import torchkeras as keras

    rng = np.random.default_rng(6)
    kernel = rng.normal(size=(3, 3, 2, 4)).astype("float32")
    inputs = keras.Input((6, 6, 2))
    y = ops.conv(inputs, kernel, strides=1, padding="same")
    y = ops.max_pool(ops.relu(y), 2)
    assert y.shape == (None, 3, 3, 4)
    y = ops.layer_normalization(ops.gelu(y), axis=-1)
    mean, var = ops.moments(y, axes=(1, 2))
    assert mean.shape == (None, 4) and var.shape == (None, 4)
    out = ops.softmax(mean + var, axis=-1)
    model = keras.Model(inputs, out)
    x = rng.normal(size=(3, 6, 6, 2)).astype("float32")
    eager = ops.layer_normalization(ops.gelu(ops.max_pool(ops.relu(
        ops.conv(x, kernel, padding="same")), 2)), axis=-1)
    m, v = ops.moments(eager, axes=(1, 2))
    np.testing.assert_allclose(
        model.predict(x, verbose=0), ops.softmax(m + v).numpy(), rtol=1e-5,
        atol=1e-6)
    attention = ops.dot_product_attention(
        keras.Input((5, 2, 4)), keras.Input((7, 2, 4)),
        keras.Input((7, 2, 4)))
    assert attention.shape == (None, 5, 2, 4)
