"""Same fresh session as ``tests/conftest.py``, without a ``gc.collect()``.

A full collection per test costs 0.2-0.5 s here (torch's heap); name
counters and seeds are what these tests need reset.
"""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _fresh_session():
    import torchkeras

    torchkeras.backend.clear_session(free_memory=False)
    torchkeras.utils.set_random_seed(1337)
    np.random.seed(1337)
    yield
