"""tf.keras backend functions against NumPy."""

import numpy as np
import pytest

import torchkeras as keras
import torchkeras.backend as K

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5)).astype("float32")
Y = RNG.standard_normal((3, 4, 5)).astype("float32")


@pytest.mark.parametrize("name, np_fn", [
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
    ("prod", np.prod), ("std", np.std), ("var", np.var),
])
@pytest.mark.parametrize("axis", [None, 1, -1, (0, 2), [0, -1]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(name, np_fn, axis, keepdims):
    got = getattr(K, name)(X, axis=axis, keepdims=keepdims)
    axis = tuple(axis) if isinstance(axis, list) else axis
    np.testing.assert_allclose(got.numpy(), np_fn(X, axis=axis,
                                                  keepdims=keepdims),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, np_fn", [
    ("square", np.square), ("abs", np.abs), ("exp", np.exp),
    ("sign", np.sign), ("tanh", np.tanh),
    ("sigmoid", lambda v: 1 / (1 + np.exp(-v))),
    ("transpose", np.transpose), ("batch_flatten",
                                  lambda v: v.reshape(len(v), -1)),
])
def test_elementwise(name, np_fn):
    np.testing.assert_allclose(getattr(K, name)(X).numpy(), np_fn(X),
                               rtol=1e-5, atol=1e-6)


def test_binary_and_shape_functions():
    np.testing.assert_array_equal(K.greater_equal(X, Y).numpy(), X >= Y)
    np.testing.assert_allclose(K.maximum(X, Y).numpy(), np.maximum(X, Y))
    np.testing.assert_allclose(K.clip(X, -0.5, 0.5).numpy(),
                               np.clip(X, -0.5, 0.5))
    np.testing.assert_allclose(
        K.concatenate([X, Y], axis=1).numpy(), np.concatenate([X, Y], 1))
    np.testing.assert_allclose(
        K.permute_dimensions(X, (2, 0, 1)).numpy(), X.transpose(2, 0, 1))
    np.testing.assert_allclose(K.softmax(X).numpy(),
                               np.exp(X) / np.exp(X).sum(-1, keepdims=True),
                               rtol=1e-5)
    assert K.int_shape(X) == (3, 4, 5) and K.ndim(X) == 3
    assert K.dtype(K.cast(X, "int32")) == "int32"
    np.testing.assert_allclose(K.ones_like(X).numpy(), np.ones_like(X))


def test_batch_dot_matches_einsum():
    a = RNG.standard_normal((2, 3, 4)).astype("float32")
    b = RNG.standard_normal((2, 4, 5)).astype("float32")
    np.testing.assert_allclose(K.batch_dot(a, b).numpy(),
                               np.einsum("bij,bjk->bik", a, b), rtol=1e-5)
    c = RNG.standard_normal((2, 3)).astype("float32")
    d = RNG.standard_normal((2, 3)).astype("float32")
    np.testing.assert_allclose(K.batch_dot(c, d, axes=1).numpy(),
                               (c * d).sum(1, keepdims=True), rtol=1e-5)


def test_config_and_session_functions():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    K.set_epsilon(1e-5)
    try:
        assert K.epsilon() == 1e-5
    finally:
        K.set_epsilon(1e-7)
    with pytest.raises(ValueError, match="floatx"):
        K.set_floatx("float128")
    with pytest.raises(ValueError, match="data_format"):
        K.set_image_data_format("nhwc")
    layer = keras.layers.Dense(2)
    assert layer.name == "dense"
    K.clear_session()
    assert keras.layers.Dense(2).name == "dense"
    inp = keras.Input(shape=(3,))
    assert K.is_keras_tensor(inp) and not K.is_keras_tensor(X)
    assert K.int_shape(inp) == (None, 3)


def test_variables_get_and_set_value():
    v = K.variable(np.ones((2, 2)), name="v")
    K.set_value(v, np.full((2, 2), 3.0))
    np.testing.assert_array_equal(K.get_value(v), np.full((2, 2), 3.0))
    assert K.count_params(v) == 4
    with pytest.raises(TypeError, match="learning_rate"):
        K.set_value(0.1, 0.2)
