"""RNN: the recurrent layer that runs a cell over time.

It owns what every recurrent layer shares: initial and stateful states,
``return_sequences``/``return_state``/``go_backwards``, masks, output shapes
and masks, and the config. How the time loop runs is chosen per call: a
built-in cell whose equations are a torch kernel's runs on that kernel
(``fused_rnn``), with right-padded masks packed; everything else runs the
Python loop (``rnn_loop``). SimpleRNN, GRU and LSTM are this layer with
their cell.
"""

import inspect

import numpy as np
import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn import fused_rnn
from torchkeras.layers.rnn.base_rnn_cell import BaseRNNCell
from torchkeras.layers.rnn.base_rnn_cell import cell_property
from torchkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from torchkeras.layers.rnn.dropout_rnn_cell import dropout_mask
from torchkeras.layers.rnn.rnn_loop import run_loop
from torchkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from torchkeras.layers.rnn.stacked_rnn_cells import call_cell
from torchkeras.layers.rnn.stacked_rnn_cells import cell_output_size
from torchkeras.layers.rnn.stacked_rnn_cells import check_cell
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


def initial_state_of(cell, batch_size):
    """The cell's own initial state, or zeros shaped by ``state_size``."""
    fn = getattr(cell, "get_initial_state", None)
    if fn is not None:
        params = inspect.signature(fn).parameters
        kwargs = {"batch_size": batch_size}
        if "dtype" in params:
            kwargs["dtype"] = getattr(cell, "dtype", "float32")
        return fn(**kwargs)
    if isinstance(cell.state_size, int):
        return torch.zeros((batch_size, cell.state_size))
    return [torch.zeros((batch_size,) + _as_tuple(size))
            for size in cell.state_size]


def _as_tuple(size):
    return tuple(size) if isinstance(size, (list, tuple)) else (size,)


def _reset_dropout_masks(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    if isinstance(cell, StackedRNNCells):
        for c in cell.cells:
            _reset_dropout_masks(c)


def _first_mask(mask):
    if isinstance(mask, (list, tuple)):
        return mask[0] if mask else None
    return mask


@keras_export("keras.layers.RNN")
class RNN(Layer):
    """Base class for recurrent layers: runs ``cell`` over time.

    A cell has ``call(input_at_t, states_at_t)`` returning ``(output_at_t,
    states_at_t_plus_1)``, a ``state_size`` (an int, or a list of ints, one
    per state), optionally ``output_size`` and
    ``get_initial_state(batch_size)``. A list of cells is stacked with
    ``StackedRNNCells``.

    Args:
        cell: an RNN cell instance, or a list of them.
        return_sequences: return the full output sequence (default: the
            last output only).
        return_state: also return the last states.
        go_backwards: process the sequence backwards and return the
            reversed sequence.
        stateful: the last states of a batch are the initial states of the
            next one (``reset_states()`` zeroes them).
        unroll: accepted for compatibility; the loop is never unrolled.
        zero_output_for_mask: output zeros (instead of the previous output)
            at masked steps; ``Bidirectional`` sets it with
            ``return_sequences``.
        time_major: tf.keras 2's ``(timesteps, batch, ...)`` layout.

    Call arguments:
        sequences: ``(batch, timesteps, features)`` tensor (or a list
            ``[sequences, *initial_states]``).
        initial_state: list of initial state tensors.
        mask: ``(batch, timesteps)`` boolean tensor; False steps are
            skipped: the states carry over them.
        training: passed to the cell (dropout).

    Output shape:
        ``(batch, timesteps, output_size)`` with ``return_sequences``, else
        ``(batch, output_size)``; with ``return_state`` a list
        ``[output, *states]``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.RNN(keras.layers.SimpleRNNCell(4),
        ...                          return_sequences=True)
        >>> layer(torch.ones((2, 5, 3))).shape
        torch.Size([2, 5, 4])
    """

    def __init__(self, cell, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 zero_output_for_mask=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        check_cell(cell)
        super().__init__(**kwargs)
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                "state_size must be an integer, or a list/tuple of integers "
                f"(one for each state tensor). Received: "
                f"state_size={state_size}"
            )
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.time_major = time_major
        self.supports_masking = True
        self.__dict__["_rnn_states"] = None

    @property
    def state_size(self):
        size = self.cell.state_size
        return [size] if isinstance(size, int) else list(size)

    @property
    def states(self):
        """The stateful layer's current states (``None`` before a call)."""
        return self.__dict__["_rnn_states"]

    # ------------------------------------------------------------------
    # Building.

    def build(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        step_shape = (shape[0],) + tuple(shape[2:])
        if isinstance(self.cell, Layer):
            self.cell._maybe_build(step_shape)
        elif hasattr(self.cell, "build"):
            self.cell.build(step_shape)
        self.built = True

    def _sequence_shape(self, shape):
        if shape and isinstance(shape[0], (list, tuple)):
            shape = shape[0]  # [sequences, *initial_states]
        shape = tuple(shape)
        if len(shape) < 3:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the "
                f"layer: expected ndim=3, found ndim={len(shape)}. Full "
                f"shape received: {shape}"
            )
        if self.time_major:
            shape = (shape[1], shape[0]) + shape[2:]
        return shape

    # ------------------------------------------------------------------
    # Calling.

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(sequences, (list, tuple)):
            sequences, initial_state = sequences[0], list(sequences[1:])
            initial_state = initial_state or None
        mask = _first_mask(mask)
        if self.time_major:
            sequences = sequences.transpose(0, 1)
        if sequences.shape[1] == 0:
            raise ValueError(
                f"Layer '{self.name}' needs at least one timestep. Received:"
                f" sequences.shape={tuple(sequences.shape)}"
            )
        states = self._initial_states(sequences, initial_state)
        try:
            last, outputs, states = self._run(sequences, states, mask,
                                              bool(training))
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            self._store_states(states)
        output = outputs if self.return_sequences else last
        if self.time_major and self.return_sequences:
            output = output.transpose(0, 1)
        if self.return_state:
            return [output] + tree.flatten(states)
        return output

    def _run(self, sequences, states, mask, training):
        if isinstance(self.cell, BaseRNNCell):
            return self._run_builtin(sequences, states, mask, training)
        cell = self.cell

        def step(inputs, step_states):
            output, new_states = call_cell(cell, inputs, step_states,
                                           training)
            if not tree.is_nested(new_states):
                new_states = [new_states]
            return output, new_states

        return run_loop(step, sequences, states, _bool(mask),
                        self.go_backwards, self.zero_output_for_mask,
                        self.return_sequences)

    def _run_builtin(self, sequences, states, mask, training):
        cell = self.cell
        x = self._drop_inputs(sequences, training)
        rec_mask = None
        if training and 0.0 < cell.recurrent_dropout < 1.0:
            rec_mask = dropout_mask(cell, states[0], cell.recurrent_dropout)
        use_fused = self.__dict__.get("use_cudnn", "auto")
        if (use_fused is not False and rec_mask is None
                and cell._fused_mode() is not None):
            fused, lengths = self._analyse_mask(x, mask)
            if fused:
                return fused_rnn.run_cell(
                    cell, x, states, lengths, self.go_backwards,
                    self.zero_output_for_mask, self.return_sequences)
        if use_fused is True:
            raise ValueError(
                f"Layer '{self.name}': use_cudnn=True was specified, but the"
                " fused kernel does not support this layer configuration "
                "(activations, recurrent dropout, or a mask that is not "
                "right-padded). Pass use_cudnn='auto' to fall back to the "
                "loop. Received: use_cudnn=True"
            )
        projected = cell._project_inputs(x)

        def step(inputs, step_states):
            return cell._step(inputs, step_states, rec_mask)

        return run_loop(step, projected, states, _bool(mask),
                        self.go_backwards, self.zero_output_for_mask,
                        self.return_sequences)

    def _drop_inputs(self, sequences, training):
        """Input dropout: one mask per sequence, the same at every step."""
        rate = getattr(self.cell, "dropout", 0.0)
        if not (training and 0.0 < rate < 1.0):
            return sequences
        shape = (sequences.shape[0], 1) + tuple(sequences.shape[2:])
        return sequences * dropout_mask(self.cell, sequences, rate, shape)

    @staticmethod
    def _analyse_mask(x, mask):
        if mask is None or x.device.type == "meta":
            return True, None
        return fused_rnn.analyse_mask(mask)

    def _fusable(self, training):
        """Whether a call in this mode may run on torch's kernel."""
        cell = self.cell
        return (isinstance(cell, BaseRNNCell)
                and self.__dict__.get("use_cudnn", "auto") is not False
                and cell._fused_mode() is not None
                and not self.time_major
                and not (training and (cell.dropout > 0
                                       or cell.recurrent_dropout > 0)))

    # ------------------------------------------------------------------
    # States.

    def get_initial_state(self, batch_size):
        """Zero (or the cell's own) initial states, as a list."""
        state = initial_state_of(self.cell, batch_size)
        return list(state) if tree.is_nested(state) else [state]

    def _initial_states(self, sequences, initial_state):
        if initial_state is None:
            if self.stateful:
                return self._stateful_states(sequences)
            return self._on_device(
                self.get_initial_state(sequences.shape[0]), sequences)
        given = (list(initial_state) if tree.is_nested(initial_state)
                 else [initial_state])
        template = self.get_initial_state(sequences.shape[0])
        flat = tree.flatten(given)
        if len(flat) != len(tree.flatten(template)):
            raise ValueError(
                f"Layer '{self.name}': an `initial_state` was passed that is"
                f" not compatible with `cell.state_size`. Received "
                f"{len(flat)} initial state tensors; however `cell."
                f"state_size` is {self.cell.state_size}. Received: "
                f"initial_state={[tuple(np.shape(s)) for s in flat]}"
            )
        return self._on_device(tree.pack_sequence_as(template, flat),
                               sequences)

    def _on_device(self, states, like):
        def move(s):
            s = s if torch.is_tensor(s) else torch.as_tensor(np.asarray(s))
            return s.to(device=like.device, dtype=like.dtype)

        return tree.map_structure(move, states)

    def _stateful_states(self, sequences):
        states = self.__dict__["_rnn_states"]
        batch = sequences.shape[0]
        if states is None:
            states = self._on_device(self.get_initial_state(batch),
                                     sequences)
            self.__dict__["_rnn_states"] = states
        elif tree.flatten(states)[0].shape[0] != batch:
            raise ValueError(
                f"Layer '{self.name}' is stateful with batch size "
                f"{tree.flatten(states)[0].shape[0]}, but it was called on "
                f"a batch of {batch}. A stateful RNN needs the same batch "
                "size at every call (pass `batch_size` to `Input` and to "
                f"`fit`). Received: sequences.shape="
                f"{tuple(sequences.shape)}"
            )
        return self._on_device(states, sequences)

    def _store_states(self, states):
        # Keras assigns the new values to state variables: no gradient
        # flows into the next batch.
        self.__dict__["_rnn_states"] = tree.map_structure(
            lambda s: s.detach(), states)

    def reset_states(self, states=None):
        """Zeroes the stateful layer's states, or sets them to ``states``."""
        current = self.__dict__["_rnn_states"]
        if states is None:
            if current is not None:
                self.__dict__["_rnn_states"] = tree.map_structure(
                    torch.zeros_like, current)
            return
        flat = tree.flatten(states if tree.is_nested(states) else [states])
        batch = np.shape(flat[0])[0]
        template = current or self.get_initial_state(batch)
        if len(flat) != len(tree.flatten(template)):
            raise ValueError(
                f"Layer '{self.name}' expects {len(tree.flatten(template))}"
                f" states, but it received {len(flat)} state values. "
                f"Received: states={[tuple(np.shape(s)) for s in flat]}"
            )
        like = tree.flatten(template)[0]
        self.__dict__["_rnn_states"] = self._on_device(
            tree.pack_sequence_as(template, flat), like)

    def reset_state(self, states=None):
        """Keras 3 spelling of ``reset_states``."""
        self.reset_states(states)

    # ------------------------------------------------------------------
    # Shapes, masks, config.

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self._sequence_shape(sequences_shape)
        batch, length = shape[0], shape[1]
        if self.time_major:
            batch, length = length, batch
        output_size = cell_output_size(self.cell)
        if self.return_sequences:
            output_shape = ((batch, length) if not self.time_major
                            else (length, batch)) + _as_tuple(output_size)
        else:
            output_shape = (batch,) + _as_tuple(output_size)
        if not self.return_state:
            return output_shape
        states_shape = []
        for size in self.state_size:
            if isinstance(size, int):
                states_shape.append((batch, size))
            else:
                states_shape.extend((batch,) + _as_tuple(s) for s in size)
        return [output_shape] + states_shape

    def compute_mask(self, inputs, mask=None):
        mask = _first_mask(mask)
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(
                tree.flatten(self.state_size))
        return output_mask

    def get_config(self):
        from torchkeras.utils.serialization import serialize_keras_object

        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        if self.time_major:
            config["time_major"] = True
        config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from torchkeras import layers

        config = dict(config)
        cell = layers.deserialize(config.pop("cell"),
                                  custom_objects=custom_objects)
        return cls(cell, **config)


def cell_layer_config(layer):
    """A SimpleRNN/GRU/LSTM config: the cell's arguments and RNN's."""
    from torchkeras import regularizers

    config = RNN.get_config(layer)
    del config["cell"]
    cell_config = layer.cell.get_config()
    for key in ("name", "trainable", "dtype"):
        cell_config.pop(key, None)
    config.update(cell_config)
    config["activity_regularizer"] = regularizers.serialize(
        layer.activity_regularizer)
    return config


def _bool(mask):
    if mask is None or mask.dtype == torch.bool:
        return mask
    return mask.bool()


class CellArguments:
    """The constructor arguments every built-in recurrent layer forwards to
    its cell, readable on the layer as in Keras (``layer.units``), and the
    config made of them (``cell_layer_config``)."""

    units = cell_property("units")
    activation = cell_property("activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    def get_config(self):
        return cell_layer_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
