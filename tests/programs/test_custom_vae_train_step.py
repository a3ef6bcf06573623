"""A variational autoencoder trained by an overridden ``train_step``.

The style of the keras.io VAE example: a ``Sampling`` layer, functional
encoder and decoder models, and a ``VAE(keras.Model)`` that holds them,
has no ``call``, keeps ``total_loss`` / ``reconstruction_loss`` /
``kl_loss`` ``keras.metrics.Mean`` trackers listed in ``metrics``, and
computes both terms under a ``tf.GradientTape`` in ``train_step``. Runs on
the bundled 8x8 digits; the encoder and decoder are saved and reloaded.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = tf.shape(z_mean)[0]
        dim = tf.shape(z_mean)[1]
        epsilon = tf.random.normal(shape=(batch, dim))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(
            name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [
            self.total_loss_tracker,
            self.reconstruction_loss_tracker,
            self.kl_loss_tracker,
        ]

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = tf.reduce_mean(
                tf.reduce_sum(
                    keras.losses.binary_crossentropy(
                        data[..., None], reconstruction[..., None]),
                    axis=1,
                )
            )
            kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean)
                              - tf.exp(z_log_var))
            kl_loss = tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }


def test_vae_custom_train_step_learns_and_reloads(tmp_path):
    keras.utils.set_random_seed(5)
    (x_train, _), (x_test, _) = keras.datasets.digits.load_data()
    digits = np.concatenate([x_train, x_test], axis=0)
    digits = digits.reshape(-1, 64).astype("float32") / 16.0
    latent_dim = 2

    encoder_inputs = keras.Input(shape=(64,))
    x = layers.Dense(32, activation="relu")(encoder_inputs)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z],
                          name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(32, activation="relu")(latent_inputs)
    decoder_outputs = layers.Dense(64, activation="sigmoid")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003))
    history = vae.fit(digits, epochs=8, batch_size=64, verbose=0)

    logs = history.history
    assert set(logs) == {"loss", "reconstruction_loss", "kl_loss"}
    assert logs["loss"][-1] < 0.85 * logs["loss"][0], logs["loss"]
    assert logs["reconstruction_loss"][-1] < logs["reconstruction_loss"][0]
    assert logs["kl_loss"][-1] > 0.0
    np.testing.assert_allclose(
        logs["loss"][-1],
        logs["reconstruction_loss"][-1] + logs["kl_loss"][-1], rtol=1e-5)

    # Decoding the encoder's mean reconstructs better than the mean digit.
    means = encoder.predict(digits, verbose=0)[0]
    recon = decoder.predict(means, verbose=0)
    baseline = np.mean((digits - digits.mean(axis=0)) ** 2)
    assert np.mean((digits - recon) ** 2) < 0.9 * baseline

    encoder.save(tmp_path / "encoder.keras")
    decoder.save(tmp_path / "decoder.keras")
    reloaded_encoder = keras.models.load_model(
        tmp_path / "encoder.keras", custom_objects={"Sampling": Sampling})
    reloaded_decoder = keras.models.load_model(tmp_path / "decoder.keras")
    np.testing.assert_allclose(
        reloaded_encoder.predict(digits[:32], verbose=0)[0], means[:32],
        rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        reloaded_decoder.predict(means[:32], verbose=0), recon[:32],
        rtol=1e-5, atol=1e-6)
