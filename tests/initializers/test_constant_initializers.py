"""Zeros, Ones, Constant and Identity against hand-written expectations."""

import numpy as np
import pytest
import torch

from torchkeras import initializers


def test_zeros_ones_any_dtype():
    assert torch.equal(initializers.Zeros()((2, 3)), torch.zeros(2, 3))
    assert torch.equal(initializers.Ones()((4,)), torch.ones(4))
    out = initializers.Zeros()((2,), dtype="int32")
    assert out.dtype == torch.int32 and out.tolist() == [0, 0]
    out = initializers.Ones()((2,), dtype="bool")
    assert out.tolist() == [True, True]
    assert initializers.Ones()((), "float64").dtype == torch.float64
    assert initializers.Zeros()(3).shape == (3,)


def test_constant_scalars_and_arrays():
    out = initializers.Constant(2.5)((2, 2))
    assert out.dtype == torch.float32 and (out == 2.5).all()
    assert initializers.Constant(7)((3,), "int64").tolist() == [7, 7, 7]
    out = initializers.Constant([1.0, 2.0])((3, 2))
    np.testing.assert_array_equal(out.numpy(), [[1, 2], [1, 2], [1, 2]])
    out = initializers.Constant(np.arange(6.0).reshape(2, 3))((2, 3))
    np.testing.assert_array_equal(out.numpy(), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match="broadcast"):
        initializers.Constant([1.0, 2.0, 3.0])((2, 2))
    assert initializers.Constant()((2,)).tolist() == [0.0, 0.0]


def test_constant_config_uses_keras_numpy_format():
    assert initializers.Constant(3.0).get_config() == {"value": 3.0}
    assert initializers.Constant(np.float32(0.5)).get_config() == {
        "value": 0.5}
    config = initializers.Constant(np.array([1.0, 2.0])).get_config()
    assert config == {"value": {"class_name": "__numpy__", "config": {
        "value": [1.0, 2.0], "dtype": "float64"}}}
    clone = initializers.Constant.from_config(config)
    np.testing.assert_array_equal(clone((2, 2)).numpy(), [[1, 2], [1, 2]])
    config = initializers.Constant(torch.tensor([4.0])).get_config()
    assert config["value"]["config"] == {"value": [4.0], "dtype": "float32"}


def test_identity():
    np.testing.assert_array_equal(
        initializers.Identity()((3, 3)).numpy(), np.eye(3))
    np.testing.assert_array_equal(
        initializers.Identity(gain=2.0)((2, 4)).numpy(), 2 * np.eye(2, 4))
    assert initializers.Identity(0.5).get_config() == {"gain": 0.5}
    assert initializers.Identity.from_config({"gain": 3.0}).gain == 3.0
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_base_initializer_and_tf1_dtype_key():
    with pytest.raises(NotImplementedError, match="Initializer"):
        initializers.Initializer()((2,))
    assert initializers.Zeros().get_config() == {}
    # TF 1.x-era files stored "dtype" in initializer configs.
    ones = initializers.Ones.from_config({"dtype": "float32"})
    assert isinstance(ones, initializers.Ones)
