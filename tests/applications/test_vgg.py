"""VGG16 and VGG19 against real Keras 3 (see conftest.py)."""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import applications


@pytest.mark.parametrize("module,fn", [("vgg16", "VGG16"),
                                       ("vgg19", "VGG19")])
def test_notop_matches_keras(keras_match, module, fn):
    keras_match(module, fn, include_top=False, input_shape=(64, 64, 3),
                pooling="avg")


@pytest.mark.parametrize("file_name", ["model.weights.h5", "legacy.h5"])
def test_weights_argument_takes_either_keras_file(keras_match, tmp_path,
                                                  file_name):
    kwargs = dict(include_top=False, input_shape=(32, 32, 3),
                  pooling="max")
    reference = keras_match("vgg16", "VGG16", **kwargs)
    keras.backend.clear_session()
    model = applications.VGG16(weights=str(tmp_path / "VGG16" / file_name),
                               **kwargs)
    x = np.random.RandomState(0).uniform(-100, 100, (2, 32, 32, 3))
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               reference.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "input_shape": [64, 64, 3]},
    {"weights": None, "include_top": False, "input_shape": [16, 16, 3]},
    {"weights": None, "include_top": False, "input_shape": [64, 64]},
    {"weights": "imagenet", "include_top": False,
     "input_shape": [64, 64, 1]},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    # (The classifier_activation check comes after VGG16's 120M-parameter
    # classifier is built; the other families test it.)
    keras_error("vgg16", "VGG16", **kwargs)
