"""Graph-construction errors: ValueError naming the layer (or model) with
the expected and the received shapes, raised before any data flows."""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


def message_of(excinfo):
    return str(excinfo.value)


def test_dense_on_rank1_input():
    x = keras.Input(shape=())
    with pytest.raises(ValueError) as info:
        layers.Dense(2, name="head")(x)
    msg = message_of(info)
    assert "head" in msg
    assert "min_ndim=2" in msg and "ndim=1" in msg and "(None,)" in msg


def test_dense_called_with_different_last_dims():
    dense = layers.Dense(2, name="proj")
    dense(keras.Input(shape=(3,)))
    with pytest.raises(ValueError) as info:
        dense(keras.Input(shape=(4,)))
    msg = message_of(info)
    assert "proj" in msg
    assert "value 3" in msg and "(None, 4)" in msg


def test_dense_unknown_last_dim():
    with pytest.raises(ValueError, match=r"'proj'.*defined.*\(None, None\)"):
        layers.Dense(2, name="proj")(keras.Input(shape=(None,)))


def test_concatenate_incompatible_shapes():
    a = keras.Input(shape=(3, 2))
    b = keras.Input(shape=(4, 5))
    with pytest.raises(ValueError) as info:
        layers.Concatenate(name="joined")([a, b])
    msg = message_of(info)
    assert "joined" in msg
    assert "(None, 3, 2)" in msg and "(None, 4, 5)" in msg


def test_add_incompatible_shapes():
    with pytest.raises(ValueError) as info:
        layers.Add(name="summed")([keras.Input(shape=(3,)),
                                   keras.Input(shape=(5,))])
    msg = message_of(info)
    assert "summed" in msg and "3" in msg and "5" in msg


def test_string_input_into_dense():
    s = keras.Input(shape=(2,), dtype="string")
    with pytest.raises(ValueError, match=r"'proj'.*string"):
        layers.Dense(2, name="proj")(s)


def test_model_called_with_wrong_number_of_inputs():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    model = keras.Model([a, b], a + b, name="pair")
    with pytest.raises(ValueError) as info:
        model([np.ones((2, 3), "float32")])
    msg = message_of(info)
    assert "pair" in msg and "expects 2 input(s)" in msg
    assert "received 1" in msg and "(2, 3)" in msg
    with pytest.raises(ValueError, match="'pair' expects 2"):
        model([np.ones((2, 3), "float32")] * 3)


def test_model_called_symbolically_with_wrong_number_of_inputs():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    model = keras.Model([a, b], a + b, name="pair")
    with pytest.raises(ValueError, match="pair"):
        model([keras.Input(shape=(3,))])


def test_model_called_with_wrong_rank():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(1)(x), name="flat")
    with pytest.raises(ValueError) as info:
        model(np.ones((2, 3, 4, 5), "float32"))
    msg = message_of(info)
    assert "flat" in msg and "(None, 3)" in msg and "(2, 3, 4, 5)" in msg


def test_set_weights_wrong_length():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2, name="d")(x), name="m")
    with pytest.raises(ValueError) as info:
        model.set_weights([np.ones((3, 2))])
    msg = message_of(info)
    assert "'m'" in msg and "expected 2 weights" in msg
    assert "has 1 arrays" in msg and "d/kernel" in msg


def test_set_weights_wrong_shape():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2, name="d")(x))
    with pytest.raises(ValueError) as info:
        model.set_weights([np.ones((4, 2)), np.ones(2)])
    msg = message_of(info)
    assert "'d'" in msg and "kernel" in msg
    assert "(3, 2)" in msg and "(4, 2)" in msg


def test_graph_disconnected():
    a = keras.Input(shape=(3,), name="first")
    b = keras.Input(shape=(3,), name="second")
    y = layers.Dense(1, name="d")(layers.Concatenate(name="cat")([a, b]))
    with pytest.raises(ValueError) as info:
        keras.Model(a, y, name="broken")
    msg = message_of(info)
    assert "Graph disconnected" in msg
    assert "second" in msg and "broken" in msg


def test_model_inputs_must_be_keras_tensors():
    with pytest.raises(ValueError, match="KerasTensors"):
        keras.Model(np.ones((1, 3)), keras.Input(shape=(3,)))


def test_model_needs_inputs_and_outputs():
    with pytest.raises(ValueError, match="both `inputs` and `outputs`"):
        keras.Model(inputs=keras.Input(shape=(3,)))


def test_keras_tensor_in_python_control_flow():
    x = keras.Input(shape=(3,))
    with pytest.raises(TypeError, match="Lambda"):
        bool(x)
    with pytest.raises(TypeError, match="symbolic"):
        list(x)


def test_a_graph_deeper_than_the_recursion_limit_builds_and_runs():
    import sys

    depth = sys.getrecursionlimit() + 500
    inputs = keras.Input((4,))
    x = inputs
    for _ in range(depth):
        x = layers.Activation("linear")(x)
    skip = layers.Add()([x, inputs])  # a long and a short path to `Add`
    model = keras.Model(inputs, skip)
    assert len(model.layers) == depth + 2
    assert type(model.layers[0]).__name__ == "InputLayer"
    assert type(model.layers[-1]).__name__ == "Add"
    x0 = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(model.predict(x0, verbose=0), 2 * x0)


def test_a_run_drops_each_activation_after_its_last_reader():
    import weakref

    import torch

    seen = {}

    class Probe(layers.Layer):
        """Keeps a weak reference to its output; the last probe reports
        which earlier outputs are still alive while it runs."""

        def __init__(self, tag, **kwargs):
            super().__init__(**kwargs)
            self.tag = tag

        def call(self, x):
            out = x * 1.0
            seen[self.tag] = weakref.ref(out)
            if self.tag == "last":
                seen["alive"] = sorted(
                    k for k, ref in seen.items()
                    if k not in ("last", "alive") and ref() is not None)
            return out

    a, b = keras.Input((3,)), keras.Input((3,))
    x1 = Probe("x1")(a)
    x2 = Probe("x2")(x1)
    y = layers.Add()([x2, b])  # two inputs: not a chain
    keep = Probe("keep")(y)
    out = Probe("last")(keep)
    model = keras.Model([a, b], [out, y])
    with torch.no_grad():
        model([torch.ones(2, 3), torch.ones(2, 3)])
    # x1 and x2 were read by their last step; y is a model output.
    assert seen["alive"] == ["keep"]
