"""Keras 3 gradient clipping, vectorised over lists of gradients.

Owns ``clipnorm`` (per variable), ``global_clipnorm`` and ``clipvalue`` as
Keras computes them (``base_optimizer.py`` in keras/src/optimizers), with
``torch._foreach_*`` ops. Like ``torch.nn.utils.clip_grad_norm_`` the
functions clip the given tensors in place (no copy of every gradient); none
reads a value back to the host.
"""

import torch


def clip_by_norm_(grads, clipnorm):
    """Keras ``clipnorm``: ``g * clipnorm / max(||g||, clipnorm)`` per tensor.

    Unlike ``torch.nn.utils.clip_grad_norm_`` no ``1e-6`` is added to the
    norm, and each gradient is clipped on its own.
    """
    norms = torch._foreach_norm(grads)
    torch._foreach_clamp_min_(norms, clipnorm)
    torch._foreach_mul_(grads, clipnorm)
    torch._foreach_div_(grads, norms)


def global_norm(grad_lists):
    """The L2 norm of all tensors of all lists, as a 0-dim tensor."""
    norms = [n for grads in grad_lists for n in torch._foreach_norm(grads)]
    try:
        stacked = torch.stack(norms)
    except RuntimeError:  # parameters on several devices
        device = norms[0].device
        stacked = torch.stack([n.to(device) for n in norms])
    return torch.linalg.vector_norm(stacked)


def clip_by_global_norm_(grad_lists, clipnorm):
    """Keras ``global_clipnorm`` over several lists of gradients.

    Scales every gradient by ``clipnorm * min(1 / norm, 1 / clipnorm)``; a
    non-finite global norm makes every gradient NaN, as in Keras.
    """
    norm = global_norm(grad_lists)
    scale = clipnorm * torch.clamp(torch.reciprocal(norm), max=1 / clipnorm)
    scale = scale + (norm - norm)
    for grads in grad_lists:
        torch._foreach_mul_(grads, scale.to(grads[0].dtype))


def clip_by_value_(grads, clipvalue):
    """Keras ``clipvalue``: each element into ``[-clipvalue, clipvalue]``."""
    torch._foreach_clamp_min_(grads, -clipvalue)
    torch._foreach_clamp_max_(grads, clipvalue)
