"""The Layer base class: custom layers with ``build``/``add_weight`` (Keras 3
and tf.keras 2 spellings), weights lists, ``trainable``, losses and
regularizers (against NumPy sums), configs (explicit and auto), weights I/O
errors and ``count_params``."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras import regularizers


def value(tensor):
    return float(tensor.detach())


class Linear(layers.Layer):
    """A custom layer with the Keras 3 ``add_weight`` spelling."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="ones", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                 trainable=False, name="b")

    def call(self, x):
        return x @ self.w + self.b


class Keras2Linear(layers.Layer):
    """tf.keras 2 spelling: ``add_weight(name, shape, dtype, initializer)``."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", [input_shape[-1],
                                                 self.units],
                                      "float32", "ones")
        self.bias = self.add_weight(name="bias", shape=[self.units],
                                    initializer="zeros", trainable=True)
        super().build(input_shape)

    def call(self, x):
        return torch.matmul(x, self.kernel) + self.bias

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


def test_custom_layer_build_and_weights():
    layer = Linear(3, name="lin")
    assert not layer.built and layer.weights == []
    out = layer(np.full((2, 4), 2.0, "float32"))
    assert layer.built
    np.testing.assert_allclose(out.detach().numpy(), np.full((2, 3), 8.0))
    assert [w.name for w in layer.weights] == ["lin/w", "lin/b"]
    assert [w.name for w in layer.trainable_weights] == ["lin/w"]
    assert [w.name for w in layer.non_trainable_weights] == ["lin/b"]
    assert layer.w.shape == (4, 3)
    assert layer.count_params() == 15


def test_keras2_add_weight_spelling():
    layer = Keras2Linear(2, name="k2")
    x = keras.Input(shape=(3,))
    y = layer(x)
    assert y.shape == (None, 2)
    assert [w.name for w in layer.weights] == ["k2/kernel", "k2/bias"]
    assert layer.kernel.dtype == torch.float32
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((3, 2)))
    assert len(layer.trainable_weights) == 2


def test_add_weight_duplicate_positional_and_keyword():
    class Bad(layers.Layer):
        def build(self, input_shape):
            self.add_weight("w", (2,), shape=(3,))

    with pytest.raises(TypeError, match="multiple values"):
        Bad()(torch.ones(1, 2))


def test_add_weight_unknown_dim_raises():
    class Bad(layers.Layer):
        def build(self, input_shape):
            self.add_weight(shape=(None, 2), name="w")

    with pytest.raises(ValueError, match="unknown or negative"):
        Bad(name="bad_layer")(torch.ones(1, 2))


def test_calling_layer_twice_shares_weights():
    layer = Linear(2)
    layer(torch.ones(1, 3))
    n = len(layer.weights)
    layer(torch.zeros(5, 3))
    assert len(layer.weights) == n
    a = layer(torch.ones(1, 3))
    b = layer(torch.ones(1, 3))
    torch.testing.assert_close(a, b)


def test_layer_trainable_flag():
    layer = Linear(2)
    layer(torch.ones(1, 3))
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2
    assert not layer.w.requires_grad
    layer.trainable = True
    assert layer.w.requires_grad


def test_constructor_trainable_false():
    layer = layers.Dense(2, trainable=False)
    layer(torch.ones(1, 3))
    assert layer.trainable_weights == []
    assert all(not p.requires_grad for p in layer.parameters())


def test_regularizer_losses_match_numpy():
    dense = layers.Dense(3, kernel_regularizer=regularizers.l2(0.1),
                         bias_regularizer=regularizers.l1(0.5),
                         bias_initializer="ones", name="reg")
    x = keras.Input(shape=(4,))
    model = keras.Model(x, dense(x))
    kernel, bias = dense.get_weights()
    losses = model.losses
    assert len(losses) == 2
    np.testing.assert_allclose(value(losses[0]), 0.1 * np.sum(kernel ** 2),
                               rtol=1e-5)
    np.testing.assert_allclose(value(losses[1]), 0.5 * np.sum(np.abs(bias)),
                               rtol=1e-5)


def test_l2_string_regularizer_default_factor():
    dense = layers.Dense(2, kernel_regularizer="l2")
    dense(torch.ones(1, 3))
    kernel = dense.get_weights()[0]
    np.testing.assert_allclose(value(dense.losses[0]),
                               0.01 * np.sum(kernel ** 2), rtol=1e-5)


def test_activity_regularizer_loss():
    dense = layers.Dense(2, activity_regularizer=regularizers.l1(0.5))
    x = np.random.RandomState(0).randn(4, 3).astype("float32")
    out = dense(x).detach().numpy()
    np.testing.assert_allclose(value(dense.losses[0]),
                               0.5 * np.abs(out).sum() / 4, rtol=1e-5)


def test_add_loss_in_call_is_reset_each_call():
    class Penalty(layers.Layer):
        def call(self, x):
            self.add_loss(torch.sum(x))
            return x

    layer = Penalty()
    layer(torch.ones(2, 3))
    assert [value(l) for l in layer.losses] == [6.0]
    layer(torch.full((1, 2), 0.5))
    assert [value(l) for l in layer.losses] == [1.0]


def test_losses_collected_from_sublayers():
    outer_x = keras.Input(shape=(2,))
    reg = layers.Dense(2, kernel_regularizer=regularizers.l2(1.0))
    model = keras.Model(outer_x, layers.Dense(1)(reg(outer_x)))
    kernel = reg.get_weights()[0]
    assert len(model.losses) == 1
    np.testing.assert_allclose(value(model.losses[0]), np.sum(kernel ** 2),
                               rtol=1e-5)


def test_dense_config_round_trip():
    dense = layers.Dense(3, activation="relu", use_bias=False, name="cfg")
    config = dense.get_config()
    assert config["units"] == 3
    assert config["activation"] == "relu"
    assert config["use_bias"] is False
    assert config["name"] == "cfg"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    clone = layers.Dense.from_config(config)
    assert clone.get_config() == config
    restored = layers.deserialize(layers.serialize(dense))
    assert isinstance(restored, layers.Dense)
    assert restored.units == 3 and restored.use_bias is False


def test_custom_layer_auto_config():
    layer = Linear(units=5, name="auto")
    config = layer.get_config()
    assert config["units"] == 5
    assert config["name"] == "auto"
    clone = Linear.from_config(config)
    assert clone.units == 5 and clone.name == "auto"


def test_auto_config_with_other_kwargs_name():
    class Scaled(layers.Layer):
        def __init__(self, factor=2.0, **kw):
            super().__init__(**kw)
            self.factor = factor

    config = Scaled(factor=3.0, name="s").get_config()
    assert config["factor"] == 3.0 and config["name"] == "s"
    clone = Scaled.from_config(config)
    assert clone.factor == 3.0


def test_custom_layer_explicit_config():
    layer = Keras2Linear(4, name="explicit")
    config = layer.get_config()
    assert config["units"] == 4
    assert Keras2Linear.from_config(config).units == 4


def test_non_serializable_arguments_need_get_config():
    class Holder(layers.Layer):
        def __init__(self, thing, **kwargs):
            super().__init__(**kwargs)
            self.thing = thing

    with pytest.raises(NotImplementedError, match="get_config"):
        Holder(object()).get_config()


def test_unknown_constructor_kwarg():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        layers.Dense(2, foo=1)


def test_bad_name_type():
    with pytest.raises(TypeError, match="name"):
        layers.Dense(2, name=3)


def test_get_set_weights_round_trip_and_errors():
    dense = layers.Dense(2, name="dd")
    dense(torch.ones(1, 3))
    kernel = np.arange(6, dtype="float32").reshape(3, 2)
    bias = np.array([1.0, -1.0], "float32")
    dense.set_weights([kernel, bias])
    got = dense.get_weights()
    np.testing.assert_array_equal(got[0], kernel)
    np.testing.assert_array_equal(got[1], bias)
    got[0][0, 0] = 100.0  # get_weights returns copies
    assert dense.get_weights()[0][0, 0] == 0.0
    with pytest.raises(ValueError, match=r"'dd'.*expected 2 weights.*1"):
        dense.set_weights([kernel])
    with pytest.raises(ValueError) as info:
        dense.set_weights([np.ones((2, 2)), bias])
    message = str(info.value)
    for part in ("dd", "kernel", "(3, 2)", "(2, 2)"):
        assert part in message


def test_count_params_unbuilt_raises():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2, name="lazy").count_params()


def test_weights_keyword_sets_initial_values():
    kernel = np.full((3, 2), 0.5, "float32")
    bias = np.zeros(2, "float32")
    dense = layers.Dense(2, weights=[kernel, bias])
    out = dense(np.ones((1, 3), "float32"))
    np.testing.assert_allclose(out.detach().numpy(), [[1.5, 1.5]])


def test_layer_dtype_float64():
    dense = layers.Dense(2, dtype="float64")
    assert dense.dtype == "float64"
    out = dense(np.ones((1, 3), "float32"))
    assert out.dtype == torch.float64
    assert dense.kernel.dtype == torch.float64
