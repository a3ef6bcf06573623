"""``torchkeras.compat.tf``: TF names against NumPy / hand-computed values,
symbolic recording, the missing-name error, checkpoints and seeding."""

import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.compat.tf as tf

X = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]], dtype="float32")


@pytest.mark.parametrize("name, ref", [
    ("abs", np.abs), ("exp", np.exp), ("square", np.square),
    ("sign", np.sign), ("floor", np.floor), ("ceil", np.ceil),
    ("sigmoid", lambda v: 1 / (1 + np.exp(-v))), ("tanh", np.tanh),
    ("softplus", lambda v: np.log1p(np.exp(v))),
])
def test_unary_math_matches_numpy(name, ref):
    out = getattr(tf.math, name)(tf.constant(X))
    np.testing.assert_allclose(out.numpy(), ref(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, ref", [
    ("reduce_sum", np.sum), ("reduce_max", np.max), ("reduce_min", np.min),
    ("reduce_prod", np.prod), ("reduce_mean", np.mean),
])
def test_reductions_match_numpy(name, ref):
    out = getattr(tf, name)(X, axis=1, keepdims=True)
    np.testing.assert_allclose(out.numpy(), ref(X, axis=1, keepdims=True),
                               rtol=1e-6)
    np.testing.assert_allclose(getattr(tf.math, name)(
        input_tensor=X).numpy(), ref(X), rtol=1e-6)


def test_tf_semantics_hand_computed():
    ints = tf.constant([[1, 2], [4, 4]])
    assert ints.dtype == tf.int32
    assert tf.constant(1.5).dtype == tf.float32
    # Integer mean stays integer, truncated.
    assert tf.reduce_mean(ints).tolist() == 2
    assert tf.reduce_mean(ints, axis=1).tolist() == [1, 4]
    assert tf.range(4).tolist() == [0, 1, 2, 3]
    assert tf.range(4).dtype == tf.int32
    assert tf.range(1.0, 2.0, 0.5).tolist() == [1.0, 1.5]
    assert tf.concat([ints, ints], axis=1).shape == (2, 4)
    assert tf.gather(ints, [1, 1]).tolist() == [[4, 4], [4, 4]]
    assert tf.gather(ints, [1], axis=1).tolist() == [[2], [4]]
    assert tf.gather(ints, [[1], [0]], batch_dims=1).tolist() == [
        [2], [4]]
    assert tf.one_hot([0, 2], 3, on_value=5, off_value=-1).tolist() == [
        [5, -1, -1], [-1, -1, 5]]
    assert tf.one_hot([1], 2).dtype == tf.float32
    assert tf.where([True, False, True]).tolist() == [[0], [2]]
    assert tf.argmax(ints).tolist() == [1, 1]
    assert tf.argmax(ints).dtype == tf.int64
    assert tf.fill([2], 3).dtype == tf.int32
    assert tf.shape(ints).tolist() == [2, 2]
    assert tf.reshape(ints, tf.shape(ints)).shape == (2, 2)
    assert tf.math.cumsum([1, 2, 3], exclusive=True).tolist() == [0, 1, 3]
    assert tf.math.cumsum([1, 2, 3], reverse=True).tolist() == [6, 5, 3]
    assert [p.shape[0] for p in tf.split(tf.range(6), [1, -1, 2])] == [
        1, 3, 2]
    assert tf.eye(2, batch_shape=[3]).shape == (3, 2, 2)
    assert tf.cast(ints, tf.float32).dtype == torch.float32
    assert tf.transpose(ints, perm=[1, 0]).tolist() == [[1, 4], [2, 4]]
    assert tf.clip_by_value(ints, 2, 3).tolist() == [[2, 2], [3, 3]]


def test_linalg_and_nn_match_numpy():
    a = np.array([[2.0, 1.0], [1.0, 3.0]], dtype="float32")
    np.testing.assert_allclose(tf.linalg.matmul(a, a, transpose_b=True),
                               a @ a.T, rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.inv(a), np.linalg.inv(a),
                               rtol=1e-5)
    np.testing.assert_allclose(tf.linalg.det(a), np.linalg.det(a),
                               rtol=1e-5)
    np.testing.assert_allclose(tf.norm(a), np.linalg.norm(a), rtol=1e-6)
    np.testing.assert_allclose(
        tf.nn.l2_normalize(X, axis=1),
        X / np.sqrt((X ** 2).sum(1, keepdims=True)), rtol=1e-6)
    z = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], dtype="float32")
    np.testing.assert_allclose(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=X),
        np.maximum(X, 0) - X * z + np.log1p(np.exp(-np.abs(X))), atol=1e-6)
    log_p = X - np.log(np.exp(X).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        tf.nn.softmax_cross_entropy_with_logits(labels=z / z.sum(
            -1, keepdims=True), logits=X),
        -(z / z.sum(-1, keepdims=True) * log_p).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(
        tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=np.array([2, 0]), logits=X),
        -log_p[[0, 1], [2, 0]], rtol=1e-5)
    np.testing.assert_allclose(tf.nn.softmax(X), np.exp(log_p), rtol=1e-5)
    mean, var = tf.nn.moments(X, axes=[0])
    np.testing.assert_allclose(mean, X.mean(0), rtol=1e-6)
    np.testing.assert_allclose(var, X.var(0), rtol=1e-6)


def test_symbolic_calls_record_nodes():
    inputs = keras.Input(shape=(3,))
    logits = tf.concat([inputs, tf.nn.relu(inputs)], axis=-1)
    mean = tf.reduce_mean(logits, axis=-1, keepdims=True)
    picked = tf.gather(logits, [0, 4], axis=1)
    model = keras.Model(inputs, [mean, picked, tf.one_hot(
        tf.argmax(inputs, axis=1), 3)])
    mean_out, picked_out, hot = model(torch.tensor(X))
    both = np.concatenate([X, np.maximum(X, 0)], -1)
    np.testing.assert_allclose(mean_out, both.mean(-1, keepdims=True),
                               rtol=1e-6)
    np.testing.assert_allclose(picked_out, both[:, [0, 4]])
    np.testing.assert_allclose(hot, np.eye(3)[X.argmax(1)])


def test_missing_name_raises_pointing_to_ops():
    with pytest.raises(AttributeError, match=r"`tf\.no_such_op`.*keras\.ops"):
        tf.no_such_op
    with pytest.raises(AttributeError, match=r"`tf\.math\.bessel_i0`"):
        tf.math.bessel_i0


def test_namespaces_are_torchkeras():
    assert tf.keras is keras
    assert tf.data is keras.data
    assert tf.compat.v1.ConfigProto is keras.compat.v1.ConfigProto
    assert isinstance(tf.Variable(1.0), keras.Variable)


def test_random_is_reproducible_with_seed():
    keras.utils.set_random_seed(3)
    first = [tf.random.normal((3,)), tf.random.uniform((2,), maxval=5,
                                                       dtype=tf.int32),
             tf.random.shuffle(tf.range(5)), tf.random.gamma((2,), 2.0),
             tf.random.categorical([[0.0, 1.0]], 4)]
    tf.random.set_seed(3)
    second = [tf.random.normal((3,)), tf.random.uniform((2,), maxval=5,
                                                        dtype=tf.int32),
              tf.random.shuffle(tf.range(5)), tf.random.gamma((2,), 2.0),
              tf.random.categorical([[0.0, 1.0]], 4)]
    for a, b in zip(first, second):
        assert torch.equal(a, b)
    assert sorted(first[2].tolist()) == [0, 1, 2, 3, 4]
    assert tf.random.gamma((4,), [1.0, 2.0]).shape == (4, 2)


def _trained_model():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, np.ones((2, 2)), epochs=2, verbose=0)
    return model


def _state(model):
    return ([w.copy() for w in model.get_weights()],
            [v.detach().cpu().numpy().copy()
             for v in model.optimizer.variables])


def test_checkpoint_round_trip(tmp_path):
    model = _trained_model()
    ckpt = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    path = ckpt.save(str(tmp_path / "ckpt"))
    assert path.endswith("ckpt-1")
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    weights, slots = _state(model)
    model.fit(X, np.zeros((2, 2)), epochs=1, verbose=0)
    ckpt.restore(path)
    new_weights, new_slots = _state(model)
    for a, b in zip(weights + slots, new_weights + new_slots):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_manager_keeps_latest(tmp_path):
    model = _trained_model()
    ckpt = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    assert ckpt.restore(manager.latest_checkpoint) is None
    paths = [manager.save() for _ in range(3)]
    assert manager.checkpoints == paths[1:]
    assert not (tmp_path / "ckpt-1.index").exists()
    assert tf.train.latest_checkpoint(str(tmp_path)) == paths[-1]
    again = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert again.checkpoints == paths[1:]
    both = tf.train.Checkpoint(step=tf.Variable(1), model=model)
    assert int(both.step.assign_add(1)) == 2


def test_symbolic_tf_ops_round_trip_through_h5(tmp_path):
    inputs = keras.Input(shape=(3,))
    both = tf.concat([inputs, tf.nn.relu(inputs)], axis=-1)
    model = keras.Model(inputs, [tf.gather(both, [0, 4], axis=1),
                                 tf.reduce_mean(inputs, axis=-1)])
    model.save(str(tmp_path / "m.h5"))
    loaded = keras.models.load_model(str(tmp_path / "m.h5"))
    x = torch.tensor(X)
    for a, b in zip(model(x), loaded(x)):
        np.testing.assert_array_equal(a.detach().numpy(),
                                      b.detach().numpy())
    np.testing.assert_allclose(loaded(x)[0].detach().numpy(),
                               np.concatenate([X, np.maximum(X, 0)],
                                              -1)[:, [0, 4]])


def test_integer_reduce_mean_reloads_from_h5_with_tf_semantics(tmp_path):
    # tf.keras 2 files name the TF function; TF's integer mean truncates,
    # keras.ops.mean would give a float.
    inputs = keras.Input(shape=(3,), dtype="int32")
    model = keras.Model(inputs, tf.reduce_mean(inputs, axis=-1))
    model.save(str(tmp_path / "m.h5"))
    loaded = keras.models.load_model(str(tmp_path / "m.h5"))
    x = np.array([[1, 2, 4], [5, 5, 6]], "int32")
    want = (x.sum(-1) // 3).tolist()
    for m in (model, loaded):
        out = m(torch.from_numpy(x))
        assert out.dtype == torch.int32 and out.tolist() == want
