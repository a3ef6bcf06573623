"""The fit hot path never reads a value back to the host per step.

Host reads (``item``, ``tolist``, ``__bool__``, ``__float__``, ``numpy``)
are counted during fits of different lengths: the count must not grow with
the number of steps (only epoch-end logs are read).
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers

_READS = ("item", "tolist", "__bool__", "__float__", "__int__", "numpy")


@pytest.fixture
def count_host_reads(monkeypatch):
    counter = {"n": 0}
    for name in _READS:
        original = getattr(torch.Tensor, name)

        def wrapped(self, *args, _original=original, **kwargs):
            counter["n"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, wrapped)
    return counter


def _model():
    inp = keras.Input(shape=(8,))
    h = layers.Dense(16, activation="relu")(inp)
    h = layers.Dropout(0.2)(h)
    out = layers.Dense(3, activation="softmax")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize("verbose", [0, 2])
def test_reads_do_not_grow_with_steps(count_host_reads, verbose):
    rng = np.random.default_rng(0)
    counts = []
    for n in (80, 640):
        x = rng.standard_normal((n, 8)).astype("float32")
        y = rng.integers(0, 3, size=(n,))
        model = _model()
        model.fit(x[:8], y[:8], verbose=0)  # build and warm up
        count_host_reads["n"] = 0
        model.fit(x, y, batch_size=8, epochs=2, verbose=verbose)
        counts.append(count_host_reads["n"])
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
