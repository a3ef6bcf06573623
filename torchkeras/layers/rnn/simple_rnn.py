"""SimpleRNNCell and SimpleRNN: ``h' = activation(x W + h U + b)``.

``kernel`` is stored ``(units, input_dim)``, ``recurrent_kernel``
``(units, units)`` (torch's ``weight_ih``/``weight_hh``); ``bias`` is Keras's
``(units,)``, passed to torch's kernel as ``b_ih`` with a zero ``b_hh``.
``tanh`` and ``relu`` run ``torch._VF.rnn_tanh``/``rnn_relu``.
"""

import torch
import torch.nn.functional as F

from torchkeras.layers.rnn.base_rnn_cell import BaseRNNCell
from torchkeras.layers.rnn.base_rnn_cell import is_relu
from torchkeras.layers.rnn.base_rnn_cell import is_tanh
from torchkeras.layers.rnn.rnn import RNN
from torchkeras.layers.rnn.rnn import CellArguments
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.SimpleRNNCell")
class SimpleRNNCell(BaseRNNCell):
    """Cell class for SimpleRNN: one step of a fully-connected RNN.

    Args:
        units: positive integer, dimensionality of the output space.
        activation: default ``tanh``.
        use_bias: whether the cell uses a bias vector.
        kernel_initializer: default ``'glorot_uniform'``.
        recurrent_initializer: default ``'orthogonal'``.
        bias_initializer: default ``'zeros'``.
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
        states: list with the ``(batch, units)`` state.
        training: whether dropout applies.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> cell = keras.layers.SimpleRNNCell(4)
        >>> output, states = cell(torch.ones((2, 3)),
        ...                       [torch.zeros((2, 4))])
        >>> tuple(output.shape), len(states)
        ((2, 4), 1)
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self._init_common(units, activation, use_bias, kernel_initializer,
                          recurrent_initializer, bias_initializer,
                          kernel_regularizer, recurrent_regularizer,
                          bias_regularizer, kernel_constraint,
                          recurrent_constraint, bias_constraint, dropout,
                          recurrent_dropout, seed)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_cell_weights(input_shape[-1], 1, (self.units,))
        self.built = True

    def _project_inputs(self, inputs):
        return F.linear(inputs, self.kernel, self.bias)

    def _step(self, projected, states, rec_mask):
        h = states[0]
        if rec_mask is not None:
            h = h * rec_mask
        output = self.activation(projected
                                 + F.linear(h, self.recurrent_kernel))
        return output, [output]

    def _fused_mode(self):
        if is_tanh(self.activation):
            return "RNN_TANH"
        if is_relu(self.activation):
            return "RNN_RELU"
        return None

    def _fused_params(self):
        if self.bias is None:
            return [self.kernel, self.recurrent_kernel], False
        zero = torch.zeros_like(self.bias, requires_grad=False)
        return [self.kernel, self.recurrent_kernel, self.bias, zero], True

    def get_config(self):
        config = super().get_config()
        config.update(self._base_cell_config())
        return config


@keras_export("keras.layers.SimpleRNN")
class SimpleRNN(CellArguments, RNN):
    """Fully-connected RNN where the output is fed back as the new input.

    ``tanh`` and ``relu`` activations run torch's fused RNN kernels (also
    with right-padded masks); others a Python loop over time.

    Args:
        units: positive integer, dimensionality of the output space.
        activation: Activation function to use (default `"tanh"`; `None` means
            linear).
        use_bias: Whether the layer uses a bias vector.
        kernel_initializer: Initializer for the `kernel` weights matrix (default
            `"glorot_uniform"`).
        recurrent_initializer: Initializer for the `recurrent_kernel` weights
            matrix (default `"orthogonal"`).
        bias_initializer: Initializer for the bias vector (default `"zeros"`).
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

    Call arguments:
        inputs: ``(batch, timesteps, features)`` tensor.
        mask: ``(batch, timesteps)`` boolean tensor.
        training: whether dropout applies.
        initial_state: list with the initial ``(batch, units)`` state.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.SimpleRNN(4)
        >>> layer(torch.ones((32, 10, 8))).shape
        torch.Size([32, 4])
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         unroll=unroll,
                         activity_regularizer=activity_regularizer,
                         **kwargs)


