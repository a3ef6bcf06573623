"""The Keras ``Adam`` optimizer."""

import math

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.Adam")
class Adam(Optimizer):
    """Adam, with Keras 3's rule (epsilon outside the bias correction).

    Per step `t` (`iterations + 1`):

        m = m + (g - m) * (1 - beta_1)
        v = v + (g ** 2 - v) * (1 - beta_2)
        alpha = learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    With ``amsgrad=True``, ``v`` in the last line is the running maximum of
    ``v``. ``torch.optim.Adam`` puts epsilon inside the bias correction and
    defaults it to ``1e-8``, which gives other numbers.

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        beta_1: Float. Decay rate of the 1st moment. Defaults to `0.9`.
        beta_2: Float. Decay rate of the 2nd moment. Defaults to `0.999`.
        epsilon: Float. "Epsilon hat" of Kingma and Ba. Defaults to `1e-7`.
        amsgrad: Boolean. Whether to apply AMSGrad. Defaults to `False`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = Adam(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name="adam", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _slot_specs(self):
        specs = [("momentum", 0.0), ("velocity", 0.0)]
        if self.amsgrad:
            specs.append(("velocity_hat", 0.0))
        return specs

    def _update_step(self, params, grads, slots, lr, local_step):
        if self._use_fused and _fusable(params, grads):
            return self._fused_update(params, grads, slots, lr, local_step)
        beta_1, beta_2 = self.beta_1, self.beta_2
        alpha = (lr * math.sqrt(1 - beta_2 ** local_step)
                 / (1 - beta_1 ** local_step))
        m, v = slots["momentum"], slots["velocity"]
        torch._foreach_lerp_(m, grads, 1 - beta_1)
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1 - beta_2)
        if self.amsgrad:
            torch._foreach_maximum_(slots["velocity_hat"], v)
            v = slots["velocity_hat"]
        denominator = torch._foreach_sqrt(v)
        torch._foreach_add_(denominator, self.epsilon)
        torch._foreach_addcdiv_(params, m, denominator, value=-alpha)

    # torch's fused CPU kernel rounds differently depending on where a
    # tensor's data starts in memory (vector tails), so a reloaded model
    # would not continue bit-identically. Off by default; the foreach path
    # is exact and reproducible.
    _use_fused = False

    def _fused_update(self, params, grads, slots, lr, local_step):
        """Keras's rule on torch's fused Adam kernel (one call, all params).

        torch computes ``m / (sqrt(v) / sqrt(c2) + eps')``; with ``eps' =
        eps / sqrt(c2)`` (``c2 = 1 - beta_2**t``) that is exactly Keras's
        ``sqrt(c2) * m / (sqrt(v) + eps)``, epsilon outside the bias
        correction.
        """
        correction = math.sqrt(1 - self.beta_2 ** local_step)
        step = self.__dict__.get("_fused_step")
        if step is None or step.device != params[0].device:
            step = torch.zeros((), dtype=torch.float32,
                               device=params[0].device)
            self.__dict__["_fused_step"] = step
        step.fill_(float(local_step))
        torch._fused_adam_(
            params, grads, slots["momentum"], slots["velocity"],
            slots["velocity_hat"] if self.amsgrad else [],
            [step] * len(params), amsgrad=self.amsgrad, lr=float(lr),
            beta1=self.beta_1, beta2=self.beta_2, weight_decay=0.0,
            eps=self.epsilon / correction, maximize=False)

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        })
        return config


_FUSED_DTYPES = (torch.float32, torch.float64)


def _fusable(params, grads):
    """torch's fused Adam needs one device and dtype, dense gradients."""
    first = params[0]
    if first.dtype not in _FUSED_DTYPES or first.device.type not in (
            "cpu", "cuda"):
        return False
    return all(p.device == first.device and p.dtype == first.dtype
               and g.dtype == first.dtype and not g.is_sparse
               for p, g in zip(params, grads))
