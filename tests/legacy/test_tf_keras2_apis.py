"""tf.keras 2 APIs that later releases removed, still called by real code:
``Sequential.predict_classes``/``predict_proba`` (tf.keras <= 2.5),
``layers.experimental.preprocessing`` (2.2-2.5) and
``utils.pack_x_y_sample_weight``/``unpack_x_y_sample_weight``.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


def _softmax_model(units):
    return keras.Sequential([
        layers.Dense(units, activation="softmax" if units > 1 else
                     "sigmoid", input_shape=(4,)),
    ])


def _numpy_probs(model, x):
    kernel, bias = model.get_weights()
    logits = x @ kernel + bias
    if kernel.shape[1] == 1:
        return 1.0 / (1.0 + np.exp(-logits))
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_predict_classes_multiclass_is_argmax():
    model = _softmax_model(3)
    x = np.random.rand(20, 4).astype("float32")
    with pytest.warns(UserWarning, match="predict_classes"):
        classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes,
                                  _numpy_probs(model, x).argmax(-1))


def test_predict_classes_binary_thresholds_at_half():
    model = _softmax_model(1)
    x = np.random.randn(50, 4).astype("float32") * 3
    with pytest.warns(UserWarning, match="predict_classes"):
        classes = model.predict_classes(x)
    expected = (_numpy_probs(model, x) > 0.5).astype("int32")
    assert classes.dtype == np.int32 and classes.shape == (50, 1)
    np.testing.assert_array_equal(classes, expected)
    assert 0 < classes.sum() < 50


def test_predict_proba_is_predict():
    model = _softmax_model(3)
    x = np.random.rand(5, 4).astype("float32")
    with pytest.warns(UserWarning, match="predict_proba"):
        probs = model.predict_proba(x)
    np.testing.assert_allclose(probs, _numpy_probs(model, x), rtol=1e-5,
                               atol=1e-6)


def test_experimental_preprocessing_path_has_every_preprocessing_layer():
    from torchkeras.layers.experimental import preprocessing
    from torchkeras.layers.preprocessing.preprocessing_utils import (
        PreprocessingLayer,
    )

    ours = {name for name, value in vars(layers).items()
            if isinstance(value, type)
            and issubclass(value, PreprocessingLayer)}
    assert ours  # the layers namespace has preprocessing layers
    for name in ours:
        assert getattr(preprocessing, name) is getattr(layers, name)
    assert keras.layers.experimental.preprocessing.Rescaling is (
        layers.Rescaling)
    rescale = preprocessing.Rescaling(1.0 / 255)
    np.testing.assert_allclose(
        rescale(np.full((1, 2), 255.0, "float32")).numpy(), [[1.0, 1.0]])


def test_unpack_and_pack_x_y_sample_weight():
    unpack = keras.utils.unpack_x_y_sample_weight
    pack = keras.utils.pack_x_y_sample_weight
    x, y, w = np.ones(2), np.zeros(2), np.full(2, 0.5)
    assert unpack((x, y, w)) == (x, y, w)
    assert unpack([x, y]) == (x, y, None)
    assert unpack(x) == (x, None, None)
    assert unpack((x,)) == (x, None, None)
    assert pack(x) is x
    assert pack([x, y]) == ([x, y],)  # nested x stays one element
    assert pack(x, y) == (x, y)
    assert pack(x, y, w) == (x, y, w)
    assert unpack(pack({"a": x})) == ({"a": x}, None, None)
    with pytest.raises(ValueError, match="sample_weight"):
        unpack((x, y, w, w))


def test_np_utils_module_of_keras2():
    import numpy as np

    from torchkeras.utils import np_utils

    out = np_utils.to_categorical(np.array([2, 0]), 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0]])
