"""MultiHeadAttention (Vaswani et al., 2017), with Keras's weights.

The projections are sublayers named ``query``, ``key``, ``value`` and
``attention_output`` (Keras's EinsumDense names) holding Keras's layouts:
``(dim, num_heads, key_dim)`` kernels with ``(num_heads, key_dim)`` biases,
and ``(num_heads, value_dim, *output_shape)`` for the output. Rank-3 inputs
without ``return_attention_scores`` run torch's fused
``scaled_dot_product_attention``; other ranks and ``attention_axes`` use
einsum equations built as Keras builds them.
"""

import math
import string

import torch
import torch.nn.functional as F

from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.layers.attention.attention import causal_mask
from torchkeras.layers.attention.attention import mask_bias
from torchkeras.layers.attention.head_projection import HeadProjection
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization.dropout import apply_dropout_mask
from torchkeras.layers.regularization.dropout import generator_for
from torchkeras.layers.regularization.dropout import validate_rate
from torchkeras.utils.registry import keras_export


def _attention_equations(rank, attn_axes):
    """Einsum equations of the scores and of the combination.

    Projected tensors are ``(batch, <other dims>, <attention dims>, heads,
    channels)``; every axis that is neither an attention axis nor the
    channels is a batch axis of the scores (the heads included). Scores
    are ``(<batch axes>, <query attention axes>, <key attention axes>)``.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank)
                  if i not in attn_axes and i != rank - 1]
    source = list(target)
    for n, axis in enumerate(attn_axes):
        source[axis] = letters[rank + n]
    source = "".join(source)
    product = "".join([target[i] for i in batch_axes]
                      + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return (f"{source},{target}->{product}", f"{product},{source}->{target}",
            len(product))


def _clone(initializer):
    # Keras clones initializers per projection: seeded ones would otherwise
    # give every projection the same values.
    if hasattr(initializer, "get_config"):
        return type(initializer).from_config(initializer.get_config())
    return initializer


@keras_export("keras.layers.MultiHeadAttention")
class MultiHeadAttention(Layer):
    """Multi-head attention: ``num_heads`` scaled dot-product attentions
    over projected ``query``, ``key`` and ``value``, projected back.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default ``key_dim``).
        dropout: dropout on the attention probabilities in training.
        use_bias: whether the projections have biases.
        output_shape: last dims of the output (an int or tuple; default
            the query's last dim).
        attention_axes: axes attention is over (default all axes between
            the batch and the features).
        kernel_initializer: Initializer for the `kernel` weights matrix (default
            `"glorot_uniform"`).
        bias_initializer: Initializer for the bias vector (default `"zeros"`).
        kernel_regularizer: Optional regularizer function applied to the
            `kernel` weights matrix.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        kernel_constraint: Optional constraint function applied to the `kernel`
            weights matrix after each optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.
        seed: seed for the dropout.

    Call arguments:
        query: ``(B, T, dim)`` tensor.
        value: ``(B, S, dim)`` tensor.
        key: optional ``(B, S, dim)`` tensor (default ``value``).
        attention_mask: boolean ``(B, T, S)`` mask, True where attention is
            allowed; combined with the Keras masks of the inputs.
        return_attention_scores: also return the ``(B, num_heads, T, S)``
            attention probabilities.
        training: whether dropout applies.
        use_causal_mask: position ``i`` attends only to ``j <= i``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        >>> q, v = torch.ones((4, 8, 16)), torch.ones((4, 5, 16))
        >>> out, scores = mha(q, v, return_attention_scores=True)
        >>> tuple(out.shape), tuple(scores.shape)
        ((4, 8, 16), (4, 2, 8, 5))
        >>> [w.shape for w in mha.get_weights()][:2]
        [(16, 2, 3), (2, 3)]
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0,
                 use_bias=True, output_shape=None, attention_axes=None,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, seed=None,
                 **kwargs):
        kwargs.pop("flash_attention", None)
        # tf.keras 2 configs store the input shapes to build from.
        shapes = [kwargs.pop(k, None)
                  for k in ("query_shape", "value_shape", "key_shape")]
        super().__init__(**kwargs)
        self.supports_masking = True
        self._trace_output_shape = True  # outputs depend on call kwargs
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = validate_rate(dropout, "dropout")
        self._use_bias = use_bias
        self._output_shape = _output_shape_arg(output_shape)
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._attention_axes = _attention_axes_arg(attention_axes)
        self.seed = seed
        self._generators = {}
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))
        if shapes[0] is not None and shapes[1] is not None:
            self.build(*[None if s is None else tuple(s) for s in shapes])

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------------
    # Building: needs the value's shape too, so it happens in __call__.

    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise TypeError(
                f"Layer '{self.name}' (MultiHeadAttention) needs `query` and"
                " `value`. Received: value=None"
            )
        value, key = self._convert_inputs(value), self._convert_inputs(key)
        if not self.built:
            self.build(tuple(query.shape), tuple(value.shape),
                       None if key is None else tuple(key.shape))
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
            if torch.is_tensor(query) and query.device.type != "cpu":
                self.to(query.device)
        return super().__call__(query, value, key=key, **kwargs)

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, "
                f"must be equal. Received: value_shape={value_shape} and "
                f"key_shape={key_shape}"
            )
        heads = self._num_heads
        self._query_dense = self._projection(
            "query", (query_shape[-1], heads, self._key_dim), 1)
        self._key_dense = self._projection(
            "key", (key_shape[-1], heads, self._key_dim), 1)
        self._value_dense = self._projection(
            "value", (value_shape[-1], heads, self._value_dim), 1)
        out_dims = self._output_shape or (query_shape[-1],)
        self._output_dense = self._projection(
            "attention_output", (heads, self._value_dim) + tuple(out_dims),
            2)
        self._build_attention(len(query_shape) + 1)
        self.built = True

    def _projection(self, name, kernel_shape, num_contracted):
        layer = HeadProjection(
            kernel_shape, num_contracted, use_bias=self._use_bias,
            kernel_initializer=_clone(self._kernel_initializer),
            bias_initializer=_clone(self._bias_initializer),
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            activity_regularizer=self._activity_regularizer,
            dtype=self.dtype, name=name)
        layer._maybe_build(None)
        return layer

    def _build_attention(self, rank):
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(
                axis if axis >= 0 else (rank - 1) + axis
                for axis in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = (
            _attention_equations(rank, self._attention_axes))
        self._norm_axes = tuple(range(
            scores_rank - len(self._attention_axes), scores_rank))

    @property
    def query_dense(self):
        return self._query_dense

    @property
    def key_dense(self):
        return self._key_dense

    @property
    def value_dense(self):
        return self._value_dense

    @property
    def output_dense(self):
        return self._output_dense

    # ------------------------------------------------------------------
    # Calling.

    def call(self, query, value, key=None, query_mask=None, value_mask=None,
             key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        query_mask = _keras_mask(query, query_mask)
        value_mask = _keras_mask(value, value_mask)
        key_mask = _keras_mask(key, key_mask)
        attention_mask = self._compute_attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask,
            use_causal_mask)
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        output, scores = self._compute_attention(
            query, key, value, attention_mask, training,
            return_attention_scores)
        output = self._output_dense(output)
        if query_mask is not None:
            output._keras_mask = query_mask
        if return_attention_scores:
            return output, scores
        return output

    def _compute_attention_mask(self, query, value, query_mask, value_mask,
                                key_mask, attention_mask, use_causal_mask):
        """The boolean mask of allowed scores, Keras's merge of the query,
        value and key masks, the causal mask and ``attention_mask``."""
        auto = None
        if query_mask is not None:
            auto = query_mask.bool()[..., :, None]
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = mask.bool()[..., None, :]
                auto = mask if auto is None else auto & mask
        if use_causal_mask:
            mask = causal_mask(query.shape[1], value.shape[1], query.device)
            auto = mask if auto is None else auto & mask
        if attention_mask is not None:
            attention_mask = torch.as_tensor(attention_mask,
                                             device=query.device).bool()
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def _compute_attention(self, query, key, value, attention_mask=None,
                           training=None, return_attention_scores=False):
        """Attention on projected ``(B, T, N, H)`` tensors -> output
        ``(B, T, N, Hv)`` and the probabilities (or ``None``)."""
        seeded_dropout = bool(training) and self._dropout > 0 and (
            self.seed is not None)
        if (query.dim() == 4 and self._attention_axes == (1,)
                and not return_attention_scores and not seeded_dropout):
            return self._fused_attention(query, key, value, attention_mask,
                                         training), None
        query = query * self._inverse_sqrt_key_dim
        scores = torch.einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:
            mask = self._expand_mask(attention_mask, scores.dim())
            scores = scores + mask_bias(mask, scores.dtype)
        probs = _softmax(scores, self._norm_axes)
        dropped = probs
        if training and self._dropout > 0:
            dropped = self._drop(probs)
        return torch.einsum(self._combine_equation, dropped, value), probs

    def _expand_mask(self, mask, rank):
        # Keras inserts the missing axes at the heads' position.
        axis = -len(self._attention_axes) * 2 - 1
        while mask.dim() < rank:
            mask = mask.unsqueeze(axis)
        return mask

    def _fused_attention(self, query, key, value, attention_mask, training):
        bias = None
        if attention_mask is not None:
            mask = self._expand_mask(attention_mask, 4)
            bias = mask_bias(mask, query.dtype)
        out = F.scaled_dot_product_attention(
            query.transpose(1, 2), key.transpose(1, 2),
            value.transpose(1, 2), attn_mask=bias,
            dropout_p=self._dropout if training else 0.0,
            scale=self._inverse_sqrt_key_dim)
        return out.transpose(1, 2)

    def _drop(self, probs):
        if self.seed is None:
            return F.dropout(probs, p=self._dropout, training=True)
        return apply_dropout_mask(probs, self._dropout, tuple(probs.shape),
                                  generator_for(self, probs))

    # ------------------------------------------------------------------
    # Shapes, masks, config.

    def compute_output_shape(self, query_shape, value_shape=None,
                             key_shape=None):
        query_shape = tuple(query_shape)
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def compute_mask(self, inputs, mask=None):
        return None  # `call` puts the query mask on the output

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "output_shape": (list(self._output_shape)
                             if self._output_shape else None),
            "attention_axes": (list(self._attention_axes)
                               if self._attention_axes is not None
                               else None),
            "kernel_initializer": initializers.serialize(
                self._kernel_initializer),
            "bias_initializer": initializers.serialize(
                self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(
                self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(
                self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(
                self._activity_regularizer),
            "kernel_constraint": constraints.serialize(
                self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return config


def _keras_mask(tensor, explicit):
    if explicit is not None:
        return explicit
    return getattr(tensor, "_keras_mask", None)


def _softmax(scores, axes):
    if len(axes) == 1:
        return torch.softmax(scores, dim=axes[0])
    return torch.exp(scores - torch.logsumexp(scores, dim=axes,
                                              keepdim=True))


def _output_shape_arg(output_shape):
    if not output_shape:
        return None
    if isinstance(output_shape, int):
        return (output_shape,)
    try:
        return tuple(int(d) for d in output_shape)
    except TypeError:
        raise ValueError(
            f"Invalid `output_shape`: {output_shape}. When specified, the "
            "`output_shape` should be of type tuple, list, or int. "
            f"Received: output_shape={output_shape}"
        ) from None


def _attention_axes_arg(attention_axes):
    if attention_axes is None:
        return None
    if isinstance(attention_axes, int):
        return (attention_axes,)
    if not isinstance(attention_axes, (list, tuple)):
        raise ValueError(
            "`attention_axes` must be an int, list, or tuple. Received: "
            f"attention_axes={attention_axes}"
        )
    return tuple(attention_axes)
