"""Atomic writes: a crash mid-save leaves the previous file intact.

Every writer in ``saving`` writes into a temporary file (or folder) in the
destination's own folder, flushes and fsyncs it, then renames it over the
destination with ``os.replace`` (atomic on POSIX and Windows) and fsyncs the
folder so the rename itself is durable.

Modes: the temporary file is created as ``open`` creates files (``0o666``
less the umask; folders ``0o777`` less the umask), and when it replaces an
existing file it takes that file's permission bits, so a save neither
narrows a shared file to ``0600`` nor widens a private one.

Stale temporaries: a killed writer leaves ``.<name>.tmp-<host>-<pid>-<r>``
beside the untouched destination. Each later save to that destination
removes its own pattern's leftovers that are stale: those written on this
host by a process that no longer exists and untouched for
``DEAD_WRITER_SECONDS`` (a live writer keeps touching its file; the grace
covers pid namespaces that share a host name), and any untouched for
``STALE_SECONDS`` (temporaries of other hosts on a shared folder, and of
earlier versions, whose names carry no pid). A live writer's temporary is
never removed: its pid exists, or it was touched within the grace.
"""

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import time

STALE_SECONDS = 15 * 60
DEAD_WRITER_SECONDS = 30


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


# -- temporary names -------------------------------------------------------

def _host_tag():
    """8 hex digits naming this host, so pids are compared on their own
    host only (a shared folder sees several)."""
    name = socket.gethostname().encode("utf8", "replace")
    return hashlib.sha256(name).hexdigest()[:8]


def _temp_prefix(base, kind="tmp"):
    return f".{base}.{kind}-"


def _temp_name(base, kind="tmp"):
    return (f"{_temp_prefix(base, kind)}{_host_tag()}-{os.getpid()}-"
            f"{secrets.token_hex(4)}")


_OWNED = re.compile(r"([0-9a-f]{8})-([0-9]+)-[0-9a-f]{8}")


def _pid_exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's live process, or cannot tell
    return True


def _is_stale(path, suffix, now):
    try:
        age = now - os.lstat(path).st_mtime
    except OSError:
        return False
    if age > STALE_SECONDS:
        return True
    match = _OWNED.fullmatch(suffix)
    if match is None or match.group(1) != _host_tag():
        return False
    return age > DEAD_WRITER_SECONDS and not _pid_exists(int(match.group(2)))


def remove_stale_temporaries(destination):
    """Removes the stale ``.tmp-*`` leftovers of saves to ``destination``
    (see the module docstring); returns the paths removed. Never raises."""
    folder = os.path.dirname(os.path.abspath(destination))
    base = os.path.basename(os.path.normpath(destination))
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    kinds = ["tmp"]
    if os.path.lexists(destination):
        kinds.append("old")  # a folder's superseded copy (atomic_folder)
    for kind in kinds:
        prefix = _temp_prefix(base, kind)
        for entry in entries:
            if not entry.startswith(prefix):
                continue
            path = os.path.join(folder, entry)
            if not _is_stale(path, entry[len(prefix):], now):
                continue
            with contextlib.suppress(OSError):
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
                removed.append(path)
    return removed


def _create_temp_file(folder, base):
    """A new empty file with ``open``'s default mode (umask applied)."""
    while True:
        path = os.path.join(folder, _temp_name(base))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return path


def _create_temp_folder(folder, base):
    while True:
        path = os.path.join(folder, _temp_name(base))
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            continue
        return path


def _keep_mode(tmp, destination):
    """Gives ``tmp`` the permission bits of the file it replaces."""
    try:
        mode = stat.S_IMODE(os.stat(destination).st_mode)
    except OSError:
        return  # a new file keeps the umask's mode
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


# -- writers ---------------------------------------------------------------

@contextlib.contextmanager
def atomic_file(filepath):
    """Yields a temporary path; on success it replaces ``filepath``.

    The caller writes the whole file at the yielded path (h5py, zipfile and
    plain ``open`` all take a path). On an exception the temporary file is
    removed and ``filepath`` is left as it was.
    """
    folder = _folder_of(filepath)
    base = os.path.basename(filepath)
    remove_stale_temporaries(filepath)
    tmp = _create_temp_file(folder, base)
    try:
        yield tmp
        _fsync_path(tmp)
        _keep_mode(tmp, filepath)
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
    remove_stale_temporaries(dirpath)
    tmp = _create_temp_folder(folder, base)
    try:
        yield tmp
        for root, _, files in os.walk(tmp):
            for name in files:
                _fsync_path(os.path.join(root, name))
        _keep_mode(tmp, dirpath)
        old = None
        if os.path.exists(dirpath):
            old = os.path.join(folder, _temp_name(base, "old"))
            os.replace(dirpath, old)
        os.replace(tmp, dirpath)
        _fsync_path(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
