"""Tests that run_layer_test catches broken layers (it must be able to
fail) and passes a correct one."""

import pytest
import torch

from torchkeras import layers
from torchkeras.testing import TestCase
from torchkeras.testing import run_layer_test


class Scale(layers.Layer):
    """A correct layer: ``x * w`` with a trainable per-feature ``w``."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],),
                                 initializer="random_normal")
        self.built = True

    def call(self, inputs):
        return inputs * self.w * self.factor

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


class ForgetsConfig(Scale):
    def get_config(self):
        config = super().get_config()
        config["factor"] = 1.0
        return config


class WrongShape(Scale):
    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (1,)


class BadWeightLayout(Scale):
    def _to_keras_layout(self, weight):
        return weight.detach().numpy()[::-1].copy()


class NoGradient(Scale):
    def call(self, inputs):
        return inputs * self.w.detach()


class AlwaysNoisy(Scale):
    def call(self, inputs, training=None):
        return inputs + torch.randn_like(inputs)


def _run(layer_cls, **kwargs):
    run_layer_test(layer_cls, {"factor": 3.0}, input_shape=(2, 4),
                   custom_objects={layer_cls.__name__: layer_cls}, **kwargs)


def test_correct_layer_passes():
    _run(Scale, expected_output_shape=(2, 4),
         expected_num_trainable_weights=1, stochastic=False)


def test_values_are_checked():
    x = torch.ones(1, 2)
    run_layer_test(layers.Activation, {"activation": "relu"}, input_data=x,
                   expected_output=torch.ones(1, 2))
    with pytest.raises(AssertionError, match="Unexpected output value"):
        run_layer_test(layers.Activation, {"activation": "relu"},
                       input_data=x, expected_output=torch.zeros(1, 2))


@pytest.mark.parametrize("layer_cls, kwargs, match", [
    (ForgetsConfig, {}, "rebuilt from its config"),
    (WrongShape, {}, "Symbolic output shape"),
    (BadWeightLayout, {}, "did not copy the weights"),
    (NoGradient, {}, "received no gradient"),
    (AlwaysNoisy, {}, "gives other outputs"),
    (Scale, {"stochastic": True}, "stochastic layer gave the same"),
    (Scale, {"expected_output_shape": (2, 5)}, "output shape"),
    (Scale, {"expected_num_trainable_weights": 2}, "trainable weights"),
    (Scale, {"supports_masking": True}, "supports_masking"),
    (Scale, {"assert_built_after_instantiation": True}, "built"),
])
def test_broken_layers_fail(layer_cls, kwargs, match):
    with pytest.raises(AssertionError, match=match):
        _run(layer_cls, **kwargs)


def test_inconsistent_arguments_raise():
    with pytest.raises(ValueError, match="same time"):
        run_layer_test(Scale, {}, input_shape=(2, 3),
                       input_data=torch.ones(2, 3))
    with pytest.raises(ValueError, match="training"):
        run_layer_test(Scale, {}, input_shape=(2, 3),
                       call_kwargs={"training": True})


class HarnessAsTestCase(TestCase):
    def test_method_form(self):
        self.run_layer_test(layers.Dropout, {"rate": 0.5},
                            input_shape=(2, 3), stochastic=True)
        self.assertAllClose(torch.ones(2), [1.0, 1.0])
