"""A model with a Python ``lambda`` in a ``Lambda`` layer, saved and reloaded.

The style of the many tf.keras programs that put a quick computation in
``layers.Lambda(lambda x: ...)``, train, and save the model both as a
Keras 3 ``.keras`` archive and as a Keras 2 ``.h5`` file. As with Keras
3, loading either file with the default ``safe_mode=True`` is refused with
an error that names the Lambda layer (its function is stored as
bytecode), and ``load_model(..., safe_mode=False)`` loads it and predicts
the same numbers. The data are the bundled 8x8 digits.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


def build_model():
    inputs = keras.Input(shape=(8, 8))
    x = layers.Flatten()(inputs)
    # Centre the pixels around zero inside the model.
    x = layers.Lambda(lambda t: (t - 8.0) / 8.0, name="center_pixels")(x)
    x = layers.Dense(32, activation="relu")(x)
    # A scaled softplus, still written as a one-line lambda.
    x = layers.Lambda(lambda t: 0.5 * keras.backend.softplus(t),
                      name="half_softplus")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_lambda_layer_safe_mode(tmp_path, suffix):
    keras.utils.set_random_seed(5)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.astype("float32")
    x_test = x_test.astype("float32")

    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=4,
                        verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.85, accuracy
    expected = model.predict(x_test, verbose=0)

    path = tmp_path / f"lambda_model{suffix}"
    model.save(path)

    with pytest.raises(ValueError, match="center_pixels|half_softplus"):
        keras.models.load_model(path)

    restored = keras.models.load_model(path, safe_mode=False)
    assert [layer.name for layer in restored.layers] == [
        layer.name for layer in model.layers]
    np.testing.assert_allclose(restored.predict(x_test, verbose=0),
                               expected, rtol=1e-5, atol=1e-6)
    # The reloaded model is compiled and keeps training.
    more = restored.fit(x_train, y_train, batch_size=32, epochs=1,
                        verbose=0)
    assert more.history["loss"][-1] < losses[0]
