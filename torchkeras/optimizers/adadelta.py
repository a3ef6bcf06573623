"""The Keras ``Adadelta`` optimizer."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.Adadelta")
class Adadelta(Optimizer):
    """Optimizer implementing the Adadelta algorithm (Zeiler, 2012).

    Each step applies Keras 3's rule, which keeps a learning rate:

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g ** 2
        delta = -sqrt(accumulated_delta_var + epsilon) * g
                / sqrt(accumulated_grad + epsilon)
        accumulated_delta_var = rho * accumulated_delta_var
                                + (1 - rho) * delta ** 2
        w = w + learning_rate * delta

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`; use `1.0` for the paper's form.
        rho: Float. The decay rate. Defaults to `0.95`.
        epsilon: Float. Defaults to `1e-7`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.Adadelta(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.9999
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7,
                 name="adadelta", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)]

    def _update_step(self, params, grads, slots, lr, local_step):
        rho, epsilon = self.rho, self.epsilon
        grad_acc = slots["accumulated_grad"]
        delta_acc = slots["accumulated_delta_var"]
        torch._foreach_mul_(grad_acc, rho)
        torch._foreach_addcmul_(grad_acc, grads, grads, value=1 - rho)
        # `step` is -delta.
        step = torch._foreach_add(delta_acc, epsilon)
        torch._foreach_sqrt_(step)
        torch._foreach_mul_(step, grads)
        denominator = torch._foreach_add(grad_acc, epsilon)
        torch._foreach_sqrt_(denominator)
        torch._foreach_div_(step, denominator)
        torch._foreach_mul_(delta_acc, rho)
        torch._foreach_addcmul_(delta_acc, step, step, value=1 - rho)
        torch._foreach_add_(params, step, alpha=-lr)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
