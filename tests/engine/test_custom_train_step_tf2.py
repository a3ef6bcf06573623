"""``train_step`` written against tf.keras 2: ``self.compiled_loss(...)``,
``self.compiled_metrics.update_state(...)`` and ``self.metrics``.

References: the built-in ``train_step`` (a custom step doing the same maths
must give the same ``History``), NumPy re-computations of the loss and
metric logs, and Keras 3's ``pack_x_y_sample_weight`` rules for what
``fit`` hands the step.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype(
        "float32")
    return x, y


class _Regression(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(
            4, activation="tanh",
            kernel_regularizer=keras.regularizers.L2(0.01))
        self.out = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


class _Tf2Step(_Regression):
    """The tf.keras 2 guide's custom step."""

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(
                y, y_pred, sample_weight,
                regularization_losses=self.losses)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return {m.name: m.result() for m in self.metrics}


def _same_start(a, b, x):
    a(x[:1])
    b(x[:1])
    b.set_weights(a.get_weights())


@pytest.mark.parametrize("weighted", [False, True])
def test_custom_step_gives_the_builtin_history(weighted):
    x, y = _data()
    w = np.linspace(0.5, 1.5, len(x)).astype("float32") if weighted else None
    builtin, custom = _Regression(), _Tf2Step()
    _same_start(builtin, custom, x)
    histories = []
    for model in (builtin, custom):
        model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"],
                      weighted_metrics=["mse"] if weighted else None)
        histories.append(model.fit(
            x, y, sample_weight=w, batch_size=16, epochs=3, shuffle=False,
            verbose=0).history)
    expected, got = histories
    assert sorted(got) == sorted(expected)
    assert expected["loss"][0] > 0.0
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6,
                                   atol=1e-6, err_msg=key)
    for a, b in zip(builtin.get_weights(), custom.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_compiled_loss_logs_match_numpy():
    """One batch, lr 0: the logged loss is MSE + the L2 penalty."""
    x, y = _data(16)
    model = _Tf2Step()
    model.compile(keras.optimizers.SGD(0.0), "mse", metrics=["mae"])
    logs = model.fit(x, y, batch_size=16, epochs=1, verbose=0).history
    hidden = model.hidden.get_weights()
    out = model.out.get_weights()
    pred = np.tanh(x @ hidden[0] + hidden[1]) @ out[0] + out[1]
    mse = np.mean((pred - y) ** 2)
    penalty = 0.01 * np.sum(hidden[0] ** 2)
    np.testing.assert_allclose(logs["loss"][0], mse + penalty, rtol=1e-5)
    np.testing.assert_allclose(logs["mae"][0], np.mean(np.abs(pred - y)),
                               rtol=1e-5)


def test_metrics_list_tracker_and_compiled_metrics_in_first_step():
    seen = []

    class Probe(_Regression):
        def train_step(self, data):
            x, y = data
            with keras.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred)
            seen.append([m.name for m in self.metrics])  # before update
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(
                zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x, y = _data(8)
    model = Probe()
    model.compile("sgd", "mse", metrics=["mae", "mse"])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert seen == [["loss", "mae", "mse"]]
    assert model.metrics_names == ["loss", "mae", "mse"]


def test_keras3_style_loop_over_metrics():
    """Keras 3's guide: update every metric of ``self.metrics``."""

    class Keras3Step(_Regression):
        def train_step(self, data):
            x, y = data
            with keras.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(
                zip(grads, self.trainable_variables))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x, y = _data(8)
    model = Keras3Step()
    model.compile(keras.optimizers.SGD(0.0), "mse", metrics=["mae"])
    logs = model.fit(x, y, batch_size=8, epochs=1, verbose=0).history
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(logs["mae"][0], np.mean(np.abs(pred - y)),
                               rtol=1e-5)
    assert logs["loss"][0] > 0.0


class _Recorder(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(1)
        self.seen = []

    def call(self, inputs):
        return self.dense(inputs)

    def train_step(self, data):
        self.seen.append(_describe(data))
        return {}


def _describe(data):
    if isinstance(data, tuple):
        return tuple(_describe(v) for v in data)
    if isinstance(data, list):
        return [_describe(v) for v in data]
    if isinstance(data, dict):
        return {k: _describe(v) for k, v in data.items()}
    return tuple(data.shape)


X = np.ones((4, 3), "float32")
Y = np.ones((4, 1), "float32")
W = np.ones((4,), "float32")


@pytest.mark.parametrize("kwargs, expected", [
    ({"x": X}, (4, 3)),  # x itself, not (x,)
    ({"x": X, "y": Y}, ((4, 3), (4, 1))),
    ({"x": X, "y": Y, "sample_weight": W}, ((4, 3), (4, 1), (4,))),
    ({"x": {"a": X}}, {"a": (4, 3)}),  # Keras 3: the dict itself
    ({"x": {"a": X}, "y": Y}, ({"a": (4, 3)}, (4, 1))),
    ({"x": [X, X]}, ([(4, 3), (4, 3)],)),  # a list is wrapped
])
def test_fit_hands_train_step_what_keras_does(kwargs, expected):
    model = _Recorder()
    model.compile("sgd", "mse")
    model.fit(batch_size=4, epochs=1, verbose=0, **kwargs)
    assert model.seen == [expected]
    x, y, w = keras.utils.unpack_x_y_sample_weight(
        keras.utils.pack_x_y_sample_weight(
            kwargs["x"], kwargs.get("y"), kwargs.get("sample_weight")))
    assert x is kwargs["x"]
    assert y is kwargs.get("y")
    assert w is kwargs.get("sample_weight")
