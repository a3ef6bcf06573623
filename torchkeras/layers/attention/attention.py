"""Attention: dot-product (Luong-style) attention over ``[query, value,
key]``.

Scores are ``query @ key^T`` (times a learned ``scale`` with
``use_scale``), or with ``score_mode='concat'``
``concat_score_weight * sum(tanh(scale * (q + k)))``. Masked positions get
``-1e9`` added before the softmax, as Keras does (so a fully masked row
averages instead of giving NaN). Without ``return_attention_scores`` the
dot-product case runs in torch's fused ``scaled_dot_product_attention``
(its ``dropout_p`` is Keras's dropout on the attention distribution).
"""

import torch
import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.dropout import apply_dropout_mask
from torchkeras.layers.regularization.dropout import generator_for
from torchkeras.layers.regularization.dropout import validate_rate
from torchkeras.utils.registry import keras_export

# Keras's bias for masked scores (65504, the float16 max, in float16).
_MASK_VALUE = 1.0e9
_MASK_VALUE_FP16 = 65504.0


def mask_bias(keep, dtype):
    """``0`` where ``keep`` else ``-1e9`` (Keras's additive score mask)."""
    big = _MASK_VALUE_FP16 if dtype == torch.float16 else _MASK_VALUE
    return (~keep).to(dtype) * -big


def causal_mask(query_length, value_length, device):
    """``(1, Tq, Tv)`` lower-triangular boolean mask: ``j <= i``."""
    rows = torch.arange(query_length, device=device)[:, None]
    cols = torch.arange(value_length, device=device)[None, :]
    return (cols <= rows)[None]


@keras_export("keras.layers.Attention")
class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Inputs are a list ``[query, value]`` or ``[query, value, key]``
    (``key`` defaults to ``value``): ``query`` ``(batch, Tq, dim)``,
    ``value`` and ``key`` ``(batch, Tv, dim)``. The output is
    ``softmax(scores) @ value``, ``(batch, Tq, dim)``.

    Args:
        use_scale: create a scalar weight ``scale`` multiplying the
            scores.
        score_mode: ``'dot'`` (default) or ``'concat'``.
        dropout: fraction of the attention distribution to drop in
            training.
        seed: accepted for Keras compatibility (dropout uses torch's
            generator).

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``.
        mask: list ``[query_mask, value_mask]`` of boolean tensors
            ``(batch, Tq)`` and ``(batch, Tv)``; the output is zero where
            the query mask is False, masked values get no attention.
        training: whether dropout applies.
        return_attention_scores: also return the attention distribution
            ``(batch, Tq, Tv)``.
        use_causal_mask: position ``i`` attends only to ``j <= i``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.Attention()
        >>> q, v = torch.ones((2, 3, 4)), torch.ones((2, 5, 4))
        >>> out, scores = layer([q, v], return_attention_scores=True)
        >>> tuple(out.shape), tuple(scores.shape)
        ((2, 3, 4), (2, 3, 5))
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0,
                 seed=None, **kwargs):
        causal = kwargs.pop("causal", False)  # tf.keras 2.x argument
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of "
                f"{{'dot', 'concat'}}. Received: score_mode={score_mode}"
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = validate_rate(dropout, "dropout")
        self.seed = seed
        self._generators = {}
        self._causal = causal
        self.supports_masking = True
        self._trace_output_shape = True  # outputs depend on call kwargs

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(),
                                         initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def call(self, inputs, mask=None, training=False,
             return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        keep = self._score_mask(query, value, value_mask,
                                use_causal_mask or self._causal)
        if return_attention_scores or not self._fused_ok(training):
            result, weights = self._attend(query, key, value, keep,
                                           training)
        else:
            result, weights = self._attend_fused(query, key, value, keep,
                                                 training), None
        if query_mask is not None:
            result = result * query_mask[..., None].to(result.dtype)
        if return_attention_scores:
            return result, weights
        return result

    # ------------------------------------------------------------------
    # Scores (AdditiveAttention overrides these two).

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-1, -2))
            if self.scale is not None:
                scores = scores * self.scale
            return scores
        summed = query[..., :, None, :] + key[..., None, :, :]
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(-1)

    def _fused_ok(self, training):
        return self.score_mode == "dot" and not (
            training and self.dropout > 0 and self.seed is not None)

    # ------------------------------------------------------------------
    # Applying the scores.

    @staticmethod
    def _score_mask(query, value, value_mask, use_causal_mask):
        """Boolean ``(batch or 1, Tq or 1, Tv)`` mask of allowed scores."""
        keep = None
        if value_mask is not None:
            keep = value_mask.bool()[..., None, :]
        if use_causal_mask:
            causal = causal_mask(query.shape[-2], value.shape[-2],
                                 query.device)
            keep = causal if keep is None else keep & causal
        return keep

    def _attend(self, query, key, value, keep, training):
        scores = self._calculate_scores(query, key)
        if keep is not None:
            scores = scores + mask_bias(keep, scores.dtype)
        weights = torch.softmax(scores, dim=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = self._drop(weights)
        return torch.matmul(dropped, value), weights

    def _drop(self, weights):
        if self.seed is None:
            return F.dropout(weights, p=self.dropout, training=True)
        return apply_dropout_mask(weights, self.dropout,
                                  tuple(weights.shape),
                                  generator_for(self, weights))

    def _attend_fused(self, query, key, value, keep, training):
        if self.scale is not None:
            query = query * self.scale
        bias = None if keep is None else mask_bias(keep, query.dtype)
        return F.scaled_dot_product_attention(
            query, key, value, attn_mask=bias,
            dropout_p=self.dropout if training else 0.0, scale=1.0)

    # ------------------------------------------------------------------
    # Checks, shapes, masks, config.

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: "
                f"inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely"
                " [query, value] or [query, value, key]. Received length: "
                f"{len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask,"
                    f" value_mask]. Received: mask={mask}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. "
                    f"Received: mask={mask}."
                )

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        config = super().get_config()
        config.update({
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        })
        return config
