"""One mechanism for ops on KerasTensors: record, run, write, read back.

Ops called on KerasTensors record ``TFOpLambda`` nodes; the model runs
them with the eager functions; configs speak Keras 3 (operation classes)
and tf.keras 2 (``TFOpLambda`` with TensorFlow names) and read both back.
References: NumPy, and real Keras 3 files (``keras_oracle``).
"""

import json

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras import ops


def _data(shape=(5, 4), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_issue_example_ops_and_functional_loss_on_keras_tensors():
    x = keras.Input((4,))
    y = ops.square(x) + ops.mean(x, axis=-1, keepdims=True)
    model = keras.Model(x, keras.losses.mse(x, y))
    a = _data()
    expect = np.mean((a - (a * a + a.mean(-1, keepdims=True))) ** 2, -1)
    assert model.output_shape == (None,)
    np.testing.assert_allclose(model.predict(a, verbose=0), expect,
                               rtol=1e-5, atol=1e-6)


OPERATORS = [
    ("add", lambda x: x + 2.0, lambda a: a + 2.0),
    ("radd", lambda x: 2.0 + x, lambda a: 2.0 + a),
    ("sub", lambda x: x - 1.5, lambda a: a - 1.5),
    ("rsub", lambda x: 1.5 - x, lambda a: 1.5 - a),
    ("mul", lambda x: x * x, lambda a: a * a),
    ("rmul", lambda x: 3 * x, lambda a: 3 * a),
    ("div", lambda x: x / 4, lambda a: a / 4),
    ("rdiv", lambda x: 1 / (x * x + 1), lambda a: 1 / (a * a + 1)),
    ("floordiv", lambda x: x // 0.5, lambda a: a // 0.5),
    ("mod", lambda x: x % 0.7, lambda a: np.mod(a, 0.7)),
    ("pow", lambda x: x ** 2, lambda a: a ** 2),
    ("rpow", lambda x: 2.0 ** x, lambda a: 2.0 ** a),
    ("neg", lambda x: -x, lambda a: -a),
    ("abs", lambda x: abs(x), np.abs),
    ("lt", lambda x: x < 0.1, lambda a: a < 0.1),
    ("le", lambda x: x <= 0.1, lambda a: a <= 0.1),
    ("gt", lambda x: x > 0.1, lambda a: a > 0.1),
    ("ge", lambda x: x >= 0.1, lambda a: a >= 0.1),
    ("ne", lambda x: x != 0.0, lambda a: a != 0.0),
    ("and", lambda x: (x > 0) & (x < 1), lambda a: (a > 0) & (a < 1)),
    ("or", lambda x: (x > 1) | (x < -1), lambda a: (a > 1) | (a < -1)),
    ("invert", lambda x: ~(x > 0), lambda a: ~(a > 0)),
    ("slice", lambda x: x[:, 1:3], lambda a: a[:, 1:3]),
    ("index", lambda x: x[:, -1], lambda a: a[:, -1]),
    ("ellipsis", lambda x: x[..., None, 0], lambda a: a[..., None, 0]),
    ("matmul", lambda x: x @ np.ones((4, 2), "float32"),
     lambda a: a @ np.ones((4, 2), "float32")),
]


@pytest.mark.parametrize("fn,ref", [o[1:] for o in OPERATORS],
                         ids=[o[0] for o in OPERATORS])
def test_operators_record_and_match_numpy(fn, ref, tmp_path):
    x = keras.Input((4,))
    out = fn(x)
    assert isinstance(out, keras.KerasTensor)
    model = keras.Model(x, out)
    a = _data()
    expect = ref(a)
    got = model.predict(a, verbose=0)
    assert got.shape == expect.shape
    assert out.shape[1:] == expect.shape[1:]
    np.testing.assert_allclose(got, expect, rtol=1e-6)
    for suffix in ("keras", "h5"):
        path = str(tmp_path / f"m.{suffix}")
        model.save(path)
        again = keras.models.load_model(path)
        np.testing.assert_allclose(again.predict(a, verbose=0), expect,
                                   rtol=1e-6)


def test_keras3_config_names_operation_classes():
    x = keras.Input((4,), name="x")
    y = ops.mean(x * 2.0, axis=-1, keepdims=True)
    config = keras.Model(x, y).get_config()
    mean = [c for c in config["layers"] if c["class_name"] == "Mean"][0]
    assert mean["module"] == "keras.src.ops.numpy"
    assert mean["config"]["axis"] == -1 and mean["config"]["keepdims"]
    mul = [c for c in config["layers"] if c["class_name"] == "Multiply"][0]
    args = mul["inbound_nodes"][0]["args"]
    assert args[0]["config"]["keras_history"] == ["x", 0, 0]
    assert args[1] == 2.0


def test_h5_writes_tf_keras2_tfoplambda(tmp_path):
    x = keras.Input((4,), name="x")
    y = ops.mean(x + x, axis=-1, keepdims=True)
    model = keras.Model(x, y)
    path = tmp_path / "m.h5"
    model.save(str(path))
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
    by_name = {c["name"]: c for c in config["config"]["layers"]}
    add = [c for c in by_name.values()
           if c["config"].get("function") == "__operators__.add"][0]
    assert add["class_name"] == "TFOpLambda"
    assert add["inbound_nodes"] == [[["x", 0, 0, {"y": ["x", 0, 0]}]]]
    mean = [c for c in by_name.values()
            if c["config"].get("function") == "math.reduce_mean"][0]
    assert mean["inbound_nodes"][0][0][3] == {"axis": -1, "keepdims": True}


def test_reads_tf_keras2_tfoplambda_config():
    """A tf.keras 2 functional config as ``model.to_json()`` wrote it:
    ``tf.math.reduce_mean`` with kwargs, ``x + y`` of two tensors, and a
    constant first argument."""
    config = {"name": "model", "layers": [
        {"class_name": "InputLayer", "name": "input_1", "config": {
            "batch_input_shape": [None, 3], "dtype": "float32",
            "name": "input_1"}, "inbound_nodes": []},
        {"class_name": "TFOpLambda", "name": "tf.math.reduce_mean",
         "config": {"name": "tf.math.reduce_mean", "trainable": True,
                    "dtype": "float32", "function": "math.reduce_mean"},
         "inbound_nodes": [[["input_1", 0, 0, {"axis": -1,
                                              "keepdims": True}]]]},
        {"class_name": "TFOpLambda", "name": "tf.__operators__.add",
         "config": {"name": "tf.__operators__.add", "trainable": True,
                    "dtype": "float32", "function": "__operators__.add"},
         "inbound_nodes": [[["input_1", 0, 0, {
             "y": ["tf.math.reduce_mean", 0, 0], "name": None}]]]},
        {"class_name": "TFOpLambda", "name": "tf.math.subtract",
         "config": {"name": "tf.math.subtract", "trainable": True,
                    "dtype": "float32", "function": "math.subtract"},
         "inbound_nodes": [[["_CONSTANT_VALUE", -1, 10.0, {
             "y": ["tf.__operators__.add", 0, 0], "name": None}]]]},
    ], "input_layers": [["input_1", 0, 0]],
        "output_layers": [["tf.math.subtract", 0, 0]]}
    model = keras.Model.from_config(config)
    a = _data((4, 3))
    expect = 10.0 - (a + a.mean(-1, keepdims=True))
    np.testing.assert_allclose(model.predict(a, verbose=0), expect,
                               rtol=1e-6)


def test_masks_pass_through_elementwise_ops():
    x = keras.Input((None,), dtype="int32")
    h = layers.Embedding(10, 4, mask_zero=True)(x)
    h = 2.0 * h
    out = layers.GRU(3)(h)
    model = keras.Model(x, out)
    ref = keras.Model(x, layers.GRU(3)(layers.Embedding(10, 4,
                                                       mask_zero=True)(x)))
    ref.set_weights([w * (2.0 if i == 0 else 1.0)
                     for i, w in enumerate(model.get_weights())])
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    np.testing.assert_allclose(model.predict(ids, verbose=0),
                               ref.predict(ids, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_eager_calls_compute_and_record_nothing():
    a = torch.tensor([[1.0, -2.0]])
    assert torch.equal(ops.add(a, 1.0), a + 1.0)
    assert torch.equal(keras.activations.relu(a), torch.relu(a))


def test_bad_symbolic_call_names_the_op():
    x = keras.Input((4,))
    with pytest.raises(TypeError, match="Op 'mean'"):
        ops.mean(x, axis=-1, bogus=1)


_KERAS_WRITES = """
import sys, numpy as np, keras
folder = sys.argv[1]
keras.utils.set_random_seed(0)
ids = keras.Input((None,), dtype="int32", name="ids")
h = keras.layers.Embedding(20, 6, mask_zero=True)(ids)
h = keras.layers.Bidirectional(keras.layers.GRU(5))(h)
out = keras.layers.Dense(3, activation="softmax")(h)
model = keras.Model(ids, out)
x = np.array([[3, 4, 5, 0, 0, 0], [1, 2, 3, 4, 5, 6], [7, 0, 0, 0, 0, 0]],
             "int32")
model.save(folder + "/keras_mask.keras")
np.save(folder + "/keras_mask_pred.npy", model.predict(x, verbose=0))
np.save(folder + "/keras_mask_x.npy", x)
import json
print(json.dumps([l["class_name"] for l in
                  model.get_config()["layers"]]))
"""


def test_loads_keras3_file_with_not_equal_op(tmp_path, keras_oracle):
    classes = json.loads(keras_oracle(_KERAS_WRITES, tmp_path))
    assert "NotEqual" in classes
    model = keras.models.load_model(str(tmp_path / "keras_mask.keras"))
    x = np.load(tmp_path / "keras_mask_x.npy")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.load(tmp_path / "keras_mask_pred.npy"),
                               atol=1e-5)


_KERAS_READS = """
import sys, numpy as np, keras
folder = sys.argv[1]
model = keras.models.load_model(folder + "/ours.keras")
x = np.load(folder + "/x.npy")
np.save(folder + "/theirs.npy", model.predict(x, verbose=0))
print("ok")
"""


def test_keras3_loads_our_ops(tmp_path, keras_oracle):
    x = keras.Input((4,))
    h = layers.Dense(6)(x)
    y = (h * 2.0 + ops.mean(h, axis=-1, keepdims=True))[:, 1:5]
    y = ops.maximum(y, -0.5) - 1.0 / (1.0 + abs(y))
    model = keras.Model(x, y)
    a = _data((7, 4))
    model.save(str(tmp_path / "ours.keras"))
    np.save(tmp_path / "x.npy", a)
    assert keras_oracle(_KERAS_READS, tmp_path).strip().endswith("ok")
    np.testing.assert_allclose(np.load(tmp_path / "theirs.npy"),
                               model.predict(a, verbose=0), atol=1e-5)


def test_reads_tf_keras2_slicing_op_lambda_and_writes_it(tmp_path):
    """``x[:, 1:, 0]`` as tf.keras 2 writes it: ``SlicingOpLambda`` with
    ``slice_spec`` dicts."""
    config = {"name": "model", "layers": [
        {"class_name": "InputLayer", "name": "input_1", "config": {
            "batch_input_shape": [None, 3, 2], "dtype": "float32",
            "name": "input_1"}, "inbound_nodes": []},
        {"class_name": "SlicingOpLambda", "name": "tf.__operators__.getitem",
         "config": {"name": "tf.__operators__.getitem", "trainable": True,
                    "dtype": "float32", "function": "__operators__.getitem"},
         "inbound_nodes": [[["input_1", 0, 0, {"slice_spec": [
             {"start": None, "stop": None, "step": None},
             {"start": 1, "stop": None, "step": None}, 0]}]]]},
    ], "input_layers": [["input_1", 0, 0]],
        "output_layers": [["tf.__operators__.getitem", 0, 0]]}
    model = keras.Model.from_config(config)
    a = _data((4, 3, 2))
    np.testing.assert_array_equal(model.predict(a, verbose=0), a[:, 1:, 0])
    path = tmp_path / "m.h5"
    model.save(str(path))
    with h5py.File(path, "r") as f:
        written = json.loads(f.attrs["model_config"])["config"]["layers"][1]
    assert written["class_name"] == "SlicingOpLambda"
    assert written["inbound_nodes"] == config["layers"][1]["inbound_nodes"]
    again = keras.models.load_model(str(path))
    np.testing.assert_array_equal(again.predict(a, verbose=0), a[:, 1:, 0])


def test_op_arguments_named_like_layer_settings_survive_a_file(tmp_path):
    """``Cast``'s and ``OneHot``'s ``dtype`` is the op's argument, not the
    layer's dtype setting."""
    x = keras.Input((3,), dtype="int32")
    y = ops.cast(x, "float32") + ops.one_hot(x, 4, dtype="float32")[..., 1]
    model = keras.Model(x, y)
    model.save(str(tmp_path / "m.keras"))
    again = keras.models.load_model(str(tmp_path / "m.keras"))
    a = np.array([[0, 1, 2], [3, 1, 0]], "int32")
    np.testing.assert_array_equal(again.predict(a, verbose=0),
                                  a + (a == 1))
