"""The Keras ``SGD`` optimizer (gradient descent with momentum)."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.SGD")
class SGD(Optimizer):
    """Gradient descent (with momentum) optimizer, Keras 3's rule.

    Without momentum: ``w = w - learning_rate * g``. With momentum:

        velocity = momentum * velocity - learning_rate * g
        w = w + velocity

    With ``nesterov=True``: ``w = w + momentum * velocity - learning_rate *
    g`` (after the velocity update). This is not ``torch.optim.SGD``'s
    momentum, which scales the velocity by the learning rate afterwards.

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.01`.
        momentum: Float in ``[0, 1]``. Defaults to `0.0`.
        nesterov: Boolean. Whether to apply Nesterov momentum. Defaults to
            `False`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes (`weight_decay`,
            `clipnorm`, `clipvalue`, `global_clipnorm`, `use_ema`,
            `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`,
            `gradient_accumulation_steps`, `name`; tf.keras 2's `lr`,
            `decay`); see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = SGD(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> w.data
        tensor([0.8000])
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False,
                 name="SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if (
            isinstance(momentum, bool)
            or not isinstance(momentum, (int, float))
            or not 0 <= momentum <= 1
        ):
            raise ValueError(
                "`momentum` must be a float between [0, 1]. "
                f"Received: momentum={momentum!r}"
            )
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _slot_specs(self):
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def _update_step(self, params, grads, slots, lr, local_step):
        if self.momentum == 0:
            torch._foreach_add_(params, grads, alpha=-lr)
            return
        m = slots["momentum"]
        torch._foreach_mul_(m, self.momentum)
        torch._foreach_add_(m, grads, alpha=-lr)
        if self.nesterov:
            update = torch._foreach_mul(m, self.momentum)
            torch._foreach_add_(update, grads, alpha=-lr)
            torch._foreach_add_(params, update)
        else:
            torch._foreach_add_(params, m)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
