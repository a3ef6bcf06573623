"""A GAN that overrides ``train_step`` and compiles with two optimizers.

The style of the keras.io GAN examples: a ``keras.Model`` subclass with no
``call`` that holds a generator and a discriminator, overrides
``compile(d_optimizer, g_optimizer, loss_fn)``, keeps two
``keras.metrics.Mean`` trackers listed in ``metrics``, and in
``train_step`` trains the discriminator on real and generated samples and
then the generator through a frozen discriminator, each under its own
``tf.GradientTape``. The data are one-dimensional Gaussian samples; the
generator starts near zero and must move its mean toward the data's.
As the DCGAN tutorial does, a ``tf.train.Checkpoint`` of both models and
both optimizers is saved, and a restarted program restores it into fresh
objects and goes on training from the same state.
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


LATENT_DIM = 4
DATA_MEAN, DATA_STD = 3.0, 0.5


def make_discriminator():
    return keras.Sequential(
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


def make_generator():
    return keras.Sequential(
        [
            keras.Input(shape=(LATENT_DIM,)),
            layers.Dense(16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(1),
        ],
        name="generator",
    )


def make_gan(discriminator, generator):
    gan = GAN(discriminator=discriminator, generator=generator,
              latent_dim=LATENT_DIM)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.003),
        loss_fn=keras.losses.BinaryCrossentropy(),
    )
    return gan


def real_samples():
    real = np.random.normal(DATA_MEAN, DATA_STD, size=(2048, 1))
    return real.astype("float32")


def test_gan_moves_generator_mean_toward_data():
    keras.utils.set_random_seed(7)
    real = real_samples()
    discriminator, generator = make_discriminator(), make_generator()

    def generator_mean():
        z = np.random.normal(size=(1000, LATENT_DIM)).astype("float32")
        return float(np.mean(generator.predict(z, verbose=0)))

    start_mean = generator_mean()
    gan = make_gan(discriminator, generator)
    history = gan.fit(real, batch_size=64, epochs=6, verbose=0)

    assert set(history.history) == {"d_loss", "g_loss"}
    assert len(history.history["d_loss"]) == 6
    assert all(np.isfinite(history.history["g_loss"]))
    end_mean = generator_mean()
    assert abs(start_mean - DATA_MEAN) > 2.0
    assert abs(end_mean - DATA_MEAN) < 0.5 * abs(start_mean - DATA_MEAN), (
        start_mean, end_mean)


def test_gan_checkpoint_restores_into_a_restarted_program(tmp_path):
    keras.utils.set_random_seed(11)
    real = real_samples()
    checkpoint_dir = str(tmp_path / "training_checkpoints")
    checkpoint_prefix = checkpoint_dir + "/ckpt"

    gan = make_gan(make_discriminator(), make_generator())
    checkpoint = tf.train.Checkpoint(
        generator_optimizer=gan.g_optimizer,
        discriminator_optimizer=gan.d_optimizer,
        generator=gan.generator,
        discriminator=gan.discriminator)
    gan.fit(real, batch_size=64, epochs=2, verbose=0)
    checkpoint.save(file_prefix=checkpoint_prefix)

    # The restarted program builds everything anew and restores.
    again = make_gan(make_discriminator(), make_generator())
    restored = tf.train.Checkpoint(
        generator_optimizer=again.g_optimizer,
        discriminator_optimizer=again.d_optimizer,
        generator=again.generator,
        discriminator=again.discriminator)
    status = restored.restore(tf.train.latest_checkpoint(checkpoint_dir))
    status.assert_consumed()

    z = np.random.normal(size=(256, LATENT_DIM)).astype("float32")
    np.testing.assert_array_equal(again.generator.predict(z, verbose=0),
                                  gan.generator.predict(z, verbose=0))
    for old, new in ((gan.g_optimizer, again.g_optimizer),
                     (gan.d_optimizer, again.d_optimizer)):
        assert int(new.iterations) == int(old.iterations) == 64
        for a, b in zip(old.variables, new.variables):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                          keras.ops.convert_to_numpy(b))
    # Both go on from the same state: one more epoch with the same seed
    # gives the same generator.
    for model in (gan, again):
        keras.utils.set_random_seed(5)
        model.fit(real, batch_size=64, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(again.generator.predict(z, verbose=0),
                               gan.generator.predict(z, verbose=0),
                               rtol=1e-5, atol=1e-6)
