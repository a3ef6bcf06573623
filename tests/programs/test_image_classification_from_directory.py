"""Image classification from scratch, images read from a directory.

The style of the keras.io "image classification from scratch" example:
PNG files live in one folder per class, `image_dataset_from_directory`
splits them into training and validation sets (``subset="both"``), a list
of augmentation layers (`RandomFlip`, `RandomRotation`) is mapped over the
training set, the datasets are prefetched, and a small convolutional model
that starts with `Rescaling` is trained, saved as ``.keras`` and reloaded.
The images are small synthetic stripes and blobs written to ``tmp_path``
by a tiny PNG writer (Pillow is optional for torchkeras).
"""

import struct
import zlib

import numpy as np

import torchkeras as keras
from torchkeras import data as tf_data
from torchkeras import layers

IMAGE_SIZE = (32, 32)


def write_png(path, pixels):
    """Writes an (h, w, 3) uint8 array as an 8-bit RGB PNG file."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def stripes(rng):
    period = int(rng.integers(4, 8))
    phase = int(rng.integers(0, period))
    rows = (np.arange(32) + phase) % period < period // 2
    image = np.zeros((32, 32, 3), "float32")
    image[rows] = 1.0
    if rng.random() < 0.5:
        image = image.transpose(1, 0, 2)
    return image


def blobs(rng):
    yy, xx = np.mgrid[:32, :32]
    image = np.zeros((32, 32, 3), "float32")
    for _ in range(int(rng.integers(1, 4))):
        cy, cx = rng.integers(6, 26, size=2)
        radius = rng.uniform(3.0, 7.0)
        image[(yy - cy) ** 2 + (xx - cx) ** 2 < radius ** 2] = 1.0
    return image


def write_images(root, rng, count_per_class=60):
    for name, draw in (("blobs", blobs), ("stripes", stripes)):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(count_per_class):
            image = draw(rng) * 200 + rng.uniform(0, 40, (32, 32, 3))
            color = rng.uniform(0.6, 1.0, size=3)
            pixels = np.clip(image * color, 0, 255).astype("uint8")
            write_png(folder / f"{name}.{i}.png", pixels)


def make_model(input_shape, num_classes):
    # Few steps per epoch: the moving statistics of BatchNormalization
    # need a faster momentum than the default 0.99 to settle in time.
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [32]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(
            previous_block_activation
        )
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units = 1
    else:
        units = num_classes
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs)


def test_image_classification_from_directory(tmp_path):
    keras.utils.set_random_seed(1337)
    rng = np.random.default_rng(1337)
    data_dir = tmp_path / "PetImages"
    write_images(data_dir, rng)

    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        data_dir,
        validation_split=0.2,
        subset="both",
        seed=1337,
        image_size=IMAGE_SIZE,
        batch_size=16,
    )
    assert train_ds.class_names == ["blobs", "stripes"]
    for images, labels in train_ds.take(1):
        assert tuple(images.shape) == (16, 32, 32, 3)
        assert images.numpy().max() > 100.0
        assert set(np.unique(labels.numpy())) <= {0, 1}

    data_augmentation_layers = [
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
    ]

    def data_augmentation(images):
        for layer in data_augmentation_layers:
            images = layer(images)
        return images

    train_ds = train_ds.map(
        lambda img, label: (data_augmentation(img), label),
        num_parallel_calls=tf_data.AUTOTUNE,
    )
    train_ds = train_ds.prefetch(tf_data.AUTOTUNE)
    val_ds = val_ds.prefetch(tf_data.AUTOTUNE)

    model = make_model(input_shape=IMAGE_SIZE + (3,), num_classes=2)
    model.summary()

    callbacks = [
        keras.callbacks.ModelCheckpoint(
            str(tmp_path / "best.keras"), monitor="val_acc",
            save_best_only=True),
    ]
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(name="acc")],
    )
    history = model.fit(
        train_ds,
        epochs=8,
        callbacks=callbacks,
        validation_data=val_ds,
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0], losses
    val_acc = model.evaluate(val_ds, return_dict=True, verbose=0)["acc"]
    assert val_acc > 0.8, history.history

    # Run inference on one new image, as the example does.
    image = blobs(np.random.default_rng(7)) * 230
    img_array = keras.ops.expand_dims(image.astype("float32"), 0)
    predictions = model.predict(img_array, verbose=0)
    score = float(keras.ops.sigmoid(predictions[0][0]))
    print(f"This image is {100 * (1 - score):.2f}% blobs and "
          f"{100 * score:.2f}% stripes.")

    path = tmp_path / "image_classifier.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    for images, _ in val_ds.take(1):
        np.testing.assert_allclose(
            restored.predict(images, verbose=0),
            model.predict(images, verbose=0), rtol=1e-5, atol=1e-5)
    best = keras.models.load_model(tmp_path / "best.keras")
    assert best.evaluate(val_ds, return_dict=True, verbose=0)["acc"] > 0.8
