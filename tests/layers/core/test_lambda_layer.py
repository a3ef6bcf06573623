"""Tests for layers.Lambda: calls, shapes, masks and safe configs."""

import base64
import json
import marshal

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test
from torchkeras.utils.serialization import custom_object_scope


def double_plus(x, offset=0.0):
    return 2 * x + offset


def test_lambda_standard_checks_named_function():
    run_layer_test(layers.Lambda,
                   {"function": double_plus, "arguments": {"offset": 1.0}},
                   input_shape=(2, 3), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=0, stochastic=False,
                   custom_objects={"double_plus": double_plus})


def test_lambda_values_and_arguments():
    x = torch.tensor([[1.0, -2.0]])
    layer = layers.Lambda(double_plus, arguments={"offset": 3.0})
    np.testing.assert_allclose(layer(x).numpy(), [[5.0, -1.0]])


def test_lambda_infers_output_shape_by_tracing():
    inputs = keras.Input(shape=(6, 4))
    out = layers.Lambda(lambda t: t.sum(dim=1))(inputs)
    assert out.shape == (None, 4)
    out = layers.Lambda(lambda t: t.reshape(t.shape[0], -1))(inputs)
    assert out.shape == (None, 24)


def test_lambda_output_shape_tuple_and_callable():
    inputs = keras.Input(shape=(6, 4))
    layer = layers.Lambda(lambda t: t[:, :2], output_shape=(2, 4))
    assert layer(inputs).shape == (None, 2, 4)
    layer = layers.Lambda(lambda t: t[:, :3],
                          output_shape=lambda s: (s[0], 3, s[2]))
    assert layer(inputs).shape == (None, 3, 4)


def test_lambda_in_functional_model_runs_function():
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Lambda(torch.square)(inputs))
    x = torch.tensor([[1.0, 2.0, -3.0]])
    np.testing.assert_allclose(model(x).numpy(), [[1.0, 4.0, 9.0]])


def test_lambda_passes_training_and_mask_when_expected():
    seen = {}

    def fn(x, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x

    layer = layers.Lambda(fn, mask=lambda inputs, mask: inputs[..., 0] > 0)
    x = torch.tensor([[1.0, 2.0], [-1.0, 3.0]])
    x._keras_mask = torch.tensor([True, False])
    out = layer(x, training=True)
    assert seen["training"] is True
    assert torch.equal(seen["mask"], torch.tensor([True, False]))
    assert torch.equal(out._keras_mask, torch.tensor([True, False]))
    assert layer.supports_masking


def test_lambda_config_holds_bytecode_as_keras():
    # Keras 3's form: base64 of marshal.dumps(code); loading it is unsafe
    # (tests/saving/test_lambda_bytecode.py covers files and real Keras).
    layer = layers.Lambda(lambda t: t + 1, name="plus_one")
    config = json.loads(json.dumps(layer.get_config()))
    assert config["function"]["class_name"] == "__lambda__"
    code = marshal.loads(base64.b64decode(config["function"]["config"][
        "code"]))
    assert code.co_varnames == ("t",)
    restored = layers.Lambda.from_config(config, safe_mode=False)
    assert restored(torch.tensor([1.0])).item() == 2.0


def test_lambda_from_config_python_lambda_raises_without_function():
    config = layers.Lambda(lambda t: t + 1, name="plus_one").get_config()
    with pytest.raises(ValueError, match="plus_one.*cannot be loaded "
                       "safely"):
        layers.Lambda.from_config(config)


def test_lambda_from_config_python_lambda_with_custom_objects():
    config = layers.Lambda(lambda t: t + 1, name="plus_one").get_config()
    layer = layers.Lambda.from_config(
        config, custom_objects={"plus_one": lambda t: t + 1})
    assert layer(torch.tensor([1.0])).item() == 2.0


def test_lambda_from_config_named_function():
    config = json.loads(json.dumps(layers.Lambda(double_plus).get_config()))
    assert config["function"]["config"] == "double_plus"
    with pytest.raises(ValueError, match="double_plus"):
        layers.Lambda.from_config(dict(config))
    with custom_object_scope({"double_plus": double_plus}):
        layer = layers.deserialize({"class_name": "Lambda",
                                    "config": config})
    assert layer.function is double_plus


def test_lambda_from_tf_keras_marshalled_config():
    code = base64.b64encode(marshal.dumps((lambda x: x * 3).__code__))
    config = {"name": "lambda", "trainable": True, "dtype": "float32",
              "function": [code.decode("ascii"), None, None],
              "function_type": "lambda", "module": "__main__",
              "output_shape": None, "output_shape_type": "raw",
              "output_shape_module": None, "arguments": {}}
    with pytest.raises(ValueError, match="'lambda'.*safe_mode=False"):
        layers.Lambda.from_config(dict(config))
    layer = layers.Lambda.from_config(dict(config), safe_mode=False)
    assert layer(torch.tensor([2.0])).item() == 6.0


def test_lambda_requires_callable():
    with pytest.raises(TypeError, match="callable"):
        layers.Lambda("x * 2")
