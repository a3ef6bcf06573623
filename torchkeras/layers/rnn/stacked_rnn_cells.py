"""StackedRNNCells: several cells run as one, each feeding the next."""

from torchkeras.layers.layer import Layer
from torchkeras.layers.layer import _call_signature
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


def check_cell(cell, arg_name="cell"):
    """Raises ValueError unless ``cell`` has Keras's cell API."""
    if "call" not in dir(cell):
        raise ValueError(
            f"Argument `{arg_name}` should have a `call` method. "
            f"Received: {arg_name}={cell}"
        )
    if "state_size" not in dir(cell):
        raise ValueError(
            "The RNN cell should have a `state_size` attribute (single "
            "integer or list of integers, one integer per RNN state). "
            f"Received: {arg_name}={cell}"
        )


def cell_output_size(cell):
    """``cell.output_size``, else its first state size."""
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    if isinstance(cell.state_size, (list, tuple)):
        return cell.state_size[0]
    return cell.state_size


def call_cell(cell, inputs, states, training):
    """Calls a cell the way Keras's RNN does (``training`` if accepted)."""
    if isinstance(cell, Layer):
        from torchkeras.layers.rnn.base_rnn_cell import BaseRNNCell

        if isinstance(cell, BaseRNNCell):  # built in: skip Layer.forward
            return cell.call(inputs, states, training=training)
        if _call_signature(type(cell))[0]:
            return cell(inputs, states, training=training)
        return cell(inputs, states)
    return cell.call(inputs, states)


@keras_export("keras.layers.StackedRNNCells")
class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    Used to implement efficient stacked RNNs: the output of each cell is
    the input of the next one within the same time step.

    Args:
        cells: list of RNN cell instances.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> cells = [keras.layers.GRUCell(8), keras.layers.LSTMCell(4)]
        >>> layer = keras.layers.RNN(keras.layers.StackedRNNCells(cells))
        >>> layer(torch.ones((2, 5, 3))).shape
        torch.Size([2, 4])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            check_cell(cell, "cells")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        from torchkeras.layers.rnn.rnn import initial_state_of

        return [initial_state_of(cell, batch_size) for cell in self.cells]

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            nested = tree.is_nested(cell_states)
            cell_states = list(cell_states) if nested else [cell_states]
            inputs, cell_states = call_cell(cell, inputs, cell_states,
                                            training)
            if not tree.is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not nested:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def build(self, input_shape):
        batch_size = tree.flatten(input_shape)[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(input_shape)
            output_dim = cell_output_size(cell)
            input_shape = (batch_size, output_dim)
        self.built = True

    def get_config(self):
        from torchkeras.utils.serialization import serialize_keras_object

        config = super().get_config()
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from torchkeras import layers

        config = dict(config)
        cells = [layers.deserialize(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)
