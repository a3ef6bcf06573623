"""A ``@tf.function``-decorated training step in a hand-written loop.

The style of the TensorFlow 2 "custom training" tutorials: ``train_step``
and ``test_step`` are module-level functions decorated with
``@tf.function``, called on each batch of a ``tf.data`` pipeline, and the
program checks with ``experimental_get_tracing_count()`` that batches of
one shape do not retrace while a batch of another shape traces once more.
A small regression problem (``y = x . w + b`` plus noise).
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


def test_tf_function_step_traces_once_per_shape_and_learns():
    keras.utils.set_random_seed(12)
    rng = np.random.RandomState(12)
    true_w = rng.normal(size=(6, 1)).astype("float32")
    x = rng.normal(size=(544, 6)).astype("float32")
    y = (x @ true_w + 0.5 + 0.05 * rng.normal(size=(544, 1))).astype(
        "float32")

    model = keras.Sequential([
        keras.Input(shape=(6,)),
        layers.Dense(16, activation="relu"),
        layers.Dense(1),
    ])
    loss_object = keras.losses.MeanSquaredError()
    optimizer = keras.optimizers.Adam(learning_rate=0.01)
    train_loss = keras.metrics.Mean(name="train_loss")
    test_loss = keras.metrics.Mean(name="test_loss")

    @tf.function
    def train_step(inputs, targets):
        with tf.GradientTape() as tape:
            predictions = model(inputs, training=True)
            loss = loss_object(targets, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)

    @tf.function
    def test_step(inputs, targets):
        predictions = model(inputs, training=False)
        test_loss(loss_object(targets, predictions))

    train_ds = tf.data.Dataset.from_tensor_slices((x[:512], y[:512]))
    train_ds = train_ds.shuffle(512).batch(32, drop_remainder=True)
    test_ds = tf.data.Dataset.from_tensor_slices((x[512:], y[512:]))
    test_ds = test_ds.batch(32)

    history = []
    for epoch in range(5):
        train_loss.reset_state()
        test_loss.reset_state()
        for inputs, targets in train_ds:
            train_step(inputs, targets)
        for inputs, targets in test_ds:
            test_step(inputs, targets)
        history.append((float(train_loss.result()),
                        float(test_loss.result())))
        # Every training batch has shape (32, 6): one trace in total.
        assert train_step.experimental_get_tracing_count() == 1

    assert test_step.experimental_get_tracing_count() == 1
    assert history[-1][0] < 0.05 * history[0][0], history
    assert history[-1][1] < 0.1, history

    # Check the last test loss against NumPy on the model's predictions.
    predictions = model.predict(x[512:], verbose=0)
    np.testing.assert_allclose(
        history[-1][1], np.mean((predictions - y[512:]) ** 2), rtol=1e-5)

    # A batch of another shape traces once more; repeating it does not.
    train_step(tf.constant(x[:7]), tf.constant(y[:7]))
    train_step(tf.constant(x[7:14]), tf.constant(y[7:14]))
    assert train_step.experimental_get_tracing_count() == 2
