"""Interop with real Keras files: golden files in tests/saving/golden.

The files were written by Keras 3.15 (jax backend) and tf.keras 2.21 with
``tests/saving/golden/make_golden.py``, each with an input and Keras's
prediction for it. Loaded here, predictions must match Keras's to 1e-5.
Files written here are read back by Keras 3 when it is importable (or when
``TORCHKERAS_KERAS_PYTHON`` names a Python that has it), optimizer state
included. The optimizer state's values are checked in
``test_optimizer_interop.py``.
"""

import json
import os
import subprocess
import textwrap
import zipfile

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import saving

DATA = os.path.join(os.path.dirname(__file__), "golden")
MODELS = ["dense", "conv", "bn", "bigru", "lstm"]


def data(name):
    return os.path.join(DATA, name)


def io(prefix, name):
    arrays = np.load(data(f"{prefix}_{name}_io.npz"))
    return arrays["x"], arrays["y"]


def assert_predicts(model, x, y):
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=0,
                               atol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_keras3_archive_loads_and_predicts(name):
    # With its Adam state (test_optimizer_interop.py checks the values).
    model = saving.load_model(data(f"keras3_{name}.keras"))
    x, y = io("keras3", name)
    assert_predicts(model, x, y)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    assert int(model.optimizer.iterations) == 2


@pytest.mark.parametrize("name", MODELS)
def test_keras3_weights_file_loads(name):
    model = saving.load_model(data(f"keras3_{name}.keras"), compile=False)
    twin = saving.clone_model(model)
    saving.load_weights(twin, data(f"keras3_{name}.weights.h5"))
    x, y = io("keras3", name)
    assert_predicts(twin, x, y)


@pytest.mark.parametrize("name", MODELS)
def test_tf_keras_h5_model_and_weights_load(name):
    model = saving.load_model(data(f"tfkeras_{name}.h5"))
    assert int(model.optimizer.iterations) == 2  # tf.keras's Adam state
    x, y = io("tfkeras", name)
    assert_predicts(model, x, y)
    twin = saving.clone_model(model)
    saving.load_weights(twin, data(f"tfkeras_{name}_weights.h5"))
    assert_predicts(twin, x, y)
    by_name = saving.clone_model(model)
    saving.load_weights(by_name, data(f"tfkeras_{name}_weights.h5"),
                        by_name=True)
    assert_predicts(by_name, x, y)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_cudnn_weights_convert(kind):
    layer = (keras.layers.GRU(4, reset_after=True) if kind == "gru"
             else keras.layers.LSTM(4))
    model = keras.Sequential([keras.Input((5, 3)), layer])
    saving.load_weights(model, data(f"tfkeras_cudnn_{kind}_weights.h5"))
    x, y = io("tfkeras", f"cudnn_{kind}")
    assert_predicts(model, x, y)


def test_cudnn_config_becomes_gru():
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {
            "batch_input_shape": [None, 5, 3], "dtype": "float32",
            "name": "in"}},
        {"class_name": "CuDNNGRU", "config": {
            "name": "cu", "units": 4, "return_sequences": False,
            "time_major": False, "trainable": True}}]}}
    model = saving.model_from_json(json.dumps(config))
    layer = model.get_layer("cu")
    assert type(layer).__name__ == "GRU"
    assert layer.reset_after and layer.units == 4
    saving.load_weights(model, data("tfkeras_cudnn_gru_weights.h5"))
    x, y = io("tfkeras", "cudnn_gru")
    assert_predicts(model, x, y)


def test_golden_files_are_keras_written():
    # Guard against regenerating the files with torchkeras by mistake.
    with zipfile.ZipFile(data("keras3_dense.keras")) as z:
        meta = json.loads(z.read("metadata.json"))
    assert meta["keras_version"].startswith("3.")
    assert "torchkeras_sha256" not in meta
    import h5py

    with h5py.File(data("tfkeras_dense.h5"), "r") as f:
        assert f.attrs["keras_version"].startswith("2.")


# ----------------------------------------------------------------------
# Files written here, read by Keras 3.

_CHECK = textwrap.dedent("""
    import sys, numpy as np, keras
    folder = sys.argv[1]
    for name in sys.argv[2:]:
        arrays = np.load(f"{folder}/{name}_io.npz")
        for suffix in (".keras", ".h5"):
            model = keras.models.load_model(f"{folder}/{name}{suffix}",
                                            compile=suffix == ".keras")
            np.testing.assert_allclose(
                model.predict(arrays["x"], verbose=0), arrays["y"],
                rtol=0, atol=1e-5)
            if suffix == ".keras":  # the compiled Adam's restored state
                np.savez(f"{folder}/{name}_keras_optimizer.npz",
                         *[np.asarray(v) for v in model.optimizer.variables])
        model.load_weights(f"{folder}/{name}.weights.h5")
        np.testing.assert_allclose(model.predict(arrays["x"], verbose=0),
                                   arrays["y"], rtol=0, atol=1e-5)
    print("ok")
""")


def _keras_runner():
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if python:
        return [python]
    try:
        import keras as real_keras  # noqa: F401
    except ImportError:
        pytest.skip("Keras 3 is not installed (set TORCHKERAS_KERAS_PYTHON "
                    "to a Python that has it to run this check)")
    import sys

    return [sys.executable]


def test_files_written_here_load_in_keras3(tmp_path):
    runner = _keras_runner()
    ours = {}
    for name in MODELS:
        model = saving.load_model(data(f"keras3_{name}.keras"))
        x, y = io("keras3", name)
        target = y.argmax(-1) if name == "dense" else y  # sparse labels
        model.fit(x, target, epochs=1, verbose=0)  # Adam state of our own
        model.set_weights([w * 0.9 for w in model.get_weights()])
        np.savez(tmp_path / f"{name}_io.npz", x=x,
                 y=model.predict(x, verbose=0))
        ours[name] = [v.value for v in model.optimizer.export_keras_variables(
            saving.optimizer_io.ModelLayout(model))]
        saving.save_model(model, str(tmp_path / f"{name}.keras"))
        saving.save_model(model, str(tmp_path / f"{name}.h5"))
        saving.save_weights(model, str(tmp_path / f"{name}.weights.h5"))
    script = tmp_path / "check.py"
    script.write_text(_CHECK)
    env = dict(os.environ, KERAS_BACKEND=os.environ.get("KERAS_BACKEND",
                                                        "jax"))
    result = subprocess.run(runner + [str(script), str(tmp_path)] + MODELS,
                            capture_output=True, text=True, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
    for name in MODELS:
        # Keras 3's ``optimizer.variables`` after loading are ours (Keras
        # order and layouts; its step counter is int32 under jax).
        saved = np.load(tmp_path / f"{name}_keras_optimizer.npz")
        theirs = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        assert len(theirs) == len(ours[name]), name
        assert int(theirs[0]) == 3
        for a, b in zip(ours[name], theirs):
            np.testing.assert_array_equal(a, b.astype(a.dtype), name)
