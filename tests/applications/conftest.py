"""Checks an application against real Keras 3, architecture by architecture.

`keras_match(module, fn, **kwargs)` (a fixture) asks one long-lived Keras
process (``keras_reference.py``; started once per session, skipped when no
Keras 3 Python is configured) to build the architecture with
``weights=None`` and a fixed seed, save its weights in both Keras layouts
and predict a seeded batch; then it checks torchkeras against that:

- ``weights="imagenet"`` asks the Keras cache (``$KERAS_HOME/models``) for
  the same file name, URL and published hash as Keras; the file Keras
  wrote is placed there under that name, and its real hash stands in for
  the published one, so the hash check still runs;
- the model has Keras's layers (op nodes aside, which Keras 3 does not
  list), name for name and class for class, with
  the same weight shapes (Keras layouts, from ``get_weights``), and the
  same parameter count;
- `preprocess_input` gives Keras's values, and predictions match Keras's
  to 1e-4 (relative to the outputs' magnitude);
- Keras 3's ``.weights.h5`` loads into the model (its weights zeroed
  first) to the same numbers (`path_weights`); `test_vgg.py` covers the
  constructors' ``weights=<path>`` itself, which is that same call.

Where Keras rejects the arguments for ImageNet weights, torchkeras must
raise the same `ValueError` message.
"""

import importlib
import json
import os
import re
import shutil
import subprocess
import urllib.error

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras.utils import file_utils

_WORKER = os.path.join(os.path.dirname(__file__), "keras_reference.py")


class _KerasProcess:
    def __init__(self, python):
        env = dict(os.environ, KERAS_BACKEND="numpy", JAX_PLATFORMS="cpu",
                   CUDA_VISIBLE_DEVICES="-1")
        self.proc = subprocess.Popen(
            [python, _WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env)

    def ask(self, request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("the Keras reference process exited")
        answer = json.loads(line)
        if "failure" in answer:
            raise AssertionError(f"Keras failed: {answer['failure']}")
        return answer

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network and an empty Keras cache (``$KERAS_HOME`` = tmp_path):
    a download attempt fails at once, whatever the machine can reach."""
    def urlopen(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(file_utils.urllib.request, "urlopen", urlopen)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def keras_process():
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("Keras 3 is not installed (set TORCHKERAS_KERAS_PYTHON "
                    "to a Python that has keras; .ci/run does)")
    process = _KerasProcess(python)
    yield process
    process.close()


def _describe(model):
    # Keras 3 keeps operations on symbolic tensors (`x + y`, `x * 0.5`)
    # out of `model.layers`; torchkeras lists them as weightless op nodes,
    # as tf.keras 2 did (`TFOpLambda`).
    return [[layer.name, type(layer).__name__,
             [list(w.shape) for w in layer.get_weights()]]
            for layer in model.layers if type(layer).__name__ != "TFOpLambda"]


def _assert_close(ours, ref, what, relative=False):
    ours = np.asarray(ours, dtype="float64")
    ref = np.asarray(ref, dtype="float64")
    assert ours.shape == ref.shape, (what, ours.shape, ref.shape)
    scale = float(np.abs(ref).max())
    scale = scale if relative else max(1.0, scale)
    err = float(np.abs(ours - ref).max())
    assert err <= 1e-4 * scale, (
        f"{what}: max |torchkeras - Keras| = {err:.3g} "
        f"(outputs up to {scale:.3g})")


@pytest.fixture
def keras_match(keras_process, tmp_path, monkeypatch):
    """Returns ``check(module, fn, input_size=None, batch=2,
    path_weights=True, damp=None, via_cache=True, **kwargs)``; it runs
    the checks in this module's docstring and returns the model loaded
    through the cache.

    ``via_cache=False`` checks the ImageNet request but answers it with
    the file Keras wrote, without copying and hashing it in the cache (for
    the largest models). ``damp={"pattern": regex, "factor": f}`` scales
    the gamma of the BatchNormalization layers so named in the weights
    both sides load: a deep network with random weights can be chaotic
    (EfficientNetV2L's output changes completely for a 1e-10 change of its
    input, in float64 too), and then predictions tell nothing; its damped
    outputs are small, so they are compared relative to their
    magnitude."""
    from torchkeras.applications import _common

    def check(module_name, fn_name, input_size=None, batch=2,
              path_weights=True, damp=None, via_cache=True, **kwargs):
        folder = tmp_path / fn_name
        ref = keras_process.ask({
            "module": module_name, "fn": fn_name, "kwargs": kwargs,
            "seed": 1, "dir": str(folder), "input_size": input_size,
            "batch": batch, "damp": damp, "keras3_file": path_weights})
        module = importlib.import_module(
            f"torchkeras.applications.{module_name}")
        fn = getattr(module, fn_name)
        io = np.load(folder / "io.npz")
        ours_pre = module.preprocess_input(io["x"].copy())
        _assert_close(np.asarray(ours_pre), io["x_pre"], "preprocess_input")

        requested = ref["imagenet"]
        home = tmp_path / "keras_home"
        monkeypatch.setenv("KERAS_HOME", str(home))
        torchkeras.backend.clear_session()
        if "error" in requested:
            with pytest.raises(ValueError) as info:
                fn(weights="imagenet", **kwargs)
            assert str(info.value) == requested["error"]
            model = fn(weights=str(folder / "legacy.h5"), **kwargs)
        else:
            model = _through_cache(fn, kwargs, requested["file"], folder,
                                   home, monkeypatch, _common, via_cache)
        assert model.name == ref["name"]
        assert _describe(model) == ref["layers"]
        assert model.count_params() == ref["params"]
        _assert_close(model.predict(io["x_pre"], verbose=0), io["y"],
                      f"{fn_name} predictions", relative=damp is not None)
        if path_weights:
            _zero_weights(model)
            model.load_weights(str(folder / "model.weights.h5"))
            _assert_close(model.predict(io["x_pre"], verbose=0), io["y"],
                          f"{fn_name} from Keras 3's .weights.h5")
        return model

    return check


def _zero_weights(model):
    with torch.no_grad():
        for w in model.weights:
            w.zero_()


@pytest.fixture
def keras_error(keras_process):
    """Returns ``check(module, fn, **kwargs)``: torchkeras's constructor
    raises exactly what Keras's raises for these arguments (type and
    message; JSON-able arguments only)."""

    def check(module_name, fn_name, **kwargs):
        ref = keras_process.ask({"module": module_name, "fn": fn_name,
                                 "kwargs": kwargs, "error_only": True})
        assert ref["error"] is not None, "Keras accepts these arguments"
        fn = getattr(importlib.import_module(
            f"torchkeras.applications.{module_name}"), fn_name)
        with pytest.raises((ValueError, TypeError)) as info:
            fn(**kwargs)
        ours = f"{type(info.value).__name__}: {info.value}"
        assert _no_address(ours) == _no_address(ref["error"])

    return check


def _same_request(fn, kwargs, keras_file, folder, monkeypatch, common):
    """The request alone (a model of hundreds of MB is not copied into the
    cache and hashed twice): the file Keras's request names is answered
    with the path of the file Keras wrote."""
    asked = {}

    def get_file(fname, origin, cache_subdir, file_hash):
        asked.update(fname=fname, origin=origin, file_hash=file_hash,
                     cache_subdir=cache_subdir)
        return str(folder / "legacy.h5")

    real_get_file = file_utils.get_file
    monkeypatch.setattr(common.file_utils, "get_file", get_file)
    try:
        model = fn(weights="imagenet", **kwargs)
    finally:
        monkeypatch.setattr(common.file_utils, "get_file", real_get_file)
    assert asked == keras_file, "torchkeras asks the cache for another file"
    return model


def _no_address(message):
    """Messages naming a function (``<function relu at 0x...>``) differ
    only by its address."""
    return re.sub(r" at 0x[0-9a-f]+>", ">", message)


def _through_cache(fn, kwargs, keras_file, folder, home, monkeypatch,
                   common, via_cache=True):
    if keras_file is None:  # Keras publishes no file for these arguments
        return fn(weights=str(folder / "legacy.h5"), **kwargs)
    if not via_cache:
        return _same_request(fn, kwargs, keras_file, folder, monkeypatch,
                             common)
    assert keras_file["cache_subdir"] == "models"
    cached = home / "models" / keras_file["fname"]
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / "legacy.h5", cached)
    asked = {}
    real_get_file = file_utils.get_file

    def get_file(fname, origin, cache_subdir, file_hash):
        asked.update(fname=fname, origin=origin, file_hash=file_hash,
                     cache_subdir=cache_subdir)
        if file_hash is not None:  # the copy's own hash, same algorithm
            algorithm = "sha256" if len(file_hash) == 64 else "md5"
            file_hash = file_utils.hash_file(str(cached), algorithm)
        return real_get_file(fname, origin, cache_subdir=cache_subdir,
                             file_hash=file_hash)

    monkeypatch.setattr(common.file_utils, "get_file", get_file)
    try:
        model = fn(weights="imagenet", **kwargs)
    finally:
        monkeypatch.setattr(common.file_utils, "get_file", real_get_file)
    assert asked == keras_file, "torchkeras asks the cache for another file"
    return model
