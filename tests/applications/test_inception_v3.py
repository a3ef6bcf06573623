"""InceptionV3 against real Keras 3 (see conftest.py)."""

import pytest


def test_inception_v3_with_top_matches_keras(keras_match):
    keras_match("inception_v3", "InceptionV3", batch=1)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": None, "include_top": False, "input_shape": [74, 74, 3]},
    {"weights": "imagenet", "include_top": False,
     "input_shape": [96, 96, 1]},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("inception_v3", "InceptionV3", **kwargs)
