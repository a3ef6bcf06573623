"""Learning-rate schedules against closed forms written here in NumPy.

Each expected value comes from the formula in the Keras docstring, computed
independently (CosineDecayRestarts by walking the restart periods, not with
Keras's logarithm). Python int steps must give Python floats; tensor steps
must give the same values as float32 tensors.
"""

import math

import numpy as np
import pytest
import torch

from torchkeras.optimizers import schedules

STEPS = [0, 1, 2, 3, 5, 7, 10, 11, 19, 20, 33]


def _cosine_restarts(step, initial, first, t_mul, m_mul, alpha):
    start, length, i = 0.0, float(first), 0
    while step >= start + length:
        start += length
        length *= t_mul
        i += 1
    fraction = (step - start) / length
    cosine = 0.5 * m_mul ** i * (1 + math.cos(math.pi * fraction))
    return initial * ((1 - alpha) * cosine + alpha)


def _cosine(step, initial, decay_steps, alpha, target=None, warmup=0):
    if target is None:
        s = min(step, decay_steps)
        return initial * ((1 - alpha) * 0.5 * (1 + math.cos(
            math.pi * s / decay_steps)) + alpha)
    if step < warmup:
        return initial + (target - initial) * step / warmup
    s = min(step - warmup, decay_steps)
    return target * ((1 - alpha) * 0.5 * (1 + math.cos(
        math.pi * s / decay_steps)) + alpha)


def _polynomial(step, initial, decay_steps, end, power, cycle):
    if cycle:
        decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (initial - end) * (1 - step / decay_steps) ** power + end


CASES = [
    (schedules.ExponentialDecay(0.1, 4, 0.5),
     lambda s: 0.1 * 0.5 ** (s / 4)),
    (schedules.ExponentialDecay(0.1, 4, 0.5, staircase=True),
     lambda s: 0.1 * 0.5 ** (s // 4)),
    (schedules.PiecewiseConstantDecay([2, 10], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 2 else (0.5 if s <= 10 else 0.1)),
    (schedules.PolynomialDecay(0.1, 10),
     lambda s: _polynomial(s, 0.1, 10, 0.0001, 1.0, False)),
    (schedules.PolynomialDecay(0.1, 7, end_learning_rate=0.01, power=2.0,
                               cycle=True),
     lambda s: _polynomial(s, 0.1, 7, 0.01, 2.0, True)),
    (schedules.InverseTimeDecay(0.1, 3, 0.5),
     lambda s: 0.1 / (1 + 0.5 * s / 3)),
    (schedules.InverseTimeDecay(0.1, 3, 0.5, staircase=True),
     lambda s: 0.1 / (1 + 0.5 * (s // 3))),
    (schedules.CosineDecay(0.1, 12, alpha=0.1),
     lambda s: _cosine(s, 0.1, 12, 0.1)),
    (schedules.CosineDecay(0.0, 12, warmup_target=0.2, warmup_steps=5),
     lambda s: _cosine(s, 0.0, 12, 0.0, 0.2, 5)),
    (schedules.CosineDecayRestarts(0.1, 4),
     lambda s: _cosine_restarts(s, 0.1, 4, 2.0, 1.0, 0.0)),
    (schedules.CosineDecayRestarts(0.1, 3, t_mul=1.0, m_mul=0.5, alpha=0.2),
     lambda s: _cosine_restarts(s, 0.1, 3, 1.0, 0.5, 0.2)),
    (schedules.CosineDecayRestarts(0.1, 2, t_mul=1.5, m_mul=0.8),
     lambda s: _cosine_restarts(s, 0.1, 2, 1.5, 0.8, 0.0)),
]


def test_schedule_values():
    for schedule, expected in CASES:
        name = type(schedule).__name__
        want = np.array([expected(s) for s in STEPS])
        got = [schedule(s) for s in STEPS]
        assert all(type(v) is float for v in got), name
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12,
                                   err_msg=name)
        tensor = torch.stack([schedule(torch.tensor(s)) for s in STEPS])
        assert tensor.dtype == torch.float32
        np.testing.assert_allclose(tensor.numpy(), want, rtol=1e-5,
                                   atol=1e-7, err_msg=name)
        batched = schedule(torch.tensor(STEPS))
        np.testing.assert_allclose(batched.numpy(), want, rtol=1e-5,
                                   atol=1e-7, err_msg=name)


def test_config_round_trip():
    for schedule, _ in CASES:
        config = schedules.serialize(schedule)
        assert config["module"] == "keras.optimizers.schedules"
        assert config["class_name"] == type(schedule).__name__
        restored = schedules.deserialize(config)
        assert type(restored) is type(schedule)
        assert restored.get_config() == schedule.get_config()
        assert [restored(s) for s in STEPS] == [schedule(s) for s in STEPS]


def test_tf_keras2_config_and_keras_config_keys():
    restored = schedules.deserialize({
        "class_name": "PolynomialDecay",
        "config": {"cycle": False, "decay_steps": 10000,
                   "end_learning_rate": 0.01, "initial_learning_rate": 0.1,
                   "name": None, "power": 0.5},
    })
    assert restored(10000) == pytest.approx(0.01)
    assert sorted(schedules.CosineDecayRestarts(0.1, 3).get_config()) == [
        "alpha", "first_decay_steps", "initial_learning_rate", "m_mul",
        "name", "t_mul",
    ]


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: decay_steps=0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="first_decay_steps=-1"):
        schedules.CosineDecayRestarts(0.1, -1)
    with pytest.raises(ValueError, match="length of boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="Unknown decay"):
        schedules.deserialize({"class_name": "Nope", "config": {}})


def test_custom_schedule_subclass():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / 2 ** step

    assert Halving()(3) == 0.125
    with pytest.raises(NotImplementedError, match="get_config"):
        Halving().get_config()
