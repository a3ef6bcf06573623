"""SHA-256 checksums of weight tensors, written beside them and verified.

Files written by torchkeras carry one digest per tensor: an HDF5 attribute
on each dataset (``.h5``, ``.weights.h5``, ``.keras``), an entry in the
safetensors ``__metadata__`` (``.safetensors``, checkpoints), so a flipped
byte anywhere in the data is reported naming the weight.

Two kinds of digest exist, told apart by their text:

- version 2 (``"2:<hex>"``, written now, ``bound_digest``): covers the
  tensor's key (its path in the file), dtype name, shape and little-endian
  bytes. Binding the key means that two tensors of one shape exchanged
  with their digests (Adam's ``m`` and ``v`` of one kernel, the kernels of
  two Dense layers) no longer verify: each value is checked against the
  place it was written for.
- version 1 (``"<hex>"``, files of earlier torchkeras versions,
  ``digest``): dtype, shape and bytes only. Still verified, so those files
  load; they cannot detect such an exchange.

Damage to the version prefix itself makes the digest fail (the other
version's hash differs), so a damaged file cannot pass as an older one.
Files without digests (Keras's own) load unchecked.
"""

import hashlib
import json
import re

import numpy as np

from torchkeras.saving.errors import IntegrityError

ATTRIBUTE = "torchkeras_sha256"
VERSION = 2
_V2 = "2:"
_HEX = re.compile(r"[0-9a-f]{64}")


def digest(array):
    """Version 1: the hex SHA-256 of ``array``'s dtype, shape and bytes.

    Kept for the files that hold it; new files use ``bound_digest``.
    """
    array = np.asarray(array, order="C")
    h = hashlib.sha256()
    h.update(array.dtype.str.encode("ascii"))
    h.update(repr(tuple(array.shape)).encode("ascii"))
    h.update(array.tobytes())
    return h.hexdigest()


def _little_endian_bytes(array):
    """The array's bytes, little-endian and in C order, without a copy
    where it already is (a flat ``uint8`` view hashlib accepts)."""
    array = np.asarray(array)
    array = np.ascontiguousarray(
        array.astype(array.dtype.newbyteorder("<"), copy=False))
    return array.reshape(-1).view(np.uint8)


def bound_digest(key, array):
    """Version 2: ``"2:<hex>"``, the SHA-256 of ``key`` (the tensor's path
    in the file), ``array``'s dtype name, shape and little-endian bytes."""
    array = np.asarray(array)
    h = hashlib.sha256()
    h.update(json.dumps(["torchkeras-tensor", VERSION, str(key),
                         array.dtype.name, list(array.shape)]).encode("utf8"))
    h.update(b"\n")
    h.update(_little_endian_bytes(array))
    return _V2 + h.hexdigest()


def version_of(expected):
    """The version of a stored digest: 2, 1, or None when it is neither
    (damaged)."""
    if expected.startswith(_V2):
        return 2 if _is_hex(expected[len(_V2):]) else None
    return 1 if _is_hex(expected) else None


def _is_hex(text):
    return _HEX.fullmatch(text) is not None


def verify(filepath, name, array, expected, key=None):
    """Raises ``IntegrityError`` if ``expected`` is set and differs.

    Args:
        filepath: the file, for the message.
        name: the weight, for the message.
        array: the value read.
        expected: the stored digest (either version), or None (no check).
        key: what a version-2 digest was bound to; default ``name``.
    """
    if expected is None:
        return
    if isinstance(expected, bytes):
        expected = expected.decode("ascii", "replace")
    expected = str(expected)
    if version_of(expected) == 2:
        actual = bound_digest(name if key is None else key, array)
    else:
        actual = digest(array)
    if actual != expected:
        raise IntegrityError(
            filepath,
            f"checksum mismatch for weight '{name}': the data was changed "
            "after it was written, or it belongs to another weight "
            f"(expected sha256 {expected}, computed {actual}). The file is "
            "corrupt."
        )
