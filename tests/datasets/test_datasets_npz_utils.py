"""`datasets.npz_utils`: Keras's object-array ``.npz`` files read without
running pickle code.

The reference is NumPy's own `np.load(allow_pickle=True)` on files this
test wrote itself (so trusted); hostile streams must be refused without
their payload running.
"""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from torchkeras.datasets import npz_utils


def _ragged(rng, count):
    array = np.empty(count, dtype=object)
    for i in range(count):
        array[i] = [int(w) for w in rng.randint(1, 90, rng.randint(0, 9))]
    return array


def test_object_and_numeric_members_match_numpy(tmp_path):
    rng = np.random.RandomState(0)
    path = tmp_path / "ragged.npz"
    np.savez(path, x=_ragged(rng, 7), y=rng.randint(0, 2, 7),
             f=np.asfortranarray(rng.rand(3, 4)),
             big=np.arange(6, dtype=">i4").reshape(2, 3))
    loaded = npz_utils.load_npz(path)
    with np.load(path, allow_pickle=True) as reference:
        assert sorted(loaded) == sorted(reference.files)
        for key in reference.files:
            expected = reference[key]
            assert loaded[key].dtype == expected.dtype
            assert loaded[key].shape == expected.shape
            if expected.dtype == object:
                assert [list(v) for v in loaded[key]] == [
                    list(v) for v in expected]
            else:
                np.testing.assert_array_equal(loaded[key], expected)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_loads_every_pickle_protocol(protocol):
    array = _ragged(np.random.RandomState(1), 4)
    data = {b"x": array, b"n": np.arange(5, dtype="u1"), b"s": [b"a", 1.5]}
    loaded = npz_utils.loads_safely(pickle.dumps(data, protocol=protocol))
    assert [list(v) for v in loaded[b"x"]] == [list(v) for v in array]
    np.testing.assert_array_equal(loaded[b"n"], np.arange(5, dtype="u1"))
    assert loaded[b"s"] == [b"a", 1.5]


class _Payload:
    """Would create a folder if its pickle were ever executed."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def _object_npy(stream):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    return header.getvalue() + stream


def test_hostile_member_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "hostile.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.npy", _object_npy(pickle.dumps(_Payload(str(marker)))))
    with pytest.raises(ValueError, match="refusing to load the global "
                       "`posix.mkdir`|`os.mkdir`") as info:
        npz_utils.load_npz(path)
    assert str(path) in str(info.value)
    assert not marker.exists()


def test_structured_dtype_and_mismatched_data_are_refused():
    structured = np.zeros(2, dtype=[("a", "i4"), ("b", "f4")])
    with pytest.raises(pickle.UnpicklingError):
        npz_utils.loads_safely(pickle.dumps(structured, protocol=2))
    stream = pickle.dumps(np.arange(4, dtype="i4"), protocol=2)
    # Claim 5 elements for the 16 bytes of 4.
    wrong_shape = stream.replace(b"K\x01K\x04\x85", b"K\x01K\x05\x85")
    assert wrong_shape != stream
    with pytest.raises(pickle.UnpicklingError, match="does not match"):
        npz_utils.loads_safely(wrong_shape)
    bad_utf8 = stream.replace(b"X\x01\x00\x00\x00b", b"X\x01\x00\x00\x00\xff")
    assert bad_utf8 != stream
    with pytest.raises(pickle.UnpicklingError, match="malformed"):
        npz_utils.loads_safely(bad_utf8)


def test_not_an_npz_names_the_file(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(ValueError, match="junk.npz"):
        npz_utils.load_npz(path)
