"""A callback that changes the optimizer's learning rate every epoch.

The style of the tf.keras "writing your own callbacks" guide: the callback
reads the current rate with ``K.get_value(self.model.optimizer.learning_rate)``,
looks up a schedule and writes the new rate with
``K.set_value(self.model.optimizer.lr, ...)`` in ``on_epoch_begin``; a
second part sets the rate with ``optimizer.learning_rate.assign(...)``
between two ``fit`` calls. A small regression problem on random data.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K


class CustomLearningRateScheduler(keras.callbacks.Callback):
    """Learning rate scheduler which sets the learning rate according to
    schedule.

    Arguments:
        schedule: a function that takes an epoch index (integer, indexed
            from 0) and current learning rate as inputs and returns a new
            learning rate as output (float).
    """

    def __init__(self, schedule):
        super(CustomLearningRateScheduler, self).__init__()
        self.schedule = schedule
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "lr"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        # Get the current learning rate from model's optimizer.
        lr = float(K.get_value(self.model.optimizer.learning_rate))
        # Call schedule function to get the scheduled learning rate.
        scheduled_lr = self.schedule(epoch, lr)
        # Set the value back to the optimizer before this epoch starts.
        K.set_value(self.model.optimizer.lr, scheduled_lr)
        self.seen.append((lr, scheduled_lr))
        print("\nEpoch %05d: Learning rate is %6.4f." % (epoch, scheduled_lr))


LR_SCHEDULE = [
    # (epoch to start, learning rate) tuples
    (3, 0.05),
    (6, 0.01),
    (9, 0.005),
]


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on
    epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1, input_dim=8))
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


def test_callback_changes_learning_rate_with_backend_get_set_value():
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    x_train = rng.normal(size=(512, 8)).astype("float32")
    true_w = rng.normal(size=(8, 1)).astype("float32")
    y_train = x_train @ true_w + 0.5 + 0.01 * rng.normal(size=(512, 1))

    model = get_model()
    scheduler = CustomLearningRateScheduler(lr_schedule)
    history = model.fit(
        x_train,
        y_train,
        batch_size=64,
        epochs=12,
        verbose=0,
        callbacks=[scheduler],
    )

    # The callback read back what it wrote the epoch before.
    expected_lrs = [0.1] * 3 + [0.05] * 3 + [0.01] * 3 + [0.005] * 3
    np.testing.assert_allclose([new for _, new in scheduler.seen],
                               expected_lrs, rtol=1e-6)
    np.testing.assert_allclose([old for old, _ in scheduler.seen],
                               [0.1] + expected_lrs[:-1], rtol=1e-6)
    # After fit the optimizer holds the schedule's last value.
    final_lr = float(K.get_value(model.optimizer.learning_rate))
    np.testing.assert_allclose(final_lr, LR_SCHEDULE[-1][1], rtol=1e-6)
    np.testing.assert_allclose(float(K.get_value(model.optimizer.lr)),
                               LR_SCHEDULE[-1][1], rtol=1e-6)

    losses = history.history["loss"]
    print("loss per epoch:", losses)
    assert losses[-1] < 0.01 * losses[0]
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(kernel, true_w, atol=0.02)
    np.testing.assert_allclose(bias, [0.5], atol=0.02)

    # The rate as a variable: assign() takes effect at the next step. A
    # rate of zero leaves the weights where they are.
    model.optimizer.learning_rate.assign(0.0)
    assert float(K.get_value(model.optimizer.lr)) == 0.0
    before = [w.copy() for w in model.get_weights()]
    model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)

    # And a large rate after a perturbation moves them again.
    model.layers[0].set_weights([np.zeros((8, 1), "float32"),
                                 np.zeros((1,), "float32")])
    model.optimizer.learning_rate.assign(0.1)
    np.testing.assert_allclose(float(model.optimizer.learning_rate.numpy()),
                               0.1, rtol=1e-6)
    model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0)
    np.testing.assert_allclose(model.layers[0].get_weights()[0], true_w,
                               atol=0.05)
