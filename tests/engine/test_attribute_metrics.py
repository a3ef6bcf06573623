"""Metrics assigned as attributes are tracked (Keras 3, tf.keras 2).

A subclassed model whose custom ``train_step`` updates
``self.loss_tracker`` and ``self.mae_metric`` lists them in
``model.metrics`` without overriding the property, after the compiled
trackers, so ``fit`` and ``evaluate`` reset them (``reset_metrics``): each
epoch logs the mean over its own batches only. The references are NumPy
recomputations of each batch's loss and absolute error from the weights
the batch saw (recorded by a callback before each batch).
"""

import numpy as np
import torch

import torchkeras as keras
from torchkeras import layers


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype(
        "float32")
    return x, y


class _Tracked(keras.Model):
    """The Keras 3 guide's custom step, without a ``metrics`` property."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

    def call(self, inputs):
        return self.dense(inputs)

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = torch.mean(torch.square(y_pred - y))
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(),
                "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(torch.mean(torch.square(y_pred - y)))
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(),
                "mae": self.mae_metric.result()}


class _Overridden(_Tracked):
    @property
    def metrics(self):
        return [self.loss_tracker]


class _WeightsSeen(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append([])

    def on_train_batch_begin(self, batch, logs=None):
        self.epochs[-1].append(self.model.get_weights())


def _batch_errors(weights, x, y):
    kernel, bias = weights
    return x @ kernel + bias - y


def _expected(weights_per_batch, x, y, batch_size):
    """(mean of the batch losses, mean absolute error over the samples)."""
    losses, errors = [], []
    for i, weights in enumerate(weights_per_batch):
        part = slice(i * batch_size, (i + 1) * batch_size)
        error = _batch_errors(weights, x[part], y[part])
        losses.append(np.mean(error ** 2))
        errors.append(np.abs(error))
    return np.mean(losses), np.mean(np.concatenate(errors))


def _fit(model, x, y, epochs=2, batch_size=8):
    seen = _WeightsSeen()
    model(x[:1])  # built: the callback reads the weights of batch 1
    model.compile(keras.optimizers.SGD(0.1))
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs,
                        shuffle=False, callbacks=[seen], verbose=0)
    return history.history, seen.epochs


def test_attribute_metrics_follow_the_compiled_trackers():
    model = _Tracked()
    assert model.metrics == [model.loss_tracker, model.mae_metric]
    model.compile(keras.optimizers.SGD(0.1), loss="mse", metrics=["mse"])
    model.alias = model.loss_tracker  # the same metric twice: listed once
    metrics = model.metrics
    assert metrics[0] is model._loss_tracker
    assert metrics[-2:] == [model.loss_tracker, model.mae_metric]
    assert len({id(m) for m in metrics}) == len(metrics)
    assert model.metrics_names == ["loss", "compile_metrics", "loss", "mae"]
    model.extra = keras.metrics.Sum(name="extra")  # assigned after a read
    assert model.metrics[-1] is model.extra
    del model.extra
    assert model.metrics[-2:] == [model.loss_tracker, model.mae_metric]


def test_fit_resets_attribute_metrics_each_epoch():
    x, y = _data()
    model = _Tracked()
    logs, seen = _fit(model, x, y)
    assert [len(e) for e in seen] == [3, 3]
    for epoch, weights in enumerate(seen):
        loss, mae = _expected(weights, x, y, 8)
        np.testing.assert_allclose(logs["loss"][epoch], loss, rtol=1e-5)
        np.testing.assert_allclose(logs["mae"][epoch], mae, rtol=1e-5)
    # Without the reset, epoch 2 would log the mean over both epochs.
    both, _ = _expected(seen[0] + seen[1], np.concatenate([x, x]),
                        np.concatenate([y, y]), 8)
    assert abs(both - logs["loss"][1]) > 1e-3 * logs["loss"][1]
    assert model.loss_tracker.count.item() == 3


def test_evaluate_resets_attribute_metrics():
    x, y = _data()
    model = _Tracked()
    _fit(model, x, y)
    x_val, y_val = _data(n=12, seed=1)
    result = model.evaluate(x_val, y_val, batch_size=4, verbose=0,
                            return_dict=True)
    errors = _batch_errors(model.get_weights(), x_val, y_val)
    np.testing.assert_allclose(result["loss"], np.mean(errors ** 2),
                               rtol=1e-5)
    np.testing.assert_allclose(result["mae"], np.mean(np.abs(errors)),
                               rtol=1e-5)
    again = model.evaluate(x_val, y_val, batch_size=4, verbose=0,
                           return_dict=True)
    np.testing.assert_allclose(again["loss"], result["loss"], rtol=1e-6)
    assert model.loss_tracker.count.item() == 3


def test_an_overriding_metrics_property_wins():
    x, y = _data()
    model = _Overridden()
    model.compile(keras.optimizers.SGD(0.1))
    assert model.metrics == [model.loss_tracker]
    assert model.metrics_names == ["loss"]
    logs, seen = _fit(model, x, y)
    loss, _ = _expected(seen[1], x, y, 8)
    np.testing.assert_allclose(logs["loss"][1], loss, rtol=1e-5)
    # Left out of `metrics`: never reset, it averages both epochs.
    _, mae = _expected(seen[0] + seen[1], np.concatenate([x, x]),
                       np.concatenate([y, y]), 8)
    np.testing.assert_allclose(logs["mae"][1], mae, rtol=1e-5)
    model.reset_metrics()
    assert model.loss_tracker.count.item() == 0
    assert model.mae_metric.count.item() == 2 * len(x)


class _Probe(layers.Layer):
    """A layer tracking the mean of its inputs in an attribute metric."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = keras.metrics.Mean(name="probe_mean")

    def call(self, inputs):
        self.seen.update_state(torch.mean(inputs))
        return inputs


class _Inner(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tracker = keras.metrics.Mean(name="inner_tracker")
        self.probe = _Probe()

    def call(self, inputs):
        return self.probe(inputs)


class _Outer(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = _Inner()
        self.dense = layers.Dense(1)

    def call(self, inputs):
        return self.dense(self.inner(inputs))


def test_sublayer_metrics_are_tracked_and_reset():
    model = _Outer()
    probe = model.inner.probe
    # A nested model's own trackers are its training's, not the outer's;
    # its layers' metrics are the outer model's too.
    assert model.metrics == [probe.seen]
    assert model.inner.metrics == [model.inner.tracker, probe.seen]
    assert probe.metrics == [probe.seen]
    x, y = _data()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    assert model.metrics == [model._loss_tracker, probe.seen]
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False,
                        verbose=0)
    assert sorted(history.history) == ["loss", "probe_mean"]
    expected = np.mean([x[i:i + 8].mean() for i in range(0, 24, 8)])
    np.testing.assert_allclose(history.history["probe_mean"],
                               [expected, expected], rtol=1e-5)
    assert probe.seen.count.item() == 3
