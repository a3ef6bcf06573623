"""A Keras 1 / early Keras 2 convnet, as old Stack Overflow answers wrote it.

Keras 1 spellings that Keras 2.0-2.2 still accepted with a warning naming
the Keras 2 call: ``Convolution2D(8, 3, 3, border_mode='same')``,
``Dense(output_dim=10, W_regularizer=l2(1e-4))``, ``Model(input=...,
output=...)``, ``fit(..., nb_epoch=3)`` and ``fit_generator(gen,
samples_per_epoch=..., nb_epoch=...)`` with an endless Python generator.
Runs on the bundled 8x8 digits.
"""

import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.layers import Activation
from torchkeras.layers import Convolution2D
from torchkeras.layers import Dense
from torchkeras.layers import Flatten
from torchkeras.layers import Input
from torchkeras.layers import MaxPooling2D
from torchkeras.models import Model
from torchkeras.regularizers import l2
from torchkeras.utils import to_categorical


def batch_generator(x, y, batch_size):
    while True:
        order = np.random.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]


def test_keras1_spellings_train_a_convnet():
    keras.utils.set_random_seed(2)
    np.random.seed(2)
    (X_train, y_train), (X_test, y_test) = keras.datasets.digits.load_data()
    X_train = X_train.reshape(X_train.shape[0], 8, 8, 1).astype("float32")
    X_test = X_test.reshape(X_test.shape[0], 8, 8, 1).astype("float32")
    X_train /= 16
    X_test /= 16
    Y_train = to_categorical(y_train, 10)
    Y_test = to_categorical(y_test, 10)

    with pytest.warns(UserWarning, match="Keras 2 API"):
        inp = Input(shape=(8, 8, 1))
        x = Convolution2D(8, 3, 3, border_mode="same",
                          input_shape=(8, 8, 1))(inp)
        x = Activation("relu")(x)
        x = MaxPooling2D(pool_size=(2, 2))(x)
        x = Flatten()(x)
        x = Dense(output_dim=10, W_regularizer=l2(1e-4))(x)
        out = Activation("softmax")(x)
        model = Model(input=inp, output=out)

    conv = model.layers[1]
    assert conv.kernel_size == (3, 3)
    assert conv.padding == "same"
    assert model.layers[-2].units == 10
    assert model.layers[-2].kernel_regularizer is not None

    model.compile(loss="categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    with pytest.warns(UserWarning, match="nb_epoch"):
        history = model.fit(X_train, Y_train, batch_size=32, nb_epoch=3,
                            verbose=0)
    assert len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]

    with warnings.catch_warnings(record=True) as caught:
        # fit_generator itself is deprecated in tf.keras 2.1+; the Keras 1
        # argument names warn as well.
        warnings.simplefilter("always")
        history = model.fit_generator(
            batch_generator(X_train, Y_train, 32),
            samples_per_epoch=32 * 20,
            nb_epoch=4,
            verbose=0,
        )
    assert len(history.history["loss"]) == 4
    messages = " ".join(str(w.message) for w in caught)
    print(messages)
    assert "steps_per_epoch=20" in messages and "epochs=4" in messages

    score = model.evaluate(X_test, Y_test, verbose=0)
    print("Test score:", score[0])
    print("Test accuracy:", score[1])
    # Chance is 0.1.
    assert score[1] > 0.7
