"""`CSVLogger`: streams each epoch's logs to a CSV file (main process)."""

import collections
import csv
import os

import numpy as np

from torchkeras.callbacks._rank import is_main_process
from torchkeras.callbacks.callback import Callback
from torchkeras.utils.registry import keras_export


@keras_export("keras.callbacks.CSVLogger")
class CSVLogger(Callback):
    """Callback that streams epoch results to a CSV file.

    One row per epoch: `epoch` (from 0), then the log keys of the first
    epoch, sorted; a key missing from a later epoch is written as `NA`.
    Values that are 1-D iterables are written as `"[a, b]"`.

    Args:
        filename: Filename of the CSV file, e.g. `"run/log.csv"`.
        separator: String used to separate elements in the CSV file.
        append: Boolean. True: append if file exists (useful for continuing
            training). False: overwrite existing file.

    Examples:
        >>> csv_logger = CSVLogger("training.log")
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if not is_main_process():
            return
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as file:
                    self.append_header = not bool(len(file.readline()))
            mode = "a"
        folder = os.path.dirname(self.filename)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self._close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        if self.csv_file is None or self.csv_file.closed:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.writer is None:
            self.writer = self._make_writer()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _format(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def _make_writer(self):
        class CustomDialect(csv.excel):
            delimiter = self.sep

        writer = csv.DictWriter(self.csv_file,
                                fieldnames=["epoch"] + self.keys,
                                dialect=CustomDialect)
        if self.append_header:
            writer.writeheader()
        return writer

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()


def _format(value):
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value
