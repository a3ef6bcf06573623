"""Placement logging is a global torch module hook, there only while on.

``backend/session.py`` installs the forward pre-hook that
``layers/layer.py`` registers when ``log_device_placement`` turns on (the
debugging flag or a session's config) and removes it when it turns off, so
layer calls pay nothing for logging otherwise. The lines are the ones the
layer call printed before: one per layer and device, outer layer first,
from the layer's name and the device of its data.
"""

import numpy as np
import pytest
import torch
from torch.nn.modules import module as torch_module

import torchkeras as keras
from torchkeras import debugging
from torchkeras import layers


@pytest.fixture
def logging_off():
    yield
    debugging.set_log_device_placement(False)


def _hooks():
    return (len(torch_module._global_forward_pre_hooks),
            len(torch_module._global_forward_hooks))


def _model():
    return keras.Sequential([keras.Input((3,)), layers.Dense(4),
                             layers.Dense(2)], name="seq")


def _lines(layers_in_order, device="cpu"):
    return [f"Executing layer {layer.name} ({type(layer).__name__}) in "
            f"device {device}" for layer in layers_in_order]


def test_hook_is_installed_only_while_logging_is_on(logging_off):
    before = _hooks()
    debugging.set_log_device_placement(True)
    assert _hooks() == (before[0] + 1, before[1])
    debugging.set_log_device_placement(True)  # switching on twice: one hook
    assert _hooks() == (before[0] + 1, before[1])
    debugging.set_log_device_placement(False)
    assert _hooks() == before


def test_session_config_installs_it_until_the_session_goes():
    before = _hooks()
    config = keras.backend.ConfigProto()
    config.log_device_placement = True
    keras.backend.set_session(keras.backend.Session(config=config))
    assert _hooks() == (before[0] + 1, before[1])
    # Turning the debugging flag off leaves the session's logging on.
    debugging.set_log_device_placement(True)
    debugging.set_log_device_placement(False)
    assert _hooks() == (before[0] + 1, before[1])
    keras.backend.clear_session()
    assert _hooks() == before


def test_logs_each_layer_once_per_device_outer_first(capsys, logging_off):
    model = _model()
    capsys.readouterr()
    debugging.set_log_device_placement(True)
    model(np.ones((2, 3), np.float32))  # NumPy: the weights' device
    model(torch.ones(2, 3))
    model(torch.ones(1, 3))
    assert capsys.readouterr().err.splitlines() == _lines(
        [model] + model.layers)
    debugging.set_log_device_placement(False)
    model(torch.ones(2, 3))
    assert capsys.readouterr().err == ""


def test_logs_only_torchkeras_layers(capsys, logging_off):
    linear = torch.nn.Linear(3, 2)
    dense = layers.Dense(2, name="probe")
    debugging.set_log_device_placement(True)
    linear(torch.ones(1, 3))
    dense(inputs=torch.ones(1, 3))  # keyword inputs are logged too
    assert capsys.readouterr().err.splitlines() == _lines([dense])


def test_building_a_model_logs_nothing(capsys, logging_off):
    # Symbolic calls and shape inference (meta tensors) run nowhere.
    debugging.set_log_device_placement(True)
    inputs = keras.Input((3,))
    outputs = layers.Dense(2)(layers.Dense(4)(inputs))
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, 2)
    assert capsys.readouterr().err == ""
