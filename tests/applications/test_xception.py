"""Xception against real Keras 3 (see conftest.py)."""

import pytest


def test_xception_with_top_matches_keras(keras_match):
    keras_match("xception", "Xception", batch=1)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": None, "include_top": False, "input_shape": [70, 70, 3]},
    {"weights": "imagenet", "input_shape": [224, 224, 3]},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("xception", "Xception", **kwargs)
