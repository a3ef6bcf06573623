"""``torchkeras.config``: tf.config's device functions mapped onto torch.

On a CPU-only machine GPUs are faked by patching ``torch.cuda``'s queries
(``is_available``, ``device_count``, ``get_device_properties``) and
recording ``set_per_process_memory_fraction``; the expected fractions are
computed by hand from tf's ``memory_limit`` (MiB) and the device's total
memory.
"""

import doctest
import types

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import config
from torchkeras.backend.device import default_device
from torchkeras.backend import session

pytestmark = pytest.mark.device_policy

TOTAL = 8 * 2**30  # 8 GiB per fake GPU


@pytest.fixture
def fake_gpus(monkeypatch):
    calls = []
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda i: types.SimpleNamespace(total_memory=TOTAL))
    monkeypatch.setattr(torch.cuda, "set_per_process_memory_fraction",
                        lambda fraction, i: calls.append((fraction, i)))
    yield calls
    session.set_visible_gpus(None)
    keras.backend.set_device(None)


def test_cpu_only_machine_lists_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert config.list_physical_devices() == [
        config.PhysicalDevice("/physical_device:CPU:0", "CPU")]
    assert config.list_physical_devices("GPU") == []
    assert config.list_logical_devices("CPU") == [
        config.LogicalDevice("/device:CPU:0", "CPU")]


def test_fake_gpus_are_listed(fake_gpus):
    gpus = config.list_physical_devices("GPU")
    assert [g.name for g in gpus] == ["/physical_device:GPU:0",
                                      "/physical_device:GPU:1"]
    assert config.list_physical_devices("gpu") == gpus
    assert config.experimental.list_physical_devices("TPU") == []
    assert [d.name for d in config.list_logical_devices()] == [
        "/device:CPU:0", "/device:GPU:0", "/device:GPU:1"]


def test_cuda_visible_devices_minus_one_runs_on_cpu(fake_gpus, monkeypatch):
    assert default_device().type == "cuda"
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert config.list_physical_devices("GPU") == []
    assert default_device() == torch.device("cpu")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32),
              verbose=0)
    assert {w.device.type for w in model.weights} == {"cpu"}


def test_memory_growth_is_recorded_for_gpus_only(fake_gpus):
    gpu = config.list_physical_devices("GPU")[1]
    config.experimental.set_memory_growth(gpu, False)
    assert config.experimental.get_memory_growth(gpu) is False
    config.experimental.set_memory_growth(gpu, True)
    assert config.experimental.get_memory_growth(gpu) is True
    cpu = config.list_physical_devices("CPU")[0]
    with pytest.raises(ValueError, match="Unrecognized device"):
        config.experimental.set_memory_growth(cpu, True)
    with pytest.raises(ValueError, match="Received: device='GPU:7'"):
        config.experimental.set_memory_growth("GPU:7", True)


def test_memory_limit_becomes_a_memory_fraction(fake_gpus):
    gpu = config.list_physical_devices("GPU")[1]
    limit = config.LogicalDeviceConfiguration(memory_limit=1024)
    config.set_logical_device_configuration(gpu, [limit])
    assert fake_gpus == [(1024 * 2**20 / TOTAL, 1)] == [(0.125, 1)]
    assert config.get_logical_device_configuration(gpu) == [limit]
    assert config.get_logical_device_configuration("GPU:0") is None
    # tf 2.0's names, and two logical devices adding their limits.
    config.experimental.set_virtual_device_configuration(
        gpu, [config.experimental.VirtualDeviceConfiguration(2048)] * 2)
    assert fake_gpus[-1] == (0.5, 1)
    with pytest.raises(ValueError, match="LogicalDeviceConfiguration"):
        config.set_logical_device_configuration(gpu, [1024])


def test_hiding_gpus_moves_new_weights_to_cpu(fake_gpus):
    config.set_visible_devices([], "GPU")
    assert config.list_logical_devices("GPU") == []
    assert config.get_visible_devices("GPU") == []
    assert default_device() == torch.device("cpu")
    config.set_visible_devices(config.list_physical_devices("GPU")[1:],
                               "GPU")
    assert config.list_logical_devices("GPU") == [
        config.LogicalDevice("/device:GPU:0", "GPU")]
    assert default_device() == torch.device("cuda", 1)


def test_threading_and_soft_placement():
    threads = torch.get_num_threads()
    try:
        config.threading.set_intra_op_parallelism_threads(1)
        assert config.threading.get_intra_op_parallelism_threads() == 1
    finally:
        torch.set_num_threads(threads)
    assert config.threading.get_inter_op_parallelism_threads() == (
        torch.get_num_interop_threads())
    config.set_soft_device_placement(False)
    assert config.get_soft_device_placement() is False
    config.set_soft_device_placement(True)


def test_keras3_config_settings_are_the_backends():
    assert config.floatx() == "float32"
    assert config.image_data_format() == "channels_last"
    assert config.backend() == "torch"
    config.set_epsilon(1e-5)
    try:
        assert keras.backend.epsilon() == 1e-5
    finally:
        config.set_epsilon(1e-7)


def test_docstring_examples(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    runner = doctest.DocTestRunner()
    for name, obj in (("list_physical_devices", config.list_physical_devices),
                      ("ConfigProto", keras.compat.v1.ConfigProto),
                      ("v1", keras.compat.v1)):
        globs = {name: obj, "keras": keras}
        for test in doctest.DocTestFinder().find(obj, name, globs=globs):
            runner.run(test)
    assert runner.tries >= 5 and runner.failures == 0
