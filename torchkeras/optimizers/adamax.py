"""The Keras ``Adamax`` optimizer (Adam with the infinity norm)."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.Adamax")
class Adamax(Optimizer):
    """Optimizer implementing Adamax, Adam's infinity-norm variant.

    Each step applies Keras 3's rule (section 7.1 of Kingma & Ba):

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, abs(g))
        w = w - learning_rate * m / ((1 - beta_1 ** t) * (u + epsilon))

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        beta_1: Float. Decay rate of the 1st moment. Defaults to `0.9`.
        beta_2: Float. Decay rate of the infinity norm. Defaults to `0.999`.
        epsilon: Float. Defaults to `1e-7`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.Adamax(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.9
    """

    # Keras creates (momentum, norm) per variable, interleaved.
    _interleave_slots = True

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, name="adamax", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("momentum", 0.0), ("norm", 0.0)]

    def _update_step(self, params, grads, slots, lr, local_step):
        m, u = slots["momentum"], slots["norm"]
        torch._foreach_lerp_(m, grads, 1 - self.beta_1)
        torch._foreach_mul_(u, self.beta_2)
        torch._foreach_maximum_(u, torch._foreach_abs(grads))
        denominator = torch._foreach_add(u, self.epsilon)
        torch._foreach_mul_(denominator, 1 - self.beta_1 ** local_step)
        torch._foreach_addcdiv_(params, m, denominator, value=-lr)

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        })
        return config
