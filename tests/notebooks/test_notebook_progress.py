"""`fit`, `evaluate` and `predict` in a real Jupyter kernel.

A notebook built here is executed with nbclient on an ipykernel running
this interpreter; its saved outputs must hold one display per progress
bar (its final line, no `\\r` or colour codes) and, on stdout, only the
`Epoch i/n` headers.
"""

import importlib.util
import json
import re
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
if importlib.util.find_spec("ipykernel") is None:
    pytest.skip("ipykernel is not installed", allow_module_level=True)

# Not "python3": jupyter_client resolves that name by importing ipykernel
# here, and an imported ipykernel changes the progress bar of every later
# test in this process.
KERNEL = "torchkeras-progress-test"

SETUP = """\
import time

import numpy as np
import torchkeras as keras

x = np.random.rand(160, 4).astype("float32")
y = np.random.rand(160, 1).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")

class Slow(keras.callbacks.Callback):
    # 20 steps of 10 ms: each bar is redrawn before its end.
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(0.01)

    on_test_batch_end = on_predict_batch_end = on_train_batch_end
"""
FIT = "model.fit(x, y, batch_size=8, epochs=3, verbose=1, callbacks=[Slow()]);"
EVALUATE = "model.evaluate(x, y, batch_size=8, callbacks=[Slow()]);"
PREDICT = "model.predict(x, batch_size=8, callbacks=[Slow()]);"
FIT_VERBOSE_2 = "model.fit(x, y, batch_size=8, epochs=2, verbose=2);"

TIME = r"\d+s \d+(?:s|ms|us)/step"
BAR = "━" * 20
METRIC_LINE = re.compile(rf"20/20 {BAR} {TIME} - loss: \d+\.\d{{4}}")
PREDICT_LINE = re.compile(rf"20/20 {BAR} {TIME}")
SUMMARY_LINE = re.compile(r"20/20 - \d+s - \d+(?:s|ms|us)/step - loss: [\d.]+")


class CountingClient(nbclient.NotebookClient):
    """Counts the kernel's messages by type (display updates included)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.message_counts = {}

    def process_message(self, msg, cell, cell_index):
        kind = msg["header"]["msg_type"]
        self.message_counts[kind] = self.message_counts.get(kind, 0) + 1
        return super().process_message(msg, cell, cell_index)


def _install_kernel(tmp_path, monkeypatch):
    """Makes `KERNEL` the ipykernel of `sys.executable` (this venv's)."""
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [
            sys.executable, "-m", "ipykernel_launcher",
            "-f", "{connection_file}",
        ],
        "display_name": "torchkeras test kernel",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    # Searched first, before the user's and the system's kernels.
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # Connection files, and an IPython profile without the user's startup
    # scripts (their output would land in the notebook).
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def _texts(output):
    """Every text an output holds (stream text, each MIME type's data)."""
    if output["output_type"] == "stream":
        return [output["text"]]
    texts = []
    for value in output.get("data", {}).values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.append("".join(value))
    return texts


def _displays(outputs):
    return [o for o in outputs if o["output_type"] == "display_data"]


def _stdout(outputs):
    return "".join(
        o["text"] for o in outputs
        if o["output_type"] == "stream" and o["name"] == "stdout"
    )


def test_notebook_progress_is_one_display_per_bar(tmp_path, monkeypatch):
    _install_kernel(tmp_path, monkeypatch)
    cells = [SETUP, FIT, EVALUATE, PREDICT, FIT_VERBOSE_2]
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": KERNEL, "display_name": "torchkeras test kernel",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    client = CountingClient(
        notebook,
        kernel_name=KERNEL,
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    path = tmp_path / "progress.ipynb"
    nbformat.write(notebook, path)
    saved = nbformat.read(path, as_version=4)
    nbformat.validate(saved)
    setup, fit, evaluate, predict, fit_verbose_2 = (
        cell.outputs for cell in saved.cells
    )

    for cell in saved.cells:
        for output in cell.outputs:
            assert output["output_type"] in ("stream", "display_data")
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", output["text"]
            for text in _texts(output):
                assert "\r" not in text and "\x1b" not in text, text
                assert "\b" not in text, text
    assert setup == []

    # fit: a header on stdout, then that epoch's bar, for each epoch.
    assert [o["output_type"] for o in fit] == ["stream", "display_data"] * 3
    assert _stdout(fit) == "Epoch 1/3\nEpoch 2/3\nEpoch 3/3\n"
    for display in _displays(fit) + _displays(evaluate):
        assert METRIC_LINE.fullmatch(display["data"]["text/plain"])
        html = display["data"]["text/html"]
        assert html.startswith("<pre") and BAR in html
    assert [o["output_type"] for o in evaluate] == ["display_data"]
    assert [o["output_type"] for o in predict] == ["display_data"]
    (predict_display,) = predict
    assert PREDICT_LINE.fullmatch(predict_display["data"]["text/plain"])

    # The five bars were redrawn in place before their end.
    assert client.message_counts.get("update_display_data", 0) >= 5

    # verbose=2: one plain line per epoch, no display.
    assert _displays(fit_verbose_2) == []
    lines = _stdout(fit_verbose_2).splitlines()
    assert lines[0::2] == ["Epoch 1/2", "Epoch 2/2"]
    assert all(SUMMARY_LINE.fullmatch(line) for line in lines[1::2]), lines

    # Running the kernel imported neither IPython nor ipykernel here.
    assert "ipykernel" not in sys.modules
