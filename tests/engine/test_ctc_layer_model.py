"""The tf.keras OCR pattern: a layer adds the CTC loss, compile has no loss.

Also the Keras 2 `K.ctc_batch_cost` loss function given to `compile`. A
tiny model must learn: the loss falls and greedy decoding recovers the
labels of the training strips.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K
from torchkeras import layers

CLASSES = 4  # real labels 0..3, blank = 4 (last, Keras 2 convention)


def strips(n=64, steps=12, seed=0):
    """Each strip shows 2 labels as one-hot blocks of 6 steps."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, size=(n, 2))
    labels[:, 1] = (labels[:, 0] + 1 + labels[:, 1] % 3) % CLASSES
    x = np.zeros((n, steps, CLASSES + 1), "float32")
    for i, (a, b) in enumerate(labels):
        x[i, :5, a] = 1.0
        x[i, 5:6, CLASSES] = 1.0
        x[i, 6:11, b] = 1.0
    x += rng.normal(0, 0.05, x.shape).astype("float32")
    return x, labels


class CTCLayer(layers.Layer):
    def call(self, y_true, y_pred):
        batch = y_pred.shape[0]
        input_length = np.full((batch, 1), y_pred.shape[1])
        label_length = np.full((batch, 1), y_true.shape[1])
        self.add_loss(K.mean(K.ctc_batch_cost(y_true, y_pred, input_length,
                                              label_length)))
        return y_pred


def test_ctc_as_a_layer_trains_without_compiled_loss():
    x, labels = strips()
    image = keras.Input(shape=(12, CLASSES + 1), name="image")
    label = keras.Input(shape=(2,), dtype="int64", name="label")
    h = layers.Bidirectional(layers.GRU(16, return_sequences=True))(image)
    probs = layers.TimeDistributed(
        layers.Dense(CLASSES + 1, activation="softmax"))(h)
    out = CTCLayer(name="ctc")(label, probs)
    model = keras.Model([image, label], out)
    model.compile(optimizer=keras.optimizers.Adam(0.02))
    history = model.fit({"image": x, "label": labels}, epochs=25,
                        batch_size=16, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < 0.3 * loss[0], loss
    predict = keras.Model(image, probs)
    decoded, _ = K.ctc_decode(predict.predict(x, verbose=0),
                              np.full((len(x),), 12), greedy=True)
    got = np.asarray(decoded[0])[:, :2]
    assert (got == labels).all(axis=1).mean() > 0.9


def test_keras2_ctc_batch_cost_as_compiled_loss():
    x, labels = strips(seed=1)

    def ctc_loss(y_true, y_pred):
        y_true = K.cast(y_true, "int32")
        label_length = K.sum(K.cast(K.greater_equal(y_true, 0), "int32"),
                             axis=1, keepdims=True)
        input_length = K.ones_like(label_length) * K.shape(y_pred)[1]
        return K.ctc_batch_cost(y_true, y_pred, input_length, label_length)

    inp = keras.Input(shape=(12, CLASSES + 1))
    h = layers.Bidirectional(layers.GRU(16, return_sequences=True))(inp)
    out = layers.TimeDistributed(
        layers.Dense(CLASSES + 1, activation="softmax"))(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss=ctc_loss)
    history = model.fit(x, labels, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
