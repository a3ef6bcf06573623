"""Atomic writes: a crash mid-save leaves the previous file intact.

Every writer in ``saving`` writes into a temporary file (or folder) in the
destination's own folder, flushes and fsyncs it, then renames it over the
destination with ``os.replace`` (atomic on POSIX and Windows) and fsyncs the
folder so the rename itself is durable. A killed writer leaves at most a
stray ``.tmp-*`` file beside the untouched destination.
"""

import contextlib
import os
import shutil
import tempfile


def _fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _folder_of(filepath):
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    return folder


def check_overwrite(filepath, overwrite):
    """Raises if ``filepath`` exists and ``overwrite`` is False."""
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"File '{filepath}' already exists and overwrite=False. Pass "
            "overwrite=True to replace it. Received: overwrite=False"
        )


@contextlib.contextmanager
def atomic_file(filepath):
    """Yields a temporary path; on success it replaces ``filepath``.

    The caller writes the whole file at the yielded path (h5py, zipfile and
    plain ``open`` all take a path). On an exception the temporary file is
    removed and ``filepath`` is left as it was.
    """
    folder = _folder_of(filepath)
    base = os.path.basename(filepath)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.tmp-", dir=folder)
    os.close(fd)
    try:
        yield tmp
        _fsync_path(tmp)
        os.replace(tmp, filepath)
        _fsync_path(folder)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_folder(dirpath):
    """Yields a temporary folder that replaces ``dirpath`` on success.

    Folders cannot be swapped in one rename: the old one is first renamed
    aside, the new one renamed into place, then the old one deleted. A crash
    between the two renames leaves the old folder under ``.old-*``, next to
    the destination, never a half-written destination.
    """
    folder = _folder_of(dirpath)
    base = os.path.basename(os.path.normpath(dirpath))
    tmp = tempfile.mkdtemp(prefix=f".{base}.tmp-", dir=folder)
    try:
        yield tmp
        for root, _, files in os.walk(tmp):
            for name in files:
                _fsync_path(os.path.join(root, name))
        old = None
        if os.path.exists(dirpath):
            old = tempfile.mkdtemp(prefix=f".{base}.old-", dir=folder)
            os.rmdir(old)
            os.replace(dirpath, old)
        os.replace(tmp, dirpath)
        _fsync_path(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
