"""DenseNet121/169/201 against real Keras 3 (see conftest.py).

DenseNet121 runs with its classifier at 224x224; the deeper two without
it, at the 32x32 minimum, marked slow (about 20 s each), so ``-m "not
slow"`` keeps one check of the family. Keras 3's ``.weights.h5`` loading
is checked on ResNet50V2 (test_resnet.py), whose weighted layers are of
the same types.
"""

import pytest


def test_densenet121_with_top_matches_keras(keras_match):
    keras_match("densenet", "DenseNet121", batch=1, path_weights=False)


@pytest.mark.slow
@pytest.mark.parametrize("fn,pooling", [("DenseNet169", "max"),
                                        ("DenseNet201", "avg")])
def test_notop_matches_keras(keras_match, fn, pooling):
    keras_match("densenet", fn, include_top=False, input_shape=(32, 32, 3),
                pooling=pooling, batch=1, path_weights=False, via_cache=False)


@pytest.mark.parametrize("fn,kwargs", [
    ("DenseNet121", {"weights": "nowhere.h5"}),
    ("DenseNet169", {"weights": "imagenet", "classes": 10}),
    ("DenseNet201", {"weights": None, "include_top": False,
                     "input_shape": [16, 16, 3]}),
])
def test_argument_errors_match_keras(keras_error, fn, kwargs):
    keras_error("densenet", fn, **kwargs)
