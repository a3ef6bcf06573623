"""Recognising a file by its first bytes, and opening HDF5 files safely.

``sniff`` reads the magic number so that a file whose content does not
match its suffix (a zip named ``.h5``, an empty or zero-filled file) is
reported as such, naming the file, instead of surfacing a library's
internal error. ``open_h5`` turns h5py's ``OSError`` for truncated or
foreign files into ``FileFormatError``.
"""

import contextlib
import os

import h5py

from torchkeras.saving.errors import FileFormatError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"


def sniff(filepath):
    """``'hdf5'``, ``'zip'``, ``'safetensors'``, ``'empty'`` or ``'unknown'``.

    Raises:
        FileNotFoundError: when the file does not exist.
    """
    if not os.path.exists(filepath):
        raise FileNotFoundError(
            f"No file or directory found at '{filepath}'."
        )
    if os.path.isdir(filepath):
        return "directory"
    with open(filepath, "rb") as f:
        head = f.read(16)
        if not head:
            return "empty"
        if head[:8] == HDF5_MAGIC:
            return "hdf5"
        # HDF5 allows a user block of 512 * 2**k bytes before the magic.
        for offset in (512, 1024, 2048):
            f.seek(offset)
            if f.read(8) == HDF5_MAGIC:
                return "hdf5"
    if head[:4] == ZIP_MAGIC:
        return "zip"
    if len(head) >= 9 and head[8:9] == b"{":
        return "safetensors"
    return "unknown"


def describe(kind):
    return {
        "hdf5": "an HDF5 file",
        "zip": "a zip archive (a '.keras' model?)",
        "safetensors": "a safetensors file",
        "empty": "an empty file",
        "directory": "a directory",
        "unknown": "not a recognised format (zero-filled, truncated or "
                   "foreign content)",
    }[kind]


def expect(filepath, wanted, what):
    """Raises ``FileFormatError`` unless ``sniff(filepath) == wanted``."""
    kind = sniff(filepath)
    if kind != wanted:
        raise FileFormatError(
            filepath,
            f"expected {what}, but the file is {describe(kind)}."
        )


@contextlib.contextmanager
def open_h5(filepath, what="an HDF5 weights file"):
    """Opens an HDF5 file for reading; errors name the file."""
    expect(filepath, "hdf5", what)
    try:
        f = h5py.File(filepath, "r")
    except OSError as e:
        raise FileFormatError(
            filepath,
            f"cannot be opened as HDF5 (truncated or corrupt): {e}"
        ) from None
    try:
        yield f
    finally:
        f.close()


def read_dataset(filepath, dataset):
    """A dataset's value as a NumPy array; read errors name the dataset."""
    try:
        return dataset[()]
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise FileFormatError(
            filepath,
            f"cannot read dataset '{dataset.name}' (truncated or corrupt): "
            f"{e}"
        ) from None


def walk_h5(filepath, group):
    """Visits ``group`` recursively; yields (path, object); errors wrapped."""
    found = []
    try:
        group.visititems(lambda name, obj: found.append((name, obj)))
    except (OSError, RuntimeError, KeyError, ValueError) as e:
        raise FileFormatError(
            filepath,
            f"the HDF5 structure cannot be read (truncated or corrupt): {e}"
        ) from None
    return found
