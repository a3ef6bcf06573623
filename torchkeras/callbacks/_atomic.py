"""Atomic file writes for the callbacks' own files.

A write goes to a temporary file in the destination's folder, is flushed
and fsynced, then renamed over the destination with `os.replace` (atomic
on POSIX and Windows), and the folder is fsynced so the rename is durable.
A process killed mid-write leaves the previous file untouched and at most
a stray `.tmp-*` file beside it.

`torchkeras.saving` has the same guarantee for the Keras file formats; this
module serves what callbacks write themselves (BackupAndRestore's training
state, and ModelCheckpoint's fallback while a model has no `save_weights`).
"""

import contextlib
import io
import os
import tempfile

import torch

TEMP_PREFIX = ".tmp-"


def _write_all(file, data):
    """Writes `data` to `file` (one function, so tests can stop mid-way)."""
    file.write(data)


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # Some filesystems refuse fsync on folders.
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(filepath):
    """Yields a temporary path in `filepath`'s folder; on success the file
    written there replaces `filepath`.

    The temporary name ends with `filepath`'s own name, so writers that pick
    a format from the suffix see the right one. On an exception the
    temporary file is removed and `filepath` is left as it was.
    """
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    base = os.path.basename(filepath)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix="-" + base,
                                dir=folder)
    os.close(fd)
    try:
        yield temp
        with open(temp, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(temp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
    _fsync_folder(folder)


def write_bytes(filepath, data):
    """Writes `data` to `filepath` atomically."""
    with atomic_path(filepath) as temp:
        with open(temp, "wb") as file:
            _write_all(file, data)


def save_tensors(obj, filepath):
    """`torch.save(obj)` to `filepath` atomically.

    `obj` must hold only what `torch.load(weights_only=True)` reads back:
    plain tensors, numbers, strings, None, and lists/tuples/dicts of them.
    """
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_bytes(filepath, buffer.getvalue())


def load_tensors(filepath):
    """Reads a `save_tensors` file with `weights_only=True` (no code runs).

    Raises:
        ValueError: naming the file, when it is truncated or not a torch
            file of plain tensors.
    """
    try:
        return torch.load(filepath, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:  # noqa: BLE001 - garbage fails many ways

        raise ValueError(
            f"Could not read the checkpoint file '{filepath}': it is "
            "truncated or not a torchkeras checkpoint of plain tensors "
            f"({type(error).__name__}: {error}). Received: "
            f"filepath={filepath!r}"
        ) from error


def remove_stale_temps(folder, name):
    """Removes temporary files that a killed writer left for `name`."""
    if not os.path.isdir(folder):
        return
    for entry in os.listdir(folder):
        if entry.startswith(TEMP_PREFIX) and entry.endswith("-" + name):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, entry))
