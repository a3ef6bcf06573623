"""``function`` (tf.function): eager results, TF's retracing counts, and
``jit_compile=True`` through torch.compile (compiled once per signature)."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend import tf_function
from torchkeras.backend.gradient_tape import GradientTape
from torchkeras.backend.tf_function import function


class _Spec:
    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype


def test_plain_decorator_runs_eagerly_and_counts_traces():
    calls = []

    @function
    def f(x, scale=2):
        calls.append(1)
        return x * scale

    torch.testing.assert_close(f(torch.ones(3)), torch.full((3,), 2.0))
    assert f.experimental_get_tracing_count() == 1
    f(torch.zeros(3))  # same shape and dtype: no retrace
    assert f.experimental_get_tracing_count() == 1
    f(torch.zeros(4))  # new shape
    f(torch.zeros(3, dtype=torch.float64))  # new dtype
    assert f.experimental_get_tracing_count() == 3
    f(torch.zeros(3), scale=3)  # a python value is part of the signature
    f(torch.zeros(3), scale=3)
    assert f.experimental_get_tracing_count() == 4
    assert len(calls) == 6  # eager: the body runs every call
    assert f.__name__ == "f"


def test_python_scalars_trace_per_value():
    @function
    def f(n):
        return n + 1

    for n in (1, 2, 1, 2, 3):
        assert f(n) == n + 1
    assert f.experimental_get_tracing_count() == 3


def test_nested_arguments():
    @function
    def f(pair, d):
        return pair[0] + pair[1] + d["z"]

    x = torch.ones(2)
    f((x, x), {"z": x})
    f((x + 1, x), {"z": x * 3})
    assert f.experimental_get_tracing_count() == 1
    f((x, x), {"z": torch.ones(1)})
    assert f.experimental_get_tracing_count() == 2


def test_input_signature_traces_once_and_rejects_mismatch():
    @function(input_signature=[_Spec((None, 3), torch.float32)])
    def f(x):
        return x.sum(dim=1)

    f(torch.ones(2, 3))
    f(torch.ones(7, 3))
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="input_signature"):
        f(torch.ones(2, 4))
    with pytest.raises(TypeError, match="input_signature"):
        f(torch.ones(2, 3, dtype=torch.float64))


def test_input_signature_with_dtype_names():
    @function(input_signature=[_Spec([None], "float32")])
    def f(x):
        return x

    f(torch.ones(5))
    assert f.experimental_get_tracing_count() == 1


def test_reduce_retracing_relaxes_shapes():
    @function(reduce_retracing=True)
    def f(x):
        return x * 2

    f(torch.ones(2, 3))
    f(torch.ones(4, 3))  # relaxes to (None, 3)
    f(torch.ones(9, 3))
    f(torch.ones(1, 3))
    assert f.experimental_get_tracing_count() == 2
    f(torch.ones(2, 5))  # relaxes to (None, None)
    f(torch.ones(6, 7))
    assert f.experimental_get_tracing_count() == 3


def test_method_has_one_cache_per_instance():
    class Scaler:
        def __init__(self, k):
            self.k = k

        @function
        def __call__(self, x):
            return x * self.k

    a, b = Scaler(2.0), Scaler(3.0)
    torch.testing.assert_close(a(torch.ones(2)), torch.full((2,), 2.0))
    torch.testing.assert_close(b(torch.ones(2)), torch.full((2,), 3.0))
    a(torch.ones(2))
    assert type(a).__call__.experimental_get_tracing_count() == 0
    assert a.__call__.experimental_get_tracing_count() == 1
    assert b.__call__.experimental_get_tracing_count() == 1


def test_train_step_with_tape_inside_function():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(0.1)
    loss_fn = keras.losses.MeanSquaredError()
    x = torch.randn(8, 3)
    y = x.sum(dim=1, keepdim=True)

    @function
    def train_step(xb, yb):
        with GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        return loss

    losses = [float(train_step(x, y)) for _ in range(30)]
    assert losses[-1] < 0.1 * losses[0]
    assert train_step.experimental_get_tracing_count() == 1


@pytest.fixture
def counting_backend():
    compiled = []

    def backend(gm, example_inputs):
        compiled.append(gm)
        return gm.forward

    previous = tf_function.get_compile_backend()
    tf_function.set_compile_backend(backend)
    torch._dynamo.reset()
    yield compiled
    tf_function.set_compile_backend(previous)
    torch._dynamo.reset()


def test_jit_compile_compiles_once_per_signature(counting_backend):
    def body(x, w):
        return torch.tanh(x @ w).sum(dim=-1)

    f = function(jit_compile=True)(body)
    x = torch.randn(4, 3)
    w = torch.randn(3, 2)
    for _ in range(3):
        torch.testing.assert_close(f(x, w), body(x, w))
    assert f.experimental_get_tracing_count() == 1
    assert len(counting_backend) == 1
    x5 = torch.randn(5, 3)
    torch.testing.assert_close(f(x5, w), body(x5, w))
    torch.testing.assert_close(f(x5, w), body(x5, w))
    assert f.experimental_get_tracing_count() == 2
    assert len(counting_backend) == 2


def test_jit_compile_aot_eager_gradients_match_eager():
    previous = tf_function.get_compile_backend()
    tf_function.set_compile_backend("aot_eager")
    torch._dynamo.reset()
    try:
        w = keras.Variable(np.random.randn(3, 2), name="w")
        x = torch.randn(4, 3)

        @function(jit_compile=True)
        def loss_of(xb):
            return torch.sigmoid(xb @ w).pow(2).mean()

        with GradientTape() as tape:
            loss = loss_of(x)
        (g,) = tape.gradient(loss, [w])
        ref = torch.autograd.grad(torch.sigmoid(x @ w).pow(2).mean(), w)[0]
        torch.testing.assert_close(g, ref)
    finally:
        tf_function.set_compile_backend(previous)
        torch._dynamo.reset()
