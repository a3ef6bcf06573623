"""MobileNetV3Small and MobileNetV3Large against real Keras 3 (see
conftest.py)."""

import pytest

# Keras warns on ImageNet weights for any input but (224, 224, 3), the
# default `None` included; so do we (see test_other_sizes_warn).
pytestmark = pytest.mark.filterwarnings(
    "ignore:`input_shape` is undefined or non-square:UserWarning")

def test_small_minimalistic_top_matches_keras(keras_match):
    keras_match("mobilenet_v3", "MobileNetV3Small", minimalistic=True,
                batch=1)


def test_small_notop_matches_keras(keras_match):
    # Squeeze-and-excitation and hard-swish; no Rescaling layer.
    keras_match("mobilenet_v3", "MobileNetV3Small", include_top=False,
                input_shape=[64, 64, 3], pooling="max",
                include_preprocessing=False, batch=1)


def test_large_notop_matches_keras(keras_match):
    keras_match("mobilenet_v3", "MobileNetV3Large", alpha=0.75,
                include_top=False, input_shape=[64, 64, 3], pooling="avg",
                batch=1, path_weights=False, via_cache=False)


def test_large_top_without_dropout_matches_keras(keras_match):
    # alpha > 1 (no ImageNet weights) widens conv_2; no Dropout layer.
    keras_match("mobilenet_v3", "MobileNetV3Large", alpha=1.25,
                minimalistic=True, dropout_rate=0.0, classes=10,
                input_shape=[32, 32, 3], batch=1, path_weights=False,
                via_cache=False)


@pytest.mark.parametrize("kwargs", [
    {"weights": "nowhere.h5"},
    {"weights": "imagenet", "classes": 10},
    {"weights": "imagenet", "alpha": 0.5},
    {"weights": "imagenet", "alpha": 0.75, "minimalistic": True},
    {"weights": None, "input_shape": [16, 16, 3]},
    {"weights": "imagenet", "classifier_activation": "relu"},
])
def test_argument_errors_match_keras(keras_error, kwargs):
    keras_error("mobilenet_v3", "MobileNetV3Small", **kwargs)


@pytest.mark.filterwarnings("error")
def test_other_sizes_warn(offline):
    from torchkeras.applications import mobilenet_v3

    with pytest.warns(UserWarning, match="or `rows` is not 224"):
        with pytest.raises(OSError):  # the file is not in a test's cache
            mobilenet_v3.MobileNetV3Small(weights="imagenet")


def test_saved_model_reads_back_with_its_hard_sigmoid(tmp_path):
    # Keras's hard sigmoid is `ReLU(6)(x + 3) * (1 / 6)`: two recorded
    # operations around a layer, which the .keras file must keep.
    import numpy as np

    import torchkeras as keras
    from torchkeras.applications import mobilenet_v3

    model = mobilenet_v3.MobileNetV3Small(
        weights=None, include_top=False, input_shape=(32, 32, 3),
        pooling="avg")
    x = np.random.RandomState(0).uniform(0, 255, (2, 32, 32, 3))
    path = str(tmp_path / "mobilenet_v3.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)
