"""A tiny transformer text classifier written with ``keras.ops`` (Keras 3).

The style of the keras.io "text classification with Transformer" example
in its Keras 3 form: a ``TokenAndPositionEmbedding`` layer whose positions
come from ``ops.arange``, a ``TransformerBlock`` layer of
``MultiHeadAttention``, ``LayerNormalization`` and a feed-forward
``Sequential``, registered with ``keras.saving.register_keras_serializable``
and ``get_config`` so that ``model.save("model.keras")`` and
``keras.models.load_model`` round-trip. The functional part applies
``keras.ops`` to KerasTensors directly (a padding mask with
``ops.not_equal``, a masked mean with ``ops.sum``/``ops.expand_dims``).
Synthetic data: sequences of tokens, labelled by whether a "positive"
token comes before a "negative" one.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers
from torchkeras import ops

VOCAB_SIZE = 30
MAXLEN = 12
POSITIVE, NEGATIVE = 3, 4


@keras.saving.register_keras_serializable(package="programs")
class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.ff_dim = ff_dim
        self.rate = rate
        self.att = layers.MultiHeadAttention(num_heads=num_heads,
                                             key_dim=embed_dim)
        self.ffn = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"),
             layers.Dense(embed_dim)]
        )
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)

    def get_config(self):
        config = super().get_config()
        config.update({"embed_dim": self.embed_dim,
                       "num_heads": self.num_heads,
                       "ff_dim": self.ff_dim, "rate": self.rate})
        return config


@keras.saving.register_keras_serializable(package="programs")
class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.maxlen = maxlen
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        self.token_emb = layers.Embedding(input_dim=vocab_size,
                                          output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen,
                                        output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(start=0, stop=maxlen, step=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions

    def get_config(self):
        config = super().get_config()
        config.update({"maxlen": self.maxlen, "vocab_size": self.vocab_size,
                       "embed_dim": self.embed_dim})
        return config


def make_sequences(rng, n):
    """Label 1 when POSITIVE appears before NEGATIVE, else 0."""
    x = rng.integers(5, VOCAB_SIZE, size=(n, MAXLEN))
    lengths = rng.integers(6, MAXLEN + 1, size=n)
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        a, b = sorted(rng.choice(lengths[i], size=2, replace=False))
        first, second = (POSITIVE, NEGATIVE) if y[i] else (NEGATIVE,
                                                           POSITIVE)
        x[i, a], x[i, b] = first, second
        x[i, lengths[i]:] = 0  # padding
    return x.astype("int32"), y.astype("int32")


def build_model(embed_dim=16, num_heads=2, ff_dim=32):
    inputs = layers.Input(shape=(MAXLEN,), dtype="int32")
    # A padding mask computed with ops on the functional input.
    mask = ops.cast(ops.not_equal(inputs, 0), "float32")
    embedding_layer = TokenAndPositionEmbedding(MAXLEN, VOCAB_SIZE,
                                                embed_dim)
    x = embedding_layer(inputs)
    transformer_block = TransformerBlock(embed_dim, num_heads, ff_dim)
    x = transformer_block(x)
    # Masked mean over the tokens, with ops on KerasTensors.
    mask = ops.expand_dims(mask, axis=-1)
    x = ops.sum(x * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_transformer_with_ops_on_keras_tensors_saves_and_reloads(tmp_path):
    keras.utils.set_random_seed(4)
    rng = np.random.default_rng(4)
    x_train, y_train = make_sequences(rng, 1200)
    x_val, y_val = make_sequences(rng, 300)

    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=10,
                        validation_data=(x_val, y_val), verbose=0)
    losses = history.history["loss"]
    print("loss per epoch:", [round(v, 3) for v in losses])
    print("val accuracy:", history.history["val_accuracy"])
    assert losses[-1] < 0.6 * losses[0]
    # Chance is 0.5; the order of two tokens needs the positions.
    assert history.history["val_accuracy"][-1] > 0.75

    predictions = model.predict(x_val, verbose=0)
    path = tmp_path / "transformer.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x_val, verbose=0),
                               predictions, rtol=1e-5, atol=1e-6)
    _, accuracy = reloaded.evaluate(x_val, y_val, verbose=0)
    np.testing.assert_allclose(accuracy,
                               history.history["val_accuracy"][-1],
                               atol=1e-6)
