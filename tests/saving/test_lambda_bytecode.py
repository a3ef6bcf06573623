"""Lambda layers holding a Python lambda, stored as Keras stores them.

Keras 3 writes the lambda's marshalled bytecode in base64 under
``{"class_name": "__lambda__", "config": {"code", "defaults",
"closure"}}``; tf.keras 2 wrote ``[code, defaults, closure]`` with
``function_type: "lambda"``. Loading either needs ``safe_mode=False`` (or
``keras.config.enable_unsafe_deserialization()``), the same Python version,
and predicts what the saved model predicted. References: the model's own
predictions before saving, a NumPy re-computation, and real Keras 3 (the
oracle venv named by ``TORCHKERAS_KERAS_PYTHON``) loading our files and
writing its own.
"""

import base64
import json
import marshal
import sys

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras import saving
from torchkeras.utils import safe_mode as safe_mode_lib

X = np.linspace(-1.0, 1.0, 8, dtype="float32").reshape(2, 4)
OURS = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _scaled(scale):
    # A closure, as real code makes one: the value lives in a cell.
    return layers.Lambda(lambda x: x * scale + 1.0, output_shape=(3,),
                         name="lam")


def _model():
    inputs = keras.Input((4,))
    hidden = layers.Dense(3, name="dense")(inputs)
    hidden = _scaled(2.5)(hidden)
    outputs = layers.Lambda(lambda t: t ** 2, name="sq")(hidden)
    return keras.Model(inputs, outputs)


def _expected(model):
    kernel, bias = model.get_layer("dense").get_weights()
    return ((X @ kernel + bias) * 2.5 + 1.0) ** 2


@pytest.fixture
def restore_safe_mode():
    yield
    safe_mode_lib._UNSAFE_EVERYWHERE[0] = False


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_round_trip_needs_safe_mode_false(tmp_path, suffix):
    model = _model()
    np.testing.assert_allclose(model.predict(X, verbose=0),
                               _expected(model), rtol=1e-6)
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    with pytest.raises(saving.UnsafeFileError) as info:
        keras.models.load_model(path)
    assert "'lam'" in str(info.value) and "safe_mode=False" in str(
        info.value)
    loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               _expected(model), rtol=1e-6)
    assert loaded.get_layer("lam").function.__closure__[0].cell_contents \
        == 2.5


def test_config_holds_keras_bytecode():
    fn = layers.Lambda(lambda t, k=3.0: t + k).get_config()["function"]
    assert fn["class_name"] == "__lambda__"
    code = marshal.loads(base64.b64decode(fn["config"]["code"]))
    assert code.co_varnames[:2] == ("t", "k")
    assert fn["config"]["defaults"] == [3.0]
    assert fn["config"]["closure"] is None
    assert fn["config"]["python_version"] == OURS


def test_enable_unsafe_deserialization(tmp_path, restore_safe_mode):
    model = _model()
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(saving.UnsafeFileError):
        keras.models.load_model(path)
    keras.config.enable_unsafe_deserialization()
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               _expected(model), rtol=1e-6)


def test_from_config_is_safe_by_default():
    config = layers.Lambda(lambda t: t + 1, name="plus_one").get_config()
    with pytest.raises(ValueError, match="'plus_one'.*safe_mode=False"):
        layers.Lambda.from_config(config)
    layer = layers.Lambda.from_config(config, safe_mode=False)
    assert layer(torch.ones(1)).tolist() == [2.0]


def _tf_keras2_entry(entry):
    """A Keras 3 style Lambda entry rewritten as tf.keras 2 wrote it."""
    config = dict(entry["config"])
    inner = config["function"]["config"]
    config["function"] = [inner["code"], inner["defaults"],
                          inner["closure"]]
    config["function_type"] = "lambda"
    config["module"] = "__main__"
    shape = config.get("output_shape")
    config["output_shape_type"] = "raw"
    config["output_shape_module"] = None
    config["output_shape"] = shape
    return dict(entry, config=config)


def test_tf_keras2_h5_lambda_loads(tmp_path):
    model = _model()
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        for i, entry in enumerate(config["config"]["layers"]):
            if entry["class_name"] == "Lambda":
                config["config"]["layers"][i] = _tf_keras2_entry(entry)
        f.attrs["model_config"] = json.dumps(config)
        # tf.keras 2 writes no digests of its configs.
        del f.attrs["torchkeras_config_sha256"]
    with pytest.raises(saving.UnsafeFileError, match="'lam'"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               _expected(model), rtol=1e-6)
    assert loaded.get_layer("lam").compute_output_shape((None, 3)) == (
        None, 3)


def test_other_python_version_is_a_clear_error(tmp_path):
    config = layers.Lambda(lambda t: t + 1, name="inc").get_config()
    config["function"]["config"]["python_version"] = "3.8"
    with pytest.raises(ValueError) as info:
        layers.Lambda.from_config(config, safe_mode=False)
    message = str(info.value)
    assert "'inc'" in message and "3.8" in message and OURS in message


def test_unreadable_bytecode_of_unknown_version(tmp_path):
    # tf.keras 2 files carry no Python version; foreign marshal data fails
    # with the versions named rather than running garbage.
    config = {"name": "old", "function": [
        base64.b64encode(b"\xe3\x00\x01\x02garbage").decode(), None, None],
        "function_type": "lambda", "module": "__main__",
        "output_shape": None, "output_shape_type": "raw",
        "output_shape_module": None, "arguments": {}}
    with pytest.raises(ValueError) as info:
        layers.Lambda.from_config(config, safe_mode=False)
    message = str(info.value)
    assert "'old'" in message and "unknown Python version" in message
    assert OURS in message


def test_lambda_without_code_is_a_clear_error(tmp_path):
    # A ``__lambda__`` entry whose ``code`` is gone is refused, naming the
    # file and the layer, rather than failing inside marshal.
    path = str(tmp_path / "m.h5")
    _model().save(path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        for entry in config["config"]["layers"]:
            if entry["config"]["name"] == "lam":
                del entry["config"]["function"]["config"]["code"]
        f.attrs["model_config"] = json.dumps(config)
        del f.attrs["torchkeras_config_sha256"]
    with pytest.raises(saving.FileFormatError,
                       match="'lam'.*Received: code=None") as info:
        keras.models.load_model(path, safe_mode=False)
    assert path in str(info.value)


def test_custom_objects_win_over_bytecode():
    config = layers.Lambda(lambda t: t + 1, name="inc").get_config()
    layer = layers.Lambda.from_config(
        config, custom_objects={"inc": lambda t: t * 10})
    assert layer(torch.ones(1)).tolist() == [10.0]


# ----------------------------------------------------------------------
# Real Keras 3.


@pytest.fixture
def same_python_keras(keras_oracle):
    """The Keras 3 oracle, when it runs our Python version (bytecode is
    version-specific, so another version cannot be compared)."""
    version = keras_oracle(
        "import sys; print(*sys.version_info[:2], sep='.')").strip()
    if version != OURS:
        pytest.skip(f"bytecode needs the same Python: the Keras Python is "
                    f"{version}, ours {OURS}")
    return keras_oracle


def test_keras3_loads_our_lambda_model(tmp_path, same_python_keras):
    model = _model()
    model.save(str(tmp_path / "ours.keras"))
    np.save(tmp_path / "x.npy", X)
    same_python_keras("""
        import numpy as np, keras
        try:
            keras.models.load_model("ours.keras")
            raise SystemExit("Keras loaded bytecode in safe mode")
        except ValueError:
            pass
        m = keras.models.load_model("ours.keras", safe_mode=False)
        np.save("y.npy", m.predict(np.load("x.npy"), verbose=0))
    """)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"),
                               model.predict(X, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_we_load_keras3_lambda_model(tmp_path, same_python_keras):
    np.save(tmp_path / "x.npy", X)
    same_python_keras("""
        import numpy as np, keras

        def scaled(s):
            return keras.layers.Lambda(lambda x: x * s - 0.5,
                                       output_shape=(3,), name="lam")

        inputs = keras.Input((4,))
        h = keras.layers.Dense(3)(inputs)
        outputs = keras.layers.Lambda(lambda t: t ** 2)(scaled(1.5)(h))
        m = keras.Model(inputs, outputs)
        m.save("theirs.keras")
        m.save("theirs.h5")
        np.save("y.npy", m.predict(np.load("x.npy"), verbose=0))
    """)
    expected = np.load(tmp_path / "y.npy")
    for name in ("theirs.keras", "theirs.h5"):
        path = str(tmp_path / name)
        with pytest.raises(saving.UnsafeFileError, match="'lam'"):
            keras.models.load_model(path)
        model = keras.models.load_model(path, safe_mode=False)
        np.testing.assert_allclose(model.predict(X, verbose=0), expected,
                                   rtol=1e-5, atol=1e-6)
