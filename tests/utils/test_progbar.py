"""Progbar output in a terminal, a log file and a notebook.

Expected lines are written by hand from Keras 3's format
(`keras/src/utils/progbar.py`); time comes from a fake clock.
"""

import io
import os
import re
import select
import subprocess
import sys
import time
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


# Notebook kernels: one IPython display per bar, updated in place.


class FakeHandle:
    """Records what a bar shows through its IPython display handle."""

    def __init__(self, shown, bundle):
        self.bundles = [bundle]
        shown.append(self)

    def update(self, bundle, raw=False):
        assert raw
        self.bundles.append(bundle)


@pytest.fixture
def displays(monkeypatch):
    """A notebook kernel: returns the handles the bars open, in order."""
    shown = []
    monkeypatch.setattr(progbar_module, "_in_notebook_kernel", lambda: True)
    monkeypatch.setattr(
        progbar_module, "_open_display", lambda b: FakeHandle(shown, b)
    )
    return shown


def test_notebook_bar_is_one_display_with_a_clean_final_line(
    monkeypatch, clock, displays
):
    stream = _stdout(monkeypatch, tty=False)
    bar = Progbar(target=32, interval=0.0)
    _run_epoch(clock, bar, step_time=1 / 32)
    assert stream.getvalue() == ""
    (handle,) = displays
    final = handle.bundles[-1]
    assert set(final) == {"text/plain", "text/html"}
    assert final["text/plain"] == (
        f"32/32 {FULL_BAR} 1s 31ms/step - accuracy: 0.8125 - loss: 0.4321"
    )
    for bundle in handle.bundles:
        for text in bundle.values():
            assert "\r" not in text and "\x1b" not in text
            assert "\n" not in text and "\b" not in text
    assert final["text/html"] == (
        '<pre style="margin: 0"><span style="font-weight: bold">32/32</span>'
        f' <span style="color: #4caf50">{FULL_BAR}</span>'
        ' <span style="font-weight: bold">1s</span>'
        " 31ms/step - accuracy: 0.8125 - loss: 0.4321</pre>"
    )


def test_notebook_display_shows_progress_in_colour(
    monkeypatch, clock, displays
):
    _stdout(monkeypatch, tty=False)
    bar = Progbar(target=4, width=4, interval=0.0)
    clock.now = 1.0
    bar.update(1, [("a<b", 1.0)])
    (handle,) = displays
    assert handle.bundles[0]["text/plain"] == (
        "1/4 ━━━━ 3s 1s/step - a<b: 1.0000"
    )
    html = handle.bundles[0]["text/html"]
    assert '<span style="color: #4caf50">━</span>' in html
    assert '<span style="color: #9e9e9e">━━━</span>' in html
    assert "a&lt;b: 1.0000" in html  # metric names are escaped


def test_notebook_display_redraws_at_most_every_tenth_of_a_second(
    monkeypatch, clock, displays
):
    _stdout(monkeypatch, tty=False)
    bar = Progbar(target=32, interval=0.0)
    _run_epoch(clock, bar, step_time=1 / 32, values=[("l", 1.0)])
    # Steps 1, 5, 9, ... 29 are >= 0.1 s apart; step 32 finalizes.
    (handle,) = displays
    counts = [b["text/plain"].split("/")[0].strip() for b in handle.bundles]
    assert counts == ["1", "5", "9", "13", "17", "21", "25", "29", "32"]


def test_notebook_display_keeps_a_longer_interval(
    monkeypatch, clock, displays
):
    _stdout(monkeypatch, tty=False)
    bar = Progbar(target=32, interval=0.25)
    _run_epoch(clock, bar, step_time=1 / 32, values=[("l", 1.0)])
    (handle,) = displays
    counts = [b["text/plain"].split("/")[0].strip() for b in handle.bundles]
    assert counts == ["1", "9", "17", "25", "32"]


def test_notebook_each_bar_has_its_own_display(monkeypatch, clock, displays):
    _stdout(monkeypatch, tty=False)
    for _ in range(3):
        clock.now = 0.0
        bar = Progbar(target=2)
        _run_epoch(clock, bar, steps=2, step_time=0.5, values=[("l", 1.0)])
    assert len(displays) == 3
    for handle in displays:
        assert handle.bundles[-1]["text/plain"] == (
            f"2/2 {FULL_BAR} 1s 500ms/step - l: 1.0000"
        )


def test_notebook_bar_finalized_at_once_opens_one_display(
    monkeypatch, clock, displays
):
    _stdout(monkeypatch, tty=False)
    bar = Progbar(target=None)
    clock.now = 2.0
    bar.update(5, finalize=True)
    (handle,) = displays
    assert handle.bundles == [
        {
            "text/plain": "      5/Unknown 2s 400ms/step",
            "text/html": '<pre style="margin: 0">      5/Unknown'
            ' <span style="font-weight: bold">2s</span> 400ms/step</pre>',
        }
    ]


def test_notebook_verbose_2_prints_a_plain_line(monkeypatch, clock, displays):
    stream = _stdout(monkeypatch, tty=False)
    bar = Progbar(target=32, verbose=2)
    _run_epoch(clock, bar)
    assert displays == []
    assert stream.getvalue() == (
        "32/32 - 0s - 2ms/step - accuracy: 0.8125 - loss: 0.4321\n"
    )


def test_notebook_verbose_0_shows_nothing(monkeypatch, clock, displays):
    stream = _stdout(monkeypatch, tty=False)
    _run_epoch(clock, Progbar(target=4, verbose=0), steps=4)
    assert displays == [] and stream.getvalue() == ""


# Recognising the kernel, from an IPython that is already imported.


class ZMQInteractiveShell:
    config = {}


class TerminalInteractiveShell:
    config = {}


class KernelAppShell:
    config = {"IPKernelApp": {}}


class OutStream(io.StringIO):
    pass


def _ipython(monkeypatch, shell):
    """Fakes `sys.modules["IPython"]` whose `get_ipython` returns `shell`."""
    module = types.ModuleType("IPython")
    if isinstance(shell, Exception):

        def get_ipython():
            raise shell

    else:

        def get_ipython():
            return shell

    module.get_ipython = get_ipython
    monkeypatch.setitem(sys.modules, "IPython", module)
    iostream = types.ModuleType("ipykernel.iostream")
    iostream.OutStream = OutStream
    monkeypatch.setitem(sys.modules, "ipykernel.iostream", iostream)
    monkeypatch.setattr(sys, "stdout", OutStream())


@pytest.mark.parametrize(
    "shell, expected",
    [
        (ZMQInteractiveShell(), True),
        (KernelAppShell(), True),
        (TerminalInteractiveShell(), False),
        (None, False),
        (RuntimeError("broken shell"), False),
    ],
)
def test_kernel_detection(monkeypatch, shell, expected):
    _ipython(monkeypatch, shell)
    assert progbar_module._in_notebook_kernel() is expected


def test_kernel_detection_recognises_colab(monkeypatch):
    colab_shell = type("Shell", (), {"config": {}})
    colab_shell.__module__ = "google.colab._shell"
    _ipython(monkeypatch, colab_shell())
    assert progbar_module._in_notebook_kernel()


def test_kernel_with_redirected_stdout_is_not_a_display(monkeypatch):
    _ipython(monkeypatch, ZMQInteractiveShell())
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert not progbar_module._in_notebook_kernel()


def test_no_imported_ipython_means_no_kernel(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not progbar_module._in_notebook_kernel()


def test_failed_detection_falls_back_to_carriage_returns(monkeypatch, clock):
    stream = _stdout(monkeypatch, tty=False, notebook=True)
    _ipython(monkeypatch, RuntimeError("broken shell"))
    monkeypatch.setattr(sys, "stdout", stream)
    bar = Progbar(target=3, interval=0.0)
    bar.update(1)
    assert stream.getvalue().startswith("\r")


# A real `fit` in a child process, its stdout a terminal or a pipe.

FIT_SCRIPT = """
import sys
import time

import numpy as np
import torchkeras as keras

class Slow(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(0.03)

x = np.random.rand(40, 4).astype("float32")
y = np.random.rand(40, 1).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, batch_size=4, epochs=2, verbose=1, callbacks=[Slow()])
print("IPython imported:", "IPython" in sys.modules)
"""

TERMINAL_LINE = re.compile(
    r"10/10 ━{20} \d+s \d+ms/step - loss: \d+\.\d{4} *"
)
PLAIN_LINE = re.compile(r"10/10 \[={20}\] \d+s \d+ms/step - loss: \d+\.\d{4}")


def _child_env():
    env = dict(os.environ)
    for name in ("JPY_PARENT_PID", "PYCHARM_HOSTED"):
        env.pop(name, None)
    return env


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_fit_in_a_terminal_rewrites_its_line_in_colour():
    import termios

    master, slave = os.openpty()
    # Keep `\n` as written (no `\r\n` translation by the terminal).
    attributes = termios.tcgetattr(slave)
    attributes[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attributes)
    child = subprocess.Popen(
        [sys.executable, "-c", FIT_SCRIPT],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=_child_env(),
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        stderr = child.communicate(timeout=60)[1]
    assert child.returncode == 0, stderr.decode()
    text = b"".join(chunks).decode()
    assert "\b" not in text
    # (`str.splitlines` would also split at `\r`.)
    lines = text.split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[4:] == ["IPython imported: False", ""]
    for bar in (lines[1], lines[3]):
        assert "\x1b[32m" in bar  # the green done part
        redraws = ANSI.sub("", bar).split("\r")[1:]
        assert len(redraws) >= 2  # rewritten in place before the end
        assert TERMINAL_LINE.fullmatch(redraws[-1]), redraws[-1]


def test_fit_into_a_pipe_prints_one_plain_line_per_epoch():
    child = subprocess.run(
        [sys.executable, "-c", FIT_SCRIPT],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_child_env(),
        timeout=120,
    )
    assert child.returncode == 0, child.stderr.decode()
    text = child.stdout.decode()
    for char in ("\r", "\b", "\x1b"):
        assert char not in text
    lines = text.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert PLAIN_LINE.fullmatch(lines[1]), lines[1]
    assert PLAIN_LINE.fullmatch(lines[3]), lines[3]
    assert lines[4:] == ["IPython imported: False"]
