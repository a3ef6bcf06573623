"""Reading and writing the safetensors format, strictly and code-free.

Format: an 8-byte little-endian header size ``n``, ``n`` bytes of JSON
(``{name: {"dtype", "shape", "data_offsets": [begin, end]}}`` plus an
optional ``"__metadata__"`` of string values), then the tensor bytes.
Every header field is checked against the file before any data is used
(sizes, offsets, overlaps, dtype, a header larger than 100 MB), so a file
that lies about its sizes or offsets is reported naming the file and the
tensor. Files written here carry one SHA-256 per tensor in the metadata
(``torchkeras_sha256``: a JSON map), verified on read.

For weights, keys are the weights' scoped names (``dense_1/kernel``,
``bidirectional/forward_gru/gru_cell/kernel``; ``weight_paths``)
and values are in Keras layouts.
"""

import json
import os
import struct

import numpy as np
import torch

from torchkeras.saving import file_format
from torchkeras.saving import integrity
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

MAX_HEADER = 100 * 1024 * 1024
CHECKSUMS = "torchkeras_sha256"

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


def write(filepath, tensors, metadata=None):
    """Writes ``{name: array}`` (ordered) to ``filepath``, with checksums."""
    header = {}
    chunks = []
    offset = 0
    sums = {}
    for name, value in tensors.items():
        array = np.asarray(_to_numpy(value), order="C")
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        data = array.tobytes()
        header[name] = {"dtype": _code_of(array), "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        sums[name] = integrity.digest(array)
        chunks.append(data)
        offset += len(data)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    meta[CHECKSUMS] = json.dumps(sums, sort_keys=True)
    header["__metadata__"] = meta
    blob = json.dumps(header, separators=(",", ":")).encode("utf8")
    blob += b" " * (-len(blob) % 8)
    with open(filepath, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for data in chunks:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fail(filepath, message):
    raise FileFormatError(filepath, f"malformed safetensors file: {message}")


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
    try:
        header = json.loads(f.read(n).decode("utf8"))
    except (UnicodeDecodeError, ValueError) as e:
        _fail(filepath, f"the header is not valid JSON ({e}).")
    if not isinstance(header, dict):
        _fail(filepath, "the header is not a JSON object.")
    return n, header


def _check_entry(filepath, name, entry, data_size):
    if not isinstance(entry, dict) or set(entry) != {
            "dtype", "shape", "data_offsets"}:
        _fail(filepath, f"tensor '{name}' has a malformed entry {entry!r}.")
    dtype = _DTYPES.get(entry["dtype"])
    if dtype is None:
        _fail(filepath, f"tensor '{name}' has unknown dtype "
                        f"{entry['dtype']!r}.")
    shape, offsets = entry["shape"], entry["data_offsets"]
    if not (isinstance(shape, list) and all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0
            for d in shape)):
        _fail(filepath, f"tensor '{name}' has an invalid shape {shape!r}.")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(
            isinstance(o, int) and not isinstance(o, bool)
            for o in offsets)):
        _fail(filepath, f"tensor '{name}' has invalid data_offsets "
                        f"{offsets!r}.")
    begin, end = offsets
    expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
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


def read(filepath):
    """Returns ``(tensors, metadata)``; ``tensors`` is {name: array}.

    Raises:
        FileFormatError: for any inconsistency in the header.
        IntegrityError: when a stored checksum does not match.
    """
    file_format.sniff(filepath)
    size = os.path.getsize(filepath)
    with open(filepath, "rb") as f:
        n, header = _read_header(filepath, f, size)
        raw = f.read()
    data_size = size - 8 - n
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict):
        _fail(filepath, "'__metadata__' is not a JSON object.")
    entries = {}
    spans = []
    for name, entry in header.items():
        dtype, shape, begin, end = _check_entry(filepath, name, entry,
                                                data_size)
        entries[name] = (dtype, shape, begin, end)
        spans.append((begin, end, name))
    _check_layout(filepath, spans, data_size)
    sums = _checksums(filepath, metadata)
    tensors = {}
    for name, (dtype, shape, begin, end) in entries.items():
        little = np.dtype(dtype).newbyteorder("<")
        array = np.frombuffer(raw[begin:end], dtype=little).reshape(
            shape).astype(dtype)
        integrity.verify(filepath, name, array, sums.get(name))
        tensors[name] = array
    return tensors, metadata


def _checksums(filepath, metadata):
    text = metadata.get(CHECKSUMS)
    if text is None:
        return {}
    try:
        sums = json.loads(text)
    except ValueError:
        _fail(filepath, f"metadata '{CHECKSUMS}' is not valid JSON.")
    if not isinstance(sums, dict):
        _fail(filepath, f"metadata '{CHECKSUMS}' is not a JSON object.")
    return sums


def weight_tensors(filepath, model):
    """{weight path: Keras-layout array} for every weight of ``model``."""
    names = weight_paths.unique_names(filepath, model)
    return {names[id(w)]: weight_paths.to_keras(owner, w)
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


def load_weights(model, filepath):
    tensors, _ = read(filepath)
    weight_paths.assign_all(filepath,
                            match_items(filepath, model, tensors))
