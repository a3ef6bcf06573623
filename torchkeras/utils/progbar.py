"""The text progress bar printed by `fit`, `evaluate` and `predict`.

`Progbar` follows Keras 3's progress bar: the same line
(`32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.4321`), the same ETA
and time-per-step estimate, the same averaging of stateless metrics. Where
the line goes depends on where stdout leads (Keras treats every POSIX
process as interactive, so its log files fill with `\\b` and colour codes):

- a Jupyter/IPython kernel (JupyterLab, Notebook, VS Code, Colab): each
  bar is one display output, created on its first redraw and updated in
  place through an IPython display handle, no widget. It carries a
  `text/plain` form (the line above, no ANSI codes, no `\\r`) and a
  `text/html` one (a `<pre>` with the bar in colour), so an executed and
  exported notebook holds one clean line per bar. Redraws are at least
  `_MIN_DISPLAY_INTERVAL` seconds apart;
- a terminal (stdout is a tty): one line rewritten in place with `\\r`,
  in colour;
- anything else (a log file, a pipe): plain ASCII with no `\\r`, `\\b` or
  ANSI codes, and exactly one line per bar, printed when it is finalized.

The kernel is recognised as `tqdm.autonotebook` does it: an IPython shell
that is a `ZMQInteractiveShell` (or Colab's shell), or whose config has an
`IPKernelApp`; the terminal IPython shell is a terminal. IPython is only
looked up in `sys.modules`, never imported. If that check fails (or stdout
was redirected away from the kernel), the older heuristic decides: the
`ipykernel` module, or a `JPY_PARENT_PID` or `PYCHARM_HOSTED` environment
variable, means `\\r` rewrites as in a terminal.

In every mode `verbose=2` writes one plain line per finalized bar to
stdout. This module only formats and writes; `callbacks.ProgbarLogger`
decides when to call it and converts device tensors to floats.
"""

import html
import math
import os
import sys
import time

import numpy as np

_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_WHITE = "\x1b[37m"
_RESET = "\x1b[0m"

# Where the bar goes: a notebook display, a terminal line rewritten with
# `\r`, or plain lines (a log file, a pipe).
_DISPLAY = "display"
_TERMINAL = "terminal"
_PLAIN = "plain"

# Seconds between two redraws of a notebook display, whatever `interval`
# says. A display update costs the kernel about 0.7 ms (a `\r` write and
# flush to the kernel's stdout about 0.5 ms), and each one is a message
# the front end renders again as HTML: at most 10 a second keep that under
# 1% of the time, as `ProgbarLogger` does for `fit`.
_MIN_DISPLAY_INTERVAL = 0.1

# The styles of the parts of a line, in a terminal and in HTML.
_ANSI_STYLES = {"bold": _BOLD, "done": _GREEN, "todo": _WHITE}
_HTML_STYLES = {
    "bold": "font-weight: bold",
    "done": "color: #4caf50",
    "todo": "color: #9e9e9e",
}


class Progbar:
    """Displays a progress bar.

    If neither `stateful_metrics` nor `stateless_metrics` is given, every
    metric is stateless: averaged over the steps before it is displayed.

    Where the bar goes (one display in a notebook, a line rewritten in a
    terminal, one plain line per bar elsewhere) is decided when it is
    created; see this module's docstring.

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

    Examples:
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
        self._mode = _output_mode()
        # Whether the bar is redrawn before it is finalized.
        self._dynamic_display = self._mode != _PLAIN
        # The IPython display handle of this bar (notebook), once shown.
        self._display = None
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
        if self._mode == _PLAIN:
            if finalize:
                parts = self._line_parts(current, now, time_per_unit, finalize)
                _write(_plain_text(parts) + "\n")
                self._last_update = now
            return
        interval = self.interval
        if self._mode == _DISPLAY:
            interval = max(interval, _MIN_DISPLAY_INTERVAL)
        if now - self._last_update < interval and not finalize:
            return
        parts = self._line_parts(current, now, time_per_unit, finalize)
        if self._mode == _DISPLAY:
            self._show_display(parts)
        else:
            self._rewrite_line(parts, finalize)
        self._last_update = now

    def _rewrite_line(self, parts, finalize):
        line = _ansi_text(parts)
        total_width = len(_plain_text(parts))
        padding = " " * max(self._prev_total_width - total_width, 0)
        _write("\r" + line + padding + ("\n" if finalize else ""))
        self._prev_total_width = total_width

    def _show_display(self, parts):
        bundle = {"text/plain": _plain_text(parts), "text/html": _html(parts)}
        if self._display is None:
            self._display = _open_display(bundle)
        else:
            self._display.update(bundle, raw=True)

    def _line_parts(self, current, now, time_per_unit, finalize):
        """The line as `(text, style)` pairs; see `_ANSI_STYLES`."""
        known = self.target is not None and self.target > 0
        if not known:
            parts = [("%7d/Unknown" % current, None)]
        elif self._dynamic_display:
            parts = self._colour_bar(current)
        else:
            parts = [(self._ascii_bar(current), None)]
        if known and not finalize:
            clock = _format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        parts.append((" ", None))
        parts.append((clock, "bold" if self._dynamic_display else None))
        rest = _format_time(time_per_unit, self.unit_name)
        parts.append((rest + self._metrics_text(), None))
        return parts

    def _count(self, current):
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _filled(self, current):
        return min(int(self.width * float(current) / self.target), self.width)

    def _colour_bar(self, current):
        filled = self._filled(current)
        parts = [(self._count(current), "bold"), (" ", None)]
        if filled > 0:
            parts.append(("━" * filled, "done"))
        parts.append(("━" * (self.width - filled), "todo"))
        return parts

    def _ascii_bar(self, current):
        filled = self._filled(current)
        bar = ""
        if filled > 0:
            head = ">" if current < self.target else "="
            bar = "=" * (filled - 1) + head
        bar += "." * (self.width - filled)
        return f"{self._count(current)} [{bar}]"

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


def _output_mode():
    """`_DISPLAY` in a notebook kernel, `_TERMINAL` or `_PLAIN` otherwise."""
    if _in_notebook_kernel():
        return _DISPLAY
    stdout = sys.stdout
    if stdout is not None and hasattr(stdout, "isatty") and stdout.isatty():
        return _TERMINAL
    if (
        "ipykernel" in sys.modules
        or "JPY_PARENT_PID" in os.environ
        or "PYCHARM_HOSTED" in os.environ
    ):
        return _TERMINAL
    return _PLAIN


def _in_notebook_kernel():
    """Whether this process is a Jupyter kernel whose stdout is its own.

    Only looks at an IPython that is already imported; any failure of the
    check means no.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
        if shell is None:
            return False
        kind = type(shell)
        is_kernel = (
            kind.__name__ == "ZMQInteractiveShell"
            or kind.__module__.startswith("google.colab")
            or "IPKernelApp" in shell.config
        )
        if not is_kernel:
            return False
        # A stdout redirected away from the kernel (a file, a buffer) gets
        # the text of the other modes, not a display.
        iostream = sys.modules.get("ipykernel.iostream")
        return iostream is None or isinstance(sys.stdout, iostream.OutStream)
    except Exception:
        return False


def _open_display(bundle):
    """Shows `bundle` (a MIME bundle) as a new display; returns its handle."""
    from IPython.display import display

    return display(bundle, raw=True, display_id=True)


def _plain_text(parts):
    return "".join(text for text, _ in parts)


def _ansi_text(parts):
    return "".join(
        f"{_ANSI_STYLES[style]}{text}{_RESET}" if style else text
        for text, style in parts
    )


def _html(parts):
    spans = "".join(
        f'<span style="{_HTML_STYLES[style]}">{html.escape(text)}</span>'
        if style
        else html.escape(text)
        for text, style in parts
        if text
    )
    return f'<pre style="margin: 0">{spans}</pre>'


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
