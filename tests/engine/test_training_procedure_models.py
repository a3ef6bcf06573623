"""Models that are only a training procedure (the keras.io GAN and
distillation patterns): no ``call()``, sub-models, an overridden
``compile``, ``train_step`` and ``test_step``.

References: NumPy means of the per-batch values the step saw (for the
``Mean`` trackers), the data's mean (for what the generator learns), the
step's own return value (for ``evaluate``) and a save/load round trip of
the sub-models.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


class _GAN(keras.Model):
    def __init__(self, latent_dim=2, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.generator = keras.Sequential([
            keras.Input((latent_dim,)), layers.Dense(8, activation="relu"),
            layers.Dense(1)], name="generator")
        self.discriminator = keras.Sequential([
            keras.Input((1,)), layers.Dense(8, activation="relu"),
            layers.Dense(1)], name="discriminator")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.batch_losses = []

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def _noise(self, n):
        return keras.ops.convert_to_tensor(
            np.random.normal(size=(n, self.latent_dim)).astype("float32"))

    def train_step(self, real):
        n = real.shape[0]
        fake = self.generator(self._noise(n))
        samples = keras.ops.concatenate([fake, real], axis=0)
        labels = keras.ops.concatenate(
            [keras.ops.ones((n, 1)), keras.ops.zeros((n, 1))], axis=0)
        with keras.GradientTape() as tape:
            d_loss = self.loss_fn(labels, self.discriminator(samples))
        weights = self.discriminator.trainable_weights
        grads = tape.gradient(d_loss, weights)
        self.d_optimizer.apply_gradients(zip(grads, weights))
        with keras.GradientTape() as tape:
            fooled = self.discriminator(self.generator(self._noise(n)))
            g_loss = self.loss_fn(keras.ops.zeros((n, 1)), fooled)
        weights = self.generator.trainable_weights
        grads = tape.gradient(g_loss, weights)
        self.g_optimizer.apply_gradients(zip(grads, weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.batch_losses.append(
            (float(d_loss.detach()), float(g_loss.detach())))
        return {"d_loss": self.d_loss_tracker.result(),
                "g_loss": self.g_loss_tracker.result()}

    def test_step(self, real):
        fake = self.generator(self._noise(real.shape[0]))
        gap = keras.ops.abs(keras.ops.mean(fake) - keras.ops.mean(real))
        return {"mean_gap": gap, "real_mean": keras.ops.mean(real)}

    def predict_step(self, data):
        return self.generator(data)


def _gan(data_mean=3.0):
    gan = _GAN()
    gan.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.005),
                keras.losses.BinaryCrossentropy(from_logits=True))
    data = (np.random.normal(size=(256, 1)) * 0.5 + data_mean).astype(
        "float32")
    return gan, data


class _Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batch_keys = set()
        self.epochs = []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_keys.update(logs)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(dict(logs))


def test_gan_fits_logs_its_losses_and_learns(capsys):
    gan, data = _gan()
    start = float(np.mean(gan.generator.predict(
        np.random.normal(size=(512, 2)).astype("float32"), verbose=0)))
    recorder = _Recorder()
    history = gan.fit(data, batch_size=32, epochs=12, verbose=2,
                      callbacks=[recorder])
    printed = capsys.readouterr().out
    assert "d_loss:" in printed and "g_loss:" in printed
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert recorder.batch_keys == {"d_loss", "g_loss"}
    assert len(recorder.epochs) == 12
    # The trackers are reset each epoch: the last epoch's logs are the
    # NumPy means of the values its 8 steps saw.
    last = np.array(gan.batch_losses[-8:])
    np.testing.assert_allclose(history.history["d_loss"][-1],
                               last[:, 0].mean(), rtol=1e-5)
    np.testing.assert_allclose(history.history["g_loss"][-1],
                               last[:, 1].mean(), rtol=1e-5)
    end = float(np.mean(gan.generator.predict(
        np.random.normal(size=(512, 2)).astype("float32"), verbose=0)))
    target = float(data.mean())
    # A GAN oscillates around the target: closer, not converged.
    assert abs(end - target) < 0.75 * abs(start - target), (start, end)


def test_evaluate_returns_exactly_the_test_step_dict():
    gan, data = _gan()
    gan.fit(data, batch_size=64, epochs=1, verbose=0)
    logs = gan.evaluate(data, batch_size=256, verbose=0, return_dict=True)
    assert sorted(logs) == ["mean_gap", "real_mean"]
    np.testing.assert_allclose(logs["real_mean"], data.mean(), rtol=1e-5)
    values = gan.evaluate(data, batch_size=256, verbose=0)
    assert len(values) == 2  # sorted by name: mean_gap, real_mean
    np.testing.assert_allclose(values[1], data.mean(), rtol=1e-5)


def test_predict_uses_predict_step_without_calling_the_model():
    gan, _ = _gan()
    z = np.random.normal(size=(10, 2)).astype("float32")
    out = gan.predict(z, batch_size=4, verbose=0)
    np.testing.assert_allclose(out, gan.generator.predict(z, verbose=0),
                               rtol=1e-6)


def test_calling_a_training_procedure_model_names_the_missing_call():
    gan, data = _gan()
    with pytest.raises(NotImplementedError,
                       match=r"'private_gan'.*does not define `call\(\)`"):
        gan(data)


def test_sub_models_save_and_load(tmp_path):
    gan, data = _gan()
    gan.fit(data, batch_size=64, epochs=1, verbose=0)
    z = np.random.normal(size=(6, 2)).astype("float32")
    path = tmp_path / "generator.keras"
    gan.generator.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(z, verbose=0),
                               gan.generator.predict(z, verbose=0),
                               rtol=1e-6)
    weights = tmp_path / "discriminator.weights.h5"
    gan.discriminator.save_weights(weights)
    other = _GAN()
    other.discriminator.load_weights(weights)
    for a, b in zip(other.discriminator.get_weights(),
                    gan.discriminator.get_weights()):
        np.testing.assert_array_equal(a, b)


class _Distiller(keras.Model):
    """keras.io knowledge distillation, tf.keras 2 spelling (no call)."""

    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn,
                distillation_loss_fn, alpha=0.5):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha

    def train_step(self, data):
        x, y = data
        teacher_pred = self.teacher(x, training=False)
        with keras.GradientTape() as tape:
            student_pred = self.student(x, training=True)
            student_loss = self.student_loss_fn(y, student_pred)
            distillation_loss = self.distillation_loss_fn(
                teacher_pred, student_pred)
            loss = (self.alpha * student_loss
                    + (1 - self.alpha) * distillation_loss)
        weights = self.student.trainable_variables
        grads = tape.gradient(loss, weights)
        self.optimizer.apply_gradients(zip(grads, weights))
        self.compiled_metrics.update_state(y, student_pred)
        results = {m.name: m.result() for m in self.metrics}
        results.update({"student_loss": student_loss,
                        "distillation_loss": distillation_loss})
        return results

    def test_step(self, data):
        x, y = data
        pred = self.student(x, training=False)
        self.compiled_metrics.update_state(y, pred)
        return {m.name: m.result() for m in self.metrics
                if m.name != "loss"}


def test_distiller_trains_the_student_and_evaluates_its_metrics():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 4)).astype("float32")
    y = (x[:, :1] - x[:, 1:2]).astype("float32")
    teacher = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    teacher.compile(keras.optimizers.SGD(0.1), "mse")
    teacher.fit(x, y, epochs=20, batch_size=32, verbose=0)
    student = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    distiller = _Distiller(student, teacher)
    distiller.compile(keras.optimizers.SGD(0.1), ["mae"],
                      keras.losses.MeanSquaredError(),
                      keras.losses.MeanSquaredError())
    history = distiller.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert {"mae", "student_loss", "distillation_loss"} <= set(
        history.history)
    assert history.history["mae"][-1] < 0.5 * history.history["mae"][0]
    logs = distiller.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["mae"]
    pred = student.predict(x, verbose=0)
    np.testing.assert_allclose(logs["mae"], np.mean(np.abs(pred - y)),
                               rtol=1e-5)
