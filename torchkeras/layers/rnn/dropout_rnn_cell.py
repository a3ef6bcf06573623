"""DropoutRNNCell: the dropout masks a recurrent cell reuses at every step.

Keras drops the same input and state units at every time step of a
sequence (Gal & Ghahramani): a cell draws its masks at the first step, keeps
them, and the RNN layer resets them after the sequence. Masks are drawn
from torch's global generator, or from the cell's own seeded generator when
it has a ``seed``.
"""

import torch

from torchkeras.layers.regularization.dropout import apply_dropout_mask
from torchkeras.layers.regularization.dropout import generator_for


def dropout_mask(cell, like, rate, shape=None):
    """A keep-mask scaled by ``1 / (1 - rate)`` (``shape`` default
    ``like.shape``), on ``like``'s device and dtype."""
    shape = tuple(like.shape) if shape is None else tuple(shape)
    ones = torch.ones((), dtype=like.dtype, device=like.device)
    return apply_dropout_mask(ones, rate, shape, generator_for(cell, like))


class DropoutRNNCell:
    """Mixin for cells with ``dropout`` and ``recurrent_dropout``.

    The cell sets ``dropout``, ``recurrent_dropout`` and ``seed``; it needs
    ``_generators = {}`` for seeded masks.
    """

    def get_dropout_mask(self, step_input):
        """The input mask for this sequence (drawn at the first call)."""
        if self.__dict__.get("_dropout_mask") is None and self.dropout > 0:
            self._dropout_mask = dropout_mask(self, step_input, self.dropout)
        return self.__dict__.get("_dropout_mask")

    def get_recurrent_dropout_mask(self, step_input):
        """The state mask for this sequence (drawn at the first call)."""
        if (self.__dict__.get("_recurrent_dropout_mask") is None
                and self.recurrent_dropout > 0):
            self._recurrent_dropout_mask = dropout_mask(
                self, step_input, self.recurrent_dropout)
        return self.__dict__.get("_recurrent_dropout_mask")

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None
