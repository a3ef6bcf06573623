"""The Keras ``Nadam`` optimizer (Adam with Nesterov momentum)."""

import numpy as np
import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


def _momentum_cache(beta_1, step):
    """Dozat's ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)``."""
    return beta_1 * (1.0 - 0.5 * 0.96 ** step)


def _first_settled_step():
    """The first ``t`` from which ``u_t`` is exactly ``beta_1 * 1.0``:
    ``0.5 * 0.96 ** t`` is below 2**-56, so ``1 - 0.5 * 0.96 ** t`` rounds
    to 1.0 in float64, and stays so as ``t`` grows (934)."""
    step = 1
    while 0.5 * 0.96 ** step >= 2.0 ** -56:
        step += 1
    return step


_SETTLED_STEP = _first_settled_step()
# The most float64 products the tail below computes one by one (about
# 0.15 s); every ``beta_1`` up to about 0.9999 reaches its fixed point
# (0.0 or a subnormal) before.
_MAX_TAIL_STEPS = 1 << 23
_CHUNK = 1 << 16


def _repeated_product(value, factor, count):
    """``value`` multiplied by ``factor`` ``count`` times, rounding after
    each product exactly as a Python loop does.

    ``np.multiply.accumulate`` runs the products in order, in float64, so
    its results are the loop's bit for bit. The sequence reaches a fixed
    point (0.0, a subnormal, ``inf``, or ``value`` itself when ``factor``
    is 1.0) within ``_MAX_TAIL_STEPS`` for any usual ``beta_1``; past that
    budget the rest is ``factor ** rest`` in one rounding (the same value
    to a few ulps).
    """
    buffer = np.empty(_CHUNK + 1)
    done = 0
    while done < count and done < _MAX_TAIL_STEPS:
        n = min(_CHUNK, count - done)
        run = buffer[:n + 1]
        run[0] = value
        run[1:] = factor
        np.multiply.accumulate(run, out=run)
        done += n
        last = float(run[-1])
        if last == float(run[-2]) or last != last:
            return last  # a fixed point (or NaN): the rest changes nothing
        value = last
    if done < count:
        value = value * float(factor) ** (count - done)
    return value


def u_product_after(beta_1, steps):
    """Nadam's ``u_product`` after ``steps`` updates, as training computes
    it (``u_product *= u_t`` for ``t = 1..steps``), without a loop over
    the steps: after ``_SETTLED_STEP`` every ``u_t`` is ``beta_1 * 1.0``,
    so the rest is a repeated product (``_repeated_product``). Costs at
    most about 0.15 s, whatever ``steps`` is.
    """
    u_product = 1.0
    for step in range(1, min(steps, _SETTLED_STEP) + 1):
        u_product *= _momentum_cache(beta_1, step)
    if steps <= _SETTLED_STEP:
        return u_product
    factor = _momentum_cache(beta_1, _SETTLED_STEP + 1)
    return _repeated_product(u_product, factor, steps - _SETTLED_STEP)


@keras_export("keras.optimizers.Nadam")
class Nadam(Optimizer):
    """Nadam, Keras 3's rule with Dozat's momentum-cache schedule.

    Per step ``t``, with ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)`` and
    ``u_product`` the running product of the ``u_t``:

        m = m + (g - m) * (1 - beta_1)
        v = v + (g ** 2 - v) * (1 - beta_2)
        m_hat = u_{t+1} * m / (1 - u_product * u_{t+1})
                + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2 ** t)
        w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    ``u_product`` is kept as a host float (no device sync) and saved after
    the slots, as Keras saves its ``u_product`` variable.

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        beta_1: Float. Defaults to `0.9`.
        beta_2: Float. Defaults to `0.999`.
        epsilon: Float. Defaults to `1e-7`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.Nadam(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.8937
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, name="nadam", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._u_product = 1.0

    def _slot_specs(self):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def _prepare_step(self, local_step):
        self._u_product *= _momentum_cache(self.beta_1, local_step)

    def _update_step(self, params, grads, slots, lr, local_step):
        u_t = _momentum_cache(self.beta_1, local_step)
        u_next = _momentum_cache(self.beta_1, local_step + 1)
        u_product = self._u_product
        m, v = slots["momentum"], slots["velocity"]
        torch._foreach_lerp_(m, grads, 1 - self.beta_1)
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads),
                             1 - self.beta_2)
        m_hat = torch._foreach_mul(m, u_next / (1 - u_product * u_next))
        torch._foreach_add_(m_hat, grads, alpha=(1 - u_t) / (1 - u_product))
        denominator = torch._foreach_div(v, 1 - self.beta_2 ** local_step)
        torch._foreach_sqrt_(denominator)
        torch._foreach_add_(denominator, self.epsilon)
        torch._foreach_addcdiv_(params, m_hat, denominator, value=-lr)

    def _extra_variables(self):
        return [("u_product", self._u_product)]

    def _extras_after(self, steps):
        return {"u_product": u_product_after(self.beta_1, steps)}

    def _set_extra_variable(self, name, value):
        if name != "u_product":
            raise KeyError(name)
        self._u_product = float(value)

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        })
        return config
