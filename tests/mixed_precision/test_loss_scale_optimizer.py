"""LossScaleOptimizer against Keras 3's dynamic loss-scaling rule.

The reference is the rule written out in plain Python (a non-finite step
is skipped and halves the scale; ``dynamic_growth_steps`` finite steps in a
row double it) and SGD's update ``w - lr * g`` with the unscaled gradient.
A float16 case on the CPU shows the point of it all: a gradient that
underflows to zero in float16 survives when the loss is scaled.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from torchkeras import mixed_precision
from torchkeras import optimizers

INF = float("inf")


def _reference(finite_flags, scale, growth_steps):
    counter, out = 0, []
    for finite in finite_flags:
        if not finite:
            scale, counter = scale / 2, 0
        elif counter == growth_steps - 1:
            scale, counter = scale * 2, 0
        else:
            counter += 1
        out.append((scale, counter))
    return out


def _run_steps(opt, w, coefficients):
    seen = []
    for c in coefficients:
        loss = (w * torch.tensor(c)).sum()
        opt.scale_loss(loss).backward()
        opt.step()
        opt.zero_grad()
        seen.append((float(opt.dynamic_scale), int(opt.step_counter)))
    return seen


def test_dynamic_rule_and_sgd_updates_match_reference():
    coefficients = [[1.0, 2.0, 3.0], [1.0, INF, 0.0], [0.5, 0.5, 0.5],
                    [2.0, 1.0, 0.0], [1.0, 1.0, 1.0], [float("nan"), 0, 0],
                    [3.0, 2.0, 1.0]]
    w = torch.nn.Parameter(torch.ones(3))
    opt = mixed_precision.LossScaleOptimizer(
        optimizers.SGD(learning_rate=0.1), initial_scale=8.0,
        dynamic_growth_steps=2)
    opt.build([w])
    seen = _run_steps(opt, w, coefficients)
    flags = [np.all(np.isfinite(c)) for c in coefficients]
    assert seen == _reference(flags, 8.0, 2)
    expected = np.ones(3, np.float32)
    for c, finite in zip(coefficients, flags):
        if finite:
            expected = expected - np.float32(0.1) * np.asarray(c, np.float32)
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-6)
    assert int(opt.iterations) == sum(flags)  # skipped steps not counted


def test_growth_uses_default_steps_and_scale():
    opt = mixed_precision.LossScaleOptimizer(optimizers.SGD())
    assert (opt.initial_scale, opt.dynamic_growth_steps) == (2.0**15, 2000)
    assert float(opt.scale_loss(torch.tensor(1.5))) == 1.5 * 2**15


def test_skipped_step_leaves_adam_state_untouched():
    w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
    opt = mixed_precision.LossScaleOptimizer(optimizers.Adam(0.01))
    opt.build([w])
    _run_steps(opt, w, [[1.0, 2.0]])
    before = [v.clone() for v in opt.inner_optimizer.variables]
    weights = w.detach().clone()
    _run_steps(opt, w, [[INF, 2.0]])
    after = opt.inner_optimizer.variables
    for old, new in zip(before, after):
        torch.testing.assert_close(new, old, rtol=0, atol=0)
    torch.testing.assert_close(w.detach(), weights, rtol=0, atol=0)
    assert float(opt.dynamic_scale) == 2.0**14


def test_float16_gradient_underflow_is_prevented_on_cpu():
    x = torch.ones(2, 3)

    def grad_of_w(opt):
        w = torch.nn.Parameter(torch.full((4, 3), 0.5))
        with torch.autocast("cpu", dtype=torch.float16):
            y = F.linear(x, w)
        assert y.dtype == torch.float16
        loss = y.float().sum() * 1e-8
        if opt is None:
            loss.backward()
        else:
            opt.build([w])
            opt.scale_loss(loss).backward()
            opt.step()  # unscales .grad in place, then updates
        return w.grad

    # dL/dy = 1e-8 underflows to 0 in float16 without scaling.
    assert torch.count_nonzero(grad_of_w(None)) == 0
    opt = mixed_precision.LossScaleOptimizer(optimizers.SGD(0.0))
    # Reference: dL/dw = sum over the batch of 1e-8 * x = 2e-8.
    np.testing.assert_allclose(grad_of_w(opt).numpy(),
                               np.full((4, 3), 2e-8), rtol=2e-3)
    assert float(opt.dynamic_scale) == 2.0**15


def test_fixed_scale_never_skips():
    w = torch.nn.Parameter(torch.ones(2))
    opt = mixed_precision.LossScaleOptimizer(
        optimizers.SGD(0.5), dynamic=False, initial_scale=4.0)
    opt.build([w])
    assert opt.dynamic_counter is None
    _run_steps(opt, w, [[1.0, 2.0], [INF, 1.0]])
    assert float(opt.loss_scale) == 4.0
    assert np.isinf(w.detach().numpy()[0])  # tf.keras 2: applied anyway
    np.testing.assert_allclose(w.detach().numpy()[1], 1 - 0.5 * 2 - 0.5)


def test_torch_inner_optimizer():
    w = torch.nn.Parameter(torch.ones(2))
    opt = mixed_precision.LossScaleOptimizer(
        torch.optim.SGD([w], lr=0.25), initial_scale=2.0)
    opt.build([w])
    _run_steps(opt, w, [[1.0, 4.0], [INF, 0.0]])
    np.testing.assert_allclose(w.detach().numpy(), [0.75, 0.0])
    assert float(opt.dynamic_scale) == 1.0
    opt.learning_rate = 0.5
    assert opt.inner_optimizer.param_groups[0]["lr"] == 0.5


def test_apply_keeps_callers_gradients_and_tf2_helpers():
    w = torch.nn.Parameter(torch.ones(2))
    opt = mixed_precision.LossScaleOptimizer(
        optimizers.SGD(1.0), initial_scale=4.0)
    grad = torch.tensor([4.0, 8.0])
    opt.apply([grad], [w])
    np.testing.assert_array_equal(grad.numpy(), [4.0, 8.0])
    np.testing.assert_allclose(w.detach().numpy(), [0.0, -1.0])
    scaled = opt.get_scaled_loss(lambda: torch.tensor(3.0))
    assert float(scaled()) == 12.0
    unscaled = opt.get_unscaled_gradients([torch.tensor(8.0), None])
    assert float(unscaled[0]) == 2.0 and unscaled[1] is None
    assert bool(opt.check_finite([torch.ones(2)]))
    assert not bool(opt.check_finite([torch.tensor([1.0, INF])]))


def test_learning_rate_and_iterations_are_the_inner_optimizers():
    inner = optimizers.SGD(0.1)
    opt = mixed_precision.LossScaleOptimizer(inner)
    opt.learning_rate = 0.3
    assert inner.learning_rate == pytest.approx(0.3)
    assert opt.lr == pytest.approx(0.3)
    w = torch.nn.Parameter(torch.ones(1))
    opt.build([w])
    _run_steps(opt, w, [[1.0], [1.0]])
    assert opt.iterations is inner.iterations and int(inner.iterations) == 2


def test_variables_state_dict_and_config_round_trip():
    w = torch.nn.Parameter(torch.ones(2))
    opt = mixed_precision.LossScaleOptimizer(
        optimizers.SGD(0.1, momentum=0.9), initial_scale=16.0,
        dynamic_growth_steps=5)
    opt.build([w])
    _run_steps(opt, w, [[1.0, 1.0], [INF, 1.0], [1.0, 2.0]])
    values = opt.get_weights()
    # Keras 3 order: iterations, learning_rate, step_counter, dynamic_scale,
    # then the inner optimizer's (iterations, learning_rate, momentum).
    assert len(values) == 4 + 3
    assert (int(values[2]), float(values[3])) == (1, 8.0)
    np.testing.assert_allclose(values[6], opt.inner_optimizer.variables[2])

    twin = mixed_precision.LossScaleOptimizer.from_config(opt.get_config())
    assert twin.get_config()["inner_optimizer"]["config"]["momentum"] == 0.9
    assert (twin.initial_scale, twin.dynamic_growth_steps) == (16.0, 5)
    twin.build([torch.nn.Parameter(torch.ones(2))])
    twin.set_weights(values)
    assert (int(twin.step_counter), float(twin.dynamic_scale)) == (1, 8.0)

    other = mixed_precision.LossScaleOptimizer(
        optimizers.SGD(0.1, momentum=0.9))
    other.build([torch.nn.Parameter(torch.ones(2))])
    other.load_state_dict(opt.state_dict())
    assert float(other.dynamic_scale) == 8.0
    assert int(other.iterations) == 2


@pytest.mark.parametrize("kwargs, error, match", [
    ({"dynamic": False}, ValueError, "`initial_scale` must be specified"),
    ({"dynamic": False, "initial_scale": 2.0, "dynamic_growth_steps": 3},
     ValueError, "must be None if `dynamic` is False"),
    ({"initial_scale": 0.0}, ValueError, "positive number"),
    ({"initial_scale": True}, TypeError, "must be a number"),
    ({"dynamic_growth_steps": 0}, ValueError, "positive integer"),
    ({"clipnorm": 1.0}, ValueError, "set `clipnorm` on the `inner_optimizer`"),
    ({"foo": 1}, ValueError, "does not support arguments"),
])
def test_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        mixed_precision.LossScaleOptimizer(optimizers.SGD(), **kwargs)


def test_inner_optimizer_errors():
    with pytest.raises(TypeError, match="must be an optimizer"):
        mixed_precision.LossScaleOptimizer(3)
    wrapped = mixed_precision.LossScaleOptimizer("sgd")
    with pytest.raises(ValueError, match="cannot wrap another"):
        mixed_precision.LossScaleOptimizer(wrapped)
