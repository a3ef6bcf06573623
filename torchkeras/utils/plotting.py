"""``plot_history``: training curves from a ``History`` (matplotlib).

One panel per metric, each with the training curve and, when ``fit`` had
validation data, the ``val_`` curve, against the epoch number (1, 2, ...).
matplotlib is optional (the ``notebooks`` extra): it is imported only when
a plot is asked for, and its absence is an ``ImportError`` that says how to
install it. ``callbacks.History.plot`` delegates here; the history itself
is owned by the callback.
"""

import os
import sys


def plot_history(history, metrics=None, to_file=None):
    """Plots the per-epoch logs of ``fit``: one panel per metric.

    Args:
        history: the ``History`` object returned by ``fit`` (or any object
            with a ``history`` dict), or a dict mapping log names to lists
            of per-epoch values.
        metrics: a metric name or list of names to plot (``"loss"``,
            ``"accuracy"``; the matching ``val_`` series are added).
            ``None`` plots every logged metric.
        to_file: optional file name to save the figure to (its suffix
            picks the format: ``.png``, ``.svg``, ``.pdf``, ...).

    Returns:
        The matplotlib ``Figure``. Inside Jupyter it is displayed inline
        (once) when it is the value of the cell.

    Raises:
        ImportError: if matplotlib is not installed.
        TypeError: if ``history`` is neither a History nor a dict.
        ValueError: if there is nothing to plot or a metric is unknown.

    Examples:
        >>> fig = plot_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['loss', 'val_loss']
    """
    records = _records(history)
    names = _metric_names(records, metrics)
    plt = _pyplot()
    ncols = min(len(names), 3)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(4.5 * ncols, 3.4 * nrows))
    for ax, name in zip(axes.flat, names):
        _plot_metric(ax, records, name)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    if to_file is not None:
        fig.savefig(os.fspath(to_file))
    if _in_ipython():
        # The inline backend would show a pyplot figure at the end of the
        # cell and again as the cell's value: close it, keep the value.
        plt.close(fig)
    return fig


def _records(history):
    records = getattr(history, "history", history)
    if not isinstance(records, dict):
        raise TypeError(
            "`history` must be the History returned by `fit` or a dict of "
            "per-epoch values. Received: "
            f"history={type(history).__name__}"
        )
    return {k: list(v) for k, v in records.items() if len(v)}


def _metric_names(records, metrics):
    if not records:
        raise ValueError(
            "There is nothing to plot: the history has no recorded epoch. "
            "Received: history={}"
        )
    if metrics is None:
        names = [k for k in records if not k.startswith("val_")]
        names += [k[4:] for k in records
                  if k.startswith("val_") and k[4:] not in records]
        return names
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    for name in names:
        if name not in records and "val_" + name not in records:
            raise ValueError(
                f"Metric {name!r} is not in the history. Available: "
                f"{sorted(records)}. Received: metrics={metrics!r}"
            )
    return names


def _plot_metric(ax, records, name):
    for key in (name, "val_" + name):
        values = records.get(key)
        if values is not None:
            epochs = range(1, len(values) + 1)
            ax.plot(epochs, values, marker="o", markersize=3, label=key)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.grid(True, alpha=0.3)
    ax.legend()


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "plot_history needs matplotlib, which is not installed. Install "
            "it with `pip install matplotlib` (or the notebooks extra: "
            "`pip install torchkeras[notebooks]`)."
        ) from error
    return plt


def _in_ipython():
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get is not None and get() is not None
