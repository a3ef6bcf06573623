"""A Sequential digit classifier read out with ``predict_classes``.

The style of tf.keras 2.0-2.5 tutorials and answers: a ``Sequential``
model of ``Flatten`` and ``Dense`` layers trained on the digits, then
``model.predict_classes(x_test)`` and ``model.predict_proba(x_test)``
(deprecated in tf.keras 2.3-2.5: each call warns and says what to use
instead). Runs on the bundled 8x8 digits.
"""

import warnings

import numpy as np
import pytest

import torchkeras as keras


def test_sequential_predict_classes_and_predict_proba():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train, x_test = x_train / 16.0, x_test / 16.0

    model = keras.models.Sequential([
        keras.layers.Flatten(input_shape=(8, 8)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=15, batch_size=32,
                        verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]

    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    print("\nTest accuracy:", test_acc)
    assert test_acc > 0.9

    with pytest.warns(UserWarning, match="predict_classes"):
        classes = model.predict_classes(x_test)
    with pytest.warns(UserWarning, match="predict_proba"):
        probabilities = model.predict_proba(x_test)

    # The replacements the warnings name give the same answers.
    predictions = model.predict(x_test, verbose=0)
    np.testing.assert_array_equal(classes, np.argmax(predictions, axis=-1))
    np.testing.assert_allclose(probabilities, predictions, rtol=1e-6)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert classes.shape == (len(x_test),)
    assert np.mean(classes == y_test) > 0.9
    np.testing.assert_allclose(np.mean(classes == y_test), test_acc,
                               atol=1e-6)

    # A one-unit sigmoid model: classes are the probabilities above 0.5,
    # as int32 of shape (n, 1), the way tf.keras returned them.
    binary = keras.models.Sequential([
        keras.layers.Flatten(input_shape=(8, 8)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    binary.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                   loss="binary_crossentropy",
                   metrics=["accuracy"])
    is_zero_train = (y_train == 0).astype("float32")
    binary.fit(x_train, is_zero_train, epochs=10, batch_size=32, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zero_classes = binary.predict_classes(x_test)
    assert any("deprecated" in str(w.message) for w in caught)
    assert zero_classes.shape == (len(x_test), 1)
    assert zero_classes.dtype == np.int32
    np.testing.assert_array_equal(
        zero_classes,
        (binary.predict(x_test, verbose=0) > 0.5).astype("int32"))
    assert np.mean(zero_classes[:, 0] == (y_test == 0)) > 0.95
