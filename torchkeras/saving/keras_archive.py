"""The Keras 3 ``.keras`` archive: ``model.save`` / ``models.load_model``.

A zip holding ``metadata.json`` (Keras version, date, and our SHA-256 of
each member), ``config.json`` (``model_config.serialize_model``: class,
config, build and compile configs) and ``model.weights.h5`` (the Keras 3
weights layout with the optimizer's variables, ``h5_keras3``). Keras 3
reads these archives and we read Keras 3's. Members are read by their fixed
names and never extracted, so a crafted member path cannot write anywhere.
"""

import datetime
import hashlib
import io
import json
import zipfile

import h5py

from torchkeras.saving import file_format
from torchkeras.saving import h5_keras3
from torchkeras.saving import model_config
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import IntegrityError

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
KERAS_VERSION = "3.5.0"
MAX_MEMBER = 1 << 34


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


def _read_member(filepath, archive, name):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise FileFormatError(
            filepath,
            f"the archive has no '{name}' (members: "
            f"{archive.namelist()[:10]}). Not a Keras model archive."
        ) from None
    if info.file_size > MAX_MEMBER:
        raise FileFormatError(
            filepath, f"member '{name}' claims {info.file_size} bytes.")
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError,
            NotImplementedError) as e:
        raise FileFormatError(
            filepath, f"member '{name}' cannot be read (corrupt): {e}"
        ) from None


def _check_digest(filepath, metadata, name, data):
    expected = (metadata.get("torchkeras_sha256") or {}).get(name)
    if expected is None:
        return
    if hashlib.sha256(data).hexdigest() != expected:
        raise IntegrityError(
            filepath,
            f"checksum mismatch for archive member '{name}': it was changed "
            "after it was written. The file is corrupt."
        )


def _json(filepath, name, data):
    try:
        return json.loads(data.decode("utf8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FileFormatError(
            filepath, f"member '{name}' is not valid JSON ({e})."
        ) from None


def read(filepath):
    """``(config entry, weights store)`` of the archive, fully verified."""
    file_format.expect(filepath, "zip", "a '.keras' zip archive")
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise FileFormatError(
            filepath, f"not a valid zip archive (truncated or corrupt): {e}"
        ) from None
    with archive:
        metadata = {}
        if METADATA in archive.namelist():
            metadata = _json(filepath, METADATA,
                             _read_member(filepath, archive, METADATA))
            if not isinstance(metadata, dict):
                metadata = {}
        config_bytes = _read_member(filepath, archive, CONFIG)
        _check_digest(filepath, metadata, CONFIG, config_bytes)
        weights = _read_member(filepath, archive, WEIGHTS)
        _check_digest(filepath, metadata, WEIGHTS, weights)
    entry = _json(filepath, CONFIG, config_bytes)
    return entry, _read_store(filepath, weights)


def _read_store(filepath, weights):
    if weights[:8] != file_format.HDF5_MAGIC:
        raise FileFormatError(
            filepath, f"member '{WEIGHTS}' is not an HDF5 file.")
    try:
        f = h5py.File(io.BytesIO(weights), "r")
    except OSError as e:
        raise FileFormatError(
            filepath, f"member '{WEIGHTS}' cannot be opened as HDF5: {e}"
        ) from None
    with f:
        return h5_keras3.read_store(f"{filepath}:{WEIGHTS}", f)


def load(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds, (re)compiles and restores the model in the archive."""
    entry, store = read(filepath)
    model = model_config.deserialize_model(filepath, entry, custom_objects,
                                           safe_mode)
    if compile and entry.get("compile_config"):
        model_config.compile_from_config(filepath, model,
                                         entry["compile_config"],
                                         custom_objects)
    return model, store
