"""tf 1.x's ConfigProto / Session idiom, mapped onto torch.

``backend.ConfigProto``/``backend.Session``/``backend.set_session`` need the
lead's ``backend/__init__.py`` lines; ``compat.v1`` spells the same objects.
GPUs are faked by patching ``torch.cuda``'s queries and recording
``set_per_process_memory_fraction``.
"""

import types

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import compat
from torchkeras.backend.device import default_device

pytestmark = pytest.mark.device_policy

V1 = compat.v1


@pytest.fixture
def fake_gpus(monkeypatch):
    calls = []
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda i: types.SimpleNamespace(total_memory=2**30))
    monkeypatch.setattr(torch.cuda, "set_per_process_memory_fraction",
                        lambda fraction, i: calls.append((fraction, i)))
    yield calls
    keras.backend.set_device(None)


def test_config_proto_defaults_are_tfs():
    config = V1.ConfigProto()
    assert config.gpu_options.allow_growth is False
    assert config.gpu_options.per_process_gpu_memory_fraction == 0.0
    assert (config.log_device_placement, config.allow_soft_placement) == (
        False, False)
    assert config.device_count == {}
    with pytest.raises(AttributeError):
        config.gpu_options.allow_grwoth = True  # a typo is an error
    with pytest.raises(TypeError):
        V1.ConfigProto(no_such_field=1)


def test_backend_spelling_is_the_same_idiom():
    assert keras.backend.ConfigProto is V1.ConfigProto
    assert keras.backend.Session is V1.Session
    assert keras.backend.GPUOptions is V1.GPUOptions
    assert keras.backend.set_session is V1.keras.backend.set_session
    assert keras.backend.get_session is V1.keras.backend.get_session


def test_memory_fraction_is_applied_to_every_gpu(fake_gpus):
    config = V1.ConfigProto(gpu_options=V1.GPUOptions(
        per_process_gpu_memory_fraction=0.3, allow_growth=True))
    V1.keras.backend.set_session(V1.Session(config=config))
    assert fake_gpus == [(0.3, 0), (0.3, 1)]
    assert keras.config.experimental.get_memory_growth("GPU:1") is True


def test_memory_fraction_out_of_range(fake_gpus):
    config = V1.ConfigProto()
    config.gpu_options.per_process_gpu_memory_fraction = 1.5
    V1.keras.backend.set_session(V1.Session(config=config))
    # tf oversubscribes with unified memory; torch caps the fraction at 1.
    assert fake_gpus == [(1.0, 0), (1.0, 1)]


def test_device_count_gpu_zero_means_cpu(fake_gpus):
    assert default_device().type == "cuda"
    V1.keras.backend.set_session(
        V1.Session(config=V1.ConfigProto(device_count={"GPU": 0})))
    assert default_device() == torch.device("cpu")


def test_visible_device_list_picks_the_default_gpu(fake_gpus):
    config = V1.ConfigProto()
    config.gpu_options.visible_device_list = "1"
    V1.keras.backend.set_session(V1.Session(config=config))
    assert default_device() == torch.device("cuda", 1)


def test_cpu_machine_accepts_the_idiom_and_trains():
    config = V1.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.5
    V1.keras.backend.set_session(V1.Session(config=config))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(np.ones((4, 2), np.float32),
                        np.ones((4, 1), np.float32), verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_intra_op_threads():
    threads = torch.get_num_threads()
    try:
        V1.keras.backend.set_session(V1.Session(
            config=V1.ConfigProto(intra_op_parallelism_threads=1)))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)


def test_session_run_context_and_clear_session():
    session = V1.Session()
    values = session.run({"a": torch.tensor([1.0, 2.0]), "b": [3]})
    np.testing.assert_array_equal(values["a"], [1.0, 2.0])
    assert isinstance(values["a"], np.ndarray)
    with pytest.raises(ValueError, match="feed_dict"):
        session.run(torch.ones(1), feed_dict={"x": 1})
    outer = V1.keras.backend.get_session()
    with session as current:
        assert current is session is V1.keras.backend.get_session()
    assert V1.keras.backend.get_session() is outer
    keras.backend.clear_session()
    assert V1.keras.backend.get_session() is not outer
    interactive = V1.InteractiveSession()
    assert V1.keras.backend.get_session() is interactive
    names = [d.name for d in interactive.list_devices()]
    assert names[0] == "/job:localhost/replica:0/task:0/device:CPU:0"


def test_set_session_rejects_other_objects():
    with pytest.raises(TypeError, match="expects a Session"):
        V1.keras.backend.set_session(object())
    with pytest.raises(TypeError, match="must be a ConfigProto"):
        V1.Session(config={"log_device_placement": True})
