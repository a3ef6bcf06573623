"""``utils.get_file``: download into the Keras cache, verify, extract.

The cache is Keras's own -- ``$KERAS_HOME`` or ``~/.keras`` (``/tmp/.keras``
when that is not writable), sub-folder ``datasets`` -- with Keras's file
names, so a file that tf.keras or Keras 3 already downloaded is used as is,
and the reverse.

What this module adds to Keras's ``get_file``:

- atomic downloads: bytes go to ``<target>.part``, which is renamed into
  place only once complete and verified, so a crash or a bad checksum
  never leaves a half file under the real name;
- resumable downloads: an interrupted download keeps its ``.part`` and the
  next call asks for the rest with an HTTP ``Range`` request;
- safe extraction: archives are unpacked into a temporary folder, members
  that would land outside it (``..``, absolute paths, links pointing out,
  devices) are skipped with a warning, and the result is moved into place;
- with no network, the error names the file and the exact path where a
  copy fetched elsewhere should be placed.

Dataset loaders (``torchkeras.datasets``) build on this module; it knows
nothing about them.
"""

import hashlib
import http.client
import inspect
import os
import pathlib
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from torchkeras.utils.progbar import Progbar

_CHUNK_SIZE = 1 << 16
_TIMEOUT_S = 60
_HASH_ALGORITHMS = ("auto", "sha256", "md5")


def keras_home():
    """The Keras cache root: ``$KERAS_HOME`` if set, else ``~/.keras``."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    return os.path.join(os.path.expanduser("~"), ".keras")


def cache_datadir(cache_subdir="datasets", cache_dir=None):
    """Creates and returns the folder where `get_file` keeps its files.

    Args:
        cache_subdir: sub-folder of the cache root (an absolute path is
            used as is).
        cache_dir: cache root; `None` means `keras_home()`. When the root
            cannot be written, Keras's fallback ``/tmp/.keras`` is used.
    """
    base = os.path.expanduser(
        os.fspath(cache_dir) if cache_dir is not None else keras_home())
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        tmp = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
        base = os.path.join(tmp, ".keras")
    datadir = os.path.join(base, os.fspath(cache_subdir))
    os.makedirs(datadir, exist_ok=True)
    return datadir


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Downloads a file from a URL if it is not already in the cache.

    By default the file at `origin` is saved as
    ``~/.keras/datasets/<fname>`` (``$KERAS_HOME`` replaces ``~/.keras``).
    A file already there is used without download, after its hash is
    checked when one is given (a mismatch downloads it again).

    Two extraction layouts, as the two Keras versions that wrote them:

    - `untar=True` (tf.keras 2): the archive is kept as
      ``<fname>.tar.gz`` and extracted into the cache folder itself; the
      return value is ``<cache>/<fname>``.
    - `extract=True` (Keras 3): the archive is kept as ``<fname>`` (or
      ``<fname>_archive`` when `fname` has no extension) and extracted into
      its own folder, ``<stem>_extracted`` (or ``<fname>``), which is
      returned.

    Args:
        fname: name of the file in the cache. `None` takes the last part
            of the `origin` URL. An absolute path is used as is.
        origin: URL of the file (``file://`` URLs work too).
        untar: tf.keras 2's way to ask for a tar archive to be extracted.
        md5_hash: deprecated spelling of `file_hash` with
            `hash_algorithm="md5"`.
        file_hash: expected sha256 or md5 hex digest of the file.
        cache_subdir: sub-folder of the cache (an absolute path is used as
            is).
        hash_algorithm: `"sha256"`, `"md5"` or `"auto"` (sha256 for a
            64-character hash, else md5).
        extract: whether to extract the file as an archive (Keras 3
            layout, see above).
        archive_format: `"auto"` (`["tar", "zip"]`), `"tar"`, `"zip"`, a
            list of those, or `None`.
        cache_dir: cache root; `None` means ``$KERAS_HOME`` or ``~/.keras``.
        force_download: download even when the file is in the cache.

    Returns:
        The path of the downloaded file, or of the extracted folder.

    Raises:
        ValueError: on a bad argument, or when the downloaded file does not
            match `file_hash` (nothing is kept under the file's name).
        OSError: when the file cannot be fetched (no network, HTTP error);
            the message says where to place a copy fetched elsewhere.

    Examples:
        >>> import pathlib
        >>> source = pathlib.Path("notes.txt")
        >>> _ = source.write_text("hello")
        >>> path = keras.utils.get_file(
        ...     "notes.txt", origin=source.resolve().as_uri(), cache_dir=".")
        Downloading data from file://...
        >>> path, pathlib.Path(path).read_text()
        ('./datasets/notes.txt', 'hello')
    """
    _check_arguments(origin, hash_algorithm)
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = cache_datadir(cache_subdir, cache_dir)
    provided = fname is not None and os.fspath(fname) != ""
    fname = os.fspath(fname) if provided else _name_from_origin(origin)
    target, result, extract_to = _layout(
        datadir, fname, provided, untar, extract)
    fetched = False
    if force_download or _needs_download(target, file_hash, hash_algorithm):
        _download(origin, target, file_hash, hash_algorithm)
        fetched = True
    if untar:
        if fetched or not os.path.exists(result):
            _extract_to(target, datadir, "tar", merge=True)
        return result
    if extract:
        if fetched or not os.path.exists(result):
            _extract_to(target, extract_to, archive_format, merge=False)
        return result
    return target


def _check_arguments(origin, hash_algorithm):
    if origin is None:
        raise ValueError(
            "Please specify the `origin` argument (URL of the file to "
            f"download). Received: origin={origin}"
        )
    if hash_algorithm not in _HASH_ALGORITHMS:
        raise ValueError(
            f"`hash_algorithm` must be one of {_HASH_ALGORITHMS}. "
            f"Received: hash_algorithm={hash_algorithm!r}"
        )


def _name_from_origin(origin):
    name = os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(
            "Can't parse the file name from the origin provided; please "
            f"specify the `fname` argument. Received: origin={origin!r}"
        )
    return name


def _layout(datadir, fname, provided, untar, extract):
    """Returns (download target, returned path, extraction folder)."""
    if untar:
        # tf.keras 2: `name.tar.gz` next to the folder it unpacks to.
        if fname.endswith(".tar.gz"):
            fname = str(pathlib.Path(fname).with_suffix("").with_suffix(""))
        folder = os.path.join(datadir, fname)
        return folder + ".tar.gz", folder, datadir
    if extract:
        # Keras 3 (`keras/src/utils/file_utils.py`).
        if provided and "." in fname:
            folder = os.path.join(
                datadir, fname[: fname.find(".")] + "_extracted")
            return os.path.join(datadir, fname), folder, folder
        folder = os.path.join(datadir, fname)
        return folder + "_archive", folder, folder
    target = os.path.join(datadir, fname)
    return target, target, None


def _needs_download(target, file_hash, algorithm):
    if not os.path.exists(target):
        return True
    if file_hash is None or validate_file(target, file_hash, algorithm):
        return False
    name = _algorithm_name(algorithm, file_hash)
    print(
        f"A local file was found at {target}, but it seems to be "
        f"incomplete or outdated because the {name} file hash does not "
        f"match the original value of {file_hash}, so we will re-download "
        "the data."
    )
    return True


def _download(origin, target, file_hash, algorithm):
    """Fetches `origin` into `target` through a verified `.part` file."""
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    part = target + ".part"
    print(f"Downloading data from {origin}")
    try:
        _fetch(origin, part)
    except (OSError, http.client.HTTPException) as e:
        raise OSError(
            _unreachable_message(origin, target, file_hash, algorithm, e)
        ) from e
    if file_hash is not None and not validate_file(
            part, file_hash, algorithm):
        actual = hash_file(part, _algorithm_name(algorithm, file_hash))
        os.remove(part)
        raise ValueError(
            "Incomplete or corrupted file detected. The "
            f"{_algorithm_name(algorithm, file_hash)} file hash of the data "
            f"downloaded from {origin} does not match the provided value "
            f"of {file_hash} (it is {actual}); nothing was written to "
            f"{target}."
        )
    os.replace(part, target)


def _fetch(origin, part):
    """Streams `origin` into `part`, resuming from its current size."""
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    request = urllib.request.Request(origin)
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT_S)
    except urllib.error.HTTPError as e:
        if e.code == 416 and offset:
            # The `.part` does not fit the remote file: start again.
            os.remove(part)
            return _fetch(origin, part)
        raise
    with response:
        if offset and not _is_resumed(response, offset):
            offset = 0
        _copy_stream(response, part, offset)


def _is_resumed(response, offset):
    status = getattr(response, "status", None)
    if status is None and hasattr(response, "getcode"):
        status = response.getcode()
    if status != 206:
        return False
    content_range = response.headers.get("Content-Range")
    return content_range is None or content_range.startswith(
        f"bytes {offset}-")


def _copy_stream(response, part, offset):
    length = response.headers.get("Content-Length")
    total = int(length) + offset if length is not None else None
    progbar = Progbar(total, unit_name="B")
    done = offset
    with open(part, "ab" if offset else "wb") as f:
        while True:
            chunk = response.read(_CHUNK_SIZE)
            if not chunk:
                break
            f.write(chunk)
            done += len(chunk)
            progbar.update(done, finalize=False)
    progbar.update(done, finalize=True)
    if total is not None and done < total:
        raise OSError(
            f"the connection closed after {done} of {total} bytes")


def _unreachable_message(origin, target, file_hash, algorithm, error):
    reason = getattr(error, "reason", None) or error
    code = getattr(error, "code", None)
    lines = [
        f"URL fetch failure on {origin}: "
        + (f"{code} -- " if code is not None else "") + f"{reason}.",
        ("Without network access, download that file on another machine "
         "and place it at:"),
        f"    {target}",
    ]
    if file_hash is not None:
        name = _algorithm_name(algorithm, file_hash)
        lines.append(f"(expected {name} hash: {file_hash})")
        if os.path.exists(target):
            lines.append("The file there now does not have that hash; "
                         "replace it.")
    lines.append("A file placed there is used without any download.")
    if os.path.exists(target + ".part"):
        lines.append(f"The partial download {target}.part is kept; the "
                     "next call resumes it.")
    return "\n".join(lines)


def _algorithm_name(algorithm, file_hash):
    if algorithm == "sha256" or (
            algorithm == "auto" and file_hash is not None
            and len(file_hash) == 64):
        return "sha256"
    return "md5"


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Returns the sha256 (or md5) hex digest of the file at `fpath`.

    Args:
        fpath: path of the file.
        algorithm: `"sha256"`, `"md5"`, or a `hashlib` hasher object.
        chunk_size: bytes read at a time.
    """
    if isinstance(algorithm, str):
        hasher = hashlib.md5() if algorithm == "md5" else hashlib.sha256()
    else:
        hasher = algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file at `fpath` has the sha256 or md5 `file_hash`.

    Args:
        fpath: path of the file.
        file_hash: expected hex digest.
        algorithm: `"sha256"`, `"md5"` or `"auto"` (sha256 for a
            64-character hash, else md5).
        chunk_size: bytes read at a time.
    """
    name = _algorithm_name(algorithm, file_hash)
    return hash_file(fpath, name, chunk_size) == str(file_hash)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (``.tar``, ``.tar.gz``, ``.tar.bz2``) or zip archive.

    Members whose path would leave `path` (``..``, absolute names, links
    pointing out, devices) are skipped with a warning.

    Args:
        file_path: path of the archive.
        path: folder to extract into.
        archive_format: `"auto"` (`["tar", "zip"]`), `"tar"`, `"zip"`, a
            list of those, or `None` (extract nothing).

    Returns:
        `True` if the file matched a format and was extracted, else `False`.
    """
    for kind in _archive_formats(archive_format):
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                _extract_tar(archive, path)
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                members = _safe_members(
                    archive.infolist(), path, _zip_member_ok)
                archive.extractall(path, members=list(members))
            return True
    return False


def _archive_formats(archive_format):
    if archive_format is None:
        return []
    if archive_format == "auto":
        return ["tar", "zip"]
    formats = [archive_format] if isinstance(
        archive_format, str) else list(archive_format)
    for kind in formats:
        if kind not in ("tar", "zip"):
            raise ValueError(
                "`archive_format` must be 'auto', 'tar', 'zip', a list of "
                f"those, or None. Received: archive_format={archive_format!r}"
            )
    return formats


def _extract_tar(archive, path):
    members = list(_safe_members(archive.getmembers(), path, _tar_member_ok))
    kwargs = {}
    if "filter" in inspect.signature(archive.extractall).parameters:
        # The `data` filter (Python 3.12, backported to 3.11.4 / 3.10.12)
        # re-checks every member as it is written.
        kwargs["filter"] = "data"
    archive.extractall(path, members=members, **kwargs)


def _safe_members(members, path, is_ok):
    base = os.path.realpath(path)
    for member in members:
        if is_ok(member, base):
            yield member
        else:
            name = getattr(member, "name", None) or member.filename
            warnings.warn(
                "Skipping invalid path during archive extraction: "
                f"'{name}'.", stacklevel=4)


def _inside(base, relative):
    path = os.path.realpath(os.path.join(base, relative))
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:
        return False


def _tar_member_ok(member, base):
    if not (member.isfile() or member.isdir() or member.issym()
            or member.islnk()):
        return False
    if os.path.isabs(member.name) or not _inside(base, member.name):
        return False
    if member.issym():
        folder = os.path.dirname(os.path.join(base, member.name))
        return not os.path.isabs(member.linkname) and _inside(
            base, os.path.join(folder, member.linkname))
    if member.islnk():
        return _inside(base, member.linkname)
    return True


def _zip_member_ok(info, base):
    return not os.path.isabs(info.filename) and _inside(base, info.filename)


def _extract_to(archive_path, dest, archive_format, merge):
    """Extracts through a temporary folder, then moves the result in place.

    `merge=True` moves each top-level entry into `dest` (tf.keras 2's
    layout, which unpacks into the cache folder itself); `merge=False`
    makes the extracted folder `dest` itself (Keras 3's layout).
    """
    parent = dest if merge else os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extracting-", dir=parent)
    os.chmod(tmp, 0o755)  # mkdtemp's 0o700 would stick to `dest`.
    try:
        if not extract_archive(archive_path, tmp, archive_format):
            warnings.warn(
                f"Could not extract archive {archive_path}: it is not a "
                f"{archive_format} archive.", stacklevel=3)
            return
        if merge:
            for entry in os.listdir(tmp):
                _replace(os.path.join(tmp, entry), os.path.join(dest, entry))
        else:
            _replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replace(source, dest):
    if os.path.isdir(dest) and not os.path.islink(dest):
        shutil.rmtree(dest)
    elif os.path.lexists(dest):
        os.remove(dest)
    os.replace(source, dest)
