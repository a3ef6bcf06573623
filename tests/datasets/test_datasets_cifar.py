"""cifar10 / cifar100 loaders, offline, on archives in Keras's format.

The batches are pickles of ``{b"data": uint8 (n, 3072), b"labels": [...],
...}``: one assembled opcode by opcode the way Python 2's cPickle wrote
the real files (``BINSTRING`` bytes, ``numpy.core.multiarray``), the
others written by Python 3's `pickle` at protocol 2. The reference reads
the same trusted bytes with `pickle.loads(encoding="bytes")` and applies
Keras's reshape/transpose. Sockets are blocked.
"""

import hashlib
import io
import os
import pickle
import socket
import struct
import tarfile
import warnings

import numpy as np
import pytest

from torchkeras.backend import config
from torchkeras.datasets import cifar
from torchkeras.datasets import cifar10
from torchkeras.datasets import cifar100


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in tests")


@pytest.fixture(autouse=True)
def datadir(monkeypatch, tmp_path):
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "datasets"


def _s(text):
    """SHORT_BINSTRING: a Python 2 `str`."""
    return b"U" + bytes([len(text)]) + text


def _py2_batch(data, labels, label_key=b"labels"):
    """A protocol-2 pickle as Python 2 cPickle + NumPy 1 wrote it."""
    n = data.shape[0]
    dtype = (b"cnumpy\ndtype\n" + _s(b"u1") + b"K\x00K\x01\x87R"
             + b"(K\x03" + _s(b"|") + b"NNN" + b"J\xff\xff\xff\xff" * 2
             + b"K\x00tb")
    array = (b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
             + b"K\x00\x85" + _s(b"b") + b"\x87R"
             + b"(K\x01" + b"K" + bytes([n]) + b"M\x00\x0c\x86" + dtype
             + b"\x89T" + struct.pack("<i", data.nbytes) + data.tobytes()
             + b"tb")
    label_list = b"](" + b"".join(b"K" + bytes([v]) for v in labels) + b"e"
    return (b"\x80\x02}(" + _s(b"batch_label") + _s(b"testing batch 1")
            + _s(label_key) + label_list + _s(b"data") + array
            + _s(b"filenames") + b"](" + _s(b"a.png") + b"eu.")


def _reference_batch(stream, label_key=b"labels"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy.core
        batch = pickle.loads(stream, encoding="bytes")
    data = batch[b"data"]
    return data.reshape(len(data), 3, 32, 32), batch[label_key]


def _batches(rng, names, n=3, label_keys=(b"labels",), py2=()):
    streams = {}
    for name in names:
        data = rng.randint(0, 256, (n, 3072)).astype("uint8")
        if name in py2:
            streams[name] = _py2_batch(
                data, rng.randint(0, 10, n), label_keys[0])
            continue
        batch = {b"batch_label": name.encode(), b"data": data}
        for key in label_keys:
            batch[key] = [int(v) for v in rng.randint(0, 100, n)]
        streams[name] = pickle.dumps(batch, protocol=2)
    return streams


def _tar_gz(path, folder, streams):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, stream in streams.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(stream)
            tar.addfile(info, io.BytesIO(stream))


CIFAR10_NAMES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


@pytest.fixture
def cifar10_streams():
    return _batches(np.random.RandomState(0), CIFAR10_NAMES,
                    py2=("test_batch",))


def _expected_cifar10(streams, channels_last=True):
    parts = [_reference_batch(streams[n]) for n in CIFAR10_NAMES]
    x_train = np.concatenate([x for x, _ in parts[:5]])
    y_train = np.concatenate([y for _, y in parts[:5]]).reshape(-1, 1)
    x_test, y_test = parts[5]
    if channels_last:
        x_train, x_test = (x.transpose(0, 2, 3, 1) for x in (x_train, x_test))
    return ((x_train, y_train.astype("uint8")),
            (x_test, np.reshape(y_test, (-1, 1)).astype("uint8")))


def _assert_equal(result, expected):
    for got, want in zip(result, expected):
        for g, w in zip(got, want):
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_array_equal(g, w)


def test_py2_style_batch_is_read_like_pickle(tmp_path):
    data = np.arange(2 * 3072, dtype="uint8").reshape(2, 3072) % 251
    path = tmp_path / "batch"
    path.write_bytes(_py2_batch(data, [4, 7]))
    x, labels = cifar.load_batch(path)
    x_ref, labels_ref = _reference_batch(path.read_bytes())
    np.testing.assert_array_equal(x, x_ref)
    assert labels == labels_ref == [4, 7]


def test_cifar10_downloads_untars_and_loads(
        datadir, tmp_path, monkeypatch, cifar10_streams):
    archive = tmp_path / "server" / "cifar-10-python.tar.gz"
    _tar_gz(archive, "cifar-10-batches-py", cifar10_streams)
    monkeypatch.setattr(cifar10, "_ORIGIN", archive.as_uri())
    monkeypatch.setattr(cifar10, "_SHA256",
                        hashlib.sha256(archive.read_bytes()).hexdigest())
    result = cifar10.load_data()
    assert result[0][0].shape == (15, 32, 32, 3)
    _assert_equal(result, _expected_cifar10(cifar10_streams))
    assert (datadir / "cifar-10-batches-py.tar.gz").is_file()
    assert (datadir / "cifar-10-batches-py" / "test_batch").is_file()


def test_cifar10_channels_first(datadir, cifar10_streams):
    folder = datadir / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name, stream in cifar10_streams.items():
        (folder / name).write_bytes(stream)
    config.set_image_data_format("channels_first")
    try:
        result = cifar10.load_data()
    finally:
        config.set_image_data_format("channels_last")
    _assert_equal(result, _expected_cifar10(cifar10_streams, False))


def test_cifar10_reuses_keras3_extracted_folder(datadir, cifar10_streams):
    folder = datadir / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name, stream in cifar10_streams.items():
        (folder / name).write_bytes(stream)
    _assert_equal(cifar10.load_data(), _expected_cifar10(cifar10_streams))


def test_cifar10_reuses_keras3_archive(datadir, monkeypatch,
                                       cifar10_streams):
    archive = datadir / "cifar-10-batches-py-target_archive"
    _tar_gz(archive, "cifar-10-batches-py", cifar10_streams)
    monkeypatch.setattr(cifar10, "_SHA256",
                        hashlib.sha256(archive.read_bytes()).hexdigest())
    _assert_equal(cifar10.load_data(), _expected_cifar10(cifar10_streams))


def test_cifar10_no_network_names_the_archive_place(datadir):
    with pytest.raises(OSError) as info:
        cifar10.load_data()
    place = datadir / "cifar-10-batches-py.tar.gz"
    assert f"place it at:\n    {place}\n" in str(info.value)


def test_hostile_batch_is_refused_without_running(datadir, tmp_path,
                                                  cifar10_streams):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    folder = datadir / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name, stream in cifar10_streams.items():
        (folder / name).write_bytes(stream)
    (folder / "data_batch_3").write_bytes(pickle.dumps({b"data": Payload()}))
    with pytest.raises(ValueError, match="data_batch_3"):
        cifar10.load_data()
    assert not marker.exists()


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_label_modes(datadir, label_mode):
    streams = _batches(np.random.RandomState(1), ["train", "test", "meta"],
                       label_keys=(b"fine_labels", b"coarse_labels"))
    folder = datadir / "cifar-100-python"
    folder.mkdir(parents=True)
    for name, stream in streams.items():
        (folder / name).write_bytes(stream)
    key = f"{label_mode}_labels".encode()
    expected = []
    for name in ("train", "test"):
        x, y = _reference_batch(streams[name], key)
        expected.append((x.transpose(0, 2, 3, 1), np.reshape(y, (-1, 1))))
    _assert_equal(cifar100.load_data(label_mode), expected)
    with pytest.raises(ValueError, match="label_mode=medium"):
        cifar100.load_data("medium")
