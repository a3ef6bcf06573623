"""The Keras 3 ``.keras`` archive: ``model.save`` / ``models.load_model``.

A zip holding ``metadata.json`` (Keras version, date, and our SHA-256 of
each member), ``config.json`` (``model_config.serialize_model``: class,
config, build and compile configs) and ``model.weights.h5`` (the Keras 3
weights layout with the optimizer's variables, ``h5_keras3``). Keras 3
reads these archives and we read Keras 3's. Members are read by their fixed
names and never extracted to a path they name (the weights go to a fixed
name in a new temporary folder), so a crafted member path cannot write
anywhere.

An archive is untrusted input, and a small one can claim or inflate to
gigabytes, so before a member is decompressed:

- the archive's member count is read from its end record and bounded
  (``MAX_MEMBERS``) before ``zipfile`` parses the directory;
- every member is checked: no encryption, a compression method Keras
  writes (stored or deflate), a plain relative name (no ``..``, absolute
  path, backslash or NUL) that occurs once, a declared size within the
  limit of its kind (``MAX_JSON_BYTES``; the weights member by the
  model's expected shapes, ``weights_bound``) and a compression ratio
  that deflate can produce (``MAX_RATIO``);
- a member is then read in chunks, counting, so a header that lies about
  the size cannot inflate it past the bound; the weights member goes to a
  temporary file, where ``file_format`` validates its HDF5 structure (no
  links, declared sizes the file holds, in a worker with a deadline)
  before ``h5_keras3`` reads it, checking declared shapes against the
  model's first.

Every failure is a ``FileFormatError`` naming the file and the member.
``load`` reads in the order the bounds need: the config, the model it
builds (its allocations bounded by what the weights member can hold), then
the weights (bounded by what the model needs).
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib

import h5py

from torchkeras.saving import deferred
from torchkeras.saving import file_format
from torchkeras.saving import h5_keras3
from torchkeras.saving import model_config
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import IntegrityError

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
KERAS_VERSION = "3.5.0"

# Bounds checked before anything is decompressed.
MAX_MEMBERS = 10_000
MAX_JSON_BYTES = {CONFIG: model_config.MAX_CONFIG_BYTES,
                  METADATA: 1 << 20}
# Without a model to measure (``read`` for a model not built yet).
MAX_WEIGHTS_BYTES = 1 << 36
# Deflate cannot compress better than about 1032:1; a member claiming more
# lies about its size. JSON this large compresses far less.
MAX_RATIO = 1100
MAX_JSON_RATIO = 200
# Sizes under this are not held to a ratio (tiny members compress well).
RATIO_FLOOR = 1 << 16
# What ``weights_bound`` allows on top of the model's own bytes: HDF5's
# groups and attributes per variable and per file, and a wider dtype in
# the file (float64 for float32 variables).
H5_BYTES_PER_VARIABLE = 16 << 10
H5_BYTES_PER_FILE = 1 << 20
DTYPE_SLACK = 2
# Optimizer slots a variable may have in the file (Adam with amsgrad and
# EMA: m, v, v_hat, average).
OPTIMIZER_SLOTS = 4
# What a rebuild may allocate per byte the weights member holds (a file
# may store weights narrower than the model's, int8 for float32), plus a
# floor for buffers a model makes without saving them.
REBUILD_BYTES_PER_WEIGHT_BYTE = 4
REBUILD_FLOOR = 64 << 20
_CHUNK = 1 << 20
_SAFE_NAME = re.compile(r"[^\x00-\x1f\\:]+")


def _weights_bytes(model, include_optimizer):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        h5_keras3.write_group(f, model, include_optimizer)
    return buffer.getvalue()


def save(model, filepath, include_optimizer=True):
    """Writes the archive at ``filepath`` (callers make it atomic)."""
    entry = model_config.serialize_model(model,
                                         include_compile=include_optimizer)
    config = json.dumps(entry).encode("utf8")
    weights = _weights_bytes(model, include_optimizer)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "torchkeras_sha256": {
            CONFIG: hashlib.sha256(config).hexdigest(),
            WEIGHTS: hashlib.sha256(weights).hexdigest(),
        },
    }
    with zipfile.ZipFile(filepath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(METADATA, json.dumps(metadata))
        z.writestr(CONFIG, config)
        z.writestr(WEIGHTS, weights)


# ----------------------------------------------------------------------
# Opening and checking the archive.

# What zipfile and zlib raise on damaged archives and members.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError,
               ValueError, NotImplementedError, RuntimeError, struct.error,
               OverflowError, KeyError, IndexError)


def _member_count(filepath):
    """The entry count of the archive's end record (zip64 included), or
    None when there is none (``zipfile`` then reports the damage)."""
    with open(filepath, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - (22 + 0xFFFF)))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        count = struct.unpack("<H", tail[at + 10:at + 12])[0]
        locator = tail[at - 20:at] if at >= 20 else b""
        if count == 0xFFFF and locator[:4] == b"PK\x06\x07":
            offset = struct.unpack("<Q", locator[8:16])[0]
            if offset + 56 > size:
                return None
            f.seek(offset)
            record = f.read(56)
            if record[:4] == b"PK\x06\x06":
                count = struct.unpack("<Q", record[32:40])[0]
        return count


def _open(filepath):
    file_format.expect(filepath, "zip", "a '.keras' zip archive")
    count = _member_count(filepath)
    if count is not None and count > MAX_MEMBERS:
        raise FileFormatError(
            filepath, f"the archive declares {count} members, more than the "
            f"{MAX_MEMBERS} a Keras model archive may have.")
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except _ZIP_ERRORS as e:
        raise FileFormatError(
            filepath, f"not a valid zip archive (truncated or corrupt): "
            f"{type(e).__name__}: {e}"
        ) from None
    try:
        _check_members(filepath, archive)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_name(filepath, info):
    name = info.orig_filename
    parts = name.split("/")
    if (not _SAFE_NAME.fullmatch(name) or name.startswith("/")
            or ".." in parts):
        raise FileFormatError(
            filepath, f"member name {name[:100]!r} is not a plain relative "
            "path (absolute, '..', a backslash, a drive or a control "
            "character): refused.")


def _check_members(filepath, archive):
    """Every member: its name, encryption, method (see the module)."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise FileFormatError(
            filepath, f"the archive holds {len(infos)} members, more than "
            f"the {MAX_MEMBERS} a Keras model archive may have.")
    seen = set()
    for info in infos:
        _check_name(filepath, info)
        if info.filename in seen:
            raise FileFormatError(
                filepath, f"member '{info.filename}' occurs more than once "
                "(a second copy could shadow the first): refused.")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise FileFormatError(
                filepath, f"member '{info.filename}' is encrypted; Keras "
                "archives are not: refused.")
        if info.compress_type not in (zipfile.ZIP_STORED,
                                      zipfile.ZIP_DEFLATED):
            raise FileFormatError(
                filepath, f"member '{info.filename}' uses compression method "
                f"{info.compress_type}; Keras archives are stored or "
                "deflated.")
        if info.compress_type == zipfile.ZIP_STORED and (
                info.file_size != info.compress_size):
            raise FileFormatError(
                filepath, f"member '{info.filename}' is stored (not "
                f"compressed) but declares {info.file_size} bytes in "
                f"{info.compress_size}: its header is corrupt.")


def _info(filepath, archive, name, limit):
    """The member's ``ZipInfo``, its declared sizes checked (see the
    module) against ``limit`` bytes."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise FileFormatError(
            filepath,
            f"the archive has no '{name}' (members: "
            f"{archive.namelist()[:10]}). Not a Keras model archive."
        ) from None
    if info.file_size > limit:
        raise FileFormatError(
            filepath, f"member '{name}' declares {info.file_size} bytes "
            f"uncompressed, more than the {limit} it may have.")
    ratio = MAX_JSON_RATIO if name in MAX_JSON_BYTES else MAX_RATIO
    if info.file_size > max(RATIO_FLOOR, info.compress_size * ratio):
        raise FileFormatError(
            filepath, f"member '{name}' declares {info.file_size} bytes "
            f"from {info.compress_size} compressed, a ratio above "
            f"{ratio}:1 (a compression bomb or a corrupt header).")
    return info


def _extract(filepath, archive, name, limit, out):
    """Decompresses the member into ``out`` in chunks, never past
    ``min(declared size, limit)``; returns its SHA-256 (hex)."""
    info = _info(filepath, archive, name, limit)
    expected = info.file_size
    digest, total = hashlib.sha256(), 0
    try:
        with archive.open(info) as f:
            while True:
                chunk = f.read(min(_CHUNK, expected - total + 1))
                if not chunk:
                    break
                total += len(chunk)
                if total > expected:
                    raise FileFormatError(
                        filepath, f"member '{name}' inflates past the "
                        f"{expected} bytes its header declares.")
                digest.update(chunk)
                out.write(chunk)
    except FileFormatError:
        raise
    except _ZIP_ERRORS as e:
        raise FileFormatError(
            filepath, f"member '{name}' cannot be read (corrupt): "
            f"{type(e).__name__}: {e}"
        ) from None
    if total != expected:
        raise FileFormatError(
            filepath, f"member '{name}' holds {total} bytes but its header "
            f"declares {expected} (truncated or corrupt).")
    return digest.hexdigest()


def _check_digest(filepath, metadata, name, digest):
    digests = metadata.get("torchkeras_sha256")
    if digests is None:
        return
    if not isinstance(digests, dict):
        raise FileFormatError(
            filepath, f"member '{METADATA}': `torchkeras_sha256` should map "
            f"member names to digests. Received: {str(digests)[:80]}")
    expected = digests.get(name)
    if expected is None:
        return
    if expected != digest:
        raise IntegrityError(
            filepath,
            f"checksum mismatch for archive member '{name}': it was changed "
            "after it was written. The file is corrupt."
        )


def _json(filepath, archive, name):
    """``(SHA-256, value)`` of a JSON member, bounded (``parse_config``)."""
    out = io.BytesIO()
    digest = _extract(filepath, archive, name, MAX_JSON_BYTES[name], out)
    return digest, model_config.parse_config(filepath, out.getvalue(),
                                             f"member '{name}'")


def _metadata(filepath, archive):
    if METADATA not in archive.namelist():
        return {}
    _, metadata = _json(filepath, archive, METADATA)
    if not isinstance(metadata, dict):
        raise FileFormatError(
            filepath, f"member '{METADATA}' should hold a JSON object. "
            f"Received: {str(metadata)[:80]}")
    return metadata


def _config(filepath, archive, metadata):
    digest, entry = _json(filepath, archive, CONFIG)
    _check_digest(filepath, metadata, CONFIG, digest)
    return entry


# ----------------------------------------------------------------------
# The weights member.


def weights_bound(model, with_optimizer=True):
    """The most bytes a weights member for ``model`` can need, or None
    when the model (or one of its layers) is not built yet.

    The model's variables at their own dtypes, with ``OPTIMIZER_SLOTS``
    copies for the optimizer, ``DTYPE_SLACK`` for a wider dtype in the
    file, and HDF5's overhead per variable and per file.
    """
    if deferred.needs_deferral(model):
        return None  # a layer not built yet: its weights are unknown
    variables = list(getattr(model, "weights", None) or [])
    if not variables:
        return None
    nbytes = sum(v.numel() * v.element_size() for v in variables)
    copies = 1 + (OPTIMIZER_SLOTS if with_optimizer else 0)
    per_variable = len(variables) * H5_BYTES_PER_VARIABLE
    return (DTYPE_SLACK * copies * (nbytes + per_variable)
            + H5_BYTES_PER_FILE)


@contextlib.contextmanager
def _weights_file(filepath, archive, metadata, limit):
    """The weights member extracted (bounded, digest checked) to a
    temporary file, which HDF5 validation needs (``file_format``)."""
    with tempfile.TemporaryDirectory(prefix="torchkeras-") as folder:
        path = os.path.join(folder, WEIGHTS)
        with open(path, "wb") as out:
            digest = _extract(filepath, archive, WEIGHTS, limit, out)
        _check_digest(filepath, metadata, WEIGHTS, digest)
        yield path


def _read_store(filepath, path, model=None, skip_mismatch=False):
    """The weights store of the extracted member at ``path``: its HDF5
    structure validated first (in ``file_format``'s worker, with a
    deadline), then, with a built ``model``, its declared shapes checked
    against the model's, then the values read."""
    label = f"{filepath}:{WEIGHTS}"
    with open(path, "rb") as f:
        if f.read(8) != file_format.HDF5_MAGIC:
            raise FileFormatError(
                filepath, f"member '{WEIGHTS}' is not an HDF5 file.")
    file_format.check_file(path, label)
    try:
        f = h5py.File(path, "r")
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        raise FileFormatError(
            filepath, f"member '{WEIGHTS}' cannot be opened as HDF5: {e}"
        ) from None
    with f:
        return h5_keras3.read_store(label, f, model, skip_mismatch)


# ----------------------------------------------------------------------
# Reading.


def read(filepath, model=None, skip_mismatch=None):
    """``(config entry, weights store)`` of the archive, fully verified.

    Args:
        model: the model the weights are for (``load_weights``).
        skip_mismatch: the caller's ``skip_mismatch``. When it is given
            (False or True) with a built ``model``, the weights member is
            bounded by what the model needs (``weights_bound``; not when
            skipping, as skipped layers may be any size) and the datasets'
            declared shapes are checked against the model's before any
            value is read. Otherwise ``MAX_WEIGHTS_BYTES`` and the ratio
            bound the member.
    """
    checked = model if skip_mismatch is not None else None
    limit = (weights_bound(checked) if checked is not None
             and not skip_mismatch else None) or MAX_WEIGHTS_BYTES
    with _open(filepath) as archive:
        metadata = _metadata(filepath, archive)
        entry = _config(filepath, archive, metadata)
        with _weights_file(filepath, archive, metadata, limit) as path:
            store = _read_store(filepath, path, checked,
                                bool(skip_mismatch))
    return entry, store


def load(filepath, custom_objects=None, compile=True, safe_mode=True):
    """``models.load_model`` of an archive: the model, rebuilt, compiled
    as saved (``compile``) and holding the archive's weights.

    The order bounds each step by the one before: the config (bounded),
    the model (its allocations bounded by what the weights member can
    hold), then the weights (bounded by what the model needs), matched to
    the model in full before any is assigned. A model that is not built
    yet takes them at its first call (``deferred``). A failure leaves the
    process's global state as it was.
    """
    with model_config.state_restored_on_failure(), \
            _open(filepath) as archive:
        metadata = _metadata(filepath, archive)
        entry = _config(filepath, archive, metadata)
        declared = _info(filepath, archive, WEIGHTS,
                         MAX_WEIGHTS_BYTES).file_size
        model = model_config.deserialize_model(
            filepath, entry, custom_objects, safe_mode,
            where=f"member '{CONFIG}'",
            max_weight_bytes=REBUILD_BYTES_PER_WEIGHT_BYTE * declared
            + REBUILD_FLOOR)
        if compile and entry.get("compile_config"):
            model_config.compile_from_config(filepath, model,
                                             entry["compile_config"],
                                             custom_objects)
        limit = weights_bound(model) or MAX_WEIGHTS_BYTES
        with _weights_file(filepath, archive, metadata, limit) as path:
            store = _read_store(filepath, path, model)
        h5_keras3.apply_loaded_store(model, filepath, store, compile)
    return model
