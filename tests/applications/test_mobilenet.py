"""MobileNet and MobileNetV2 against real Keras 3 (see conftest.py)."""

import pytest


def test_mobilenet_top_matches_keras(keras_match):
    keras_match("mobilenet", "MobileNet", alpha=0.25, batch=1)


def test_mobilenet_notop_matches_keras(keras_match):
    # depth_multiplier != 1: Keras refuses ImageNet weights, as we must.
    keras_match("mobilenet", "MobileNet", alpha=0.5, depth_multiplier=2,
                include_top=False, input_shape=[32, 48, 3], pooling="max",
                batch=1, path_weights=False, via_cache=False)


def test_mobilenet_v2_top_matches_keras(keras_match):
    keras_match("mobilenet_v2", "MobileNetV2", alpha=0.35, batch=1)


def test_mobilenet_v2_notop_matches_keras(keras_match):
    # alpha > 1 widens the last convolution too.
    keras_match("mobilenet_v2", "MobileNetV2", alpha=1.3, include_top=False,
                input_shape=[96, 96, 3], pooling="avg", batch=1,
                path_weights=False, via_cache=False)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "depth_multiplier": 2},
    {"weights": "imagenet", "alpha": 0.3},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
    {"weights": "imagenet", "classifier_activation": "relu"},
])
def test_mobilenet_argument_errors_match_keras(keras_error, kwargs):
    keras_error("mobilenet", "MobileNet", **kwargs)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "alpha": 0.3},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
])
def test_mobilenet_v2_argument_errors_match_keras(keras_error, kwargs):
    keras_error("mobilenet_v2", "MobileNetV2", **kwargs)


def test_imagenet_weights_at_other_sizes_warn(offline):
    from torchkeras.applications import mobilenet_v2

    with pytest.warns(UserWarning, match="Weights for input shape"):
        with pytest.raises(OSError):  # the file is not in a test's cache
            mobilenet_v2.MobileNetV2(include_top=False, weights="imagenet",
                                     input_shape=(64, 64, 3))
