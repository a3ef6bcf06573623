"""Progbar output in a terminal, a log file and a notebook.

Expected lines are written by hand from Keras 3's format
(`keras/src/utils/progbar.py`); time comes from a fake clock.
"""

import io
import re
import sys
import types

import pytest

from torchkeras.utils import progbar as progbar_module
from torchkeras.utils.progbar import Progbar

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FULL_BAR = "━" * 20


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


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "time", fake)
    return fake


def _stdout(monkeypatch, tty=False, notebook=False):
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    if notebook:
        kernel = types.ModuleType("ipykernel")
        monkeypatch.setitem(sys.modules, "ipykernel", kernel)
    stream = FakeStdout(tty)
    monkeypatch.setattr(sys, "stdout", stream)
    return stream


def _run_epoch(clock, bar, steps=32, step_time=0.002, values=None):
    """Updates `bar` once per step, `step_time` seconds apart."""
    for step in range(1, steps + 1):
        clock.now = step * step_time
        bar.update(step, values or [("accuracy", 0.8125), ("loss", 0.4321)])


def test_log_file_prints_one_plain_line_per_epoch(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    for _ in range(2):
        clock.now = 0.0
        bar = Progbar(target=32)
        _run_epoch(clock, bar)
    text = stream.getvalue()
    line = (
        "32/32 [====================] 0s 2ms/step"
        " - accuracy: 0.8125 - loss: 0.4321\n"
    )
    assert text == line * 2
    for char in ("\r", "\b", "\x1b"):
        assert char not in text


def test_log_file_line_for_an_unfinished_epoch(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    bar = Progbar(target=10, width=10)
    clock.now = 2.0
    bar.update(4, finalize=True)
    assert stream.getvalue() == " 4/10 [===>......] 2s 500ms/step\n"


def test_terminal_rewrites_one_line(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=32, interval=0.0)
    _run_epoch(clock, bar)
    text = stream.getvalue()
    assert "\x1b[32m" in text  # the green done part of the bar
    assert "\b" not in text
    assert text.count("\n") == 1 and text.endswith("\n")
    segments = ANSI.sub("", text).split("\r")[1:]
    assert len(segments) == 32
    assert segments[-1].rstrip() == (
        f"32/32 {FULL_BAR} 0s 2ms/step - accuracy: 0.8125 - loss: 0.4321"
    )


def test_terminal_eta_and_running_mean(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=32, interval=0.0)
    for step in range(1, 9):
        clock.now = float(step)  # 1 s per step
        bar.update(step, [("loss", float(step))])
    segments = ANSI.sub("", stream.getvalue()).split("\r")[1:]
    # 8 of 32 steps: 5 of 20 cells, 24 steps left at 1 s, mean of 1..8.
    assert segments[-1].rstrip() == (
        " 8/32 " + "━" * 20 + " 24s 1s/step - loss: 4.5000"
    )


@pytest.mark.parametrize(
    "seconds_per_step, eta",
    [(100.0, "1:21:40"), (10.0, "8:10"), (0.5, "24s")],
)
def test_eta_formats(monkeypatch, clock, seconds_per_step, eta):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=50, interval=0.0)
    clock.now = seconds_per_step
    bar.update(1)
    # 49 steps left.
    assert f" {eta} " in ANSI.sub("", stream.getvalue())


def test_terminal_pads_a_shorter_line(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=50, interval=0.0)
    clock.now = 100.0
    bar.update(1)  # ETA "1:21:40"
    clock.now = 101.0
    bar.update(49)  # ETA "0s" is 5 characters shorter
    first, second = ANSI.sub("", stream.getvalue()).split("\r")[1:]
    assert len(second) == len(first)
    assert second.endswith(" " * 5)


def test_terminal_throttles_to_interval(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=100, interval=4 / 64)
    _run_epoch(clock, bar, steps=100, step_time=1 / 64, values=[("l", 1.0)])
    # Steps 1, 5, 9, ... 97 pass the interval; step 100 finalizes.
    assert stream.getvalue().count("\r") == 26


def test_value_formatting(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    bar = Progbar(target=1)
    clock.now = 0.5
    bar.update(1, [("tiny", 0.0004321), ("neg", -0.5), ("count", 3)])
    assert stream.getvalue() == (
        "1/1 [====================] 0s 500ms/step"
        " - tiny: 4.3210e-04 - neg: -0.5000 - count: 3.0000\n"
    )


def test_stateful_metrics_shown_as_given(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=4, interval=0.0, stateful_metrics=["acc"])
    for step in range(1, 4):
        clock.now = float(step)
        bar.update(step, [("acc", step / 10), ("loss", float(step))])
    last = ANSI.sub("", stream.getvalue()).split("\r")[-1]
    assert last.endswith("- acc: 0.3000 - loss: 2.0000")


def test_stateless_metrics_argument(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=4, interval=0.0, stateless_metrics=["loss"])
    for step in range(1, 4):
        clock.now = float(step)
        bar.update(step, [("acc", step / 10), ("loss", float(step))])
    last = ANSI.sub("", stream.getvalue()).split("\r")[-1]
    assert last.endswith("- acc: 0.3000 - loss: 2.0000")


def test_mean_weights_by_steps_between_updates(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=10, interval=0.0)
    clock.now = 1.0
    bar.update(1, [("loss", 1.0)])
    clock.now = 4.0
    bar.update(4, [("loss", 2.0)])  # stands for 3 steps
    last = ANSI.sub("", stream.getvalue()).split("\r")[-1]
    assert last.endswith("- loss: 1.7500")  # (1 + 3 * 2) / 4


def test_verbose_2_prints_one_summary_line(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=32, verbose=2)
    _run_epoch(clock, bar, steps=31)
    assert stream.getvalue() == ""
    clock.now = 0.064
    bar.update(32, [("accuracy", 0.8125), ("loss", 0.4321)])
    assert stream.getvalue() == (
        "32/32 - 0s - 2ms/step - accuracy: 0.8125 - loss: 0.4321\n"
    )


def test_notebook_updates_one_line_with_carriage_returns(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False, notebook=True)
    bar = Progbar(target=3, interval=0.0)
    _run_epoch(clock, bar, steps=2, values=[("loss", 1.0)])
    text = stream.getvalue()
    assert text.count("\r") == 2
    assert "\n" not in text and "\b" not in text
    clock.now = 1.0
    bar.update(3, [("loss", 1.0)])
    assert stream.getvalue().count("\n") == 1


def test_jupyter_environment_variable_means_dynamic(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    monkeypatch.setenv("JPY_PARENT_PID", "1")
    bar = Progbar(target=3, interval=0.0)
    bar.update(1)
    assert stream.getvalue().startswith("\r")


def test_unknown_target(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=None, interval=0.0)
    clock.now = 2.0
    bar.update(5, [("loss", 1.0)])
    line = ANSI.sub("", stream.getvalue()).split("\r")[-1]
    assert line == "      5/Unknown 2s 400ms/step - loss: 1.0000"


def test_add_advances_the_count(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False)
    bar = Progbar(target=6)
    bar.add(2)
    bar.add(2)
    assert stream.getvalue() == ""
    clock.now = 6.0
    bar.add(2)
    assert stream.getvalue().startswith("6/6 [====================] 6s")


def test_verbose_0_prints_nothing(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=True)
    bar = Progbar(target=4, verbose=0)
    _run_epoch(clock, bar, steps=4)
    assert stream.getvalue() == ""


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: verbose=3"):
        Progbar(10, verbose=3)
    with pytest.raises(ValueError, match="at most one"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])
