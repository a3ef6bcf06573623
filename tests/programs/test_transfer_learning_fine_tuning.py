"""Transfer learning and fine-tuning, the way the keras.io guide does it.

A pretrained `MobileNetV2` comes from ``keras.applications`` with
``weights="imagenet"`` and ``include_top=False``; the program freezes it,
puts augmentation, a `Rescaling` to ``[-1, 1]``, the base called with
``training=False``, pooling, dropout and a one-logit head around it,
trains the head, then unfreezes the base, recompiles with a small learning
rate and fine-tunes; the model is saved as ``.keras`` and reloaded.

Offline, the "ImageNet" file is one the test places in a fresh Keras cache
under Keras's own file name (MobileNetV2's files carry no published hash):
the weights of a base trained briefly on another task, written in the
tf.keras 2 layout the published files use. The data are synthetic: images
of horizontal against vertical stripes, noisy, in ``[0, 255]``.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers

SIZE = 96
FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"


def stripes(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    period = rng.integers(6, 14, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    grid = np.arange(SIZE)
    images = np.empty((n, SIZE, SIZE, 3), dtype="float32")
    for i in range(n):
        wave = 127.5 + 100 * np.sin(2 * np.pi * grid / period[i] + phase[i])
        plane = np.tile(wave[:, None] if y[i] else wave[None, :],
                        (1, SIZE) if y[i] else (SIZE, 1))
        images[i] = plane[..., None]
    images += rng.normal(0, 20, images.shape)
    return np.clip(images, 0, 255).astype("float32"), y.astype("float32")


def blobs(n, seed):
    """The pretraining task: a bright square in the top or bottom half."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    images = rng.uniform(0, 80, (n, SIZE, SIZE, 3)).astype("float32")
    for i in range(n):
        top = rng.integers(0, SIZE // 2 - 20) + (SIZE // 2) * y[i]
        left = rng.integers(0, SIZE - 20)
        images[i, top:top + 20, left:left + 20] = 230.0
    return images, y


@pytest.fixture
def imagenet_file(tmp_path, monkeypatch):
    """A 'pretrained' MobileNetV2 base in a fresh Keras cache."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    keras.utils.set_random_seed(3)
    base = keras.applications.MobileNetV2(
        weights=None, include_top=False, input_shape=(SIZE, SIZE, 3),
        alpha=0.35)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = layers.GlobalAveragePooling2D()(base(x))
    pretrain = keras.Model(inputs, layers.Dense(2, "softmax")(x))
    pretrain.compile("adam", "sparse_categorical_crossentropy")
    x_blobs, y_blobs = blobs(160, seed=1)
    pretrain.fit(x_blobs, y_blobs, epochs=3, batch_size=32, verbose=0)
    # A short pretraining leaves the moving statistics (momentum 0.999)
    # near their initial values: set them from one large batch, as one
    # re-estimates BatchNorm statistics after training.
    batch_norms = [layer for layer in base.layers
                   if isinstance(layer, layers.BatchNormalization)]
    for layer in batch_norms:
        layer.momentum = 0.0
    pretrain(x_blobs, training=True)
    for layer in batch_norms:
        layer.momentum = 0.999
    path = tmp_path / "keras_home" / "models" / FILE
    path.parent.mkdir(parents=True)
    base.save_weights(str(path))
    keras.backend.clear_session()
    return path


@pytest.mark.slow
def test_transfer_learning_then_fine_tuning(imagenet_file, tmp_path):
    keras.utils.set_random_seed(0)
    x_train, y_train = stripes(192, seed=10)
    x_val, y_val = stripes(64, seed=11)
    train_ds = keras.data.Dataset.from_tensor_slices(
        (x_train, y_train)).shuffle(192).batch(32).prefetch(2)
    validation_ds = keras.data.Dataset.from_tensor_slices(
        (x_val, y_val)).batch(32)

    data_augmentation = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.02)])
    base_model = keras.applications.MobileNetV2(
        weights="imagenet", input_shape=(SIZE, SIZE, 3), include_top=False,
        alpha=0.35)
    base_model.trainable = False

    inputs = keras.Input(shape=(SIZE, SIZE, 3))
    x = data_augmentation(inputs)
    scale_layer = layers.Rescaling(scale=1 / 127.5, offset=-1)
    x = scale_layer(x)
    x = base_model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)

    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    frozen = [w.detach().clone() for w in base_model.weights]
    head = model.fit(train_ds, epochs=6, validation_data=validation_ds,
                     verbose=0)
    assert all(np.array_equal(a, b.detach())
               for a, b in zip(frozen, base_model.weights))
    assert head.history["loss"][-1] < head.history["loss"][0]
    assert head.history["val_binary_accuracy"][-1] > 0.75

    base_model.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    fine = model.fit(train_ds, epochs=2, validation_data=validation_ds,
                     verbose=0)
    assert not all(np.array_equal(a, b.detach())
                   for a, b in zip(frozen, base_model.weights))
    assert fine.history["val_binary_accuracy"][-1] > 0.75

    path = str(tmp_path / "fine_tuned.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x_val, verbose=0),
                               model.predict(x_val, verbose=0),
                               rtol=1e-4, atol=1e-5)
