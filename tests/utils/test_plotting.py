"""plot_history: the series drawn are the logged values, the file is saved.

Runs on matplotlib's Agg backend; the curves are read back from the axes
(`Line2D.get_xdata/get_ydata`) and compared with the logs given.
"""

import sys

import numpy as np
import pytest

from torchkeras.callbacks.history import History
from torchkeras.utils.plotting import plot_history

matplotlib = pytest.importorskip(
    "matplotlib", reason="matplotlib is an optional extra (notebooks)")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

LOGS = {
    "loss": [1.2, 0.8, 0.5],
    "accuracy": [0.3, 0.6, 0.75],
    "val_loss": [1.3, 0.9, 0.7],
    "val_accuracy": [0.25, 0.55, 0.7],
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def series(ax):
    return {line.get_label(): (list(line.get_xdata()),
                               list(line.get_ydata()))
            for line in ax.get_lines()}


def test_one_panel_per_metric_with_validation_series():
    fig = plot_history(LOGS)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["loss", "accuracy"]
    loss, accuracy = series(visible[0]), series(visible[1])
    assert loss == {"loss": ([1, 2, 3], LOGS["loss"]),
                    "val_loss": ([1, 2, 3], LOGS["val_loss"])}
    assert accuracy["val_accuracy"] == ([1, 2, 3], LOGS["val_accuracy"])
    assert visible[0].get_xlabel() == "epoch"


def test_history_object_and_metric_selection():
    history = History()
    for epoch in range(4):
        history.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1),
                                     "mae": 0.5 - 0.1 * epoch})
    fig = plot_history(history, metrics="mae")
    assert len(fig.axes) == 1
    x, y = series(fig.axes[0])["mae"]
    assert x == [1, 2, 3, 4]
    np.testing.assert_allclose(y, [0.5, 0.4, 0.3, 0.2])


def test_many_metrics_wrap_into_rows():
    logs = {f"m{i}": [float(i), float(i) + 1] for i in range(4)}
    fig = plot_history(logs)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["m0", "m1", "m2", "m3"]
    assert len(fig.axes) == 6  # a 2x3 grid, two panels hidden


def test_saves_png(tmp_path):
    path = tmp_path / "curves.png"
    plot_history(LOGS, metrics=["loss"], to_file=path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_bad_arguments():
    with pytest.raises(ValueError, match="'f1' is not in the history"):
        plot_history(LOGS, metrics=["f1"])
    with pytest.raises(ValueError, match="nothing to plot"):
        plot_history({"loss": []})
    with pytest.raises(TypeError, match="Received: history=list"):
        plot_history([0.1, 0.2])


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_history(LOGS)
