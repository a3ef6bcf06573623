"""Tests for layers.SpatialDropout1D/2D/3D."""

import pytest
import torch

from torchkeras import layers
from torchkeras.testing import run_layer_test


@pytest.mark.parametrize("layer_cls, kwargs, shape", [
    (layers.SpatialDropout1D, {"rate": 0.5}, (2, 3, 4)),
    (layers.SpatialDropout2D, {"rate": 0.5}, (2, 3, 4, 5)),
    (layers.SpatialDropout2D, {"rate": 0.5, "data_format":
                               "channels_first"}, (2, 3, 4, 5)),
    (layers.SpatialDropout3D, {"rate": 0.5, "seed": 2}, (2, 3, 4, 5, 2)),
])
def test_spatial_dropout_standard_checks(layer_cls, kwargs, shape):
    run_layer_test(layer_cls, kwargs, input_shape=shape,
                   expected_output_shape=shape, supports_masking=True,
                   stochastic=True)


@pytest.mark.parametrize("layer_cls, kwargs, shape, spatial", [
    (layers.SpatialDropout1D, {}, (16, 7, 12), (1,)),
    (layers.SpatialDropout2D, {}, (16, 5, 6, 12), (1, 2)),
    (layers.SpatialDropout2D, {"data_format": "channels_first"},
     (16, 12, 5, 6), (2, 3)),
    (layers.SpatialDropout3D, {}, (16, 3, 4, 5, 12), (1, 2, 3)),
])
def test_spatial_dropout_drops_whole_channels(layer_cls, kwargs, shape,
                                              spatial):
    x = torch.ones(shape)
    y = layer_cls(0.5, **kwargs)(x, training=True)
    # Constant over the spatial axes: each (sample, channel) map is kept
    # (scaled by 2) or dropped as a whole.
    assert torch.equal(y.amax(dim=spatial), y.amin(dim=spatial))
    per_map = y.amax(dim=spatial)
    assert set(torch.unique(per_map).tolist()) == {0.0, 2.0}


def test_spatial_dropout_inference_identity_and_rank_check():
    x = torch.randn(2, 3, 4)
    assert torch.equal(layers.SpatialDropout1D(0.5)(x), x)
    with pytest.raises(ValueError, match="expected ndim=4"):
        layers.SpatialDropout2D(0.5)(x)


def test_spatial_dropout_config_keys_match_keras():
    config = layers.SpatialDropout2D(0.2, name="sd").get_config()
    assert set(config) == {"rate", "seed", "name", "dtype", "data_format"}
    config = layers.SpatialDropout1D(0.2).get_config()
    assert set(config) == {"rate", "seed", "name", "dtype"}


def test_spatial_dropout_bad_data_format():
    with pytest.raises(ValueError, match="data_format=nhwc"):
        layers.SpatialDropout2D(0.5, data_format="nhwc")
