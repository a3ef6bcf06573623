"""Where a call happens: the state nested layer calls share.

One process-wide object, read on every layer call, so its fields are
plain class attributes: the ``training`` value nested calls inherit, the
nesting depth (0 outside any layer call), and whether the engine is
running one of its steps. Layers, the engine, losses and the op dispatch
read it to decide, for instance, whether a result is an outermost eager
result that reads as NumPy (``backend/eager_tensor.py``).
"""


class _CallContext:
    """The ``training`` value that nested layer calls inherit."""

    training = None
    depth = 0
    # Incremented at every outermost call: losses added by `add_loss`
    # during an earlier call are stale.
    generation = 0
    losses_added = False
    # True inside predict's shortcut: outputs go to NumPy, so nothing reads
    # what layers attach for losses (a softmax's `_keras_logits`).
    predicting = False
    # True while the engine runs a train/test/predict step: the model's
    # outputs stay plain tensors there (no `EagerTensor` re-labelling).
    in_step = False


CALL_CONTEXT = _CallContext()
