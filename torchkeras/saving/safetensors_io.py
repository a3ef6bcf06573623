"""Reading and writing the safetensors format, strictly and code-free.

Format: an 8-byte little-endian header size ``n``, ``n`` bytes of JSON
(``{name: {"dtype", "shape", "data_offsets": [begin, end]}}`` plus an
optional ``"__metadata__"`` of string values), then the tensor bytes.

Reading checks the whole header against the file before any tensor byte
is read or any array allocated: the header size against the file's size
and a 100 MB limit; every tensor's dtype, shape (at most 32 dimensions,
sizes computed in Python integers, so ``[2**32, 2**32]`` cannot wrap
around) and ``data_offsets`` against the data section, which the tensors
must tile exactly; optionally each shape against the model's
(``expected``). Every problem is a ``FileFormatError`` naming the file and
the tensor or field; a file that is not a regular file (a FIFO, a
folder) is refused before it is opened.

Integrity. Files written here are marked ``torchkeras_integrity: "2"`` and
carry, in the metadata, one digest per tensor bound to its name
(``torchkeras_sha256``, a JSON map; ``integrity.bound_digest``) and a
digest of the whole header (``torchkeras_header_sha256``: every name,
dtype, shape, offset and metadata value, e.g. a checkpoint's epoch and
optimizer settings). A file is taken to be ours when any metadata key
starts with ``torchkeras`` or its ``format`` does, and then all three must
be present and whole: damage to one marker is caught by the others, so a
flipped bit anywhere in the file either fails to parse, fails a digest,
or leaves the values read unchanged. A file that is ours by its markers
but lacks one of them is refused, whatever wrote it. Foreign files
(Keras's, Hugging Face's) carry none of this and load unchecked.

For weights, keys are the weights' scoped names (``dense_1/kernel``,
``bidirectional/forward_gru/gru_cell/kernel``; ``weight_paths``)
and values are in Keras layouts.
"""

import hashlib
import json
import os
import stat
import struct

import numpy as np
import torch

from torchkeras.saving import integrity
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import IntegrityError
from torchkeras.saving.errors import WeightMismatchError

MAX_HEADER = 100 * 1024 * 1024
MAX_DIMS = 32
CHECKSUMS = "torchkeras_sha256"
INTEGRITY = "torchkeras_integrity"
HEADER_CHECKSUM = "torchkeras_header_sha256"
_RESERVED = (INTEGRITY, CHECKSUMS, HEADER_CHECKSUM)
# An empty tensor holds no bytes, so the file's size cannot bound its
# other dimensions; this does (NumPy refuses shapes past 2**63 bytes).
_EMPTY_EXTENT = 2**31

_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8,
    "BOOL": np.bool_,
}
_CODES = {np.dtype(v).str: k for k, v in _DTYPES.items()}


def _code_of(array):
    code = _CODES.get(array.dtype.newbyteorder("<").str)
    if code is None:
        raise TypeError(
            f"safetensors cannot store arrays of dtype {array.dtype}. "
            f"Received: dtype={array.dtype}"
        )
    return code


def _to_numpy(value):
    if torch.is_tensor(value):
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.numpy()
    return np.asarray(value)


# -- writing ---------------------------------------------------------------

def _header_digest(header):
    """SHA-256 of the header's canonical JSON without its own entry."""
    meta = dict(header.get("__metadata__") or {})
    meta.pop(HEADER_CHECKSUM, None)
    text = json.dumps(dict(header, __metadata__=meta), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def write(filepath, tensors, metadata=None):
    """Writes ``{name: array}`` (ordered) to ``filepath``, with digests.

    ``metadata`` values are stored as strings; its keys may not be the
    integrity entries' names.
    """
    entries, chunks, sums = {}, [], {}
    offset = 0
    for name, value in tensors.items():
        array = np.asarray(_to_numpy(value), order="C")
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        data = array.tobytes()
        entries[str(name)] = {
            "dtype": _code_of(array), "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)]}
        sums[str(name)] = integrity.bound_digest(name, array)
        chunks.append(data)
        offset += len(data)
    clash = sorted(set(map(str, metadata or {})) & set(_RESERVED))
    if clash:
        raise ValueError(
            f"Cannot write '{filepath}': metadata keys {clash} are reserved "
            f"for the file's checksums. Received: metadata keys {clash}")
    # The markers sit at both ends of the metadata, so one damaged run of
    # bytes cannot erase all of them.
    meta = {INTEGRITY: str(integrity.VERSION)}
    meta.update({str(k): str(v) for k, v in (metadata or {}).items()})
    meta[CHECKSUMS] = json.dumps(sums, sort_keys=True)
    header = {"__metadata__": meta, **entries}
    meta[HEADER_CHECKSUM] = _header_digest(header)
    blob = json.dumps(header, separators=(",", ":")).encode("utf8")
    blob += b" " * (-len(blob) % 8)
    with open(filepath, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for data in chunks:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())


# -- reading: structure ----------------------------------------------------

def _fail(filepath, message):
    raise FileFormatError(filepath, f"malformed safetensors file: {message}")


def json_value(filepath, text, what):
    """``json.loads(text)``, every failure a ``FileFormatError`` naming
    ``what`` (bad UTF-8, bad JSON, nesting too deep, giant integers,
    duplicate keys)."""
    def unique(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate key {_first_duplicate(keys)!r}")
        return dict(pairs)

    try:
        if isinstance(text, bytes):
            text = text.decode("utf8")
        return json.loads(text, object_pairs_hook=unique)
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError) as e:
        raise FileFormatError(
            filepath, f"{what} is not valid JSON ({type(e).__name__}: "
                      f"{str(e)[:200]})."
        ) from None


def _first_duplicate(keys):
    seen = set()
    for k in keys:
        if k in seen:
            return k
        seen.add(k)
    return None


def regular_file_size(filepath, what="file"):
    """The size of ``filepath``, refusing anything but a regular file (a
    FIFO would block the reader forever; a folder cannot be read)."""
    try:
        info = os.stat(filepath)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"No file or directory found at '{filepath}'.") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileFormatError(
            filepath, f"expected a {what}, but this is not a regular file "
                      "(a folder, FIFO or device).")
    return info.st_size


def _read_header(filepath, f, size):
    if size < 8:
        _fail(filepath, f"only {size} bytes, shorter than the 8-byte "
                        "header size (truncated or empty).")
    (n,) = struct.unpack("<Q", f.read(8))
    if n > MAX_HEADER:
        _fail(filepath, f"the header claims {n} bytes, more than the "
                        f"{MAX_HEADER}-byte limit.")
    if 8 + n > size:
        _fail(filepath, f"the header claims {n} bytes but the file has "
                        f"only {size - 8} after the size field (truncated).")
    raw = f.read(n)
    if len(raw) != n:
        _fail(filepath, "the file shrank while it was read.")
    header = json_value(filepath, raw, "the safetensors header")
    if not isinstance(header, dict):
        _fail(filepath, "the header is not a JSON object.")
    return n, header


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_shape(filepath, name, shape, itemsize, data_size):
    """The tensor's byte size, from a shape checked before any use."""
    if not (isinstance(shape, list) and len(shape) <= MAX_DIMS and all(
            _is_int(d) and d >= 0 for d in shape)):
        _fail(filepath, f"tensor '{name}' has an invalid shape "
                        f"{str(shape)[:200]} (expected a list of at most "
                        f"{MAX_DIMS} non-negative integers).")
    extent = itemsize
    for d in shape:
        extent *= max(d, 1)  # Python integers: no overflow
    limit = data_size if 0 not in shape else max(data_size, _EMPTY_EXTENT)
    if extent > limit:
        _fail(filepath, f"tensor '{name}' declares shape {shape} "
                        f"({extent} bytes), more than the file's "
                        f"{data_size}-byte data section.")
    return 0 if 0 in shape else extent


def _check_entry(filepath, name, entry, data_size):
    if not isinstance(entry, dict) or set(entry) != {
            "dtype", "shape", "data_offsets"}:
        _fail(filepath, f"tensor '{name}' has a malformed entry "
                        f"{str(entry)[:200]}.")
    dtype = _DTYPES.get(entry["dtype"]) if isinstance(
        entry["dtype"], str) else None
    if dtype is None:
        _fail(filepath, f"tensor '{name}' has unknown dtype "
                        f"{str(entry['dtype'])[:50]!r}.")
    shape, offsets = entry["shape"], entry["data_offsets"]
    expected = _check_shape(filepath, name, shape, np.dtype(dtype).itemsize,
                            data_size)
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(
            _is_int(o) for o in offsets)):
        _fail(filepath, f"tensor '{name}' has invalid data_offsets "
                        f"{str(offsets)[:100]}.")
    begin, end = offsets
    if not 0 <= begin <= end <= data_size:
        _fail(filepath, f"tensor '{name}' data_offsets {offsets} fall "
                        f"outside the {data_size}-byte data section.")
    if end - begin != expected:
        _fail(filepath, f"tensor '{name}' of dtype {entry['dtype']} and "
                        f"shape {shape} needs {expected} bytes, but its "
                        f"data_offsets {offsets} span {end - begin}.")
    return dtype, tuple(shape), begin, end


def _check_layout(filepath, spans, data_size):
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            _fail(filepath, f"tensor '{name}' starts at byte {begin}, "
                            f"expected {position}: offsets overlap or leave "
                            "a gap.")
        position = end
    if position != data_size:
        _fail(filepath, f"the tensors cover {position} bytes but the data "
                        f"section has {data_size} (extra or missing bytes).")


def _check_metadata(filepath, metadata):
    if not isinstance(metadata, dict):
        _fail(filepath, "'__metadata__' is not a JSON object.")
    for key, value in metadata.items():
        if not isinstance(value, str):
            _fail(filepath, f"metadata '{key}' is not a string (received "
                            f"{type(value).__name__}).")
    return metadata


def _parse(filepath, header, data_size):
    """``(metadata, {name: (dtype, shape, begin, end)})``, all checked."""
    metadata = header.get("__metadata__")
    metadata = _check_metadata(filepath, {} if metadata is None else metadata)
    entries, spans = {}, []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        entries[name] = _check_entry(filepath, name, entry, data_size)
        spans.append((entries[name][2], entries[name][3], name))
    _check_layout(filepath, spans, data_size)
    return metadata, entries


def _check_expected(filepath, entries, expected):
    for name, shape in (expected or {}).items():
        if name in entries and entries[name][1] != tuple(shape):
            raise WeightMismatchError(
                filepath,
                f"tensor '{name}' has shape {entries[name][1]} but the "
                f"model's weight there has shape {tuple(shape)}. Received: "
                f"shape={entries[name][1]}"
            )


# -- reading: integrity ----------------------------------------------------

def _written_here(metadata):
    """True when any marker says torchkeras wrote the file (one damaged
    marker leaves the others)."""
    return any(str(k).lower().startswith("torchkeras") for k in metadata) \
        or str(metadata.get("format", "")).lower().startswith("torchkeras")


def _damaged(filepath, message):
    raise IntegrityError(
        filepath, f"{message} The file's checksum metadata was damaged "
                  "after it was written; the file is corrupt.")


def _digests(filepath, metadata, names):
    """``{name: digest}`` the file must satisfy, or None for a file not
    written by torchkeras."""
    if not _written_here(metadata):
        return None
    marker = metadata.get(INTEGRITY)
    if marker != str(integrity.VERSION):
        received = "none" if marker is None else repr(marker[:20])
        _damaged(filepath, f"its integrity marker '{INTEGRITY}' should be "
                           f"'{integrity.VERSION}'. Received: {received}.")
    text = metadata.get(CHECKSUMS)
    if text is None:
        _damaged(filepath, f"it was written by torchkeras but has no "
                           f"'{CHECKSUMS}' metadata.")
    try:
        sums = json.loads(text)
    except (ValueError, RecursionError):
        sums = None
    if not isinstance(sums, dict) or not all(
            isinstance(v, str) for v in sums.values()):
        _damaged(filepath, f"metadata '{CHECKSUMS}' is not a JSON object "
                           "of digests.")
    for name in names:
        if name not in sums:
            _damaged(filepath, f"tensor '{name}' has no checksum.")
        if not integrity.is_digest(sums[name]):
            _damaged(filepath, f"the checksum of tensor '{name}' is not a "
                               "torchkeras digest.")
    extra = sorted(set(sums) - set(names))
    if extra:
        _damaged(filepath, f"there are checksums for tensors the file "
                           f"lacks: {extra[:5]}.")
    if HEADER_CHECKSUM not in metadata:
        _damaged(filepath, f"metadata '{HEADER_CHECKSUM}' is missing.")
    return sums


def _read_tensor(filepath, f, start, name, dtype, shape, begin, end):
    buffer = bytearray(end - begin)
    f.seek(start + begin)
    if f.readinto(buffer) != len(buffer):
        _fail(filepath, f"tensor '{name}': the file shrank while it was "
                        "read.")
    array = np.frombuffer(buffer, dtype=np.dtype(dtype).newbyteorder(
        "<")).reshape(shape)
    return array.astype(dtype, copy=False)


def read(filepath, expected=None):
    """Returns ``(tensors, metadata)``; ``tensors`` is {name: array}.

    Args:
        filepath: the file.
        expected: optional ``{name: shape}``, the model's shapes, checked
            against the header before any tensor is read.

    Returns:
        The tensors and the metadata without the integrity entries.

    Raises:
        FileFormatError: for any inconsistency in the header.
        WeightMismatchError: when a shape differs from ``expected``.
        IntegrityError: when a stored checksum does not match or the
            checksums are damaged.
    """
    filepath = os.fspath(filepath)
    size = regular_file_size(filepath, "safetensors file")
    with open(filepath, "rb") as f:
        n, header = _read_header(filepath, f, size)
        metadata, entries = _parse(filepath, header, size - 8 - n)
        _check_expected(filepath, entries, expected)
        sums = _digests(filepath, metadata, list(entries))
        header_ok = sums is None or (
            metadata[HEADER_CHECKSUM] == _header_digest(header))
        tensors = {}
        for name, (dtype, shape, begin, end) in entries.items():
            array = _read_tensor(filepath, f, 8 + n, name, dtype, shape,
                                 begin, end)
            integrity.verify(filepath, name, array,
                             sums[name] if sums is not None else None)
            tensors[name] = array
    if not header_ok:
        # Checked after the tensors, so that values exchanged between two
        # tensors are reported naming one of them.
        raise IntegrityError(
            filepath, "checksum mismatch for the header: a tensor's name, "
                      "dtype, shape or offsets, or a metadata value, was "
                      "changed after the file was written. The file is "
                      "corrupt.")
    public = {k: v for k, v in metadata.items() if k not in _RESERVED}
    return tensors, public


# -- model weights ---------------------------------------------------------

def weight_tensors(filepath, model):
    """{weight path: Keras-layout array} for every weight of ``model``."""
    names = weight_paths.unique_names(filepath, model)
    return {names[id(w)]: weight_paths.to_keras(owner, w)
            for owner, w in model._weights_with_owner()}


def expected_shapes(filepath, model, prefix=""):
    """{file key: Keras shape} of ``model``'s weights, for ``read``."""
    names = weight_paths.unique_names(filepath, model)
    return {prefix + names[id(w)]: tuple(owner._keras_shape(w))
            for owner, w in model._weights_with_owner()}


def save_weights(model, filepath, metadata=None):
    meta = {"format": "torchkeras-weights", "layout": "keras"}
    meta.update(metadata or {})
    write(filepath, weight_tensors(filepath, model), meta)


def match_items(filepath, model, tensors, prefix=""):
    """Pairs the model's weights with ``tensors`` by path (all must match)."""
    names = weight_paths.unique_names(filepath, model)
    wanted = {prefix + names[id(w)]: (owner, w)
              for owner, w in model._weights_with_owner()}
    missing = [k for k in wanted if k not in tensors]
    if missing:
        raise WeightMismatchError(
            filepath,
            f"weights missing from the file: {missing[:10]}"
            f"{' ...' if len(missing) > 10 else ''}. The model's layers "
            "do not match the file's."
        )
    extra = [k for k in tensors if k.startswith(prefix) and k not in wanted]
    if extra:
        raise WeightMismatchError(
            filepath,
            f"the file holds weights the model does not have: {extra[:10]}"
            f"{' ...' if len(extra) > 10 else ''}."
        )
    return [(owner, w, tensors[key], key)
            for key, (owner, w) in wanted.items()]


def read_for_model(filepath, model):
    """``read`` with the model's shapes checked before any data is read,
    then matched to its weights: ``[(owner, weight, array, key)]`` for
    ``weight_paths.assign_all``. Assigns nothing."""
    tensors, _ = read(filepath, expected_shapes(filepath, model))
    return match_items(filepath, model, tensors)


def load_weights(model, filepath):
    weight_paths.assign_all(filepath, read_for_model(filepath, model))
