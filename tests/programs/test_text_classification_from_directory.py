"""Sentiment classification of text files read from a directory.

The style of the TensorFlow "basic text classification" tutorial and the
keras.io text classification from scratch example: reviews live in one
folder per class, ``keras.utils.text_dataset_from_directory`` splits them
into training and validation sets (``subset="both"``), a
``TextVectorization`` layer is adapted on the text-only dataset
(``train_ds.map(lambda x, y: x)``), the vectorized datasets train an
Embedding + GlobalAveragePooling1D + Dense model, and an export model that
takes raw strings is saved and reloaded. The reviews are short synthetic
sentences written to ``tmp_path``.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers

POSITIVE = ["great", "wonderful", "loved", "excellent", "superb", "moving",
            "brilliant", "delightful", "charming", "fun"]
NEGATIVE = ["awful", "boring", "hated", "terrible", "dull", "waste",
            "painful", "bad", "mess", "tedious"]
NEUTRAL = ["the", "movie", "film", "plot", "actors", "was", "and", "a",
           "story", "really", "it", "this", "ending", "music", "i"]


def write_reviews(root, rng, count_per_class=100):
    for label, vocabulary in (("pos", POSITIVE), ("neg", NEGATIVE)):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(count_per_class):
            words = list(rng.choice(NEUTRAL, size=8))
            words += list(rng.choice(vocabulary, size=2))
            rng.shuffle(words)
            text = " ".join(words).capitalize() + "."
            (folder / f"{i}_review.txt").write_text(text)


def test_text_classification_from_directory(tmp_path):
    keras.utils.set_random_seed(42)
    rng = np.random.default_rng(42)
    data_dir = tmp_path / "reviews"
    write_reviews(data_dir, rng)

    batch_size = 16
    seed = 42
    raw_train_ds, raw_val_ds = keras.utils.text_dataset_from_directory(
        data_dir,
        batch_size=batch_size,
        validation_split=0.2,
        subset="both",
        seed=seed,
    )
    assert raw_train_ds.class_names == ["neg", "pos"]

    for text_batch, label_batch in raw_train_ds.take(1):
        for i in range(3):
            print("Review", text_batch.numpy()[i])
            print("Label", label_batch.numpy()[i])
    first_review = text_batch.numpy()[0]
    assert isinstance(first_review, bytes)
    assert first_review.endswith(b".")

    max_features = 100
    sequence_length = 12
    vectorize_layer = layers.TextVectorization(
        max_tokens=max_features,
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    # A text-only dataset (no labels) to build the vocabulary.
    train_text = raw_train_ds.map(lambda x, y: x)
    vectorize_layer.adapt(train_text)
    vocabulary = vectorize_layer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"]
    assert "great" in vocabulary and "awful" in vocabulary

    def vectorize_text(text, label):
        text = keras.ops.expand_dims(text, -1)
        return vectorize_layer(text), label

    train_ds = raw_train_ds.map(vectorize_text)
    val_ds = raw_val_ds.map(vectorize_text)

    embedding_dim = 16
    model = keras.Sequential([
        layers.Embedding(max_features, embedding_dim),
        layers.Dropout(0.2),
        layers.GlobalAveragePooling1D(),
        layers.Dropout(0.2),
        layers.Dense(1),
    ])
    model.compile(
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        optimizer=keras.optimizers.Adam(learning_rate=1e-2),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)],
    )
    history = model.fit(train_ds, validation_data=val_ds, epochs=15,
                        verbose=0)
    losses = history.history["loss"]
    print("loss per epoch:", [round(v, 3) for v in losses])
    assert losses[-1] < 0.5 * losses[0]
    assert history.history["val_binary_accuracy"][-1] > 0.8

    # An end-to-end model on raw strings, as the tutorial exports it.
    export_model = keras.Sequential([
        vectorize_layer,
        model,
        layers.Activation("sigmoid"),
    ])
    export_model.compile(
        loss=keras.losses.BinaryCrossentropy(from_logits=False),
        optimizer="adam",
        metrics=["accuracy"],
    )
    _, accuracy = export_model.evaluate(raw_val_ds, verbose=0)
    assert accuracy > 0.8

    examples = np.array([
        "The movie was great and wonderful.",
        "The movie was awful, a boring mess.",
        "I loved the story and the music was brilliant.",
    ])
    probabilities = export_model.predict(examples, verbose=0)
    assert probabilities.shape == (3, 1)
    assert probabilities[0, 0] > 0.5 > probabilities[1, 0]
    assert probabilities[2, 0] > 0.5

    path = tmp_path / "sentiment.keras"
    export_model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(examples, verbose=0),
                               probabilities, rtol=1e-5, atol=1e-6)
