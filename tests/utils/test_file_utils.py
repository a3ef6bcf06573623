"""`utils.get_file`: cache, hashes, atomic and resumable downloads, safe
extraction, and the no-network message -- all offline.

Sockets are blocked for every test here: origins are ``file://`` URLs or a
fake `urlopen`; hashes are computed with `hashlib` directly.
"""

import email.message
import hashlib
import io
import os
import socket
import tarfile
import urllib.error
import urllib.request
import zipfile

import pytest

from torchkeras.utils import file_utils
from torchkeras.utils.file_utils import get_file


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in tests")


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))


def _source(tmp_path, name="payload.bin", data=None):
    data = data if data is not None else bytes(range(256)) * 300
    path = tmp_path / "server" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, data


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


class _FakeResponse:
    """An HTTP response over `body`, honouring or ignoring `Range`."""

    def __init__(self, body, status=200, fail_after=None, headers=None):
        self._stream = io.BytesIO(body)
        self.status = status
        self._fail_after = fail_after
        self._sent = 0
        self.headers = email.message.Message()
        self.headers["Content-Length"] = str(len(body))
        for key, value in (headers or {}).items():
            self.headers[key] = value

    def read(self, n=-1):
        if self._fail_after is not None and self._sent >= self._fail_after:
            raise ConnectionResetError("connection reset by peer")
        limit = n if self._fail_after is None else min(
            n, self._fail_after - self._sent)
        chunk = self._stream.read(limit)
        self._sent += len(chunk)
        return chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_downloads_file_url_into_keras_home(tmp_path):
    src, data = _source(tmp_path)
    path = get_file("payload.bin", origin=src.as_uri(),
                    file_hash=_sha256(data))
    expected = tmp_path / "keras_home" / "datasets" / "payload.bin"
    assert path == str(expected)
    assert expected.read_bytes() == data
    assert not os.path.exists(path + ".part")


def test_fname_defaults_to_origin_name_and_cache_dir_arguments(tmp_path):
    src, _ = _source(tmp_path, "named.txt", b"hello")
    path = get_file(origin=src.as_uri(), cache_dir=tmp_path / "c",
                    cache_subdir="sub")
    assert path == str(tmp_path / "c" / "sub" / "named.txt")
    assert _read(path) == b"hello"


def test_cached_file_with_good_hash_is_used_without_download(
        tmp_path, monkeypatch):
    data = b"cached bytes"
    cached = tmp_path / "keras_home" / "datasets" / "f.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(data)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    path = get_file("f.bin", origin="https://example.com/f.bin",
                    file_hash=_sha256(data))
    assert path == str(cached)


def test_absolute_fname_is_used_as_is(tmp_path, monkeypatch):
    data = b"placed by hand"
    placed = tmp_path / "elsewhere" / "mnist.npz"
    placed.parent.mkdir()
    placed.write_bytes(data)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    path = get_file(str(placed), origin="https://example.com/mnist.npz",
                    file_hash=_sha256(data))
    assert path == str(placed)


def test_md5_hash_is_accepted(tmp_path):
    src, data = _source(tmp_path)
    md5 = hashlib.md5(data).hexdigest()
    path = get_file("m.bin", origin=src.as_uri(), md5_hash=md5)
    assert _read(path) == data
    assert file_utils.validate_file(path, md5)
    assert file_utils.hash_file(path, "md5") == md5


def test_checksum_failure_keeps_nothing(tmp_path):
    src, data = _source(tmp_path)
    with pytest.raises(ValueError, match="file hash") as info:
        get_file("bad.bin", origin=src.as_uri(), file_hash="0" * 64)
    assert _sha256(data) in str(info.value)
    datadir = tmp_path / "keras_home" / "datasets"
    assert not (datadir / "bad.bin").exists()
    assert not (datadir / "bad.bin.part").exists()


def test_no_network_error_names_file_and_place(tmp_path):
    origin = "https://storage.example.com/datasets/thing.npz"
    expected = tmp_path / "keras_home" / "datasets" / "thing.npz"
    with pytest.raises(OSError) as info:
        get_file("thing.npz", origin=origin, file_hash="a" * 64)
    message = str(info.value)
    assert origin in message
    assert f"place it at:\n    {expected}\n" in message
    assert "a" * 64 in message
    assert not expected.exists()


def test_stale_cached_file_without_network_says_replace_it(tmp_path):
    cached = tmp_path / "keras_home" / "datasets" / "s.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"outdated")
    with pytest.raises(OSError, match="replace it") as info:
        get_file("s.bin", origin="https://example.com/s.bin",
                 file_hash="b" * 64)
    assert str(cached) in str(info.value)
    assert cached.read_bytes() == b"outdated"  # not clobbered


def test_interrupted_download_is_kept_and_resumed(tmp_path, monkeypatch):
    data = bytes(range(256)) * 1000
    requests = []

    def flaky(request, timeout=None):
        requests.append(request.get_header("Range"))
        if len(requests) == 1:
            return _FakeResponse(data, fail_after=100_000)
        start = int(request.get_header("Range")[len("bytes="):-1])
        return _FakeResponse(data[start:], status=206, headers={
            "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})

    monkeypatch.setattr(urllib.request, "urlopen", flaky)
    target = tmp_path / "keras_home" / "datasets" / "big.bin"
    with pytest.raises(OSError, match="resumes it"):
        get_file("big.bin", origin="https://example.com/big.bin",
                 file_hash=_sha256(data))
    assert not target.exists()
    part = target.with_name("big.bin.part")
    assert part.read_bytes() == data[:100_000]
    path = get_file("big.bin", origin="https://example.com/big.bin",
                    file_hash=_sha256(data))
    assert requests == [None, "bytes=100000-"]
    assert _read(path) == data
    assert not part.exists()


def test_server_ignoring_range_restarts_from_zero(tmp_path, monkeypatch):
    data = b"x" * 5000 + b"y" * 5000
    part = tmp_path / "keras_home" / "datasets" / "r.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"garbage!")
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda request, timeout=None: _FakeResponse(data))
    path = get_file("r.bin", origin="https://example.com/r.bin",
                    file_hash=_sha256(data))
    assert _read(path) == data


def test_http_error_reports_code(tmp_path, monkeypatch):
    def not_found(request, timeout=None):
        raise urllib.error.HTTPError(
            request.full_url, 404, "Not Found", email.message.Message(),
            None)

    monkeypatch.setattr(urllib.request, "urlopen", not_found)
    with pytest.raises(OSError, match="404 -- Not Found"):
        get_file("x.bin", origin="https://example.com/x.bin")


def test_force_download_refetches(tmp_path):
    src, _ = _source(tmp_path, data=b"new")
    cached = tmp_path / "keras_home" / "datasets" / "payload.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"old")
    assert _read(get_file("payload.bin", origin=src.as_uri())) == b"old"
    path = get_file("payload.bin", origin=src.as_uri(), force_download=True)
    assert _read(path) == b"new"


def _tar_gz(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_extract_uses_keras3_layout(tmp_path):
    archive = tmp_path / "server" / "data.tar.gz"
    archive.parent.mkdir()
    _tar_gz(archive, {"data/a.txt": b"A", "data/b/c.txt": b"C"})
    path = get_file("data.tar.gz", origin=archive.as_uri(), extract=True)
    datadir = tmp_path / "keras_home" / "datasets"
    assert path == str(datadir / "data_extracted")
    assert (datadir / "data_extracted" / "data" / "b" / "c.txt"
            ).read_bytes() == b"C"
    assert (datadir / "data.tar.gz").is_file()
    path = get_file("noext", origin=archive.as_uri(), extract=True)
    assert path == str(datadir / "noext")
    assert (datadir / "noext_archive").is_file()
    assert (datadir / "noext" / "data" / "a.txt").read_bytes() == b"A"


def test_untar_uses_tf_keras2_layout(tmp_path):
    archive = tmp_path / "server" / "pack.tar.gz"
    archive.parent.mkdir()
    _tar_gz(archive, {"pack/x.txt": b"X"})
    path = get_file("pack", origin=archive.as_uri(), untar=True,
                    file_hash=_sha256(archive.read_bytes()))
    datadir = tmp_path / "keras_home" / "datasets"
    assert path == str(datadir / "pack")
    assert (datadir / "pack.tar.gz").is_file()
    assert (datadir / "pack" / "x.txt").read_bytes() == b"X"
    assert sorted(os.listdir(datadir)) == ["pack", "pack.tar.gz"]


def test_zip_extraction(tmp_path):
    archive = tmp_path / "server" / "z.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner/file.txt", "zipped")
    path = get_file("z.zip", origin=archive.as_uri(), extract=True)
    assert _read(os.path.join(path, "inner", "file.txt")) == b"zipped"


def test_tar_members_escaping_the_folder_are_skipped(tmp_path):
    archive = tmp_path / "server" / "evil.tar"
    archive.parent.mkdir()
    outside = tmp_path / "keras_home" / "datasets" / "escaped.txt"
    with tarfile.open(archive, "w") as tar:
        for name in ("../escaped.txt", str(tmp_path / "abs.txt"),
                     "ok/fine.txt"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"!"))
        link = tarfile.TarInfo("ok/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../../../outside"
        tar.addfile(link)
    with pytest.warns(UserWarning, match="Skipping invalid path") as record:
        path = get_file("evil.tar", origin=archive.as_uri(), extract=True)
    assert len(record) == 3
    assert os.listdir(os.path.join(path, "ok")) == ["fine.txt"]
    assert not outside.exists()
    assert not (tmp_path / "abs.txt").exists()


def test_bad_arguments():
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="hash_algorithm='sha1'"):
        get_file("x", origin="file:///x", hash_algorithm="sha1")
    with pytest.raises(ValueError, match="archive_format"):
        file_utils.extract_archive(__file__, ".", archive_format="rar")


def test_keras_home_default(monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    assert file_utils.keras_home() == os.path.join(
        os.path.expanduser("~"), ".keras")
