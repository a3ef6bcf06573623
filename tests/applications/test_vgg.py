"""VGG16 and VGG19 against real Keras 3 (see conftest.py)."""

import pytest


@pytest.mark.parametrize("module,fn", [("vgg16", "VGG16"),
                                       ("vgg19", "VGG19")])
def test_notop_matches_keras(keras_match, module, fn):
    keras_match(module, fn, include_top=False, input_shape=(64, 64, 3),
                pooling="avg")


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
    {"weights": None, "include_top": False, "input_shape": [64, 64]},
    {"weights": "imagenet", "include_top": False,
     "input_shape": [64, 64, 1]},
    {"weights": "imagenet", "classifier_activation": "relu"},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("vgg16", "VGG16", **kwargs)
