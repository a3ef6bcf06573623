"""Hardening of the tensor files: ``.safetensors`` weights and the native
checkpoint (issue 15, items 1, 3, 4, 6 and 7).

References: the fuzz harness's verdicts (a clear ``SavingError`` naming
the file, or a load equal to the original), the model's own weights and
optimizer slots before and after each failing load, hand-built headers
whose sizes lie, and the file modes ``open`` gives under a umask.
"""

import hashlib
import json
import os
import signal
import stat
import struct
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import saving
from torchkeras.saving import atomic
from torchkeras.saving import checkpoint
from torchkeras.saving import integrity
from torchkeras.saving import safetensors_io

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz_targets_tensors as targets  # noqa: E402
import fuzzing  # noqa: E402

layers = keras.layers
DATA = checkpoint.DATA_SUFFIX
X = np.linspace(-1.0, 1.0, 24, dtype="float32").reshape(8, 3)
Y = np.linspace(0.5, -0.5, 16, dtype="float32").reshape(8, 2)


def _model(units=3):
    inputs = keras.Input((3,), name="x")
    hidden = layers.Dense(units, name="d1")(inputs)
    return keras.Model(inputs, layers.Dense(2, name="d2")(hidden))


def _trained(optimizer="adam", units=3, seed=0):
    keras.utils.set_random_seed(seed)
    model = _model(units)
    if optimizer == "torch_sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(X, Y + seed, epochs=1, batch_size=4, verbose=0, shuffle=False)
    return model


def _header_of(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return n, json.loads(f.read(n)), f.read()


def _write_raw(path, header, data):
    blob = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob + data)
    return str(path)


def _assert_names_file(error, path):
    assert os.path.basename(str(path)) in str(error.value)


# -- the fuzz harness, per format ------------------------------------------

FORMATS = ["safetensors_target", "checkpoint_target",
           "checkpoint_torch_optimizer_target", "checkpoint_index_target"]


@pytest.mark.slow
@pytest.mark.parametrize("target", FORMATS)
def test_fuzzed_files_fail_clearly_or_load_equal(target):
    # Each case: a clear error naming the file (and, for checkpoints, the
    # model exactly as before), or a load equal to the original.
    report = fuzzing.run(f"fuzz_targets_tensors:{target}", cases=250,
                         seed=15, case_seconds=2.0)
    assert report.problems(2.0) == [], report.summary()
    assert len(report.results) == 250
    assert report.count("clear") > 150, report.summary()


# -- item 1: sizes are checked before anything is read or allocated --------

def _lying_file(tmp_path, shape, offsets, dtype="F32", data=b""):
    return _write_raw(tmp_path / "lie.safetensors", {
        "d1/kernel": {"dtype": dtype, "shape": shape,
                      "data_offsets": offsets}}, data)


@pytest.mark.parametrize("shape,offsets,dtype", [
    # 2**64 elements: an int64 product wraps to 0 and matched [0, 0].
    ([2**32, 2**32], [0, 0], "F32"),
    ([2**32, 2**32, 4], [0, 0], "F64"),
    ([2**30], [0, 2**32], "F32"),  # 4 GiB declared by a 100-byte file
    ([2**62, 2**62, 0], [0, 0], "F32"),  # empty, but NumPy cannot shape it
    ([1] * 40, [0, 4], "F32"),  # more dimensions than NumPy has
    ([-1, 4], [0, 16], "F32"),
    ([3.0, 4], [0, 48], "F32"),
])
def test_declared_sizes_are_checked_before_allocation(tmp_path, shape,
                                                      offsets, dtype):
    path = _lying_file(tmp_path, shape, offsets, dtype, bytes(4))
    model = _model()
    before = model.get_weights()
    tracemalloc.start()
    try:
        with pytest.raises(saving.FileFormatError,
                           match="tensor 'd1/kernel'") as info:
            model.load_weights(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _assert_names_file(info, path)
    assert peak < 2**20
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_shapes_are_checked_before_tensor_data_is_read(tmp_path,
                                                            monkeypatch):
    path = str(tmp_path / "w.safetensors")
    _model(units=5).save_weights(path)

    def no_reads(*args):
        raise AssertionError("tensor data was read")

    monkeypatch.setattr(safetensors_io, "_read_tensor", no_reads)
    with pytest.raises(saving.WeightMismatchError,
                       match=r"'d1/kernel' has shape \(3, 5\).*\(3, 3\)"):
        safetensors_io.load_weights(_model(units=3), path)
    prefix = str(tmp_path / "ckpt")
    _trained(units=5).save_weights(prefix)
    with pytest.raises(saving.WeightMismatchError, match="model/layers"):
        checkpoint.read(prefix, _trained(units=3))


def _finishes(fn, fifos, seconds=10):
    """``fn()``'s exception, failing the test if it blocks (then the
    FIFOs are opened for writing, which unblocks it)."""
    outcome = []

    def run():
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the outcome is checked
            outcome.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in fifos:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        pytest.fail("reading a FIFO blocked")
    return outcome[0] if outcome else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_being_opened(tmp_path):
    # (``saving.load_weights`` of a '.safetensors' FIFO still blocks in
    # ``file_format.sniff``, which runs before ``safetensors_io.read``.)
    fifo = str(tmp_path / "w.safetensors")
    os.mkfifo(fifo)
    error = _finishes(lambda: safetensors_io.read(fifo), [fifo])
    assert isinstance(error, saving.FileFormatError), error
    assert "not a regular file" in str(error)
    for suffix in (DATA, checkpoint.INDEX_SUFFIX):
        prefix = str(tmp_path / f"ckpt{suffix[1:4]}")
        _model().save_weights(prefix)
        os.remove(prefix + suffix)
        os.mkfifo(prefix + suffix)
        error = _finishes(lambda: _model().load_weights(prefix),
                          [prefix + suffix])
        assert isinstance(error, saving.FileFormatError), error
        assert suffix in str(error) and "not a regular file" in str(error)


# -- item 3: digests bound to the tensor's place ---------------------------

def _swap(path, first, second, fix_header_digest):
    """Exchanges two same-shape tensors' bytes *and* their digests, as a
    tool that moves whole entries would; optionally also recomputes the
    header digest, so only the per-tensor binding can notice."""
    n, header, data = _header_of(path)
    a, b = header[first], header[second]
    a["data_offsets"], b["data_offsets"] = b["data_offsets"], a[
        "data_offsets"]
    meta = header["__metadata__"]
    sums = json.loads(meta[safetensors_io.CHECKSUMS])
    sums[first], sums[second] = sums[second], sums[first]
    meta[safetensors_io.CHECKSUMS] = json.dumps(sums, sort_keys=True)
    if fix_header_digest:
        meta[safetensors_io.HEADER_CHECKSUM] = safetensors_io._header_digest(
            header)
    return _write_raw(path, header, data)


def _keras_slot_keys(model, weight_index):
    """The checkpoint keys of Adam's momentum and velocity of one weight
    (the optimizer's ``variables`` order: iteration, learning rate, then
    momentum/velocity pairs per weight)."""
    first = 2 + 2 * weight_index
    return f"optimizer/{first}", f"optimizer/{first + 1}"


@pytest.mark.parametrize("fix_header_digest", [False, True])
def test_exchanged_adam_slots_are_detected(tmp_path, fix_header_digest):
    source = _trained()
    prefix = str(tmp_path / "ckpt")
    source.save_weights(prefix)
    m, v = _keras_slot_keys(source, 0)
    opt = source.optimizer
    assert opt.variables[2].shape == opt.variables[3].shape
    _swap(prefix + DATA, m, v, fix_header_digest)
    fresh = _trained(seed=1)
    before = targets.model_state(fresh)
    with pytest.raises(saving.IntegrityError,
                       match=f"weight '({m}|{v})'") as info:
        fresh.load_weights(prefix)
    _assert_names_file(info, prefix + DATA)
    targets.assert_same_state(targets.model_state(fresh), before, "after")


def test_exchanged_dense_kernels_are_detected(tmp_path):
    inputs = keras.Input((3,))
    h = layers.Dense(3, name="a")(inputs)
    model = keras.Model(inputs, layers.Dense(3, name="b")(h))
    path = str(tmp_path / "w.safetensors")
    model.save_weights(path)
    _swap(path, "a/kernel", "b/kernel", fix_header_digest=True)
    with pytest.raises(saving.IntegrityError, match="'(a|b)/kernel'"):
        model.load_weights(path)


def _unbound_digest(array):
    """A digest of dtype, shape and bytes only (not bound to the tensor's
    key), as torchkeras wrote before its first release."""
    array = np.ascontiguousarray(array)
    h = hashlib.sha256()
    h.update(array.dtype.str.encode("ascii"))
    h.update(repr(tuple(array.shape)).encode("ascii"))
    h.update(array.tobytes())
    return h.hexdigest()


def _unmarked_file(path, tensors, metadata):
    """A file marked as torchkeras's by its ``format`` whose digests are
    unbound, with no integrity marker and no header digest."""
    header, chunks, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    meta = dict(metadata)
    meta[safetensors_io.CHECKSUMS] = json.dumps(
        {k: _unbound_digest(a) for k, a in tensors.items()}, sort_keys=True)
    header["__metadata__"] = meta
    return _write_raw(path, header, b"".join(chunks))


def test_files_without_bound_digests_are_refused(tmp_path):
    source = _trained()
    tensors = {k: np.asarray(v, dtype="float32")
               for k, v in safetensors_io.weight_tensors("w", source).items()}
    path = _unmarked_file(tmp_path / "old.safetensors", tensors,
                          {"format": "torchkeras-weights", "layout": "keras"})
    fresh = _model()
    before = fresh.get_weights()
    with pytest.raises(saving.IntegrityError,
                       match="'torchkeras_integrity'.*Received: none") as info:
        fresh.load_weights(path)
    _assert_names_file(info, path)
    for a, b in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    # A checkpoint whose data file is written so.
    prefix = str(tmp_path / "old_ckpt")
    source.save_weights(prefix)
    stored, meta = checkpoint.read(prefix)
    _unmarked_file(prefix + DATA, {k: v.astype("float32") for k, v in
                                   stored.items()}, meta)
    fresh = _trained(seed=1)
    before = targets.model_state(fresh)
    with pytest.raises(saving.IntegrityError,
                       match="'torchkeras_integrity'") as info:
        fresh.load_weights(prefix)
    _assert_names_file(info, prefix + DATA)
    targets.assert_same_state(targets.model_state(fresh), before, "refused")


def _damage(path, old, new):
    with open(path, "rb") as f:
        content = f.read()
    assert content.count(old) >= 1, old
    with open(path, "wb") as f:
        f.write(content.replace(old, new, 1))


def _flip_data_bit(path, tensor):
    n, header, _ = _header_of(path)
    begin = header[tensor]["data_offsets"][0]
    with open(path, "r+b") as f:
        f.seek(8 + n + begin + 3)
        byte = f.read(1)[0]
        f.seek(8 + n + begin + 3)
        f.write(bytes([byte ^ 0x80]))  # the sign of a float32


@pytest.mark.parametrize("old,new", [
    # Fuzz case 224 (seed 1): the checksum key was damaged, so the file
    # looked like a foreign one without digests and loaded unchecked.
    (b'"torchkeras_sha256"', b'"tor#hkeras_sha256"'),
    # the digest's own entry for the damaged tensor
    (b'\\"d2/kernel\\"', b'\\"`2/kernel\\"'),
    # the version marker
    (b'"torchkeras_integrity"', b'"torchkeras_integritz"'),
    (b'"torchkeras_header_sha256"', b'"torchkeras_header_sha25&"'),
    (b'"format":"torchkeras-weights"', b'"format":"torchkeras-weightz"'),
])
def test_damaged_markers_do_not_disable_the_digests(tmp_path, old, new):
    path = str(tmp_path / "w.safetensors")
    _model().save_weights(path)
    _damage(path, old, new)
    _flip_data_bit(path, "d2/kernel")
    fresh = _model()
    before = fresh.get_weights()
    with pytest.raises(saving.IntegrityError) as info:
        fresh.load_weights(path)
    _assert_names_file(info, path)
    for a, b in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_every_single_bit_flip_fails_or_reads_the_same(tmp_path):
    # Exhaustive over a small weights file: every bit of it, header,
    # padding and data.
    source = str(tmp_path / "w.safetensors")
    inputs = keras.Input((2,))
    keras.Model(inputs, layers.Dense(2, name="d")(inputs)).save_weights(
        source)
    with open(source, "rb") as f:
        good = f.read()
    want, want_meta = safetensors_io.read(source)
    path = str(tmp_path / "flip.safetensors")
    loaded_equal = 0
    for position in range(len(good)):
        for bit in range(8):
            corrupt = bytearray(good)
            corrupt[position] ^= 1 << bit
            with open(path, "wb") as f:
                f.write(corrupt)
            try:
                got, meta = safetensors_io.read(path)
            except saving.SavingError as e:
                assert "flip.safetensors" in str(e)
                continue
            assert meta == want_meta, (position, bit)
            assert got.keys() == want.keys(), (position, bit)
            for k in want:
                np.testing.assert_array_equal(got[k], want[k])
            loaded_equal += 1
    assert loaded_equal < len(good)  # only harmless flips (JSON escapes)


# -- item 4: the native checkpoint validates everything first --------------

def _rewritten(prefix, change):
    """The checkpoint at ``prefix`` rewritten, with valid digests, after
    ``change(tensors, meta)``: only the content checks can refuse it."""
    tensors, meta = checkpoint.read(prefix)
    change(tensors, meta)
    safetensors_io.write(prefix + DATA, tensors, meta)
    return prefix


def _set(key, value):
    def change(tensors, meta):
        meta[key] = value
    return change


def _drop(key):
    def change(tensors, meta):
        del tensors[key]
    return change


def _reshape(key, shape):
    def change(tensors, meta):
        tensors[key] = np.zeros(shape, tensors[key].dtype)
    return change


KERAS_CASES = [
    ("epoch-not-integer", _set("epoch", "1.5"), saving.FileFormatError,
     "'epoch'"),
    ("epoch-negative", _set("epoch", "-1"), saving.FileFormatError,
     "'epoch'"),
    ("optimizer-kind", _set("optimizer", "adamw"), saving.FileFormatError,
     "'optimizer'"),
    ("optimizer-index-gap", _drop("optimizer/3"), saving.FileFormatError,
     "optimizer/"),
    ("optimizer-slot-shape", _reshape("optimizer/2", (3, 4)),
     saving.WeightMismatchError, "optimizer"),
    ("iteration-not-whole", _reshape("optimizer/0", (2,)),
     saving.SavingError, "optimizer/0"),
    ("last-weight-shape", _reshape("model/layers/dense_1/bias", (3,)),
     saving.WeightMismatchError, "dense_1"),
    ("format", _set("format", "torchkeras-checkpoint-v9"),
     saving.FileFormatError, "not a torchkeras checkpoint"),
]


def _load_and_compare(tmp_path, source, fresh, change, error, match):
    prefix = str(tmp_path / "ckpt")
    source.save_weights(prefix)
    _rewritten(prefix, change)
    before = targets.model_state(fresh)
    with pytest.raises(error, match=match) as info:
        fresh.load_weights(prefix)
    _assert_names_file(info, prefix)
    targets.assert_same_state(targets.model_state(fresh), before,
                              "after a failed load")


@pytest.mark.parametrize("name,change,error,match", KERAS_CASES,
                         ids=[c[0] for c in KERAS_CASES])
def test_failed_checkpoint_load_changes_nothing(tmp_path, name, change,
                                               error, match):
    _load_and_compare(tmp_path, _trained(), _trained(seed=1), change,
                      error, match)


def _two_groups(tensors, meta):
    groups = json.loads(meta["optimizer_groups"])
    params = groups[0]["params"]
    groups = [dict(groups[0], params=params[:2]),
              dict(groups[0], params=params[2:])]
    meta["optimizer_groups"] = json.dumps(groups)


TORCH_CASES = [
    ("groups-differ", _two_groups, saving.WeightMismatchError,
     "parameter groups"),
    ("groups-not-json", _set("optimizer_groups", '[{"params": [0'),
     saving.FileFormatError, "'optimizer_groups'"),
    ("groups-deep", _set("optimizer_groups", "[" * 100000),
     saving.FileFormatError, "'optimizer_groups'"),
    ("plain-state-not-object", _set("optimizer_plain_state", "[]"),
     saving.FileFormatError, "'optimizer_plain_state'"),
    ("slot-shape", _reshape("torch_optimizer/0/momentum_buffer", (4, 3)),
     saving.WeightMismatchError, "torch_optimizer/0/momentum_buffer"),
    ("control-valid-rewrite", lambda tensors, meta: None, None, None),
]


@pytest.mark.parametrize("name,change,error,match", TORCH_CASES,
                         ids=[c[0] for c in TORCH_CASES])
def test_failed_torch_optimizer_load_changes_nothing(tmp_path, name, change,
                                                    error, match):
    if error is None:  # the control: a valid rewrite loads
        source = _trained("torch_sgd")
        prefix = str(tmp_path / "ckpt")
        source.save_weights(prefix)
        _rewritten(prefix, change)
        fresh = _trained("torch_sgd", seed=1)
        fresh.load_weights(prefix)
        targets.assert_same_state(targets.model_state(fresh),
                                  targets.model_state(source), "loaded")
        return
    _load_and_compare(tmp_path, _trained("torch_sgd"),
                      _trained("torch_sgd", seed=1), change, error, match)


def test_optimizer_of_another_kind_changes_nothing(tmp_path):
    # Adam's state (2 slots per weight) into a model compiled with SGD
    # with momentum (1 slot per weight).
    _load_and_compare(
        tmp_path, _trained(), _trained(keras.optimizers.SGD(momentum=0.9)),
        lambda tensors, meta: None, saving.WeightMismatchError,
        "does not fit optimizer|optimizer/")


# -- item 6: every failure is a SavingError naming the file and the part ---

HOSTILE_HEADERS = [
    ("deep-json", b"[" * 200000, "not valid JSON"),
    ("not-utf8", b'{"\xff\xfe": 1}', "not valid JSON"),
    ("duplicate-key", b'{"a": {"dtype": "F32", "shape": [1], '
                      b'"data_offsets": [0, 4]}, "a": {"dtype": "F32", '
                      b'"shape": [1], "data_offsets": [0, 4]}}',
     "duplicate key 'a'"),
    ("giant-integer", b'{"a": {"dtype": "F32", "shape": [1' + b"0" * 5000
     + b'], "data_offsets": [0, 4]}}', "not valid JSON"),
    ("metadata-not-string", b'{"__metadata__": {"epoch": 1}}',
     "metadata 'epoch' is not a string"),
    ("dtype-not-string", b'{"a": {"dtype": ["F32"], "shape": [1], '
                         b'"data_offsets": [0, 4]}}', "tensor 'a'"),
    ("array-header", b"[]", "not a JSON object"),
]


@pytest.mark.parametrize("name,blob,match", HOSTILE_HEADERS,
                         ids=[h[0] for h in HOSTILE_HEADERS])
def test_hostile_headers_are_file_format_errors(tmp_path, name, blob,
                                                match):
    path = tmp_path / "h.safetensors"
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + bytes(4))
    with pytest.raises(saving.FileFormatError, match=match) as info:
        _model().load_weights(str(path))
    _assert_names_file(info, path)


@pytest.mark.parametrize("content", [
    b"[" * 100000, b"\xff\xfe\x00", b'{"format": "torchkeras-checkpoint-v2"'
    + b" " * (2 * 1024 * 1024) + b"}"])
def test_hostile_checkpoint_index_is_a_file_format_error(tmp_path, content):
    prefix = str(tmp_path / "ckpt")
    _trained().save_weights(prefix)
    with open(prefix + checkpoint.INDEX_SUFFIX, "wb") as f:
        f.write(content)
    with pytest.raises(saving.FileFormatError, match="ckpt.index"):
        _model().load_weights(prefix)


def test_a_header_damaged_after_writing_is_an_integrity_error(tmp_path):
    # The epoch, a metadata value, is covered by the header digest.
    prefix = str(tmp_path / "ckpt")
    _trained().save_weights(prefix)
    _damage(prefix + DATA, b'"epoch":"1"', b'"epoch":"7"')
    with pytest.raises(saving.IntegrityError, match="for the header"):
        checkpoint.read_epoch(prefix)


# -- item 7: file modes and stale temporaries ------------------------------

def _with_umask(mask, fn):
    old = os.umask(mask)
    try:
        return fn()
    finally:
        os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("suffix", [".safetensors", ".weights.h5", ""])
def test_saves_respect_the_umask_and_keep_an_existing_mode(tmp_path, suffix):
    model = _trained()
    path = str(tmp_path / f"w{suffix}")
    written = path + DATA if suffix == "" else path
    _with_umask(0o022, lambda: model.save_weights(path))
    assert _mode(written) == 0o644
    if suffix == "":
        assert _mode(path + checkpoint.INDEX_SUFFIX) == 0o644
    os.chmod(written, 0o640)
    _with_umask(0o022, lambda: model.save_weights(path))
    assert _mode(written) == 0o640
    os.remove(written)
    _with_umask(0o077, lambda: model.save_weights(path))
    assert _mode(written) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_atomic_folder_respects_the_umask(tmp_path):
    target = str(tmp_path / "folder")

    def save():
        with atomic.atomic_folder(target) as tmp:
            with open(os.path.join(tmp, "f"), "w") as f:
                f.write("x")

    _with_umask(0o027, save)
    assert _mode(target) == 0o750


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_killed_save_leaves_a_temporary_the_next_save_removes(tmp_path):
    path = str(tmp_path / "w.safetensors")
    pid = os.fork()
    if pid == 0:  # a writer killed in the middle of its file
        try:
            with atomic.atomic_file(path) as tmp:
                with open(tmp, "wb") as f:
                    f.write(b"half a file")
                os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    left = [n for n in os.listdir(tmp_path) if ".tmp-" in n]
    assert len(left) == 1 and str(pid) in left[0]
    leftover = str(tmp_path / left[0])
    model = _model()
    model.save_weights(path)  # within the grace: kept
    assert os.path.exists(leftover)
    _age(leftover, atomic.DEAD_WRITER_SECONDS + 5)
    model.save_weights(path)
    assert sorted(os.listdir(tmp_path)) == ["w.safetensors"]


def test_live_or_foreign_temporaries_are_kept(tmp_path):
    path = str(tmp_path / "w.safetensors")
    host = atomic._host_tag()
    names = {
        # this process is alive: another thread's save in progress
        "live": f".w.safetensors.tmp-{host}-{os.getpid()}-0123abcd",
        # another host's writer: only its age can tell
        "other-host": ".w.safetensors.tmp-ffffffff-999999999-0123abcd",
        # another destination's temporary
        "other-file": f".v.safetensors.tmp-{host}-999999999-0123abcd",
        # an earlier version's name (no pid), recent
        "legacy-new": ".w.safetensors.tmp-x1y2z3w4",
        # an earlier version's name, untouched for an hour: stale
        "legacy-old": ".w.safetensors.tmp-a1b2c3d4",
        # another host's writer untouched for an hour: stale
        "other-host-old": ".w.safetensors.tmp-ffffffff-999999999-4567abcd",
    }
    for key, name in names.items():
        (tmp_path / name).write_bytes(b"partial")
        _age(str(tmp_path / name), 3600 if key.endswith("-old")
             else atomic.DEAD_WRITER_SECONDS + 5)
    _model().save_weights(path)
    kept = set(os.listdir(tmp_path))
    for key, name in names.items():
        assert (name in kept) == (not key.endswith("-old")), key


def test_digest_binds_key_dtype_shape_and_bytes():
    a = np.arange(6, dtype="float32").reshape(2, 3)
    base = integrity.bound_digest("k", a)
    assert base.startswith("2:")
    expected = hashlib.sha256(
        json.dumps(["torchkeras-tensor", 2, "k", "float32", [2, 3]]).encode()
        + b"\n" + a.astype("<f4").tobytes()).hexdigest()
    assert base == "2:" + expected
    for other in (integrity.bound_digest("j", a),
                  integrity.bound_digest("k", a.astype("float64")),
                  integrity.bound_digest("k", a.reshape(3, 2)),
                  integrity.bound_digest("k", a + 1)):
        assert other != base
    integrity.verify("f", "k", a, base)
    with pytest.raises(saving.IntegrityError, match="weight 'j'"):
        integrity.verify("f", "j", a, base)
