"""Hardening of ``.keras`` archives and JSON model configs (issue 15,
items 1, 4, 5 and 6).

References: the fuzz harness's verdicts (a clear ``SavingError`` naming
the file, or a load equal to the original); archives built here whose
headers lie or whose members are bombs, with the bytes ``zipfile``
actually inflated counted; the global state (name counters, random
generators, scopes) and a model's weights and optimizer slots before and
after each failing load; and, for safe mode, the same crafted entry loaded
with ``safe_mode=False`` (proving the entry really resolves to a Lambda).
"""

import io
import json
import os
import struct
import sys
import time
import tracemalloc
import warnings
import zipfile

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import saving
from torchkeras.backend import global_state
from torchkeras.layers.core import lambda_code
from torchkeras.saving import keras_archive
from torchkeras.saving import model_config
from torchkeras.utils import safe_mode as safe_mode_lib
from torchkeras.utils import serialization

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzing  # noqa: E402

layers = keras.layers
X = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(4, 3)
Y = np.linspace(0.5, -0.5, 8, dtype="float32").reshape(4, 2)


def _model(lam=False):
    inputs = keras.Input((3,), name="x")
    hidden = layers.Dense(4, name="d1")(inputs)
    hidden = hidden * 2.0
    if lam:
        hidden = layers.Lambda(lambda t: t * 3.0 + 1.0, name="sq")(hidden)
    return keras.Model(inputs, layers.Dense(2, name="d2")(hidden))


def _trained(lam=False):
    model = _model(lam)
    model.compile(optimizer="adam", loss="mse")
    model.train_on_batch(X, Y)
    return model


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write(path, members, compression=zipfile.ZIP_DEFLATED):
    """An archive of ``members`` (``[(name, bytes)]`` or a dict)."""
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of duplicates
        with zipfile.ZipFile(path, "w", compression) as z:
            for name, data in items:
                z.writestr(name, data)
    return str(path)


def _saved(tmp_path, lam=False):
    model = _trained(lam)
    path = str(tmp_path / "m.keras")
    model.save(path)
    return model, path


def _with_config(tmp_path, source, config, name="edited.keras"):
    """``source``'s archive with another config (and no digest for it, as
    Keras 3 writes archives)."""
    members = _members(source)
    metadata = json.loads(members["metadata.json"])
    metadata["torchkeras_sha256"].pop("config.json")
    members["metadata.json"] = json.dumps(metadata).encode()
    members["config.json"] = (config if isinstance(config, bytes)
                              else json.dumps(config).encode())
    return _write(tmp_path / name, members)


def _config(path):
    return json.loads(_members(path)["config.json"])


def _layer(config, name):
    return next(c for c in config["config"]["layers"]
                if c["config"].get("name") == name)


def _patch_directory(path, member, offset, fmt, value):
    """Overwrites a field of ``member``'s central directory record."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n, = struct.unpack("<H", data[at + 28:at + 30])
        if data[at + 46:at + 46 + n] == member.encode():
            data[at + offset:at + offset + struct.calcsize(fmt)] = \
                struct.pack(fmt, value)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise AssertionError(f"no {member} in the directory")
    with open(path, "wb") as f:
        f.write(bytes(data))


_FLAGS, _USIZE = 8, 24  # central directory field offsets


@pytest.fixture
def inflated(monkeypatch):
    """Counts the bytes ``zipfile`` decompresses, per member."""
    counts = {}
    read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = read(self, n)
        counts[self.name] = counts.get(self.name, 0) + len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return counts


def _names(error, path, *parts):
    message = str(error.value)
    assert os.path.basename(str(path)) in message, message
    for part in parts:
        assert part in message, message


# -- the fuzz harness --------------------------------------------------------

TARGETS = ["keras_target", "keras_config_target", "model_from_json_target"]


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_fuzzed_archives_and_configs_fail_clearly_or_load(target):
    # Each case: a clear error naming the file, or a load equal to the
    # original (for mutated configs: the file's weights, or a model whose
    # JSON rebuilds the same), within 5 s and the harness's memory limit.
    report = fuzzing.run(f"fuzz_targets_archive:{target}", cases=200,
                         seed=15, case_seconds=5.0)
    assert report.problems(5.0) == [], report.summary()
    assert len(report.results) == 200
    assert report.count("clear") > 100, report.summary()
    if target != "keras_target":  # digests stop every damaged archive
        assert report.count("ok") > 10, report.summary()


# -- item 1: archive members are bounded before they are decompressed -------

def test_config_bomb_is_refused_before_it_inflates(tmp_path, inflated):
    # The bomb, scaled down: a config.json that inflates to 24 MiB
    # from 24 KB. Refused from its declared size: not a byte inflated.
    _, source = _saved(tmp_path)
    bomb = b'{"class_name": "' + b" " * (24 << 20) + b'"}'
    path = _with_config(tmp_path, source, bomb)
    assert os.path.getsize(path) < 200_000
    inflated.clear()
    began = time.perf_counter()
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    assert time.perf_counter() - began < 2.0
    _names(info, path, "member 'config.json'", str(len(bomb)),
           str(model_config.MAX_CONFIG_BYTES))
    assert inflated.get("config.json", 0) == 0


def test_a_lying_size_cannot_inflate_past_it(tmp_path):
    # The header declares 1,000 bytes; the data inflates to 32 MiB.
    _, source = _saved(tmp_path)
    path = _with_config(tmp_path, source,
                        b'{"a": "' + b" " * (32 << 20) + b'"}')
    _patch_directory(path, "config.json", _USIZE, "<I", 1000)
    tracemalloc.start()
    try:
        with pytest.raises(saving.FileFormatError) as info:
            keras.models.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _names(info, path, "member 'config.json'")
    assert peak < 8 << 20


def test_compression_ratio_is_bounded(tmp_path, inflated):
    # 12 MiB is under the size limit, but no real config compresses
    # 1000:1; a JSON member that does is a bomb.
    _, source = _saved(tmp_path)
    path = _with_config(tmp_path, source,
                        b'{"a": "' + b" " * (12 << 20) + b'"}')
    inflated.clear()
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "member 'config.json'", "ratio above 200:1")
    assert inflated.get("config.json", 0) == 0


def test_a_declared_weights_size_beyond_deflate_is_refused(tmp_path,
                                                          inflated):
    _, source = _saved(tmp_path)
    path = _write(tmp_path / "w.keras", _members(source))
    _patch_directory(path, "model.weights.h5", _USIZE, "<I", 0xFFFFFFF0)
    inflated.clear()
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "member 'model.weights.h5'", str(0xFFFFFFF0))
    assert inflated.get("model.weights.h5", 0) == 0


def test_member_count_is_read_before_the_directory(tmp_path, monkeypatch):
    _, source = _saved(tmp_path)
    path = _write(tmp_path / "many.keras", _members(source))
    with open(path, "r+b") as f:
        data = f.read()
        at = data.rfind(b"PK\x05\x06")
        f.seek(at + 8)
        f.write(struct.pack("<HH", 60000, 60000))
    parsed = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents",
                        lambda self: parsed.append(1))
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "60000 members")
    assert parsed == []


@pytest.mark.parametrize("extra,problem", [
    ("../config.json", "not a plain relative path"),
    ("/etc/passwd", "not a plain relative path"),
    ("assets\\..\\x", "not a plain relative path"),
    ("C:config.json", "not a plain relative path"),
    ("config.json", "occurs more than once"),
])
def test_member_names_are_checked(tmp_path, extra, problem):
    _, source = _saved(tmp_path)
    members = list(_members(source).items()) + [(extra, b"{}")]
    path = _write(tmp_path / "names.keras", members)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, problem)


def test_encrypted_and_foreign_compression_members_are_refused(tmp_path):
    _, source = _saved(tmp_path)
    path = _write(tmp_path / "enc.keras", _members(source))
    _patch_directory(path, "config.json", _FLAGS, "<H", 0x1)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "member 'config.json' is encrypted")
    path = _write(tmp_path / "bz.keras", _members(source),
                  zipfile.ZIP_BZIP2)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "compression method 12")


def test_assets_members_as_keras_writes_them_still_load(tmp_path):
    model, source = _saved(tmp_path)
    members = dict(_members(source))
    members["assets/vocab.txt"] = b"a\nb\n"
    path = _write(tmp_path / "assets.keras", members,
                  zipfile.ZIP_STORED)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0),
                                  model.predict(X, verbose=0))


def _weights_with(source, extra):
    """``source``'s weights member with one more dataset."""
    data = _members(source)["model.weights.h5"]
    buffer = io.BytesIO(data)
    with h5py.File(buffer, "a") as f:
        extra(f)
    return buffer.getvalue()


def test_weights_member_is_bounded_by_what_the_model_needs(tmp_path,
                                                          inflated):
    # 32 MiB of zeros deflate under the ratio bound; the model needs
    # ~1.7 MB (its 4 variables, Adam's slots, HDF5's overhead).
    model, source = _saved(tmp_path)
    members = _members(source)
    members["model.weights.h5"] = _weights_with(
        source, lambda f: f.create_dataset(
            "pad", data=np.zeros(8 << 20, "float32")))
    members["metadata.json"] = b"{}"
    path = _write(tmp_path / "big.keras", members)
    bound = keras_archive.weights_bound(model)
    assert bound < 2 << 20
    inflated.clear()
    with pytest.raises(saving.FileFormatError) as info:
        keras_archive.load(path)
    _names(info, path, "member 'model.weights.h5'", str(bound))
    with pytest.raises(saving.FileFormatError):
        keras_archive.read(path, model, skip_mismatch=False)
    assert inflated.get("model.weights.h5", 0) == 0
    # Without the extra dataset the same bound loads the file.
    restored = keras_archive.load(source)
    np.testing.assert_array_equal(restored.predict(X, verbose=0),
                                  model.predict(X, verbose=0))
    for got, want in zip(_slots(restored), _slots(model)):
        np.testing.assert_array_equal(got, want)


def test_unwritten_dataset_declaring_a_gigabyte_is_never_read(tmp_path):
    # A chunked dataset never written takes no space in the file, but
    # reading it would allocate 1 GiB of fill values.
    _, source = _saved(tmp_path)
    members = _members(source)
    members["model.weights.h5"] = _weights_with(
        source, lambda f: f.create_dataset(
            "layers/dense/vars/2", shape=(2**28,), dtype="float32",
            chunks=(2**16,)))
    members["metadata.json"] = b"{}"
    path = _write(tmp_path / "fill.keras", members)
    assert os.path.getsize(path) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(saving.FileFormatError) as info:
            keras.models.load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _names(info, path, "model.weights.h5", "(268435456,)")
    assert peak < 64 << 20


@pytest.mark.parametrize("text_of,part", [
    (lambda units: "[" * 5000 + "]" * 5000, "nests deeper"),
    (lambda units: "[" * 150 + "]" * 150, "nesting deeper than 100"),
    (lambda units: json.dumps(list(range(1_000_001))),
     "a list of 1000001 items"),
    (lambda units: str(2**70), "does not fit 64 bits"),
])
def test_configs_are_bounded_before_anything_is_built(tmp_path, monkeypatch,
                                                      text_of, part):
    _, source = _saved(tmp_path)
    text = json.dumps(_config(source)).replace('"units": 4',
                                                '"units": "UNITS"')
    text = text.replace('"UNITS"', text_of(4))
    path = _with_config(tmp_path, source, text.encode())
    built = []
    monkeypatch.setattr(layers.Dense, "__init__",
                        lambda *a, **k: built.append(1))
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "config.json", part)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.model_from_json(text)
    _names(info, model_config.JSON_STRING, part)
    assert built == []


def test_a_shape_of_too_many_dimensions_is_refused(tmp_path):
    config = json.loads(_model().to_json())
    _layer(config, "x")["config"]["batch_shape"] = [None] + [1] * 100
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.model_from_json(json.dumps(config))
    _names(info, model_config.JSON_STRING, "101 dimensions",
           "config.layers[0].config.batch_shape")


@pytest.mark.parametrize("units", [2**31, 2**40])
def test_absurd_units_are_refused_before_allocation(tmp_path, units):
    # Dense(units=2**31) after 3 inputs asks for a 24 GiB kernel.
    _, source = _saved(tmp_path)
    config = _config(source)
    _layer(config, "d1")["config"]["units"] = units
    path = _with_config(tmp_path, source, config)
    began = time.perf_counter()
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, "'d1' (Dense)", f"(3, {units})")
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.model_from_json(json.dumps(config))
    _names(info, model_config.JSON_STRING, "'d1' (Dense)", str(units))
    assert time.perf_counter() - began < 5.0


def test_an_archive_bounds_the_rebuild_by_its_weights(tmp_path):
    # 2**24 units: 192 MiB of kernel, fine for model_from_json's generic
    # bound but not for an archive whose weights member holds 20 KB.
    _, source = _saved(tmp_path)
    config = _config(source)
    _layer(config, "d1")["config"]["units"] = 2**24
    path = _with_config(tmp_path, source, config)
    with pytest.raises(saving.FileFormatError) as info:
        keras_archive.load(path)
    _names(info, path, "'d1' (Dense)", "this file allows")


def test_the_weight_budget_is_sticky(tmp_path):
    # Code that catches the refusal and goes on (shape inference retries
    # on the CPU) is refused again; the rebuild fails as a whole.
    with pytest.raises(model_config.WeightBudgetError):
        with model_config.weight_budget(max_total_bytes=1 << 20):
            try:
                torch.zeros(1 << 20)
            except model_config.WeightBudgetError:
                pass
            torch.zeros(1)
    with model_config.weight_budget(max_total_bytes=1 << 20):
        torch.empty((1 << 20, 1 << 20), device="meta")  # shapes are free
        assert torch.ones(4, 4).sum() == 16


# -- item 5: safe mode checks the class that is really resolved -------------

def _lambda_entry(entry, how):
    """The Lambda entry ``sq`` re-spelled so that its class_name hides it.
    Returns the custom_objects the spelling needs."""
    if how == "class_name":
        return None
    if how == "registered_name":
        entry.update(class_name="Activation", registered_name="Lambda")
        return None
    if how == "module":
        entry.update(class_name="Activation", registered_name="Lambda",
                     module="keras.layers.core")
        return None
    if how == "custom_objects":
        entry.update(class_name="Innocent", registered_name=None)
        return {"Innocent": layers.Lambda}
    if how == "tf_keras2":
        inner = entry["config"]
        code = inner["function"]["config"]
        inner["function"] = [code["code"], code["defaults"],
                             code["closure"]]
        inner["function_type"] = "lambda"
        entry.update(class_name="Activation", registered_name="Lambda")
        return None
    raise AssertionError(how)


@pytest.fixture
def no_bytecode_loaded(monkeypatch):
    loaded = []
    real = lambda_code.load

    def spy(*args, **kwargs):
        loaded.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(lambda_code, "load", spy)
    return loaded


@pytest.mark.parametrize("how", ["class_name", "registered_name", "module",
                                 "custom_objects", "tf_keras2"])
def test_safe_mode_refuses_bytecode_whatever_names_the_class(
        tmp_path, no_bytecode_loaded, how):
    model, source = _saved(tmp_path, lam=True)
    config = _config(source)
    custom = _lambda_entry(_layer(config, "sq"), how)
    path = _with_config(tmp_path, source, config)
    with pytest.raises(saving.UnsafeFileError) as info:
        keras.models.load_model(path, custom_objects=custom)
    _names(info, path, "'sq'", "safe_mode=True")
    with pytest.raises(saving.UnsafeFileError) as info:
        keras.models.model_from_json(json.dumps(config))
    _names(info, model_config.JSON_STRING, "'sq'")
    assert no_bytecode_loaded == []
    # The same file outside safe mode builds the Lambda it hides, and
    # predicts what the saved model did: the refusal was not a lookup
    # failure.
    loaded = keras.models.load_model(path, custom_objects=custom,
                                     safe_mode=False)
    assert type(loaded.get_layer("sq")) is layers.Lambda
    assert no_bytecode_loaded
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               model.predict(X, verbose=0), rtol=1e-6)


def test_bytecode_outside_a_layer_entry_is_refused(tmp_path):
    # A stored lambda in the compile config (a loss) is refused as well.
    _, source = _saved(tmp_path, lam=True)
    config = _config(source)
    config["compile_config"]["loss"] = _layer(config, "sq")["config"][
        "function"]
    del config["config"]["layers"][3]  # the Lambda layer itself
    path = _with_config(tmp_path, source, config)
    with pytest.raises(saving.UnsafeFileError) as info:
        keras.models.load_model(path)
    _names(info, path, "compile_config.loss")


def test_deserialize_outside_a_file_is_checked_by_the_class():
    entry = json.loads(json.dumps(layers.serialize(
        layers.Lambda(lambda t: t + 1, name="inc"))))
    entry.update(class_name="Activation", registered_name="Lambda")
    with pytest.raises(ValueError, match="'inc'.*safe_mode=False"):
        layers.deserialize(entry)
    with safe_mode_lib.safe_mode_scope(False):
        layer = layers.deserialize(entry)
    assert layer(torch.ones(1)).tolist() == [2.0]


# -- item 4: a failed load leaves nothing behind ------------------------------

def _process_state():
    return {
        "counters": dict(global_state._NAME_COUNTERS),
        "torch_rng": torch.random.get_rng_state(),
        "numpy_rng": np.random.get_state()[1].copy(),
        "scope": getattr(serialization._SCOPE, "objects", None),
        "safe_mode": safe_mode_lib.in_safe_mode(),
        "registry": dict(serialization.get_custom_objects()),
    }


def _assert_same_state(after, before):
    assert after["counters"] == before["counters"]
    assert torch.equal(after["torch_rng"], before["torch_rng"])
    np.testing.assert_array_equal(after["numpy_rng"], before["numpy_rng"])
    for key in ("scope", "safe_mode", "registry"):
        assert after[key] == before[key], key


def _unnamed_then_broken(config):
    # An unnamed Dense takes a name from the global counters and draws its
    # kernel from the global generator before the bad entry fails.
    del _layer(config, "d1")["config"]["name"]
    config["config"]["layers"][-1]["class_name"] = "NoSuchLayer"


def _wrong_weights(config):
    _layer(config, "d2")["config"]["use_bias"] = False  # 1 variable, not 2


def test_failed_loads_leave_the_process_as_it_was(tmp_path):
    _, source = _saved(tmp_path)
    layers.Dense(1)  # a counter in use
    before = _process_state()
    # A successful load does draw from the generator (so the comparison
    # below can fail).
    keras_archive.load(source)
    assert not torch.equal(torch.random.get_rng_state(),
                           before["torch_rng"])
    torch.random.set_rng_state(before["torch_rng"])
    for edit, load in [(_unnamed_then_broken, keras.models.load_model),
                       (_unnamed_then_broken, keras_archive.load),
                       (_wrong_weights, keras_archive.load)]:
        config = _config(source)
        edit(config)
        path = _with_config(tmp_path, source, config)
        with pytest.raises(saving.SavingError) as info:
            load(path)
        _names(info, path)
        _assert_same_state(_process_state(), before)


def _slots(model):
    return [v.detach().cpu().numpy().copy() for v in model.optimizer.variables]


@pytest.mark.parametrize("damage", ["truncated", "bomb", "weights_mismatch",
                                    "encrypted"])
def test_load_weights_from_a_bad_archive_changes_nothing(tmp_path, damage):
    _, source = _saved(tmp_path)
    model = _trained()
    model.train_on_batch(X, Y)
    weights, slots = model.get_weights(), _slots(model)
    path = str(tmp_path / "bad.keras")
    if damage == "truncated":
        with open(source, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2])
    elif damage == "bomb":
        _with_config(tmp_path, source,
                     b'{"a": "' + b" " * (20 << 20) + b'"}', "bad.keras")
    elif damage == "weights_mismatch":
        other = keras.Sequential([keras.Input((3,)), layers.Dense(7)])
        other.save(path)
    else:
        _write(path, _members(source))
        _patch_directory(path, "model.weights.h5", _FLAGS, "<H", 0x1)
    with pytest.raises(saving.SavingError) as info:
        model.load_weights(path)
    _names(info, path)
    for got, want in zip(model.get_weights() + _slots(model),
                         weights + slots):
        np.testing.assert_array_equal(got, want)


# -- item 6: every failure is a FileFormatError naming the file and part ----

def _entries(config):
    return config["config"]["layers"]


MALFORMED = {
    # the TypeError for a non-string class name
    "class_name_int": (lambda c: _entries(c)[1].update(class_name=5),
                       "config.layers[1]"),
    "class_name_list": (lambda c: _entries(c)[1].update(
        class_name=["Dense"]), "config.layers[1]"),
    "registered_name_int": (lambda c: _entries(c)[1].update(
        registered_name=7), "registered_name"),
    # the AttributeError: 'list' object has no attribute 'get'
    "layer_is_list": (lambda c: _entries(c).__setitem__(1, [1, 2]),
                      "AttributeError"),
    "layer_config_list": (lambda c: _entries(c)[1].update(config=[1]),
                          "'Dense'"),
    "layers_dict": (lambda c: c["config"].update(layers={"a": 1}),
                    "AttributeError"),
    "inbound_nodes_str": (lambda c: _entries(c)[1].update(
        inbound_nodes="x"), "TypeError"),
    "initializer_class_int": (lambda c: _entries(c)[1]["config"].update(
        kernel_initializer={"class_name": 3, "config": {}}),
        "kernel_initializer"),
    "name_list": (lambda c: _entries(c)[1]["config"].update(name=[1]),
                  "'Dense'"),
    "batch_shape_huge": (lambda c: _entries(c)[0]["config"].update(
        batch_shape=[None, 2**40]), "'d1' (Dense)"),
    "output_layers_unknown": (lambda c: c["config"].update(
        output_layers=[["zz", 0, 0]]), "KeyError"),
    "missing_config": (lambda c: c.pop("config"), "'config'"),
    "top_level_list": (lambda c: [c], "should be a dict"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_configs_are_clear_errors(tmp_path, name):
    edit, part = MALFORMED[name]
    _, source = _saved(tmp_path)
    config = _config(source)
    config = edit(config) or config
    path = _with_config(tmp_path, source, config)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, part)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.model_from_json(json.dumps(config))
    _names(info, model_config.JSON_STRING, part)


def test_a_damaged_compile_config_loads_uncompiled_with_a_warning(tmp_path):
    model, source = _saved(tmp_path)
    config = _config(source)
    config["compile_config"] = [1, 2]
    path = _with_config(tmp_path, source, config)
    with pytest.warns(UserWarning, match="not compiled"):
        loaded = keras.models.load_model(path)
    assert os.path.basename(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0),
                                  model.predict(X, verbose=0))


def _corrupt_deflate(path):
    """Flips bytes inside config.json's compressed data (zlib.error or a
    CRC mismatch from zipfile)."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("config.json")
    with open(path, "r+b") as f:
        start = info.header_offset + 30 + len(info.filename) + len(
            info.extra)
        f.seek(start + info.compress_size // 2)
        f.write(b"\xff\x00\xff\x00\xff\x00")


@pytest.mark.parametrize("damage,part", [
    ("deflate", "member 'config.json' cannot be read"),
    ("truncated", "not a valid zip archive"),
    ("metadata_list", "member 'metadata.json'"),
    ("digests_list", "torchkeras_sha256"),
    ("config_not_utf8", "member 'config.json' is not valid JSON"),
    ("weights_not_hdf5", "member 'model.weights.h5' is not an HDF5"),
    ("no_config", "no 'config.json'"),
])
def test_damaged_archives_are_clear_errors(tmp_path, damage, part):
    _, source = _saved(tmp_path)
    members = _members(source)
    path = str(tmp_path / "damaged.keras")
    if damage == "deflate":
        _write(path, members)
        _corrupt_deflate(path)
    elif damage == "truncated":
        with open(source, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:-30])
    else:
        if damage == "metadata_list":
            members["metadata.json"] = b"[1, 2]"
        elif damage == "digests_list":
            members["metadata.json"] = b'{"torchkeras_sha256": [1]}'
        elif damage == "config_not_utf8":
            members["metadata.json"] = b"{}"
            members["config.json"] = b'{"a": "\xff\xfe"}'
        elif damage == "weights_not_hdf5":
            members["metadata.json"] = b"{}"
            members["model.weights.h5"] = b"PK\x03\x04 not hdf5"
        elif damage == "no_config":
            del members["config.json"]
        _write(path, members)
    with pytest.raises(saving.FileFormatError) as info:
        keras.models.load_model(path)
    _names(info, path, part)


def test_model_from_json_refuses_what_is_not_json():
    for value in ("{", b"\xff\xfe", 42, None, "[" * 3000 + "]" * 3000):
        with pytest.raises(saving.FileFormatError) as info:
            keras.models.model_from_json(value)
        _names(info, model_config.JSON_STRING)


def test_a_failed_model_folder_load_leaves_the_process_as_it_was(tmp_path):
    # A model folder (export_saved_model) is loaded as an archive is: the
    # same last steps, under the same restore-on-failure guard.
    model, _ = _saved(tmp_path)
    folder = tmp_path / "folder"
    saving.export_saved_model(model, str(folder))
    config = json.loads((folder / "config.json").read_text())
    _unnamed_then_broken(config)
    (folder / "config.json").write_text(json.dumps(config))
    layers.Dense(1)  # a counter in use
    before = _process_state()
    with pytest.raises(saving.SavingError) as info:
        keras.models.load_model(str(folder))
    _names(info, folder)
    _assert_same_state(_process_state(), before)
