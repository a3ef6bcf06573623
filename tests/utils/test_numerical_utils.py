"""`utils.to_categorical` and `utils.normalize` against hand-computed
values and NumPy / torch references."""

import doctest

import numpy as np
import pytest
import torch

from torchkeras.utils import numerical_utils
from torchkeras.utils.numerical_utils import normalize
from torchkeras.utils.numerical_utils import to_categorical


def test_to_categorical_values_and_dtype():
    result = to_categorical([2, 0, 1])
    assert result.dtype == np.float32
    np.testing.assert_array_equal(
        result, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_to_categorical_drops_trailing_unit_axis_and_keeps_others():
    labels = np.array([[1], [3]])
    assert to_categorical(labels, num_classes=5).shape == (2, 5)
    grid = np.array([[0, 1], [2, 1]])
    result = to_categorical(grid, num_classes=3, dtype="int64")
    assert result.shape == (2, 2, 3) and result.dtype == np.int64
    np.testing.assert_array_equal(result, np.eye(3, dtype=int)[grid])


def test_to_categorical_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="Received: a label -1"):
        to_categorical([0, -1], num_classes=3)
    with pytest.raises(ValueError, match="Received: a label 3"):
        to_categorical([0, 3], num_classes=3)


def test_to_categorical_tensor_in_tensor_out():
    y = torch.tensor([[1], [0], [2]])
    result = to_categorical(y, num_classes=4)
    assert isinstance(result, torch.Tensor)
    assert result.dtype == torch.float32
    expected = torch.nn.functional.one_hot(y[:, 0], 4).float()
    torch.testing.assert_close(result, expected)


def test_normalize_matches_numpy_norm():
    x = np.random.RandomState(0).randn(4, 5)
    x[2] = 0.0
    norms = np.sqrt((x ** 2).sum(axis=-1, keepdims=True))
    expected = np.where(norms == 0, x, x / np.where(norms == 0, 1, norms))
    np.testing.assert_allclose(normalize(x), expected)
    l1 = np.abs(x).sum(axis=0, keepdims=True)
    np.testing.assert_allclose(normalize(x, axis=0, order=1), x / l1)


def test_normalize_tensor():
    x = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    torch.testing.assert_close(
        normalize(x), torch.tensor([[0.6, 0.8], [0.0, 0.0]]))
    with pytest.raises(TypeError, match="axis=None"):
        normalize(x, axis=None)


def test_docstring_examples():
    result = doctest.testmod(numerical_utils)
    assert result.attempted > 0 and result.failed == 0
