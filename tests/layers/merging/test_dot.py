"""Tests for layers.Dot and layers.dot against NumPy."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


def _l2_normalize(x, axis):
    norm = np.sqrt((x ** 2).sum(axis=axis, keepdims=True))
    return x / np.maximum(norm, 1e-7)


@pytest.mark.parametrize("axes, shapes, einsum, out_shape", [
    (-1, [(2, 4), (2, 4)], "bi,bi->b", (2, 1)),
    (1, [(2, 4), (2, 4, 3)], "bi,bij->bj", (2, 3)),
    ((1, 2), [(2, 5, 3), (2, 4, 5)], "bki,bjk->bij", (2, 3, 4)),
    ((2, 1), [(2, 3, 5, 2), (2, 5, 4)], "bikj,bkl->bijl", (2, 3, 2, 4)),
])
def test_dot_against_numpy(axes, shapes, einsum, out_shape):
    rng = np.random.default_rng(1)
    x, y = (rng.standard_normal(s).astype("float32") for s in shapes)
    expected = np.einsum(einsum, x, y)
    if expected.ndim == 1:
        expected = expected[:, None]
    assert expected.shape == out_shape
    run_layer_test(layers.Dot, {"axes": axes}, input_data=[x, y],
                   expected_output=expected, stochastic=False,
                   atol=1e-5, rtol=1e-5)


def test_dot_normalize_is_cosine_similarity():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5, 4)).astype("float32")
    y = rng.standard_normal((3, 5, 6)).astype("float32")
    out = layers.Dot(axes=1, normalize=True)([torch.from_numpy(x),
                                              torch.from_numpy(y)])
    expected = np.einsum("bki,bkj->bij", _l2_normalize(x, 1),
                         _l2_normalize(y, 1))
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)
    assert np.abs(out.numpy()).max() <= 1 + 1e-6


def test_dot_functional_form_shapes():
    a, b = keras.Input(shape=(5, 3)), keras.Input(shape=(4, 5))
    assert layers.dot([a, b], axes=(1, 2)).shape == (None, 3, 4)
    out = layers.dot([keras.Input(shape=(8,)), keras.Input(shape=(8,))],
                     axes=1, normalize=True)
    assert out.shape == (None, 1)
    assert out._keras_history.layer.normalize is True


def test_dot_incompatible_axes_raise_at_graph_construction():
    a, b = keras.Input(shape=(5, 3)), keras.Input(shape=(4, 5))
    with pytest.raises(ValueError, match=r"'my_dot'.*axis values 3 \(at "
                       r"axis 2\) != 5 \(at axis 2\)"):
        layers.Dot(axes=-1, name="my_dot")([a, b])
    with pytest.raises(ValueError, match="axis 0"):
        layers.Dot(axes=0)([keras.Input(shape=(3,)),
                            keras.Input(shape=(3,))])


def test_dot_invalid_axes_argument():
    with pytest.raises(TypeError, match="axes"):
        layers.Dot(axes="1")
    with pytest.raises(ValueError, match="two integers"):
        layers.Dot(axes=(1, 2, 3))


def test_dot_axis_beyond_rank_raises():
    # A positive axis does not wrap around (Keras indexes the shape).
    with pytest.raises(ValueError, match="'far_dot'.*axis 3 is out of "
                       "range"):
        layers.Dot(axes=3, name="far_dot")([keras.Input(shape=(4,)),
                                            keras.Input(shape=(4,))])
