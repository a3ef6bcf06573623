"""The optimizer's state as Keras files list it (``optimizer_state``).

Orders are checked against hand-written lists read off Keras 3.15's and
tf.keras 2's ``build`` methods (keras/src/optimizers/*.py,
tf_keras/optimizers/*.py and legacy/*.py); values after one step against
NumPy's formulas; resumed runs against uninterrupted ones.
"""

import numpy as np
import pytest
import torch

from torchkeras import mixed_precision
from torchkeras import optimizers
from torchkeras.optimizers import optimizer_state

KERAS3 = optimizer_state.FLAVOR_KERAS3
TF_KERAS = optimizer_state.FLAVOR_TF_KERAS
LEGACY = optimizer_state.FLAVOR_TF_KERAS_LEGACY


def _params(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(s, generator=gen))
            for s in [(3, 4), (5,)]]


def _clones(params):
    return [torch.nn.Parameter(p.detach().clone()) for p in params]


def _grads(step, params):
    gen = torch.Generator().manual_seed(100 + step)
    return [torch.randn(p.shape, generator=gen) for p in params]


def _train(opt, params, steps, start=0):
    for step in range(start, start + steps):
        for p, g in zip(params, _grads(step, params)):
            p.grad = g
        opt.step()
        opt.zero_grad(set_to_none=True)


def _slot_names(opt, flavor=KERAS3):
    """(name, index of the parameter or None) for each listed variable."""
    params = opt.param_groups[0]["params"]
    index = {id(p): i for i, p in enumerate(params)}
    return [(v.name, None if v.param is None else index[id(v.param)])
            for v in opt.export_keras_variables(flavor=flavor)]


# Keras 3.15 ``build``: pairs made by one ``add_optimizer_variables`` call
# interleave per variable; separate calls follow one another.
KERAS3_ORDERS = {
    "Adam": (dict(amsgrad=True), [
        ("momentum", 0), ("velocity", 0), ("momentum", 1), ("velocity", 1),
        ("velocity_hat", 0), ("velocity_hat", 1)]),
    "AdamW": ({}, [("momentum", 0), ("velocity", 0), ("momentum", 1),
                   ("velocity", 1)]),
    "Nadam": ({}, [("momentum", 0), ("velocity", 0), ("momentum", 1),
                   ("velocity", 1), ("u_product", None)]),
    "RMSprop": (dict(momentum=0.5, centered=True), [
        ("velocity", 0), ("velocity", 1), ("momentum", 0), ("momentum", 1),
        ("average_gradient", 0), ("average_gradient", 1)]),
    "Adadelta": ({}, [("accumulated_grad", 0),
                      ("accumulated_delta_var", 0),
                      ("accumulated_grad", 1),
                      ("accumulated_delta_var", 1)]),
    "Adamax": ({}, [("momentum", 0), ("norm", 0), ("momentum", 1),
                    ("norm", 1)]),
    "Ftrl": ({}, [("accumulator", 0), ("linear", 0), ("accumulator", 1),
                  ("linear", 1)]),
    "SGD": (dict(momentum=0.9), [("momentum", 0), ("momentum", 1)]),
    "Lion": ({}, [("momentum", 0), ("momentum", 1)]),
    "Adagrad": ({}, [("accumulator", 0), ("accumulator", 1)]),
}


@pytest.mark.parametrize("name", sorted(KERAS3_ORDERS))
def test_keras3_order_of_every_optimizer(name):
    kwargs, slots = KERAS3_ORDERS[name]
    opt = getattr(optimizers, name)(**kwargs)
    opt.build(_params())
    expected = [("iteration", None), ("learning_rate", None)] + slots
    assert _slot_names(opt) == expected
    # ``variables`` is the same list, torch side.
    exported = opt.export_keras_variables()
    assert len(opt.variables) == len(exported)
    for tensor, value in zip(opt.variables, exported):
        np.testing.assert_array_equal(tensor.detach().numpy(), value.value)


def test_ema_then_accumulators_then_slots_as_keras_base_build():
    opt = optimizers.SGD(momentum=0.5, use_ema=True,
                         gradient_accumulation_steps=2)
    opt.build(_params())
    assert _slot_names(opt)[2:] == [
        ("average", 0), ("average", 1), ("gradient_accumulator", 0),
        ("gradient_accumulator", 1), ("momentum", 0), ("momentum", 1)]


def test_tf_keras_names_and_orders():
    adam = optimizers.Adam(amsgrad=True)
    adam.build(_params())
    # tf_keras/optimizers/adam.py: iteration, (m, v) per variable, vhat.
    assert _slot_names(adam, TF_KERAS) == [
        ("iteration", None), ("m", 0), ("v", 0), ("m", 1), ("v", 1),
        ("vhat", 0), ("vhat", 1)]
    # legacy/adam.py ``_create_slots``: every m, every v, every vhat.
    assert _slot_names(adam, LEGACY) == [
        ("iteration", None), ("m", 0), ("m", 1), ("v", 0), ("v", 1),
        ("vhat", 0), ("vhat", 1)]
    rms = optimizers.RMSprop(momentum=0.5)
    rms.build(_params())
    assert _slot_names(rms, TF_KERAS) == [
        ("iteration", None), ("velocity", 0), ("velocity", 1),
        ("momentum", 0), ("momentum", 1)]
    nadam = optimizers.Nadam()
    nadam.build(_params())  # tf.keras keeps no u_product, no lr
    assert [n for n, _ in _slot_names(nadam, TF_KERAS)] == [
        "iteration", "m", "v", "m", "v"]


def test_values_after_one_adam_step_match_numpy():
    params = _params()
    grads = _grads(0, params)
    opt = optimizers.Adam(learning_rate=0.003, beta_1=0.8, beta_2=0.9)
    opt.build(params)
    for p, g in zip(params, grads):
        p.grad = g.clone()
    opt.step()
    values = [v.value for v in opt.export_keras_variables()]
    assert values[0] == 1 and values[0].dtype == np.int64
    assert values[1].dtype == np.float32 and values[1] == np.float32(0.003)
    for i, g in enumerate(grads):
        g = g.numpy().astype(np.float64)
        np.testing.assert_allclose(values[2 + 2 * i], 0.2 * g, rtol=1e-6)
        np.testing.assert_allclose(values[3 + 2 * i], 0.1 * g * g,
                                   rtol=1e-5)


@pytest.mark.parametrize("flavor", [KERAS3, TF_KERAS])
@pytest.mark.parametrize("name,kwargs", [
    ("Adam", dict(amsgrad=True)), ("SGD", dict(momentum=0.9)),
    ("RMSprop", dict(momentum=0.5, centered=True)), ("Nadam", {}),
    ("Adadelta", {}), ("Ftrl", {}), ("Adamax", {}), ("Lion", {}),
    ("Adagrad", {}),
])
def test_export_then_import_resumes_bit_identically(flavor, name, kwargs):
    params = _params()
    opt = getattr(optimizers, name)(learning_rate=0.003, **kwargs)
    opt.build(params)
    _train(opt, params, 3)
    values = [v.value for v in opt.export_keras_variables(flavor=flavor)]
    clones = _clones(params)
    resumed = getattr(optimizers, name)(learning_rate=0.003, **kwargs)
    resumed.build(clones)
    resumed.import_keras_variables(values, flavor=flavor)
    # float32 in the file, the exact value back (the config's, and Nadam's
    # u_product recomputed from the step count).
    assert resumed.learning_rate == 0.003
    assert int(resumed.iterations) == 3
    _train(opt, params, 2, start=3)
    _train(resumed, clones, 2, start=3)
    for p, c in zip(params, clones):
        torch.testing.assert_close(p, c, rtol=0, atol=0, msg=name)


def test_stored_learning_rate_wins_when_it_differs():
    params = _params()
    opt = optimizers.SGD(learning_rate=0.003)
    opt.build(params)
    other = optimizers.SGD(learning_rate=0.1)
    other.build(_clones(params))
    other.import_keras_variables(
        [v.value for v in opt.export_keras_variables()])
    assert other.learning_rate == float(np.float32(0.003))


def test_legacy_order_is_read_slot_major():
    params = _params()
    opt = optimizers.Adam()
    opt.build(params)
    _train(opt, params, 2)
    m = [opt.state[p]["momentum"].numpy() for p in params]
    v = [opt.state[p]["velocity"].numpy() for p in params]
    fresh = optimizers.Adam()
    clones = _clones(params)
    fresh.build(clones)
    fresh.import_keras_variables([np.int64(2)] + m + v, flavor=LEGACY)
    for p, c in zip(params, clones):
        np.testing.assert_array_equal(fresh.state[c]["momentum"],
                                      opt.state[p]["momentum"])
        np.testing.assert_array_equal(fresh.state[c]["velocity"],
                                      opt.state[p]["velocity"])


def test_mismatch_raises_before_anything_changes():
    params = _params()
    opt = optimizers.Adam()
    opt.build(params)
    _train(opt, params, 1)
    values = [v.value for v in opt.export_keras_variables()]
    fresh = optimizers.Adam()
    fresh.build(_clones(params))
    with pytest.raises(ValueError, match="has 6 variables.*Received: 5"):
        fresh.prepare_keras_variables(values[:-1])
    bad = values[:-1] + [np.zeros((2, 2), np.float32)]
    with pytest.raises(ValueError, match=r"variable 5 \('velocity'\) has "
                                         r"shape \(5,\)"):
        fresh.import_keras_variables(bad)
    assert int(fresh.iterations) == 0
    assert all(float(abs(v).sum()) == 0 for v in fresh.variables[2:])
    with pytest.raises(ValueError, match="flavor"):
        fresh.export_keras_variables(flavor="tf")
    with pytest.raises(ValueError, match="not yet been built"):
        optimizers.Adam().export_keras_variables()


def test_layout_hooks_are_used_for_slots():
    class Transposed:  # a weight stored (out, in), Keras (in, out)
        def to_keras(self, param, tensor):
            return tensor.detach().numpy().T.copy()

        def from_keras(self, param, array):
            return torch.as_tensor(np.asarray(array).T)

        def keras_shape(self, param):
            return tuple(reversed(param.shape))

    params = _params()
    opt = optimizers.SGD(momentum=0.9)
    opt.build(params)
    _train(opt, params, 1)
    values = opt.export_keras_variables(Transposed())
    assert values[2].value.shape == (4, 3)
    np.testing.assert_array_equal(values[2].value,
                                  opt.state[params[0]]["momentum"].numpy().T)
    fresh = optimizers.SGD(momentum=0.9)
    clones = _clones(params)
    fresh.build(clones)
    fresh.import_keras_variables([v.value for v in values], Transposed())
    np.testing.assert_array_equal(fresh.state[clones[0]]["momentum"],
                                  opt.state[params[0]]["momentum"])


def test_loss_scale_optimizer_maps_its_own_then_inner_variables():
    params = _params()
    opt = mixed_precision.LossScaleOptimizer(optimizers.Adam(0.01),
                                             initial_scale=8.0)
    opt.build(params)
    _train(opt, params, 2)
    keras3 = opt.export_keras_variables()
    assert len(keras3) == len(opt.variables)
    assert [v.name for v in keras3[4:6]] == ["iteration", "learning_rate"]
    tf_keras = opt.export_keras_variables(flavor=TF_KERAS)
    assert [v.name for v in tf_keras] == ["iteration", "m", "v", "m", "v"]
    clones = _clones(params)
    resumed = mixed_precision.LossScaleOptimizer(optimizers.Adam(0.01),
                                                 initial_scale=2.0)
    resumed.build(clones)
    resumed.import_keras_variables([v.value for v in keras3])
    assert float(resumed.variables[3]) == float(opt.variables[3])
    _train(opt, params, 2, start=2)
    _train(resumed, clones, 2, start=2)
    for p, c in zip(params, clones):
        torch.testing.assert_close(p, c, rtol=0, atol=0)
