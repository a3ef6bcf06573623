"""GRUCell and GRU: the gated recurrent unit (Cho et al., 2014).

Weights live in ``nn.GRU``'s layout: ``kernel`` ``(3u, input_dim)`` and
``recurrent_kernel`` ``(3u, u)`` with torch's gates ``r, z, n``, ``bias``
``(2, 3u)`` (rows: torch's ``b_ih`` and ``b_hh``) with ``reset_after=True``,
``(3u,)`` otherwise. ``get_weights`` returns Keras's ``(input_dim, 3u)``,
``(u, 3u)`` and ``(2, 3u)``/``(3u,)`` in gates ``z, r, h``. With
``reset_after=True`` Keras's equations are torch's, so the layer runs
``torch._VF.gru``.
"""

import torch.nn.functional as F

from torchkeras import activations
from torchkeras.layers.rnn.base_rnn_cell import BaseRNNCell
from torchkeras.layers.rnn.base_rnn_cell import cell_property
from torchkeras.layers.rnn.base_rnn_cell import is_sigmoid
from torchkeras.layers.rnn.base_rnn_cell import is_tanh
from torchkeras.layers.rnn.base_rnn_cell import validate_use_cudnn
from torchkeras.layers.rnn.rnn import RNN
from torchkeras.layers.rnn.rnn import CellArguments
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.GRUCell")
class GRUCell(BaseRNNCell):
    """Cell class for the GRU layer: one step of a GRU.

    ``z = recurrent_activation(x Wz + h Uz + b)``, ``r`` likewise,
    ``hh = activation(x Wh + r * (h Uh + b_rec))`` (``reset_after=True``;
    ``activation(x Wh + (r * h) Uh + b)`` otherwise), and the new state
    ``z * h + (1 - z) * hh``.

    Args:
        units: positive integer, dimensionality of the output space.
        activation: default ``tanh``.
        recurrent_activation: default ``sigmoid``.
        use_bias: whether the cell uses biases.
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
        dropout: fraction of the input units to drop (one mask per
            sequence).
        recurrent_dropout: fraction of the state units to drop in the
            recurrent projection.
        reset_after: apply the reset gate after the recurrent matmul
            (default, torch's and cuDNN's convention) or before it.
        seed: random seed for dropout.

    Call arguments:
        inputs: ``(batch, features)`` tensor.
        states: list with the ``(batch, units)`` state.
        training: whether dropout applies.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> cell = keras.layers.GRUCell(4)
        >>> rnn = keras.layers.RNN(cell, return_state=True)
        >>> output, state = rnn(torch.ones((2, 5, 3)))
        >>> [w.shape for w in rnn.get_weights()]
        [(3, 12), (4, 12), (2, 12)]
    """

    _TORCH_GATES = (1, 0, 2)  # torch's r, z, n are Keras's gates 1, 0, 2

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
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
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        bias_shape = ((2, 3 * self.units) if self.reset_after
                      else (3 * self.units,))
        self._add_cell_weights(input_shape[-1], 3, bias_shape)
        self.built = True

    def _project_inputs(self, inputs):
        bias = self.bias
        if bias is not None and self.reset_after:
            bias = bias[0]
        return F.linear(inputs, self.kernel, bias)

    def _step(self, projected, states, rec_mask):
        h = states[0]
        h_in = h if rec_mask is None else h * rec_mask
        x_r, x_z, x_n = projected.chunk(3, dim=-1)
        if self.reset_after:
            recurrent_bias = self.bias[1] if self.bias is not None else None
            h_r, h_z, h_n = F.linear(h_in, self.recurrent_kernel,
                                     recurrent_bias).chunk(3, dim=-1)
            r = self.recurrent_activation(x_r + h_r)
            z = self.recurrent_activation(x_z + h_z)
            candidate = self.activation(x_n + r * h_n)
        else:
            units = self.units
            h_r, h_z = F.linear(
                h_in, self.recurrent_kernel[:2 * units]).chunk(2, dim=-1)
            r = self.recurrent_activation(x_r + h_r)
            z = self.recurrent_activation(x_z + h_z)
            candidate = self.activation(
                x_n + F.linear(r * h_in, self.recurrent_kernel[2 * units:]))
        new_h = z * h + (1 - z) * candidate
        return new_h, [new_h]

    def _fused_mode(self):
        if (self.reset_after and is_tanh(self.activation)
                and is_sigmoid(self.recurrent_activation)):
            return "GRU"
        return None

    def _fused_params(self):
        if self.bias is None:
            return [self.kernel, self.recurrent_kernel], False
        return [self.kernel, self.recurrent_kernel, self.bias[0],
                self.bias[1]], True

    def get_config(self):
        config = super().get_config()
        config.update(self._base_cell_config())
        config.update({
            "recurrent_activation": activations.serialize(
                self.recurrent_activation),
            "reset_after": self.reset_after,
        })
        return config


@keras_export("keras.layers.GRU")
class GRU(CellArguments, RNN):
    """Gated Recurrent Unit - Cho et al. 2014.

    With the defaults (``activation='tanh'``,
    ``recurrent_activation='sigmoid'``, ``reset_after=True``) and no
    recurrent dropout in training, the layer runs torch's fused GRU kernel
    (oneDNN/native on CPU, cuDNN on GPU), also with right-padded masks
    (packed sequences). Other configurations, and masks with holes, run a
    Python loop over time with the same equations.

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
        reset_after: GRU convention: apply the reset gate after the recurrent
            matrix multiplication (`True`, the cuDNN convention) or before it.
        use_cudnn: ``'auto'`` (fused kernel when possible), ``True`` (raise
            when not possible) or ``False`` (always the loop).

    Call arguments:
        inputs: ``(batch, timesteps, features)`` tensor.
        mask: ``(batch, timesteps)`` boolean tensor.
        training: whether dropout applies.
        initial_state: list with the initial ``(batch, units)`` state.

    Output shape:
        ``(batch, units)``, or ``(batch, timesteps, units)`` with
        ``return_sequences``; with ``return_state`` ``[output, state]``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> gru = keras.layers.GRU(4, return_sequences=True, return_state=True)
        >>> sequence, state = gru(torch.ones((32, 10, 8)))
        >>> tuple(sequence.shape), tuple(state.shape)
        ((32, 10, 4), (32, 4))
    """

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 reset_after=True, use_cudnn="auto", **kwargs):
        cell = GRUCell(
            units, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="gru_cell",
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         unroll=unroll,
                         activity_regularizer=activity_regularizer,
                         **kwargs)
        self.use_cudnn = validate_use_cudnn(use_cudnn)

    recurrent_activation = cell_property("recurrent_activation")
    reset_after = cell_property("reset_after")


