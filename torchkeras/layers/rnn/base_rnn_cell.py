"""BaseRNNCell: what SimpleRNNCell, GRUCell and LSTMCell share.

A built-in cell stores ``kernel``, ``recurrent_kernel`` and ``bias`` in
torch's layout (see ``gate_layout``) and splits a step in two:
``_project_inputs`` (the input matmul, which the RNN layer runs once over the
whole sequence) and ``_step`` (the recurrent part). ``call(inputs, states)``
is Keras's cell API built from the two. ``_fused_mode``/``_fused_params``
tell ``fused_rnn`` whether and how torch's kernel can run the cell.
"""

import numpy as np
import torch

from torchkeras import activations
from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from torchkeras.layers.rnn.gate_layout import GateLayout
from torchkeras.utils import tree

_TANH = (activations.tanh, torch.tanh, torch.nn.functional.tanh)
_SIGMOID = (activations.sigmoid, torch.sigmoid,
            torch.nn.functional.sigmoid)
_RELU = (activations.relu, torch.relu, torch.nn.functional.relu)


def is_tanh(fn):
    return any(fn is f for f in _TANH)


def is_sigmoid(fn):
    return any(fn is f for f in _SIGMOID)


def is_relu(fn):
    return any(fn is f for f in _RELU)


def validate_units(units):
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValueError(
            "Received an invalid value for argument `units`, expected a "
            f"positive integer, got {units}. Received: units={units}"
        )
    return units


class BaseRNNCell(Layer, DropoutRNNCell):
    """Weights, layouts, dropout and Keras's cell API of built-in cells.

    Subclasses set ``_TORCH_GATES`` (see ``GateLayout``) and implement
    ``build``, ``_project_inputs``, ``_step``, ``_fused_mode`` and
    ``_fused_params``.
    """

    _TORCH_GATES = (0,)

    def _init_common(self, units, activation, use_bias, kernel_initializer,
                     recurrent_initializer, bias_initializer,
                     kernel_regularizer, recurrent_regularizer,
                     bias_regularizer, kernel_constraint,
                     recurrent_constraint, bias_constraint, dropout,
                     recurrent_dropout, seed):
        self.units = validate_units(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
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
        self._layout = GateLayout(self._TORCH_GATES)
        self._layout_keys = {}

    # ------------------------------------------------------------------
    # Weights in torch layout.

    def _add_layout_weight(self, name, kind, keras_shape, initializer,
                           regularizer, constraint):
        torch_shape = (tuple(keras_shape[::-1]) if kind == "kernel"
                       else tuple(keras_shape))
        layout = self._layout
        weight = self.add_weight(
            name=name, shape=torch_shape,
            initializer=layout.initializer(kind, initializer, keras_shape),
            regularizer=layout.regularizer(kind, regularizer),
            constraint=layout.constraint(kind, constraint))
        self._layout_keys[self._key_of(weight)] = kind
        return weight

    def _add_cell_weights(self, input_dim, gates, bias_shape,
                          bias_initializer=None):
        self.kernel = self._add_layout_weight(
            "kernel", "kernel", (input_dim, gates * self.units),
            self.kernel_initializer, self.kernel_regularizer,
            self.kernel_constraint)
        self.recurrent_kernel = self._add_layout_weight(
            "recurrent_kernel", "kernel", (self.units, gates * self.units),
            self.recurrent_initializer, self.recurrent_regularizer,
            self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self._add_layout_weight(
                "bias", "bias", bias_shape,
                bias_initializer or self.bias_initializer,
                self.bias_regularizer, self.bias_constraint)

    def _layout_kind(self, weight):
        for key, kind in self._layout_keys.items():
            if self._get_weight(key) is weight:
                return kind
        return None

    def _to_keras_layout(self, weight):
        kind = self._layout_kind(weight)
        if kind is None:
            return super()._to_keras_layout(weight)
        value = self._layout.to_keras(kind, weight.detach())
        return value.cpu().numpy().copy()

    def _from_keras_layout(self, weight, array):
        kind = self._layout_kind(weight)
        value = torch.as_tensor(np.asarray(array), dtype=weight.dtype)
        if kind is None:
            return value
        return self._layout.to_torch(kind, value).contiguous()

    def _keras_shape(self, weight):
        kind = self._layout_kind(weight)
        if kind is None:
            return tuple(weight.shape)
        return GateLayout.keras_shape(kind, tuple(weight.shape))

    # ------------------------------------------------------------------
    # Keras's cell API.

    def call(self, inputs, states, training=False):
        nested = tree.is_nested(states)
        states = list(states) if nested else [states]
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        rec_mask = None
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rec_mask = self.get_recurrent_dropout_mask(states[0])
        output, new_states = self._step(self._project_inputs(inputs),
                                        states, rec_mask)
        return output, (new_states if nested else new_states[0])

    def get_initial_state(self, batch_size=None):
        sizes = (self.state_size if isinstance(self.state_size, list)
                 else [self.state_size])
        return [torch.zeros((batch_size, size), dtype=self._torch_dtype,
                            device=self._device()) for size in sizes]

    def _device(self):
        weight = self.__dict__.get("_parameters", {}).get("kernel")
        return weight.device if weight is not None else None

    def _base_cell_config(self):
        return {"units": self.units, **weight_arguments_config(self)}

    # ------------------------------------------------------------------
    # Subclass hooks.

    def _project_inputs(self, inputs):
        """``inputs @ kernel + input bias`` for any leading dims."""
        raise NotImplementedError

    def _step(self, projected, states, rec_mask):
        """One recurrent step on projected inputs -> (output, states)."""
        raise NotImplementedError

    def _fused_mode(self):
        """torch's kernel name ('GRU', 'LSTM', 'RNN_TANH', 'RNN_RELU') or
        ``None`` when the cell's equations are not the kernel's."""
        return None

    def _fused_params(self):
        """(weights in torch's ``_flat_weights`` order, has_biases)."""
        raise NotImplementedError


def cell_property(name):
    """A read-only layer attribute forwarded to ``layer.cell`` (Keras 3's
    ``GRU.units`` and friends)."""
    return property(lambda self: getattr(self.cell, name),
                    doc=f"The cell's ``{name}``.")


def validate_use_cudnn(use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            "Invalid valid received for argument `use_cudnn`. Expected one "
            "of {'auto', True, False}. Received: "
            f"use_cudnn={use_cudnn}"
        )
    return use_cudnn


def weight_arguments_config(cell):
    """The config of a recurrent cell's activation, bias, initializer,
    regularizer, constraint, dropout and seed arguments (shared by the
    dense and the convolutional cells)."""
    return {
        "activation": activations.serialize(cell.activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(
            cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(
            cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "kernel_regularizer": regularizers.serialize(
            cell.kernel_regularizer),
        "recurrent_regularizer": regularizers.serialize(
            cell.recurrent_regularizer),
        "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
        "kernel_constraint": constraints.serialize(cell.kernel_constraint),
        "recurrent_constraint": constraints.serialize(
            cell.recurrent_constraint),
        "bias_constraint": constraints.serialize(cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
        "seed": cell.seed,
    }
