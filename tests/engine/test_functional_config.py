"""Functional model configs: Keras 3 format out, Keras 3 and tf.keras 2 in."""

import json

import numpy as np

import torchkeras as keras


def test_round_trip_with_shared_layer_ops_and_dict_outputs():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = keras.layers.Dense(3, activation="relu", name="shared")
    o1, o2 = shared(a), shared(b)
    out = keras.layers.Dense(2, name="head")(o1 + o2 * 2.0)
    model = keras.Model([a, b], {"out": out, "mid": o1})
    config = json.loads(json.dumps(model.get_config()))
    shared_cfg = next(l for l in config["layers"] if l["name"] == "shared")
    assert len(shared_cfg["inbound_nodes"]) == 2
    history = shared_cfg["inbound_nodes"][1]["args"][0]["config"][
        "keras_history"]
    assert history == ["b", 0, 0]
    clone = keras.Model.from_config(config)
    clone.set_weights(model.get_weights())
    x = [np.random.default_rng(0).standard_normal((5, 4)).astype("float32"),
         np.ones((5, 4), "float32")]
    got, expected = clone(x), model(x)
    for key in ("out", "mid"):
        np.testing.assert_allclose(got[key].detach().numpy(),
                                   expected[key].detach().numpy(), rtol=1e-6)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]


def test_only_nodes_of_the_model_are_counted():
    inp = keras.Input(shape=(3,), name="inp")
    dense = keras.layers.Dense(2, name="d")
    other = keras.Input(shape=(3,), name="other")
    dense(other)  # a node outside the model below
    model = keras.Model(inp, dense(inp))
    config = model.get_config()
    d_cfg = next(l for l in config["layers"] if l["name"] == "d")
    assert len(d_cfg["inbound_nodes"]) == 1
    assert config["output_layers"] == ["d", 0, 0]
    assert isinstance(keras.Model.from_config(config), keras.Model)


def test_reads_tf_keras_2_config():
    config = {
        "name": "model",
        "layers": [
            {"class_name": "InputLayer", "name": "input_1",
             "config": {"batch_input_shape": [None, 3], "dtype": "float32",
                        "sparse": False, "ragged": False,
                        "name": "input_1"},
             "inbound_nodes": []},
            {"class_name": "Dense", "name": "dense",
             "config": {"name": "dense", "trainable": True,
                        "dtype": "float32", "units": 2,
                        "activation": "linear", "use_bias": True},
             "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        ],
        "input_layers": [["input_1", 0, 0]],
        "output_layers": [["dense", 0, 0]],
    }
    model = keras.Model.from_config(config)
    assert model.output_shape == (None, 2)
    assert [l.name for l in model.layers] == ["input_1", "dense"]
