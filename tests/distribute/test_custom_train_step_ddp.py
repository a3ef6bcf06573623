"""A custom ``train_step`` is data-parallel in ``fit``, as under tf.keras's
``MirroredStrategy``: every optimizer step in it applies the mean of the
ranks' gradients.

Two gloo processes on the CPU (``distribute.launch``) train each kind of
step; the reference is the same step in this process, alone, on the whole
global batch. The loss is a mean and the data (69 rows in batches of 16)
ends on a batch split 3 + 2, so the ranks' gradients are weighed by their
share of the batch as the built-in step weighs them: averaged gradients of
the shards are the full batch's gradient. Both ranks must end with the
same weights, equal to the single process's; the built-in step (DDP)
must not be averaged a second time, also when a custom step calls it with
``super().train_step``; nothing is averaged outside ``fit``.
"""

import os

import numpy as np
import torch

import torchkeras as keras
from torchkeras import distribute
from torchkeras import layers

ROWS, BATCH, EPOCHS = 69, 16, 2
STEPS = EPOCHS * 5  # 16 + 16 + 16 + 16 + 5 rows an epoch


class _Regression(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(4, activation="tanh")
        self.out = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


class _Keras3Step(_Regression):
    """Keras 3: a tape, ``compute_loss``, ``apply_gradients``."""

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
            loss = self.optimizer.scale_loss(loss)  # LossScaleOptimizer
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self.compute_metrics(x, y, y_pred)


class _Keras3Apply(_Regression):
    """Keras 3's torch backend: ``backward()``, then ``optimizer.apply``."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        variables = list(self.trainable_weights)
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in variables],
                                 variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class _Tf2Step(_Regression):
    """tf.keras 2: ``compiled_loss``, ``minimize``, ``compiled_metrics``."""

    def train_step(self, data):
        x, y = data
        with keras.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred,
                                      regularization_losses=self.losses)
        self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class _TorchStep(_Regression):
    """torch: ``backward()`` and ``optimizer.step()``; its own tracker."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tracker = keras.metrics.Mean(name="own_loss")

    def train_step(self, data):
        x, y = data
        self.optimizer.zero_grad()
        loss = self.compiled_loss(y, self(x, training=True))
        loss.backward()
        self.optimizer.step()
        self.tracker.update_state(loss.detach())
        return {m.name: m.result() for m in self.metrics}


class _SuperStep(_Regression):
    """The built-in step, called by a custom one."""

    def train_step(self, data):
        return super().train_step(data)


STEP_CLASSES = {"builtin": _Regression, "keras3": _Keras3Step,
                "keras3_apply": _Keras3Apply, "tf2": _Tf2Step,
                "torch": _TorchStep, "super": _SuperStep,
                "loss_scale": _Keras3Step, "lazy": _Keras3Step}


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype(
        "float32")
    return x, y


def _train(kind, seed=0):
    """Final weights and the epoch logs of ``kind``'s step."""
    keras.utils.set_random_seed(seed)
    x, y = _data()
    model = STEP_CLASSES[kind]()
    if kind != "lazy":  # else built by its first step
        model(x[:1])
    optimizer = keras.optimizers.SGD(0.05, momentum=0.9)
    if kind == "loss_scale":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(optimizer, "mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0)
    return model.get_weights(), history.history


def _worker(out_dir):
    from torchkeras.backend import set_device

    set_device("cpu")
    averaged = []
    plain = distribute._average_gradients_of

    def counting(params, scale):
        averaged.append(scale)
        return plain(params, scale)

    distribute._average_gradients_of = counting
    arrays = {}
    for kind in STEP_CLASSES:
        del averaged[:]
        # Rank 1 draws other initial weights: it must take rank 0's.
        weights, history = _train(kind, seed=distribute.rank())
        arrays.update({f"{kind}/w{i}": w for i, w in enumerate(weights)})
        arrays.update({f"{kind}/log/{k}": np.array(v)
                       for k, v in history.items()})
        arrays[f"{kind}/averaged"] = np.array(averaged)
    # Outside fit an optimizer applies this rank's own gradient.
    w = torch.nn.Parameter(torch.zeros(1))
    keras.optimizers.SGD(1.0).apply([torch.ones(1) * (1 + distribute.rank())],
                                    [w])
    arrays["outside_fit"] = w.detach().numpy()
    np.savez(os.path.join(out_dir, f"rank{distribute.rank()}.npz"), **arrays)


def test_custom_train_steps_average_gradients_over_two_ranks(tmp_path):
    distribute.launch(_worker, 2, args=(str(tmp_path),), backend="gloo")
    r0 = np.load(tmp_path / "rank0.npz")
    r1 = np.load(tmp_path / "rank1.npz")
    for kind in STEP_CLASSES:
        alone, _ = _train(kind)
        for i, expected in enumerate(alone):
            key = f"{kind}/w{i}"
            np.testing.assert_array_equal(r0[key], r1[key], err_msg=key)
            if kind != "lazy":  # its first gradients were each rank's own
                np.testing.assert_allclose(r0[key], expected, rtol=0,
                                           atol=1e-6, err_msg=key)
        # Each rank's logs combine both ranks' metric states.
        logs = sorted(k for k in r0.files if k.startswith(f"{kind}/log/"))
        assert logs
        for key in logs:
            np.testing.assert_array_equal(r0[key], r1[key], err_msg=key)
        # One averaging per optimizer step of a custom step (the wrapper's
        # alone for a LossScaleOptimizer), none on top of DDP's.
        averaged = r0[f"{kind}/averaged"]
        assert len(averaged) == (0 if kind == "builtin" else STEPS), kind
        if kind != "builtin":  # the last batch is split 3 + 2 rows
            np.testing.assert_allclose(
                averaged[-1], 3 * 2 / 5, rtol=1e-6, err_msg=kind)
            np.testing.assert_allclose(
                r1[f"{kind}/averaged"][-1], 2 * 2 / 5, rtol=1e-6)
    assert "torch/log/own_loss" in r0.files  # a tracker of its own
    np.testing.assert_array_equal(r0["outside_fit"], [-1.0])
    np.testing.assert_array_equal(r1["outside_fit"], [-2.0])
