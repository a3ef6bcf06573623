"""The tf.keras 2 backend functions beyond the basics: semantics checked
against NumPy re-implementations of tf.keras's definitions (and torch
autograd for the transposed convolution), plus the symbolic idioms
(``K.shape`` in a functional VAE) and their file round trips."""

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.backend as K


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _np(x):
    return K.get_value(x) if torch.is_tensor(x) else np.asarray(x)


# --- K.shape and shape values inside functional models ---------------------

def test_shape_is_an_int32_tensor_eagerly_and_symbolically():
    s = K.shape(np.zeros((2, 5), "float32"))
    assert torch.is_tensor(s) and s.dtype == torch.int32
    assert s.tolist() == [2, 5]
    x = keras.Input((4, 3))
    s = K.shape(x)
    assert isinstance(s, keras.KerasTensor)
    assert s.shape == (3,) and s.dtype == "int32"
    assert K.shape(x)[0].shape == ()


def test_vae_sampling_idiom_in_a_functional_model(tmp_path):
    x = keras.Input((4,))
    z_mean = keras.layers.Dense(2, name="mean")(x)
    z_log_var = keras.layers.Dense(
        2, kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(-60.0))(x)
    eps = K.random_normal(shape=(K.shape(z_mean)[0], 2))
    z = z_mean + K.exp(0.5 * z_log_var) * eps
    assert z.shape == (None, 2)
    flat = K.reshape(x, (K.shape(x)[0], 2, 2))
    assert flat.shape == (None, 2, 2)
    model = keras.Model(x, [z, flat])
    a = _rand(5, 4)
    got_z, got_flat = model.predict(a, verbose=0)
    mean = model.get_layer("mean")(torch.as_tensor(a)).detach().numpy()
    np.testing.assert_allclose(got_z, mean, atol=1e-6)  # exp(-30) * eps
    np.testing.assert_array_equal(got_flat, a.reshape(5, 2, 2))
    for suffix in ("keras", "h5"):
        path = str(tmp_path / f"vae.{suffix}")
        model.save(path)
        loaded = keras.models.load_model(path)
        z2, flat2 = loaded.predict(a[:3], verbose=0)
        np.testing.assert_allclose(z2, mean[:3], atol=1e-6)
        np.testing.assert_array_equal(flat2, a[:3].reshape(3, 2, 2))


def test_backend_ops_write_tensorflow_names_in_h5(tmp_path):
    x = keras.Input((4,))
    y = K.sum(K.square(x), axis=-1, keepdims=True)
    y = K.concatenate([y, K.mean(x, axis=1, keepdims=True)], axis=-1)
    model = keras.Model(x, y)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:
        config = f.attrs["model_config"]
    config = config.decode() if isinstance(config, bytes) else config
    for name in ("math.reduce_sum", "math.square", "concat",
                 "math.reduce_mean"):
        assert f'"function": "{name}"' in config
    a = _rand(3, 4)
    expect = np.concatenate([np.sum(a * a, -1, keepdims=True),
                             a.mean(1, keepdims=True)], -1)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(a, verbose=0), expect,
                               rtol=1e-5)


# --- products ---------------------------------------------------------------

@pytest.mark.parametrize("xs,ys,axes,ref", [
    ((3, 4), (3, 4), None, lambda x, y: np.sum(x * y, 1, keepdims=True)),
    ((3, 2, 4), (3, 4, 5), None, lambda x, y: x @ y),
    ((3, 2, 4), (3, 4), None, lambda x, y: np.einsum("bij,bj->bi", x, y)),
    ((3, 4, 2), (3, 4, 5), (1, 1),
     lambda x, y: np.einsum("bij,bik->bjk", x, y)),
    ((3, 4), (3, 2, 4), (1, 2), lambda x, y: np.einsum("bi,bji->bj", x, y)),
])
def test_batch_dot_matches_tf_keras(xs, ys, axes, ref):
    x, y = _rand(*xs), _rand(*ys, seed=1)
    got = _np(K.batch_dot(x, y, axes=axes))
    np.testing.assert_allclose(got, ref(x, y), rtol=1e-5, atol=1e-6)


def test_dot_of_nd_tensors_contracts_last_and_second_to_last():
    x, y = _rand(2, 3, 4), _rand(5, 4, 6, seed=1)
    got = _np(K.dot(x, y))
    assert got.shape == (2, 3, 5, 6)
    np.testing.assert_allclose(got, np.tensordot(x, y, ([2], [1])),
                               rtol=1e-5, atol=1e-5)


# --- convolutions -----------------------------------------------------------

@pytest.mark.parametrize("padding,out_hw", [("valid", (7, 7)),
                                            ("valid", (8, 8)),
                                            ("same", (6, 6)),
                                            ("same", (5, 5))])
def test_conv2d_transpose_is_the_gradient_of_conv2d(padding, out_hw):
    x = torch.as_tensor(_rand(2, 3, 3, 4))
    kernel = torch.as_tensor(_rand(3, 3, 2, 4, seed=1))
    z = torch.zeros((2,) + out_hw + (2,), requires_grad=True)
    y = K.conv2d(z, kernel, strides=(2, 2), padding=padding)
    assert tuple(y.shape) == (2, 3, 3, 4)
    (ref,) = torch.autograd.grad((y * x).sum(), z)
    got = K.conv2d_transpose(x, kernel, (None,) + out_hw + (2,),
                             strides=(2, 2), padding=padding)
    np.testing.assert_allclose(_np(got), ref.numpy(), rtol=1e-5, atol=1e-5)


def test_conv1d_causal_pads_on_the_left():
    x, kernel = _rand(2, 6, 3), _rand(2, 3, 4, seed=1)
    got = _np(K.conv1d(x, kernel, padding="causal", dilation_rate=2))
    padded = np.pad(x, ((0, 0), (2, 0), (0, 0)))
    ref = np.stack([padded[:, t] @ kernel[0] + padded[:, t + 2] @ kernel[1]
                    for t in range(6)], 1)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_pool2d_modes_and_channels_first():
    x = _rand(2, 4, 4, 3)
    ref_max = x.reshape(2, 2, 2, 2, 2, 3).max((2, 4))
    ref_avg = x.reshape(2, 2, 2, 2, 2, 3).mean((2, 4))
    np.testing.assert_allclose(_np(K.pool2d(x, (2, 2), (2, 2))), ref_max)
    np.testing.assert_allclose(
        _np(K.pool2d(x, (2, 2), (2, 2), pool_mode="avg")), ref_avg,
        rtol=1e-6)
    cf = _np(K.pool2d(x.transpose(0, 3, 1, 2), (2, 2), (2, 2),
                      data_format="channels_first"))
    np.testing.assert_allclose(cf, ref_max.transpose(0, 3, 1, 2))


def _local_conv_ref(x, kernel, kernel_size, strides, out_shape, cf):
    """tf.keras's ``local_conv`` definition, position by position."""
    outs = []
    for pos in np.ndindex(*out_shape):
        sl = [slice(p * s, p * s + k)
              for p, s, k in zip(pos, strides, kernel_size)]
        patch = x[(slice(None), slice(None), *sl)] if cf else x[
            (slice(None), *sl, slice(None))]
        outs.append(patch.reshape(x.shape[0], -1))
    index = np.arange(len(outs))
    out = np.stack([outs[i] @ kernel[i] for i in index], 1)
    out = out.reshape((x.shape[0],) + tuple(out_shape) + (-1,))
    return np.moveaxis(out, -1, 1) if cf else out


@pytest.mark.parametrize("cf", [False, True])
def test_local_conv2d_and_1d(cf):
    x = _rand(2, 5, 5, 3)
    kernel = _rand(4, 2 * 2 * 3, 6, seed=1)
    fmt = "channels_first" if cf else "channels_last"
    xin = x.transpose(0, 3, 1, 2) if cf else x
    got = _np(K.local_conv2d(xin, kernel, (2, 2), (2, 2), (2, 2),
                             data_format=fmt))
    ref = _local_conv_ref(xin, kernel, (2, 2), (2, 2), (2, 2), cf)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    x1 = _rand(2, 7, 3)
    kernel1 = _rand(3, 3 * 3, 4, seed=2)
    xin1 = x1.transpose(0, 2, 1) if cf else x1
    got1 = _np(K.local_conv1d(xin1, kernel1, (3,), (2,), data_format=fmt))
    ref1 = _local_conv_ref(xin1, kernel1, (3,), (2,), (3,), cf)
    np.testing.assert_allclose(got1, ref1, rtol=1e-5, atol=1e-5)


def test_bias_add_by_data_format():
    x, b = _rand(2, 3, 4, 5), _rand(3, seed=1)
    np.testing.assert_allclose(
        _np(K.bias_add(x, b, data_format="channels_first")),
        x + b.reshape(1, 3, 1, 1))
    b5 = _rand(5, seed=2)
    np.testing.assert_allclose(_np(K.bias_add(x, b5)), x + b5)
    with pytest.raises(ValueError, match="bias dimensions"):
        K.bias_add(x, _rand(2, 5))


# --- normalization ----------------------------------------------------------

def test_normalize_batch_in_training():
    x = _rand(6, 4)
    gamma, beta = _rand(4, seed=1), _rand(4, seed=2)
    out, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0])
    m, v = x.mean(0), x.var(0)
    np.testing.assert_allclose(_np(mean), m, rtol=1e-5)
    np.testing.assert_allclose(_np(var), v, rtol=1e-5)
    np.testing.assert_allclose(
        _np(out), (x - m) / np.sqrt(v + 1e-3) * gamma + beta, rtol=1e-4,
        atol=1e-5)
    x4 = _rand(2, 3, 3, 4)
    _, _, var4 = K.normalize_batch_in_training(x4, None, None, [0, 1, 2])
    # The fused tf path returns the unbiased (n - 1) batch variance.
    np.testing.assert_allclose(_np(var4), x4.reshape(-1, 4).var(0, ddof=1),
                               rtol=1e-5)


def test_batch_normalization_channels_first_4d():
    x = _rand(2, 3, 4, 4)
    mean, var = _rand(3, seed=1), np.abs(_rand(3, seed=2))
    beta, gamma = _rand(3, seed=3), _rand(3, seed=4)
    got = _np(K.batch_normalization(x, mean, var, beta, gamma, axis=1))
    r = (1, 3, 1, 1)
    ref = ((x - mean.reshape(r)) / np.sqrt(var.reshape(r) + 1e-3)
           * gamma.reshape(r) + beta.reshape(r))
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


# --- padding, resizing, reshaping ---------------------------------------------

def test_paddings_match_numpy():
    x = _rand(2, 3, 4, 5)
    np.testing.assert_array_equal(
        _np(K.spatial_2d_padding(x, ((1, 2), (0, 3)))),
        np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    np.testing.assert_array_equal(
        _np(K.spatial_2d_padding(x, ((1, 2), (0, 3)),
                                 data_format="channels_first")),
        np.pad(x, ((0, 0), (0, 0), (1, 2), (0, 3))))
    x3 = _rand(2, 4, 3)
    np.testing.assert_array_equal(_np(K.temporal_padding(x3, (2, 1))),
                                  np.pad(x3, ((0, 0), (2, 1), (0, 0))))
    x5 = _rand(1, 2, 2, 2, 3)
    np.testing.assert_array_equal(
        _np(K.spatial_3d_padding(x5)),
        np.pad(x5, ((0, 0), (1, 1), (1, 1), (1, 1), (0, 0))))


def test_resize_images_and_volumes_repeat_pixels():
    x = _rand(2, 2, 3, 4)
    np.testing.assert_array_equal(
        _np(K.resize_images(x, 2, 3, "channels_last")),
        x.repeat(2, 1).repeat(3, 2))
    v = _rand(1, 3, 2, 2, 2)
    np.testing.assert_array_equal(
        _np(K.resize_volumes(v, 1, 2, 3, "channels_first")),
        v.repeat(2, 3).repeat(3, 4))
    with pytest.raises(ValueError, match="data_format"):
        K.resize_images(x, 2, 2, "nchw")


def test_small_tensor_functions_match_numpy():
    x = _rand(2, 3)
    np.testing.assert_array_equal(_np(K.repeat(x, 4)),
                                  np.repeat(x[:, None], 4, 1))
    np.testing.assert_array_equal(_np(K.reverse(x, 1)), x[:, ::-1])
    np.testing.assert_array_equal(_np(K.reverse(x, [0, 1])), x[::-1, ::-1])
    np.testing.assert_allclose(_np(K.cumsum(x)), np.cumsum(x, 0), rtol=1e-6)
    np.testing.assert_allclose(_np(K.cumprod(x, axis=1)), np.cumprod(x, 1),
                               rtol=1e-6)
    np.testing.assert_allclose(_np(K.sin(x)), np.sin(x), rtol=1e-6)
    np.testing.assert_allclose(_np(K.cos(x)), np.cos(x), rtol=1e-6)
    np.testing.assert_array_equal(_np(K.arange(-3)), np.arange(0))
    assert K.arange(2, 8, 2).dtype == torch.int32
    np.testing.assert_array_equal(_np(K.arange(2, 8, 2, dtype="float32")),
                                  np.arange(2, 8, 2, dtype="float32"))
    np.testing.assert_array_equal(_np(K.constant([1, 2, 3, 4], shape=(2, 2))),
                                  np.array([[1, 2], [3, 4]], "float32"))
    np.testing.assert_array_equal(_np(K.constant(7, shape=(2,))), [7, 7])
    np.testing.assert_array_equal(_np(K.one_hot(np.array([0, 2, 5]), 3)),
                                  np.eye(3, dtype="float32")[[0, 2, 2]]
                                  * np.array([[1], [1], [0]]))
    np.testing.assert_allclose(_np(K.std(x, axis=1)), x.std(1), rtol=1e-5)
    a = K.cast_to_floatx([1, 2])
    assert isinstance(a, np.ndarray) and a.dtype == np.float32


# --- activations and losses -------------------------------------------------

def test_activations_use_tf_keras_2_definitions():
    x = _rand(3, 4) * 4
    np.testing.assert_allclose(_np(K.hard_sigmoid(x)),
                               np.clip(0.2 * x + 0.5, 0, 1), rtol=1e-6)
    np.testing.assert_allclose(_np(K.elu(x, alpha=0.5)),
                               np.where(x > 0, x, 0.5 * np.expm1(x)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(K.softplus(x)), np.log1p(np.exp(x)),
                               rtol=1e-5)
    np.testing.assert_allclose(_np(K.softsign(x)), x / (1 + np.abs(x)),
                               rtol=1e-6)
    e = np.exp(x - x.max())
    np.testing.assert_allclose(_np(K.softmax(x, axis=(0, 1))), e / e.sum(),
                               rtol=1e-5)


def _probs(shape, seed=0):
    p = np.random.default_rng(seed).uniform(0.05, 1, size=shape)
    return p.astype("float32")


def test_crossentropies_match_tf_keras_formulas():
    eps = K.epsilon()
    target = np.eye(4, dtype="float32")[[0, 3, 1]]
    output = _probs((3, 4))  # not normalised: tf.keras renormalises
    p = np.clip(output / output.sum(-1, keepdims=True), eps, 1 - eps)
    np.testing.assert_allclose(
        _np(K.categorical_crossentropy(target, output)),
        -(target * np.log(p)).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(
        _np(K.categorical_focal_crossentropy(target, output)),
        (0.25 * (1 - p) ** 2 * -target * np.log(p)).sum(-1), rtol=1e-5)
    logits = _rand(3, 4)
    log_sm = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        _np(K.categorical_crossentropy(target, logits, from_logits=True)),
        -(target * log_sm).sum(-1), rtol=1e-5)
    labels = np.array([0, 3, 1])
    np.testing.assert_allclose(
        _np(K.sparse_categorical_crossentropy(labels, logits,
                                              from_logits=True)),
        -log_sm[np.arange(3), labels], rtol=1e-5)
    ignored = _np(K.sparse_categorical_crossentropy(
        labels[:, None], output, ignore_class=3))
    np.testing.assert_allclose(
        ignored, [-np.log(p[0, 0]), 0.0, -np.log(p[2, 1])], rtol=1e-5)
    y, q = np.array([[0.0, 1.0]], "float32"), np.array([[0.3, 0.9]],
                                                          "float32")
    bce = -(y * np.log(q + eps) + (1 - y) * np.log(1 - q + eps))
    np.testing.assert_allclose(_np(K.binary_crossentropy(y, q)), bce,
                               rtol=1e-5)
    p_t = y * q + (1 - y) * (1 - q)
    weight = y * 0.25 + (1 - y) * 0.75
    np.testing.assert_allclose(
        _np(K.binary_focal_crossentropy(y, q, apply_class_balancing=True)),
        weight * (1 - p_t) ** 2 * bce, rtol=1e-5)
    z = np.array([[-3.0, 0.5]], "float32")
    np.testing.assert_allclose(
        _np(K.binary_crossentropy(y, z, from_logits=True)),
        -(y * np.log(1 / (1 + np.exp(-z)))
          + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))), rtol=1e-5)


def test_in_top_k_counts_ties_as_in():
    pred = np.array([[0.1, 0.5, 0.5, 0.2], [0.4, 0.3, 0.2, 0.1]], "float32")
    np.testing.assert_array_equal(_np(K.in_top_k(pred, [2, 1], 1)),
                                  [True, False])
    np.testing.assert_array_equal(_np(K.in_top_k(pred, [0, 1], 2)),
                                  [False, True])


# --- control flow and loops ---------------------------------------------------

def test_switch_scalar_and_leading_axis_condition():
    a, b = _rand(2, 3), _rand(2, 3, seed=1)
    np.testing.assert_array_equal(_np(K.switch(True, a, b)), a)
    np.testing.assert_array_equal(_np(K.switch(0, lambda: a, lambda: b)), b)
    cond = np.array([[True, False, True], [False, True, False]])
    x3, y3 = _rand(2, 3, 4), _rand(2, 3, 4, seed=2)
    np.testing.assert_array_equal(_np(K.switch(cond, x3, y3)),
                                  np.where(cond[..., None], x3, y3))


@pytest.mark.parametrize("go_backwards", [False, True])
def test_rnn_with_mask_matches_a_numpy_loop(go_backwards):
    x = _rand(2, 4, 3)
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)
    w = _rand(3, 3, seed=1)

    def step(inp, states):
        h = torch.tanh(inp + states[0] @ torch.as_tensor(w))
        return h, [h]

    last, outs, states = K.rnn(step, torch.as_tensor(x),
                               [torch.zeros(2, 3)], mask=mask,
                               go_backwards=go_backwards)
    h = np.zeros((2, 3), "float32")
    out = np.zeros((2, 3), "float32")
    ref = []
    order = range(3, -1, -1) if go_backwards else range(4)
    for t in order:
        new = np.tanh(x[:, t] + h @ w)
        keep = mask[:, t][:, None]
        out = np.where(keep, new, out)
        h = np.where(keep, new, h)
        ref.append(out)
    np.testing.assert_allclose(_np(outs), np.stack(ref, 1), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(_np(last), ref[-1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(states[0]), h, rtol=1e-5, atol=1e-6)


def test_map_and_folds():
    x = _rand(4, 3)
    np.testing.assert_allclose(_np(K.map_fn(lambda r: r * 2, x)), x * 2)
    np.testing.assert_allclose(_np(K.foldl(lambda a, r: a * 2 + r, x)),
                               ((x[0] * 2 + x[1]) * 2 + x[2]) * 2 + x[3],
                               rtol=1e-5)
    np.testing.assert_allclose(_np(K.foldr(lambda a, r: a * 2 + r, x)),
                               ((x[3] * 2 + x[2]) * 2 + x[1]) * 2 + x[0],
                               rtol=1e-5)
    with pytest.raises(TypeError, match="runs eagerly"):
        K.map_fn(lambda r: r, keras.Input((3,)))


# --- variables, gradients, random ---------------------------------------------

def test_variable_updates_and_gradients():
    v = K.variable(np.ones((2,), "float32"))
    K.update_add(v, [1.0, 2.0])
    K.update_sub(v, [0.5, 0.5])
    np.testing.assert_allclose(K.get_value(v), [1.5, 2.5])
    K.moving_average_update(v, np.array([0.5, 0.5], "float32"), 0.9)
    np.testing.assert_allclose(K.get_value(v), [1.4, 2.3], rtol=1e-6)
    K.update(v, [3.0, 4.0])
    np.testing.assert_allclose(K.get_value(v), [3.0, 4.0])
    (g,) = K.gradients(K.sum(v * v), [v])
    np.testing.assert_allclose(_np(g), [6.0, 8.0])
    with pytest.raises(TypeError, match="runs eagerly"):
        K.update_add(v, keras.Input((2,)))


def test_random_functions_shapes_seeds_and_bounds():
    a = K.random_normal((200, 50), mean=1.0, stddev=2.0, seed=3)
    b = K.random_normal((200, 50), mean=1.0, stddev=2.0, seed=3)
    np.testing.assert_array_equal(_np(a), _np(b))
    assert abs(_np(a).mean() - 1.0) < 0.1 and abs(_np(a).std() - 2) < 0.1
    t = _np(K.truncated_normal((1000,), stddev=0.5, seed=1))
    assert np.abs(t).max() <= 1.0 + 1e-6
    bern = _np(K.random_bernoulli((4000,), p=0.3, seed=2))
    assert set(np.unique(bern)) <= {0.0, 1.0} and abs(bern.mean() - .3) < .03
    with pytest.warns(UserWarning, match="random_binomial"):
        K.random_binomial((2,), p=0.5)
    u = K.random_uniform_variable((3, 4), -1.0, 1.0, seed=5)
    assert isinstance(u, keras.Variable) and tuple(u.shape) == (3, 4)
    assert np.all(np.abs(K.get_value(u)) <= 1.0)
    kept = _np(K.dropout(np.ones((1000,), "float32"), 0.25, seed=4))
    np.testing.assert_allclose(kept[kept > 0], 1 / 0.75, rtol=1e-6)
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((kept > 0).mean() - 0.75) < 0.05


# --- utilities ----------------------------------------------------------------

def test_uids_scopes_and_placeholders():
    K.reset_uids()
    assert [K.get_uid("a"), K.get_uid("a"), K.get_uid("b")] == [1, 2, 1]
    K.reset_uids()
    assert K.get_uid("a") == 1
    with K.name_scope("block") as scope:
        assert scope == "block/"
    with pytest.warns(UserWarning, match="learning_phase_scope"):
        with K.learning_phase_scope(1):
            assert K.learning_phase() == 1
    assert K.learning_phase() == 0
    p = K.placeholder(shape=(None, 3))
    assert isinstance(p, keras.KerasTensor) and p.shape == (None, 3)
    assert K.placeholder(ndim=2).shape == (None, None)
    dense = torch.eye(2)
    assert not K.is_sparse(dense) and K.is_sparse(dense.to_sparse())
    np.testing.assert_array_equal(_np(K.to_dense(dense.to_sparse())),
                                  np.eye(2))
