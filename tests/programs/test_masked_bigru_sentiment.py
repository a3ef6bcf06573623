"""Sentiment of padded token sequences with a masked bidirectional GRU.

The style of the keras.io bidirectional-LSTM IMDB example and the Keras
"understanding masking and padding" guide: reviews of different lengths
are padded with zeros (``keras.utils.pad_sequences``), an
``Embedding(mask_zero=True)`` feeds a ``Bidirectional(GRU(...,
return_sequences=True))``, and the time steps are averaged with a masked
mean written with ``keras.ops`` directly on the KerasTensors (the padding
must not count), before a sigmoid `Dense`. The model is summarized,
trained, saved as ``.keras`` and reloaded. The reviews are synthetic token
sequences whose sentiment words decide the label.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers
from torchkeras import ops

max_features = 50  # Only consider the top 50 words
maxlen = 24  # Only consider the first 24 words of each review
POSITIVE = np.arange(2, 7)
NEGATIVE = np.arange(7, 12)


def make_reviews(num_reviews, rng):
    reviews, labels = [], []
    for _ in range(num_reviews):
        label = int(rng.integers(0, 2))
        length = int(rng.integers(4, maxlen + 1))
        words = rng.integers(12, max_features, size=length)
        sentiment = POSITIVE if label else NEGATIVE
        count = max(1, length // 4)
        places = rng.choice(length, size=count, replace=False)
        words[places] = rng.choice(sentiment, size=count)
        reviews.append(list(words))
        labels.append(label)
    return reviews, np.array(labels, dtype="float32")


def build_model():
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = layers.Embedding(max_features, 16, mask_zero=True)(tokens)
    h = layers.Bidirectional(layers.GRU(16, return_sequences=True))(x)
    # Average over the real words only.
    mask = ops.cast(ops.not_equal(tokens, 0), "float32")
    pooled = ops.sum(h * ops.expand_dims(mask, -1), axis=1) / ops.maximum(
        ops.sum(mask, axis=1, keepdims=True), 1.0)
    outputs = layers.Dense(1, activation="sigmoid")(pooled)
    return keras.Model(tokens, outputs)


def test_masked_bigru_sentiment(tmp_path):
    keras.utils.set_random_seed(2024)
    rng = np.random.default_rng(2024)
    x_train, y_train = make_reviews(800, rng)
    x_val, y_val = make_reviews(200, rng)
    print(len(x_train), "Training sequences")
    print(len(x_val), "Validation sequences")
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen,
                                        padding="post")
    x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen,
                                      padding="post")
    assert x_train.shape == (800, maxlen)

    model = build_model()
    model.summary()
    assert model.output_shape == (None, 1)

    model.compile(keras.optimizers.Adam(3e-3), "binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=4,
                        validation_data=(x_val, y_val), verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    _, accuracy = model.evaluate(x_val, y_val, verbose=0)
    assert accuracy > 0.8, accuracy

    # The padding does not change a prediction: the mask hides it from the
    # GRUs and the masked mean ignores its outputs.
    short = x_val[:8]
    longer = np.concatenate([short, np.zeros((8, 6), "int32")], axis=1)
    np.testing.assert_allclose(model.predict(longer, verbose=0),
                               model.predict(short, verbose=0),
                               rtol=1e-5, atol=1e-6)

    path = tmp_path / "bigru.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    restored.summary()
    np.testing.assert_allclose(restored.predict(x_val, verbose=0),
                               model.predict(x_val, verbose=0),
                               rtol=1e-5, atol=1e-6)
