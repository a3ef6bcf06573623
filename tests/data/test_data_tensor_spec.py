"""`TensorSpec` and the dtype / shape normalisation of `torchkeras.data`."""

import numpy as np
import pytest
import torch

from torchkeras.data import tensor_spec
from torchkeras.data.tensor_spec import TensorSpec


def test_dtype_spellings_normalise_to_keras_names():
    cases = [(torch.float32, "float32"), (np.float64, "float64"),
             (np.dtype("int16"), "int16"), ("int64", "int64"),
             (torch.bfloat16, "bfloat16"), (bool, "bool"), (int, "int32"),
             (float, "float32"), (str, "string"), (bytes, "string"),
             ("string", "string"), (np.dtype("<U3"), "string"),
             (object, "string")]
    for dtype, name in cases:
        assert tensor_spec.normalize_dtype(dtype) == name, dtype
    with pytest.raises(TypeError, match="Received"):
        tensor_spec.normalize_dtype("complex7")
    with pytest.raises(TypeError, match="None"):
        tensor_spec.normalize_dtype(None)


def test_spec_shape_equality_and_repr():
    spec = TensorSpec([None, 3], torch.float32, name="x")
    assert spec.shape == (None, 3) and spec.dtype == "float32"
    assert spec == TensorSpec((None, 3), "float32", "x")
    assert spec != TensorSpec((None, 3), "float64", "x")
    assert hash(spec) == hash(TensorSpec((None, 3), "float32", "x"))
    assert repr(spec) == (
        "TensorSpec(shape=(None, 3), dtype=float32, name='x')")
    assert TensorSpec(None).shape is None
    assert TensorSpec(5).shape == (5,)
    assert TensorSpec(()).dtype == "float32"  # tf's default dtype
    assert TensorSpec((), "bfloat16").torch_dtype == torch.bfloat16
    assert TensorSpec((), "string").torch_dtype is None


def test_is_compatible_with():
    spec = TensorSpec((None, 3), "float32")
    assert spec.is_compatible_with(torch.zeros(7, 3))
    assert spec.is_compatible_with(np.zeros((1, 3), "float32"))
    assert not spec.is_compatible_with(torch.zeros(7, 4))
    assert not spec.is_compatible_with(torch.zeros(7, 3, 1))
    assert not spec.is_compatible_with(torch.zeros(7, 3, dtype=torch.int32))
    assert TensorSpec(None).is_compatible_with(torch.zeros(2, 2, 2))
    assert TensorSpec((), "string").is_compatible_with(
        np.array("a", dtype=object))


def test_merge_shapes():
    assert tensor_spec.merge_shapes((2, 3), (4, 3)) == (None, 3)
    assert tensor_spec.merge_shapes((2, 3), (2,)) is None
    assert tensor_spec.merge_shapes(None, (2,)) is None
