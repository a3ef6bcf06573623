"""The Keras ``Ftrl`` optimizer (Follow The Regularized Leader)."""

import torch

from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export


def _check_sign(name, value, positive=True):
    if (value < 0) if positive else (value > 0):
        expected = "positive or zero" if positive else "negative or zero"
        raise ValueError(
            f"`{name}` needs to be {expected}. Received: {name}={value}."
        )


@keras_export("keras.optimizers.Ftrl")
class Ftrl(Optimizer):
    """Optimizer implementing FTRL-Proximal (McMahan et al., 2013).

    Each step applies Keras 3's rule:

        g_shrunk = g + 2 * l2_shrinkage_regularization_strength * w
        n_new = n + g ** 2
        sigma = (n_new ** -lr_power - n ** -lr_power) / learning_rate
        z = z + g_shrunk - sigma * w
        quadratic = n_new ** -lr_power / learning_rate + 2 * l2
        w = (clip(z, -l1, l1) - z) / quadratic
        n = n_new

    where ``l2 = l2_regularization_strength + beta / (2 * learning_rate)``
    and ``l1 = l1_regularization_strength``.

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        learning_rate_power: Float <= 0. Defaults to `-0.5`.
        initial_accumulator_value: Float >= 0. Defaults to `0.1`.
        l1_regularization_strength: Float >= 0. Defaults to `0.0`.
        l2_regularization_strength: Float >= 0. Defaults to `0.0`.
        l2_shrinkage_regularization_strength: Float >= 0. Defaults to `0.0`.
        beta: Float. Defaults to `0.0`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.Ftrl(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.7451
    """

    # Keras creates (accumulator, linear) per variable, interleaved.
    _interleave_slots = True

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0,
                 name="ftrl", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        _check_sign("initial_accumulator_value", initial_accumulator_value)
        _check_sign("learning_rate_power", learning_rate_power, False)
        _check_sign("l1_regularization_strength", l1_regularization_strength)
        _check_sign("l2_regularization_strength", l2_regularization_strength)
        _check_sign("l2_shrinkage_regularization_strength",
                    l2_shrinkage_regularization_strength)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = (
            l2_shrinkage_regularization_strength
        )
        self.beta = beta

    def _slot_specs(self):
        return [
            ("accumulator", float(self.initial_accumulator_value)),
            ("linear", 0.0),
        ]

    def _update_step(self, params, grads, slots, lr, local_step):
        accumulator, linear = slots["accumulator"], slots["linear"]
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrinkage = self.l2_shrinkage_regularization_strength
        new_accumulator = torch._foreach_addcmul(accumulator, grads, grads)
        new_power = torch._foreach_pow(new_accumulator, power)
        sigma = torch._foreach_sub(
            new_power, torch._foreach_pow(accumulator, power)
        )
        torch._foreach_div_(sigma, lr)
        torch._foreach_add_(linear, grads)
        if shrinkage:
            torch._foreach_add_(linear, params, alpha=2 * shrinkage)
        torch._foreach_sub_(linear, torch._foreach_mul(sigma, params))
        quadratic = torch._foreach_div(new_power, lr)
        torch._foreach_add_(quadratic, 2 * l2)
        update = torch._foreach_clamp_min(linear, -l1)
        torch._foreach_clamp_max_(update, l1)
        torch._foreach_sub_(update, linear)
        torch._foreach_div_(update, quadratic)
        torch._foreach_copy_(params, update)
        torch._foreach_copy_(accumulator, new_accumulator)

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": (
                self.l2_shrinkage_regularization_strength
            ),
            "beta": self.beta,
        })
        return config
