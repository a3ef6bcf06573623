"""Where a call happens: the state nested layer calls share.

One object, read on every layer call: the ``training`` value nested calls
inherit, the nesting depth (0 outside any layer call), the generation of
the outermost call, whether the engine is running one of its steps, and
how many mixed-precision layer calls are open. Layers, the engine, losses
and the op dispatch read it to decide, for instance, whether a result is
an outermost eager result that reads as NumPy (``backend/eager_tensor.py``).

The state is per thread (``threading.local``): two threads running two
models each see their own ``training`` flag and depth, and a thread started
during a call starts outside any call. Each field's default is a class
attribute, which a thread reads until it first assigns the field. A read
costs about twice a plain attribute's (tens of nanoseconds), a small part
of a layer call.
"""

import contextlib
import itertools
import threading

# Numbers each thread's generations apart (see `_CallContext.__init__`).
_THREAD_SERIALS = itertools.count()


class _CallContext(threading.local):
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
    # Calls of mixed-policy layers running under their autocast
    # (`dtype_policy.call_with_policy`): a float layer turns autocast off
    # only inside one of those.
    mixed_calls = 0
    # True while the engine runs steps on data it checked once before the
    # first (layers' `_check_data_once`, e.g. an Embedding's index range):
    # layers skip their per-call checks of it (no host sync per step).
    data_checked = False

    def __init__(self):
        # Runs once in each thread that touches the context. Generations
        # start from a base of the thread's own, so the losses a layer
        # recorded in one thread's call never pass for current in another
        # thread's call that happens to have the same count.
        serial = next(_THREAD_SERIALS)
        # Every field lives in this thread's own dict (`fields()`), so a
        # hot path can read and write several with one thread lookup.
        state = self.__dict__
        for name, value in vars(_CallContext).items():
            if not name.startswith("_") and not callable(value):
                state[name] = value
        if serial:
            state["generation"] = serial << 48


CALL_CONTEXT = _CallContext()


def fields():
    """This thread's call context as a plain dict of its fields: one
    thread lookup, then dict reads and writes (each attribute access of
    `CALL_CONTEXT` is a lookup of its own, ~100 ns)."""
    return CALL_CONTEXT.__dict__


@contextlib.contextmanager
def data_checked_once():
    """Steps inside run on data the engine has checked (`data_checked`)."""
    context = CALL_CONTEXT
    outer = context.data_checked
    context.data_checked = True
    try:
        yield
    finally:
        context.data_checked = outer
