"""``multi_gpu_model`` returns the model itself and says why (tf.keras 2.3's
argument checks are kept: fewer than two GPUs is an error)."""

import re

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.utils.multi_gpu_utils import multi_gpu_model


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize("gpus", [2, [0, 1], (0, 1, 2)])
def test_returns_the_same_model_with_a_note(gpus):
    model = _model()
    with pytest.warns(UserWarning, match="torchrun --nproc_per_node="):
        parallel = multi_gpu_model(model, gpus=gpus, cpu_merge=False,
                                   cpu_relocation=True)
    assert parallel is model
    parallel.fit(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32),
                 verbose=0)


@pytest.mark.parametrize("gpus", [None, 1, [0]])
def test_fewer_than_two_gpus_is_an_error(gpus):
    expected = re.escape(f"Received: gpus={gpus!r}")
    with pytest.raises(ValueError, match=expected):
        multi_gpu_model(_model(), gpus=gpus)


def test_exported_from_utils():  # needs the lead's utils/__init__ line
    assert keras.utils.multi_gpu_model is multi_gpu_model
