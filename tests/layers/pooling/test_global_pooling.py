"""GlobalMax/GlobalAveragePooling1D/2D/3D against NumPy, keepdims, masks."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test

GLOBAL = {("max", 1): layers.GlobalMaxPooling1D,
          ("max", 2): layers.GlobalMaxPooling2D,
          ("max", 3): layers.GlobalMaxPooling3D,
          ("average", 1): layers.GlobalAveragePooling1D,
          ("average", 2): layers.GlobalAveragePooling2D,
          ("average", 3): layers.GlobalAveragePooling3D}


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("mode, rank", sorted(GLOBAL))
def test_global_pooling_matches_numpy(mode, rank, data_format, keepdims):
    rng = np.random.default_rng(rank)
    x = rng.standard_normal((2,) + (3, 4, 5)[:rank] + (6,)).astype(
        "float32")
    axes = tuple(range(1, rank + 1))
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
        axes = tuple(range(2, rank + 2))
    reduce = np.max if mode == "max" else np.mean
    expected = reduce(x, axis=axes, keepdims=keepdims)
    layer = GLOBAL[(mode, rank)](data_format=data_format, keepdims=keepdims)
    out = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert layer.compute_output_shape(x.shape) == tuple(out.shape)


def test_global_average_pooling_1d_mask_excludes_masked_steps():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    mask = np.array([[True, True, False, False], [True, False, True, True]])
    expected = np.stack([x[0, :2].mean(0), x[1, [0, 2, 3]].mean(0)])
    layer = layers.GlobalAveragePooling1D()
    out = layer(torch.from_numpy(x), mask=torch.from_numpy(mask))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    assert getattr(out, "_keras_mask", None) is None
    first = layers.GlobalAveragePooling1D(data_format="channels_first",
                                          keepdims=True)
    out = first(torch.from_numpy(np.moveaxis(x, -1, 1)),
                mask=torch.from_numpy(mask))
    np.testing.assert_allclose(out.numpy()[..., 0], expected, rtol=1e-6)


def test_mask_flows_from_embedding_into_global_average_pooling():
    emb = layers.Embedding(5, 3, mask_zero=True)
    tokens = torch.tensor([[1, 2, 0, 0], [3, 0, 0, 0]])
    vectors = emb(tokens)
    out = layers.GlobalAveragePooling1D()(vectors)
    table = emb.get_weights()[0]
    expected = np.stack([table[[1, 2]].mean(0), table[[3]].mean(0)])
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-6)


def test_symbolic_shapes_and_config():
    x = keras.Input((None, None, 4))
    assert layers.GlobalMaxPooling2D()(x).shape == (None, 4)
    assert layers.GlobalAveragePooling2D(keepdims=True)(x).shape == (
        None, 1, 1, 4)
    config = layers.GlobalAvgPool3D(keepdims=True).get_config()
    assert config["keepdims"] is True
    assert config["data_format"] == "channels_last"


@pytest.mark.parametrize("cls", [layers.GlobalMaxPooling1D,
                                 layers.GlobalAveragePooling2D])
def test_global_pooling_run_layer_test(cls):
    shape = (2, 5, 3) if "1D" in cls.__name__ else (2, 4, 5, 3)
    run_layer_test(cls, {"keepdims": False}, input_shape=shape,
                   expected_output_shape=(2, 3),
                   expected_num_trainable_weights=0, stochastic=False,
                   assert_built_after_instantiation=True)
