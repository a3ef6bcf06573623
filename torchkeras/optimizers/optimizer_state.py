"""Keras-ordered optimizer variables, Keras file layouts and state dicts.

Owns three views of an optimizer's state, all without per-step work:

- ``variables``: the state tensors themselves (torch layout) in Keras 3's
  order (documented in ``base_optimizer.py``), with ``get_weights``/
  ``set_weights`` and ``save_own_variables``/``load_own_variables``.
- The mapping to what Keras files store, both ways
  (``export_keras_variables``/``prepare_keras_variables``): Keras 3's
  ``optimizer.variables`` list (``optimizer/vars/<i>`` of ``.keras`` and
  ``.weights.h5`` files, ``FLAVOR_KERAS3``) or tf.keras 2's
  (``optimizer_weights`` of ``.h5`` models: no learning rate, no scalar
  extras, tf.keras's slot names; ``FLAVOR_TF_KERAS``, and the slot-major
  order of tf.keras's legacy optimizers, ``FLAVOR_TF_KERAS_LEGACY``, read
  only). Each slot is in its model weight's Keras layout (Dense kernel
  ``(in, out)``, Conv2D ``HWIO``, RNN gate order) through a ``layout``
  object that ``saving`` builds from the model: ``to_keras(param, tensor)``,
  ``from_keras(param, array)``, ``keras_shape(param)``.
- The torch ``state_dict``/``load_state_dict`` round trip, which adds the
  host-side step counter and scalar extras under the ``'keras'`` key.

Files store the learning rate and scalar extras (Nadam's ``u_product``) as
float32, as Keras does. A float32 value that equals ours (the learning
rate from the model's config; the extra recomputed from the step count) is
taken to be ours, so a reload resumes bit-identically. The recomputation
never loops over a file's step count: Nadam's ``u_product`` has a closed
form (``nadam.u_product_after``), and other extras are replayed for at most
``MAX_REPLAY_STEPS`` steps (past that a stored value is used as it is,
and a missing one is refused).

Assigning is all or nothing: ``_planned_assignment`` checks every value
(the iteration count a whole number in ``[0, 2**63)``, the scalars, the
slot shapes, the extras) and returns the function that assigns them.

Mixed into ``Optimizer``; it relies on its ``state``, ``param_groups``,
``_slot_specs()``, ``_all_slot_specs()``, ``_keras_slot_groups()``,
``_extra_variables()``, ``_set_extra_variable()`` and ``_prepare_step()``.
A wrapper (``LossScaleOptimizer``) with an ``inner_optimizer`` maps its own
variables first, then the inner optimizer's.
"""

import collections
import math
import warnings

import numpy as np
import torch

# Step counts up to this are replayed to recompute scalar extras that have
# no closed form (about 0.1 s); past it, a stored value is used as is.
MAX_REPLAY_STEPS = 100_000

FLAVOR_KERAS3 = "keras3"
FLAVOR_TF_KERAS = "tf_keras"
FLAVOR_TF_KERAS_LEGACY = "tf_keras_legacy"
_FLAVORS = {
    FLAVOR_KERAS3: "Keras 3",
    FLAVOR_TF_KERAS: "tf.keras 2",
    FLAVOR_TF_KERAS_LEGACY: "tf.keras 2 legacy optimizer",
}

# Slots Keras creates in one ``add_optimizer_variables(vars, [a, b])`` call
# (tf.keras 2: one loop over the variables), so they interleave per
# variable: m_0, v_0, m_1, v_1. Other slots come one block after another.
_KERAS_SLOT_PAIRS = frozenset({
    ("momentum", "velocity"),  # Adam, AdamW, Nadam
    ("momentum", "norm"),  # Adamax
    ("accumulated_grad", "accumulated_delta_var"),  # Adadelta
    ("accumulator", "linear"),  # Ftrl
})

# tf.keras 2's slot names where they differ from Keras 3's
# (``Adam/m/dense/kernel:0``); looked up along the class's MRO.
_TF_KERAS_SLOT_NAMES = {
    "Adam": {"momentum": "m", "velocity": "v", "velocity_hat": "vhat"},
    "Nadam": {"momentum": "m", "velocity": "v"},
    "Adamax": {"momentum": "m", "norm": "u"},
    "SGD": {"momentum": "m"},
    "Lion": {"momentum": "m"},
}

KerasValue = collections.namedtuple("KerasValue", ["name", "param", "value"])
KerasValue.__doc__ = """One variable of a Keras file's optimizer list.

``name`` is Keras's name of the variable kind (``'iteration'``,
``'learning_rate'``, a slot name such as ``'momentum'`` or tf.keras's
``'m'``); ``param`` the model weight a slot belongs to (None for scalars);
``value`` a NumPy array in Keras layout."""


def group_slots(names):
    """Slot names grouped as Keras's ``build`` creates them (see pairs)."""
    groups = []
    i = 0
    while i < len(names):
        pair = tuple(names[i:i + 2])
        if pair in _KERAS_SLOT_PAIRS:
            groups.append(pair)
            i += 2
        else:
            groups.append((names[i],))
            i += 1
    return groups


class IdentityLayout:
    """The layout used without a model: slots stored as they are."""

    def to_keras(self, param, tensor):
        return tensor.detach().cpu().numpy().copy()

    def from_keras(self, param, array):
        return torch.as_tensor(np.asarray(array))

    def keras_shape(self, param):
        return tuple(param.shape)


def _check_flavor(flavor):
    if flavor not in _FLAVORS:
        raise ValueError(
            f"`flavor` must be one of {sorted(_FLAVORS)}. "
            f"Received: flavor={flavor!r}"
        )


def _tf_keras_slot_names(optimizer):
    for cls in type(optimizer).__mro__:
        if cls.__name__ in _TF_KERAS_SLOT_NAMES:
            return _TF_KERAS_SLOT_NAMES[cls.__name__]
    return {}


def _as_tensor(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    return torch.as_tensor(np.asarray(value))


def checked_iterations(name, value):
    """``value`` as an iteration count: a whole number in ``[0, 2**63)``
    (the ``int64`` counter's range).

    Raises:
        ValueError: naming optimizer ``name`` and the value.
    """
    array = np.asarray(value)
    number = None
    if array.size == 1 and array.dtype.kind in "iuf":
        number = array.reshape(()).item()
    if number is None or not math.isfinite(number) or not (
            0 <= number < 2**63) or number != int(number):
        raise ValueError(
            f"Optimizer '{name}': the iteration count must be a whole "
            f"number in [0, 2**63). Received: iterations="
            f"{str(value)[:50]} of dtype {array.dtype}"
        )
    return int(number)


def _scalar(optimizer, name, value):
    """``value`` (a stored scalar variable) as a 0-d array, or a
    ValueError naming it."""
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iuf":
        raise ValueError(
            f"Optimizer '{optimizer}' variable '{name}' must be a number. "
            f"Received: {str(value)[:50]} of shape {array.shape} and dtype "
            f"{array.dtype}"
        )
    return array.reshape(())


def restore_float(candidate, stored):
    """``stored`` as a float; ``candidate`` when ``stored`` is its float32
    rounding (files keep float32, the optimizer float64)."""
    stored = np.asarray(stored)
    if candidate is not None and stored.dtype == np.float32 and (
            np.float32(candidate) == stored):
        return float(candidate)
    return float(stored)


class KerasVariablesMixin:
    """Keras variable order, Keras file mapping and state dicts."""

    # ------------------------------------------------------------------
    # Keras 3's ``variables`` (torch layout).

    def _ordered_slots(self):
        """``[(param, slot name)]`` in Keras 3's order."""
        params = [p for g in self.param_groups for p in g["params"]]
        specs = dict(self._all_slot_specs())
        ordered = [(p, n) for n in ("average", "gradient_accumulator")
                   if n in specs for p in params]
        for group in self._keras_slot_groups():
            ordered += [(p, n) for p in params for n in group]
        return ordered

    @property
    def variables(self):
        """Optimizer state tensors, in Keras 3's order (see ``base_optimizer``).

        ``iterations`` and ``learning_rate`` are the optimizer's variables;
        the scalar-extra tensors are made on each access (change them
        through `load_own_variables`/`set_weights`).
        """
        out = [self._iterations]
        if isinstance(self._learning_rate, float):
            out.append(self.learning_rate)
        out += [self.state[p][n] for p, n in self._ordered_slots()]
        out += [torch.tensor(v, dtype=torch.float32)
                for _, v in self._extra_variables()]
        return out

    def get_weights(self):
        """The `variables` as NumPy arrays."""
        return [v.detach().cpu().numpy() for v in self.variables]

    def _require_built(self, method):
        if not self.built:
            raise ValueError(
                f"You are calling `{method}()` on an optimizer that has not "
                "yet been built. Please call `optimizer.build("
                "trainable_variables)` to create the optimizer weights "
                f"before calling `{method}()`. Received: built=False"
            )

    def set_weights(self, weights):
        """Assigns `variables` from NumPy arrays, in Keras order."""
        self._require_built("set_weights")
        weights = list(weights)
        expected = len(self.variables)
        if len(weights) != expected:
            raise ValueError(
                f"Optimizer '{self.name}' expects {expected} weights. "
                f"Received: {len(weights)} weights"
            )
        self._assign_variables(weights)

    def _assign_variables(self, values):
        """Assigns a `variables`-aligned list, all or nothing."""
        self._planned_assignment(values)()

    def _planned_assignment(self, values):
        """Checks a `variables`-aligned list; returns what assigns it.

        Everything that can fail (the count, the iteration count, the
        scalars, the slot shapes, recomputing the scalar extras) happens
        here, so the returned function changes all or nothing. ``None``
        keeps a variable as it is, except a scalar extra, which is then
        recomputed from the step count (tf.keras files lack it).

        Raises:
            ValueError: naming the variable, the expected and the
                received value.
        """
        values = list(values)
        slots = self._ordered_slots()
        extras = self._extra_variables()
        has_lr = isinstance(self._learning_rate, float)
        expected = 1 + has_lr + len(slots) + len(extras)
        if len(values) != expected:
            raise ValueError(
                f"Optimizer '{self.name}' expects {expected} variables. "
                f"Received: {len(values)} values"
            )
        iterations = None
        if values[0] is not None:
            iterations = checked_iterations(self.name, values[0])
        learning_rate = None
        if has_lr and values[1] is not None:
            learning_rate = restore_float(
                self._base_lr_value(),
                _scalar(self.name, "learning_rate", values[1]))
        start = 1 + has_lr
        pending = self._checked_slot_values(
            slots, values[start:start + len(slots)])
        steps = self._local_steps(self._iteration_count if iterations is None
                                  else iterations)
        restored = self._planned_extras(extras, values[start + len(slots):],
                                        steps)

        def assign():
            if iterations is not None:
                self.iterations = iterations
            if learning_rate is not None:
                self.learning_rate = learning_rate
            with torch.no_grad():
                for target, value in pending:
                    target.copy_(value.to(target.device))
            for name, value in restored:
                self._set_extra_variable(name, value)

        return assign

    def _checked_slot_values(self, slots, values):
        pending = []
        for (p, n), value in zip(slots, values):
            if value is None:
                continue
            value = _as_tensor(value)
            target = self.state[p][n]
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(
                    f"Optimizer variable '{n}' has shape "
                    f"{tuple(target.shape)}. Received: value of shape "
                    f"{tuple(value.shape)}"
                )
            pending.append((target, value))
        return pending

    def _local_steps(self, count):
        """The updates made in ``count`` iterations (one per
        ``gradient_accumulation_steps`` when accumulating)."""
        accumulation = getattr(self, "gradient_accumulation_steps", None)
        return count // accumulation if accumulation else count

    def _planned_extras(self, extras, values, steps):
        """``[(name, float)]`` to give the scalar extras after ``steps``
        updates: a stored float64 value as it is; a stored float32 value
        as our float64 recomputation when that rounds to it (so a reload
        resumes bit-identically), else as stored; a missing one
        recomputed."""
        computed = None
        restored = []
        for (name, _), value in zip(extras, values):
            if value is not None:
                value = _scalar(self.name, name, value)
            if value is None or value.dtype == np.float32:
                if computed is None:
                    computed = self._extras_after(steps)
                candidate = None if computed is None else computed.get(name)
            else:
                candidate = None
            if value is not None:
                restored.append((name, restore_float(candidate, value)))
            elif candidate is not None:
                restored.append((name, candidate))
            elif computed is None:
                raise ValueError(
                    f"Optimizer '{self.name}' cannot recompute its "
                    f"'{name}' after {steps} steps (more than "
                    f"{MAX_REPLAY_STEPS} steps are not replayed), and the "
                    f"saved state does not hold it. Received: "
                    f"iterations={steps}"
                )
        return restored

    def _extras_after(self, steps):
        """The scalar extras after ``steps`` updates from the start, in
        float64 as training computes them: ``{name: float}``, ``{}`` when
        they cannot be recomputed, None when ``steps`` is past
        ``MAX_REPLAY_STEPS``.

        This replays ``_prepare_step`` on a fresh twin; an optimizer with
        a closed form overrides it (Nadam), so no step count in a file
        can make a load run for long.
        """
        if not self._extra_variables():
            return {}
        if steps > MAX_REPLAY_STEPS:
            return None
        try:
            twin = type(self).from_config(self.get_config())
        except (TypeError, ValueError, KeyError, AttributeError):
            return {}
        for step in range(1, steps + 1):
            twin._prepare_step(step)
        return dict(twin._extra_variables())

    def save_own_variables(self, store):
        """Writes `variables` into ``store['0']``, ``store['1']``, ..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.detach().cpu().numpy()

    def load_own_variables(self, store):
        """Reads what `save_own_variables` wrote (Keras 3 semantics)."""
        expected = len(self.variables)
        if len(store.keys()) != expected:
            msg = (
                f"Skipping variable loading for optimizer '{self.name}', "
                f"because it has {expected} variables whereas "
                f"the saved optimizer has {len(store.keys())} variables. "
            )
            if not self.built:
                msg += ("This is likely because the optimizer has not been "
                        "called/built yet.")
            warnings.warn(msg, stacklevel=2)
            return
        self._assign_variables([store[str(i)] for i in range(expected)])

    # ------------------------------------------------------------------
    # Keras files: order, names and layouts.

    def _flavor_slots(self, flavor):
        if flavor != FLAVOR_TF_KERAS_LEGACY:
            return self._ordered_slots()
        # tf.keras's legacy optimizers create every slot of one kind, then
        # the next kind (``_create_slots``).
        params = [p for g in self.param_groups for p in g["params"]]
        return [(p, n) for n, _ in self._all_slot_specs() for p in params]

    def _keras_entries(self, flavor):
        """``[(name, param or None, tensor, index in variables)]``: what a
        file of ``flavor`` stores, in its order."""
        inner = getattr(self, "inner_optimizer", None)
        if isinstance(inner, KerasVariablesMixin):
            return self._wrapper_entries(inner, flavor)
        variables = self.variables
        has_lr = isinstance(self._learning_rate, float)
        entries = [("iteration", None, variables[0], 0)]
        if has_lr and flavor == FLAVOR_KERAS3:
            entries.append(("learning_rate", None, variables[1], 1))
        start = 1 + has_lr
        slots = self._ordered_slots()
        index = {(id(p), n): start + i for i, (p, n) in enumerate(slots)}
        names = (_tf_keras_slot_names(self)
                 if flavor != FLAVOR_KERAS3 else {})
        for p, n in self._flavor_slots(flavor):
            entries.append((names.get(n, n), p, self.state[p][n],
                            index[(id(p), n)]))
        if flavor == FLAVOR_KERAS3:
            first = start + len(slots)
            entries += [(name, None, variables[first + i], first + i)
                        for i, (name, _) in enumerate(
                            self._extra_variables())]
        return entries

    def _wrapper_entries(self, inner, flavor):
        """Keras 3: the wrapper's own variables, then the inner
        optimizer's; tf.keras 2: the inner optimizer's only."""
        own = len(self.variables) - len(inner.variables)
        entries = []
        if flavor == FLAVOR_KERAS3:
            entries = [(f"variable_{i}", None, t, i)
                       for i, t in enumerate(self.variables[:own])]
        return entries + [(name, param, tensor, own + i) for
                          name, param, tensor, i in
                          inner._keras_entries(flavor)]

    def export_keras_variables(self, layout=None, flavor=FLAVOR_KERAS3):
        """The optimizer's state as a Keras file stores it.

        Args:
            layout: converts each slot to its weight's Keras layout
                (``to_keras(param, tensor)``); None keeps torch layouts.
            flavor: ``FLAVOR_KERAS3`` (Keras 3's ``optimizer.variables``)
                or ``FLAVOR_TF_KERAS`` (tf.keras 2's ``optimizer_weights``).

        Returns:
            A list of `KerasValue` ``(name, param, value)`` in the file's
            order.
        """
        self._require_built("export_keras_variables")
        _check_flavor(flavor)
        layout = layout or IdentityLayout()
        out = []
        for name, param, tensor, _ in self._keras_entries(flavor):
            if param is None:  # a copy: training goes on after a save
                value = tensor.detach().cpu().numpy().copy()
            else:
                value = np.asarray(layout.to_keras(param, tensor))
            out.append(KerasValue(name, param, value))
        return out

    def prepare_keras_variables(self, values, layout=None,
                                flavor=FLAVOR_KERAS3):
        """Checks a Keras file's optimizer values against this optimizer.

        Nothing changes here: the returned function assigns them. What a
        flavor does not store keeps its value (tf.keras 2's learning rate
        comes from the model's config) or, for scalar extras, is
        recomputed from the step count.

        Args:
            values: arrays in the file's order and Keras layouts.
            layout: the inverse of `export_keras_variables`'s
                (``from_keras``, ``keras_shape``); None for torch layouts.
            flavor: the file's order (see `export_keras_variables`), or
                ``FLAVOR_TF_KERAS_LEGACY`` for tf.keras's legacy
                optimizers (every slot of one kind, then the next).

        Returns:
            A function of no arguments that assigns the values.

        Raises:
            ValueError: when the count or a shape does not fit, naming the
                variable, the expected and the received value.
        """
        self._require_built("prepare_keras_variables")
        _check_flavor(flavor)
        layout = layout or IdentityLayout()
        entries = self._keras_entries(flavor)
        values = list(values)
        if len(values) != len(entries):
            raise ValueError(
                f"optimizer '{self.name}' has {len(entries)} variables in "
                f"{_FLAVORS[flavor]}'s order, the saved state "
                f"{len(values)}. Received: {len(values)} values"
            )
        full = [None] * len(self.variables)
        for i, (entry, value) in enumerate(zip(entries, values)):
            full[entry[3]] = self._from_keras_value(i, entry, value, layout)
        inner = getattr(self, "inner_optimizer", None)
        if isinstance(inner, KerasVariablesMixin):
            own = len(self.variables) - len(inner.variables)
            full[:own] = [v.detach().clone() if full[i] is None else full[i]
                          for i, v in enumerate(self.variables[:own])]
        return self._planned_assignment(full)

    def _from_keras_value(self, index, entry, value, layout):
        name, param, tensor, _ = entry
        value = np.asarray(value)
        expected = (tuple(tensor.shape) if param is None
                    else tuple(layout.keras_shape(param)))
        if tuple(value.shape) != expected:
            raise ValueError(
                f"optimizer '{self.name}' variable {index} ('{name}') has "
                f"shape {expected}. Received: value of shape "
                f"{tuple(value.shape)}"
            )
        if param is None:
            return value
        return layout.from_keras(param, value)

    def import_keras_variables(self, values, layout=None,
                               flavor=FLAVOR_KERAS3):
        """`prepare_keras_variables`, then assigns (all or nothing)."""
        self.prepare_keras_variables(values, layout, flavor)()

    # ------------------------------------------------------------------
    # torch state dicts.

    def state_dict(self):
        """torch's ``state_dict``, plus ``'keras'``: iterations and extras."""
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}' is not built, so it has no state. "
                "Call `optimizer.build(trainable_parameters)` first. "
                "Received: built=False"
            )
        self._base_lr_value()  # applies a pending learning-rate write
        if self._iterations._version != self._iterations_version:
            self._sync_iterations()
        state_dict = super().state_dict()
        state_dict["keras"] = {"iterations": self._iteration_count}
        state_dict["keras"].update(dict(self._extra_variables()))
        return state_dict

    def load_state_dict(self, state_dict):
        """Loads a `state_dict`; continues exactly where it was saved."""
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}' must be built before "
                "`load_state_dict()`. Call `optimizer.build("
                "trainable_parameters)` first. Received: built=False"
            )
        state_dict = dict(state_dict)
        extra = self._checked_state_extras(state_dict.pop("keras", {}))
        self._base_lr_value()  # a pending variable write must not win
        super().load_state_dict(state_dict)
        if "iterations" in extra:
            self.iterations = extra.pop("iterations")
        for name, value in extra.items():
            self._set_extra_variable(name, value)
        if isinstance(self._learning_rate, float) and self.param_groups:
            self._learning_rate = self.param_groups[0]["lr"]

    def _checked_state_extras(self, extra):
        """The ``'keras'`` entry of a state dict, checked before anything
        is loaded: a whole iteration count, known scalar extras."""
        if not isinstance(extra, dict):
            raise ValueError(
                f"Optimizer '{self.name}': the state dict's 'keras' entry "
                f"must be a dict. Received: {str(extra)[:50]}")
        extra = dict(extra)
        known = {name for name, _ in self._extra_variables()}
        unknown = sorted(set(extra) - known - {"iterations"}, key=str)
        if unknown:
            raise ValueError(
                f"Optimizer '{self.name}' has no scalar variables "
                f"{unknown[:5]}; it has {sorted(known)}. Received: keras="
                f"{str(extra)[:80]}")
        if "iterations" in extra:
            extra["iterations"] = checked_iterations(self.name,
                                                     extra["iterations"])
        for name in known & set(extra):
            extra[name] = float(_scalar(self.name, name, extra[name]))
        return extra

    def __getstate__(self):
        # Copies get new variables with new version counters: apply
        # pending variable writes first (see `optimizer_variables`).
        if self.__dict__.get("_learning_rate") is not None:
            self._base_lr_value()
        if self._iterations._version != self._iterations_version:
            self._sync_iterations()
        # torch's keeps only defaults/state/param_groups.
        return self.__dict__.copy()
