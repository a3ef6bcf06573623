"""Strict test settings: fixed seeds, deterministic kernels, no TF32.

Warnings are errors (``setup.cfg``); every test starts from a cleared
session so layer names are predictable.

Every test runs on the CPU, also on a machine with a GPU (torchkeras's own
default would put new weights on CUDA there while the tests hand in CPU
data): tests marked ``cuda`` ask for the GPU (and are skipped without
one), tests marked ``device_policy`` check the default-device rules
themselves and get them untouched.
"""

import numpy as np
import pytest
import torch

torch.set_num_threads(2)
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
torch.use_deterministic_algorithms(True, warn_only=True)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if item.get_closest_marker("cuda"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _cpu_unless_marked(request):
    from torchkeras.backend import set_device

    if (request.node.get_closest_marker("cuda")
            or request.node.get_closest_marker("device_policy")):
        yield
        return
    set_device("cpu")
    try:
        yield
    finally:
        set_device(None)


@pytest.fixture(autouse=True)
def _fresh_session():
    import torchkeras

    torchkeras.backend.clear_session(free_memory=False)
    torchkeras.utils.set_random_seed(1337)
    np.random.seed(1337)
    yield


@pytest.fixture
def keras_oracle(tmp_path):
    """Runs a script under real Keras 3 (``TORCHKERAS_KERAS_PYTHON``).

    Returns ``run(source, *args)`` -> stdout: the (dedented) script runs in
    ``tmp_path`` with the JAX backend on the CPU; ``run.python`` is the
    interpreter. Skips, saying how to enable it, when no Keras 3 Python is
    configured (``.ci/run`` configures one).
    """
    import os
    import subprocess
    import textwrap

    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("Keras 3 is not installed (set TORCHKERAS_KERAS_PYTHON "
                    "to a Python that has keras; .ci/run does)")
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "jax"))

    def run(source, *args):
        script = tmp_path / "oracle_script.py"
        script.write_text(textwrap.dedent(source))
        result = subprocess.run(
            [python, str(script), *map(str, args)], capture_output=True,
            text=True, env=env, cwd=tmp_path, timeout=600)
        if result.returncode != 0:
            raise AssertionError(result.stderr[-4000:])
        return result.stdout

    run.python = python
    return run
