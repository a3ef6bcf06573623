"""Keras-ordered optimizer variables and torch state dicts.

Owns ``variables`` (Keras 3's order, documented in ``base_optimizer.py``),
``get_weights``/``set_weights``, ``save_own_variables``/
``load_own_variables`` (what Keras files store) and the torch
``state_dict``/``load_state_dict`` round trip, which adds the host-side
step counter and scalar extras under the ``'keras'`` key. Mixed into
``Optimizer``; it relies on its ``state``, ``param_groups``,
``_slot_specs()``, ``_all_slot_specs()``, ``_extra_variables()`` and
``_set_extra_variable()``.
"""

import warnings

import numpy as np
import torch


class KerasVariablesMixin:
    """Keras variable order and state (de)serialisation for `Optimizer`."""

    def _ordered_slots(self):
        params = [p for g in self.param_groups for p in g["params"]]
        base = [n for n in ("average", "gradient_accumulator")
                if n in dict(self._all_slot_specs())]
        names = [n for n, _ in self._slot_specs()]
        ordered = [(p, n) for p in params for n in base]
        if self._interleave_slots:
            ordered += [(p, n) for p in params for n in names]
        else:
            ordered += [(p, n) for n in names for p in params]
        return ordered

    @property
    def variables(self):
        """Optimizer state tensors, in Keras 3's order (see ``base_optimizer``).

        The learning-rate and scalar-extra tensors are refreshed on each
        access; change them through `load_own_variables`/`set_weights`.
        """
        out = [self._iterations]
        if isinstance(self._learning_rate, float):
            if self._lr_variable is None:
                self._lr_variable = torch.zeros((), dtype=torch.float32)
            self._lr_variable.fill_(self.learning_rate)
            out.append(self._lr_variable)
        out += [self.state[p][n] for p, n in self._ordered_slots()]
        out += [torch.tensor(v, dtype=torch.float32)
                for _, v in self._extra_variables()]
        return out

    def get_weights(self):
        """The `variables` as NumPy arrays."""
        return [v.detach().cpu().numpy() for v in self.variables]

    def set_weights(self, weights):
        """Assigns `variables` from NumPy arrays, in Keras order."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not "
                "yet been built. Please call `optimizer.build("
                "trainable_variables)` to create the optimizer weights "
                "before calling `set_weights()`. Received: built=False"
            )
        weights = list(weights)
        expected = len(self.variables)
        if len(weights) != expected:
            raise ValueError(
                f"Optimizer '{self.name}' expects {expected} weights. "
                f"Received: {len(weights)} weights"
            )
        self._assign_variables(weights)

    def _assign_variables(self, values):
        values = list(values)
        self.iterations = int(np.asarray(values.pop(0)))
        if isinstance(self._learning_rate, float):
            self.learning_rate = float(np.asarray(values.pop(0)))
        with torch.no_grad():
            for (p, n), value in zip(self._ordered_slots(), values):
                target = self.state[p][n]
                value = torch.as_tensor(np.asarray(value))
                if tuple(value.shape) != tuple(target.shape):
                    raise ValueError(
                        f"Optimizer variable '{n}' has shape "
                        f"{tuple(target.shape)}. Received: value of shape "
                        f"{tuple(value.shape)}"
                    )
                target.copy_(value)
        extras = values[len(self._ordered_slots()):]
        for (name, _), value in zip(self._extra_variables(), extras):
            self._set_extra_variable(name, float(np.asarray(value)))

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

    def state_dict(self):
        """torch's ``state_dict``, plus ``'keras'``: iterations and extras."""
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}' is not built, so it has no state. "
                "Call `optimizer.build(trainable_parameters)` first. "
                "Received: built=False"
            )
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
        extra = dict(state_dict.pop("keras", {}))
        super().load_state_dict(state_dict)
        if "iterations" in extra:
            self.iterations = extra.pop("iterations")
        for name, value in extra.items():
            self._set_extra_variable(name, value)
        if isinstance(self._learning_rate, float) and self.param_groups:
            self._learning_rate = self.param_groups[0]["lr"]

    def __getstate__(self):
        # torch's keeps only defaults/state/param_groups.
        return self.__dict__.copy()
