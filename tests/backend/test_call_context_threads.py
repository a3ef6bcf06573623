"""The call context is per thread (``backend/call_context.py``).

Two threads running two models at the same time each see their own
``training`` flag and nesting depth; a thread started inside a call starts
outside any call; generations of different threads never coincide, so a
layer's losses from one thread's call never pass for another's.

A ``threading.Barrier`` holds both threads inside their outer model calls
before either reads the context, so the calls overlap. What a thread sees
is compared with what the same model sees when called alone.
"""

import threading

import numpy as np
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.backend.eager_tensor import EagerTensor

TIMEOUT = 30


class Rendezvous(layers.Layer):
    """Waits at ``barrier`` (when set) before passing its input on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.barrier = None

    def call(self, inputs):
        if self.barrier is not None:
            self.barrier.wait()
        return inputs


class Recorder(layers.Layer):
    """Records the ``training`` it inherits and the context it runs in."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append((training, CALL_CONTEXT.training,
                          CALL_CONTEXT.depth))
        return inputs * 2.0


def _model():
    rendezvous, recorder = Rendezvous(), Recorder()
    model = keras.Sequential([keras.Input((3,)), layers.Dense(3),
                              rendezvous, recorder])
    return model, rendezvous, recorder


def _run_in_threads(*targets):
    """Runs each target in its own thread; re-raises the first error."""
    errors = []

    def guarded(target):
        try:
            target()
        except Exception as e:  # re-raised in the calling thread
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a thread did not finish"
    if errors:
        raise errors[0]


def test_overlapping_calls_in_two_threads_keep_their_training_flags():
    x = torch.ones(2, 3)
    first, first_gate, first_seen = _model()
    second, second_gate, second_seen = _model()
    # What each sees alone: the flag it was called with, at its own depth
    # (building ran `call` on probe tensors: forget those).
    del first_seen.seen[:], second_seen.seen[:]
    first(x, training=True)
    second(x, training=False)
    alone = (first_seen.seen.pop(), second_seen.seen.pop())
    assert alone[0][:2] == (True, True) and alone[1][:2] == (False, False)
    assert alone[0][2] == alone[1][2] >= 1

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    first_gate.barrier = second_gate.barrier = barrier
    results = {}

    def run(name, model, training):
        def target():
            for _ in range(3):
                results.setdefault(name, []).append(
                    model(x, training=training))
        return target

    _run_in_threads(run("first", first, True), run("second", second, False))
    assert first_seen.seen == [alone[0]] * 3
    assert second_seen.seen == [alone[1]] * 3
    # Both outermost calls: NumPy-readable results, Dense then doubled.
    for name, model in (("first", first), ("second", second)):
        kernel, bias = model.layers[0].get_weights()
        expected = (np.ones((2, 3), np.float32) @ kernel + bias) * 2.0
        for out in results[name]:
            assert type(out) is EagerTensor
            np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    # Nothing leaks into the main thread's context.
    assert (CALL_CONTEXT.depth, CALL_CONTEXT.training) == (0, None)


class Spawner(layers.Layer):
    """Starts a thread inside its call; the thread reads the context and
    calls ``inner`` (an outermost call there)."""

    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner
        self.outer_seen = None
        self.thread_seen = None

    def call(self, inputs, training=None):
        self.outer_seen = (CALL_CONTEXT.depth, CALL_CONTEXT.training)

        def target():
            seen = (CALL_CONTEXT.depth, CALL_CONTEXT.training,
                    CALL_CONTEXT.in_step, CALL_CONTEXT.predicting)
            out = self.inner(torch.ones(1, 3))
            self.thread_seen = seen + (type(out),)

        _run_in_threads(target)
        return inputs


def test_thread_started_during_a_call_starts_outside_any_call():
    spawner = Spawner(layers.Dense(2))
    spawner(torch.ones(1, 3), training=True)
    assert spawner.outer_seen == (1, True)
    # Depth 0 and no inherited flag: the inner call there is an outermost
    # eager call, whose result reads as NumPy.
    assert spawner.thread_seen == (0, None, False, False, EagerTensor)


class LossAdder(layers.Layer):
    def call(self, inputs):
        self.add_loss(inputs.sum())
        return inputs


def test_generations_of_two_threads_never_coincide():
    layer = LossAdder()
    losses = []

    def call_and_read():
        layer(torch.full((2,), 1.5))
        losses.append([float(v) for v in layer.losses])

    # One thread after the other, each making its first call: the second
    # call's losses replace the first's instead of adding to them.
    _run_in_threads(call_and_read)
    _run_in_threads(call_and_read)
    assert losses == [[3.0], [3.0]]
