"""A GAN that overrides ``train_step`` and compiles with two optimizers.

The style of the keras.io GAN examples: a ``keras.Model`` subclass with no
``call`` that holds a generator and a discriminator, overrides
``compile(d_optimizer, g_optimizer, loss_fn)``, keeps two
``keras.metrics.Mean`` trackers listed in ``metrics``, and in
``train_step`` trains the discriminator on real and generated samples and
then the generator through a frozen discriminator, each under its own
``tf.GradientTape``. The data are one-dimensional Gaussian samples; the
generator starts near zero and must move its mean toward the data's.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real_samples):
        batch_size = tf.shape(real_samples)[0]
        random_latent_vectors = tf.random.normal(
            shape=(batch_size, self.latent_dim))
        generated = self.generator(random_latent_vectors)
        combined = tf.concat([generated, real_samples], axis=0)
        # Fake samples are labelled 1, real ones 0 (as keras.io does),
        # with a little label noise.
        labels = tf.concat(
            [tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))

        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(
            zip(grads, self.discriminator.trainable_weights))

        random_latent_vectors = tf.random.normal(
            shape=(batch_size, self.latent_dim))
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(
                self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(
            zip(grads, self.generator.trainable_weights))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {
            "d_loss": self.d_loss_tracker.result(),
            "g_loss": self.g_loss_tracker.result(),
        }


def test_gan_moves_generator_mean_toward_data():
    keras.utils.set_random_seed(7)
    latent_dim = 4
    data_mean, data_std = 3.0, 0.5
    real = np.random.normal(data_mean, data_std, size=(2048, 1))
    real = real.astype("float32")

    discriminator = keras.Sequential(
        [
            keras.Input(shape=(1,)),
            layers.Dense(16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1),
        ],
        name="generator",
    )

    def generator_mean():
        z = np.random.normal(size=(1000, latent_dim)).astype("float32")
        return float(np.mean(generator.predict(z, verbose=0)))

    start_mean = generator_mean()

    gan = GAN(discriminator=discriminator, generator=generator,
              latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.003),
        loss_fn=keras.losses.BinaryCrossentropy(),
    )
    history = gan.fit(real, batch_size=64, epochs=6, verbose=0)

    assert set(history.history) == {"d_loss", "g_loss"}
    assert len(history.history["d_loss"]) == 6
    assert all(np.isfinite(history.history["g_loss"]))
    end_mean = generator_mean()
    assert abs(start_mean - data_mean) > 2.0
    assert abs(end_mean - data_mean) < 0.5 * abs(start_mean - data_mean), (
        start_mean, end_mean)
