"""The Keras ``AdamW`` optimizer: Adam with decoupled weight decay."""

from torchkeras.optimizers.adam import Adam
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.AdamW")
class AdamW(Adam):
    """AdamW: Keras 3's Adam with ``weight_decay`` on by default.

    Before each Adam update, ``w = w - w * weight_decay * learning_rate``
    (Loshchilov & Hutter, 2019). Exclude variables with
    `exclude_from_weight_decay`.

    Args:
        learning_rate: A float, a `LearningRateSchedule` or a callable.
            Defaults to `0.001`.
        weight_decay: Float. Defaults to `0.004`.
        beta_1: Float. Defaults to `0.9`.
        beta_2: Float. Defaults to `0.999`.
        epsilon: Float. Defaults to `1e-7`.
        amsgrad: Boolean. Defaults to `False`.
        name: The optimizer's name, used in its config and variable names.
        **kwargs: the arguments every optimizer takes; see `Optimizer`.

    Raises:
        ValueError: if `weight_decay` is None.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.AdamW(learning_rate=0.1)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])
        >>> opt.step()
        >>> round(w.item(), 4)
        0.8996
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-7, amsgrad=False, name="adamw",
                 **kwargs):
        if weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: "
                "weight_decay=None"
            )
        super().__init__(
            learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, amsgrad=amsgrad, name=name,
            weight_decay=weight_decay, **kwargs,
        )
