"""Optimizer state in Keras files: layouts, flavours, names, mismatches.

Keras files keep an optimizer's variables as one list. Keras 3 writes it
as ``optimizer/vars/<i>`` (``.keras`` archives, ``.weights.h5``) in the
order of its ``optimizer.variables``; tf.keras 2 as the
``optimizer_weights`` group of a ``.h5`` model (``iteration:0``,
``Adam/m/dense/kernel:0``, ...), without the learning rate. Each slot is in
the Keras layout of the weight it belongs to (Dense kernel ``(in, out)``,
Conv2D ``HWIO``, RNN gate order). The optimizer owns the order and the
mapping (``optimizers.optimizer_state``); this module lends it the model's
layouts (``ModelLayout``, through each layer family's
``_to_keras_layout``/``_from_keras_layout`` hooks), names tf.keras's
datasets and tells an ``.h5`` file's flavour from its names.

A saved state that does not fit the model's optimizer (another count or
shape) is skipped with a warning naming the file and the first mismatch,
and the optimizer starts fresh, as Keras 3 (count) and tf.keras 2 (any
mismatch) do: the weights are intact and usable, and the model may have
been compiled with another optimizer on purpose. Everything is checked
before anything is assigned, so an optimizer is never half-loaded.
"""

import warnings

import numpy as np
import torch

from torchkeras.optimizers import optimizer_state
from torchkeras.saving import weight_paths


def keras_optimizer(model):
    """The model's optimizer if it is a Keras one (Keras-ordered state)."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "prepare_keras_variables"):
        return None
    return opt


def ensure_optimizer_built(model, opt):
    if getattr(opt, "built", True):
        return
    build = getattr(model, "_build_optimizer", None)
    if build is not None:
        build()
    else:
        opt.build(model.trainable_weights)


def _value_to_keras(owner, weight, value):
    """``value`` (a tensor shaped as ``weight``) in ``weight``'s Keras
    layout.

    The layer families convert a weight, not a value, so the value is lent
    to the weight for the call (a swap of ``.data``, no copy) and the
    weight gets its own data back at once.
    """
    with torch.no_grad():
        data = weight.data
        weight.data = value.detach()
        try:
            return np.array(owner._to_keras_layout(weight), copy=True)
        finally:
            weight.data = data


class ModelLayout:
    """Keras layouts of a model's weights, for the optimizer's slots."""

    def __init__(self, model):
        self._owners = weight_paths.owner_map(model)

    def to_keras(self, param, tensor):
        owner = self._owners.get(id(param))
        if owner is None:
            return tensor.detach().cpu().numpy().copy()
        return _value_to_keras(owner, param, tensor)

    def from_keras(self, param, array):
        owner = self._owners.get(id(param))
        if owner is None:
            return torch.as_tensor(np.asarray(array))
        return owner._from_keras_layout(param, np.asarray(array))

    def keras_shape(self, param):
        owner = self._owners.get(id(param))
        if owner is None:
            return tuple(param.shape)
        return tuple(owner._keras_shape(param))


def keras3_arrays(model, opt):
    """Keras 3's ``optimizer.variables`` values, in Keras layouts."""
    return [v.value for v in opt.export_keras_variables(
        ModelLayout(model), optimizer_state.FLAVOR_KERAS3)]


def tf_keras_weights(model, opt):
    """``(names, arrays)`` of tf.keras 2's ``optimizer_weights`` group."""
    values = opt.export_keras_variables(ModelLayout(model),
                                        optimizer_state.FLAVOR_TF_KERAS)
    scoped, _ = weight_paths.scoped_names(model)
    inner = getattr(opt, "inner_optimizer", None)
    prefix = getattr(inner, "name", None) or opt.name
    names = []
    for i, value in enumerate(values):
        if value.param is None:
            names.append(f"{value.name}:0")
            continue
        weight = scoped.get(id(value.param), f"param_{i}")
        names.append(f"{prefix}/{value.name}/{weight}:0")
    return names, [v.value for v in values]


def h5_flavor(names):
    """The flavour of an ``optimizer_weights`` group, from its first name
    (the step counter), or None when no Keras writes it so."""
    first = names[0].rsplit("/", 1)[-1] if names else ""
    return {
        "iteration:0": optimizer_state.FLAVOR_TF_KERAS,
        "iter:0": optimizer_state.FLAVOR_TF_KERAS_LEGACY,
        "iteration": optimizer_state.FLAVOR_KERAS3,  # Keras 3's ``.h5``
    }.get(first)


def _skip(filepath, problem):
    warnings.warn(
        f"File '{filepath}': skipping the optimizer state: {problem} The "
        "optimizer starts fresh; the weights are loaded.",
        stacklevel=4,
    )


def prepare(filepath, model, arrays, flavor):
    """A function that restores the model's optimizer from ``arrays``, or
    None (with a warning) when they do not fit it. Assigns nothing."""
    opt = keras_optimizer(model)
    if opt is None:
        return None
    ensure_optimizer_built(model, opt)
    try:
        return opt.prepare_keras_variables(arrays, ModelLayout(model),
                                           flavor)
    except ValueError as e:
        _skip(filepath, f"it does not fit ({e}).")
        return None


def prepare_h5(filepath, model, names, arrays):
    """`prepare` for an ``optimizer_weights`` group, by its flavour."""
    if keras_optimizer(model) is None:
        return None
    flavor = h5_flavor(names)
    if flavor is None:
        _skip(filepath, f"its names ({names[:2]}...) are not those of "
                        "tf.keras 2, its legacy optimizers or Keras 3, so "
                        "its order is unknown.")
        return None
    return prepare(filepath, model, arrays, flavor)
