"""The functional API: Input, graph bookkeeping, multi-IO, nesting, sharing.

Numbers are checked against NumPy re-computations from ``get_weights()``.
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import backend
from torchkeras import layers


def np_dense(x, kernel, bias, activation=None):
    y = x @ kernel + bias
    if activation == "relu":
        y = np.maximum(y, 0)
    return y


def rand(*shape):
    return np.random.RandomState(0).randn(*shape).astype("float32")


# ---------------------------------------------------------------------------
# Input and InputLayer.


def test_input_shape_name_dtype():
    x = keras.Input(shape=(224, 224, 3), name="input_image")
    assert x.shape == (None, 224, 224, 3)
    assert x.name == "input_image"
    assert x.dtype == "float32"
    layer = x._keras_history.layer
    assert isinstance(layer, layers.InputLayer)
    assert layer.name == "input_image"
    assert x._keras_history == (layer, 0, 0)


def test_input_batch_size_and_dtype():
    x = keras.Input(shape=(5,), batch_size=8, dtype="int32")
    assert x.shape == (8, 5)
    assert x.dtype == "int32"
    y = keras.Input(batch_shape=(4, 2, 3))
    assert y.shape == (4, 2, 3)
    z = keras.Input(shape=(None, 7))
    assert z.shape == (None, None, 7)


def test_input_layer_direct_use():
    layer = layers.InputLayer(input_shape=(3,), name="in")
    assert layer.output.shape == (None, 3)
    assert layer.batch_shape == (None, 3)
    model = keras.Sequential([layer, layers.Dense(2)])
    assert model.output_shape == (None, 2)


@pytest.mark.parametrize("shape", [(-1, 3), (2.5,), "abc"])
def test_input_bad_shape(shape):
    with pytest.raises(ValueError, match="shape"):
        keras.Input(shape=shape)


def test_input_without_shape():
    with pytest.raises(ValueError, match="shape"):
        keras.Input()


def test_string_input_identity_model():
    s = keras.Input(shape=(), dtype="string", name="text")
    assert s.dtype == "string"
    model = keras.Model(s, s)
    data = np.array(["a", "bc", ""], dtype=object)
    out = model(data)
    assert isinstance(out, np.ndarray)
    assert out.dtype == object
    assert list(out) == ["a", "bc", ""]


def test_input_names_default_unique():
    a = keras.Input(shape=(1,))
    b = keras.Input(shape=(1,))
    assert a.name != b.name


# ---------------------------------------------------------------------------
# History and nodes.


def test_keras_history_and_nodes_for_shared_layer():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="b")
    shared = layers.Dense(2, name="shared")
    ya = shared(a)
    yb = shared(b)
    assert ya._keras_history == (shared, 0, 0)
    assert yb._keras_history == (shared, 1, 0)
    assert len(shared._inbound_nodes) == 2
    assert len(shared._outbound_nodes) == 0
    in_a = a._keras_history.layer
    assert len(in_a._inbound_nodes) == 1
    assert len(in_a._outbound_nodes) == 1
    assert in_a._outbound_nodes[0] is shared._inbound_nodes[0]
    assert shared._inbound_nodes[1].input_tensors == [b]
    # A consumer of both outputs adds an outbound node per call.
    total = ya + yb
    assert len(shared._outbound_nodes) == 2
    op_layer = total._keras_history.layer
    assert shared._outbound_nodes[0] is op_layer._inbound_nodes[0]
    assert shared.get_output_at(0) is ya
    assert shared.get_output_at(1) is yb


def test_shared_layer_output_is_ill_defined():
    shared = layers.Dense(2, name="shared")
    shared(keras.Input(shape=(3,)))
    shared(keras.Input(shape=(3,)))
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        _ = shared.output


def test_layer_input_output_attributes():
    x = keras.Input(shape=(3,))
    dense = layers.Dense(4)
    y = dense(x)
    assert dense.input is x
    assert dense.output is y
    assert dense.input_shape == (None, 3)
    assert dense.output_shape == (None, 4)


def test_unconnected_layer_has_no_input():
    with pytest.raises(AttributeError, match="not connected"):
        _ = layers.Dense(2).input


# ---------------------------------------------------------------------------
# Model attributes.


def _mlp():
    x = keras.Input(shape=(3,), name="x")
    h = layers.Dense(4, activation="relu", name="hidden")(x)
    y = layers.Dense(2, name="out")(h)
    return keras.Model(x, y, name="mlp")


def test_model_attributes():
    model = _mlp()
    assert model._is_graph_network
    assert model.name == "mlp"
    assert [l.name for l in model.layers] == ["x", "hidden", "out"]
    assert isinstance(model.layers[0], layers.InputLayer)
    assert model.input_names == ["x"]
    assert model.output_names == ["out"]
    assert model.input_shape == (None, 3)
    assert model.output_shape == (None, 2)
    assert len(model.inputs) == 1 and len(model.outputs) == 1
    assert model.input is model.inputs[0]
    assert model.output is model.outputs[0]


def test_model_numbers_match_numpy():
    model = _mlp()
    x = rand(5, 3)
    k1, b1, k2, b2 = model.get_weights()
    expected = np_dense(np_dense(x, k1, b1, "relu"), k2, b2)
    out = model(x)
    assert torch.is_tensor(out)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5,
                               atol=1e-6)


def test_get_layer_by_name_and_index():
    model = _mlp()
    assert model.get_layer("hidden") is model.layers[1]
    assert model.get_layer(index=2).name == "out"
    assert model.get_layer(index=-1).name == "out"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="index 7"):
        model.get_layer(index=7)
    with pytest.raises(ValueError, match="only a layer name or"):
        model.get_layer("out", 1)
    with pytest.raises(ValueError, match="either a layer name"):
        model.get_layer()


def test_tf_keras_idioms():
    x = keras.Input(shape=(8,), name="input_image")
    h = layers.Dense(4, name="features")(x)
    y = layers.Dense(2, name="logits")(h)
    base_model = keras.Model(inputs=x, outputs=y)
    assert [x.name for x in base_model.layers] == [
        "input_image", "features", "logits"]
    layer = base_model.get_layer("features")
    assert len(layer._inbound_nodes) == 1
    assert len(layer._outbound_nodes) == 1
    assert h._keras_history[0] is layer
    shapes = [[w.shape for w in l.get_weights()] for l in base_model.layers]
    assert shapes == [[], [(8, 4), (4,)], [(4, 2), (2,)]]


# ---------------------------------------------------------------------------
# Multiple inputs and outputs.


def _two_in_two_out(dict_io):
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    y1 = layers.Dense(2, name="y1")(a)
    y2 = layers.Dense(1, name="y2")(b)
    if dict_io:
        return keras.Model({"a": a, "b": b}, {"y1": y1, "y2": y2})
    return keras.Model([a, b], [y1, y2])


def test_multi_io_lists():
    model = _two_in_two_out(False)
    assert model.input_names == ["a", "b"]
    assert model.output_names == ["y1", "y2"]
    assert model.input_shape == [(None, 3), (None, 2)]
    assert model.output_shape == [(None, 2), (None, 1)]
    xa, xb = rand(4, 3), rand(4, 2) + 1
    k1, b1, k2, b2 = model.get_weights()
    out = model([xa, xb])
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_allclose(out[0].detach().numpy(),
                               np_dense(xa, k1, b1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1].detach().numpy(),
                               np_dense(xb, k2, b2), rtol=1e-5, atol=1e-6)
    # Data given by input name works for list-built models too.
    by_name = model({"b": xb, "a": xa})
    np.testing.assert_allclose(by_name[1].detach().numpy(),
                               out[1].detach().numpy())


def test_multi_io_dicts():
    model = _two_in_two_out(True)
    xa, xb = rand(4, 3), rand(4, 2) + 1
    k1, b1, k2, b2 = model.get_weights()
    out = model({"a": xa, "b": xb})
    assert isinstance(out, dict) and sorted(out) == ["y1", "y2"]
    np.testing.assert_allclose(out["y1"].detach().numpy(),
                               np_dense(xa, k1, b1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["y2"].detach().numpy(),
                               np_dense(xb, k2, b2), rtol=1e-5, atol=1e-6)


def test_multi_io_missing_and_unknown_keys():
    model = _two_in_two_out(True)
    with pytest.raises(ValueError, match="unknown input keys"):
        model({"a": rand(1, 3), "b": rand(1, 2), "c": rand(1, 1)})
    list_model = _two_in_two_out(False)
    with pytest.raises(ValueError, match=r"missing data for input\(s\)"):
        list_model({"a": rand(1, 3)})


def test_unused_input_still_an_input():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="unused")
    model = keras.Model([a, b], layers.Dense(1)(a))
    assert model.input_names == ["a", "unused"]
    assert model([rand(2, 3), rand(2, 3)]).shape == (2, 1)


# ---------------------------------------------------------------------------
# Nesting and sharing.


def test_nested_model_as_layer():
    inner_in = keras.Input(shape=(3,))
    inner = keras.Model(inner_in, layers.Dense(4, name="inner_dense")(
        inner_in), name="inner")
    x = keras.Input(shape=(3,))
    y = layers.Dense(2, name="head")(inner(x))
    outer = keras.Model(x, y)
    assert outer.layers[1] is inner
    assert y.shape == (None, 2)
    inner_w = {id(w) for w in inner.weights}
    assert inner_w <= {id(w) for w in outer.weights}
    assert outer.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    data = rand(5, 3)
    k1, b1, k2, b2 = outer.get_weights()
    np.testing.assert_allclose(outer(data).detach().numpy(),
                               np_dense(np_dense(data, k1, b1), k2, b2),
                               rtol=1e-5, atol=1e-6)


def test_two_models_from_one_graph_share_weights():
    x = keras.Input(shape=(3,))
    hidden_layer = layers.Dense(4, name="hidden")
    h = hidden_layer(x)
    y = layers.Dense(1, name="out")(h)
    full = keras.Model(x, y)
    features = keras.Model(x, h)
    assert features.get_layer("hidden") is full.get_layer("hidden")
    data = rand(6, 3)
    new_kernel = np.arange(12, dtype="float32").reshape(3, 4) / 10
    new_bias = np.ones(4, dtype="float32")
    features.get_layer("hidden").set_weights([new_kernel, new_bias])
    np.testing.assert_allclose(features(data).detach().numpy(),
                               data @ new_kernel + new_bias, rtol=1e-5)
    k2, b2 = full.get_layer("out").get_weights()
    np.testing.assert_allclose(
        full(data).detach().numpy(),
        (data @ new_kernel + new_bias) @ k2 + b2, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(full.get_weights()[0], new_kernel)


def test_layer_called_twice_shares_weights():
    dense = layers.Dense(3)
    a = keras.Input(shape=(2,))
    b = keras.Input(shape=(2,))
    model = keras.Model([a, b], [dense(a), dense(b)])
    assert len(model.weights) == 2
    data = rand(4, 2)
    ya, yb = model([data, data])
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())


def test_flexible_image_sizes():
    x = keras.Input(shape=(None, None, 3))
    model = keras.Model(x, layers.Dense(2)(x))
    assert model.output_shape == (None, None, None, 2)
    kernel, bias = model.get_weights()
    for shape in [(1, 4, 5, 3), (2, 7, 3, 3)]:
        data = np.random.RandomState(1).rand(*shape).astype("float32")
        out = model(data)
        assert tuple(out.shape) == shape[:-1] + (2,)
        np.testing.assert_allclose(out.detach().numpy(), data @ kernel + bias,
                                   rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# Operators on KerasTensors.


def test_arithmetic_and_slicing_ops():
    x = keras.Input(shape=(3,))
    y = x * 2 + 1
    z = y[:, 0]
    w = 1 - x / 4
    assert y.shape == (None, 3)
    assert z.shape == (None,)
    model = keras.Model(x, [y, z, w, -x, abs(x), x ** 2])
    data = rand(4, 3)
    outs = [o.detach().numpy() for o in model(data)]
    np.testing.assert_allclose(outs[0], data * 2 + 1, rtol=1e-6)
    np.testing.assert_allclose(outs[1], (data * 2 + 1)[:, 0], rtol=1e-6)
    np.testing.assert_allclose(outs[2], 1 - data / 4, rtol=1e-6)
    np.testing.assert_allclose(outs[3], -data)
    np.testing.assert_allclose(outs[4], np.abs(data))
    np.testing.assert_allclose(outs[5], data ** 2, rtol=1e-6)


def test_op_between_two_keras_tensors():
    a = keras.Input(shape=(3,))
    b = keras.Input(shape=(3,))
    model = keras.Model([a, b], a * b - b)
    xa, xb = rand(2, 3), rand(2, 3) + 2
    np.testing.assert_allclose(model([xa, xb]).detach().numpy(),
                               xa * xb - xb, rtol=1e-6)


# ---------------------------------------------------------------------------
# Names.


def test_layer_names_unique_and_reset():
    assert layers.Dense(1).name == "dense"
    assert layers.Dense(1).name == "dense_1"
    assert keras.Input((1,)).name == "input_layer"
    backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_weight_names_unique():
    x = keras.Input(shape=(3,))
    h = layers.Dense(4)(x)
    h = layers.Dense(3)(h)
    model = keras.Model(x, layers.Dense(2)(h))
    names = [w.name for i, w in enumerate(model.weights)]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel",
                     "dense_1/bias", "dense_2/kernel", "dense_2/bias"]


def test_duplicate_layer_names_rejected():
    x = keras.Input(shape=(3,))
    y = layers.Dense(2, name="same")(layers.Dense(3, name="same")(x))
    with pytest.raises(ValueError, match="'same'"):
        keras.Model(x, y)


def test_flexible_image_sizes_with_lambda():
    x = keras.Input(shape=(None, None, 3))
    pooled = layers.Lambda(lambda t: t.mean(dim=(1, 2)), name="gap")(x)
    assert pooled.shape == (None, 3)
    model = keras.Model(x, pooled)
    for shape in [(2, 5, 4, 3), (1, 9, 11, 3)]:
        data = np.random.RandomState(2).rand(*shape).astype("float32")
        np.testing.assert_allclose(model(data).detach().numpy(),
                                   data.mean(axis=(1, 2)), rtol=1e-5)


class Doubler(layers.Layer):
    def call(self, x):
        return x * 2


def test_functional_config_round_trip():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="b")
    shared = layers.Dense(2, name="shared")
    merged = layers.Concatenate(name="cat")([shared(a), shared(b)])
    out = layers.Dense(1, name="out")(Doubler(name="twice")(merged))
    model = keras.Model([a, b], out, name="pair")
    config = model.get_config()
    clone = keras.Model.from_config(
        config, custom_objects={"Doubler": Doubler})
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert len(clone.get_layer("shared")._inbound_nodes) == 2
    assert clone.output_shape == (None, 1)
    clone.set_weights(model.get_weights())
    xa, xb = rand(4, 3), rand(4, 3) + 1
    np.testing.assert_allclose(clone([xa, xb]).detach().numpy(),
                               model([xa, xb]).detach().numpy(), rtol=1e-6)
