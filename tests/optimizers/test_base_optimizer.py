"""The optimizer contract: building, state, configs, names, errors, no syncs.

Update-rule numbers are checked against a NumPy oracle in
``test_optimizer_rules.py``; here resumed runs are checked against
uninterrupted ones, configs against Keras 3's keys and defaults, and
``step()`` against any host read-back.
"""

import copy
import io

import pytest
import torch

from torchkeras import optimizers
from torchkeras.optimizers import schedules

ALL_NAMES = ["SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad",
             "Adadelta", "Ftrl", "Lion"]


def _params(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(s, generator=gen))
            for s in [(3, 4), (5,), ()]]


def _grads(step, params):
    gen = torch.Generator().manual_seed(100 + step)
    return [torch.randn(p.shape, generator=gen) * (1 + step % 3)
            for p in params]


def _train(opt, params, steps, start=0):
    for step in range(start, start + steps):
        for p, g in zip(params, _grads(step, params)):
            p.grad = g
        opt.step()
        opt.zero_grad(set_to_none=True)


# ---------------------------------------------------------------------------
# Building.


def test_construct_before_parameters_then_build():
    opt = optimizers.Adam(learning_rate=0.01)
    assert not opt.built and opt.param_groups == []
    assert opt.learning_rate == 0.01
    params = _params()
    opt.build(params)
    assert opt.built
    assert len(opt.param_groups) == 1
    assert set(opt.state[params[0]]) == {"momentum", "velocity"}
    assert opt.param_groups[0]["lr"] == 0.01


def test_build_again_same_params_is_noop_other_params_rebuilds():
    params = _params()
    opt = optimizers.Adam()
    opt.build(params)
    _train(opt, params, 2)
    momentum = opt.state[params[0]]["momentum"]
    opt.build(list(params))
    assert opt.state[params[0]]["momentum"] is momentum
    extra = torch.nn.Parameter(torch.ones(2))
    opt.build([params[0], extra])
    # A parameter that stays keeps its slots; a new one starts at zero.
    assert opt.state[params[0]]["momentum"] is momentum
    assert torch.count_nonzero(opt.state[extra]["momentum"]) == 0
    assert params[1] not in opt.state
    assert int(opt.iterations) == 2
    _train(opt, [params[0], extra], 1)
    assert int(opt.iterations) == 3


def test_torch_style_construction():
    params = _params()
    opt = optimizers.SGD(params, lr=0.5, momentum=0.9)
    assert opt.built and opt.learning_rate == 0.5 and opt.momentum == 0.9
    model = torch.nn.Linear(2, 3)
    adam = optimizers.Adam(model.parameters(), 0.02)
    assert adam.built and adam.learning_rate == 0.02
    assert len(adam.param_groups[0]["params"]) == 2
    keyword = optimizers.RMSprop(params=model.parameters())
    assert keyword.built and keyword.learning_rate == 0.001
    groups = optimizers.SGD([{"params": [model.weight]},
                             {"params": [model.bias], "lr": 0.1}], lr=1.0)
    model.weight.grad = torch.ones_like(model.weight)
    model.bias.grad = torch.ones_like(model.bias)
    before = [model.weight.detach().clone(), model.bias.detach().clone()]
    groups.step()
    torch.testing.assert_close(model.weight, before[0] - 1.0)
    torch.testing.assert_close(model.bias, before[1] - 0.1)


def test_works_with_torch_lr_scheduler():
    param = torch.nn.Parameter(torch.zeros(()))
    opt = optimizers.SGD([param], learning_rate=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    param.grad = torch.ones(())
    opt.step()
    scheduler.step()
    assert opt.learning_rate == 0.5
    opt.step()
    torch.testing.assert_close(param.detach(), torch.tensor(-1.5))


def test_step_with_closure_and_apply_gradients():
    params = _params()
    opt = optimizers.SGD(params, learning_rate=0.1)
    target = [p.detach().clone() for p in params]

    def closure():
        opt.zero_grad()
        loss = sum((p ** 2).sum() for p in params)
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert torch.is_tensor(loss)
    for p, t in zip(params, target):
        torch.testing.assert_close(p.detach(), t - 0.1 * 2 * t)
    fresh = _params()
    before = [p.detach().clone() for p in fresh]
    sgd = optimizers.SGD(learning_rate=0.5, clipvalue=0.1)
    grads = [torch.ones_like(p) for p in fresh]
    iterations = sgd.apply_gradients(zip(grads, fresh))
    assert int(iterations) == 1 and sgd.built
    assert all(p.grad is None for p in fresh)
    assert all(bool((g == 1).all()) for g in grads)  # caller's untouched
    for p, b in zip(fresh, before):
        torch.testing.assert_close(p.detach(), b - 0.05)


# ---------------------------------------------------------------------------
# State: resume exactly, Keras variable order.


def _make(name, params):
    kwargs = {
        "SGD": dict(momentum=0.9, nesterov=True),
        "Adam": dict(amsgrad=True, learning_rate=schedules.ExponentialDecay(
            0.01, 2, 0.5)),
        "RMSprop": dict(centered=True, momentum=0.5),
        "Ftrl": dict(l1_regularization_strength=0.01),
    }.get(name, {})
    opt = getattr(optimizers, name)(use_ema=True, **kwargs)
    opt.build(params)
    return opt


def test_state_dict_round_trip_continues_identically():
    for name in ALL_NAMES:
        params = _params()
        opt = _make(name, params)
        _train(opt, params, 3)
        if name != "Adam":  # Adam runs a schedule here.
            opt.learning_rate = 0.003
        buffer = io.BytesIO()
        torch.save(opt.state_dict(), buffer)
        clones = [torch.nn.Parameter(p.detach().clone()) for p in params]
        resumed = _make(name, clones)
        buffer.seek(0)
        resumed.load_state_dict(torch.load(buffer))
        assert int(resumed.iterations) == 3
        assert resumed.learning_rate == opt.learning_rate
        _train(opt, params, 3, start=3)
        _train(resumed, clones, 3, start=3)
        for p, c in zip(params, clones):
            torch.testing.assert_close(p, c, rtol=0, atol=0, msg=name)


def test_set_weights_and_own_variables_round_trip():
    for name in ALL_NAMES:
        params = _params()
        opt = _make(name, params)
        _train(opt, params, 2)
        store = {}
        opt.save_own_variables(store)
        assert len(store) == len(opt.variables)
        clones = [torch.nn.Parameter(p.detach().clone()) for p in params]
        other = _make(name, clones)
        other.load_own_variables(store)
        third_clones = [torch.nn.Parameter(p.detach().clone())
                        for p in params]
        third = _make(name, third_clones)
        third.set_weights(opt.get_weights())
        for run, run_params in ((opt, params), (other, clones),
                                (third, third_clones)):
            _train(run, run_params, 2, start=2)
        for p, c, t in zip(params, clones, third_clones):
            torch.testing.assert_close(p, c, rtol=0, atol=0, msg=name)
            torch.testing.assert_close(p, t, rtol=0, atol=0, msg=name)


def test_variables_follow_keras_order():
    a, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(
        torch.zeros(3))
    adam = optimizers.Adam(amsgrad=True)
    adam.build([a, b])
    v = adam.variables
    assert v[0] is adam.iterations and v[0].dtype == torch.int64
    assert float(v[1]) == pytest.approx(0.001)
    # Keras 3: momentum and velocity interleaved per weight, then the
    # velocity_hats (`add_optimizer_variables` order).
    slots = [(p, n) for p in (a, b) for n in ("momentum", "velocity")] + [
        (p, "velocity_hat") for p in (a, b)]
    assert len(v) == 2 + len(slots)
    for tensor, (p, n) in zip(v[2:], slots):
        assert tensor is adam.state[p][n]
    adamax = optimizers.Adamax(learning_rate=schedules.InverseTimeDecay(
        0.1, 1, 1))
    adamax.build([a, b])
    expected = [adamax.state[p][n] for p in (a, b)
                for n in ("momentum", "norm")]
    assert len(adamax.variables) == 1 + 4  # no learning-rate variable
    assert all(x is y for x, y in zip(adamax.variables[1:], expected))
    nadam = optimizers.Nadam(use_ema=True)
    nadam.build([a])
    names = [n for n in ("average", "momentum", "velocity")]
    assert [t is nadam.state[a][n] for t, n in
            zip(nadam.variables[2:5], names)] == [True] * 3
    assert float(nadam.variables[-1]) == 1.0  # u_product


# ---------------------------------------------------------------------------
# Configs and names.


def test_keras3_defaults_and_config_keys():
    expected = {
        "SGD": dict(name="SGD", learning_rate=0.01, momentum=0.0,
                    nesterov=False),
        "Adam": dict(name="adam", learning_rate=0.001, beta_1=0.9,
                     beta_2=0.999, epsilon=1e-7, amsgrad=False),
        "AdamW": dict(name="adamw", weight_decay=0.004, epsilon=1e-7),
        "Adamax": dict(name="adamax", beta_2=0.999, epsilon=1e-7),
        "Nadam": dict(name="nadam", beta_1=0.9, epsilon=1e-7),
        "RMSprop": dict(name="rmsprop", learning_rate=0.001, rho=0.9,
                        momentum=0.0, epsilon=1e-7, centered=False),
        "Adagrad": dict(name="adagrad", initial_accumulator_value=0.1,
                        epsilon=1e-7),
        "Adadelta": dict(name="adadelta", learning_rate=0.001, rho=0.95,
                         epsilon=1e-7),
        "Ftrl": dict(name="ftrl", learning_rate_power=-0.5,
                     initial_accumulator_value=0.1,
                     l1_regularization_strength=0.0,
                     l2_regularization_strength=0.0,
                     l2_shrinkage_regularization_strength=0.0, beta=0.0),
        "Lion": dict(name="lion", learning_rate=0.001, beta_1=0.9,
                     beta_2=0.99),
    }
    base_keys = {"name", "learning_rate", "weight_decay", "clipnorm",
                 "global_clipnorm", "clipvalue", "use_ema", "ema_momentum",
                 "ema_overwrite_frequency", "loss_scale_factor",
                 "gradient_accumulation_steps"}
    for name, values in expected.items():
        config = getattr(optimizers, name)().get_config()
        assert base_keys <= set(config), name
        for key, value in values.items():
            assert config[key] == value, (name, key)


def test_config_round_trip_all_optimizers():
    for name in ALL_NAMES:
        cls = getattr(optimizers, name)
        opt = cls(learning_rate=0.123, clipnorm=2.0, use_ema=True,
                  ema_momentum=0.5, name=f"my_{name}")
        config = opt.get_config()
        restored = cls.from_config(config)
        assert type(restored) is cls
        assert restored.get_config() == config
        via_get = optimizers.get(optimizers.serialize(opt))
        assert via_get.get_config() == config
    scheduled = optimizers.SGD(
        learning_rate=schedules.CosineDecay(0.1, 100), momentum=0.5)
    restored = optimizers.deserialize(optimizers.serialize(scheduled))
    assert isinstance(restored._learning_rate, schedules.CosineDecay)
    assert restored.get_config() == scheduled.get_config()


def test_tf_keras2_configs_load():
    new_style = {"class_name": "Adam", "config": {
        "name": "Adam", "weight_decay": None, "clipnorm": None,
        "global_clipnorm": None, "clipvalue": None, "use_ema": False,
        "ema_momentum": 0.99, "ema_overwrite_frequency": None,
        "jit_compile": True, "is_legacy_optimizer": False,
        "learning_rate": 0.0005, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False}}
    assert optimizers.get(new_style).learning_rate == 0.0005
    legacy = {"class_name": "RMSprop", "config": {
        "name": "RMSprop", "learning_rate": 0.01, "decay": 0.0, "rho": 0.9,
        "momentum": 0.0, "epsilon": 1e-07, "centered": False}}
    assert optimizers.deserialize(legacy).rho == 0.9
    with_schedule = {"class_name": "SGD", "config": {
        "learning_rate": {"class_name": "ExponentialDecay", "config": {
            "initial_learning_rate": 0.1, "decay_steps": 10,
            "decay_rate": 0.5, "staircase": False, "name": None}}}}
    assert optimizers.get(with_schedule).learning_rate == 0.1
    assert optimizers.legacy.Adam is optimizers.Adam


def test_get_by_name_instance_and_torch_optimizer():
    for name in ALL_NAMES:
        for spelling in (name, name.lower(), name.upper()):
            assert type(optimizers.get(spelling)) is getattr(optimizers, name)
    adam = optimizers.Adam()
    assert optimizers.get(adam) is adam
    torch_sgd = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    assert optimizers.get(torch_sgd) is torch_sgd
    assert optimizers.get(None) is None
    with pytest.raises(ValueError, match="Received: identifier='adamm'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Received: identifier=3"):
        optimizers.get(3)


def test_learning_rate_property_and_alias():
    opt = optimizers.SGD(learning_rate=0.1)
    # A variable, as in Keras 3 (tests/optimizers/test_optimizer_lr_variable
    # checks its semantics); `float()` gives the exact value set.
    assert opt.lr is opt.learning_rate and float(opt.lr) == 0.1
    opt.lr = 0.2
    assert float(opt.learning_rate) == 0.2
    opt.learning_rate = schedules.ExponentialDecay(1.0, 1, 0.5)
    # With a schedule: its current value, a tensor (Keras 3).
    assert opt.learning_rate.dtype == torch.float32
    assert float(opt.learning_rate) == 1.0
    assert len(opt.variables) == 1  # iterations; no learning-rate variable
    copied = copy.deepcopy(opt)
    assert copied.get_config() == opt.get_config()


# ---------------------------------------------------------------------------
# Bad input.


BAD_ARGUMENTS = [
    (lambda: optimizers.Adam(learning_rate=-0.1), "learning_rate=-0.1"),
    (lambda: optimizers.Adam(learning_rate="fast"), "learning_rate='fast'"),
    (lambda: optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0),
     "Received: clipnorm=1.0"),
    (lambda: optimizers.SGD(clipvalue=-1.0), "clipvalue=-1.0"),
    (lambda: optimizers.Adam(foo=1), "Received: {'foo': 1}"),
    (lambda: optimizers.AdamW(weight_decay=None), "weight_decay=None"),
    (lambda: optimizers.SGD(momentum=1.5), "momentum=1.5"),
    (lambda: optimizers.Adam(use_ema=True, ema_momentum=2),
     "ema_momentum=2"),
    (lambda: optimizers.Adam(gradient_accumulation_steps=1),
     "gradient_accumulation_steps=1"),
    (lambda: optimizers.Ftrl(l1_regularization_strength=-1.0),
     "l1_regularization_strength=-1.0"),
    (lambda: optimizers.Ftrl(learning_rate_power=0.5),
     "learning_rate_power=0.5"),
    (lambda: optimizers.Lion(beta_1=0.0), "beta_1=0.0"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1),
     "initial_accumulator_value=-1"),
    (lambda: optimizers.Adam().step(), "Received: built=False"),
    (lambda: optimizers.SGD([{"params": _params(), "momentum": 0.9}]),
     "param group keys"),
    (lambda: optimizers.SGD([torch.nn.Parameter(torch.ones(2,
                                                           dtype=torch.int64),
                                                requires_grad=False)]),
     "floating point"),
    (lambda: optimizers.SGD(_params()).apply(
        [torch.ones(2)], [torch.nn.Parameter(torch.ones(2))]),
     "unknown variable"),
]


def test_bad_arguments_raise_value_error():
    for build, match in BAD_ARGUMENTS:
        with pytest.raises(ValueError, match=match):
            build()


# ---------------------------------------------------------------------------
# Hot path.

_SYNCING = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__",
            "__index__")


def test_step_never_reads_values_back_to_host(monkeypatch):
    configs = [dict(), dict(clipnorm=0.5), dict(global_clipnorm=0.5),
               dict(clipvalue=0.1, weight_decay=0.1, use_ema=True,
                    ema_overwrite_frequency=2),
               dict(gradient_accumulation_steps=2, loss_scale_factor=4.0)]
    runs = []
    for name in ALL_NAMES:
        for kwargs in configs:
            params = _params()
            runs.append((getattr(optimizers, name)(params, **kwargs), params))
            runs[-1][0].learning_rate = schedules.CosineDecay(0.1, 10)

    def refuse(*args, **kwargs):
        raise AssertionError("step() read a tensor value on the host")

    grads = [_grads(step, runs[0][1]) for step in range(3)]
    with monkeypatch.context() as patch:
        for method in _SYNCING:
            patch.setattr(torch.Tensor, method, refuse)
        for opt, params in runs:
            for step_grads in grads:
                for p, g in zip(params, step_grads):
                    p.grad = g
                opt.step()
    for opt, params in runs:
        assert int(opt._iterations) == 3
        assert all(bool(torch.isfinite(p).all()) for p in params)
