"""``Layer.add_metric`` and ``Layer.metrics`` (tf.keras 2).

A metric added in ``call`` with a tensor appears in the ``fit`` logs under
its name, averaged over the epoch's batches: checked against the NumPy
mean of the values recomputed from the weights each batch saw.
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


class MeanActivation(layers.Layer):
    def call(self, inputs):
        self.add_metric(torch.mean(inputs), name="mean_activation")
        return inputs


def _model():
    inputs = keras.Input((3,))
    hidden = layers.Dense(4, name="hidden")(inputs)
    hidden = MeanActivation(name="probe")(hidden)
    outputs = layers.Dense(1)(hidden)
    return keras.Model(inputs, outputs)


def test_metric_added_in_call_is_the_epoch_mean_of_batch_values():
    model = _model()
    # lr=0: the weights stay, so each batch's value is known up front.
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    x = np.random.rand(12, 3).astype("float32")
    y = np.random.rand(12, 1).astype("float32")
    kernel, bias = model.get_layer("hidden").get_weights()
    batch_means = [(x[i:i + 4] @ kernel + bias).mean()
                   for i in range(0, 12, 4)]
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
                        verbose=0)
    assert history.history["mean_activation"] == pytest.approx(
        [np.mean(batch_means)] * 2, rel=1e-5)
    assert [m.name for m in model.get_layer("probe").metrics] == [
        "mean_activation"]
    assert "mean_activation" in [m.name for m in model.metrics]


def test_symbolic_metric_on_a_functional_model():
    inputs = keras.Input((2,))
    outputs = layers.Dense(1, kernel_initializer="ones",
                           bias_initializer="zeros")(inputs)
    model = keras.Model(inputs, outputs)
    model.add_metric(outputs, name="output_mean")
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    x = np.arange(12, dtype="float32").reshape(6, 2)
    history = model.fit(x, np.zeros((6, 1)), batch_size=3, shuffle=False,
                        verbose=0)
    assert history.history["output_mean"] == pytest.approx(
        [x.sum(-1).mean()])
    assert model.outputs == [outputs]  # the metric is not an output
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               x.sum(-1, keepdims=True))


def test_add_metric_checks_its_arguments():
    layer = layers.Layer()
    with pytest.raises(ValueError, match="name=None"):
        layer.add_metric(torch.ones(()))
    with pytest.raises(ValueError, match="aggregation='sum'"):
        layer.add_metric(torch.ones(()), name="m", aggregation="sum")


def test_metric_object_is_tracked():
    layer = layers.Layer()
    metric = keras.metrics.Mean(name="tracked")
    layer.add_metric(metric)
    assert layer.metrics == [metric]
