"""``K.function`` and the learning phase, as tf.keras 2 code uses them.

``f = K.function([model.input], [layer.output]); f([x])`` must give the
intermediate values recomputed here with NumPy from ``get_weights``; fed
``K.learning_phase()`` set to 1 turns dropout on.
"""

import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import backend as K


def _mlp(rate=0.5):
    return keras.Sequential([
        keras.layers.Dense(16, activation="relu", input_shape=(8,)),
        keras.layers.Dropout(rate),
        keras.layers.Dense(3, activation="softmax"),
    ])


def _numpy_hidden(model, x):
    kernel, bias = model.layers[0].get_weights()
    return np.maximum(x @ kernel + bias, 0.0)


def test_function_returns_intermediate_outputs_as_numpy():
    model = _mlp()
    x = np.random.rand(6, 8).astype("float32")
    f = K.function([model.input], [model.layers[0].output,
                                   model.layers[2].output])
    hidden, probs = f([x])
    assert isinstance(hidden, np.ndarray) and isinstance(probs, np.ndarray)
    np.testing.assert_allclose(hidden, _numpy_hidden(model, x), rtol=1e-5,
                               atol=1e-6)
    kernel, bias = model.layers[2].get_weights()
    logits = hidden @ kernel + bias
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-6)


def test_single_output_not_in_a_list_returns_an_array():
    model = _mlp()
    x = np.random.rand(2, 8).astype("float32")
    out = K.function(model.input, model.layers[0].output)(x)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, _numpy_hidden(model, x), rtol=1e-5,
                               atol=1e-6)


def test_learning_phase_fed_as_value_switches_dropout():
    model = _mlp(rate=0.5)
    x = np.random.rand(64, 8).astype("float32")
    f = K.function([model.input, K.learning_phase()],
                   [model.layers[1].output])
    reference = _numpy_hidden(model, x)
    inference = f([x, 0])[0]
    np.testing.assert_allclose(inference, reference, rtol=1e-5, atol=1e-6)
    training = f([x, 1])[0]
    kept = training != 0
    dropped = (reference != 0) & ~kept
    assert dropped.mean() > 0.25  # about half of the active units
    # Inverted dropout: what is kept is scaled by 1 / (1 - rate).
    np.testing.assert_allclose(training[kept], reference[kept] * 2.0,
                               rtol=1e-5, atol=1e-6)


def test_learning_phase_outside_a_call_is_zero():
    phase = K.learning_phase()
    assert phase == 0 and not phase


def test_set_learning_phase_is_deprecated_and_sets_the_default():
    model = _mlp(rate=0.5)
    x = np.random.rand(64, 8).astype("float32")
    f = K.function([model.input], [model.layers[1].output])
    with pytest.warns(UserWarning, match="set_learning_phase"):
        K.set_learning_phase(1)
    assert K.learning_phase() == 1
    assert (f([x])[0] == 0).mean() > (_numpy_hidden(model, x) == 0).mean()
    K.clear_session()
    assert K.learning_phase() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="value=2"):
            K.set_learning_phase(2)


def test_in_train_phase():
    assert K.in_train_phase(1.0, 2.0, training=True) == 1.0
    assert K.in_train_phase(lambda: "a", lambda: "b", training=0) == "b"
    assert K.in_test_phase("x", "y", training=False) == "x"


def test_function_from_an_intermediate_tensor():
    model = _mlp()
    h = np.random.rand(4, 16).astype("float32")
    f = K.function([model.layers[1].output], [model.output])
    kernel, bias = model.layers[2].get_weights()
    logits = h @ kernel + bias
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(f([h])[0], expected, rtol=1e-5, atol=1e-6)


def test_function_checks_its_arguments():
    model = _mlp()
    with pytest.raises(TypeError, match="KerasTensors"):
        K.function([np.zeros((1, 8))], [model.output])
    with pytest.raises(ValueError, match="updates"):
        K.function([model.input], [model.output], updates=[object()])
    f = K.function([model.input], [model.output])
    with pytest.raises(ValueError, match="2 input"):
        f([np.zeros((1, 8)), np.zeros((1, 8))])
