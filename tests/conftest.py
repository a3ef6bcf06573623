"""Strict test settings: fixed seeds, deterministic kernels, no TF32.

Warnings are errors (``setup.cfg``); every test starts from a cleared
session so layer names are predictable.
"""

import numpy as np
import pytest
import torch

torch.set_num_threads(2)
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
torch.use_deterministic_algorithms(True, warn_only=True)


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
