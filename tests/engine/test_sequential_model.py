"""Sequential: construction from a list or ``add``, ``pop``, the ways its
input shape becomes known (Input, ``input_shape=``, ``build``, first call),
and its errors. Numbers are checked against NumPy."""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


def rand(*shape):
    return np.random.RandomState(0).randn(*shape).astype("float32")


def check_mlp_numbers(model, x):
    expected = x
    for kernel, bias in zip(model.get_weights()[::2],
                            model.get_weights()[1::2]):
        expected = expected @ kernel + bias
    np.testing.assert_allclose(model(x).detach().numpy(), expected,
                               rtol=1e-5, atol=1e-6)


def test_from_list_with_input_first():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3),
                              layers.Dense(2)])
    assert model.built and model._is_graph_network
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.input_shape == (None, 4)
    assert model.output_shape == (None, 2)
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    check_mlp_numbers(model, rand(5, 4))


def test_input_shape_keyword_on_first_layer():
    model = keras.Sequential([layers.Dense(3, input_shape=(4,)),
                              layers.Dense(1)])
    assert model.built
    assert model.input_shape == (None, 4)
    assert model.layers[0].kernel.shape == (4, 3)


def test_input_dim_keyword():
    model = keras.Sequential([layers.Dense(2, input_dim=6)])
    assert model.input_shape == (None, 6)


def test_add_and_pop():
    model = keras.Sequential()
    assert model.layers == []
    model.add(keras.Input(shape=(4,)))
    assert model.layers == [] and not model.built
    model.add(layers.Dense(3, name="a"))
    model.add(layers.Dense(2, name="b"))
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "b"
    assert [l.name for l in model.layers] == ["a"]
    assert model.output_shape == (None, 3)
    assert len(model.weights) == 2
    check_mlp_numbers(model, rand(2, 4))


def test_add_keras_tensor_adds_its_input_layer():
    model = keras.Sequential()
    model.add(keras.Input(shape=(3,)))
    model.add(layers.Dense(5))
    assert model.input_shape == (None, 3)
    assert model.output_shape == (None, 5)


def test_deferred_build_on_first_call():
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built
    assert model.weights == []
    x = rand(2, 7)
    out = model(x)
    assert model.built
    assert tuple(out.shape) == (2, 1)
    assert model.layers[0].kernel.shape == (7, 3)
    assert model.input_shape == (None, 7)
    check_mlp_numbers(model, x)


def test_add_keeps_one_node_per_layer():
    # As tf.keras 2: each added layer is called once, so `layer.output`
    # is defined and a sub-model can be cut from it.
    model = keras.Sequential()
    model.add(layers.Dense(4, activation="relu", input_shape=(3,)))
    model.add(layers.Dense(5, activation="relu", name="hidden"))
    model.add(layers.Dense(2))
    model.add(layers.Dense(1))
    model.pop()
    assert [len(layer.inbound_nodes) for layer in model.layers] == [1, 1, 1]
    assert [len(layer.outbound_nodes) for layer in model.layers] == [1, 1, 0]
    hidden = model.get_layer("hidden")
    sub = keras.Model(model.input, hidden.output)
    x = rand(6, 3)
    first, second = model.layers[0].get_weights(), hidden.get_weights()
    expected = np.maximum(np.maximum(x @ first[0] + first[1], 0) @ second[0]
                          + second[1], 0)
    np.testing.assert_allclose(sub.predict(x, verbose=0), expected,
                               rtol=1e-5, atol=1e-6)


def test_deferred_build_on_raw_strings(tmp_path):
    # A TextVectorization first and no Input: the first batch of strings
    # builds a string input, and the saved config keeps it.
    vectorize = layers.TextVectorization(max_tokens=10,
                                         output_sequence_length=3)
    vectorize.adapt(np.array(["a b c", "b c d"]))
    model = keras.Sequential([vectorize])
    texts = np.array(["a b", "d c zz"])
    vocabulary = vectorize.get_vocabulary()
    expected = np.array([[vocabulary.index("a"), vocabulary.index("b"), 0],
                         [vocabulary.index("d"), vocabulary.index("c"), 1]])
    np.testing.assert_array_equal(model.predict(texts, verbose=0),
                                  expected)
    assert model.inputs[0].dtype == "string"
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][0]["config"]["dtype"] == "string"
    path = tmp_path / "strings.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_array_equal(reloaded.predict(texts, verbose=0),
                                  expected)


def test_build_with_input_shape():
    model = keras.Sequential([layers.Dense(3)])
    model.build((None, 5))
    assert model.built
    assert model.output_shape == (None, 3)
    assert model.count_params() == 18


def test_summary_before_build_raises():
    model = keras.Sequential([layers.Dense(3)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()


def test_add_non_layer_raises():
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        keras.Sequential().add("dense")


def test_input_layer_not_first_raises():
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="InputLayer can only be the first"):
        model.add(layers.InputLayer(input_shape=(2,)))


def test_duplicate_names_raise():
    model = keras.Sequential([layers.Dense(1, name="a")])
    with pytest.raises(ValueError, match="'a' is already the name"):
        model.add(layers.Dense(1, name="a"))


def test_pop_empty_raises():
    with pytest.raises(TypeError, match="no layers"):
        keras.Sequential().pop()


def test_build_without_shape_or_layers_raises():
    with pytest.raises(ValueError, match="no input shape"):
        keras.Sequential([layers.Dense(1)]).build()
    with pytest.raises(ValueError, match="no layers"):
        keras.Sequential().build((None, 3))


def test_wrong_feature_size_on_call_raises_value_error():
    """tf.keras checks data against the model's input spec: ValueError."""
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=model.name):
        model(rand(3, 5))


def test_sequential_nested_in_sequential():
    inner = keras.Sequential([layers.Dense(3, input_shape=(4,))],
                             name="inner")
    outer = keras.Sequential([inner, layers.Dense(2)])
    assert outer.output_shape == (None, 2)
    assert outer.layers[0] is inner
    x = rand(3, 4)
    k1, b1, k2, b2 = outer.get_weights()
    np.testing.assert_allclose(outer(x).detach().numpy(),
                               (x @ k1 + b1) @ k2 + b2, rtol=1e-5, atol=1e-6)


def test_sequential_config_round_trip():
    model = keras.Sequential([keras.Input(shape=(4,)),
                              layers.Dense(3, activation="relu"),
                              layers.Dense(1)], name="seq")
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.name == "seq"
    assert clone.input_shape == (None, 4)
    assert [type(l).__name__ for l in clone.layers] == ["Dense", "Dense"]
    assert clone.layers[0].get_config()["activation"] == "relu"
    clone.set_weights(model.get_weights())
    x = rand(2, 4)
    np.testing.assert_allclose(clone(x).detach().numpy(),
                               model(x).detach().numpy(), rtol=1e-6)
