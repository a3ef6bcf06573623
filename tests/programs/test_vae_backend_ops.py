"""A functional variational autoencoder written with ``keras.backend`` ops.

The style of the classic tf.keras 2 VAE examples: an encoder with ``z_mean``
and ``z_log_var`` heads, a custom ``Sampling`` layer drawing
``K.random_normal`` noise sized by ``K.shape``, the KL term and the
reconstruction term built from ``K.*`` ops and
``keras.losses.binary_crossentropy`` on the functional tensors and attached
with ``model.add_loss``, and ``compile`` without a loss. Runs on the bundled
8x8 digits.
"""

import numpy as np

import torchkeras as keras
import torchkeras.backend as K
from torchkeras import layers


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = K.shape(z_mean)[0]
        dim = K.int_shape(z_mean)[1]
        epsilon = K.random_normal(shape=(batch, dim))
        return z_mean + K.exp(0.5 * z_log_var) * epsilon


def test_vae_with_backend_ops_and_add_loss():
    keras.utils.set_random_seed(1)
    (x_train, _), (x_test, _) = keras.datasets.digits.load_data()
    original_dim = 64
    x_train = x_train.reshape(-1, original_dim).astype("float32") / 16.0
    x_test = x_test.reshape(-1, original_dim).astype("float32") / 16.0

    intermediate_dim = 32
    latent_dim = 4

    # Encoder.
    inputs = keras.Input(shape=(original_dim,), name="encoder_input")
    h = layers.Dense(intermediate_dim, activation="relu")(inputs)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    z = Sampling(name="z")([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")

    # Decoder.
    latent_inputs = keras.Input(shape=(latent_dim,), name="z_sampling")
    h_dec = layers.Dense(intermediate_dim, activation="relu")(latent_inputs)
    decoded = layers.Dense(original_dim, activation="sigmoid")(h_dec)
    decoder = keras.Model(latent_inputs, decoded, name="decoder")

    # The VAE, trained end to end on the sum of both terms.
    outputs = decoder(encoder(inputs)[2])
    vae = keras.Model(inputs, outputs, name="vae_mlp")

    reconstruction_loss = keras.losses.binary_crossentropy(inputs, outputs)
    reconstruction_loss *= original_dim
    vae.add_loss(K.mean(reconstruction_loss))
    kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
    kl_loss = K.sum(kl_loss, axis=-1)
    kl_loss *= -0.5
    vae.add_loss(K.mean(kl_loss))

    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3))
    history = vae.fit(
        x_train,
        epochs=15,
        batch_size=64,
        validation_data=(x_test, None),
        verbose=0,
    )
    losses = history.history["loss"]
    print("VAE loss per epoch:", [round(v, 2) for v in losses])
    assert losses[-1] < 0.75 * losses[0]
    assert history.history["val_loss"][-1] < history.history["val_loss"][0]

    # Decode the posterior means of unseen digits: better than the mean
    # image of the training set.
    z_mean_test, _, _ = encoder.predict(x_test, verbose=0)
    reconstructions = decoder.predict(z_mean_test, verbose=0)
    assert reconstructions.shape == x_test.shape
    vae_error = np.mean((reconstructions - x_test) ** 2)
    mean_image_error = np.mean((x_train.mean(axis=0) - x_test) ** 2)
    print("reconstruction MSE", vae_error, "mean image MSE", mean_image_error)
    assert vae_error < 0.7 * mean_image_error

    # Sampling from the prior gives valid images.
    generated = decoder.predict(np.random.normal(size=(5, latent_dim)),
                                verbose=0)
    assert generated.shape == (5, original_dim)
    assert np.all((generated >= 0.0) & (generated <= 1.0))
