"""Bidirectional: a recurrent layer run forwards and backwards, merged.

The forward and backward layers are fresh copies of the given layer (named
``forward_<name>`` and ``backward_<name>``, the backward one with
``go_backwards`` flipped), as Keras makes them. When both are built-in
GRU/LSTM/SimpleRNN layers that the fused kernels can run, one call of
torch's bidirectional kernel does both directions (with right-padded masks
packed); otherwise each layer runs on its own.
"""

import types

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.rnn import fused_rnn
from torchkeras.layers.rnn.rnn import RNN
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export
from torchkeras.utils.serialization import custom_object_scope

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _objects_of(layer):
    """Classes and functions a layer's config names (custom cells,
    activations, initializers...), so that a copy can be rebuilt."""
    objects = {}
    cell = getattr(layer, "cell", None)
    for obj in [layer, cell] + list(getattr(cell, "cells", [])):
        if obj is None:
            continue
        objects[type(obj).__name__] = type(obj)
        for value in vars(obj).values():
            if isinstance(value, types.FunctionType):
                objects[value.__name__] = value
            elif hasattr(value, "get_config") and not isinstance(
                    value, torch.nn.Module):
                objects[type(value).__name__] = type(value)
    return objects


def _recreate(layer, name, go_backwards):
    config = layer.get_config()
    config["name"] = name
    config["go_backwards"] = go_backwards
    with custom_object_scope(_objects_of(layer)):
        new = type(layer).from_config(config)
    if "use_cudnn" in layer.__dict__:  # not in Keras's config
        new.use_cudnn = layer.use_cudnn
    return new


def _merge(mode, y, y_rev):
    if mode == "concat":
        return torch.cat([y, y_rev], dim=-1)
    if mode == "sum":
        return y + y_rev
    if mode == "ave":
        return (y + y_rev) / 2
    if mode == "mul":
        return y * y_rev
    return [y, y_rev]


@keras_export("keras.layers.Bidirectional")
class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: a recurrent layer instance (``LSTM``, ``GRU``, ``RNN``, ...)
            with ``return_sequences``, ``return_state``, ``go_backwards``
            and ``stateful``.
        merge_mode: how the forward and backward outputs are combined: one
            of ``'sum'``, ``'mul'``, ``'concat'`` (default), ``'ave'``,
            ``None`` (a list of both).
        weights: optional initial weights, the forward layer's then the
            backward layer's (Keras layouts).
        backward_layer: optional layer for the backward direction;
            by default a copy of ``layer`` with ``go_backwards`` flipped.

    Call arguments:
        sequences: ``(batch, timesteps, features)`` tensor.
        initial_state: list: the forward layer's initial states, then the
            backward layer's.
        mask: ``(batch, timesteps)`` boolean tensor.
        training: passed to both layers.

    Output shape:
        The wrapped layer's output with the last axis doubled for
        ``'concat'``; with ``return_state``, ``[output, *forward_states,
        *backward_states]``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.Bidirectional(keras.layers.GRU(4))
        >>> layer(torch.ones((2, 5, 3))).shape
        torch.Size([2, 8])
        >>> layer.forward_layer.name, layer.backward_layer.name
        ('forward_gru', 'backward_gru')
    """

    def __init__(self, layer, merge_mode="concat", weights=None,
                 backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a "
                f"`keras.layers.Layer` instance. Received: layer={layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer,
                                                         Layer):
            raise ValueError(
                "`backward_layer` need to be a `keras.layers.Layer` "
                f"instance. Received: backward_layer={backward_layer}"
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode "
                "should be one of {'sum', 'mul', 'ave', 'concat', None}"
            )
        super().__init__(**kwargs)
        self.forward_layer = _recreate(
            layer, "forward_" + layer.name.removeprefix("forward_"),
            layer.go_backwards)
        if backward_layer is None:
            backward_layer = _recreate(
                layer, "backward_" + layer.name.removeprefix("backward_"),
                not layer.go_backwards)
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            # Keras: masked steps output zeros when returning sequences.
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = list(weights[:half])
            self.backward_layer._initial_weights = list(weights[half:])
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different "
                "`go_backwards` value. Received: forward_layer.go_backwards="
                f"{forward.go_backwards}, backward_layer.go_backwards="
                f"{backward.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            forward_value = getattr(forward, attr)
            backward_value = getattr(backward, attr)
            if forward_value != backward_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have "
                    f'the same value for attribute "{attr}", got '
                    f'"{forward_value}" for forward layer and '
                    f'"{backward_value}" for backward layer'
                )

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer._maybe_build(sequences_shape)
        self.backward_layer._maybe_build(sequences_shape)
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):
            sequences, initial_state = sequences[0], list(sequences[1:])
            initial_state = initial_state or None
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state = list(initial_state[:half])
            backward_state = list(initial_state[half:])
        if self._fusable(training):
            fused = self._call_fused(sequences, forward_state,
                                     backward_state, mask)
            if fused is not None:
                return fused
        return self._call_each(sequences, forward_state, backward_state,
                               mask, training)

    def _call_each(self, sequences, forward_state, backward_state, mask,
                   training):
        kwargs = {"training": training, "mask": mask}
        y = self.forward_layer(sequences, **kwargs, **_state(forward_state))
        y_rev = self.backward_layer(sequences, **kwargs,
                                    **_state(backward_state))
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            time_axis = 0 if getattr(self.forward_layer, "time_major",
                                     False) else 1
            y_rev = torch.flip(y_rev, (time_axis,))
        return self._outputs(_merge(self.merge_mode, y, y_rev), states)

    def _outputs(self, output, states):
        if not self.return_state:
            return output
        head = output if isinstance(output, list) else [output]
        return head + list(states)

    def _fusable(self, training):
        forward, backward = self.forward_layer, self.backward_layer
        if not (isinstance(forward, RNN) and isinstance(backward, RNN)):
            return False
        return (type(forward.cell) is type(backward.cell)
                and forward._fusable(training)
                and backward._fusable(training)
                and not forward.go_backwards and backward.go_backwards
                and forward.cell._fused_mode() == backward.cell._fused_mode()
                and forward.cell.units == backward.cell.units
                and (forward.cell.bias is None) == (backward.cell.bias is None)
                and forward.activity_regularizer is None
                and backward.activity_regularizer is None)

    def _call_fused(self, sequences, forward_state, backward_state, mask):
        """Both directions in one kernel call; ``None`` when the mask is
        not right-padded (each layer then runs on its own)."""
        forward, backward = self.forward_layer, self.backward_layer
        lengths = None
        if mask is not None and sequences.device.type != "meta":
            right_padded, lengths = fused_rnn.analyse_mask(mask)
            if not right_padded:
                return None
        forward_states = forward._initial_states(sequences, forward_state)
        backward_states = backward._initial_states(sequences,
                                                   backward_state)
        outputs, y, y_rev, forward_final, backward_final = (
            fused_rnn.run_bidirectional(
                forward.cell, backward.cell, sequences, forward_states,
                backward_states, lengths, self.return_sequences))
        if forward.stateful:
            forward._store_states(forward_final)
            backward._store_states(backward_final)
        if self.return_sequences:
            if self.merge_mode == "concat":
                return self._outputs(outputs, forward_final + backward_final)
            units = forward.cell.units
            y, y_rev = outputs[..., :units], outputs[..., units:]
        return self._outputs(_merge(self.merge_mode, y, y_rev),
                             forward_final + backward_final)

    # ------------------------------------------------------------------
    # States, shapes, masks, config.

    @property
    def states(self):
        forward_states = getattr(self.forward_layer, "states", None)
        backward_states = getattr(self.backward_layer, "states", None)
        if forward_states and backward_states:
            return tuple(list(forward_states) + list(backward_states))
        return None

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        half = len(states) // 2
        self.forward_layer.reset_states(list(states[:half]))
        self.backward_layer.reset_states(list(states[half:]))

    def reset_state(self, states=None):
        self.reset_states(states)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(
            sequences_shape)
        state_shapes = []
        if self.return_state:
            output_shape, state_shapes = output_shape[0], output_shape[1:]
        output_shape = tuple(output_shape)
        if self.merge_mode == "concat":
            output_shape = output_shape[:-1] + (
                None if output_shape[-1] is None else 2 * output_shape[-1],)
        outputs = ([output_shape, output_shape] if self.merge_mode is None
                   else [output_shape])
        if self.return_state:
            return outputs + list(state_shapes) * 2
        return outputs[0] if self.merge_mode is not None else outputs

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        outputs = ([output_mask, output_mask] if self.merge_mode is None
                   else [output_mask])
        if self.return_state:
            n_states = len(tree.flatten(
                getattr(self.forward_layer, "state_size", [])))
            return outputs + [None] * (2 * n_states)
        return outputs[0] if self.merge_mode is not None else outputs

    def get_config(self):
        from torchkeras.utils.serialization import serialize_keras_object

        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialize_keras_object(
            self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from torchkeras import layers

        config = dict(config)
        config["layer"] = layers.deserialize(config["layer"],
                                             custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = layers.deserialize(
                backward, custom_objects=custom_objects)
        return cls(**config)


def _state(states):
    return {} if states is None else {"initial_state": states}
