"""HeadProjection: MultiHeadAttention's projections (Keras's EinsumDense
for ``...a,abc->...bc`` and ``...ab,abc->...c``).

The kernel keeps Keras's layout ``(*contracted dims, *output dims)`` and
the bias the output dims; the projection is one ``F.linear`` on the
flattened contracted dims, reshaped to the output dims.
"""

import math

import torch.nn.functional as F

from torchkeras.layers.layer import Layer


class HeadProjection(Layer):
    """Contracts the last ``len(kernel_shape) - len(output_dims)`` input
    dims with a kernel of Keras's ``kernel_shape``.

    Args:
        kernel_shape: tuple, the contracted dims then the output dims.
        num_contracted: how many leading kernel dims are contracted.
        use_bias: whether a bias over the output dims is added.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, kernel_constraint, bias_constraint: as Dense.
    """

    def __init__(self, kernel_shape, num_contracted, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.kernel_shape = tuple(int(d) for d in kernel_shape)
        self.num_contracted = num_contracted
        self.output_dims = self.kernel_shape[num_contracted:]
        self.use_bias = use_bias
        self._weight_args = dict(
            kernel=(kernel_initializer, kernel_regularizer,
                    kernel_constraint),
            bias=(bias_initializer, bias_regularizer, bias_constraint))

    def build(self, input_shape):
        init, reg, con = self._weight_args["kernel"]
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_shape, initializer=init,
            regularizer=reg, constraint=con)
        self.bias = None
        if self.use_bias:
            init, reg, con = self._weight_args["bias"]
            self.bias = self.add_weight(
                name="bias", shape=self.output_dims, initializer=init,
                regularizer=reg, constraint=con)
        self.built = True

    def call(self, inputs):
        contracted = math.prod(self.kernel_shape[:self.num_contracted])
        kernel = self.kernel.reshape(contracted, -1).t()
        bias = self.bias.reshape(-1) if self.bias is not None else None
        flat = inputs.flatten(-self.num_contracted) if (
            self.num_contracted > 1) else inputs
        out = F.linear(flat, kernel, bias)
        return out.unflatten(-1, self.output_dims)

    def get_config(self):
        from torchkeras import constraints
        from torchkeras import initializers
        from torchkeras import regularizers

        config = super().get_config()
        kernel, bias = self._weight_args["kernel"], self._weight_args["bias"]
        config.update({
            "kernel_shape": list(self.kernel_shape),
            "num_contracted": self.num_contracted,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(kernel[0]),
            "bias_initializer": initializers.serialize(bias[0]),
            "kernel_regularizer": regularizers.serialize(kernel[1]),
            "bias_regularizer": regularizers.serialize(bias[1]),
            "kernel_constraint": constraints.serialize(kernel[2]),
            "bias_constraint": constraints.serialize(bias[2]),
        })
        return config

    def compute_output_shape(self, input_shape):
        return (tuple(input_shape)[:len(input_shape) - self.num_contracted]
                + self.output_dims)
