"""``tf.nn`` names: activations and the cross-entropies with logits.

Activations call ``keras.ops``; the three ``*_cross_entropy_with_logits``
losses and ``dropout`` are ops of their own (``tf.nn.<name>``) since
``keras.ops`` has no function with their semantics (element-wise, no
reduction; ``dropout`` always drops, as TF's does).
"""

import torch
import torch.nn.functional as F

from torchkeras import ops
from torchkeras.compat.tf import _support
from torchkeras.compat.tf.math import _alias
from torchkeras.compat.tf.math import l2_normalize as l2_normalize
from torchkeras.compat.tf.math import log_sigmoid as log_sigmoid
from torchkeras.compat.tf.math import sigmoid as sigmoid
from torchkeras.compat.tf.math import softplus as softplus
from torchkeras.compat.tf.math import softsign as softsign
from torchkeras.compat.tf.math import tanh as tanh
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op
from torchkeras.ops.nn import _log_prob_of_labels

relu = _alias("nn.relu", ops.relu, ("features",))
relu6 = _alias("nn.relu6", ops.relu6, ("features",))
elu = _alias("nn.elu", ops.elu, ("features",))
selu = _alias("nn.selu", ops.selu, ("features",))
silu = _alias("nn.silu", ops.silu, ("features",))
swish = silu
gelu = _alias("nn.gelu", ops.gelu, ("features", "approximate"))
leaky_relu = _alias("nn.leaky_relu", ops.leaky_relu, ("features", "alpha"))
softmax = _alias("nn.softmax", ops.softmax, ("logits", "axis"))
log_softmax = _alias("nn.log_softmax", ops.log_softmax, ("logits", "axis"))
moments = _alias("nn.moments", ops.moments, ("x", "axes", "keepdims"))


@keras_op("tf.nn.sigmoid_cross_entropy_with_logits", keras3=False,
          tf=("nn.sigmoid_cross_entropy_with_logits", ("labels", "logits")))
def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Element-wise ``max(x, 0) - x * z + log(1 + exp(-|x|))``."""
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype)
    return F.binary_cross_entropy_with_logits(logits, labels,
                                              reduction="none")


@keras_op("tf.nn.softmax_cross_entropy_with_logits", keras3=False,
          tf=("nn.softmax_cross_entropy_with_logits",
              ("labels", "logits", "axis")))
def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """``-sum(labels * log_softmax(logits), axis)``, one value per row."""
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype)
    return -torch.sum(labels * torch.log_softmax(logits, dim=axis), dim=axis)


@keras_op("tf.nn.sparse_softmax_cross_entropy_with_logits", keras3=False,
          tf=("nn.sparse_softmax_cross_entropy_with_logits",
              ("labels", "logits")))
def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None,
                                             name=None):
    """``-log_softmax(logits)[labels]`` over the last axis, per row."""
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels).long()
    log_p = torch.log_softmax(logits, dim=-1)
    return -_log_prob_of_labels(
        log_p, labels, "tf.nn.sparse_softmax_cross_entropy_with_logits")


@keras_op("tf.nn.dropout", keras3=False,
          tf=("nn.dropout", ("x", "rate", "noise_shape", "seed")))
def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes entries with probability ``rate``, scales the rest by
    ``1 / (1 - rate)``; always (TF's ``nn.dropout`` has no training flag).
    ``noise_shape`` broadcasts one mask over the dims where it is 1."""
    x = convert_to_tensor(x)
    if not 0 <= rate < 1:
        raise ValueError(
            f"tf.nn.dropout expects `rate` in [0, 1). Received: rate={rate}")
    shape = x.shape if noise_shape is None else _support.shape_arg(
        noise_shape)
    keep = torch.rand(shape, device=x.device) >= rate
    return x * keep.to(x.dtype) / (1.0 - rate)


_support.eager_results(globals())
__getattr__ = _support.missing("tf.nn")
