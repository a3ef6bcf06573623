"""Reading Keras's dataset files without running code from them.

Keras's ``imdb.npz`` and ``reuters.npz`` store ragged sequences as NumPy
object arrays, which ``.npy`` can only hold as a pickle stream, and the
CIFAR batches are Python 2 pickles of a dict holding a NumPy array. Keras
reads them with ``np.load(allow_pickle=True)`` or an unpickler that hands
the stream's state to NumPy's own ``ndarray.__setstate__``.

Here no pickle stream ever reaches a real class: the only globals a stream
may name (``numpy.ndarray``, ``numpy.dtype``, ``multiarray._reconstruct``
and ``_codecs.encode`` with ``latin1``, exactly what NumPy writes for an
array) resolve to inert placeholders in this module. Everything else a
stream can build is a Python literal (lists, dicts, tuples, numbers, strings,
bytes). After loading, each placeholder is checked -- a plain numeric or
object dtype, a shape and a buffer that agree -- and rebuilt with
``np.frombuffer`` or by filling an object array. A stream naming any other
global (``os.system``, ``builtins.eval``, ...) is refused.

Numeric ``.npy`` members are read with ``allow_pickle=False``.
"""

import io
import math
import pickle
import zipfile

import numpy as np

# A member declaring more than 4 GiB at over 100x its stored size is
# refused as a decompression bomb (Keras `datasets/npz_utils.py` does too).
_BOMB_FLOOR_BYTES = 1 << 32
_BOMB_MAX_RATIO = 100
_PLAIN_KINDS = "biufcO"
_LITERALS = (int, float, complex, str, bytes, bytearray, type(None))
_SPEC_CHARS = frozenset("<>|=bBhHiIlLqQefdgFDGuicO0123456789?")


class _NdarrayType:
    """Stands for `numpy.ndarray`, the first argument of `_reconstruct`."""


_NDARRAY = _NdarrayType()


class _DtypePlaceholder:
    """What `numpy.dtype(spec, align, copy)` in a stream turns into."""

    def __init__(self, spec):
        if isinstance(spec, bytes):
            spec = spec.decode("latin1")
        if not isinstance(spec, str) or len(spec) > 8 or not set(
                spec) <= _SPEC_CHARS:
            raise pickle.UnpicklingError(f"bad dtype spec {spec!r}")
        self.spec = spec
        self.byteorder = "|"

    def __setstate__(self, state):
        # (version, byteorder, subarray, names, fields, elsize, alignment,
        #  flags): only plain dtypes, no structured or sub-array ones.
        if not isinstance(state, tuple) or len(state) < 5 or any(
                item is not None for item in state[2:5]):
            raise pickle.UnpicklingError("only plain dtypes are allowed")
        order = state[1]
        self.byteorder = order.decode("latin1") if isinstance(
            order, bytes) else order

    def to_numpy(self):
        dtype = np.dtype(self.spec)
        if dtype.kind not in _PLAIN_KINDS or dtype.fields is not None or (
                dtype.subdtype is not None):
            raise pickle.UnpicklingError(f"dtype {self.spec!r} not allowed")
        if self.byteorder in ("<", ">"):
            dtype = dtype.newbyteorder(self.byteorder)
        return dtype


class _ArrayPlaceholder:
    """What `_reconstruct(ndarray, (0,), b"b")` in a stream turns into."""

    state = None

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise pickle.UnpicklingError("bad ndarray state")
        self.state = state[-4:]  # drop the version of 5-item states


def _reconstruct(subtype, shape, typecode):
    if subtype is not _NDARRAY:
        raise pickle.UnpicklingError("_reconstruct of a non-ndarray type")
    return _ArrayPlaceholder()


def _frombuffer(buffer, dtype, shape, order):
    # NumPy's protocol-5 spelling of a numeric array.
    placeholder = _ArrayPlaceholder()
    if isinstance(buffer, (bytearray, memoryview)):
        buffer = bytes(buffer)
    placeholder.__setstate__((shape, dtype, order == "F", buffer))
    return placeholder


def _dtype(spec, align=False, copy=True):
    return _DtypePlaceholder(spec)


def _encode(text, encoding):
    # Python 3 protocol-2 pickles spell `bytes` as _codecs.encode(s, latin1).
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError("only latin1 _codecs.encode is allowed")
    return text.encode("latin1")


_GLOBALS = {
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("_codecs", "encode"): _encode,
}


class _PlaceholderUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load the global `{module}.{name}`") from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("persistent ids are not allowed")


def _materialize(obj, memo):
    """Replaces placeholders by checked NumPy arrays, recursively."""
    key = id(obj)
    if key in memo:
        return memo[key]
    if isinstance(obj, _ArrayPlaceholder):
        memo[key] = result = _to_array(obj, memo)
    elif isinstance(obj, _DtypePlaceholder):
        memo[key] = result = obj.to_numpy()
    elif isinstance(obj, list):
        if all(type(item) is int for item in obj):
            # The common case (a review's word indices): nothing to
            # rebuild, and the list is fresh from the unpickler.
            return obj
        memo[key] = result = []
        result.extend(_materialize(item, memo) for item in obj)
    elif isinstance(obj, dict):
        memo[key] = result = {}
        for k, v in obj.items():
            result[_materialize(k, memo)] = _materialize(v, memo)
    elif isinstance(obj, tuple):
        memo[key] = result = tuple(_materialize(item, memo) for item in obj)
    elif isinstance(obj, (set, frozenset)):
        memo[key] = result = type(obj)(_materialize(i, memo) for i in obj)
    elif isinstance(obj, _LITERALS):
        result = obj
    else:
        raise pickle.UnpicklingError(f"{type(obj).__name__} is not data")
    return result


def _to_array(placeholder, memo):
    if placeholder.state is None:
        raise pickle.UnpicklingError("ndarray without state")
    shape, dtype, fortran, raw = placeholder.state
    if not isinstance(dtype, _DtypePlaceholder) or not isinstance(
            shape, tuple) or not all(
            isinstance(d, int) and d >= 0 for d in shape):
        raise pickle.UnpicklingError("bad ndarray shape or dtype")
    dtype = dtype.to_numpy()
    order = "F" if fortran else "C"
    count = math.prod(shape)
    if dtype.kind == "O":
        if not isinstance(raw, list) or len(raw) != count:
            raise pickle.UnpicklingError("object array data does not match")
        flat = np.empty(count, dtype=object)
        for i, item in enumerate(raw):
            flat[i] = _materialize(item, memo)
        return flat.reshape(shape, order=order)
    if isinstance(raw, str):
        raw = raw.encode("latin1")
    if not isinstance(raw, bytes) or len(raw) != count * dtype.itemsize:
        raise pickle.UnpicklingError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order=order).copy()


def loads_safely(data, encoding="ASCII"):
    """Unpickles `data` allowing only NumPy arrays and Python literals.

    Args:
        data: the pickle stream (bytes).
        encoding: how Python 2 ``str`` objects are decoded (``"bytes"``
            keeps them as bytes, as Keras does for the CIFAR batches).

    Raises:
        pickle.UnpicklingError: if the stream names anything else, or an
            array's parts do not agree.
    """
    unpickler = _PlaceholderUnpickler(io.BytesIO(data), encoding=encoding)
    try:
        return _materialize(unpickler.load(), {})
    except pickle.UnpicklingError:
        raise
    except RecursionError:
        raise pickle.UnpicklingError("the stream nests too deeply") from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError,
            KeyError) as e:
        # A malformed stream; UnicodeDecodeError is a ValueError.
        raise pickle.UnpicklingError(f"malformed pickle stream: {e}") from e


def load_pickle(path, encoding="bytes"):
    """Safely loads a pickled dataset file (a CIFAR batch) from `path`.

    Raises:
        ValueError: naming the file, if it is not a pickle of NumPy arrays
            and Python literals.
    """
    with open(path, "rb") as f:
        data = f.read()
    try:
        return loads_safely(data, encoding=encoding)
    except pickle.UnpicklingError as e:
        raise ValueError(
            f"Could not read the dataset file {path}: {e}. The file may be "
            "corrupted, or not the file Keras downloads."
        ) from e


def load_npz(path):
    """Loads every array of the ``.npz`` at `path`, without unsafe pickle.

    Numeric members are read with ``allow_pickle=False``; object-array
    members (ragged sequences) through `loads_safely`.

    Returns:
        A dict mapping each member name (without ``.npy``) to its array.

    Raises:
        ValueError: naming the file, if it is not such an archive.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                info.filename[: -len(".npy")]: _read_member(archive, info)
                for info in archive.infolist()
                if info.filename.endswith(".npy")
            }
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError,
            ValueError, TypeError, AttributeError, IndexError) as e:
        raise ValueError(
            f"Could not read the dataset file {path}: {e}. The file may be "
            "corrupted, or not the file Keras downloads."
        ) from e


def _read_member(archive, info):
    if (info.file_size > _BOMB_FLOOR_BYTES
            and info.file_size > _BOMB_MAX_RATIO * info.compress_size):
        raise ValueError(
            f"member {info.filename} declares {info.file_size} bytes but "
            f"stores {info.compress_size}: a decompression bomb")
    with archive.open(info) as member:
        data = member.read()
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        _, _, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        # Format 3.0 differs from 2.0 only by a utf-8 header text.
        _, _, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = loads_safely(stream.read(), encoding="latin1")
    if not isinstance(array, np.ndarray):
        raise ValueError(f"member {info.filename} is not an array")
    return array
