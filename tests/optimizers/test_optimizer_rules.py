"""Keras 3 update rules: torchkeras optimizers against a NumPy oracle.

The oracle below re-implements each rule from the formulas of
keras-team/keras ``keras/src/optimizers/*.py`` (``update_step`` of each
optimizer; ``BaseOptimizer.apply`` for the order of loss scaling,
accumulation, clipping, weight decay and EMA), one variable at a time in
float64. It shares no code with ``torchkeras.optimizers``. Every run changes
the learning rate mid-way and uses parameters of several shapes.
"""

import math

import numpy as np
import pytest
import torch

from torchkeras import optimizers
from torchkeras.optimizers import schedules

DEFAULTS = {
    "SGD": dict(momentum=0.0, nesterov=False),
    "Adam": dict(beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
    "AdamW": dict(beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                  weight_decay=0.004),
    "Adamax": dict(beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    "Nadam": dict(beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    "RMSprop": dict(rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
    "Adagrad": dict(initial_accumulator_value=0.1, epsilon=1e-7),
    "Adadelta": dict(rho=0.95, epsilon=1e-7),
    "Ftrl": dict(learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0),
    "Lion": dict(beta_1=0.9, beta_2=0.99),
}


def _sgd(w, g, s, lr, t, c):
    if c["momentum"] == 0:
        return w - lr * g
    s["m"] = c["momentum"] * s["m"] - lr * g
    if c["nesterov"]:
        return w + c["momentum"] * s["m"] - lr * g
    return w + s["m"]


def _adam(w, g, s, lr, t, c):
    b1, b2 = c["beta_1"], c["beta_2"]
    s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
    s["v"] = s["v"] + (g * g - s["v"]) * (1 - b2)
    v = s["v"]
    if c["amsgrad"]:
        s["vhat"] = np.maximum(s["vhat"], s["v"])
        v = s["vhat"]
    alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return w - s["m"] * alpha / (np.sqrt(v) + c["epsilon"])


def _adamax(w, g, s, lr, t, c):
    b1 = c["beta_1"]
    s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
    s["u"] = np.maximum(c["beta_2"] * s["u"], np.abs(g))
    return w - lr * s["m"] / ((1 - b1 ** t) * (s["u"] + c["epsilon"]))


def _nadam(w, g, s, lr, t, c):
    # `u_product` is the product of u_1..u_t, updated once per step before
    # the variables (Nadam._backend_update_step).
    b1, b2 = c["beta_1"], c["beta_2"]
    u_t = b1 * (1.0 - 0.5 * 0.96 ** t)
    u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
    u_product = s["u_product"]
    s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
    s["v"] = s["v"] + (g * g - s["v"]) * (1 - b2)
    m_hat = (u_t1 * s["m"] / (1 - u_product * u_t1)
             + (1 - u_t) * g / (1 - u_product))
    v_hat = s["v"] / (1 - b2 ** t)
    return w - m_hat * lr / (np.sqrt(v_hat) + c["epsilon"])


def _rmsprop(w, g, s, lr, t, c):
    rho = c["rho"]
    s["v"] = rho * s["v"] + (1 - rho) * g * g
    if c["centered"]:
        s["a"] = rho * s["a"] + (1 - rho) * g
        denominator = s["v"] - s["a"] ** 2 + c["epsilon"]
    else:
        denominator = s["v"] + c["epsilon"]
    increment = lr * g / np.sqrt(denominator)
    if c["momentum"] > 0:
        s["mom"] = c["momentum"] * s["mom"] + increment
        return w - s["mom"]
    return w - increment


def _adagrad(w, g, s, lr, t, c):
    s["acc"] = s["acc"] + g * g
    return w - lr * g / np.sqrt(s["acc"] + c["epsilon"])


def _adadelta(w, g, s, lr, t, c):
    rho, eps = c["rho"], c["epsilon"]
    s["ag"] = rho * s["ag"] + (1 - rho) * g * g
    delta = -np.sqrt(s["ad"] + eps) * g / np.sqrt(s["ag"] + eps)
    s["ad"] = rho * s["ad"] + (1 - rho) * delta * delta
    return w + lr * delta


def _ftrl(w, g, s, lr, t, c):
    p = c["learning_rate_power"]
    l1 = c["l1_regularization_strength"]
    l2 = c["l2_regularization_strength"] + c["beta"] / (2.0 * lr)
    g_shrunk = g + 2 * c["l2_shrinkage_regularization_strength"] * w
    new_n = s["n"] + g * g
    sigma = (new_n ** -p - s["n"] ** -p) / lr
    s["z"] = s["z"] + g_shrunk - sigma * w
    quadratic = new_n ** -p / lr + 2 * l2
    s["n"] = new_n
    return (np.clip(s["z"], -l1, l1) - s["z"]) / quadratic


def _lion(w, g, s, lr, t, c):
    b1, b2 = c["beta_1"], c["beta_2"]
    w = w - lr * np.sign(s["m"] * b1 + g * (1 - b1))
    s["m"] = s["m"] * b2 + g * (1 - b2)
    return w


RULES = {
    "SGD": _sgd, "Adam": _adam, "AdamW": _adam, "Adamax": _adamax,
    "Nadam": _nadam, "RMSprop": _rmsprop, "Adagrad": _adagrad,
    "Adadelta": _adadelta, "Ftrl": _ftrl, "Lion": _lion,
}


def _initial_slots(name, w, c):
    zeros = np.zeros_like(w)
    if name in ("Adagrad",):
        return {"acc": np.full_like(w, c["initial_accumulator_value"])}
    if name == "Ftrl":
        return {"n": np.full_like(w, c["initial_accumulator_value"]),
                "z": zeros.copy()}
    keys = ("m", "v", "vhat", "u", "a", "mom", "ag", "ad")
    return {k: zeros.copy() for k in keys}


def _clip(grads, c):
    present = [g for g in grads if g is not None]
    if c.get("clipnorm"):
        cn = c["clipnorm"]
        return [None if g is None
                else g * cn / max(np.sqrt(np.sum(g * g)), cn)
                for g in grads]
    if c.get("global_clipnorm"):
        cn = c["global_clipnorm"]
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in present))
        scale = cn * min(1.0 / norm, 1.0 / cn) if norm else 1.0
        return [None if g is None else g * scale for g in grads]
    if c.get("clipvalue"):
        v = c["clipvalue"]
        return [None if g is None else np.clip(g, -v, v) for g in grads]
    return grads


class KerasReference:
    """Steps a list of float64 NumPy variables as Keras 3 would.

    Args:
        name: the Keras class name (``'Adam'``).
        weights: list of NumPy arrays (copied).
        learning_rate: a float or a function ``step -> lr``.
        **config: optimizer arguments (the class defaults fill the rest).
    """

    def __init__(self, name, weights, learning_rate, **config):
        self.name = name
        self.excluded = set(config.pop("exclude", ()))
        self.c = dict(DEFAULTS[name])
        self.c.update(config)
        self.weights = [np.array(w, dtype=np.float64) for w in weights]
        self.slots = [_initial_slots(name, w, self.c) for w in self.weights]
        self.averages = [np.zeros_like(w) for w in self.weights]
        self.accumulators = [np.zeros_like(w) for w in self.weights]
        self.learning_rate = learning_rate
        self.iterations = 0
        self.u_product = 1.0

    def _lr(self):
        lr = self.learning_rate
        lr = lr(self.iterations) if callable(lr) else lr
        decay = self.c.get("decay") or 0.0
        return lr / (1.0 + decay * self.iterations)

    def step(self, grads):
        c = self.c
        grads = [None if g is None else np.array(g, dtype=np.float64)
                 for g in grads]
        if c.get("loss_scale_factor"):
            grads = [None if g is None else g / c["loss_scale_factor"]
                     for g in grads]
        n = c.get("gradient_accumulation_steps")
        if n:
            local = self.iterations // n
            if (self.iterations + 1) % n:
                for i, g in enumerate(grads):
                    if g is not None:
                        self.accumulators[i] += g
                self._ema(local)
                self.iterations += 1
                return
            grads = [None if g is None else (g + self.accumulators[i]) / n
                     for i, g in enumerate(grads)]
            self.accumulators = [np.zeros_like(a) for a in self.accumulators]
        else:
            local = self.iterations
        self._update(_clip(grads, c), local + 1)
        self._ema(local)
        self.iterations += 1

    def _update(self, grads, t):
        lr = self._lr()
        if self.name == "Nadam":
            self.u_product *= self.c["beta_1"] * (1.0 - 0.5 * 0.96 ** t)
            for s in self.slots:
                s["u_product"] = self.u_product
        rule = RULES[self.name]
        for i, g in enumerate(grads):
            if g is None:
                continue
            w = self.weights[i]
            if self.c.get("weight_decay") and i not in self.excluded:
                w = w - w * self.c["weight_decay"] * lr
            self.weights[i] = rule(w, g, self.slots[i], lr, t, self.c)

    def _ema(self, local):
        if not self.c.get("use_ema"):
            return
        momentum = self.c.get("ema_momentum", 0.99) if local != 0 else 0.0
        for i, w in enumerate(self.weights):
            self.averages[i] = momentum * self.averages[i] + (1 - momentum) * w
        frequency = self.c.get("ema_overwrite_frequency")
        if frequency and (local + 1) % frequency == 0:
            self.weights = [a.copy() for a in self.averages]


# ---------------------------------------------------------------------------
# Harness.

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]
STEPS = 6
LR_SWITCH_AT = 3  # learning rate changes before this step


def _data(seed=0, steps=STEPS):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=s) for s in SHAPES]
    # Varying scales so that amsgrad, clipping and Adamax's max matter.
    scales = [1.0, 3.0, 0.2, 2.0, 0.5, 1.5, 0.7, 2.5][:steps]
    grads = [[rng.normal(size=s) * k for s in SHAPES] for k in scales]
    return weights, grads


def _torch_params(weights, dtype):
    return [torch.nn.Parameter(torch.tensor(w, dtype=dtype)) for w in weights]


def _set_grads(params, grads, dtype):
    for p, g in zip(params, grads):
        p.grad = None if g is None else torch.tensor(g, dtype=dtype)


def _run_both(name, kwargs, lr_a=0.05, lr_b=0.02, dtype=torch.float64,
              grads_hook=None, steps=STEPS):
    weights, grads = _data(steps=steps)
    if grads_hook is not None:
        grads = grads_hook(grads)
    params = _torch_params(weights, dtype)
    opt = getattr(optimizers, name)(learning_rate=lr_a, **kwargs)
    opt.build(params)
    ref = KerasReference(name, weights, lr_a, **kwargs)
    for step, step_grads in enumerate(grads):
        if step == LR_SWITCH_AT:
            opt.learning_rate = lr_b
            ref.learning_rate = lr_b
        _set_grads(params, step_grads, dtype)
        opt.step()
        opt.zero_grad(set_to_none=True)
        ref.step(step_grads)
        for p, w in zip(params, ref.weights):
            np.testing.assert_allclose(
                p.detach().numpy(), w, rtol=1e-9 if dtype == torch.float64
                else 2e-5, atol=1e-12 if dtype == torch.float64 else 1e-6,
                err_msg=f"{name}({kwargs}) step {step}",
            )
    return opt, params, ref


CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"momentum": 0.5, "clipnorm": 0.8}),
    ("SGD", {"weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("Adam", {"clipvalue": 0.3}),
    ("Adam", {"global_clipnorm": 1.5}),
    ("Adam", {"weight_decay": 0.05}),
    ("Adam", {"beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"clipnorm": 0.5}),
    ("Nadam", {}),
    ("Nadam", {"global_clipnorm": 1.0, "beta_1": 0.85}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"centered": True, "momentum": 0.3, "rho": 0.8}),
    ("RMSprop", {"clipvalue": 0.5}),
    ("Adagrad", {}),
    ("Adagrad", {"initial_accumulator_value": 0.0, "weight_decay": 0.02}),
    ("Adadelta", {}),
    ("Adadelta", {"rho": 0.9, "global_clipnorm": 2.0}),
    ("Ftrl", {}),
    ("Ftrl", {"l1_regularization_strength": 0.01,
              "l2_regularization_strength": 0.1,
              "l2_shrinkage_regularization_strength": 0.05, "beta": 0.2}),
    ("Ftrl", {"learning_rate_power": 0.0, "initial_accumulator_value": 0.5,
              "l1_regularization_strength": 0.001}),
    ("Lion", {}),
    ("Lion", {"weight_decay": 0.3, "beta_1": 0.5}),
]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_rule_matches_keras(name):
    for case_name, kwargs in CASES:
        if case_name == name:
            _run_both(name, kwargs)
    # float32 parameters: Keras's own dtype, at float32 tolerance.
    _run_both(name, {}, dtype=torch.float32)


def test_epsilon_is_outside_adam_bias_correction():
    # torch.optim.Adam (epsilon inside the correction, 1e-8) gives other
    # numbers; the Keras rule must differ from it.
    _, params, _ = _run_both("Adam", {"epsilon": 1e-2}, steps=2)
    weights, grads = _data(steps=2)
    torch_params = _torch_params(weights, torch.float64)
    torch_adam = torch.optim.Adam(torch_params, lr=0.05, eps=1e-2)
    for step_grads in grads:
        _set_grads(torch_params, step_grads, torch.float64)
        torch_adam.step()
    assert not torch.allclose(params[0], torch_params[0], rtol=1e-6)


def test_missing_gradient_is_skipped_and_iterations_count():
    def drop(grads):
        grads[1][0] = None
        grads[4][2] = None
        return grads

    opt, params, ref = _run_both("Adam", {}, grads_hook=drop)
    assert int(opt.iterations) == STEPS
    assert opt.iterations.dtype == torch.int64


def test_no_gradient_at_all_does_nothing():
    weights, _ = _data()
    params = _torch_params(weights, torch.float64)
    opt = optimizers.Adam()
    opt.build(params)
    opt.step()
    assert int(opt.iterations) == 0
    np.testing.assert_array_equal(params[0].detach().numpy(), weights[0])


def test_schedule_learning_rate():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    weights, grads = _data()
    params = _torch_params(weights, torch.float64)
    opt = optimizers.Adam(learning_rate=schedule)
    opt.build(params)
    ref = KerasReference("Adam", weights, lambda t: 0.1 * 0.5 ** (t / 2))
    for step_grads in grads:
        assert opt.learning_rate == pytest.approx(
            0.1 * 0.5 ** (ref.iterations / 2))
        _set_grads(params, step_grads, torch.float64)
        opt.step()
        ref.step(step_grads)
    for p, w in zip(params, ref.weights):
        np.testing.assert_allclose(p.detach().numpy(), w, rtol=1e-9)


def test_switch_float_to_schedule_mid_training():
    weights, grads = _data()
    params = _torch_params(weights, torch.float64)
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    opt.build(params)
    ref = KerasReference("SGD", weights, 0.1, momentum=0.9)
    for step, step_grads in enumerate(grads):
        if step == LR_SWITCH_AT:
            opt.learning_rate = schedules.InverseTimeDecay(0.2, 1.0, 0.5)
            ref.learning_rate = lambda t: 0.2 / (1 + 0.5 * t)
        _set_grads(params, step_grads, torch.float64)
        opt.step()
        ref.step(step_grads)
    for p, w in zip(params, ref.weights):
        np.testing.assert_allclose(p.detach().numpy(), w, rtol=1e-9)


def test_tf_keras2_lr_and_decay_keywords():
    weights, grads = _data()
    params = _torch_params(weights, torch.float64)
    opt = optimizers.SGD(lr=0.1, decay=0.5)
    opt.build(params)
    # tf.keras 2 legacy: lr_t = lr / (1 + decay * iterations).
    ref = KerasReference("SGD", weights, 0.1, decay=0.5)
    for step_grads in grads:
        _set_grads(params, step_grads, torch.float64)
        opt.step()
        ref.step(step_grads)
    assert opt.lr == 0.1
    for p, w in zip(params, ref.weights):
        np.testing.assert_allclose(p.detach().numpy(), w, rtol=1e-9)


@pytest.mark.parametrize("kwargs", [
    {"use_ema": True, "ema_momentum": 0.9},
    {"use_ema": True, "ema_momentum": 0.8, "ema_overwrite_frequency": 2},
    {"gradient_accumulation_steps": 2},
    {"gradient_accumulation_steps": 3, "clipnorm": 1.0,
     "weight_decay": 0.1},
    {"loss_scale_factor": 8.0, "clipvalue": 0.2},
])
def test_base_options_match_keras(kwargs):
    for name in ("Adam", "Nadam", "SGD"):
        extra = {"momentum": 0.9} if name == "SGD" else {}
        opt, params, ref = _run_both(name, {**kwargs, **extra})
    if kwargs.get("use_ema"):
        opt.finalize_variable_values()
        for p, a in zip(params, ref.averages):
            np.testing.assert_allclose(p.detach().numpy(), a, rtol=1e-9)


def test_gradient_accumulation_iterations_property():
    opt, _, _ = _run_both("Adam", {"gradient_accumulation_steps": 2})
    assert int(opt.iterations) == STEPS // 2


def test_exclude_from_weight_decay():
    weights, grads = _data()
    params = _torch_params(weights, torch.float64)
    params[2].path = "dense/bias"
    opt = optimizers.AdamW(learning_rate=0.1, weight_decay=0.2)
    opt.exclude_from_weight_decay(var_list=[params[0]], var_names=["bias"])
    opt.build(params)
    ref = KerasReference("AdamW", weights, 0.1, weight_decay=0.2,
                         exclude=(0, 2))
    for step_grads in grads:
        _set_grads(params, step_grads, torch.float64)
        opt.step()
        ref.step(step_grads)
    for p, w in zip(params, ref.weights):
        np.testing.assert_allclose(p.detach().numpy(), w, rtol=1e-9)


def test_exclude_from_weight_decay_by_named_parameters():
    model = torch.nn.Linear(3, 2).double()
    weights = [model.weight.detach().numpy().copy(),
               model.bias.detach().numpy().copy()]
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.build(model.named_parameters())
    model.weight.grad = torch.ones_like(model.weight)
    model.bias.grad = torch.ones_like(model.bias)
    opt.step()
    np.testing.assert_allclose(model.weight.detach().numpy(),
                               weights[0] * (1 - 0.05) - 0.1)
    np.testing.assert_allclose(model.bias.detach().numpy(), weights[1] - 0.1)
