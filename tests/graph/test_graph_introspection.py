"""Graph introspection as tf.keras 2 has it: ``layer.input``/``output``
and their shapes for every layer (``InputLayer`` included), per-node
accessors for shared layers, and the model-level attributes.

References: the KerasTensors the test built (identity), shapes written by
hand, and predictions recomputed with NumPy from ``get_weights``.
"""

import numpy as np
import pytest

import torchkeras as keras


def _two_dense_model():
    image = keras.Input((8,), name="image")
    hidden = keras.layers.Dense(4, activation="relu", name="dense1")(image)
    out = keras.layers.Dense(2, name="dense2")(hidden)
    return keras.Model(image, out), image, hidden, out


def _numpy_two_dense(model, x):
    k1, b1, k2, b2 = model.get_weights()
    return np.maximum(x @ k1 + b1, 0.0) @ k2 + b2


def test_input_layer_input_is_its_output_tensor():
    model, image, _, _ = _two_dense_model()
    layer = model.get_layer("image")
    assert layer.input is image
    assert layer.output is image
    # tf.keras 2 gives an InputLayer's shapes as one-element lists.
    assert layer.input_shape == [(None, 8)]
    assert layer.output_shape == [(None, 8)]
    assert layer.get_input_at(0) is image
    assert layer.get_input_shape_at(0) == [(None, 8)]


def test_prediction_model_from_get_layer_input_and_output():
    # The captcha-OCR idiom: a second model between two named layers.
    model, _, _, _ = _two_dense_model()
    predictor = keras.Model(model.get_layer("image").input,
                            model.get_layer("dense2").output)
    x = np.random.rand(5, 8).astype("float32")
    np.testing.assert_allclose(predictor.predict(x, verbose=0),
                               _numpy_two_dense(model, x), rtol=1e-5,
                               atol=1e-6)
    assert [layer.name for layer in predictor.layers] == [
        "image", "dense1", "dense2"]


def test_layer_tensors_and_shapes():
    model, image, hidden, out = _two_dense_model()
    dense1 = model.get_layer("dense1")
    assert dense1.input is image and dense1.output is hidden
    assert dense1.input_shape == (None, 8)
    assert dense1.output_shape == (None, 4)
    assert model.get_layer("dense2").output is out


def test_model_level_attributes():
    model, image, _, out = _two_dense_model()
    assert model.input is image and model.inputs == [image]
    assert model.output is out and model.outputs == [out]
    assert model.input_shape == (None, 8)
    assert model.output_shape == (None, 2)
    assert model.input_names == ["image"]
    assert model.output_names == ["dense2"]
    # Node 0 of a functional model is its own graph (tf.keras 2).
    assert model.get_input_at(0) is image
    assert model.get_output_at(0) is out
    assert model.get_output_shape_at(0) == (None, 2)


def test_multi_input_multi_output_model_attributes():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    merged = keras.layers.Concatenate(name="cat")([a, b])
    y1 = keras.layers.Dense(1, name="y1")(merged)
    y2 = keras.layers.Dense(4, name="y2")(merged)
    model = keras.Model([a, b], [y1, y2])
    assert model.input == [a, b]
    assert model.input_shape == [(None, 3), (None, 2)]
    assert model.output_shape == [(None, 1), (None, 4)]
    assert model.input_names == ["a", "b"]
    assert model.output_names == ["y1", "y2"]
    cat = model.get_layer("cat")
    assert cat.input == [a, b]
    assert cat.input_shape == [(None, 3), (None, 2)]
    assert cat.output_shape == (None, 5)


def test_shared_layer_nodes():
    dense = keras.layers.Dense(3, name="shared")
    a = keras.Input((4,))
    b = keras.Input((5, 4))
    out_a = dense(a)
    out_b = dense(b)
    assert dense.get_input_at(0) is a and dense.get_input_at(1) is b
    assert dense.get_output_at(0) is out_a
    assert dense.get_output_at(-1) is out_b
    assert dense.get_input_shape_at(1) == (None, 5, 4)
    assert dense.get_output_shape_at(0) == (None, 3)
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        _ = dense.input
    with pytest.raises(AttributeError, match="get_input_shape_at"):
        _ = dense.input_shape
    with pytest.raises(ValueError, match="node_index=2"):
        dense.get_input_at(2)


def test_shared_layer_with_equal_shapes_has_one_shape():
    dense = keras.layers.Dense(3)
    dense(keras.Input((4,)))
    dense(keras.Input((4,)))
    assert dense.input_shape == (None, 4)
    assert dense.output_shape == (None, 3)


def test_unconnected_layer_has_no_input():
    dense = keras.layers.Dense(2)
    with pytest.raises(AttributeError, match="not connected"):
        _ = dense.input
    with pytest.raises(AttributeError, match="never been called"):
        _ = dense.output_shape


def test_model_called_on_new_input_is_its_node_1():
    model, _, _, _ = _two_dense_model()
    z = keras.Input((8,))
    y = model(z)
    assert model.get_input_at(1) is z
    assert model.get_output_at(1) is y
    assert model.get_output_shape_at(1) == (None, 2)


def test_sequential_layers_input_and_output():
    model = keras.Sequential([
        keras.layers.Dense(6, activation="relu", input_shape=(8,)),
        keras.layers.Dense(2),
    ])
    first, second = model.layers
    assert first.input is model.input
    assert second.output is model.output
    assert second.input is first.output
    assert first.input_shape == (None, 8)
    assert second.output_shape == (None, 2)


def test_model_from_intermediate_tensor():
    # tf.keras 2 accepts a non-Input tensor as a model input.
    model, _, hidden, out = _two_dense_model()
    tail = keras.Model(hidden, out)
    h = np.random.rand(3, 4).astype("float32")
    _, _, k2, b2 = model.get_weights()
    np.testing.assert_allclose(tail.predict(h, verbose=0), h @ k2 + b2,
                               rtol=1e-5, atol=1e-6)
