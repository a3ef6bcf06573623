"""A custom ``train_step`` written against tf.keras 2.4's compiled API.

The style of the tf.keras 2 guide "customizing what happens in fit": a
``keras.Model`` subclass whose ``train_step`` unpacks ``data``, computes
``self.compiled_loss(y, y_pred, regularization_losses=self.losses)`` under
a ``tf.GradientTape``, applies the gradients with
``self.optimizer.apply_gradients``, updates ``self.compiled_metrics`` and
returns ``{m.name: m.result() for m in self.metrics}``; the model is built
with the functional API and compiled with a loss and metrics as usual.
The same architecture trained by the built-in step gives the same
``History``.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(
                y, y_pred, regularization_losses=self.losses)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def build(model_class):
    keras.utils.set_random_seed(21)
    inputs = keras.Input(shape=(64,))
    x = layers.Dense(32, activation="relu",
                     kernel_regularizer=keras.regularizers.l2(1e-4))(inputs)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = model_class(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_compiled_loss_train_step_matches_builtin_fit():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

    model = build(CustomModel)
    history = model.fit(x_train, y_train, batch_size=32, epochs=4,
                        shuffle=False, verbose=0)
    logs = history.history
    assert set(logs) == {"loss", "accuracy"}
    assert logs["loss"][0] > 0.5
    assert logs["loss"][-1] < 0.5 * logs["loss"][0], logs["loss"]
    assert logs["accuracy"][-1] > 0.85

    reference = build(keras.Model)
    expected = reference.fit(x_train, y_train, batch_size=32, epochs=4,
                             shuffle=False, verbose=0).history
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(logs[key], expected[key], rtol=1e-5,
                                   atol=1e-6)

    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    probabilities = model.predict(x_test, verbose=0)
    np.testing.assert_allclose(
        accuracy, np.mean(np.argmax(probabilities, axis=1) == y_test),
        rtol=1e-6)
    assert accuracy > 0.85
