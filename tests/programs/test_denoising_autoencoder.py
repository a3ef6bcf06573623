"""A convolutional denoising autoencoder with a custom backend loss.

The style of the keras.io "convolutional autoencoder for image denoising"
example: the images are scaled to ``[0, 1]``, a ``noise`` function adds
Gaussian noise with ``np.random`` and clips, an encoder of `Conv2D` and
`MaxPooling2D` layers and a decoder of strided `Conv2DTranspose` layers
end in a sigmoid `Conv2D`, first trained to reproduce the clean images
and then to map the noisy images to the clean ones. The loss is a plain
Python function written with ``keras.backend`` (``K.mean``, ``K.square``,
``K.abs``), as tf.keras 2 programs wrote custom losses. The images are the
bundled 8x8 digits.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K
from torchkeras import layers
from torchkeras.models import Model


def preprocess(array):
    """Normalizes the supplied array and reshapes it."""
    array = array.astype("float32") / 16.0
    array = np.reshape(array, (len(array), 8, 8, 1))
    return array


def noise(array):
    """Adds random noise to each image in the supplied array."""
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(
        loc=0.0, scale=1.0, size=array.shape
    )
    return np.clip(noisy_array, 0.0, 1.0).astype("float32")


def mse_with_l1(y_true, y_pred):
    """Mean squared error plus a small mean absolute error term."""
    return (K.mean(K.square(y_true - y_pred), axis=-1)
            + 0.1 * K.mean(K.abs(y_true - y_pred), axis=-1))


def test_denoising_autoencoder():
    keras.utils.set_random_seed(21)
    np.random.seed(21)
    (train_data, _), (test_data, _) = keras.datasets.digits.load_data()

    # Normalize and reshape the data
    train_data = preprocess(train_data)
    test_data = preprocess(test_data)

    # Create a copy of the data with added noise
    noisy_train_data = noise(train_data)
    noisy_test_data = noise(test_data)

    input = layers.Input(shape=(8, 8, 1))

    # Encoder
    x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)

    # Decoder
    x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu",
                               padding="same")(x)
    x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu",
                               padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

    # Autoencoder
    autoencoder = Model(input, x)
    autoencoder.compile(optimizer=keras.optimizers.Adam(3e-3),
                        loss=mse_with_l1)
    autoencoder.summary()
    assert autoencoder.output_shape == (None, 8, 8, 1)

    # First learn to reproduce the clean images.
    history = autoencoder.fit(
        x=train_data,
        y=train_data,
        epochs=5,
        batch_size=64,
        shuffle=True,
        validation_data=(test_data, test_data),
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0], losses

    # Then train it to remove the noise.
    history = autoencoder.fit(
        x=noisy_train_data,
        y=train_data,
        epochs=10,
        batch_size=64,
        shuffle=True,
        validation_data=(noisy_test_data, test_data),
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0], losses

    # The loss is the Keras reduction of the per-pixel function.
    y_pred = autoencoder.predict(noisy_test_data, verbose=0)
    per_pixel = (np.square(test_data - y_pred)
                 + 0.1 * np.abs(test_data - y_pred))
    np.testing.assert_allclose(
        autoencoder.evaluate(noisy_test_data, test_data, verbose=0),
        per_pixel.mean(), rtol=1e-4)

    # Denoised reconstructions are closer to the clean images than the
    # noisy inputs were.
    denoised_error = np.mean(np.square(y_pred - test_data))
    noisy_error = np.mean(np.square(noisy_test_data - test_data))
    print(f"noisy MSE {noisy_error:.4f}, denoised MSE {denoised_error:.4f}")
    assert denoised_error < 0.6 * noisy_error
