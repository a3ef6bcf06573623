"""LayerNormalization: per-sample normalization over the feature axes.

Trailing axes (the usual ``axis=-1``) run torch's fused ``F.layer_norm``;
other axes, and ``rms_scaling``, use the same formulas written out.
"""

import torch
import torch.nn.functional as F

from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.LayerNormalization")
class LayerNormalization(Layer):
    """Layer normalization layer (Ba et al., 2016).

    Normalizes each sample independently over ``axis``:
    ``(x - mean) / sqrt(var + epsilon)`` (biased variance), then scales by
    ``gamma`` and offsets by ``beta``, which span the normalized axes.

    With ``rms_scaling=True``, ``center`` and ``scale`` are ignored and the
    output is ``x * rsqrt(var + epsilon) * gamma``. As in Keras 3, ``var``
    there is the variance (about the mean), not the mean of squares.

    Args:
        axis: integer or list of integers, the axes to normalize across
            (-1 by default).
        epsilon: small float added to the variance (1e-3).
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        rms_scaling: see above.
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
        Arbitrary.

    Output shape:
        Same as the input.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.LayerNormalization(axis=[1, 2, 3])
        >>> layer.build([5, 20, 30, 40])
        >>> tuple(layer.gamma.shape)
        (20, 30, 40)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument "
                f"'axis'. Received: axis={axis!r}"
            )
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    @property
    def _axes(self):
        return self.axis if isinstance(self.axis, list) else [self.axis]

    def build(self, input_shape):
        ndim = len(input_shape)
        for a in self._axes:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"Layer '{self.name}': axis {a} is out of bounds for "
                    f"input shape {tuple(input_shape)}. Received: "
                    f"axis={self.axis}"
                )
        shape = tuple(input_shape[a] for a in self._axes)
        # The normalized axes keep their sizes (the weights span them);
        # negative axes let the same layer take inputs of other ranks.
        self.input_spec = InputSpec(
            min_ndim=max(a + 1 if a >= 0 else -a for a in self._axes),
            axes=dict(zip(self._axes, shape)))
        self.gamma = None
        self.beta = None
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        ndim = inputs.ndim
        dims = sorted(a % ndim for a in self._axes)
        if self.rms_scaling:
            variance = torch.var(inputs, dim=dims, keepdim=True,
                                 correction=0)
            outputs = inputs * torch.rsqrt(variance + self.epsilon)
            return outputs * self._broadcast(self.gamma, inputs, dims)
        if dims == list(range(ndim - len(dims), ndim)):
            shape = tuple(inputs.shape[ndim - len(dims):])
            gamma = None if self.gamma is None else self.gamma.reshape(shape)
            beta = None if self.beta is None else self.beta.reshape(shape)
            return F.layer_norm(inputs, shape, gamma, beta, self.epsilon)
        return self._normalize(inputs, dims)

    def _normalize(self, inputs, dims):
        variance, mean = torch.var_mean(inputs, dim=dims, keepdim=True,
                                         correction=0)
        inv = torch.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * self._broadcast(self.gamma, inputs, dims)
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + self._broadcast(self.beta, inputs, dims)
        return inputs * inv + offset

    @staticmethod
    def _broadcast(weight, inputs, dims):
        # As Keras: the weight is reshaped (not transposed) onto the
        # normalized axes in increasing order.
        shape = [1] * inputs.ndim
        for d in dims:
            shape[d] = inputs.shape[d]
        return weight.reshape(shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
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
