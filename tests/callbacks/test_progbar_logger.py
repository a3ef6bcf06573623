"""ProgbarLogger: what fit/evaluate/predict print, and when logs are read.

Time comes from a fake clock shared by the logger and the bar; the logs of
each batch are a mapping that counts how often it is materialised, which is
when the logger converts device tensors to floats.
"""

import io
import re
import sys
from collections.abc import Mapping

import pytest
import torch

from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import ProgbarLogger
from torchkeras.callbacks import progbar_logger as logger_module
from torchkeras.utils import progbar as progbar_module

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now


class FakeStdout(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


class CountingLogs(Mapping):
    """Tensor logs that count how often their items are read."""

    reads = 0

    def __init__(self, **values):
        self._values = {k: torch.tensor(v) for k, v in values.items()}

    def __getitem__(self, key):
        CountingLogs.reads += 1
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def items(self):
        CountingLogs.reads += 1
        return self._values.items()


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "time", fake)
    monkeypatch.setattr(logger_module, "time", fake)
    CountingLogs.reads = 0
    return fake


def _stdout(monkeypatch, tty):
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    stream = FakeStdout(tty)
    monkeypatch.setattr(sys, "stdout", stream)
    return stream


def _fit(clock, callbacks, epochs, steps, step_time, validate=False):
    """Drives `callbacks` like `fit`: batch logs are device-style tensors."""
    callbacks.on_train_begin()
    for epoch in range(epochs):
        clock.now = 0.0
        callbacks.on_epoch_begin(epoch)
        for step in range(steps):
            clock.now = (step + 1) * step_time
            callbacks.on_train_batch_begin(step)
            logs = CountingLogs(loss=float(step), accuracy=0.5)
            callbacks.on_train_batch_end(step, logs)
        if validate:
            callbacks.on_test_begin()
            callbacks.on_test_batch_end(0, CountingLogs(loss=9.0))
            callbacks.on_test_end({"loss": torch.tensor(9.0)})
        epoch_logs = {"accuracy": torch.tensor(0.75), "loss": torch.tensor(0.5)}
        callbacks.on_epoch_end(epoch, epoch_logs)
    callbacks.on_train_end()


def test_log_file_gets_one_line_per_epoch_and_no_batch_reads(
    monkeypatch, clock
):
    stream = _stdout(monkeypatch, tty=False)
    callbacks = CallbackList(add_progbar=True, verbose=1, epochs=2, steps=32)
    _fit(clock, callbacks, epochs=2, steps=32, step_time=1 / 512, validate=True)
    line = (
        "32/32 [====================] 0s 2ms/step"
        " - accuracy: 0.7500 - loss: 0.5000\n"
    )
    assert stream.getvalue() == ("Epoch 1/2\n" + line + "Epoch 2/2\n" + line)
    assert CountingLogs.reads == 0


def test_terminal_converts_logs_only_when_it_redraws(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    callbacks = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=20)
    # 1/32 s per step: redraws at steps 1, 5, 9, 13, 17 (>= 0.1 s apart).
    _fit(clock, callbacks, epochs=1, steps=20, step_time=1 / 32)
    assert CountingLogs.reads == 5
    text = stream.getvalue()
    segments = ANSI.sub("", text).split("\r")[1:]
    assert [segment.split("/")[0].strip() for segment in segments] == [
        "1",
        "5",
        "9",
        "13",
        "17",
        "20",
    ]
    # Shown as given (the engine's running means), not averaged again.
    assert segments[2].rstrip().endswith("- loss: 8.0000 - accuracy: 0.5000")
    # The final step always shows the epoch's final values.
    assert segments[-1].rstrip() == (
        "20/20 " + "━" * 20 + " 1s 31ms/step - loss: 0.5000 - accuracy: 0.7500"
    )
    assert text.endswith("\n") and text.count("\n") == 1  # epochs=1


def test_verbose_2_prints_a_summary_per_epoch(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    callbacks = CallbackList(add_progbar=True, verbose=2, epochs=2, steps=4)
    _fit(clock, callbacks, epochs=2, steps=4, step_time=0.25)
    line = "4/4 - 1s - 250ms/step - accuracy: 0.7500 - loss: 0.5000\n"
    assert stream.getvalue() == "Epoch 1/2\n" + line + "Epoch 2/2\n" + line
    assert CountingLogs.reads == 0


def test_verbose_0_is_silent(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    callbacks = CallbackList(add_progbar=True, verbose=0, epochs=2, steps=4)
    _fit(clock, callbacks, epochs=2, steps=4, step_time=0.25)
    assert stream.getvalue() == ""
    assert CountingLogs.reads == 0


def test_verbose_auto_means_1(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    callbacks = CallbackList(
        add_progbar=True, verbose="auto", epochs=1, steps=2
    )
    _fit(clock, callbacks, epochs=1, steps=2, step_time=0.5)
    assert stream.getvalue().startswith("2/2 [====================] 1s")


def test_unknown_steps_are_learnt_in_the_first_epoch(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    callbacks = CallbackList(add_progbar=True, verbose=1, epochs=2, steps=None)
    _fit(clock, callbacks, epochs=2, steps=3, step_time=0.5)
    lines = stream.getvalue().splitlines()
    assert lines[1].startswith("3/3 [====================] 2s 500ms/step")
    assert lines[3].startswith("3/3 [====================] 2s 500ms/step")


def test_evaluate_and_predict_have_their_own_bar(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    evaluate = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=2)
    evaluate.on_test_begin()
    for step in range(2):
        clock.now = step + 1.0
        evaluate.on_test_batch_end(step, CountingLogs(loss=1.0))
    evaluate.on_test_end({"loss": torch.tensor(0.125)})
    clock.now = 0.0
    predict = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=2)
    predict.on_predict_begin()
    for step in range(2):
        clock.now = step + 1.0
        predict.on_predict_batch_end(step, {"outputs": torch.ones(4, 2)})
    predict.on_predict_end()
    assert stream.getvalue() == (
        "2/2 [====================] 2s 1s/step - loss: 0.1250\n"
        "2/2 [====================] 2s 1s/step\n"
    )


def test_progbar_logger_arguments():
    assert ProgbarLogger().count_mode == "steps"
    logger = ProgbarLogger(count_mode="samples")
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 4, "samples": 64})
    assert logger.target == 64
    with pytest.raises(ValueError, match="Received: count_mode=batches"):
        ProgbarLogger(count_mode="batches")


class FakeHandle:
    def __init__(self, shown, bundle):
        self.bundles = [bundle]
        shown.append(self)

    def update(self, bundle, raw=False):
        self.bundles.append(bundle)


def test_notebook_gets_headers_and_one_display_per_epoch(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    shown = []
    monkeypatch.setattr(progbar_module, "_in_notebook_kernel", lambda: True)
    monkeypatch.setattr(
        progbar_module, "_open_display", lambda b: FakeHandle(shown, b)
    )
    callbacks = CallbackList(add_progbar=True, verbose=1, epochs=2, steps=20)
    # 1/32 s per step: redraws at steps 1, 5, 9, 13, 17, then the end.
    _fit(clock, callbacks, epochs=2, steps=20, step_time=1 / 32, validate=True)
    assert stream.getvalue() == "Epoch 1/2\nEpoch 2/2\n"
    assert len(shown) == 2  # validation inside `fit` shows nothing
    assert CountingLogs.reads == 10  # logs are read only to redraw
    for handle in shown:
        counts = [b["text/plain"][:2] for b in handle.bundles]
        assert counts == [" 1", " 5", " 9", "13", "17", "20"]
        assert handle.bundles[-1]["text/plain"] == (
            "20/20 " + "━" * 20
            + " 1s 31ms/step - loss: 0.5000 - accuracy: 0.7500"
        )
