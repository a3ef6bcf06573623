"""Recognising a file by its first bytes, and opening HDF5 files safely.

``sniff`` reads the magic number so that a file whose content does not
match its suffix (a zip named ``.h5``, an empty or zero-filled file) is
reported as such, naming the file, instead of surfacing a library's
internal error; a FIFO, device or socket is refused without being opened
(reading a FIFO blocks until someone writes to it).

An HDF5 file is a graph of objects the HDF5 library follows wherever the
file points, so a damaged or hostile one can make it open another file
(external and soft links, external raw data, virtual datasets), allocate
what a dataset merely declares (a 36 KB file declaring 2**30 floats reads
as 4 GiB of fill values), or loop forever (a zeroed object header in a
global heap collection, where the variable-length strings live, makes
``H5HG__cache_heap_deserialize`` spin). ``open_h5`` therefore validates the
whole file before any loader reads from it:

- the structure (``check_structure``): every link is a hard link (soft,
  external and user-defined links are refused, not followed); every object
  is a group or a dataset; counts and depth are bounded; every attribute's
  type and size are checked before its value is read; every dataset is a
  plain numeric array whose declared size the file actually holds
  (``check_dataset``), with no data stored outside the file; the global
  heap collections parse in a bounded number of steps (``_check_heaps``);
- in a worker process with a deadline (``_Guard``): the checks above run
  in a child interpreter that imports only h5py and NumPy; it reports
  progress as it goes and is killed when it makes none for
  ``CHECK_SECONDS`` (plus time for a large file's scans), so a sound file
  of any size passes and a loop inside one HDF5 call is cut short. A
  worker, rather than a thread, because HDF5's C loops cannot be
  interrupted and hold h5py's global lock (a hung thread would block every
  later h5py call of the process), and because it also contains what no
  Python check can (a crash or a huge allocation inside the library). The
  heap check catches the one loop the fuzzer reaches by itself, with a
  precise message; the deadline covers the ones nobody has found yet. The
  worker is started once per process (about as long as importing h5py)
  and reused; without one (no interpreter to start), the checks run in
  this process.

The loaders then read the file in this process, checking each dataset's
declaration again (``read_dataset``) against what it will fill.
"""

import atexit
import contextlib
import json
import math
import mmap
import os
import stat
import struct
import subprocess
import sys
import threading

import h5py
import numpy as np

from torchkeras.saving.errors import FileFormatError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"

# Bounds on a file's structure, far above what any Keras file holds.
MAX_OBJECTS = 250_000
MAX_DEPTH = 64
MAX_ATTRIBUTES = 4096  # per object
MAX_ATTRIBUTE_BYTES = 64 * 2**20
MAX_RANK = 32
MAX_CHUNK_BYTES = 2**30
# A chunked, compressed dataset may declare at most this many times the
# bytes it stores: deflate cannot do better than about 1032:1.
MAX_COMPRESSION_RATIO = 1100
# Filters HDF5 and h5py provide themselves (deflate, shuffle, fletcher32,
# szip, nbit, scaleoffset, lzf); any other would make HDF5 search its
# plugin directories for a library to load.
KNOWN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})
# The worker's deadline: it reports progress every PROGRESS_EVERY objects
# (or chunk read) and is killed after this long without any (plus a
# second per 100 MB of file, for the scans of a large one).
CHECK_SECONDS = 3.0
CHECK_BYTES_PER_SECOND = 100 * 2**20
PROGRESS_EVERY = 64
STARTUP_SECONDS = 120.0


class _Problem(Exception):
    """What is wrong with a file (the message; the caller names the
    file)."""


def sniff(filepath):
    """``'hdf5'``, ``'zip'``, ``'safetensors'``, ``'empty'``,
    ``'directory'``, ``'special'`` (a FIFO, device or socket: not opened)
    or ``'unknown'``.

    Raises:
        FileNotFoundError: when the file does not exist.
    """
    if not os.path.exists(filepath):
        raise FileNotFoundError(
            f"No file or directory found at '{filepath}'."
        )
    if os.path.isdir(filepath):
        return "directory"
    if not stat.S_ISREG(os.stat(filepath).st_mode):
        return "special"
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
        "special": "not a regular file (a FIFO, device or socket), so it "
                   "is not opened",
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
    """Opens an HDF5 file for reading once its whole structure has been
    validated (module docstring); errors name the file and the part."""
    expect(filepath, "hdf5", what)
    check_file(filepath)
    try:
        f = h5py.File(filepath, "r")
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        raise FileFormatError(
            filepath,
            f"cannot be opened as HDF5 (truncated or corrupt): {e}"
        ) from None
    try:
        yield f
    finally:
        f.close()


def check_file(filepath, label=None):
    """Validates the HDF5 file at ``filepath`` (``check_structure``) in the
    worker, within its deadline.

    Args:
        label: how messages name the file (default ``filepath``).

    Raises:
        FileFormatError: naming the file and what is wrong.
    """
    label = filepath if label is None else label
    # The worker process keeps the directory it started in: an absolute
    # path, so a relative one means the same file after a chdir.
    problem = _GUARD.check(os.path.abspath(os.fspath(filepath)))
    if problem is not None:
        raise FileFormatError(label, problem)


# ----------------------------------------------------------------------
# Reading, after the file was validated.


def read_dataset(filepath, dataset, file_size=None):
    """A dataset's value as a NumPy array, read only after its declaration
    was checked against the file (``check_dataset``); errors name the
    dataset."""
    try:
        size = file_size if file_size is not None else _file_size(dataset)
        check_dataset(dataset.name, dataset, size)
        return dataset[()]
    except _Problem as e:
        raise FileFormatError(filepath, str(e)) from None
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as e:
        raise FileFormatError(
            filepath,
            f"cannot read dataset '{dataset.name}' (truncated or corrupt): "
            f"{e}"
        ) from None


def walk_h5(filepath, group):
    """``[(path relative to group, object)]`` of everything under
    ``group``; links other than hard links are refused, not followed, and
    an object reached twice is listed once."""
    try:
        return [(name[len(group.name):].lstrip("/"), obj)
                for name, obj in _objects(group)]
    except _Problem as e:
        raise FileFormatError(filepath, str(e)) from None
    except (OSError, RuntimeError, KeyError, ValueError, TypeError,
            UnicodeError) as e:
        raise FileFormatError(
            filepath,
            f"the HDF5 structure cannot be read (truncated or corrupt): {e}"
        ) from None


def find(filepath, group, name, kind=None):
    """``group[name]`` (``name`` may be a path), or None when it is not
    there, reached through hard links only: a soft or external link is a
    ``FileFormatError``, never followed (h5py's ``name in group`` and
    ``group[name]`` follow them). ``kind`` (``h5py.Group`` or
    ``h5py.Dataset``) is required of what is found."""
    where = f"{group.name.rstrip('/')}/{name}"
    obj = group
    try:
        for part in name.split("/"):
            if not part:
                continue
            if not isinstance(obj, h5py.Group):
                return None
            if obj.get(part, getlink=True, default=None) is None:
                return None
            _require_hard_link(obj, part, where)
            obj = obj[part]
    except _Problem as e:
        raise FileFormatError(filepath, str(e)) from None
    except (OSError, RuntimeError, KeyError, ValueError, TypeError,
            UnicodeError) as e:
        raise FileFormatError(
            filepath, f"'{where}' cannot be opened (corrupt): {e}"
        ) from None
    if kind is not None and not isinstance(obj, kind):
        raise FileFormatError(
            filepath, f"'{where}' should be a {kind.__name__.lower()}, "
                      f"but it is a {type(obj).__name__.lower()}.")
    return obj


def attribute(filepath, obj, name, default=None):
    """The value of attribute ``name`` of ``obj`` (``default`` when it has
    none), its type and size checked before it is read."""
    try:
        if name not in obj.attrs:
            return default
        return _read_attribute(obj, name)
    except _Problem as e:
        raise FileFormatError(filepath, str(e)) from None
    except (OSError, RuntimeError, KeyError, ValueError, TypeError,
            UnicodeError) as e:
        raise FileFormatError(
            filepath, f"attribute '{name}' of '{obj.name}' cannot be read "
                      f"(corrupt): {e}") from None


def _file_size(obj):
    return obj.file.id.get_filesize()


# ----------------------------------------------------------------------
# The checks (run in the worker, or here without one).


def check_structure(f, file_size, progress=lambda: None):
    """Walks the open file ``f`` and checks every object (module
    docstring), calling ``progress()`` every ``PROGRESS_EVERY`` objects
    and chunks. Raises ``_Problem``."""
    _check_attributes("/", f)
    total = 0
    for count, (path, obj) in enumerate(_objects(f)):
        if count % PROGRESS_EVERY == 0:
            progress()
        _check_attributes(path, obj)
        if isinstance(obj, h5py.Dataset):
            total += check_dataset(path, obj, file_size)
            if total > max(file_size, 1) * MAX_COMPRESSION_RATIO:
                raise _Problem(
                    f"the datasets declare {total} bytes in all (at "
                    f"'{path}'), more than a {file_size}-byte file can hold."
                )
            _exercise_chunks(path, obj, progress)


def _objects(group):
    """Yields ``(path, object)`` below ``group`` in name order, parents
    first, each object once, through hard links only; refuses more than
    ``MAX_OBJECTS`` links or ``MAX_DEPTH`` levels."""
    seen = {_address(group)}
    stack = [(group, iter(list(group.keys())))]
    links = 0
    while stack:
        parent, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        links += 1
        if links > MAX_OBJECTS:
            raise _Problem(f"more than {MAX_OBJECTS} links.")
        where = f"{parent.name.rstrip('/')}/{name}"
        _require_hard_link(parent, name, where)
        obj = parent[name]
        address = _address(obj)
        if address in seen:
            continue
        seen.add(address)
        if isinstance(obj, h5py.Group):
            if len(stack) >= MAX_DEPTH:
                raise _Problem(f"groups nested deeper than {MAX_DEPTH} at "
                               f"'{where}'.")
            stack.append((obj, iter(list(obj.keys()))))
        elif not isinstance(obj, h5py.Dataset):
            raise _Problem(
                f"'{where}' is a {type(obj).__name__} (a named datatype?): "
                "Keras files hold only groups and datasets."
            )
        yield where, obj


def _address(obj):
    return h5py.h5o.get_info(obj.id).addr


def _require_hard_link(group, name, where):
    try:
        link = group.get(name, getlink=True)
    except TypeError:
        raise _Problem(f"'{where}' is a link of an unknown (user-defined) "
                       "type; only hard links are followed.") from None
    if isinstance(link, h5py.SoftLink):
        raise _Problem(
            f"'{where}' is a soft link to '{link.path}'; links are refused "
            "(Keras files have none), not followed.")
    if isinstance(link, h5py.ExternalLink):
        raise _Problem(
            f"'{where}' is an external link to '{link.path}' in file "
            f"'{link.filename}'; links to other files are refused, not "
            "followed.")
    if link is None:
        raise _Problem(f"'{where}' is listed but cannot be found.")


def _check_attributes(path, obj):
    count = h5py.h5o.get_info(obj.id).num_attrs
    if count > MAX_ATTRIBUTES:
        raise _Problem(f"'{path}' has {count} attributes (at most "
                       f"{MAX_ATTRIBUTES} expected).")
    for name in list(obj.attrs):
        _read_attribute(obj, name, path)


def _read_attribute(obj, name, path=None):
    """The attribute's value once its type and size are known to be
    plain: numbers or strings, at most ``MAX_ATTRIBUTE_BYTES``."""
    where = f"attribute '{name}' of '{path or obj.name}'"
    attr = obj.attrs.get_id(name)
    dtype = attr.dtype
    string = h5py.check_string_dtype(dtype)
    if dtype.kind not in "biufS" and string is None:
        raise _Problem(f"{where} has type {dtype}; Keras attributes are "
                       "numbers or strings.")
    shape = attr.shape or ()
    if len(shape) > MAX_RANK:
        raise _Problem(f"{where} has rank {len(shape)}.")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > MAX_ATTRIBUTE_BYTES:
        raise _Problem(f"{where} declares {nbytes} bytes (at most "
                       f"{MAX_ATTRIBUTE_BYTES}).")
    value = obj.attrs[name]
    if string is not None:
        _check_strings(where, value)
    return value


def _check_strings(where, value):
    total = 0
    for item in np.ravel(np.asarray(value, dtype=object)):
        if isinstance(item, bytes):
            try:
                item.decode("utf8")
            except UnicodeDecodeError:
                raise _Problem(f"{where} is not valid UTF-8.") from None
        total += len(item)
    if total > MAX_ATTRIBUTE_BYTES:
        raise _Problem(f"{where} holds {total} bytes of strings.")


_STANDARD_TYPES = tuple(
    getattr(h5py.h5t, f"{kind}{bits}{order}")
    for kind, sizes in (("IEEE_F", (16, 32, 64)),
                        ("STD_I", (8, 16, 32, 64)),
                        ("STD_U", (8, 16, 32, 64)))
    for bits in sizes for order in ("LE", "BE")
    if hasattr(h5py.h5t, f"{kind}{bits}{order}"))


def _standard_type(dataset):
    """Whether the stored type is an IEEE float, a plain integer or h5py's
    boolean enum (no custom bit layouts for HDF5 to convert)."""
    tid = dataset.id.get_type()
    if isinstance(tid, h5py.h5t.TypeEnumID):
        tid = tid.get_super()
    return any(tid.equal(t) for t in _STANDARD_TYPES)


def check_dataset(path, dataset, file_size):
    """Checks what ``dataset`` declares against what the file holds,
    without reading its values; returns the bytes it declares.

    Its type must be a plain number, its data inside this file (not
    external, not virtual) and fully stored: a contiguous dataset's bytes
    lie within the file; a chunked one has every chunk written (unwritten
    chunks read as fill values: a bomb), known filters and at most
    ``MAX_COMPRESSION_RATIO`` times the bytes it stores.

    Raises:
        _Problem: naming the dataset, what it declares and what is wrong.
    """
    dtype = dataset.dtype
    if dtype.kind not in "biuf" or not _standard_type(dataset):
        raise _Problem(f"dataset '{path}' has type {dtype}; weights are "
                       "plain numbers (IEEE floats, integers, booleans).")
    shape = dataset.shape
    if shape is None or len(shape) > MAX_RANK:
        raise _Problem(f"dataset '{path}' has no array shape ({shape}).")
    nbytes = math.prod(shape) * dtype.itemsize
    what = (f"dataset '{path}' declares shape {tuple(shape)} of {dtype} "
            f"({nbytes} bytes)")
    plist = dataset.id.get_create_plist()
    layout = plist.get_layout()
    if plist.get_external_count():
        raise _Problem(f"{what} stored in external files; data outside "
                       "this file is refused.")
    if layout not in (h5py.h5d.COMPACT, h5py.h5d.CONTIGUOUS,
                      h5py.h5d.CHUNKED):
        raise _Problem(f"{what} with storage layout {layout} (virtual?); "
                       "only data stored in this file is read.")
    if nbytes == 0:
        return 0
    stored = dataset.id.get_storage_size()
    if layout == h5py.h5d.CHUNKED:
        _check_chunks(what, dataset, plist, nbytes, stored, file_size)
        return nbytes
    if stored != nbytes:
        raise _Problem(f"{what}, but the file stores {stored} bytes for it "
                       "(unwritten or damaged; not read).")
    offset = dataset.id.get_offset()
    if layout == h5py.h5d.CONTIGUOUS and (
            offset is None or offset + nbytes > file_size):
        raise _Problem(f"{what} at offset {offset}, past the end of the "
                       f"{file_size}-byte file (truncated or damaged).")
    return nbytes


def _check_chunks(what, dataset, plist, nbytes, stored, file_size):
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    unknown = [f for f in filters if f not in KNOWN_FILTERS]
    if unknown:
        raise _Problem(f"{what}, compressed with unknown filter(s) "
                       f"{unknown}; only HDF5's own filters are used.")
    chunk = dataset.chunks
    if not chunk or min(chunk) < 1 or len(chunk) != len(dataset.shape) or (
            math.prod(chunk) * dataset.dtype.itemsize > MAX_CHUNK_BYTES):
        raise _Problem(f"{what} in chunks of shape {chunk}, which cannot "
                       "be right.")
    expected = math.prod(-(-s // c) for s, c in zip(dataset.shape, chunk))
    written = dataset.id.get_num_chunks()
    if written != expected:
        raise _Problem(f"{what} in {expected} chunks, but the file stores "
                       f"{written} (unwritten chunks read as fill values; "
                       "not read).")
    if stored > file_size or nbytes > max(stored, 1) * (
            MAX_COMPRESSION_RATIO if filters else 1):
        raise _Problem(f"{what}, but the file stores {stored} bytes for it "
                       f"in a {file_size}-byte file (more than compression "
                       "can explain; not read).")


def _exercise_chunks(path, dataset, progress):
    """Reads a chunked dataset chunk by chunk (the chunk index and the
    filters run here, in the worker, memory bounded by one chunk)."""
    if dataset.chunks is None or dataset.size == 0:
        return
    try:
        for selection in dataset.iter_chunks():
            dataset[selection]
            progress()
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as e:
        raise _Problem(f"dataset '{path}' cannot be read (corrupt chunk "
                       f"data): {e}") from None


def _lengths_size(raw):
    """The file's "size of lengths" from its superblock, or None."""
    for base in (0, 512, 1024, 2048):
        if raw[base:base + 8] == HDF5_MAGIC and len(raw) > base + 14:
            version = raw[base + 8]
            return raw[base + (14 if version < 2 else 10)]
    return None


def _check_heaps(raw):
    """Refuses a global heap collection ("GCOL", version 1) that HDF5
    would decode without end (an object of size 0) or past its end.

    HDF5 reads a collection when a variable-length string points into it
    (``H5HG__cache_heap_deserialize``); it walks its objects by their
    sizes, and a zeroed header (index 0, size 0) never advances. Every
    candidate in the file is checked, so a pointer into any of them is
    safe. Sound collections have neither defect; a chance match in weight
    data ("GCOL", version 1, then a size that fits in the file, then a
    defect) is too rare to matter (about 2**-40 per byte for the first
    five bytes alone).
    """
    width = _lengths_size(raw)
    if width not in (2, 4, 8):
        return  # HDF5 refuses the file itself
    unpack = {2: "<H", 4: "<I", 8: "<Q"}[width]
    header = 8 + width
    position = raw.find(b"GCOL\x01")
    while position >= 0:
        start = position
        position = raw.find(b"GCOL\x01", position + 1)
        if start + header > len(raw):
            continue
        (size,) = struct.unpack_from(unpack, raw, start + 8)
        end = start + size
        if end > len(raw):
            continue  # HDF5 stops: past the end of the file
        _walk_collection(raw, start, start + header, end, width, unpack)


def _walk_collection(raw, start, p, end, width, unpack):
    object_header = 8 + width
    while p < end:
        if p + object_header > end:
            return  # the tail is free space
        (index,) = struct.unpack_from("<H", raw, p)
        (size,) = struct.unpack_from(unpack, raw, p + 8)
        need = size if index == 0 else object_header + -(-size // 8) * 8
        if need == 0 or p + need > end:
            raise _Problem(
                f"the global heap collection at byte {start} is damaged "
                f"(object {index} at byte {p} has size {size}, which HDF5 "
                "would decode without end or past the collection).")
        p += need


def _check_path(path, progress=lambda: None):
    """The whole validation of the file at ``path``: None, or the
    problem's message."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as raw_file:
            raw = (mmap.mmap(raw_file.fileno(), 0, access=mmap.ACCESS_READ)
                   if size else b"")
        try:
            _check_heaps(raw)
        finally:
            if size:
                raw.close()
        progress()
        with h5py.File(path, "r") as f:
            check_structure(f, size, progress)
    except _Problem as e:
        return str(e)
    except MemoryError:
        return "the HDF5 structure needs more memory than it should " \
               "(damaged)."
    except Exception as e:  # noqa: BLE001 - any library error is a finding
        return (f"the HDF5 structure cannot be read (truncated or "
                f"corrupt): {type(e).__name__}: {e}")[:2000]
    return None


# ----------------------------------------------------------------------
# The worker.

_BOOT = """
import json, sys, types
setup = json.loads(sys.argv[1])
sys.path[:] = setup["path"]
for name, where in setup["packages"]:
    package = types.ModuleType(name)
    package.__path__ = [where]
    sys.modules[name] = package
from torchkeras.saving import file_format
file_format.serve()
"""


def serve():
    """The worker's loop: one JSON request per line on stdin (``{"path":
    ...}``), answered by ``+`` lines while it makes progress, then one
    JSON line (``{"problem": None or message}``).

    Started by ``_Guard`` with only this module and ``errors`` importable
    from torchkeras (no torch). Ends at the end of its input.
    """
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing else may write to the answers
    _limit_memory()
    answers.write(b"ready\n")
    answers.flush()
    def progress():
        answers.write(b"+\n")
        answers.flush()

    for line in sys.stdin.buffer:
        problem = _check_path(json.loads(line)["path"], progress)
        answers.write(json.dumps({"problem": problem}).encode("utf8")
                      + b"\n")
        answers.flush()


def _limit_memory():
    """Caps the worker's address space at what it uses plus 4 GiB, so an
    allocation inside HDF5 fails there instead of taking the machine."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = used + 4 * 2**30
        if soft != resource.RLIM_INFINITY:
            limit = min(limit, soft)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # not Linux: no cap


class _Guard:
    """This process's worker (module docstring): started on first use,
    replaced after it was killed or died, forgotten by a forked child
    (which starts its own)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._process = None
        self._inherited = []  # a parent's workers, kept from the GC
        self.in_process = False  # True once a worker could not start

    def check(self, path):
        """None, or the problem with the HDF5 file at ``path``."""
        seconds = CHECK_SECONDS + os.path.getsize(path) / (
            CHECK_BYTES_PER_SECOND)
        request = (json.dumps({"path": path}) + "\n").encode("utf8")
        with self._lock:
            for _ in range(2):  # a worker may have died since its last use
                process = self._worker()
                if process is None:
                    break
                try:
                    process.stdin.write(request)
                    process.stdin.flush()
                except OSError:
                    self._stop()
                    continue
                try:
                    line = _answer(process, seconds)
                except BaseException:  # interrupted: its answer is stale
                    self._stop()
                    raise
                if not line:
                    self._stop()
                    return ("the HDF5 library made no progress reading "
                            f"the structure for {seconds:.1f} s, or "
                            "crashed (a damaged file can make it loop); "
                            "the file is not read.")
                return json.loads(line)["problem"]
        return _check_path(path)

    def _worker(self):
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        if self.in_process:
            return None
        here = os.path.dirname(os.path.abspath(__file__))
        setup = {"path": [p for p in sys.path if isinstance(p, str)],
                 "packages": [["torchkeras", os.path.dirname(here)],
                              ["torchkeras.saving", here]]}
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, json.dumps(setup)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, close_fds=True)
        except (OSError, ValueError):
            self.in_process = True
            return None
        if _read_line(self._process, STARTUP_SECONDS) != b"ready\n":
            self._stop()
            self.in_process = True
            return None
        return self._process

    def _stop(self):
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self):
        """Ends the worker (at exit): its input closes, it returns."""
        with self._lock:
            process = self._process
            if process is None:
                return
            try:
                process.stdin.close()
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self._stop()

    def forget(self):
        """In a forked child: the worker is the parent's (its answers go
        to the parent), and the lock may have been held at the fork."""
        self._lock = threading.Lock()
        if self._process is not None:
            self._inherited.append(self._process)
        self._process = None


def _answer(process, seconds):
    """The worker's answer line, or b'' when it stays silent (no answer,
    no progress) for ``seconds``."""
    while True:
        line = _read_line(process, seconds)
        if line != b"+\n":
            return line


def _read_line(process, seconds):
    """The worker's next line, or b'' when none comes within ``seconds``
    (a thread waits: pipes cannot be polled on every platform)."""
    box = []
    reader = threading.Thread(
        target=lambda: box.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return box[0] if box else b""


_GUARD = _Guard()
atexit.register(_GUARD.close)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_GUARD.forget)
