"""Bad files: malformed, corrupted, foreign, unsafe; and crashes mid-save.

Every malformed file must raise a ``torchkeras.saving.SavingError`` whose
message names the file, leave the model's weights exactly as they were,
and run no code. Single-byte flips in weight data of files written here
must all be detected. A writer killed with SIGKILL at random moments must
leave the previous file loadable.
"""

import json
import os
import random
import signal
import struct
import time
import zipfile

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import saving

layers = keras.layers


def build(units=4, extra=False, seed_value=None):
    inp = keras.Input((3,), name="x")
    h = layers.Dense(units, name="d1")(inp)
    h = layers.BatchNormalization(name="bn")(h)
    if extra:
        h = layers.Dense(units, name="d_extra")(h)
    model = keras.Model(inp, layers.Dense(2, name="d2")(h))
    if seed_value is not None:
        model.set_weights([np.full(w.shape, seed_value, w.dtype)
                           for w in model.get_weights()])
    return model


def write(model, path, how="weights"):
    if how == "weights":
        saving.save_weights(model, str(path))
    else:
        saving.save_model(model, str(path))
    return str(path)


@pytest.fixture
def source_files(tmp_path):
    """Valid files of every format, written from one model."""
    model = build(seed_value=0.5)
    files = {}
    for suffix in (".weights.h5", ".h5", ".safetensors"):
        files[suffix] = write(model, tmp_path / f"good{suffix}")
    files[".keras"] = write(model, tmp_path / "good.keras", "model")
    files["model.h5"] = write(model, tmp_path / "good_model.h5", "model")
    return files


def _copy(src, dst, data=None):
    with open(src, "rb") as f:
        content = f.read()
    with open(dst, "wb") as f:
        f.write(content if data is None else data(content))
    return str(dst)


def _truncate(size_fn):
    return lambda content: content[:size_fn(len(content))]


def _safetensors(header, data=b""):
    blob = json.dumps(header).encode()
    return struct.pack("<Q", len(blob)) + blob + data


def _foreign_h5(path):
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=np.zeros((3, 3)))
        f.attrs["creator"] = "not keras"
    return str(path)


CASES = []


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


# Truncations of each format at several offsets.
for _suffix in (".weights.h5", ".h5", ".safetensors", ".keras"):
    for _label, _size in (("empty", lambda n: 0), ("8b", lambda n: 8),
                          ("100b", lambda n: 100),
                          ("quarter", lambda n: n // 4),
                          ("half", lambda n: n // 2),
                          ("minus64", lambda n: n - 64)):
        def _make(tmp, files, s=_suffix, size=_size):
            return _copy(files[s], tmp / f"trunc{s}", _truncate(size)), s
        case(f"truncated{_suffix}-{_label}")(_make)

for _suffix in (".weights.h5", ".h5", ".safetensors", ".keras"):
    def _zeros(tmp, files, s=_suffix):
        return _copy(files[s], tmp / f"zeros{s}",
                     lambda c: bytes(len(c))), s
    case(f"zero-filled{_suffix}")(_zeros)

    def _magic(tmp, files, s=_suffix):
        return _copy(files[s], tmp / f"magic{s}",
                     lambda c: b"GIF89a" + c[6:]), s
    case(f"wrong-magic{_suffix}")(_magic)


@case("foreign-hdf5.weights.h5")
def _foreign_v3(tmp, files):
    return _foreign_h5(tmp / "foreign.weights.h5"), ".weights.h5"


@case("foreign-hdf5.h5")
def _foreign_v2(tmp, files):
    return _foreign_h5(tmp / "foreign.h5"), ".h5"


@case("zip-named.h5")
def _zip_as_h5(tmp, files):
    return _copy(files[".keras"], tmp / "archive.h5"), ".h5"


@case("h5-named.safetensors")
def _h5_as_st(tmp, files):
    return _copy(files[".h5"], tmp / "weights.safetensors"), ".safetensors"


@case("safetensors-named.weights.h5")
def _st_as_h5(tmp, files):
    return _copy(files[".safetensors"], tmp / "w.weights.h5"), ".weights.h5"


@case("text-file.keras")
def _text_keras(tmp, files):
    path = tmp / "notes.keras"
    path.write_text("just some text, not a model\n")
    return str(path), ".keras"


@case("safetensors-header-larger-than-file")
def _st_big_header(tmp, files):
    path = tmp / "lie.safetensors"
    path.write_bytes(struct.pack("<Q", 10_000) + b"{}")
    return str(path), ".safetensors"


@case("safetensors-huge-header")
def _st_huge(tmp, files):
    path = tmp / "huge.safetensors"
    path.write_bytes(struct.pack("<Q", 2**40) + b"{}" + bytes(64))
    return str(path), ".safetensors"


def _st_entry(dtype="F32", shape=(3, 4), offsets=(0, 48)):
    return {"dtype": dtype, "shape": list(shape),
            "data_offsets": list(offsets)}


for _label, _entry, _size in (
        ("offsets-past-end", _st_entry(offsets=(0, 4800)), 48),
        ("offsets-reversed", _st_entry(offsets=(48, 0)), 48),
        ("size-lies-about-shape", _st_entry(shape=(30, 4)), 48),
        ("unknown-dtype", _st_entry(dtype="Q7"), 48),
        ("negative-shape", _st_entry(shape=(-3, 4)), 48),
        ("gap-in-data", _st_entry(), 96)):
    def _make_st(tmp, files, e=_entry, n=_size, label=_label):
        path = tmp / f"{label}.safetensors"
        path.write_bytes(_safetensors({"d1/kernel": e}, bytes(n)))
        return str(path), ".safetensors"
    case(f"safetensors-{_label}")(_make_st)


@case("safetensors-overlapping-tensors")
def _st_overlap(tmp, files):
    path = tmp / "overlap.safetensors"
    path.write_bytes(_safetensors({
        "d1/kernel": _st_entry(),
        "d1/bias": _st_entry(shape=(4,), offsets=(0, 16))}, bytes(48)))
    return str(path), ".safetensors"


@case("safetensors-header-not-json")
def _st_not_json(tmp, files):
    path = tmp / "nojson.safetensors"
    blob = b"{not json at all"
    path.write_bytes(struct.pack("<Q", len(blob)) + blob)
    return str(path), ".safetensors"


for _suffix in (".weights.h5", ".h5", ".safetensors"):
    def _missing(tmp, files, s=_suffix):
        return write(build(seed_value=1.0), tmp / f"small{s}"), s
    # the model under test has an extra layer: missing from the file
    case(f"missing-layer{_suffix}")(_missing)

    def _extra(tmp, files, s=_suffix):
        return write(build(extra=True, seed_value=1.0),
                     tmp / f"big{s}"), s
    case(f"extra-layer{_suffix}")(_extra)

    def _shape(tmp, files, s=_suffix):
        return write(build(units=5, seed_value=1.0),
                     tmp / f"shape{s}"), s
    case(f"shape-mismatch{_suffix}")(_shape)


@case("archive-without-config")
def _no_config(tmp, files):
    path = tmp / "noconfig.keras"
    with zipfile.ZipFile(files[".keras"]) as src, zipfile.ZipFile(
            path, "w") as dst:
        dst.writestr("model.weights.h5", src.read("model.weights.h5"))
    return str(path), "load_model"


@case("archive-config-not-json")
def _bad_json(tmp, files):
    path = tmp / "badjson.keras"
    with zipfile.ZipFile(files[".keras"]) as src, zipfile.ZipFile(
            path, "w") as dst:
        dst.writestr("config.json", "{broken")
        dst.writestr("model.weights.h5", src.read("model.weights.h5"))
    return str(path), "load_model"


def _archive_with_config(tmp, files, name, mutate):
    path = tmp / name
    with zipfile.ZipFile(files[".keras"]) as src, zipfile.ZipFile(
            path, "w") as dst:
        config = json.loads(src.read("config.json"))
        mutate(config)
        dst.writestr("config.json", json.dumps(config))
        dst.writestr("model.weights.h5", src.read("model.weights.h5"))
    return str(path)


@case("config-unknown-class")
def _unknown_class(tmp, files):
    def mutate(config):
        config["config"]["layers"][1]["class_name"] = "NoSuchLayer"
    return _archive_with_config(tmp, files, "unknown.keras",
                                mutate), "load_model"


@case("config-unknown-module-function")
def _unknown_module(tmp, files):
    # A config naming os.system must neither import nor call it.
    def mutate(config):
        config["config"]["layers"][1].update(
            module="os", class_name="system", registered_name="system")
        config["config"]["layers"][1]["config"] = {
            "command": f"touch {tmp}/pwned"}
    return _archive_with_config(tmp, files, "os.keras",
                                mutate), "load_model"


@case("h5-model-config-unknown-class")
def _h5_unknown(tmp, files):
    path = _copy(files["model.h5"], tmp / "unknown_model.h5")
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][1]["class_name"] = "Evil"
        f.attrs["model_config"] = json.dumps(config)
    return path, "load_model"


@case("weights-only-h5-to-load_model")
def _weights_to_load_model(tmp, files):
    return files[".h5"], "load_model"


def _double(x):
    return x * 2


def _lambda_model():
    inp = keras.Input((3,))
    out = layers.Lambda(_double, name="doubler")(layers.Dense(2)(inp))
    return keras.Model(inp, out)


@case("lambda-safe-mode.keras")
def _lambda_keras(tmp, files):
    return write(_lambda_model(), tmp / "lambda.keras",
                 "model"), "load_model"


@case("lambda-safe-mode.h5")
def _lambda_h5(tmp, files):
    return write(_lambda_model(), tmp / "lambda_model.h5",
                 "model"), "load_model"


def test_there_are_at_least_40_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_malformed_file_raises_and_changes_nothing(tmp_path, source_files,
                                                   name, make):
    path, how = make(tmp_path, source_files)
    model = build(extra=name.startswith("missing-layer"))
    before = model.get_weights()
    with pytest.raises(saving.SavingError) as info:
        if how == "load_model":
            saving.load_model(path)
        else:
            saving.load_weights(model, path)
    assert path in str(info.value) or os.path.basename(path) in str(
        info.value)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(tmp_path / "pwned")


def test_lambda_with_named_function_needs_it_in_custom_objects(tmp_path):
    """A named function is stored by name, so (as in Keras 3) safe mode
    allows it, and the message says how to provide it."""
    path = write(_lambda_model(), tmp_path / "m.keras", "model")
    with pytest.raises(saving.FileFormatError,
                       match=r"custom_objects=\{'_double': fn\}"):
        saving.load_model(path)
    model = saving.load_model(path, custom_objects={"_double": _double})
    x = np.ones((2, 3), "float32")
    dense = model.layers[1]
    expected = 2 * (x @ dense.get_weights()[0] + dense.get_weights()[1])
    np.testing.assert_allclose(model.predict(x, verbose=0), expected,
                               rtol=1e-6)


def test_shape_mismatch_message_names_layer_weight_and_shapes(tmp_path):
    path = write(build(units=5), tmp_path / "w.weights.h5")
    with pytest.raises(saving.WeightMismatchError) as info:
        saving.load_weights(build(units=4), path)
    message = str(info.value)
    for part in ("'d1'", "kernel", "(3, 4)", "(3, 5)", path):
        assert part in message


def _data_spans_h5(path):
    spans = []
    with h5py.File(path, "r") as f:
        def visit(_, obj):
            if isinstance(obj, h5py.Dataset) and obj.size:
                offset = obj.id.get_offset()
                if offset is not None:
                    spans.append((offset, obj.id.get_storage_size()))
        f.visititems(visit)
    return spans


def _data_spans_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return [(8 + n + e["data_offsets"][0],
             e["data_offsets"][1] - e["data_offsets"][0])
            for e in header.values() if e["data_offsets"][1] > 0]


def test_100_byte_flips_in_weight_data_are_detected(tmp_path):
    model = build()
    rng = random.Random(0)
    flips = 0
    for suffix, spans_of in ((".weights.h5", _data_spans_h5),
                             (".h5", _data_spans_h5),
                             (".safetensors", _data_spans_safetensors),
                             ("", None)):
        path = write(build(seed_value=0.25), tmp_path / f"src{suffix}")
        data_file = path + ".data-00000-of-00001" if suffix == "" else path
        spans = (spans_of or _data_spans_safetensors)(data_file)
        with open(data_file, "rb") as f:
            original = f.read()
        for _ in range(25):
            offset, size = rng.choice(spans)
            position = offset + rng.randrange(size)
            corrupt = bytearray(original)
            corrupt[position] ^= 1 << rng.randrange(8)
            with open(data_file, "wb") as f:
                f.write(bytes(corrupt))
            before = model.get_weights()
            with pytest.raises(saving.IntegrityError, match="checksum"):
                saving.load_weights(model, path)
            for a, b in zip(before, model.get_weights()):
                np.testing.assert_array_equal(a, b)
            flips += 1
        with open(data_file, "wb") as f:
            f.write(original)
    assert flips == 100


def test_byte_flip_in_keras_archive_is_detected(tmp_path):
    path = write(build(), tmp_path / "m.keras", "model")
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    weights = bytearray(members["model.weights.h5"])
    offset, size = _data_spans_h5_bytes(weights)
    weights[offset + size // 2] ^= 0x10
    members["model.weights.h5"] = bytes(weights)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(saving.IntegrityError, match="model.weights.h5"):
        saving.load_model(path)


def _data_spans_h5_bytes(content):
    import io

    with h5py.File(io.BytesIO(bytes(content)), "r") as f:
        dataset = f["layers/dense/vars/0"] if "layers/dense" in f else None
        found = []
        f.visititems(lambda n, o: found.append(o) if isinstance(
            o, h5py.Dataset) and o.size > 4 else None)
        dataset = dataset or found[0]
        return dataset.id.get_offset(), dataset.id.get_storage_size()


def _writer_child(path, suffix):
    """Saves forever, each time with every weight set to a new constant."""
    model = build()
    k = 1.0
    while True:
        with torch.no_grad():
            for w in model.weights:
                w.fill_(k)
        if suffix == ".keras":
            saving.save_model(model, path)
        else:
            saving.save_weights(model, path)
        k += 1.0


def _load_constant(path, suffix):
    if suffix == ".keras":
        weights = saving.load_model(path).get_weights()
    else:
        model = build()
        saving.load_weights(model, path)
        weights = model.get_weights()
    values = {float(v) for w in weights for v in np.ravel(w)}
    assert len(values) == 1, values  # one complete version, not a mix
    return values.pop()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_sigkill_mid_save_leaves_previous_file_loadable(tmp_path):
    rng = random.Random(0)
    suffixes = [".weights.h5", ".h5", ".safetensors", ".keras", ""]
    paths = {}
    for s in suffixes:
        paths[s] = str(tmp_path / f"target{s}")
        model = build(seed_value=0.0)
        write(model, paths[s], "model" if s == ".keras" else "weights")
    for i in range(50):
        suffix = suffixes[i % len(suffixes)]
        pid = os.fork()
        if pid == 0:  # the writer
            try:
                _writer_child(paths[suffix], suffix)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.015))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        value = _load_constant(paths[suffix], suffix)
        assert value == int(value) >= 0
