"""Training checkpoints of a subclassed model, in the TensorFlow style.

The style of the TensorFlow "save and load models" and "training
checkpoints" tutorials: a `ModelCheckpoint(save_weights_only=True)` writes
``cp-{epoch:04d}`` checkpoints (TF-format prefixes, no file suffix) of a
subclassed model during `fit`, ``model.save_weights`` writes the epoch-0
one by hand, the newest checkpoint is found from the ``checkpoint`` folder
(``tf.train.latest_checkpoint``'s job, here by listing the prefixes), and
fresh instances, created after other models so that their layers have
other names, restore it with ``status = model.load_weights(path)``:
``expect_partial()`` where the optimizer's values are not wanted,
``assert_consumed()`` where everything matches, also when the weights are
loaded before the new model is built (delayed restoration). The data are
the bundled 8x8 digits.
"""

import glob
import os

import numpy as np
import pytest

import torchkeras as keras


class Net(keras.Model):
    """A simple two-layer classifier."""

    def __init__(self):
        super().__init__()
        self.l1 = keras.layers.Dense(64, activation="relu")
        self.dropout = keras.layers.Dropout(0.2)
        self.l2 = keras.layers.Dense(10)

    def call(self, x, training=False):
        return self.l2(self.dropout(self.l1(x), training=training))


def create_model():
    model = Net()
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


def latest_checkpoint(checkpoint_dir):
    """The newest checkpoint prefix in a folder, as tf.train finds it."""
    indexes = sorted(glob.glob(os.path.join(checkpoint_dir, "cp-*.index")))
    if not indexes:
        return None
    return indexes[-1][: -len(".index")]


def load_digits():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    return (x_train, y_train), (x_test, y_test)


def test_training_checkpoints(tmp_path):
    keras.utils.set_random_seed(3)
    (train_images, train_labels), (test_images, test_labels) = load_digits()

    checkpoint_path = str(tmp_path / "training_2" / "cp-{epoch:04d}")
    checkpoint_dir = os.path.dirname(checkpoint_path)
    batch_size = 32

    cp_callback = keras.callbacks.ModelCheckpoint(
        filepath=checkpoint_path,
        verbose=1,
        save_weights_only=True,
    )

    model = create_model()
    # The model must be built before its weights can be saved.
    model(train_images[:1])
    model.save_weights(checkpoint_path.format(epoch=0))
    history = model.fit(
        train_images,
        train_labels,
        epochs=5,
        batch_size=batch_size,
        callbacks=[cp_callback],
        validation_data=(test_images, test_labels),
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses

    names = sorted(os.listdir(checkpoint_dir))
    print(names)
    for epoch in range(6):
        assert f"cp-{epoch:04d}.index" in names
    assert "checkpoint" in names

    latest = latest_checkpoint(checkpoint_dir)
    assert os.path.basename(latest) == "cp-0005"
    expected = model.predict(test_images, verbose=0)
    loss, acc = model.evaluate(test_images, test_labels, verbose=0)
    assert acc > 0.85, acc

    # Other models first, so that the new model's layers get other names
    # (dense_4, ...): a TF checkpoint matches by structure, not by name.
    for _ in range(2):
        other = Net()
        other(train_images[:1])

    # A new, untrained model, built and compiled, without optimizer state.
    new_model = create_model()
    new_model(train_images[:1])
    assert new_model.l1.name != model.l1.name
    _, untrained_acc = new_model.evaluate(test_images, test_labels,
                                          verbose=0)
    print(f"Untrained model, accuracy: {100 * untrained_acc:5.2f}%")
    assert untrained_acc < 0.5

    status = new_model.load_weights(latest)
    # The optimizer's slots in the checkpoint have no variables to go to
    # in a model that never trained: say that this is expected.
    status.expect_partial()
    status.assert_existing_objects_matched()
    np.testing.assert_allclose(
        new_model.predict(test_images, verbose=0), expected,
        rtol=1e-5, atol=1e-6)
    _, restored_acc = new_model.evaluate(test_images, test_labels,
                                         verbose=0)
    print(f"Restored model, accuracy: {100 * restored_acc:5.2f}%")
    np.testing.assert_allclose(restored_acc, acc)

    # An older checkpoint gives other predictions.
    new_model.load_weights(
        checkpoint_path.format(epoch=1)).expect_partial()
    assert not np.allclose(new_model.predict(test_images, verbose=0),
                           expected, atol=1e-3)


def test_checkpoint_loaded_before_build(tmp_path):
    keras.utils.set_random_seed(4)
    (train_images, train_labels), (test_images, _) = load_digits()
    checkpoint_path = str(tmp_path / "ckpt" / "cp-{epoch:04d}")
    model = create_model()
    model.fit(train_images, train_labels, epochs=2, batch_size=32,
              callbacks=[keras.callbacks.ModelCheckpoint(
                  checkpoint_path, save_weights_only=True)],
              verbose=0)
    expected = model.predict(test_images, verbose=0)
    latest = latest_checkpoint(os.path.dirname(checkpoint_path))

    Net()(train_images[:1])  # shifts the layer names again
    # Restored as the layers are built: the first call builds them.
    new_model = Net()
    status = new_model.load_weights(latest)
    with pytest.raises(AssertionError):
        status.assert_consumed()  # nothing is built yet
    np.testing.assert_allclose(
        new_model.predict(test_images, verbose=0), expected,
        rtol=1e-5, atol=1e-6)
    status.expect_partial().assert_existing_objects_matched()

    # A compiled model that trains restores the optimizer too: every
    # value in the checkpoint is consumed.
    resumed = create_model()
    status = resumed.load_weights(latest)
    resumed.fit(train_images[:32], train_labels[:32], epochs=1,
                batch_size=32, verbose=0)
    status.assert_consumed()
    assert int(resumed.optimizer.iterations) == int(
        model.optimizer.iterations) + 1
