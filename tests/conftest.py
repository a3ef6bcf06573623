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
