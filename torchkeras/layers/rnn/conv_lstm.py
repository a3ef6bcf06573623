"""ConvLSTMCell and ConvLSTM: the convolutional LSTM (Shi et al., 2015)
that ConvLSTM1D/2D/3D specialise.

The layer runs like the other built-in recurrent layers: the input
convolution of every timestep is one batched torch convolution (time folded
into the batch) before the loop, and only the recurrent convolution runs
inside ``rnn_loop``, which applies Keras's mask, ``go_backwards`` and
``zero_output_for_mask`` rules. Inside the loop tensors are channels-first
(rank 1 with a unit height, so all ranks run on ``F.conv2d``/``F.conv3d``,
as ``conv_utils`` does for Conv1D); the layer converts inputs, states and
outputs to and from Keras's layout at its boundary, with views.

Kernels are stored in torch's layout ``(4 * filters, in, k...)`` and speak
Keras's ``(k..., in, 4 * filters)`` in ``get_weights``/``set_weights`` and
files (``conv_utils.KernelLayoutMixin``). Keras's gate order ``i, f, c, o``
is the order of the output channel blocks, so no gate is reordered.
Dropout uses four independent masks, one per gate, as Keras does; the four
masked copies run as one grouped convolution.
"""

import torch
import torch.nn.functional as F

from torchkeras import activations
from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.convolutional.base_conv import check_filters
from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn.base_rnn_cell import cell_property
from torchkeras.layers.rnn.base_rnn_cell import weight_arguments_config
from torchkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from torchkeras.layers.rnn.dropout_rnn_cell import dropout_mask
from torchkeras.layers.rnn.rnn import RNN
from torchkeras.layers.rnn.rnn import _bool
from torchkeras.layers.rnn.rnn import cell_layer_config
from torchkeras.layers.rnn.rnn_loop import run_loop

_GATES = 4
# Activations that act on each element alone run on the channels-first
# tensors of the loop; any other (softmax over channels, a user's
# function) sees Keras's layout.
_ELEMENTWISE = tuple(
    fn for fn in activations.ALL_OBJECTS
    if fn not in (activations.softmax, activations.log_softmax,
                  activations.glu, activations.sparsemax)
) + (torch.tanh, torch.sigmoid, torch.relu)


def _is_elementwise(fn):
    return any(fn is f for f in _ELEMENTWISE)


class ConvLSTMCell(conv_utils.KernelLayoutMixin, Layer, DropoutRNNCell):
    """Cell class for the ConvLSTM layers: one step of a convolutional LSTM.

    ``z = conv(x, kernel) + bias + conv_same(h, recurrent_kernel)`` split
    in ``i, f, c, o`` along channels; ``c' = f * c + i * activation(z_c)``
    with ``i, f, o`` through ``recurrent_activation``;
    ``h' = o * activation(c')``. The input convolution uses ``strides``,
    ``padding`` and ``dilation_rate``; the recurrent one is always
    stride 1, ``'same'``, undilated.

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        filters, kernel_size, strides, padding, data_format,
        dilation_rate: as ``ConvLSTM2D``.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint,
        dropout, recurrent_dropout, seed: as ``ConvLSTM2D``.

    Call arguments:
        inputs: ``(batch, *spatial, channels)`` tensor (channels_last).
        states: list ``[h, c]``, each ``(batch, *new_spatial, filters)``.
        training: whether dropout applies.
    """

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if rank not in (1, 2, 3):
            raise ValueError(
                "ConvLSTM supports rank 1, 2 or 3 convolutions. Received: "
                f"rank={rank}"
            )
        self.rank = rank
        self.filters = check_filters(filters)
        self._set_geometry(kernel_size, strides, padding, data_format,
                           dilation_rate)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self._generators = {}
        self.state_size = [self.filters, self.filters]
        self.output_size = self.filters

    def _set_geometry(self, kernel_size, strides, padding, data_format,
                      dilation_rate):
        rank = self.rank
        self.kernel_size = conv_utils.standardize_tuple(
            kernel_size, rank, "kernel_size")
        self.strides = conv_utils.standardize_tuple(strides, rank, "strides")
        self.padding = conv_utils.standardize_padding(padding)
        self.data_format = conv_utils.standardize_data_format(data_format)
        self.dilation_rate = conv_utils.standardize_tuple(
            dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Specifying `strides > 1` is not compatible with "
                "`dilation_rate > 1`. Please provide `strides=1` or "
                f"`dilation_rate=1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self._torch_strides = conv_utils.torch_args(self.strides, rank, 1)
        self._torch_dilation = conv_utils.torch_args(
            self.dilation_rate, rank, 1)
        # The recurrent convolution: stride 1, TF's 'same' (odd extra
        # pixel after), passed to the kernel when symmetric, else F.pad.
        pairs = [((k - 1) // 2, k - 1 - (k - 1) // 2)
                 for k in self.kernel_size]
        if all(before == after for before, after in pairs):
            self._recurrent_pads = conv_utils.torch_args(
                [before for before, _ in pairs], rank, 0)
            self._recurrent_pad_list = None
        else:
            self._recurrent_pads = (0,) * (rank + (rank == 1))
            flat = []
            for before, after in reversed(pairs):
                flat += [before, after]
            self._recurrent_pad_list = flat
        self._recurrent_strides = (1,) * (rank + (rank == 1))

    # ------------------------------------------------------------------
    # Building.

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' expects {self.rank + 2}D step inputs "
                f"(batch, spatial dims, channels). Received: "
                f"input_shape={input_shape}"
            )
        if None in spatial:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the "
                "spatial dimensions. Received invalid input shape: "
                f"input_shape={input_shape}"
            )
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. "
                f"Found None. Received: input_shape={input_shape}"
            )
        self.spatial_dims = tuple(spatial)
        self.input_dim = int(channels)
        self.compute_output_shape(input_shape)
        layout = conv_utils.ConvKernelLayout(self.rank)
        gates = _GATES * self.filters
        self.kernel = conv_utils.add_kernel(
            self, "kernel", self.kernel_size + (self.input_dim, gates),
            layout, self.kernel_initializer, self.kernel_regularizer,
            self.kernel_constraint)
        self.recurrent_kernel = conv_utils.add_kernel(
            self, "recurrent_kernel", self.kernel_size + (self.filters,
                                                          gates),
            layout, self.recurrent_initializer, self.recurrent_regularizer,
            self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(gates,),
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint)
        self.built = True

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, filters = self.bias_initializer, self.filters
        ones = initializers.get("ones")

        def initialize(shape, dtype=None):
            return torch.cat([
                torch.as_tensor(base((filters,), dtype=dtype)),
                torch.as_tensor(ones((filters,), dtype=dtype)),
                torch.as_tensor(base((2 * filters,), dtype=dtype)),
            ])

        return initialize

    def compute_output_shape(self, input_shape, states_shape=None):
        """The shape of the output (and of each state) for a step input."""
        input_shape = tuple(input_shape)
        spatial = [
            conv_utils.conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(
                conv_utils.spatial_shape(input_shape, self.data_format),
                self.kernel_size, self.strides, self.dilation_rate)]
        conv_utils.check_positive_output(self, input_shape, spatial)
        return conv_utils.with_spatial(input_shape, spatial, self.filters,
                                       self.data_format)

    def get_initial_state(self, batch_size=None, dtype=None):
        """Zero ``[h, c]`` in Keras layout."""
        shape = self.compute_output_shape(conv_utils.with_spatial(
            (batch_size,), self.spatial_dims, self.input_dim,
            self.data_format))
        kernel = self.__dict__.get("_parameters", {}).get("kernel")
        device = kernel.device if kernel is not None else None
        return [torch.zeros(shape, dtype=self._torch_dtype, device=device)
                for _ in range(2)]

    # ------------------------------------------------------------------
    # Layouts: Keras's outside, channels-first (rank 1: unit height) inside.

    def _internal(self, x, channel_axis):
        """A Keras-layout tensor as a channels-first view; its channels
        go to ``channel_axis`` (1 for a step, 2 for a sequence)."""
        if self.data_format == "channels_last":
            x = x.movedim(-1, channel_axis)
        if self.rank == 1:
            x = x.unsqueeze(channel_axis + 1)
        return x

    def _keras(self, y, channel_axis):
        """Inverse of ``_internal`` (a view)."""
        if self.rank == 1:
            y = y.squeeze(channel_axis + 1)
        if self.data_format == "channels_last":
            y = y.movedim(channel_axis, -1)
        return y

    # ------------------------------------------------------------------
    # The computation.

    def _gate_masks(self, like, rate):
        """Four independent dropout keep-masks shaped like ``like``."""
        return [dropout_mask(self, like, rate) for _ in range(_GATES)]

    def _project_sequences(self, sequences, masks=None):
        """The input convolution of every step at once.

        Args:
            sequences: ``(batch, timesteps, ...)`` in Keras layout.
            masks: optional four input-dropout masks shaped like a step.

        Returns:
            ``(batch, timesteps, 4 * filters, ...)`` channels-first, bias
            included.
        """
        batch, steps = sequences.shape[0], sequences.shape[1]
        groups = 1
        if masks is not None:
            axis = -1 if self.data_format == "channels_last" else 2
            sequences = torch.cat([sequences * m.unsqueeze(1)
                                   for m in masks], dim=axis)
            groups = _GATES
        x = sequences.reshape((batch * steps,) + tuple(sequences.shape[2:]))
        x, pads = conv_utils.pad_for_conv(
            x, self.rank, self.padding, self.kernel_size, self.strides,
            self.dilation_rate, self.data_format)
        x = self._internal(x, 1)
        kernel = self.kernel.unsqueeze(2) if self.rank == 1 else self.kernel
        conv = conv_utils.CONV_FUNCTIONS[self.rank]
        y = conv(x, kernel, self.bias, self._torch_strides,
                 conv_utils.torch_args(pads, self.rank, 0),
                 self._torch_dilation, groups)
        return y.reshape((batch, steps) + tuple(y.shape[1:]))

    def _step_function(self, recurrent_masks=None):
        """``step(projected_t, [h, c]) -> (h', [h', c'])`` on channels-first
        tensors, with the kernel views and settings looked up once."""
        kernel = self.recurrent_kernel
        if self.rank == 1:
            kernel = kernel.unsqueeze(2)
        conv = conv_utils.CONV_FUNCTIONS[self.rank]
        strides, pads = self._recurrent_strides, self._recurrent_pads
        pad_list = self._recurrent_pad_list
        groups = 1 if recurrent_masks is None else _GATES
        act = self._activation_fn(self.activation)
        rec_act = self._activation_fn(self.recurrent_activation)

        def step(projected, states):
            h, c = states[0], states[1]
            if recurrent_masks is not None:
                h = torch.cat([h * m for m in recurrent_masks], dim=1)
            if pad_list is not None:
                h = F.pad(h, pad_list)
            z = projected + conv(h, kernel, None, strides, pads, 1, groups)
            z_i, z_f, z_c, z_o = z.chunk(_GATES, dim=1)
            new_c = rec_act(z_f) * c + rec_act(z_i) * act(z_c)
            new_h = rec_act(z_o) * act(new_c)
            return new_h, [new_h, new_c]

        return step

    def _activation_fn(self, fn):
        if _is_elementwise(fn):
            return fn
        return lambda t: self._internal(fn(self._keras(t, 1)), 1)

    def call(self, inputs, states, training=False):
        """One step in Keras layout (Keras's cell API)."""
        h, c = states[0], states[1]
        masks = None
        if training and 0.0 < self.dropout < 1.0:
            masks = self.get_dropout_mask(inputs)
        rec_masks = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rec_masks = [self._internal(m, 1)
                         for m in self.get_recurrent_dropout_mask(h)]
        projected = self._project_sequences(inputs.unsqueeze(1), masks)
        step = self._step_function(rec_masks)
        new_h, (_, new_c) = step(projected[:, 0], [self._internal(h, 1),
                                                   self._internal(c, 1)])
        new_h, new_c = self._keras(new_h, 1), self._keras(new_c, 1)
        return new_h, [new_h, new_c]

    def get_dropout_mask(self, step_input):
        """The four input masks of this sequence (drawn at the first
        call)."""
        if self.__dict__.get("_dropout_mask") is None and self.dropout > 0:
            self._dropout_mask = self._gate_masks(step_input, self.dropout)
        return self.__dict__.get("_dropout_mask")

    def get_recurrent_dropout_mask(self, step_input):
        """The four state masks of this sequence (drawn at the first
        call)."""
        if (self.__dict__.get("_recurrent_dropout_mask") is None
                and self.recurrent_dropout > 0):
            self._recurrent_dropout_mask = self._gate_masks(
                step_input, self.recurrent_dropout)
        return self.__dict__.get("_recurrent_dropout_mask")

    # ------------------------------------------------------------------
    # Config.

    def get_config(self):
        config = super().get_config()
        config.update({
            "rank": self.rank,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "recurrent_activation": activations.serialize(
                self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
            **weight_arguments_config(self),
        })
        return config


class ConvLSTM(RNN):
    """Abstract N-D convolutional LSTM (the base of ``ConvLSTM1D/2D/3D``).

    Args:
        rank: the number of spatial dimensions (1, 2 or 3).
        Other arguments: as ``ConvLSTM2D``.
    """

    def __init__(self, rank, filters, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size,
            strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation,
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
            name="conv_lstm_cell", dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences,
                         return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer,
                         **kwargs)
        self.rank = rank

    filters = cell_property("filters")
    kernel_size = cell_property("kernel_size")
    strides = cell_property("strides")
    padding = cell_property("padding")
    data_format = cell_property("data_format")
    dilation_rate = cell_property("dilation_rate")
    activation = cell_property("activation")
    recurrent_activation = cell_property("recurrent_activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    unit_forget_bias = cell_property("unit_forget_bias")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    # ------------------------------------------------------------------
    # Building and running.

    def _sequence_shape(self, shape):
        shape = super()._sequence_shape(shape)
        if len(shape) != self.rank + 3:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the "
                f"layer: expected ndim={self.rank + 3}, found "
                f"ndim={len(shape)}. Full shape received: {shape}"
            )
        return shape

    def _run(self, sequences, states, mask, training):
        """The input convolution of all steps at once, then the loop of
        recurrent convolutions; states and outputs in Keras layout."""
        cell = self.cell
        self._sequence_shape(tuple(sequences.shape))
        masks = None
        if training and 0.0 < cell.dropout < 1.0:
            masks = cell._gate_masks(sequences[:, 0], cell.dropout)
        projected = cell._project_sequences(sequences, masks)
        states = [cell._internal(s, 1) for s in states]
        rec_masks = None
        if training and 0.0 < cell.recurrent_dropout < 1.0:
            rec_masks = cell._gate_masks(states[0], cell.recurrent_dropout)
        last, outputs, states = run_loop(
            cell._step_function(rec_masks), projected, states, _bool(mask),
            self.go_backwards, self.zero_output_for_mask,
            self.return_sequences)
        if outputs is not None:
            outputs = cell._keras(outputs, 2)
        return (cell._keras(last, 1), outputs,
                [cell._keras(s, 1) for s in states])

    # ------------------------------------------------------------------
    # Shapes and config.

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        batch, steps = shape[0], shape[1]
        state_shape = self.cell.compute_output_shape((batch,) + shape[2:])
        if self.return_sequences:
            output_shape = (batch, steps) + tuple(state_shape[1:])
        else:
            output_shape = tuple(state_shape)
        if self.return_state:
            return [output_shape, tuple(state_shape), tuple(state_shape)]
        return output_shape

    def get_config(self):
        config = cell_layer_config(self)
        del config["rank"]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
