"""EfficientNetV2 B0-B3, S, M and L against real Keras 3 (see
conftest.py)."""

import numpy as np
import pytest

from torchkeras.applications import efficientnet_v2


def test_b0_with_top_matches_keras(keras_match):
    model = keras_match("efficientnet_v2", "EfficientNetV2B0", batch=1,
                        path_weights=False, via_cache=False)
    assert model.count_params() == 7200312


@pytest.mark.slow
@pytest.mark.parametrize("fn", [
    "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
    "EfficientNetV2S", "EfficientNetV2M"])
def test_notop_matches_keras(keras_match, fn):
    keras_match("efficientnet_v2", fn, include_top=False,
                input_shape=(32, 32, 3), pooling="avg", path_weights=False,
                via_cache=False)


@pytest.mark.slow
def test_large_notop_matches_keras_with_damped_residuals(keras_match):
    # With random weights V2L is chaotic: a 1e-10 change of the input
    # changes its output completely (float64 too). Its residual branches
    # (the project BatchNormalization of every block after a stage's
    # first) are damped in the shared weights, which makes it stable.
    keras_match("efficientnet_v2", "EfficientNetV2L", include_top=False,
                input_shape=(32, 32, 3), pooling="avg", path_weights=False,
                via_cache=False,
                damp={"pattern": r"block\d+[b-z]_project_bn",
                      "factor": 0.5}, batch=1)


@pytest.mark.slow
def test_without_preprocessing_max_pooling_matches_keras(keras_match):
    keras_match("efficientnet_v2", "EfficientNetV2B0", include_top=False,
                include_preprocessing=False, input_shape=(40, 32, 3),
                pooling="max")


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
    {"weights": "imagenet", "classifier_activation": "relu"},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("efficientnet_v2", "EfficientNetV2B0", **kwargs)


def test_preprocess_input_is_a_pass_through():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert efficientnet_v2.preprocess_input(x) is x
