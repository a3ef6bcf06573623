"""``tf.train.Checkpoint``, ``CheckpointManager`` and ``latest_checkpoint``
on torchkeras's native checkpoint format (``saving/checkpoint.py``).

A ``Checkpoint`` holds one model (any torchkeras layer or model) and
optionally its optimizer; ``save``/``write`` write ``<prefix>.index`` and
``<prefix>.data-00000-of-00001`` and the folder's ``checkpoint`` state
file, as TensorFlow lays them out; ``restore`` returns the load status.
Other tracked objects (a step ``tf.Variable``, a second model) are not
supported and raise ``ValueError`` at construction.
"""

import contextlib
import os
import re

import torch

from torchkeras.compat.tf import _support
from torchkeras.saving import atomic
from torchkeras.saving import checkpoint as _checkpoint

_STATE_FILE = "checkpoint"


def _read_state(directory):
    """``(latest, all_paths)`` named by ``directory/checkpoint``."""
    path = os.path.join(directory, _STATE_FILE)
    if not os.path.exists(path):
        return None, []
    with open(path, encoding="utf8") as f:
        text = f.read()
    latest = re.search(r'^model_checkpoint_path: "(.*)"$', text, re.M)
    paths = re.findall(r'^all_model_checkpoint_paths: "(.*)"$', text, re.M)

    def full(p):
        return p if os.path.isabs(p) else os.path.join(directory, p)

    return (full(latest.group(1)) if latest else None,
            [full(p) for p in paths])


def _write_state(directory, latest, paths):
    def rel(p):
        return os.path.relpath(p, directory)

    text = f'model_checkpoint_path: "{rel(latest)}"\n' + "".join(
        f'all_model_checkpoint_paths: "{rel(p)}"\n' for p in paths)
    with atomic.atomic_file(os.path.join(directory, _STATE_FILE)) as tmp:
        with open(tmp, "w", encoding="utf8") as f:
            f.write(text)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix the folder's ``checkpoint`` file names, or None."""
    latest, _ = _read_state(checkpoint_dir)
    if latest is None or not _checkpoint.exists(latest):
        return None
    return latest


class Checkpoint:
    """``tf.train.Checkpoint(model=..., optimizer=...)``.

    Args:
        root: the model, as a positional alternative to a keyword.
        **kwargs: one torchkeras layer or model (any keyword) and at most
            one optimizer (any keyword; default the model's ``optimizer``).
    """

    def __init__(self, root=None, **kwargs):
        from torchkeras.layers.layer import Layer

        objects = dict(kwargs)
        if root is not None:
            objects["root"] = root
        models = {k: v for k, v in objects.items() if isinstance(v, Layer)}
        optimizers = {k: v for k, v in objects.items()
                      if isinstance(v, torch.optim.Optimizer)}
        others = sorted(set(objects) - set(models) - set(optimizers))
        if len(models) != 1 or len(optimizers) > 1 or others:
            raise ValueError(
                "torchkeras's tf.train.Checkpoint holds exactly one model "
                "and at most one optimizer (save other state with the "
                "model). Received: models="
                f"{sorted(models)}, optimizers={sorted(optimizers)}, "
                f"other objects={others}")
        self._model = next(iter(models.values()))
        self._optimizer = next(iter(optimizers.values()), None)
        self.save_counter = 0
        for key, value in objects.items():
            setattr(self, key, value)

    @contextlib.contextmanager
    def _with_optimizer(self):
        model = self._model
        if self._optimizer is None or getattr(
                model, "optimizer", None) is self._optimizer:
            yield
            return
        had = "optimizer" in model.__dict__
        old = model.__dict__.get("optimizer")
        model.__dict__["optimizer"] = self._optimizer
        try:
            yield
        finally:
            if had:
                model.__dict__["optimizer"] = old
            else:
                del model.__dict__["optimizer"]

    def write(self, file_prefix):
        """Writes the checkpoint at exactly ``file_prefix``."""
        file_prefix = os.fspath(file_prefix)
        folder = os.path.dirname(os.path.abspath(file_prefix))
        os.makedirs(folder, exist_ok=True)
        with self._with_optimizer():
            _checkpoint.save(self._model, file_prefix)
        return file_prefix

    def save(self, file_prefix):
        """Writes ``<file_prefix>-<n>`` (``n`` counts saves); returns it."""
        self.save_counter += 1
        return self.write(f"{os.fspath(file_prefix)}-{self.save_counter}")

    def restore(self, save_path):
        """Restores weights and optimizer state; ``None`` does nothing
        (as TF, for a manager's missing ``latest_checkpoint``)."""
        if save_path is None:
            return None
        save_path = os.fspath(save_path)
        tensors, meta = _checkpoint.read(save_path)
        with self._with_optimizer():
            status = _checkpoint.restore(self._model, save_path, tensors,
                                         meta)
        number = re.search(r"-(\d+)$", save_path)
        if number:
            self.save_counter = int(number.group(1))
        return status

    read = restore


class CheckpointManager:
    """``tf.train.CheckpointManager``: numbered saves, keeping the last
    ``max_to_keep`` (all when None), listed in the ``checkpoint`` file."""

    def __init__(self, checkpoint, directory, max_to_keep,
                 checkpoint_name="ckpt"):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(
                "CheckpointManager expects a tf.train.Checkpoint. "
                f"Received: checkpoint={checkpoint!r}")
        self._checkpoint = checkpoint
        self.directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self.directory, checkpoint_name)
        latest, paths = _read_state(self.directory)
        self._paths = [p for p in paths if _checkpoint.exists(p)]
        self._latest = latest if latest and _checkpoint.exists(
            latest) else None

    @property
    def latest_checkpoint(self):
        return self._latest

    @property
    def checkpoints(self):
        return list(self._paths)

    def save(self, checkpoint_number=None):
        """Saves the next numbered checkpoint; returns its prefix."""
        ckpt = self._checkpoint
        if checkpoint_number is None:
            ckpt.save_counter += 1
            checkpoint_number = ckpt.save_counter
        path = ckpt.write(f"{self._prefix}-{int(checkpoint_number)}")
        path = os.path.abspath(path)
        self._paths = [p for p in self._paths
                       if os.path.abspath(p) != path] + [path]
        if self._max_to_keep is not None:
            while len(self._paths) > self._max_to_keep:
                old = self._paths.pop(0)
                for suffix in (_checkpoint.DATA_SUFFIX,
                               _checkpoint.INDEX_SUFFIX):
                    if os.path.exists(old + suffix):
                        os.remove(old + suffix)
        self._latest = path
        _write_state(self.directory, path, self._paths)
        return path


__getattr__ = _support.missing("tf.train")
