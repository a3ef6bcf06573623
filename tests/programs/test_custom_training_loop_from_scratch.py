"""A training loop written from scratch, with metric objects and Progbar.

The style of the Keras guide "writing a training loop from scratch": the
data come from ``tf.data.Dataset.from_tensor_slices(...).shuffle().batch()``,
each step runs the model under a ``tf.GradientTape`` and calls
``optimizer.apply_gradients``, a ``SparseCategoricalAccuracy`` is updated
with ``update_state`` and read with ``result`` at the end of each epoch,
then ``reset_state``; a validation metric is computed the same way and a
``keras.utils.Progbar`` shows progress. Runs on the bundled digits.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


def test_training_loop_from_scratch_learns_digits(capsys):
    keras.utils.set_random_seed(4)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    y_train = y_train.astype("int64")
    y_test = y_test.astype("int64")

    inputs = keras.Input(shape=(64,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)

    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    batch_size = 64
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_dataset = train_dataset.shuffle(buffer_size=1024).batch(batch_size)
    val_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test))
    val_dataset = val_dataset.batch(batch_size)
    steps = int(np.ceil(len(x_train) / batch_size))

    epochs = 4
    epoch_losses = []
    val_accs = []
    for epoch in range(epochs):
        print(f"\nStart of epoch {epoch}")
        progbar = keras.utils.Progbar(steps, stateful_metrics=["acc"])
        losses = []
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            with tf.GradientTape() as tape:
                logits = model(x_batch_train, training=True)
                loss_value = loss_fn(y_batch_train, logits)
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            train_acc_metric.update_state(y_batch_train, logits)
            losses.append(float(loss_value))
            progbar.update(step + 1, values=[
                ("loss", float(loss_value)),
                ("acc", float(train_acc_metric.result())),
            ])
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
        assert float(train_acc_metric.result()) == 0.0

        all_logits = []
        for x_batch_val, y_batch_val in val_dataset:
            val_logits = model(x_batch_val, training=False)
            val_acc_metric.update_state(y_batch_val, val_logits)
            all_logits.append(keras.ops.convert_to_numpy(val_logits))
        val_acc = float(val_acc_metric.result())
        val_acc_metric.reset_state()
        print(f"Training acc over epoch: {train_acc:.4f}")
        print(f"Validation acc: {val_acc:.4f}")
        epoch_losses.append(np.mean(losses))
        val_accs.append(val_acc)

        # The metric object agrees with NumPy over the whole split.
        predicted = np.argmax(np.concatenate(all_logits), axis=1)
        np.testing.assert_allclose(val_acc, np.mean(predicted == y_test),
                                   rtol=1e-6)

    assert epoch_losses[-1] < 0.3 * epoch_losses[0], epoch_losses
    assert val_accs[-1] > 0.9, val_accs
    out = capsys.readouterr().out
    assert "Start of epoch 3" in out
    assert f"{steps}/{steps}" in out
