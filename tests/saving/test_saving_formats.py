"""File layouts, legacy spellings and options, checked against Keras.

Layouts are compared with the golden files Keras itself wrote (see
tests/saving/golden/make_golden.py), read with plain h5py: an independent
reference.
"""

import json
import os
import pickle

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import saving
from torchkeras.saving import h5_keras2

layers = keras.layers
DATA = os.path.join(os.path.dirname(__file__), "golden")


def h5_tree(path):
    """{name: shape or None (group)} of an HDF5 file."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(
            name, obj.shape if isinstance(obj, h5py.Dataset) else None))
    return out


def golden_architecture(name):
    return saving.load_model(os.path.join(DATA, f"keras3_{name}.keras"),
                             compile=False)


@pytest.mark.parametrize("name", ["dense", "conv", "bn", "bigru", "lstm"])
def test_weights_h5_layout_matches_keras3(tmp_path, name):
    model = golden_architecture(name)
    path = str(tmp_path / "ours.weights.h5")
    saving.save_weights(model, path)
    theirs = {k: v for k, v in h5_tree(os.path.join(
        DATA, f"keras3_{name}.weights.h5")).items()
        if not k.startswith("optimizer")}
    assert h5_tree(path) == theirs
    with h5py.File(path, "r") as f:
        # The layer's name is an attribute; each dataset has a checksum.
        assert f["vars"].attrs["name"] == model.name
        first = f[[k for k, v in theirs.items() if v is not None][0]]
        digest = first.attrs["torchkeras_sha256"]
        assert digest.startswith("2:") and len(digest) == 66


@pytest.mark.parametrize("name", ["dense", "conv", "bn", "bigru", "lstm"])
def test_h5_layout_matches_tf_keras(tmp_path, name):
    """Same layers, weight counts and shapes (in order) as tf.keras wrote."""
    model = golden_architecture(name)
    path = str(tmp_path / "ours.h5")
    saving.save_weights(model, path)

    def summary(file):
        with h5py.File(file, "r") as f:
            names = h5_keras2.load_attributes(f, "layer_names")
            out = []
            for layer in names:
                weight_names = h5_keras2.load_attributes(f[layer],
                                                         "weight_names")
                out.append([f[layer][w].shape for w in weight_names])
                assert all(w.endswith(":0") for w in weight_names)
            return [shapes for shapes in out if shapes]

    tf_file = os.path.join(DATA, f"tfkeras_{name}_weights.h5")
    assert summary(path) == summary(tf_file)


def test_h5_weight_names_are_scoped_and_trainable_first(tmp_path):
    inp = keras.Input((3, 2))
    bidir = layers.Bidirectional(layers.GRU(2), name="bi")
    h = bidir(inp)
    bn = layers.BatchNormalization(name="bn")
    model = keras.Model(inp, bn(h))
    path = str(tmp_path / "w.h5")
    saving.save_weights(model, path)
    with h5py.File(path, "r") as f:
        bi_names = h5_keras2.load_attributes(f["bi"], "weight_names")
        bn_names = h5_keras2.load_attributes(f["bn"], "weight_names")
    assert len(set(bi_names)) == 6  # forward and backward cells distinct
    assert all(n.startswith("bi/") for n in bi_names)
    assert [n.split("/")[-1] for n in bn_names] == [
        "gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"]


def test_attributes_past_64kb_are_chunked(tmp_path):
    names = [f"layer_{i:04d}_" + "x" * 300 for i in range(400)]
    path = tmp_path / "attrs.h5"
    with h5py.File(path, "w") as f:
        h5_keras2.save_attributes(f, "layer_names", names)
    with h5py.File(path, "r") as f:
        keys = sorted(f.attrs)
        assert "layer_names" not in keys and "layer_names0" in keys
        assert all(f.attrs[k].nbytes <= 64512 for k in keys)
        # tf.keras's reader: concatenate name0, name1, ... until missing.
        joined = []
        i = 0
        while f"layer_names{i}" in f.attrs:
            joined += [n.decode() for n in f.attrs[f"layer_names{i}"]]
            i += 1
    assert joined == names


def test_many_long_layer_names_round_trip(tmp_path):
    model = keras.Sequential(
        [keras.Input((2,))]
        + [layers.Dense(2, name=f"dense_{i:02d}_" + "n" * 6000)
           for i in range(12)])
    path = str(tmp_path / "long.h5")
    saving.save_weights(model, path)
    with h5py.File(path, "r") as f:
        assert "layer_names1" in f.attrs
    twin = saving.clone_model(model)
    saving.load_weights(twin, path)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_by_name_skip_mismatch(tmp_path):
    def make(units):
        inp = keras.Input((3,))
        h = layers.Dense(4, name="keep")(inp)
        return keras.Model(inp, layers.Dense(units, name="head")(h))

    source = make(2)
    path = str(tmp_path / "w.h5")
    saving.save_weights(source, path)
    target = make(5)
    head_before = target.get_layer("head").get_weights()
    with pytest.raises(saving.WeightMismatchError, match="head"):
        saving.load_weights(target, path, by_name=True)
    with pytest.warns(UserWarning, match="head"):
        saving.load_weights(target, path, by_name=True, skip_mismatch=True)
    for a, b in zip(target.get_layer("keep").get_weights(),
                    source.get_layer("keep").get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(target.get_layer("head").get_weights(), head_before):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="by_name"):
        saving.load_weights(target, path, skip_mismatch=True)


class _Twin(layers.Layer):
    """Two sublayers that share a name: their weights clash by name."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.a = layers.Dense(2, name="same")
        self.b = layers.Dense(2, name="same")

    def call(self, x):
        return self.a(x) + self.b(x)


def test_duplicate_weight_names_refused_or_unambiguous(tmp_path):
    inp = keras.Input((2,))
    model = keras.Model(inp, _Twin(name="twin")(inp))
    names = [w.name for w in model.weights]
    assert names[0] == names[2]  # printed by `for i, w in enumerate(...)`
    for suffix in (".h5", ".safetensors"):
        with pytest.raises(ValueError, match="weights 0 and 2"):
            saving.save_weights(model, str(tmp_path / f"w{suffix}"))
        assert not os.path.exists(tmp_path / f"w{suffix}")
    # Positional formats store them unambiguously.
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(model, path)
    twin = saving.clone_model(model)
    saving.load_weights(twin, path)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


LEGACY_CONFIG = {"class_name": "Sequential", "config": {
    "name": "legacy", "layers": [
        {"class_name": "Embedding", "config": {
            "name": "emb", "input_dim": 10, "output_dim": 3,
            "batch_input_shape": [None, 4], "input_length": 4,
            "quantization_config": None}},
        {"class_name": "LSTM", "config": {
            "name": "lstm", "units": 2, "time_major": False,
            "implementation": 2, "return_sequences": True}},
        {"class_name": "GRU", "config": {
            "name": "gru", "units": 2, "time_major": False,
            "reset_after": True, "return_sequences": True}},
        {"class_name": "Reshape", "config": {
            "name": "reshape", "target_shape": [4, 2, 1]}},
        {"class_name": "DepthwiseConv2D", "config": {
            "name": "dw", "kernel_size": [1, 1], "groups": 1}},
    ]}}


def test_removed_keywords_are_accepted():
    model = saving.model_from_json(json.dumps(LEGACY_CONFIG))
    assert model.get_layer("lstm").units == 2
    assert model.output_shape == (None, 4, 2, 1)


def test_unknown_keyword_still_raises():
    bad = json.loads(json.dumps(LEGACY_CONFIG))
    bad["config"]["layers"][1]["config"]["bogus"] = 1
    with pytest.raises(saving.FileFormatError, match="bogus"):
        saving.model_from_json(json.dumps(bad))


def test_subclassed_h5_model_refused(tmp_path):
    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

    model = Sub()
    model.build((None, 3))
    with pytest.raises(NotImplementedError, match="functional or Sequential"):
        saving.save_model(model, str(tmp_path / "m.h5"))


def test_overwrite_false(tmp_path):
    inp = keras.Input((2,))
    model = keras.Model(inp, layers.Dense(1)(inp))
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(model, path)
    with pytest.raises(FileExistsError, match="overwrite"):
        saving.save_weights(model, path, overwrite=False)


def test_unbuilt_model_cannot_save_weights(tmp_path):
    model = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not built"):
        saving.save_weights(model, str(tmp_path / "w.weights.h5"))


def test_no_pickle_on_any_default_path(tmp_path, monkeypatch):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Dense(2)(layers.BatchNormalization()(
        inp)))
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"),
              verbose=0)
    paths = {}
    for suffix in (".weights.h5", ".h5", ".safetensors", ""):
        paths[suffix] = str(tmp_path / f"w{suffix}")
        saving.save_weights(model, paths[suffix])
    for suffix in (".keras", ".h5"):
        saving.save_model(model, str(tmp_path / f"m{suffix}"))

    def forbidden(*args, **kwargs):
        raise AssertionError("unpickling attempted")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    for path in paths.values():
        saving.load_weights(model, path)
    for suffix in (".keras", ".h5"):
        saving.load_model(str(tmp_path / f"m{suffix}"))


def test_onnx_needs_onnx(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Dense(2)(inp))
    try:
        import onnx  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install onnx"):
            saving.export(model, str(tmp_path / "m.onnx"), format="onnx")
        return
    saving.export(model, str(tmp_path / "m.onnx"), format="onnx")
    assert os.path.getsize(tmp_path / "m.onnx") > 0


def test_keras_archive_members(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Dense(2)(inp))
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"),
              verbose=0)
    path = str(tmp_path / "m.keras")
    saving.save_model(model, path)
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json",
                                        "model.weights.h5"]
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
    assert config["class_name"] == "Functional"
    assert config["module"] == "keras.src.models.functional"
    layer = config["config"]["layers"][1]
    assert layer["module"] == "keras.layers"
    assert layer["inbound_nodes"][0]["args"][0]["class_name"] == (
        "__keras_tensor__")
    compile_config = config["compile_config"]
    assert compile_config["optimizer"]["class_name"] == "Adam"
    assert compile_config["loss"] == "mse"
    assert compile_config["metrics"] == ["mae"]
    assert set(meta["torchkeras_sha256"]) == {"config.json",
                                              "model.weights.h5"}


def test_load_weights_from_keras_archive(tmp_path):
    model = golden_architecture("bn")
    twin = saving.clone_model(model)
    saving.load_weights(twin, os.path.join(DATA, "keras3_bn.keras"))
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_deferred_load_checks_the_file_at_once(tmp_path):
    path = tmp_path / "bad.weights.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(40))
    model = keras.Sequential([layers.Dense(2)])
    with pytest.raises(saving.FileFormatError, match="bad.weights.h5"):
        saving.load_weights(model, str(path))
