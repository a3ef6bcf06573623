"""What ``load_weights`` on a checkpoint returns: TF's load status.

tf.keras's ``load_weights`` on a TF checkpoint matches values to variables
by the model's structure and returns a status object whose assertions say
how complete the match was; a model that is not built yet receives its
values as it builds (delayed restoration). ``CheckpointLoadStatus`` does the
same for ``checkpoint`` files: values are matched by
``weight_paths.structure_names`` (``dense1/kernel``), assigned all or
nothing per restore, and whatever the model lacks stays unconsumed for the
assertions to report. A value whose shape differs from its weight's is an
error, as in TF. The file format itself stays with ``checkpoint``.

All or nothing: a restore checks every weight's shape, then has the
optimizer's values checked (``prepare_optimizer``), and only then assigns
the optimizer and the weights, so a failed restore changes nothing.
"""

import numpy as np

from torchkeras.saving import deferred
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import WeightMismatchError

MODEL_PREFIX = "model/"


def _listing(names, limit=20):
    names = sorted(names)
    more = f"\n  ... and {len(names) - limit} more" if len(names) > limit \
        else ""
    return "\n".join(f"  {n}" for n in names[:limit]) + more


def _check_shapes(data_path, items):
    """Raises ``WeightMismatchError`` for the first value whose shape is
    not its weight's (Keras layout), before anything is assigned."""
    for owner, weight, array, key in items:
        expected = tuple(owner._keras_shape(weight))
        received = tuple(np.shape(array))
        if received != expected:
            raise WeightMismatchError(
                data_path,
                f"shape mismatch for layer '{owner.name}' weight "
                f"'{weight_paths.weight_label(weight)}' (stored at "
                f"'{key}'): expected shape {expected}, received shape "
                f"{received}. Received: value.shape={received}"
            )


class CheckpointLoadStatus:
    """The status of a checkpoint restore (``tf.train.Checkpoint``'s).

    Returned by ``model.load_weights(prefix)`` for a checkpoint. Every
    ``assert_*`` method returns the status, so calls chain:
    ``model.load_weights(path).expect_partial()``.
    """

    def __init__(self, model, data_path, tensors, namer, prepare_optimizer):
        self._model = model
        self._data_path = data_path
        self._tensors = tensors
        self._namer = namer
        # Checks the optimizer's values; returns None (nothing to restore)
        # or a function that assigns them and returns their keys.
        self._prepare_optimizer = prepare_optimizer
        self._consumed = set()
        self._matched = set()
        self._optimizer_done = False
        self._partial = False

    # Restoring ------------------------------------------------------------

    def _restore(self, final=True):
        """Assigns every value whose weight exists now and is not assigned
        yet; with ``final`` (the model is built) also the optimizer's."""
        items = []
        for name, (owner, weight) in self._namer(self._model).items():
            key = MODEL_PREFIX + name
            if key in self._tensors and key not in self._consumed:
                items.append((owner, weight, self._tensors[key], key))
        if final:
            self._check_nontrivial(items)
        _check_shapes(self._data_path, items)
        assign_optimizer = None
        if final and not self._optimizer_done:
            assign_optimizer = self._prepare_optimizer()
        # Everything is checked: assign. The optimizer goes first: should
        # its own checks still refuse, no weight has changed yet; the
        # weights' shapes are checked, so their copy cannot fail.
        if assign_optimizer is not None:
            self._consumed.update(assign_optimizer())
            self._optimizer_done = True
        weight_paths.assign_all(self._data_path, items)
        for owner, weight, _, key in items:
            self._consumed.add(key)
            self._matched.add(id(weight))

    def _check_nontrivial(self, items):
        values = [k for k in self._tensors if k.startswith(MODEL_PREFIX)]
        names = self._namer(self._model)
        if values and names and not self._matched and not items:
            raise WeightMismatchError(
                self._data_path,
                f"none of the checkpoint's {len(values)} weights matches "
                f"model '{self._model.name}': the checkpoint holds\n"
                f"{_listing([k[len(MODEL_PREFIX):] for k in values], 8)}\n"
                f"and the model has\n{_listing(names, 8)}\nWeights are "
                "matched by the model's structure (attribute names and "
                "layer positions), so the model must be built like the "
                "one that was saved."
            )

    # Inspecting -----------------------------------------------------------

    def _pending(self):
        return deferred.pending(self._model)

    def _unused_values(self):
        return [k for k in self._tensors if k not in self._consumed]

    def _unmatched_weights(self):
        return [name for name, (_, w) in self._namer(self._model).items()
                if id(w) not in self._matched]

    def assert_consumed(self):
        """Asserts that every checkpoint value was restored into a model
        variable and every model variable received one.

        Raises:
            AssertionError: listing the values not used (the model lacks
                them, has not built them yet, or has no optimizer to take
                them) and the variables not restored.
        """
        unused = self._unused_values()
        unmatched = self._unmatched_weights()
        if not unused and not unmatched and not self._pending():
            return self
        parts = []
        if self._pending():
            parts.append(f"Model '{self._model.name}' is not built yet, so "
                         "its values wait for its first call (delayed "
                         "restoration).")
        if unused:
            parts.append("Unresolved values in the checkpoint:\n"
                         + _listing(unused))
        if unmatched:
            parts.append("Model variables not restored from the "
                         "checkpoint:\n" + _listing(unmatched))
        raise AssertionError(
            f"Checkpoint '{self._data_path}' was not fully consumed by "
            f"model '{self._model.name}'.\n" + "\n".join(parts))

    def assert_existing_objects_matched(self):
        """Asserts that every variable the model has now was restored.

        Values for variables not created yet (an unbuilt model) and unused
        values are allowed.

        Raises:
            AssertionError: listing the model variables not restored.
        """
        unmatched = self._unmatched_weights()
        if unmatched:
            raise AssertionError(
                f"Model '{self._model.name}' has variables that checkpoint "
                f"'{self._data_path}' did not restore:\n"
                + _listing(unmatched))
        return self

    def assert_nontrivial_match(self):
        """Asserts that some value of the checkpoint matched the model
        (for an unbuilt model: that some value belongs to one of its
        layers).

        Raises:
            AssertionError: when nothing matched.
        """
        if self._matched:
            return self
        if self._pending():
            paths = [p for p, _, _ in weight_paths.keras3_groups(
                self._model) if p]
            if any(k[len(MODEL_PREFIX):].startswith(p + "/")
                   for k in self._tensors for p in paths):
                return self
        raise AssertionError(
            f"Nothing in checkpoint '{self._data_path}' matched model "
            f"'{self._model.name}'.")

    def expect_partial(self):
        """Marks the restore as partial on purpose (values the model does
        not use are expected); nothing is reported about them."""
        self._partial = True
        return self

    def run_restore_ops(self, session=None):
        """TF 1 graph mode's step; restoring is eager here."""
        return None

    def initialize_or_restore(self, session=None):
        """TF 1 graph mode's step; restoring is eager here."""
        return None
