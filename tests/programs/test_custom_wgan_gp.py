"""WGAN-GP: a Wasserstein GAN whose critic carries a gradient penalty.

The style of the keras.io WGAN-GP example: a ``keras.Model`` subclass with
no ``call`` holding a critic and a generator, ``compile(d_optimizer,
g_optimizer, d_loss_fn, g_loss_fn)``, several critic steps per generator
step, and a ``gradient_penalty`` computed with a ``tf.GradientTape``
nested inside the critic's tape (the inner gradient is differentiated by
the outer one). Two-dimensional Gaussian data; the generator's mean must
move toward the data's.
"""

import numpy as np
import torch

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


class WGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim,
                 discriminator_extra_steps=3, gp_weight=10.0):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_steps = discriminator_extra_steps
        self.gp_weight = gp_weight

    def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_loss_fn = d_loss_fn
        self.g_loss_fn = g_loss_fn

    def gradient_penalty(self, batch_size, real, fake):
        alpha = tf.random.uniform([batch_size, 1], 0.0, 1.0)
        interpolated = real + alpha * (fake - real)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.discriminator(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1]))
        return tf.reduce_mean((norm - 1.0) ** 2)

    def train_step(self, real):
        if isinstance(real, tuple):
            real = real[0]
        batch_size = tf.shape(real)[0]
        for _ in range(self.d_steps):
            z = tf.random.normal(shape=(batch_size, self.latent_dim))
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                fake_logits = self.discriminator(fake, training=True)
                real_logits = self.discriminator(real, training=True)
                d_cost = self.d_loss_fn(real_img=real_logits,
                                        fake_img=fake_logits)
                gp = self.gradient_penalty(batch_size, real, fake)
                d_loss = d_cost + gp * self.gp_weight
            d_gradient = tape.gradient(
                d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply_gradients(
                zip(d_gradient, self.discriminator.trainable_variables))

        z = tf.random.normal(shape=(batch_size, self.latent_dim))
        with tf.GradientTape() as tape:
            generated = self.generator(z, training=True)
            gen_logits = self.discriminator(generated, training=True)
            g_loss = self.g_loss_fn(gen_logits)
        gen_gradient = tape.gradient(
            g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(
            zip(gen_gradient, self.generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss, "gp": gp}


def discriminator_loss(real_img, fake_img):
    return tf.reduce_mean(fake_img) - tf.reduce_mean(real_img)


def generator_loss(fake_img):
    return -tf.reduce_mean(fake_img)


def test_gradient_penalty_matches_torch_autograd():
    # The penalty's gradient (second order, through the nested tape)
    # equals the one torch.autograd gives with create_graph=True.
    keras.utils.set_random_seed(3)
    critic = keras.Sequential([keras.Input(shape=(2,)),
                               layers.Dense(4, activation="tanh"),
                               layers.Dense(1)])
    x = tf.random.normal((3, 2))
    kernel = critic.layers[0].kernel

    with tf.GradientTape() as tape:
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(x)
            pred = critic(x)
        grads = gp_tape.gradient(pred, x)
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1))
        penalty = tf.reduce_mean((norm - 1.0) ** 2)
    analytic = tape.gradient(penalty, kernel)

    xr = x.detach().clone().requires_grad_(True)
    pred = critic(xr)
    (g,) = torch.autograd.grad(pred.sum(), xr, create_graph=True)
    reference = ((g.square().sum(dim=1).sqrt() - 1.0) ** 2).mean()
    (expected,) = torch.autograd.grad(reference, kernel)
    np.testing.assert_allclose(analytic.detach().numpy(),
                               expected.detach().numpy(), rtol=1e-5,
                               atol=1e-7)
    assert float(np.abs(expected.numpy()).max()) > 0


def test_wgan_gp_moves_generator_mean_toward_data():
    keras.utils.set_random_seed(11)
    latent_dim = 4
    data_mean = np.array([2.0, -1.0], dtype="float32")
    real = (np.random.normal(size=(512, 2)) * 0.3 + data_mean)
    real = real.astype("float32")

    critic = keras.Sequential(
        [keras.Input(shape=(2,)),
         layers.Dense(32), layers.LeakyReLU(negative_slope=0.2),
         layers.Dense(32), layers.LeakyReLU(negative_slope=0.2),
         layers.Dense(1)],
        name="critic",
    )
    generator = keras.Sequential(
        [keras.Input(shape=(latent_dim,)),
         layers.Dense(32), layers.LeakyReLU(negative_slope=0.2),
         layers.Dense(2)],
        name="generator",
    )

    def distance_to_data():
        z = np.random.normal(size=(1000, latent_dim)).astype("float32")
        mean = generator.predict(z, verbose=0).mean(axis=0)
        return float(np.linalg.norm(mean - data_mean))

    start = distance_to_data()
    wgan = WGAN(discriminator=critic, generator=generator,
                latent_dim=latent_dim, discriminator_extra_steps=3)
    wgan.compile(
        d_optimizer=keras.optimizers.Adam(
            learning_rate=0.005, beta_1=0.5, beta_2=0.9),
        g_optimizer=keras.optimizers.Adam(
            learning_rate=0.005, beta_1=0.5, beta_2=0.9),
        g_loss_fn=generator_loss,
        d_loss_fn=discriminator_loss,
    )
    history = wgan.fit(real, batch_size=64, epochs=5, verbose=0)

    assert set(history.history) == {"d_loss", "g_loss", "gp"}
    assert all(np.isfinite(history.history["gp"]))
    end = distance_to_data()
    assert start > 1.5
    assert end < 0.4 * start, (start, end)
