"""KerasTensor: static shape and dtype, history, refusal of Python use."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.graph.keras_tensor import KerasHistory
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.graph.keras_tensor import is_keras_tensor


def test_shape_and_dtype_are_normalised():
    t = KerasTensor([None, np.int64(3), 4], dtype=torch.float64)
    assert t.shape == (None, 3, 4)
    assert all(type(d) is int for d in t.shape[1:])
    assert t.dtype == "float64"
    assert t.ndim == 3
    assert t.get_shape() == (None, 3, 4)
    assert t.name is None and t._keras_history is None
    assert "shape=(None, 3, 4)" in repr(t) and "float64" in repr(t)


def test_is_keras_tensor():
    assert is_keras_tensor(keras.Input(shape=(2,)))
    assert not is_keras_tensor(torch.ones(2))
    assert not is_keras_tensor(np.ones(2))


def test_history_unpacks_like_tf_keras():
    x = keras.Input(shape=(3,))
    dense = layers.Dense(2)
    y = dense(x)
    layer, node_index, tensor_index = y._keras_history
    assert (layer, node_index, tensor_index) == (dense, 0, 0)
    assert isinstance(y._keras_history, KerasHistory)
    assert y._keras_history.layer is dense
    assert y.name == dense.name


def test_output_dtype_follows_layer():
    x = keras.Input(shape=(3,), dtype="int64")
    assert layers.Dense(2)(x).dtype == "float32"
    assert layers.Dense(2, dtype="float64")(keras.Input((3,))).dtype == (
        "float64")


@pytest.mark.parametrize("use", [len, list, bool, iter])
def test_python_use_raises_type_error(use):
    with pytest.raises(TypeError):
        use(keras.Input(shape=(3,)))


def test_hashable_and_usable_as_dict_key():
    x = keras.Input(shape=(3,))
    y = keras.Input(shape=(3,))
    d = {x: 1, y: 2}
    assert d[x] == 1 and d[y] == 2


def test_operator_results_are_symbolic_with_shapes():
    a = keras.Input(shape=(2, 3))
    b = keras.Input(shape=(3, 4))
    assert (a @ b).shape == (None, 2, 4)
    assert (a[:, 0]).shape == (None, 3)
    assert (a[:, :, 1:]).shape == (None, 2, 2)
    assert (2 / (a + 1)).shape == (None, 2, 3)
    assert (a - b[:, :2, :3]).shape == (None, 2, 3)
