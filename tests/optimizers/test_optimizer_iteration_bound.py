"""A stored iteration count costs nothing to restore, and a bad one
changes nothing.

Nadam's ``u_product`` after ``n`` steps is recomputed when a state is
loaded (the file keeps it in float32; our float64 value resumes
bit-identically). That used to replay every step, so a file claiming
10**12 steps kept ``load_weights`` busy for days. The reference for the
closed form is the plain loop training runs (and training itself).
"""

import math
import time

import numpy as np
import pytest
import torch

from torchkeras import optimizers
from torchkeras.optimizers import nadam
from torchkeras.optimizers import optimizer_state


def _loop(beta_1, steps):
    """What `Nadam._prepare_step` computes, step by step."""
    u_product = 1.0
    out = {}
    for step in range(1, max(steps) + 1):
        u_product *= beta_1 * (1.0 - 0.5 * 0.96 ** step)
        if step in steps:
            out[step] = u_product
    return out


@pytest.mark.parametrize("beta_1", [0.9, 0.5, 0.99, 0.999, 1.0, 0.0,
                                    1.0 + 1e-9])
def test_closed_form_equals_the_loop_bit_for_bit(beta_1):
    steps = {1, 2, 933, 934, 935, 936, 1000, 7000, 65_000, 66_600,
             200_000}
    expected = _loop(beta_1, steps)
    for step in steps:
        got = nadam.u_product_after(beta_1, step)
        assert got == expected[step] or (
            math.isnan(got) and math.isnan(expected[step])), (beta_1, step)
    assert nadam.u_product_after(beta_1, 0) == 1.0


def test_closed_form_equals_training():
    param = torch.nn.Parameter(torch.ones(3))
    opt = optimizers.Nadam(learning_rate=1e-3, beta_1=0.8)
    opt.build([param])
    for _ in range(1100):
        param.grad = torch.ones(3)
        opt.step()
    assert opt._u_product == nadam.u_product_after(0.8, 1100)


def test_huge_iteration_counts_are_fast():
    start = time.perf_counter()
    for beta_1 in (0.9, 0.999, 0.9999, 0.99999999):
        value = nadam.u_product_after(beta_1, 10**12)
        assert 0.0 <= value < 1e-300 or beta_1 > 0.9999
    assert nadam.u_product_after(1.0, 10**18) == _loop(1.0, {2000})[2000]
    assert time.perf_counter() - start < 5


def _built(name="Nadam"):
    param = torch.nn.Parameter(torch.ones(2, 2))
    opt = getattr(optimizers, name)(learning_rate=0.01)
    opt.build([param])
    param.grad = torch.ones(2, 2)
    opt.step()
    return opt


def test_set_weights_with_a_huge_iteration_count_is_fast_and_exact():
    opt = _built()
    values = opt.get_weights()
    values[0] = np.int64(10**12)
    values[-1] = np.float32(nadam.u_product_after(0.9, 10**12))
    start = time.perf_counter()
    opt.set_weights(values)
    assert time.perf_counter() - start < 5
    assert int(opt.iterations) == 10**12
    # The float32 value that the float64 recomputation rounds to: ours.
    assert opt._u_product == nadam.u_product_after(0.9, 10**12)


def _state(opt):
    return ([v.detach().clone() for v in opt.variables],
            float(getattr(opt, "_u_product", 0.0)), opt._iteration_count)


def _assert_unchanged(before, after):
    assert before[1:] == after[1:]
    for old, new in zip(before[0], after[0]):
        assert torch.equal(old, new)


@pytest.mark.parametrize("iteration", [
    np.int64(-1), np.float64(1.5), np.float64(2.0**63), np.float64(np.nan),
    np.float64(np.inf), np.array("7"), np.array([1, 2]), True])
def test_a_bad_iteration_count_is_refused_before_anything_changes(
        iteration):
    opt = _built()
    values = opt.get_weights()
    values[0] = iteration
    values[2] = values[2] + 1  # a slot that would change first
    before = _state(opt)
    with pytest.raises(ValueError, match="iteration count"):
        opt.set_weights(values)
    with pytest.raises(ValueError, match="iteration"):
        opt.prepare_keras_variables(values)
    _assert_unchanged(before, _state(opt))


def test_a_bad_extra_is_refused_before_anything_changes():
    opt = _built()
    values = opt.get_weights()
    values[0] = np.int64(50)
    values[-1] = np.array(["x"])
    before = _state(opt)
    with pytest.raises(ValueError, match="u_product"):
        opt.set_weights(values)
    _assert_unchanged(before, _state(opt))


def test_a_bad_state_dict_iteration_is_refused_before_anything_changes():
    opt = _built("Adam")
    state = opt.state_dict()
    state["state"][0]["momentum"] = state["state"][0]["momentum"] + 1
    state["keras"]["iterations"] = "1.5"
    before = _state(opt)
    with pytest.raises(ValueError, match="iteration count"):
        opt.load_state_dict(state)
    state["keras"] = {"iterations": 3, "u_product": 0.5}  # Adam has none
    with pytest.raises(ValueError, match="u_product"):
        opt.load_state_dict(state)
    _assert_unchanged(before, _state(opt))


class _Replayed(optimizers.SGD):
    """An optimizer with a scalar extra and no closed form."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._count = 0.0

    def _prepare_step(self, local_step):
        self._count += 1.0

    def _extra_variables(self):
        return [("count", self._count)]

    def _set_extra_variable(self, name, value):
        self._count = float(value)


def test_without_a_closed_form_replay_is_bounded():
    param = torch.nn.Parameter(torch.ones(2))
    opt = _Replayed(learning_rate=0.1)
    opt.build([param])
    limit = optimizer_state.MAX_REPLAY_STEPS
    # Within the bound, a missing extra is recomputed by replaying.
    opt.set_weights([np.int64(1000), np.float32(0.1), None])
    assert opt._count == 1000.0
    # Past it, a stored value is used as it is, at once ...
    start = time.perf_counter()
    opt.set_weights([np.int64(10**12), np.float32(0.1), np.float32(5.0)])
    assert time.perf_counter() - start < 5
    assert (opt._count, int(opt.iterations)) == (5.0, 10**12)
    # ... and a missing one is refused, naming the count, before any
    # change.
    with pytest.raises(ValueError, match=f"more than {limit} steps"):
        opt.set_weights([np.int64(limit + 1), np.float32(0.5), None])
    assert (opt._count, int(opt.iterations)) == (5.0, 10**12)
