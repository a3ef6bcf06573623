"""A custom layer whose weights are ``K.variable`` attributes.

The style of tf.keras 2 custom layers found in blog posts and answers: a
learnable temperature created in ``__init__`` as
``self.temperature = K.variable(1.0)`` (tracked because it is assigned as
an attribute) next to a PReLU-like slope made with ``add_weight`` in
``build``; a small classifier trains both, then ``save_weights`` /
``load_weights`` restore them. Toy data: three Gaussian blobs.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K
from torchkeras import layers


class TemperedLeakyUnit(layers.Layer):
    """``x / T`` through a leaky unit with a learnable slope per feature."""

    def __init__(self, **kwargs):
        super(TemperedLeakyUnit, self).__init__(**kwargs)
        self.temperature = K.variable(1.0, name="temperature")

    def build(self, input_shape):
        self.alpha = self.add_weight(
            name="alpha",
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(0.25),
            trainable=True,
        )
        super(TemperedLeakyUnit, self).build(input_shape)

    def call(self, inputs):
        x = inputs / self.temperature
        return K.relu(x) - self.alpha * K.relu(-x)

    def compute_output_shape(self, input_shape):
        return input_shape


def make_blobs(rng, n=600):
    centers = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    y = rng.integers(0, 3, size=n)
    x = centers[y] + 0.6 * rng.normal(size=(n, 2))
    return x.astype("float32"), y


def build_model():
    inputs = keras.Input(shape=(2,))
    x = layers.Dense(16)(inputs)
    x = TemperedLeakyUnit(name="tempered")(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_backend_variable_in_custom_layer_trains_and_reloads(tmp_path):
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    x, y = make_blobs(rng)

    model = build_model()
    layer = model.get_layer("tempered")
    assert any(w is layer.temperature for w in layer.trainable_weights)
    assert any(w is layer.alpha for w in layer.trainable_weights)
    assert len(layer.trainable_weights) == 2
    # The model sees the variable too: 2 Dense layers + the new layer.
    assert len(model.trainable_weights) == 6

    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert history.history["accuracy"][-1] > 0.9

    temperature = float(K.get_value(layer.temperature))
    alpha = K.get_value(layer.alpha)
    print("temperature", temperature, "alpha", alpha)
    assert abs(temperature - 1.0) > 1e-3
    assert np.max(np.abs(alpha - 0.25)) > 1e-3

    path = str(tmp_path / "tempered.weights.h5")
    model.save_weights(path)
    predictions = model.predict(x, verbose=0)

    # Spoil the variables, then restore them from the file.
    K.set_value(layer.temperature, 3.0)
    K.set_value(layer.alpha, np.zeros(16, "float32"))
    assert not np.allclose(model.predict(x, verbose=0), predictions)
    model.load_weights(path)
    np.testing.assert_allclose(float(K.get_value(layer.temperature)),
                               temperature, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), predictions,
                               rtol=1e-6, atol=1e-6)

    # A fresh instance of the same architecture loads them as well.
    fresh = build_model()
    fresh.load_weights(path)
    np.testing.assert_allclose(
        float(K.get_value(fresh.get_layer("tempered").temperature)),
        temperature, rtol=1e-6)
    np.testing.assert_allclose(fresh.predict(x, verbose=0), predictions,
                               rtol=1e-6, atol=1e-6)
