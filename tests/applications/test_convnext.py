"""ConvNeXt Tiny to XLarge against real Keras 3 (see conftest.py)."""

import numpy as np
import pytest

from torchkeras.applications import convnext


def test_tiny_with_top_matches_keras(keras_match):
    model = keras_match("convnext", "ConvNeXtTiny", batch=1)
    assert model.count_params() == 28589128


@pytest.mark.slow
@pytest.mark.parametrize("fn", [
    "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"])
def test_notop_matches_keras(keras_match, fn):
    keras_match("convnext", fn, include_top=False,
                   input_shape=(32, 32, 3), pooling="avg",
                   path_weights=False, via_cache=False, batch=1)


@pytest.mark.slow
def test_without_preprocessing_max_pooling_matches_keras(keras_match):
    keras_match("convnext", "ConvNeXtTiny", include_top=False,
                   include_preprocessing=False, input_shape=(32, 64, 3),
                   pooling="max")


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
    {"weights": "imagenet", "classifier_activation": "relu"},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("convnext", "ConvNeXtTiny", **kwargs)


def test_layers_config_round_trip():
    scale = convnext.LayerScale(1e-6, 4, name="scale")
    depth = convnext.StochasticDepth(0.1, name="depth")
    assert scale.get_config()["init_values"] == 1e-6
    assert scale.get_config()["projection_dim"] == 4
    assert depth.get_config()["drop_path_rate"] == 0.1
    x = np.ones((2, 3, 3, 4), dtype="float32")
    np.testing.assert_allclose(np.asarray(scale(x)), x * 1e-6, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(depth(x)), x)


def test_preprocess_input_is_a_pass_through():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert convnext.preprocess_input(x) is x
