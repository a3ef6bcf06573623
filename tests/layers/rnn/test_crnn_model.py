"""The tf.keras CRNN text-recogniser shape builds and trains: Conv2D
blocks -> Reshape -> Bidirectional(GRU(return_sequences=True)) ->
TimeDistributed(Dense) -> softmax, a per-time-step classifier."""

import numpy as np
import torch

import torchkeras as keras
from torchkeras import layers

HEIGHT, WIDTH, CLASSES = 8, 16, 5


def _crnn():
    inputs = keras.Input((HEIGHT, WIDTH, 1))
    h = layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    h = layers.MaxPooling2D((2, 2))(h)
    h = layers.Conv2D(8, 3, padding="same", activation="relu")(h)
    h = layers.MaxPooling2D((2, 1))(h)  # (2, 8, 8): height, width, ch
    h = layers.Permute((2, 1, 3))(h)  # time = image width
    h = layers.Reshape((WIDTH // 2, 2 * 8))(h)
    h = layers.Bidirectional(layers.GRU(8, return_sequences=True))(h)
    h = layers.TimeDistributed(layers.Dense(CLASSES))(h)
    outputs = layers.Activation("softmax")(h)
    return keras.Model(inputs, outputs)


def test_crnn_builds_with_keras_shapes():
    model = _crnn()
    assert model.output.shape == (None, WIDTH // 2, CLASSES)
    bidirectional = [layer for layer in model.layers
                     if isinstance(layer, layers.Bidirectional)][0]
    assert [w.shape for w in bidirectional.get_weights()] == [
        (16, 24), (8, 24), (2, 24)] * 2


def test_crnn_training_reduces_the_loss():
    rng = np.random.default_rng(0)
    x = rng.random((32, HEIGHT, WIDTH, 1)).astype("float32")
    # Label of each time step: which fifth of [0, 1] its column mean is in.
    columns = x[..., 0].reshape(32, HEIGHT, WIDTH // 2, 2).mean((1, 3))
    y = np.minimum((columns * CLASSES).astype("int64"), CLASSES - 1)
    model = _crnn()
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy")
    with torch.no_grad():
        before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=8, epochs=4, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert after < before
