"""imagenet_utils: preprocessing by hand-written formulas, decoding with a
class index file in the Keras cache, and the missing-file errors."""

import json

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.utils import file_utils

MEAN_BGR = np.array([103.939, 116.779, 123.68])
TORCH_MEAN = np.array([0.485, 0.456, 0.406])
TORCH_STD = np.array([0.229, 0.224, 0.225])


def _images(shape=(2, 5, 4, 3), seed=0):
    return np.random.RandomState(seed).uniform(0, 255, shape).astype(
        "float32")


def _expected(x, mode, channels_first=False):
    x = x.astype("float64")
    if channels_first:
        x = np.moveaxis(x, -3, -1)
    if mode == "tf":
        out = x / 127.5 - 1
    elif mode == "torch":
        out = (x / 255 - TORCH_MEAN) / TORCH_STD
    else:
        out = x[..., ::-1] - MEAN_BGR
    return np.moveaxis(out, -1, -3) if channels_first else out


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("ndim", [3, 4])
@pytest.mark.parametrize("data_format", ["channels_last",
                                         "channels_first"])
def test_numpy_and_tensor_inputs_follow_the_formulas(mode, ndim,
                                                     data_format):
    shape = (2, 5, 4, 3) if ndim == 4 else (5, 4, 3)
    if data_format == "channels_first":
        shape = shape[:-3] + (3,) + shape[-3:-1]
    x = _images(shape)
    expected = _expected(x, mode, data_format == "channels_first")
    from_numpy = imagenet_utils.preprocess_input(
        x.copy(), data_format=data_format, mode=mode)
    from_tensor = imagenet_utils.preprocess_input(
        torch.from_numpy(x.copy()), data_format=data_format, mode=mode)
    np.testing.assert_allclose(from_numpy, expected, rtol=1e-5, atol=1e-4)
    assert isinstance(from_tensor, torch.Tensor)
    np.testing.assert_allclose(from_tensor.numpy(), expected, rtol=1e-5,
                               atol=1e-4)


def test_a_float_array_is_preprocessed_in_place_an_integer_one_is_not():
    x = _images()
    out = imagenet_utils.preprocess_input(x, mode="tf")
    assert out is x
    ints = np.full((1, 2, 2, 3), 255, dtype="uint8")
    out = imagenet_utils.preprocess_input(ints, mode="tf")
    assert out.dtype == np.float32 and ints[0, 0, 0, 0] == 255
    np.testing.assert_allclose(out, 1.0)


def test_preprocessing_inside_a_functional_model():
    inputs = keras.Input((5, 4, 3))
    outputs = imagenet_utils.preprocess_input(inputs, mode="caffe")
    model = keras.Model(inputs, outputs)
    x = _images()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               _expected(x, "caffe"), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("kwargs,message", [
    ({"mode": "keras"}, "Received: mode=keras"),
    ({"data_format": "NHWC"}, "Received: data_format=NHWC"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        imagenet_utils.preprocess_input(_images(), **kwargs)


@pytest.fixture
def class_index(tmp_path, monkeypatch):
    """A class index file in a fresh Keras cache, its hash made the
    published one."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "models" / "imagenet_class_index.json"
    path.parent.mkdir()
    path.write_text(json.dumps(index))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH",
                        file_utils.hash_file(str(path), "md5"))
    return index


def test_decode_predictions_reads_the_cached_class_index(class_index):
    preds = np.zeros((2, 1000), dtype="float32")
    preds[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    preds[1, 42] = 1.0
    decoded = imagenet_utils.decode_predictions(preds, top=3)
    assert [d[:2] for d in decoded[0]] == [
        ("n00000007", "class_7"), ("n00000003", "class_3"),
        ("n00000999", "class_999")]
    assert decoded[0][0][2] == pytest.approx(0.5)
    assert decoded[1][0][:2] == ("n00000042", "class_42")
    assert len(decoded[1]) == 3
    # Every family's decode_predictions is this one.
    decoded_torch = keras.applications.vgg16.decode_predictions(
        torch.from_numpy(preds), top=1)
    assert decoded_torch[1][0][:2] == ("n00000042", "class_42")


def test_decode_predictions_checks_the_shape():
    with pytest.raises(ValueError, match=r"\(samples, 1000\).*\(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_a_missing_class_index_names_the_file_and_where(offline,
                                                        monkeypatch):
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    with pytest.raises(OSError) as info:
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))
    message = str(info.value)
    assert imagenet_utils.CLASS_INDEX_PATH in message
    assert str(offline / "models" / "imagenet_class_index.json") in message


def test_missing_imagenet_weights_name_the_model_file_and_place(offline):
    with pytest.raises(OSError) as info:
        keras.applications.VGG16(weights="imagenet", include_top=False,
                                 input_shape=(32, 32, 3))
    message = str(info.value)
    name = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert message.startswith(f"The ImageNet weights of vgg16 ({name})")
    assert str(offline / "models" / name) in message
    assert "6d6bbae143d832006294945121d1f1fc" in message  # published md5


def test_a_cached_file_with_the_wrong_hash_is_not_loaded(offline):
    name = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    cached = offline / "models" / name
    cached.parent.mkdir()
    cached.write_bytes(b"not the published file")
    with pytest.raises(OSError, match="does not have that hash"):
        keras.applications.VGG16(weights="imagenet", include_top=False,
                                 input_shape=(32, 32, 3))
    assert cached.read_bytes() == b"not the published file"


def test_source_inputs_of_an_input_tensor():
    a, b = keras.Input((3,)), keras.Input((3,))
    x = keras.layers.Add()([keras.layers.Dense(3)(a), b])
    y = keras.layers.Dense(2)(keras.layers.Concatenate()([x, a]))
    sources = keras.utils.get_source_inputs(y)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert _common.model_inputs(y, None) == sources


def test_an_input_tensor_from_another_layer_keeps_its_inputs():
    raw = keras.Input((40, 40, 3))
    scaled = keras.layers.Rescaling(1 / 255.0)(raw)
    model = keras.applications.VGG16(weights=None, include_top=False,
                                     input_tensor=scaled, pooling="max")
    assert model.inputs[0] is raw
    assert model.output_shape == (None, 512)
    x = _images((1, 40, 40, 3))
    direct = keras.Model(model.layers[2].input, model.output)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               direct.predict(x / 255.0, verbose=0),
                               rtol=1e-5, atol=1e-6)
