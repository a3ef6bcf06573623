"""Discretization and CategoryEncoding against Keras's documented values."""

import numpy as np
import pytest
import torch

import torchkeras as keras

X = np.array([[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]])


def test_discretization_bins_and_adapt_match_keras_docs():
    layer = keras.layers.Discretization(bin_boundaries=[0., 1., 2.])
    out = layer(X)
    assert out.dtype == torch.int64
    assert out.tolist() == [[0, 2, 3, 1], [1, 3, 2, 1]]
    adapted = keras.layers.Discretization(num_bins=4, epsilon=0.01)
    adapted.adapt(X)
    assert adapted(X).tolist() == [[0, 2, 3, 2], [1, 3, 3, 1]]
    clone = keras.layers.Discretization.from_config(adapted.get_config())
    assert clone.bin_boundaries == adapted.bin_boundaries
    assert clone(X).tolist() == [[0, 2, 3, 2], [1, 3, 3, 1]]


def test_discretization_encoded_modes():
    layer = keras.layers.Discretization(bin_boundaries=[0., 1., 2.],
                                        output_mode="count")
    np.testing.assert_array_equal(layer(X).numpy(), [[1, 1, 1, 1],
                                                     [0, 2, 1, 1]])
    one_hot = keras.layers.Discretization(bin_boundaries=[0.],
                                          output_mode="one_hot")
    assert one_hot(keras.Input(shape=(1,))).shape == (None, 2)
    np.testing.assert_array_equal(one_hot(np.array([[-1.0], [2.0]])).numpy(),
                                  [[1, 0], [0, 1]])


def test_discretization_arguments():
    with pytest.raises(ValueError, match="either"):
        keras.layers.Discretization()
    with pytest.raises(ValueError, match="Both"):
        keras.layers.Discretization(bin_boundaries=[0.], num_bins=2)
    with pytest.raises(ValueError, match="adapt"):
        keras.layers.Discretization(num_bins=2)(X)


def test_category_encoding_modes_match_keras_docs():
    one_hot = keras.layers.CategoryEncoding(num_tokens=4,
                                            output_mode="one_hot")
    np.testing.assert_array_equal(one_hot([3, 2, 0, 1]).numpy(),
                                  np.eye(4)[[3, 2, 0, 1]])
    multi = keras.layers.CategoryEncoding(num_tokens=4)
    data = [[0, 1], [0, 0], [1, 2], [3, 1]]
    np.testing.assert_array_equal(multi(data).numpy(),
                                  [[1, 1, 0, 0], [1, 0, 0, 0],
                                   [0, 1, 1, 0], [0, 1, 0, 1]])
    count = keras.layers.CategoryEncoding(num_tokens=4, output_mode="count")
    weights = np.array([[.1, .2], [.1, .1], [.2, .3], [.4, .2]])
    np.testing.assert_allclose(
        count(data, count_weights=weights).numpy(),
        [[.1, .2, 0, 0], [.2, 0, 0, 0], [0, .2, .3, 0], [0, .2, 0, .4]],
        rtol=1e-6)


def test_category_encoding_symbolic_and_errors():
    layer = keras.layers.CategoryEncoding(num_tokens=5)
    out = layer(keras.Input(shape=(3,), dtype="int64"))
    assert out.shape == (None, 5) and out.dtype == "float32"
    with pytest.raises(ValueError, match="num_tokens=5"):
        layer(torch.tensor([[1, 5]]))
    with pytest.raises(ValueError, match="count_weights"):
        layer([[1]], count_weights=[[1.0]])
    with pytest.raises(ValueError, match="num_tokens"):
        keras.layers.CategoryEncoding()
    clone = keras.layers.CategoryEncoding.from_config(layer.get_config())
    assert clone.num_tokens == 5 and clone.output_mode == "multi_hot"
