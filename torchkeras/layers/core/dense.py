"""Dense: the densely-connected layer, ``activation(x @ kernel + bias)``."""

import torch
import torch.nn.functional as F

from torchkeras import activations
from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Dense")
class Dense(Layer):
    """Just your regular densely-connected NN layer.

    ``Dense`` implements ``output = activation(dot(input, kernel) + bias)``.
    The kernel is kept in Keras's ``(input_dim, units)`` layout and applied
    with torch's fused ``addmm`` (through ``F.linear`` on its transpose
    view), so ``get_weights`` needs no conversion.

    Args:
        units: positive integer, dimensionality of the output space.
        activation: activation function name or callable (default linear).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer: default ``'glorot_uniform'``.
        bias_initializer: default ``'zeros'``.
        kernel_regularizer: Optional regularizer function applied to the
            `kernel` weights matrix.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        kernel_constraint: Optional constraint function applied to the `kernel`
            weights matrix after each optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.

    Input shape:
        N-D tensor with shape ``(batch_size, ..., input_dim)``.

    Output shape:
        N-D tensor with shape ``(batch_size, ..., units)``.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.Dense(4)
        >>> import torch
        >>> layer(torch.ones((2, 3))).shape
        torch.Size([2, 4])
        >>> [w.shape for w in layer.get_weights()]
        [(3, 4), (4,)]
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or (
                units <= 0):
            raise ValueError(
                "Received an invalid value for `units`, expected a positive "
                f"integer. Received: units={units}"
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self._linear = self.activation is activations.linear
        # tf.keras keeps a softmax/sigmoid output's logits so that
        # crossentropy can be computed from them (fused and stable).
        self._keeps_logits = self.activation in (activations.softmax,
                                                 activations.sigmoid)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}': the last dimension of the inputs to "
                "a Dense layer should be defined. Found None. Received: "
                f"input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        # The weights straight from torch's registry when they are
        # parameters (the hot case); a frozen layer's are buffers.
        params = self._parameters
        kernel = params.get("kernel")
        if kernel is None:
            kernel = self.kernel
        bias = params["bias"] if "bias" in params else self.bias
        if bias is not None and inputs.dim() == 2:
            # What F.linear does for 2-D inputs, without transposing the
            # (in, out) kernel there and back: one op in both passes.
            x = torch.addmm(bias, inputs, kernel)
        else:
            x = F.linear(inputs, kernel.t(), bias)
        if self._linear:
            return x
        activation = self.activation
        out = (torch.softmax(x, -1) if activation is activations.softmax
               else activation(x))
        if self._keeps_logits and not CALL_CONTEXT.predicting:
            out._keras_logits = x
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(
                self.kernel_initializer),
            "bias_initializer": initializers.serialize(
                self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(
                self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(
                self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "kernel_constraint": constraints.serialize(
                self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return config
