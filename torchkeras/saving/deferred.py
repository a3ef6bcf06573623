"""Delayed restoration: ``load_weights`` on a model that is not built yet.

tf.keras keeps the values of a checkpoint loaded into an unbuilt model and
assigns them when the variables are created. Here the file is read and
verified at once (so a bad file fails at ``load_weights``), and a forward
pre-hook waits for the model's first call: it builds the model with one
inference pass on that call's inputs (no gradients, ``training=False``, so
no BatchNormalization statistics move), assigns the values all or nothing,
removes itself, and lets the call go on with the loaded weights.
"""

import torch

from torchkeras.layers.layer import Layer

_HANDLE = "_torchkeras_deferred_restore"


def pending(model):
    """True when ``model`` still waits to apply loaded weights."""
    return _HANDLE in model.__dict__


def needs_deferral(model):
    """True for a model that has no weights yet because it is not built."""
    return not getattr(model, "built", False) or any(
        isinstance(m, Layer) and not m.built for m in model.modules())


def defer(model, apply_fn):
    """Runs ``apply_fn()`` once ``model`` is built by its first call."""
    cancel(model)

    def hook(module, args, kwargs):
        cancel(module)
        # The first call may come from `predict` (torch.inference_mode):
        # weights and optimizer slots made or loaded here must stay normal
        # tensors, or training after the load fails.
        with torch.inference_mode(False), torch.no_grad():
            if needs_deferral(module):
                dry = dict(kwargs)
                dry["training"] = False
                module(*args, **dry)
            apply_fn()

    handle = model.register_forward_pre_hook(hook, with_kwargs=True)
    model.__dict__[_HANDLE] = (handle, apply_fn)


def apply_now(model):
    """Applies pending values if the model got built another way.

    Returns True when values were applied.
    """
    entry = model.__dict__.get(_HANDLE)
    if entry is None or needs_deferral(model):
        return False
    cancel(model)
    entry[1]()
    return True


def cancel(model):
    entry = model.__dict__.pop(_HANDLE, None)
    if entry is not None:
        entry[0].remove()
