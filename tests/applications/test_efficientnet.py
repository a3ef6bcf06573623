"""EfficientNet B0-B7 against real Keras 3 (see conftest.py).

With ``weights="imagenet"`` Keras adds a layer: a second `Rescaling`
(``rescaling_1``, ``1 / sqrt(std)`` per channel) after the
`Normalization`; the reference is built with ``weights="imagenet"``, so
`keras_match` compares that model.
"""


import numpy as np
import pytest

from torchkeras.applications import efficientnet



def test_b0_with_top_matches_keras(keras_match):
    model = keras_match("efficientnet", "EfficientNetB0", batch=1)
    assert model.count_params() == 5330571


@pytest.mark.slow
@pytest.mark.parametrize("fn", [
    "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4",
    "EfficientNetB5", "EfficientNetB6", "EfficientNetB7"])
def test_notop_matches_keras(keras_match, fn):
    keras_match("efficientnet", fn, include_top=False,
                       input_shape=(32, 32, 3), pooling="avg",
                       path_weights=False, via_cache=False)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
    {"weights": "imagenet", "include_top": False,
     "input_shape": [64, 64, 1]},
    {"weights": "imagenet", "classifier_activation": "relu"},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("efficientnet", "EfficientNetB0", **kwargs)


def test_preprocess_input_is_a_pass_through():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert efficientnet.preprocess_input(x) is x
