"""CallbackList: who receives which hook, and in which form the logs come."""

from collections.abc import Mapping

import numpy as np
import pytest
import torch

from torchkeras.callbacks import Callback
from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import History
from torchkeras.callbacks import LambdaCallback
from torchkeras.callbacks import ProgbarLogger
from torchkeras.callbacks import callback as callback_module
from torchkeras.callbacks.callback import is_default

ALL_HOOKS = [
    "on_train_begin",
    "on_train_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
]


class Recorder(Callback):
    """Records every hook call as `(hook, *args)`."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name in ALL_HOOKS:
            return lambda *args: self.calls.append((name,) + args)
        return super().__getattribute__(name)


class EpochOnly(Callback):
    def __init__(self):
        super().__init__()
        self.epoch_logs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_logs.append(logs)


class ExplodingLogs(Mapping):
    """Logs that fail when anyone reads them."""

    def __getitem__(self, key):
        raise AssertionError("logs were read")

    def __iter__(self):
        raise AssertionError("logs were read")

    def __len__(self):
        raise AssertionError("logs were read")


class FakeModel:
    pass


def _run_fit(callbacks, epochs=2, steps=2):
    """The call sequence of `fit` with validation, as the engine makes it."""
    callbacks.on_train_begin()
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            callbacks.on_train_batch_end(step, {"loss": 1.0})
        callbacks.on_test_begin()
        callbacks.on_test_batch_begin(0)
        callbacks.on_test_batch_end(0, {"loss": 2.0})
        callbacks.on_test_end({"loss": 2.0})
        callbacks.on_epoch_end(epoch, {"loss": 1.0, "val_loss": 2.0})
    callbacks.on_train_end({"loss": 1.0, "val_loss": 2.0})


def test_recorder_sees_hooks_in_call_order():
    recorder = Recorder()
    callbacks = CallbackList([recorder])
    _run_fit(callbacks, epochs=1, steps=2)
    callbacks.on_predict_begin()
    callbacks.on_predict_batch_begin(0)
    callbacks.on_predict_batch_end(0, {"outputs": 5})
    callbacks.on_predict_end()
    names = [call[0] for call in recorder.calls]
    assert names == [
        "on_train_begin",
        "on_epoch_begin",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_test_end",
        "on_epoch_end",
        "on_train_end",
        "on_predict_begin",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_end",
    ]
    assert recorder.calls[3] == ("on_train_batch_end", 0, {"loss": 1.0})
    assert recorder.calls[10] == (
        "on_epoch_end",
        0,
        {"loss": 1.0, "val_loss": 2.0},
    )
    assert recorder.calls[0] == ("on_train_begin", {})


def test_base_hooks_are_marked_default():
    base = Callback()
    assert all(is_default(getattr(base, name)) for name in ALL_HOOKS)
    assert is_default(base.on_batch_begin) and is_default(base.on_batch_end)
    assert not is_default(EpochOnly().on_epoch_end)
    assert is_default(EpochOnly().on_train_batch_end)


def test_batch_hooks_skip_callbacks_that_do_not_override_them():
    epoch_only = EpochOnly()
    callbacks = CallbackList([epoch_only])
    # Reading these logs would raise: nobody may touch them.
    for hook in ALL_HOOKS:
        if "batch" in hook:
            getattr(callbacks, hook)(0, ExplodingLogs())
    callbacks.on_batch_begin(0, ExplodingLogs())
    callbacks.on_batch_end(0, ExplodingLogs())
    callbacks.on_epoch_end(0, {"loss": torch.tensor(0.5)})
    assert epoch_only.epoch_logs == [{"loss": 0.5}]


def test_tf_keras_batch_aliases_get_train_batches_only():
    seen = []

    class Tf2Style(Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch, logs))

    callbacks = CallbackList([Tf2Style()])
    callbacks.on_train_batch_begin(3)
    callbacks.on_train_batch_end(3, {"loss": torch.tensor(0.25)})
    callbacks.on_test_batch_end(4, {"loss": torch.tensor(1.0)})
    callbacks.on_predict_batch_end(5, {"outputs": torch.ones(2)})
    callbacks.on_batch_end(6, {"loss": 2.0})
    assert seen == [
        ("begin", 3),
        ("end", 3, {"loss": 0.25}),
        ("end", 6, {"loss": 2.0}),
    ]


def test_needs_batch_logs():
    class TestBatches(Callback):
        def on_test_batch_begin(self, batch, logs=None):
            pass

    class PredictBatches(Callback):
        def on_predict_batch_end(self, batch, logs=None):
            pass

    class Tf2Style(Callback):
        def on_batch_begin(self, batch, logs=None):
            pass

    def needs(callbacks):
        return tuple(
            callbacks.needs_batch_logs(mode)
            for mode in ("train", "test", "predict")
        )

    plain = CallbackList(
        [EpochOnly()], add_history=True, add_progbar=True, verbose=1
    )
    assert needs(plain) == (False, False, False)
    assert needs(CallbackList([TestBatches()])) == (False, True, False)
    assert needs(CallbackList([PredictBatches()])) == (False, False, True)
    assert needs(CallbackList([Tf2Style()])) == (True, False, False)
    lam = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    assert needs(CallbackList([lam])) == (True, False, False)
    with pytest.raises(ValueError, match="Received: mode='eval'"):
        plain.needs_batch_logs("eval")


class Plain(Callback):
    def __init__(self):
        super().__init__()
        self.logs = []

    def on_train_batch_end(self, batch, logs=None):
        self.logs.append(logs)

    def on_test_end(self, logs=None):
        self.logs.append(logs)


class Raw(Plain):
    _supports_tf_logs = True


@pytest.fixture
def stack_calls(monkeypatch):
    calls = []
    real_stack = torch.stack

    def counting_stack(tensors, *args, **kwargs):
        calls.append(len(tensors))
        return real_stack(tensors, *args, **kwargs)

    monkeypatch.setattr(callback_module.torch, "stack", counting_stack)
    return calls


def test_plain_callbacks_get_floats_raw_ones_get_tensors(stack_calls):
    plain_a, plain_b, raw = Plain(), Plain(), Raw()
    callbacks = CallbackList([plain_a, raw, plain_b])
    third = torch.tensor(1.0, dtype=torch.float64) / 3
    logs = {
        "loss": torch.tensor(0.5, requires_grad=True) * 1,
        "accuracy": torch.tensor(0.75),
        "precise": third,
        "count": torch.tensor(7),
        "outputs": torch.ones(1),
        "np_value": np.float32(0.125),
        "nested": {"auc": torch.tensor(0.625)},
        "note": "text",
    }
    callbacks.on_train_batch_end(0, logs)

    assert raw.logs[0] is logs
    assert isinstance(logs["loss"], torch.Tensor)  # the engine's dict
    converted = plain_a.logs[0]
    assert plain_b.logs[0] is converted  # one conversion per call
    assert converted["loss"] == 0.5 and type(converted["loss"]) is float
    assert converted["accuracy"] == 0.75
    assert converted["precise"] == 1.0 / 3.0  # float64 kept exact
    assert converted["count"] == 7.0 and type(converted["count"]) is float
    assert converted["np_value"] == 0.125
    assert type(converted["np_value"]) is float
    assert converted["nested"] == {"auc": 0.625}
    assert converted["note"] == "text"
    assert converted["outputs"] is logs["outputs"]  # not a scalar
    # float32 (loss, accuracy, auc), float64, int64: one transfer each.
    assert sorted(stack_calls) == [1, 1, 3]


def test_no_conversion_when_only_raw_callbacks_listen(stack_calls):
    raw = Raw()
    callbacks = CallbackList([raw, EpochOnly()])
    logs = {"loss": torch.tensor(0.5)}
    callbacks.on_train_batch_end(0, logs)
    callbacks.on_test_end(logs)
    assert stack_calls == []
    assert raw.logs == [logs, logs]


def test_missing_logs_become_empty_dicts():
    plain, raw = Plain(), Raw()
    callbacks = CallbackList([plain, raw])
    callbacks.on_train_batch_end(0)
    assert plain.logs == [{}] and raw.logs == [{}]


def test_epoch_end_logs_are_converted_in_place_and_shared():
    class AddsLearningRate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["lr"] = 0.01

    raw = EpochOnly()
    raw._supports_tf_logs = True
    callbacks = CallbackList(
        [AddsLearningRate(), raw], add_history=True, model=FakeModel()
    )
    logs = {"loss": torch.tensor(0.5), "val_loss": torch.tensor(0.25)}
    callbacks.on_epoch_end(0, logs)
    assert logs == {"loss": 0.5, "val_loss": 0.25, "lr": 0.01}
    assert all(type(value) is float for value in logs.values())
    assert raw.epoch_logs[0] is logs  # even a raw callback gets floats
    assert callbacks._history.history == {
        "loss": [0.5],
        "val_loss": [0.25],
        "lr": [0.01],
    }


def test_default_callbacks_added_once_at_the_end():
    own_history = History()
    callbacks = CallbackList(
        [[EpochOnly()], own_history], add_history=True, add_progbar=True
    )
    kinds = [type(callback) for callback in callbacks]
    assert kinds == [EpochOnly, History, ProgbarLogger]
    assert callbacks._history is own_history
    bare = CallbackList([EpochOnly()])
    assert [type(callback) for callback in bare] == [EpochOnly]


def test_set_model_and_set_params_reach_every_callback():
    model = FakeModel()
    first, second = EpochOnly(), Plain()
    callbacks = CallbackList(
        [first], add_history=True, model=model, verbose=2, epochs=3, steps=7
    )
    callbacks.append(second)
    callbacks.set_model(model)
    callbacks.set_params({"verbose": 2, "epochs": 3, "steps": 7})
    for callback in callbacks:
        assert callback.model is model
        assert callback.params == {"verbose": 2, "epochs": 3, "steps": 7}
    assert model.history is callbacks._history


def test_appended_callback_receives_hooks():
    callbacks = CallbackList([])
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    plain = Plain()
    callbacks.append(plain)
    callbacks.on_train_batch_end(1, {"loss": 2.0})
    assert plain.logs == [{"loss": 2.0}]


def test_rejects_non_callbacks():
    with pytest.raises(TypeError, match="Received: callback="):
        CallbackList([EpochOnly])  # the class, not an instance
    with pytest.raises(TypeError, match="Callback"):
        CallbackList([]).append(lambda logs: None)


def test_model_property_unwraps_ddp_and_accepts_assignment():
    inner = torch.nn.Linear(2, 2)
    wrapper = torch.nn.parallel.DistributedDataParallel.__new__(
        torch.nn.parallel.DistributedDataParallel
    )
    torch.nn.Module.__init__(wrapper)
    wrapper.module = inner
    callback = Callback()
    callback.set_model(wrapper)
    assert callback.model is inner
    callback.model = "other"  # tf.keras 2 callbacks assign it
    assert callback.model == "other"
