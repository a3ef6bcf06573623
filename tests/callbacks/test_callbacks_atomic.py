"""The callbacks' atomic writer: a failed or killed write never touches
the previous file."""

import os

import pytest
import torch

from torchkeras.callbacks import _atomic


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "state.pt"  # The folder is created.
    _atomic.save_tensors({"a": torch.arange(3), "n": 1}, str(path))
    _atomic.save_tensors({"a": torch.arange(4), "n": 2}, str(path))
    loaded = torch.load(path, weights_only=True)
    assert torch.equal(loaded["a"], torch.arange(4)) and loaded["n"] == 2
    assert os.listdir(path.parent) == ["state.pt"]


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "state.pt"
    _atomic.write_bytes(str(path), b"good")

    def fail_half_way(file, data):
        file.write(data[:2])
        raise OSError("disk full")

    monkeypatch.setattr(_atomic, "_write_all", fail_half_way)
    with pytest.raises(OSError, match="disk full"):
        _atomic.write_bytes(str(path), b"new content")
    assert path.read_bytes() == b"good"
    assert os.listdir(tmp_path) == ["state.pt"]


def test_temporary_lies_beside_the_destination(tmp_path):
    with _atomic.atomic_path(str(tmp_path / "w.weights.h5")) as temp:
        name = os.path.basename(temp)
        assert os.path.dirname(temp) == str(tmp_path)
        assert name.startswith(".w.weights.h5.tmp-")
        with open(temp, "wb") as file:
            file.write(b"x")
    assert (tmp_path / "w.weights.h5").read_bytes() == b"x"
    assert os.listdir(tmp_path) == ["w.weights.h5"]


def test_garbage_is_reported_with_the_file_name(tmp_path):
    path = tmp_path / "state.pt"
    path.write_bytes(b"\x80\x02garbage")
    with pytest.raises(ValueError, match="state.pt"):
        _atomic.load_tensors(str(path))


def test_loading_never_runs_code(tmp_path):
    path = tmp_path / "state.pt"
    torch.save({"fn": os.getcwd}, path)  # Needs pickle of a function.
    with pytest.raises(ValueError, match="not a torchkeras checkpoint"):
        _atomic.load_tensors(str(path))
