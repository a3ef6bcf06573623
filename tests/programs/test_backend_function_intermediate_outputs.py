"""Reading a trained model's intermediate outputs with ``K.function``.

The style of the classic Keras answers on "how do I get the output of an
intermediate layer": ``K.function([model.input], [model.layers[1].output])``
called on a list of arrays, the same with ``K.learning_phase()`` as an
extra input to get the training-time behaviour of Dropout (0 = test,
1 = train), and the alternative of a sub-model built from
``model.get_layer(name).output``. Runs on the bundled 8x8 digits.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K
from torchkeras.layers import Dense
from torchkeras.layers import Dropout
from torchkeras.layers import Flatten
from torchkeras.models import Model
from torchkeras.models import Sequential


def test_backend_function_reads_intermediate_layers():
    keras.utils.set_random_seed(11)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.astype("float32") / 16.0
    x_test = x_test.astype("float32") / 16.0

    model = Sequential()
    model.add(Flatten(input_shape=(8, 8), name="flatten"))
    model.add(Dense(32, activation="relu", name="hidden"))
    model.add(Dropout(0.5, name="dropout"))
    model.add(Dense(10, activation="softmax", name="predictions"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=10, batch_size=32,
                        verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.85

    # The hidden layer's activations, for a batch of test images.
    get_hidden_layer_output = K.function([model.input],
                                         [model.layers[1].output])
    layer_output = get_hidden_layer_output([x_test])[0]
    assert layer_output.shape == (len(x_test), 32)
    assert np.all(layer_output >= 0.0)

    # The same values from a sub-model cut at that layer.
    intermediate_layer_model = Model(
        inputs=model.input, outputs=model.get_layer("hidden").output)
    intermediate_output = intermediate_layer_model.predict(x_test,
                                                           verbose=0)
    np.testing.assert_allclose(layer_output, intermediate_output,
                               rtol=1e-5, atol=1e-6)

    # And by hand, from the trained weights.
    kernel, bias = model.get_layer("hidden").get_weights()
    by_hand = np.maximum(x_test.reshape(-1, 64) @ kernel + bias, 0.0)
    np.testing.assert_allclose(layer_output, by_hand, rtol=1e-4, atol=1e-5)

    # With the learning phase: 0 is test mode (Dropout passes values
    # through), 1 is training mode (Dropout zeroes about half of them and
    # scales the rest by 2).
    get_dropout_output = K.function([model.input, K.learning_phase()],
                                    [model.get_layer("dropout").output])
    test_mode = get_dropout_output([x_test, 0])[0]
    np.testing.assert_allclose(test_mode, layer_output, rtol=1e-5,
                               atol=1e-6)
    train_mode = get_dropout_output([x_test, 1])[0]
    active = layer_output > 0
    kept = train_mode[active] != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(train_mode[active][kept],
                               2.0 * layer_output[active][kept], rtol=1e-5)

    # Several outputs at once: the hidden layer and the class scores.
    get_outputs = K.function([model.input, K.learning_phase()],
                             [model.layers[1].output, model.output])
    hidden, scores = get_outputs([x_test, 0])
    np.testing.assert_allclose(hidden, layer_output, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, model.predict(x_test, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert np.mean(np.argmax(scores, axis=-1) == y_test) > 0.85
