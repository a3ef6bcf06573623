"""``optimizer.learning_rate`` and ``optimizer.iterations`` are variables.

Every way tf.keras and Keras 3 code reads or writes them (``K.get_value``,
``K.set_value``, ``assign``, attribute assignment, torch's param groups)
is checked against hand-computed SGD updates: after setting the learning
rate to ``lr`` the next step moves ``w`` by exactly ``lr * grad`` (in
float32, as the update runs).
"""

import copy
import pickle

import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.backend as K
from torchkeras.optimizers import schedules

GRAD = np.array([1.0, -3.0, 0.5], "float32")


def _built_sgd(lr=0.1, **kwargs):
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    opt = keras.optimizers.SGD(lr, **kwargs)
    opt.build([w])
    return opt, w


def _step_delta(opt, w):
    """Runs one step with gradient GRAD; returns how far ``w`` moved."""
    before = w.detach().numpy().copy()
    w.grad = torch.from_numpy(GRAD.copy())
    opt.step()
    return w.detach().numpy() - before


def _sgd_delta(lr):
    w = np.array([1.0, 2.0, 3.0], "float32")
    return (w - np.float32(lr) * GRAD) - w


def test_learning_rate_is_one_float32_variable():
    opt, _ = _built_sgd(0.1)
    lr = opt.learning_rate
    assert lr is opt.lr is opt.learning_rate
    assert isinstance(lr, keras.Variable) and lr.dtype == torch.float32
    assert lr.shape == () and not lr.trainable
    assert lr.name == f"{opt.name}/learning_rate"
    assert float(lr) == 0.1  # the exact float, not its float32 rounding
    value = K.get_value(opt.lr)
    assert value.dtype == np.float32 and value == np.float32(0.1)
    assert lr.numpy() == np.float32(0.1) and K.eval(opt.lr) == value
    assert f"{opt.lr:.2f}" == "0.10" and round(opt.lr, 3) == 0.1
    assert lr in opt.variables[1:2]


@pytest.mark.parametrize("write", [
    lambda opt: K.set_value(opt.lr, 0.05),
    lambda opt: K.set_value(opt.learning_rate, np.float32(0.05)),
    lambda opt: opt.learning_rate.assign(0.05),
    lambda opt: K.batch_set_value([(opt.lr, 0.05)]),
    lambda opt: setattr(opt, "lr", 0.05),
    lambda opt: setattr(opt, "learning_rate", torch.tensor(0.05)),
    lambda opt: opt.learning_rate.assign_sub(0.05),  # a raw write
    lambda opt: opt.lr.detach().fill_(0.05),  # shares the version counter
])
def test_each_write_takes_effect_at_the_next_step(write):
    opt, w = _built_sgd(0.1)
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.1))
    lr = opt.learning_rate
    write(opt)
    np.testing.assert_allclose(_step_delta(opt, w), _sgd_delta(0.05),
                               rtol=1e-6)
    assert opt.learning_rate is lr
    assert float(opt.learning_rate) == pytest.approx(0.05)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)
    assert opt.get_config()["learning_rate"] == pytest.approx(0.05)


def test_set_value_keeps_the_exact_float():
    opt, w = _built_sgd(0.1)
    K.set_value(opt.lr, 0.05)
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.05))
    assert float(opt.lr) == 0.05
    assert opt.param_groups[0]["lr"] == 0.05
    assert opt.get_config()["learning_rate"] == 0.05


def test_writes_before_build_are_kept():
    opt = keras.optimizers.SGD(0.1)
    K.set_value(opt.learning_rate, 0.02)
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    opt.build([w])
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.02))


def test_the_last_write_wins():
    opt, w = _built_sgd(0.1)
    opt.lr.assign(0.3)
    opt.learning_rate = 0.4  # after the variable write: this one counts
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.4))
    # torch schedulers write the param groups: the variable follows.
    opt.param_groups[0]["lr"] = 0.07
    assert float(opt.learning_rate) == 0.07
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.07))
    K.set_value(opt.lr, 0.01)
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.01))


def test_callback_guide_pattern_in_fit():
    # The tf.keras "Writing your own callbacks" learning-rate scheduler.
    epochs_lr = {0: 0.1, 1: 0.05, 2: 0.02}

    class CustomLearningRateScheduler(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "lr"):
                raise ValueError('Optimizer must have a "lr" attribute.')
            lr = float(K.get_value(self.model.optimizer.learning_rate))
            self.seen.append(lr)
            K.set_value(self.model.optimizer.lr, epochs_lr[epoch])

    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 2)).astype("float32")
    y = rng.standard_normal((6, 1)).astype("float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.5), "mse")
    kernel, bias = (w.numpy() for w in model.weights)
    callback = CustomLearningRateScheduler()
    model.fit(x, y, batch_size=6, epochs=3, shuffle=False, verbose=0,
              callbacks=[callback])
    for epoch in range(3):  # NumPy: full-batch SGD on the MSE
        d = 2 * (x @ kernel + bias - y) / y.size
        lr = np.float32(epochs_lr[epoch])
        kernel, bias = kernel - lr * (x.T @ d), bias - lr * d.sum(0)
    np.testing.assert_allclose(model.weights[0].numpy(), kernel, rtol=1e-5)
    np.testing.assert_allclose(model.weights[1].numpy(), bias, rtol=1e-5)
    np.testing.assert_allclose(callback.seen, [0.5, 0.1, 0.05], rtol=1e-7)
    assert int(model.optimizer.iterations) == 3


def test_schedule_learning_rate_is_its_current_value():
    opt, w = _built_sgd(schedules.ExponentialDecay(0.1, 1, 0.5))
    for step in range(3):
        value = opt.learning_rate
        assert torch.is_tensor(value) and value.dtype == torch.float32
        assert float(value) == pytest.approx(0.1 * 0.5 ** step)
        np.testing.assert_allclose(_step_delta(opt, w),
                                   _sgd_delta(0.1 * 0.5 ** step), rtol=1e-6)
    # Replacing the schedule by a float gives the variable back.
    opt.learning_rate = 0.2
    assert isinstance(opt.learning_rate, keras.Variable)
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.2))


def test_iterations_is_an_int64_variable():
    opt, w = _built_sgd(schedules.ExponentialDecay(0.1, 1, 0.5))
    it = opt.iterations
    assert isinstance(it, keras.Variable) and it.dtype == torch.int64
    assert it.name == f"{opt.name}/iteration" and not it.trainable
    before = it.numpy()
    _step_delta(opt, w)
    assert before == 0 and it.numpy() == 1 and K.get_value(it) == 1
    assert opt.iterations is it
    # Assigning it moves the schedule: the next step runs at step 10.
    it.assign(10)
    np.testing.assert_allclose(_step_delta(opt, w),
                               _sgd_delta(0.1 * 0.5 ** 10), rtol=1e-6)
    assert int(opt.iterations) == 11
    K.set_value(opt.iterations, 2)
    assert opt.state_dict()["keras"]["iterations"] == 2
    np.testing.assert_allclose(_step_delta(opt, w),
                               _sgd_delta(0.1 * 0.5 ** 2), rtol=1e-6)


def test_tf_keras_decay_reads_the_variable():
    # tf.keras 2 legacy decay: lr_t = lr / (1 + decay * t).
    opt, w = _built_sgd(0.1, decay=0.5)
    _step_delta(opt, w)
    K.set_value(opt.lr, 0.3)
    np.testing.assert_allclose(_step_delta(opt, w),
                               _sgd_delta(0.3 / (1 + 0.5 * 1)), rtol=1e-6)


def test_state_dict_and_config_carry_the_assigned_rate():
    opt, w = _built_sgd(0.1)
    K.set_value(opt.lr, 0.03)
    state = opt.state_dict()
    config = opt.get_config()
    other, w2 = _built_sgd(0.9)
    other.load_state_dict(state)
    assert float(other.learning_rate) == 0.03
    np.testing.assert_array_equal(_step_delta(other, w2), _sgd_delta(0.03))
    assert float(keras.optimizers.SGD.from_config(config).lr) == 0.03


def test_copies_keep_the_rate_and_own_their_variables():
    opt, w = _built_sgd(0.1)
    K.set_value(opt.lr, 0.05)
    for other in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert float(other.learning_rate) == 0.05
        assert other.learning_rate is not opt.learning_rate
        K.set_value(other.lr, 0.5)
        assert float(opt.lr) == 0.05


def test_saved_model_keeps_the_assigned_rate(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)
    K.set_value(model.optimizer.lr, 0.025)
    model.save(str(tmp_path / "m.keras"))
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    assert float(loaded.optimizer.learning_rate) == 0.025
    assert int(loaded.optimizer.iterations) == 1


def test_loss_scale_optimizer_forwards_to_the_inner_variable():
    inner = keras.optimizers.SGD(0.1)
    opt = keras.mixed_precision.LossScaleOptimizer(inner, dynamic=False,
                                                   initial_scale=1.0)
    assert opt.learning_rate is inner.learning_rate
    K.set_value(opt.lr, 0.05)
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    opt.build([w])
    np.testing.assert_array_equal(_step_delta(opt, w), _sgd_delta(0.05))
