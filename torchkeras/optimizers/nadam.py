"""The Keras ``Nadam`` optimizer (Adam with Nesterov momentum)."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer


def _momentum_cache(beta_1, step):
    """Dozat's ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)``."""
    return beta_1 * (1.0 - 0.5 * 0.96 ** step)


class Nadam(Optimizer):
    """Nadam, Keras 3's rule with Dozat's momentum-cache schedule.

    Per step ``t``, with ``u_t = beta_1 * (1 - 0.5 * 0.96 ** t)`` and
    ``u_product`` the running product of the ``u_t``::

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
        **kwargs: the arguments every optimizer takes; see `Optimizer`.
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
