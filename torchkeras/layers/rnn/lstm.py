"""LSTMCell and LSTM: long short-term memory (Hochreiter & Schmidhuber).

Keras's gate order ``i, f, c, o`` is torch's ``i, f, g, o``, so the layouts
differ only by a transpose: ``kernel`` is stored ``(4u, input_dim)``,
``recurrent_kernel`` ``(4u, u)``. Keras has one bias ``(4u,)``; torch's
kernel takes two, so the bias is passed as ``b_ih`` with a zero ``b_hh``.
"""

import torch
import torch.nn.functional as F

from torchkeras import activations
from torchkeras import initializers
from torchkeras.layers.rnn.base_rnn_cell import BaseRNNCell
from torchkeras.layers.rnn.base_rnn_cell import cell_property
from torchkeras.layers.rnn.base_rnn_cell import is_sigmoid
from torchkeras.layers.rnn.base_rnn_cell import is_tanh
from torchkeras.layers.rnn.base_rnn_cell import validate_use_cudnn
from torchkeras.layers.rnn.rnn import RNN
from torchkeras.layers.rnn.rnn import CellArguments
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.LSTMCell")
class LSTMCell(BaseRNNCell):
    """Cell class for the LSTM layer: one step of an LSTM.

    ``z = x W + h U + b`` split in ``i, f, c, o``;
    ``c' = f * c + i * activation(z_c)`` with ``i, f, o`` through
    ``recurrent_activation``; ``h' = o * activation(c')``.

    Args:
        units: positive integer, dimensionality of the output space.
        activation: default ``tanh``.
        recurrent_activation: default ``sigmoid``.
        use_bias: whether the cell uses a bias vector.
        kernel_initializer: default ``'glorot_uniform'``.
        recurrent_initializer: default ``'orthogonal'``.
        bias_initializer: default ``'zeros'``.
        unit_forget_bias: add 1 to the forget gate's bias at
            initialization (default True).
        kernel_regularizer: Optional regularizer function applied to the
            `kernel` weights matrix.
        recurrent_regularizer: Optional regularizer function applied to the
            `recurrent_kernel` weights matrix.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        kernel_constraint: Optional constraint function applied to the `kernel`
            weights matrix after each optimizer update.
        recurrent_constraint: Optional constraint function applied to the
            `recurrent_kernel` weights matrix after each
            optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.
        dropout: Fraction of the input units to drop, in `[0, 1)`.
        recurrent_dropout: Fraction of the units of the recurrent state to drop,
            in `[0, 1)`.
        seed: random seed for dropout.

    Call arguments:
        inputs: ``(batch, features)`` tensor.
        states: list ``[h, c]`` of ``(batch, units)`` tensors.
        training: whether dropout applies.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> rnn = keras.layers.RNN(keras.layers.LSTMCell(4))
        >>> rnn(torch.ones((2, 5, 3))).shape
        torch.Size([2, 4])
        >>> [w.shape for w in rnn.get_weights()]
        [(3, 16), (4, 16), (16,)]
    """

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        self.implementation = implementation
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer,
                          kernel_regularizer, recurrent_regularizer,
                          bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout,
                          recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        bias_initializer = None
        if self.unit_forget_bias:
            bias_initializer = self._forget_bias_initializer()
        self._add_cell_weights(input_shape[-1], 4, (4 * self.units,),
                               bias_initializer)
        self.built = True

    def _forget_bias_initializer(self):
        base, units = self.bias_initializer, self.units
        ones = initializers.get("ones")

        def initialize(shape, dtype=None):
            return torch.cat([
                torch.as_tensor(base((units,), dtype=dtype)),
                torch.as_tensor(ones((units,), dtype=dtype)),
                torch.as_tensor(base((2 * units,), dtype=dtype)),
            ])

        return initialize

    def _project_inputs(self, inputs):
        return F.linear(inputs, self.kernel, self.bias)

    def _step(self, projected, states, rec_mask):
        h, c = states[0], states[1]
        h_in = h if rec_mask is None else h * rec_mask
        z = projected + F.linear(h_in, self.recurrent_kernel)
        z_i, z_f, z_c, z_o = z.chunk(4, dim=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        new_c = f * c + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        new_h = o * self.activation(new_c)
        return new_h, [new_h, new_c]

    def _fused_mode(self):
        if (is_tanh(self.activation)
                and is_sigmoid(self.recurrent_activation)):
            return "LSTM"
        return None

    def _fused_params(self):
        if self.bias is None:
            return [self.kernel, self.recurrent_kernel], False
        zero = torch.zeros_like(self.bias, requires_grad=False)
        return [self.kernel, self.recurrent_kernel, self.bias, zero], True

    def get_config(self):
        config = super().get_config()
        config.update(self._base_cell_config())
        config.update({
            "recurrent_activation": activations.serialize(
                self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        })
        return config


@keras_export("keras.layers.LSTM")
class LSTM(CellArguments, RNN):
    """Long Short-Term Memory layer - Hochreiter 1997.

    With the default activations and no recurrent dropout in training, the
    layer runs torch's fused LSTM kernel (oneDNN on CPU, cuDNN on GPU),
    also with right-padded masks (packed sequences); other configurations
    run a Python loop over time with the same equations.

    Args:
        units: positive integer, dimensionality of the output space.
        activation: Activation function to use (default `"tanh"`; `None` means
            linear).
        recurrent_activation: Activation function of the recurrent step (the
            gates; default `"sigmoid"`).
        use_bias: Whether the layer uses a bias vector.
        kernel_initializer: Initializer for the `kernel` weights matrix (default
            `"glorot_uniform"`).
        recurrent_initializer: Initializer for the `recurrent_kernel` weights
            matrix (default `"orthogonal"`).
        bias_initializer: Initializer for the bias vector (default `"zeros"`).
        unit_forget_bias: Whether to add 1 to the forget gate's bias at
            initialization (then `bias_initializer` fills the rest with zeros).
        kernel_regularizer: Optional regularizer function applied to the
            `kernel` weights matrix.
        recurrent_regularizer: Optional regularizer function applied to the
            `recurrent_kernel` weights matrix.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        kernel_constraint: Optional constraint function applied to the `kernel`
            weights matrix after each optimizer update.
        recurrent_constraint: Optional constraint function applied to the
            `recurrent_kernel` weights matrix after each
            optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.
        dropout: Fraction of the input units to drop, in `[0, 1)`.
        recurrent_dropout: Fraction of the units of the recurrent state to drop,
            in `[0, 1)`.
        seed: Random seed for dropout.
        return_sequences: Whether to return the output at every time step
            instead of only the last one.
        return_state: Whether to return the last state(s) in addition to the
            output.
        go_backwards: Whether to process the input sequence backwards and return
            the reversed sequence.
        stateful: Whether the last state of each sample of a batch is used as
            the initial state of the same sample in the next batch
            (`reset_states()` zeroes it).
        unroll: Accepted for compatibility; the loop over time is never
            unrolled.
        use_cudnn: ``'auto'``, ``True`` or ``False`` (always the loop).

    Call arguments:
        inputs: ``(batch, timesteps, features)`` tensor.
        mask: ``(batch, timesteps)`` boolean tensor.
        training: whether dropout applies.
        initial_state: list ``[h, c]`` of initial states.

    Output shape:
        ``(batch, units)`` or ``(batch, timesteps, units)``; with
        ``return_state`` ``[output, h, c]``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> lstm = keras.layers.LSTM(4, return_state=True)
        >>> output, h, c = lstm(torch.ones((32, 10, 8)))
        >>> tuple(output.shape), tuple(c.shape)
        ((32, 4), (32, 4))
    """

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell",
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         unroll=unroll,
                         activity_regularizer=activity_regularizer,
                         **kwargs)
        self.use_cudnn = validate_use_cudnn(use_cudnn)

    recurrent_activation = cell_property("recurrent_activation")
    unit_forget_bias = cell_property("unit_forget_bias")

