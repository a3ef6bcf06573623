"""`TensorBoard`: event files for TensorBoard, without TensorFlow.

Written with `torch.utils.tensorboard.SummaryWriter` (the optional
`tensorboard` extra). The layout and tags are Keras's: `log_dir/train` gets
`epoch_<metric>` scalars (and `epoch_learning_rate`), `batch_<metric>`
every `update_freq` batches, weight histograms `<layer>/<weight>/histogram`
and the model graph; `log_dir/validation` gets `epoch_<metric>` for the
`val_` logs and `evaluation_<metric>_vs_iterations` after each evaluation.
Only the main process writes.
"""

import importlib.util
import os
import time
import warnings

from torchkeras.callbacks._lr import get_learning_rate
from torchkeras.callbacks._lr import has_learning_rate
from torchkeras.callbacks._rank import is_main_process
from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.callback import python_logs
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.TensorBoard")
class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Logs metrics per epoch (and per `update_freq` batches), the learning
    rate, weight histograms and the model graph. Requires the `tensorboard`
    package (`pip install torchkeras[tensorboard]`); TensorFlow is not
    needed. View with `tensorboard --logdir=path_to_your_logs`.

    Args:
        log_dir: The directory where to save the log files.
        histogram_freq: Frequency (in epochs) at which to write weight
            histograms; 0 writes none.
        write_graph: Whether to write the model graph (traced with
            `torch.jit.trace` on the first training batch).
        write_images: Not supported yet (a warning says so).
        write_steps_per_second: Whether to log the training steps per
            second, per epoch and per logged batch.
        update_freq: `"epoch"`, `"batch"` (= 1) or an integer `N`: also
            write `batch_<metric>` scalars every `N` training batches.
        profile_batch: Must be 0: profiling is not available with torch (as
            in Keras 3's torch backend).
        embeddings_freq: Not supported yet (a warning says so).
        embeddings_metadata: Accepted for compatibility.

    Raises:
        ImportError: if `tensorboard` is not installed.
        ValueError: for a non-zero `profile_batch` or an invalid
            `update_freq`.

    Examples:
        >>> tensorboard_callback = TensorBoard(log_dir="./logs")
    """

    _supports_tf_logs = True  # Batch logs are read only when written.

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True,
                 write_images=False, write_steps_per_second=False,
                 update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        _require_tensorboard()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _check_update_freq(update_freq)
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        _check_unsupported(profile_batch, write_images, embeddings_freq)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        self._global_train_batch = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._epoch_start_batch = 0
        self._graph_input = None
        self._graph_hook = None
        self._should_write_graph = False

    def set_model(self, model):
        super().set_model(model)
        self._close_writers()
        self._should_write_graph = bool(self.write_graph)

    # ------------------------------------------------------------------
    # Writers.

    def _writer(self, kind):
        if kind not in self._writers:
            from torch.utils.tensorboard import SummaryWriter

            folder = self._train_dir if kind == "train" else self._val_dir
            self._writers[kind] = SummaryWriter(log_dir=folder)
        return self._writers[kind]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ------------------------------------------------------------------
    # Hooks.

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self._should_write_graph and is_main_process():
            self._graph_hook = self.model.register_forward_pre_hook(
                self._capture_graph_input, with_kwargs=True)

    def on_train_end(self, logs=None):
        self._remove_graph_hook()
        self._close_writers()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if not is_main_process():
            return
        if self._graph_input is not None:
            self._write_graph()
        if self.update_freq == "epoch" or (
                self._global_train_batch % self.update_freq):
            return
        writer = self._writer("train")
        step = self._global_train_batch
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._batch_start_time
            writer.add_scalar("batch_steps_per_second",
                              1.0 / max(elapsed, 1e-12), step)
        for name, value in _scalars(logs).items():
            writer.add_scalar("batch_" + name, value, step)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start_time = time.perf_counter()
        self._epoch_start_batch = self._global_train_batch

    def on_epoch_end(self, epoch, logs=None):
        if not is_main_process():
            return
        self._log_epoch_metrics(epoch, _scalars(logs))
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        iterations = getattr(getattr(self.model, "optimizer", None),
                             "iterations", None)
        if iterations is None or not is_main_process():
            return
        writer = self._writer("val")
        for name, value in _scalars(logs).items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", value,
                              int(iterations))
        writer.flush()  # `evaluate` has no `on_train_end` to close it.

    # ------------------------------------------------------------------
    # What is written.

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items()
                      if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items()
                    if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and has_learning_rate(optimizer):
            train_logs["learning_rate"] = get_learning_rate(optimizer)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._steps_per_second()
        for kind, values in (("train", train_logs), ("val", val_logs)):
            if values:
                writer = self._writer(kind)
                for name, value in values.items():
                    writer.add_scalar("epoch_" + name, value, epoch)

    def _steps_per_second(self):
        elapsed = time.perf_counter() - self._epoch_start_time
        steps = self._global_train_batch - self._epoch_start_batch
        return steps / max(elapsed, 1e-12)

    def _log_weights(self, epoch):
        writer = self._writer("train")
        for weight in self.model.weights:
            name = getattr(weight, "path", None) or getattr(
                weight, "name", "weight")
            tag = name.replace(":", "_") + "/histogram"
            writer.add_histogram(tag, weight.detach().cpu(), epoch)

    # ------------------------------------------------------------------
    # The graph: the first training input is captured, then traced.

    def _capture_graph_input(self, module, args, kwargs):
        if args:
            self._graph_input = args[0]
        self._remove_graph_hook()

    def _remove_graph_hook(self):
        if self._graph_hook is not None:
            self._graph_hook.remove()
            self._graph_hook = None

    def _write_graph(self):
        example, self._graph_input = self._graph_input, None
        self._should_write_graph = False
        try:
            with warnings.catch_warnings():
                # torch.jit.trace's deprecation and tracer warnings.
                warnings.simplefilter("ignore")
                self._writer("train").add_graph(self.model, (example,))
        except Exception as error:  # noqa: BLE001 - reported, not fatal
            warnings.warn(
                "TensorBoard could not trace the model graph with "
                f"torch.jit.trace ({type(error).__name__}: {error}); no "
                "graph is written.", stacklevel=3)


def _scalars(logs):
    """The real-number entries of `logs`, as floats."""
    return {name: value for name, value in python_logs(logs).items()
            if isinstance(value, (int, float)) and not isinstance(
                value, bool)}


def _require_tensorboard():
    if importlib.util.find_spec("tensorboard") is None:
        raise ImportError(
            "The TensorBoard callback writes event files with "
            "`torch.utils.tensorboard`, which needs the `tensorboard` "
            "package. Install it with `pip install tensorboard` (or `pip "
            "install torchkeras[tensorboard]`)."
        )


def _check_update_freq(update_freq):
    if update_freq == "batch":
        return 1
    if update_freq == "epoch":
        return update_freq
    if isinstance(update_freq, int) and not isinstance(
            update_freq, bool) and update_freq > 0:
        return update_freq
    raise ValueError(
        "TensorBoard `update_freq` must be 'epoch', 'batch' or a positive "
        f"integer. Received: update_freq={update_freq!r}"
    )


def _check_unsupported(profile_batch, write_images, embeddings_freq):
    if profile_batch:
        raise ValueError(
            "Profiling is not yet available with the torch backend. "
            f"Received: profile_batch={profile_batch} (must be 0)"
        )
    if write_images:
        warnings.warn(
            "TensorBoard `write_images=True` is not supported yet; weight "
            "images are not written.", stacklevel=3)
    if embeddings_freq:
        warnings.warn(
            "TensorBoard `embeddings_freq` is not supported yet; embeddings "
            "are not written.", stacklevel=3)
