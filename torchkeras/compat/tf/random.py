"""``tf.random``: draws from torch's global generator.

``keras.utils.set_random_seed(s)`` (or ``tf.random.set_seed(s)``) seeds
that generator, so a seeded program draws the same numbers each run. An
op-level ``seed=`` is accepted and not used: TensorFlow derives each op's
stream from the global and op seeds, which has no torch counterpart; the
global seed is what makes runs reproducible in both. Draws go to the
backend's current device.
"""

import torch

from torchkeras.backend.device import current_device
from torchkeras.compat.tf import _support
from torchkeras.ops.core import convert_to_tensor
from torchkeras.utils.random import set_random_seed


def _dtype(dtype):
    from torchkeras.compat.tf import as_dtype

    return as_dtype(dtype)


def set_seed(seed):
    """``tf.random.set_seed``: seeds Python, NumPy and torch."""
    set_random_seed(seed)


def normal(shape, mean=0.0, stddev=1.0, dtype=torch.float32, seed=None,
           name=None):
    out = torch.randn(_support.shape_arg(shape), dtype=_dtype(dtype),
                      device=current_device())
    return out * stddev + mean


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=torch.float32,
                     seed=None, name=None):
    """Normal draws re-drawn outside two standard deviations (as TF)."""
    out = torch.empty(_support.shape_arg(shape), dtype=_dtype(dtype),
                      device=current_device())
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0)
    return out * stddev + mean


def uniform(shape, minval=0, maxval=None, dtype=torch.float32, seed=None,
            name=None):
    """Floats in ``[minval, maxval)`` (``maxval`` 1 by default); integer
    dtypes need ``maxval``, as in TensorFlow."""
    dtype = _dtype(dtype)
    shape = _support.shape_arg(shape)
    if not dtype.is_floating_point:
        if maxval is None:
            raise ValueError(
                "tf.random.uniform with an integer dtype needs `maxval`. "
                f"Received: dtype={dtype}, maxval=None")
        return torch.randint(int(minval), int(maxval), shape, dtype=dtype,
                             device=current_device())
    maxval = 1.0 if maxval is None else maxval
    out = torch.rand(shape, dtype=dtype, device=current_device())
    return out * (maxval - minval) + minval


def shuffle(value, seed=None, name=None):
    """``value`` with its first dimension randomly permuted."""
    value = convert_to_tensor(value)
    return value[torch.randperm(value.shape[0], device=value.device)]


def gamma(shape, alpha, beta=None, dtype=torch.float32, seed=None,
          name=None):
    """Gamma draws of shape ``shape + broadcast(alpha, beta).shape``;
    ``beta`` is the rate (inverse scale), 1 by default."""
    dtype = _dtype(dtype)
    alpha = convert_to_tensor(alpha, dtype=dtype)
    beta = convert_to_tensor(1.0 if beta is None else beta, dtype=dtype)
    alpha, beta = torch.broadcast_tensors(alpha, beta)
    full = _support.shape_arg(shape) + tuple(alpha.shape)
    draws = torch._standard_gamma(alpha.expand(full).contiguous())
    return draws / beta


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Class indices drawn from unnormalised log-probabilities, shape
    ``(batch_size, num_samples)``, int64 by default."""
    logits = convert_to_tensor(logits)
    probs = torch.softmax(logits.float(), dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True)
    return out.to(_dtype(dtype or torch.int64))


_support.eager_results(globals())
__getattr__ = _support.missing("tf.random")
