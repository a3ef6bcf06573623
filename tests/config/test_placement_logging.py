"""Device-placement logging: each layer prints where it runs, once.

Needs the mixed-precision patch of ``layers/layer.py`` (the layer call
asks ``backend/session.py`` to log). The expected lines are written from
the model's own layer names and the device of the data.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import debugging
from torchkeras import layers


@pytest.fixture
def logging_off():
    yield
    debugging.set_log_device_placement(False)


def _model():
    return keras.Sequential([keras.Input((3,)), layers.Dense(4),
                             layers.Dense(2)], name="seq")


def _expected(model, device="cpu"):
    return [f"Executing layer {layer.name} ({type(layer).__name__}) in "
            f"device {device}" for layer in [model] + model.layers]


def test_debugging_flag_prints_layer_devices_once(capsys, logging_off):
    model = _model()
    capsys.readouterr()
    debugging.set_log_device_placement(True)
    assert debugging.get_log_device_placement() is True
    model.predict(np.ones((2, 3), np.float32), verbose=0)
    model.predict(np.ones((2, 3), np.float32), verbose=0)
    lines = capsys.readouterr().err.splitlines()
    assert sorted(lines) == sorted(_expected(model))
    debugging.set_log_device_placement(False)
    model.predict(np.ones((2, 3), np.float32), verbose=0)
    assert capsys.readouterr().err == ""


def test_config_proto_idiom_runs_unchanged_and_logs(capsys):
    config = keras.backend.ConfigProto()
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.5
    config.log_device_placement = True
    config.allow_soft_placement = True
    keras.backend.set_session(keras.backend.Session(config=config))
    model = _model()
    model.compile("adam", "mse")
    capsys.readouterr()
    model.fit(np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32),
              epochs=2, verbose=0)
    assert sorted(capsys.readouterr().err.splitlines()) == sorted(
        _expected(model))
    keras.backend.clear_session()  # the session, and its logging, go
    _model()(np.ones((1, 3), np.float32))
    assert capsys.readouterr().err == ""
