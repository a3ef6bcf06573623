"""InceptionResNetV2 against real Keras 3 (see conftest.py)."""

import pytest


# ~800 layers: about 30 s (see test_nasnet.py).
@pytest.mark.slow
def test_notop_matches_keras(keras_match):
    keras_match("inception_resnet_v2", "InceptionResNetV2",
                include_top=False, input_shape=[75, 75, 3], pooling="avg",
                batch=1, path_weights=False, via_cache=False)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": None, "include_top": False, "input_shape": [74, 75, 3]},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("inception_resnet_v2", "InceptionResNetV2", **kwargs)


def test_custom_scale_layer():
    import numpy as np

    from torchkeras import layers
    from torchkeras.applications import inception_resnet_v2

    layer = inception_resnet_v2.CustomScaleLayer(0.17)
    a = np.ones((1, 2), dtype="float32")
    b = np.full((1, 2), 2.0, dtype="float32")
    np.testing.assert_allclose(np.asarray(layer([a, b])), 1.34, rtol=1e-6)
    again = layers.deserialize(layers.serialize(layer))
    assert isinstance(again, inception_resnet_v2.CustomScaleLayer)
    assert again.scale == 0.17
