"""AdditiveAttention: Bahdanau-style attention, scores
``sum(scale * tanh(query + key))`` over the feature axis."""

import torch

from torchkeras.layers.attention.attention import Attention
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.AdditiveAttention")
class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    Inputs ``[query, value]`` or ``[query, value, key]`` as ``Attention``;
    the scores are ``reduce_sum(scale * tanh(query[:, :, None] +
    key[:, None]), axis=-1)`` with ``scale`` a learned ``(dim,)`` vector.

    Args:
        use_scale: create the ``scale`` weight (glorot_uniform); default
            True.
        dropout: fraction of the attention distribution to drop in
            training.

    Call arguments:
        As ``Attention``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.AdditiveAttention()
        >>> q, v = torch.ones((2, 3, 4)), torch.ones((2, 5, 4))
        >>> layer([q, v]).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale", shape=(input_shape[0][-1],),
                initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = torch.tanh(query[..., :, None, :] + key[..., None, :, :])
        if self.scale is not None:
            summed = self.scale * summed
        return summed.sum(-1)

    def _fused_ok(self, training):
        return False

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
