"""A model that overrides ``test_step`` (and ``train_step``).

The style of the Keras guide "customizing what happens in fit", section
"providing your own evaluation step": ``test_step`` unpacks ``(x, y)``,
runs the model with ``training=False``, updates the compiled loss and
metrics and returns ``{m.name: m.result() for m in self.metrics}``;
``evaluate`` reports exactly those values. Here the step also adds a
metric of its own (a ``keras.metrics.Mean`` of the absolute error) and
``fit(validation_data=...)`` reports it as ``val_mae``. A small
regression problem.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


class CustomModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mae_tracker = keras.metrics.Mean(name="mae")

    @property
    def metrics(self):
        return super().metrics + [self.mae_tracker]

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        self.mae_tracker.update_state(tf.abs(y - y_pred))
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.compiled_loss(y, y_pred)
        self.compiled_metrics.update_state(y, y_pred)
        self.mae_tracker.update_state(tf.abs(y - y_pred))
        return {m.name: m.result() for m in self.metrics}


def test_custom_test_step_drives_evaluate_and_validation():
    keras.utils.set_random_seed(31)
    rng = np.random.RandomState(31)
    x = rng.uniform(-1, 1, size=(600, 3)).astype("float32")
    y = (np.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype("float32")
    x_train, y_train = x[:480], y[:480]
    x_val, y_val = x[480:], y[480:]

    inputs = keras.Input(shape=(3,))
    h = layers.Dense(32, activation="tanh")(inputs)
    outputs = layers.Dense(1)(h)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="mse", metrics=["mse"])

    before = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    history = model.fit(x_train, y_train, batch_size=32, epochs=8,
                        validation_data=(x_val, y_val), verbose=0)
    logs = history.history
    assert {"loss", "mae", "val_loss", "val_mae"} <= set(logs)
    assert logs["val_mae"][-1] < logs["val_mae"][0], logs["val_mae"]

    after = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    assert set(after) == set(before)
    assert after["loss"] < 0.2 * before["loss"], (before, after)
    assert after["mae"] < 0.5 * before["mae"], (before, after)
    predictions = model.predict(x_val, verbose=0)
    np.testing.assert_allclose(after["mae"],
                               np.mean(np.abs(predictions - y_val)),
                               rtol=1e-5)
    np.testing.assert_allclose(after["loss"],
                               np.mean((predictions - y_val) ** 2),
                               rtol=1e-5)
    np.testing.assert_allclose(after["mae"], logs["val_mae"][-1], rtol=1e-5)
