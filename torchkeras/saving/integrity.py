"""SHA-256 checksums of weight tensors, written beside them and verified.

Files written by torchkeras carry one digest per tensor: an HDF5 attribute
on each dataset (``.h5``, ``.weights.h5``, ``.keras``), an entry in the
safetensors ``__metadata__`` (``.safetensors``, checkpoints). The digest
covers the array's dtype, shape and raw bytes in C order, so a flipped byte
anywhere in the data is reported naming the weight. Files without digests
(Keras's own) load unchecked.
"""

import hashlib

import numpy as np

from torchkeras.saving.errors import IntegrityError

ATTRIBUTE = "torchkeras_sha256"


def digest(array):
    """The hex SHA-256 of ``array``'s dtype, shape and bytes."""
    array = np.asarray(array, order="C")
    h = hashlib.sha256()
    h.update(array.dtype.str.encode("ascii"))
    h.update(repr(tuple(array.shape)).encode("ascii"))
    h.update(array.tobytes())
    return h.hexdigest()


def verify(filepath, name, array, expected):
    """Raises ``IntegrityError`` if ``expected`` is set and differs."""
    if expected is None:
        return
    if isinstance(expected, bytes):
        expected = expected.decode("ascii", "replace")
    actual = digest(array)
    if actual != str(expected):
        raise IntegrityError(
            filepath,
            f"checksum mismatch for weight '{name}': the data was changed "
            f"after it was written (expected sha256 {expected}, computed "
            f"{actual}). The file is corrupt."
        )
