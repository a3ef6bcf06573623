"""mnist, fashion_mnist, boston_housing, imdb and reuters loaders, offline.

Each test writes small files in Keras's exact formats (``.npz`` written by
NumPy, object arrays of lists for imdb/reuters, gzip'd IDX, JSON word
indexes) under the Keras cache names in a temporary ``KERAS_HOME``, and
points the loader's checksum at them. References re-implement Keras's
post-processing (``keras/src/datasets/*.py``) on `np.load(allow_pickle=
True)` of those trusted files. Sockets are blocked.
"""

import gzip
import hashlib
import json
import socket
import struct

import numpy as np
import pytest

from torchkeras.datasets import boston_housing
from torchkeras.datasets import fashion_mnist
from torchkeras.datasets import imdb
from torchkeras.datasets import mnist
from torchkeras.datasets import reuters


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in tests")


@pytest.fixture(autouse=True)
def datadir(monkeypatch, tmp_path):
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    path = tmp_path / "datasets"
    path.mkdir()
    return path


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def _ragged(rng, count, vocabulary=40, longest=12):
    array = np.empty(count, dtype=object)
    for i in range(count):
        array[i] = [int(w) for w in
                    rng.randint(1, vocabulary, rng.randint(1, longest))]
    return array


# --- mnist -----------------------------------------------------------------

def test_mnist_reads_keras_npz(datadir, monkeypatch):
    rng = np.random.RandomState(0)
    arrays = {
        "x_train": rng.randint(0, 256, (6, 28, 28)).astype("uint8"),
        "y_train": rng.randint(0, 10, 6).astype("uint8"),
        "x_test": rng.randint(0, 256, (2, 28, 28)).astype("uint8"),
        "y_test": rng.randint(0, 10, 2).astype("uint8"),
    }
    np.savez_compressed(datadir / "mnist.npz", **arrays)
    monkeypatch.setattr(mnist, "_SHA256", _sha256(datadir / "mnist.npz"))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    for got, key in ((x_train, "x_train"), (y_train, "y_train"),
                     (x_test, "x_test"), (y_test, "y_test")):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, arrays[key])


def test_mnist_checksum_failure_without_network(datadir):
    np.savez(datadir / "mnist.npz", x_train=np.zeros(1))
    with pytest.raises(OSError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(datadir / "mnist.npz") in message
    assert mnist._SHA256 in message and "replace it" in message


def test_mnist_no_network_names_the_place(datadir):
    with pytest.raises(OSError) as info:
        mnist.load_data()
    assert f"place it at:\n    {datadir / 'mnist.npz'}\n" in str(info.value)
    assert "tf-keras-datasets/mnist.npz" in str(info.value)


# --- fashion_mnist ---------------------------------------------------------

def _idx(path, magic, array):
    header = struct.pack(">I", magic) + b"".join(
        struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype("uint8").tobytes())


def test_fashion_mnist_reads_idx_files(datadir, monkeypatch):
    folder = datadir / "fashion-mnist"
    folder.mkdir()
    rng = np.random.RandomState(1)
    expected = {
        "train-labels-idx1-ubyte.gz": (2049, rng.randint(0, 10, 5)),
        "train-images-idx3-ubyte.gz": (2051, rng.randint(0, 256,
                                                         (5, 28, 28))),
        "t10k-labels-idx1-ubyte.gz": (2049, rng.randint(0, 10, 3)),
        "t10k-images-idx3-ubyte.gz": (2051, rng.randint(0, 256,
                                                        (3, 28, 28))),
    }
    hashes = {}
    for name, (magic, array) in expected.items():
        _idx(folder / name, magic, array)
        hashes[name] = _sha256(folder / name)
    monkeypatch.setattr(fashion_mnist, "_FILE_HASHES", hashes)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (5, 28, 28) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(
        x_train, expected["train-images-idx3-ubyte.gz"][1])
    np.testing.assert_array_equal(
        y_train, expected["train-labels-idx1-ubyte.gz"][1])
    np.testing.assert_array_equal(
        x_test, expected["t10k-images-idx3-ubyte.gz"][1])
    np.testing.assert_array_equal(
        y_test, expected["t10k-labels-idx1-ubyte.gz"][1])


def test_fashion_mnist_foreign_file_is_named(datadir, monkeypatch):
    folder = datadir / "fashion-mnist"
    folder.mkdir()
    hashes = {}
    for name in fashion_mnist._FILE_HASHES:
        _idx(folder / name, 2049, np.zeros(4))  # labels magic everywhere
        hashes[name] = _sha256(folder / name)
    monkeypatch.setattr(fashion_mnist, "_FILE_HASHES", hashes)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        fashion_mnist.load_data()


# --- boston_housing --------------------------------------------------------

def test_boston_housing_split_matches_keras(datadir, monkeypatch):
    rng = np.random.RandomState(2)
    x, y = rng.rand(11, 13), rng.rand(11) * 50
    np.savez(datadir / "boston_housing.npz", x=x, y=y)
    monkeypatch.setattr(boston_housing, "_SHA256",
                        _sha256(datadir / "boston_housing.npz"))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(
        test_split=0.3, seed=7)
    order = np.arange(11)
    np.random.RandomState(7).shuffle(order)
    split = int(11 * (1 - 0.3))
    np.testing.assert_array_equal(x_train, x[order][:split])
    np.testing.assert_array_equal(y_train, y[order][:split])
    np.testing.assert_array_equal(x_test, x[order][split:])
    np.testing.assert_array_equal(y_test, y[order][split:])
    with pytest.raises(ValueError, match="test_split=1"):
        boston_housing.load_data(test_split=1)


# --- imdb ------------------------------------------------------------------

def _keras_imdb(path, num_words=None, skip_top=0, maxlen=None, seed=113,
                start_char=1, oov_char=2, index_from=3):
    """Keras 3 `imdb.load_data`'s steps, on NumPy's own loader."""
    with np.load(path, allow_pickle=True) as f:
        x_train, labels_train = f["x_train"], f["y_train"]
        x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x]
                   for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    else:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    if maxlen:
        keep = [i for i, x in enumerate(x_train) if len(x) < maxlen]
        x_train = [x_train[i] for i in keep]
        labels_train = [labels_train[i] for i in keep]
        keep = [i for i, x in enumerate(x_test) if len(x) < maxlen]
        x_test = [x_test[i] for i in keep]
        labels_test = [labels_test[i] for i in keep]
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x]
              for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


@pytest.fixture
def imdb_file(datadir, monkeypatch):
    rng = np.random.RandomState(3)
    path = datadir / "imdb.npz"
    np.savez(path, x_train=_ragged(rng, 9), y_train=rng.randint(0, 2, 9),
             x_test=_ragged(rng, 6), y_test=rng.randint(0, 2, 6))
    monkeypatch.setattr(imdb, "_NPZ_SHA256", _sha256(path))
    return path


def _assert_same(result, reference):
    for (x, y), (x_ref, y_ref) in zip(result, reference):
        assert x.dtype == object and x.ndim == 1
        assert [list(s) for s in x] == x_ref
        np.testing.assert_array_equal(y, y_ref)


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 20, "skip_top": 4},
    {"maxlen": 8, "seed": 5},
    {"start_char": None, "oov_char": None, "index_from": 0,
     "num_words": 30},
])
def test_imdb_matches_keras_post_processing(imdb_file, kwargs):
    _assert_same(imdb.load_data(**kwargs), _keras_imdb(imdb_file, **kwargs))


def test_imdb_legacy_and_unknown_kwargs(imdb_file):
    with pytest.warns(UserWarning, match="nb_words"):
        result = imdb.load_data(nb_words=15)
    _assert_same(result, _keras_imdb(imdb_file, num_words=15))
    with pytest.raises(TypeError, match="bogus"):
        imdb.load_data(bogus=1)
    with pytest.raises(ValueError, match="maxlen=2"):
        imdb.load_data(maxlen=2)


def test_imdb_word_index_is_json(datadir, monkeypatch):
    path = datadir / "imdb_word_index.json"
    path.write_text(json.dumps({"the": 1, "film": 2}))
    monkeypatch.setattr(imdb, "_WORD_INDEX_MD5", _md5(path))
    assert imdb.get_word_index() == {"the": 1, "film": 2}


# --- reuters ---------------------------------------------------------------

def _keras_reuters(path, num_words=None, skip_top=0, maxlen=None,
                   test_split=0.2, seed=113, start_char=1, oov_char=2,
                   index_from=3):
    """Keras 3 `reuters.load_data`'s steps, on NumPy's own loader."""
    with np.load(path, allow_pickle=True) as f:
        xs, labels = f["x"], f["y"]
    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = [[start_char] + [w + index_from for w in x] for x in xs]
    if maxlen:
        keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
        xs, labels = [xs[i] for i in keep], [labels[i] for i in keep]
    if not num_words:
        num_words = max(max(x) for x in xs)
    xs = [[w if skip_top <= w < num_words else oov_char for w in x]
          for x in xs]
    idx = int(len(xs) * (1 - test_split))
    return ((xs[:idx], np.array(labels[:idx])),
            (xs[idx:], np.array(labels[idx:])))


@pytest.mark.parametrize("kwargs", [
    {}, {"num_words": 25, "maxlen": 9, "test_split": 0.4, "seed": 1}])
def test_reuters_matches_keras_post_processing(datadir, monkeypatch, kwargs):
    rng = np.random.RandomState(4)
    path = datadir / "reuters.npz"
    np.savez(path, x=_ragged(rng, 12), y=rng.randint(0, 46, 12))
    monkeypatch.setattr(reuters, "_NPZ_SHA256", _sha256(path))
    _assert_same(reuters.load_data(**kwargs), _keras_reuters(path, **kwargs))


def test_reuters_word_index_and_labels(datadir, monkeypatch):
    path = datadir / "reuters_word_index.json"
    path.write_text(json.dumps({"oil": 1}))
    monkeypatch.setattr(reuters, "_WORD_INDEX_MD5", _md5(path))
    assert reuters.get_word_index() == {"oil": 1}
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn"
