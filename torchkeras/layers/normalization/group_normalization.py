"""GroupNormalization: normalization over groups of channels per sample.

Runs torch's fused ``F.group_norm`` on a channels-second view of the
Keras-layout inputs.
"""

import torch.nn.functional as F

from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.GroupNormalization")
class GroupNormalization(Layer):
    """Group normalization layer (Wu & He, 2018).

    The channels are split into ``groups``; each group of each sample is
    normalized with its own mean and (biased) variance, then scaled by
    ``gamma`` and offset by ``beta`` (one per channel). ``groups=1`` is
    close to LayerNormalization, ``groups=-1`` (one group per channel) is
    Instance Normalization.

    Args:
        groups: number of groups (32); the number of channels must be a
            multiple of it. ``-1`` means one group per channel.
        axis: integer, the channels axis (-1 by default).
        epsilon: small float added to the variance (1e-3).
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        beta_initializer: Initializer for the `beta` offset weights (default
            `"zeros"`).
        gamma_initializer: Initializer for the `gamma` scale weights (default
            `"ones"`).
        beta_regularizer: Optional regularizer function applied to the `beta`
            offset weights.
        gamma_regularizer: Optional regularizer function applied to the `gamma`
            scale weights.
        beta_constraint: Optional constraint function applied to the `beta`
            offset weights after each optimizer update.
        gamma_constraint: Optional constraint function applied to the `gamma`
            scale weights after each optimizer update.
        **kwargs: base layer keyword arguments.

    Input shape:
        Arbitrary, with a defined channels axis.

    Output shape:
        Same as the input.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.GroupNormalization(groups=2)
        >>> layer(torch.randn(4, 5, 6)).shape
        torch.Size([4, 5, 6])
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True,
                 scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                "The `axis` argument of GroupNormalization must be an "
                f"integer. Received: axis={axis!r}"
            )
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined "
                "dimension but the layer received an input with shape "
                f"{tuple(input_shape)}."
            )
        groups = dim if self.groups == -1 else self.groups
        if not 0 < groups <= dim or dim % groups != 0:
            raise ValueError(
                f"The number of channels ({dim}) must be a positive "
                f"multiple of the number of groups ({groups}). Received: "
                f"groups={self.groups}"
            )
        self._groups = groups
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={self.axis: dim})
        self.gamma = None
        self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma", shape=(dim,), initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(
                name="beta", shape=(dim,), initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        axis = self.axis % inputs.ndim
        x = inputs.movedim(axis, 1) if axis != 1 else inputs
        y = F.group_norm(x, self._groups, self.gamma, self.beta,
                         self.epsilon)
        return y.movedim(1, axis) if axis != 1 else y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(
                self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(
                self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config
