"""A Siamese network trained with a contrastive loss on digit pairs.

The style of the keras.io "image similarity estimation using a Siamese
network with a contrastive loss" example: ``make_pairs`` draws a pair of
the same digit (label 0) and a pair of different digits (label 1) for
every image, one embedding network is applied to both images, the
euclidean distance between the two embeddings goes through
`BatchNormalization` and a sigmoid `Dense`, and the contrastive loss is a
plain Python function returned by ``loss(margin)``. The distance is
written twice: as tf.keras 2 code wrote it, with ``K.*`` functions inside
a ``Lambda`` layer, and as Keras 3 allows, with ``ops`` called directly on
the KerasTensors. The images are the bundled 8x8 digits.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K
from torchkeras import layers
from torchkeras import ops


def make_pairs(x, y, rng):
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs = []
    labels = []
    for idx1 in range(len(x)):
        # A matching example: same digit.
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = rng.choice(digit_indices[label1])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [0]
        # A non-matching example: another digit.
        label2 = rng.integers(0, num_classes - 1)
        if label2 >= label1:
            label2 += 1
        idx2 = rng.choice(digit_indices[label2])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [1]
    return np.array(pairs), np.array(labels).astype("float32")


def load_pairs():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = (x_train.astype("float32") / 16.0)[..., None]
    x_test = (x_test.astype("float32") / 16.0)[..., None]
    rng = np.random.default_rng(0)
    pairs_train, labels_train = make_pairs(x_train[:400], y_train[:400], rng)
    pairs_val, labels_val = make_pairs(x_test, y_test, rng)
    return pairs_train, labels_train, pairs_val, labels_val


def euclidean_distance(vects):
    """The tf.keras 2 spelling, with the backend functions."""
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def loss(margin=1):
    """Contrastive loss with the given margin (a closure, as the example)."""

    def contrastive_loss(y_true, y_pred):
        square_pred = K.square(y_pred)
        margin_square = K.square(K.maximum(margin - (y_pred), 0))
        return K.mean((1 - y_true) * square_pred + (y_true) * margin_square)

    return contrastive_loss


def embedding_network():
    inputs = layers.Input((8, 8, 1))
    x = layers.BatchNormalization()(inputs)
    x = layers.Conv2D(8, (3, 3), activation="tanh")(x)
    x = layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(16, activation="tanh")(x)
    return keras.Model(inputs, x)


def train_and_score(siamese, tmp_path):
    pairs_train, labels_train, pairs_val, labels_val = load_pairs()
    x_train_1, x_train_2 = pairs_train[:, 0], pairs_train[:, 1]
    x_val_1, x_val_2 = pairs_val[:, 0], pairs_val[:, 1]

    siamese.compile(loss=loss(margin=1), optimizer="RMSprop",
                    metrics=["accuracy"])
    siamese.summary()
    history = siamese.fit(
        [x_train_1, x_train_2],
        labels_train,
        validation_data=([x_val_1, x_val_2], labels_val),
        batch_size=32,
        epochs=6,
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0], losses

    results = siamese.evaluate([x_val_1, x_val_2], labels_val,
                               return_dict=True, verbose=0)
    # Pairs are half same, half different: chance is 0.5.
    assert results["accuracy"] > 0.75, results

    # The predicted "different" score is low for same-digit pairs.
    scores = siamese.predict([x_val_1, x_val_2], verbose=0)[:, 0]
    same = labels_val == 0
    assert scores[same].mean() < scores[~same].mean() - 0.3

    path = tmp_path / "siamese.keras"
    siamese.save(path)
    restored = keras.models.load_model(
        path, custom_objects={"contrastive_loss": loss(margin=1),
                              "euclidean_distance": euclidean_distance})
    np.testing.assert_allclose(
        restored.predict([x_val_1, x_val_2], verbose=0)[:, 0], scores,
        rtol=1e-5, atol=1e-6)


def test_siamese_lambda_backend_distance(tmp_path):
    keras.utils.set_random_seed(42)
    embedding = embedding_network()
    input_1 = layers.Input((8, 8, 1))
    input_2 = layers.Input((8, 8, 1))
    tower_1 = embedding(input_1)
    tower_2 = embedding(input_2)
    merge_layer = layers.Lambda(euclidean_distance, output_shape=(1,))(
        [tower_1, tower_2])
    normal_layer = layers.BatchNormalization()(merge_layer)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    train_and_score(siamese, tmp_path)


def test_siamese_ops_on_keras_tensors(tmp_path):
    keras.utils.set_random_seed(42)
    embedding = embedding_network()
    input_1 = layers.Input((8, 8, 1))
    input_2 = layers.Input((8, 8, 1))
    tower_1 = embedding(input_1)
    tower_2 = embedding(input_2)
    sum_square = ops.sum(ops.square(tower_1 - tower_2), axis=1,
                         keepdims=True)
    distance = ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))
    normal_layer = layers.BatchNormalization()(distance)
    output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    train_and_score(siamese, tmp_path)
