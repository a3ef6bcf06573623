"""The Keras ``RMSprop`` optimizer."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.RMSprop")
class RMSprop(Optimizer):
    """Optimizer implementing the RMSprop algorithm.

    Each step applies Keras 3's rule (epsilon inside the square root):

        v = rho * v + (1 - rho) * g ** 2
        # centered: a = rho * a + (1 - rho) * g; denominator = v - a ** 2
        increment = learning_rate * g / sqrt(denominator + epsilon)
        # momentum > 0: mom = momentum * mom + increment; w = w - mom
        w = w - increment

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        rho: Float. Discounting factor of the old gradients. Defaults to
            `0.9`.
        momentum: Float. Defaults to `0.0`.
        epsilon: Float. Defaults to `1e-7`.
        centered: Boolean. Normalize by the estimated variance of the
            gradient. Defaults to `False`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.RMSprop(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.6838
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0,
                 epsilon=1e-7, centered=False, name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _slot_specs(self):
        specs = [("velocity", 0.0)]
        if self.momentum > 0:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("average_gradient", 0.0))
        return specs

    def _update_step(self, params, grads, slots, lr, local_step):
        rho = self.rho
        velocity = slots["velocity"]
        torch._foreach_mul_(velocity, rho)
        torch._foreach_addcmul_(velocity, grads, grads, value=1 - rho)
        if self.centered:
            average = slots["average_gradient"]
            torch._foreach_mul_(average, rho)
            torch._foreach_add_(average, grads, alpha=1 - rho)
            denominator = torch._foreach_addcmul(
                velocity, average, average, value=-1
            )
            torch._foreach_add_(denominator, self.epsilon)
        else:
            denominator = torch._foreach_add(velocity, self.epsilon)
        torch._foreach_sqrt_(denominator)
        if self.momentum > 0:
            momentum = slots["momentum"]
            torch._foreach_mul_(momentum, self.momentum)
            torch._foreach_addcdiv_(momentum, grads, denominator, value=lr)
            torch._foreach_sub_(params, momentum)
        else:
            torch._foreach_addcdiv_(params, grads, denominator, value=-lr)

    def get_config(self):
        config = super().get_config()
        config.update({
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        })
        return config
