"""Atomic file writes for the callbacks' own files.

`torchkeras.saving.atomic` owns the rule for every file torchkeras writes,
and this module uses it: a write goes to a temporary file in the
destination's folder (`.<name>.tmp-<host>-<pid>-<random>`), is fsynced,
takes the replaced file's permission bits (a new file gets the umask's),
and is renamed over the destination with `os.replace`; the folder is
fsynced so the rename is durable. A process killed mid-write leaves the
previous file untouched and at most a stray temporary beside it, which a
later write to the same destination removes once it is stale (its writer
is gone), never while its writer is alive.

This module serves what callbacks write themselves (BackupAndRestore's
training state, and ModelCheckpoint's fallback while a model has no
`save_weights`), and reads it back without running code.
"""

import contextlib
import io
import os
import time
import zipfile

import torch

from torchkeras.saving import atomic

# Temporaries of earlier versions (`.tmp-<random>-<name>`): their names
# carry no pid, so they are removed only once stale by age, as
# `saving.atomic` treats such names.
_LEGACY_PREFIX = ".tmp-"


def _write_all(file, data):
    """Writes `data` to `file` (one function, so tests can stop mid-way)."""
    file.write(data)


@contextlib.contextmanager
def atomic_path(filepath):
    """Yields a temporary path in `filepath`'s folder; on success the file
    written there replaces `filepath` (`saving.atomic.atomic_file`).

    On an exception the temporary file is removed and `filepath` is left
    as it was.
    """
    with atomic.atomic_file(os.fspath(filepath)) as temp:
        yield temp


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


def _fail(filepath, problem, error=None):
    detail = "" if error is None else (
        f" ({type(error).__name__}: {str(error)[:200]})")
    raise ValueError(
        f"Could not read the checkpoint file '{filepath}': {problem}"
        f"{detail}. Received: filepath={filepath!r}"
    )


def _check_members(filepath):
    """Bounds what `torch.load` will inflate by the file's own size.

    `torch.save` stores every member uncompressed, but `torch.load` also
    inflates deflated members: a few kilobytes could claim gigabytes. Every
    member must be stored, unencrypted, and together they must fit in the
    file. (torch itself checks each storage against its member's size.)
    """
    size = os.path.getsize(filepath)
    try:
        with zipfile.ZipFile(filepath) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
            EOFError, NotImplementedError) as error:
        _fail(filepath, "it is truncated or not a torchkeras checkpoint "
                        "(a torch zip file)", error)
    total = 0
    for info in members:
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 1:
            _fail(filepath, f"member '{info.filename[:100]}' is compressed "
                            "or encrypted, which `torch.save` never writes")
        total += info.file_size
        if info.file_size != info.compress_size or total > size:
            _fail(filepath, f"member '{info.filename[:100]}' declares "
                            f"{info.file_size} bytes, more than the file "
                            f"holds ({size} bytes)")


def load_tensors(filepath):
    """Reads a `save_tensors` file with `weights_only=True`.

    torch's restricted unpickler rebuilds only tensors, numbers, strings,
    None and containers of them: a file naming any other global (a
    function, a class) is refused, so no code from the file runs. Before
    that, the file must be a regular file whose zip members fit in it
    (`_check_members`), so nothing is inflated beyond the file's size.

    Raises:
        FileNotFoundError: when nothing is at `filepath`.
        ValueError: naming the file, when it is not a regular file, is
            truncated or is not a torch file of plain tensors.
    """
    if os.path.exists(filepath) and not os.path.isfile(filepath):
        _fail(filepath, "it is not a regular file")
    _check_members(filepath)
    try:
        return torch.load(filepath, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:  # noqa: BLE001 - garbage fails many ways
        _fail(filepath, "it is truncated or not a torchkeras checkpoint of "
                        "plain tensors", error)


def remove_stale_temps(folder, name):
    """Removes the stale temporaries that killed writers left for
    `folder/name` (`saving.atomic.remove_stale_temporaries`: never a live
    writer's), and those of earlier versions once untouched for
    `saving.atomic.STALE_SECONDS`. Returns the paths removed."""
    destination = os.path.join(os.fspath(folder), name)
    removed = atomic.remove_stale_temporaries(destination)
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not (entry.startswith(_LEGACY_PREFIX)
                and entry.endswith("-" + name)):
            continue
        path = os.path.join(folder, entry)
        with contextlib.suppress(OSError):
            if now - os.lstat(path).st_mtime > atomic.STALE_SECONDS and (
                    os.path.isfile(path) and not os.path.islink(path)):
                os.remove(path)
                removed.append(path)
    return removed
