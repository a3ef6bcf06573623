"""The Keras ``Adagrad`` optimizer."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.Adagrad")
class Adagrad(Optimizer):
    """Optimizer implementing the Adagrad algorithm.

    Each step applies Keras 3's rule:

        accumulator = accumulator + g ** 2
        w = w - learning_rate * g / sqrt(accumulator + epsilon)

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        initial_accumulator_value: Float >= 0. Starting value of the
            accumulators. Defaults to `0.1`.
        epsilon: Float. Defaults to `1e-7`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.Adagrad(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.9012
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1,
                 epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if initial_accumulator_value < 0:
            raise ValueError(
                "`initial_accumulator_value` needs to be positive or zero. "
                "Received: initial_accumulator_value="
                f"{initial_accumulator_value}"
            )
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_specs(self):
        return [("accumulator", float(self.initial_accumulator_value))]

    def _update_step(self, params, grads, slots, lr, local_step):
        accumulator = slots["accumulator"]
        torch._foreach_addcmul_(accumulator, grads, grads)
        denominator = torch._foreach_add(accumulator, self.epsilon)
        torch._foreach_sqrt_(denominator)
        torch._foreach_addcdiv_(params, grads, denominator, value=-lr)

    def get_config(self):
        config = super().get_config()
        config.update({
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        })
        return config
