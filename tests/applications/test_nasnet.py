"""NASNetMobile and NASNetLarge against real Keras 3 (see conftest.py)."""

import pytest


def test_mobile_notop_matches_keras(keras_match):
    keras_match("nasnet", "NASNetMobile", include_top=False,
                input_shape=[32, 32, 3], pooling="avg", batch=1,
                path_weights=False, via_cache=False)


# ~1000 layers: about a minute (Keras builds it twice, and loading Keras's
# file checks every layer against the whole model).
@pytest.mark.slow
def test_large_notop_matches_keras(keras_match):
    keras_match("nasnet", "NASNetLarge", include_top=False,
                input_shape=[32, 32, 3], pooling="max", batch=1,
                path_weights=False, via_cache=False)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("nasnet", "NASNetMobile", **kwargs)
