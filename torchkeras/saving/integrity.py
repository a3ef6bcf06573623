"""SHA-256 checksums of weight tensors, written beside them and verified.

Files written by torchkeras carry one digest per tensor: an HDF5 attribute
on each dataset (``.h5``, ``.weights.h5``, ``.keras``), an entry in the
safetensors ``__metadata__`` (``.safetensors``, checkpoints), so a flipped
byte anywhere in the data is reported naming the weight.

A digest (``"2:<hex>"``, ``bound_digest``) covers the tensor's key (its
path in the file), dtype name, shape and little-endian bytes. Binding the
key means that two tensors of one shape exchanged with their digests
(Adam's ``m`` and ``v`` of one kernel, the kernels of two Dense layers) do
not verify: each value is checked against the place it was written for.
A stored digest of any other form (a damaged version prefix, say) is an
``IntegrityError``, never a reason to check less.

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


def is_digest(text):
    """True when ``text`` has the form of a stored digest (``"2:<hex>"``)."""
    return text.startswith(_V2) and _is_hex(text[len(_V2):])


def _is_hex(text):
    return _HEX.fullmatch(text) is not None


def verify(filepath, name, array, expected, key=None):
    """Raises ``IntegrityError`` if ``expected`` is set and differs.

    Args:
        filepath: the file, for the message.
        name: the weight, for the message.
        array: the value read.
        expected: the stored digest, or None (no check).
        key: what the digest was bound to; default ``name``.
    """
    if expected is None:
        return
    if isinstance(expected, bytes):
        expected = expected.decode("ascii", "replace")
    expected = str(expected)
    if not is_digest(expected):
        raise IntegrityError(
            filepath,
            f"the checksum of weight '{name}' is not a torchkeras digest "
            f"(expected '{_V2}' and 64 hex digits, received "
            f"{expected[:80]!r}). The file is corrupt.")
    actual = bound_digest(name if key is None else key, array)
    if actual != expected:
        raise IntegrityError(
            filepath,
            f"checksum mismatch for weight '{name}': the data was changed "
            "after it was written, or it belongs to another weight "
            f"(expected sha256 {expected}, computed {actual}). The file is "
            "corrupt."
        )
