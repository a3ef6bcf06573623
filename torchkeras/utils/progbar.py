"""The text progress bar printed by `fit`, `evaluate` and `predict`.

`Progbar` follows Keras 3 `keras/src/utils/progbar.py`: the same line
(`32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.4321`), the same ETA
and time-per-step estimate, the same averaging of stateless metrics. It
differs where Keras 3 misbehaves off a terminal (Keras treats every POSIX
process as interactive, so log files fill with `\\b` and colour codes):

- terminal (stdout is a tty) and Jupyter/IPython kernels: one line that is
  rewritten in place with `\\r`, in colour;
- anything else (a log file, a pipe): plain ASCII with no `\\r`, `\\b` or
  ANSI codes, and exactly one line per bar, printed when it is finalized.

This module only formats and writes; `callbacks.ProgbarLogger` decides
when to call it and converts device tensors to floats.
"""

import math
import os
import re
import sys
import time

import numpy as np

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_WHITE = "\x1b[37m"
_RESET = "\x1b[0m"


class Progbar:
    """Displays a progress bar.

    If neither `stateful_metrics` nor `stateless_metrics` is given, every
    metric is stateless: averaged over the steps before it is displayed.

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Progress bar width on screen, in characters.
        verbose: Verbosity mode, 0 (silent), 1 (a bar), 2 (one line when
            the bar is finalized).
        interval: Minimum visual progress update interval (in seconds).
        stateful_metrics: Iterable of metric names that are displayed as
            given (not averaged). All others are averaged over time.
        stateless_metrics: Iterable of metric names that are averaged over
            time; all others are displayed as given. Give at most one of
            `stateful_metrics` and `stateless_metrics`.
        unit_name: Display name for step counts (usually `"step"` or
            `"sample"`).

    Example:

    >>> bar = Progbar(target=100)
    >>> for step in range(1, 101):  # doctest: +SKIP
    ...     bar.update(step, values=[("loss", 1.0 / step)])
    100/100 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.0100
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar accepts at most one of `stateful_metrics` and "
                "`stateless_metrics`. Received: "
                f"stateful_metrics={stateful_metrics}, "
                f"stateless_metrics={stateless_metrics}"
            )
        if verbose not in (0, 1, 2):
            raise ValueError(
                "Progbar `verbose` must be 0, 1 or 2. "
                f"Received: verbose={verbose}"
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self._dynamic_display = _is_dynamic_display()
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.monotonic()
        self._last_update = -math.inf
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: Index of the current step (1-based count of steps
                done).
            values: List of `(name, value_for_last_step)` pairs of Python
                numbers. A stateful metric is displayed as given; a
                stateless one is averaged over the steps seen.
            finalize: Whether this is the last update of the bar. `None`
                means `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._accumulate(current, values or (), finalize)
        self._seen_so_far = current
        now = time.monotonic()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            self._show_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize:
            self._show_summary(current, now, time_per_unit)

    def add(self, n, values=None):
        """Advances the bar by `n` steps; see `update`."""
        self.update(self._seen_so_far + n, values)

    def _is_stateless(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _accumulate(self, current, values, finalize):
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if not self._is_stateless(name) or finalize:
                # Keras 3 shows the given value of every metric on the
                # finalizing update.
                self._values[name] = [value, 1]
                continue
            # At least 1: without a target, the epoch-end update repeats
            # the step count of the last batch update.
            weight = max(current - self._seen_so_far, 1)
            total = self._values.setdefault(name, [0.0, 0])
            total[0] += value * weight
            total[1] += weight

    def _show_bar(self, current, now, time_per_unit, finalize):
        if not self._dynamic_display:
            if finalize:
                line = self._bar_line(current, now, time_per_unit, finalize)
                _write(line + "\n")
                self._last_update = now
            return
        if now - self._last_update < self.interval and not finalize:
            return
        line = self._bar_line(current, now, time_per_unit, finalize)
        total_width = len(_ANSI.sub("", line))
        padding = " " * max(self._prev_total_width - total_width, 0)
        _write("\r" + line + padding + ("\n" if finalize else ""))
        self._prev_total_width = total_width
        self._last_update = now

    def _bar_line(self, current, now, time_per_unit, finalize):
        known = self.target is not None and self.target > 0
        if not known:
            text = "%7d/Unknown" % current
        elif self._dynamic_display:
            text = self._colour_bar(current)
        else:
            text = self._ascii_bar(current)
        if known and not finalize:
            clock = _format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        text += " " + self._bold(clock)
        text += _format_time(time_per_unit, self.unit_name)
        return text + self._metrics_text()

    def _count(self, current):
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _filled(self, current):
        return min(int(self.width * float(current) / self.target), self.width)

    def _colour_bar(self, current):
        filled = self._filled(current)
        text = f"{_BOLD}{self._count(current)}{_RESET} "
        if filled > 0:
            text += f"{_GREEN}{'━' * filled}{_RESET}"
        return text + f"{_WHITE}{'━' * (self.width - filled)}{_RESET}"

    def _ascii_bar(self, current):
        filled = self._filled(current)
        bar = ""
        if filled > 0:
            head = ">" if current < self.target else "="
            bar = "=" * (filled - 1) + head
        bar += "." * (self.width - filled)
        return f"{self._count(current)} [{bar}]"

    def _bold(self, text):
        if self._dynamic_display:
            return f"{_BOLD}{text}{_RESET}"
        return text

    def _metrics_text(self):
        text = ""
        for name in self._values_order:
            total, count = self._values[name]
            if not isinstance(total, (int, float)):
                total = np.mean(total)
            text += f" - {name}: {_format_value(total / max(1, count))}"
        return text

    def _show_summary(self, current, now, time_per_unit):
        if self.target is None or self.target <= 0:
            return
        text = f"{self._count(current)} - {now - self._start:.0f}s"
        text += " -" + _format_time(time_per_unit, self.unit_name)
        _write(text + self._metrics_text() + "\n")
        self._last_update = now

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the (slow) first step if it can."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step


def _is_dynamic_display():
    """Whether `\\r` rewrites the current line: a tty or a Jupyter kernel."""
    stdout = sys.stdout
    if stdout is not None and hasattr(stdout, "isatty") and stdout.isatty():
        return True
    return (
        "ipykernel" in sys.modules
        or "JPY_PARENT_PID" in os.environ
        or "PYCHARM_HOSTED" in os.environ
    )


def _write(message):
    stdout = sys.stdout
    if stdout is None:
        return
    stdout.write(message)
    stdout.flush()


def _format_value(value):
    if abs(value) > 1e-3:
        return f"{value:.4f}"
    return f"{value:.4e}"


def _format_eta(eta):
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


def _format_time(time_per_unit, unit_name):
    """`' 2ms/step'`: seconds, milliseconds or microseconds per unit."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1e6:.0f}us/{unit_name}"
