"""``tf.train.Checkpoint``, ``CheckpointManager`` and ``latest_checkpoint``.

A ``Checkpoint`` holds any number of named objects, as TensorFlow's does:
torchkeras layers and models, optimizers (Keras ones and ``torch.optim``
ones), tensors (``tf.Variable``, parameters) and other Checkpoints::

    ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net)
    manager = tf.train.CheckpointManager(ckpt, "./tf_ckpts", max_to_keep=3)
    ckpt.restore(manager.latest_checkpoint)

``save``/``write`` write ``<prefix>.index`` and
``<prefix>.data-00000-of-00001`` as TensorFlow lays them out (the format
is ``saving/object_checkpoint.py``'s) and ``save`` also the folder's
``checkpoint`` state file; ``restore`` returns TF's load status. A fresh
optimizer is built on the restored models' weights before its slots are
assigned, and an unbuilt subclassed model gets its values at its first
call, as in TF. Files of the single-model checkpoint of earlier versions
(``saving/checkpoint.py``) restore into a Checkpoint of one model and at
most one optimizer.
"""

import os
import re

from torchkeras.backend.variables import Variable
from torchkeras.compat.tf import _support
from torchkeras.saving import atomic
from torchkeras.saving import checkpoint as _checkpoint
from torchkeras.saving import object_checkpoint
from torchkeras.saving.errors import FileFormatError

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


def _flatten(objects, prefix, seen):
    """{'outer/inner': object}: nested Checkpoints' objects, by path."""
    flat = {}
    for key, value in objects.items():
        name = prefix + key
        if isinstance(value, Checkpoint):
            if id(value) in seen:
                raise ValueError(
                    f"tf.train.Checkpoint object '{name}' contains itself "
                    f"(a cycle of Checkpoints). Received: {key}={value!r}")
            flat.update(_flatten(value._objects, name + "/",
                                 seen | {id(value)}))
        else:
            flat[name] = value
    return flat


def _trackable(value):
    return isinstance(value, Checkpoint) or (
        object_checkpoint.kind_of(value) is not None)


def _stored_save_counter(save_path, meta):
    """The ``save_counter`` a checkpoint stored (files of the single-model
    format did not: the number ending its prefix)."""
    text = meta.get("save_counter")
    if text is None:
        number = re.search(r"-(\d+)$", save_path)
        return int(number.group(1)) if number else None
    if not text.isdigit():
        raise FileFormatError(
            save_path, "the metadata 'save_counter' is not a number. "
                       f"Received: save_counter={text[:40]!r}")
    return int(text)


class Checkpoint:
    """``tf.train.Checkpoint(**objects)``: saves and restores named objects.

    Args:
        root: an object, as a positional alternative to a keyword (saved
            under the name ``root``).
        **kwargs: the objects: torchkeras layers or models, optimizers
            (torchkeras or ``torch.optim``), tensors (``tf.Variable``, torch
            parameters; restored in place) or other Checkpoints. Each
            is an attribute of the checkpoint
            (``ckpt.step.assign_add(1)``); assigning another such object
            to an attribute later adds it.

    Raises:
        ValueError: for an object of another kind, naming its keyword.

    Examples:
        >>> import torchkeras as keras
        >>> net = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
        >>> ckpt = Checkpoint(step=Variable(1), net=net)
        >>> int(ckpt.step.assign_add(1))
        2
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_objects", {})
        self.save_counter = Variable(0, dtype="int64", trainable=False,
                                     name="save_counter")
        if root is not None:
            kwargs = {"root": root, **kwargs}
        for key, value in kwargs.items():
            if key == "save_counter" or not _trackable(value):
                own = (" ('save_counter' is the Checkpoint's own)"
                       if key == "save_counter" else "")
                raise ValueError(
                    "tf.train.Checkpoint was expecting a trackable object "
                    "(a torchkeras layer or model, an optimizer, a tensor "
                    f"or tf.Variable, or a Checkpoint) for '{key}', got an "
                    f"object of type {type(value).__name__}{own}. "
                    f"Received: {key}={repr(value)[:200]}")
            setattr(self, key, value)

    def __setattr__(self, key, value):
        if not key.startswith("_") and key != "save_counter":
            if _trackable(value):
                self._objects[key] = value
            else:
                self._objects.pop(key, None)
        object.__setattr__(self, key, value)

    def _flat_objects(self):
        return _flatten(self._objects, "", {id(self)})

    def write(self, file_prefix, options=None):
        """Writes the checkpoint at exactly ``file_prefix`` (the folder's
        ``checkpoint`` file is left as it is); returns the prefix."""
        file_prefix = os.fspath(file_prefix)
        folder = os.path.dirname(os.path.abspath(file_prefix))
        os.makedirs(folder, exist_ok=True)
        object_checkpoint.save(self._flat_objects(), file_prefix,
                               {"save_counter": int(self.save_counter)})
        return file_prefix

    def save(self, file_prefix, options=None):
        """Writes ``<file_prefix>-<n>`` (``n``: ``save_counter`` after
        counting this save) and names it in the folder's ``checkpoint``
        file; returns it."""
        self.save_counter.assign_add(1)
        path = self.write(
            f"{os.fspath(file_prefix)}-{int(self.save_counter)}")
        folder = os.path.dirname(os.path.abspath(path))
        _write_state(folder, os.path.abspath(path),
                     [os.path.abspath(path)])
        return path

    def restore(self, save_path, options=None):
        """Restores every object from ``save_path``; ``None`` does nothing
        and returns None (as TF, for a manager's missing
        ``latest_checkpoint``).

        Everything is checked before anything is assigned, so a restore
        that raises leaves every object as it was.

        Returns:
            The load status (``assert_consumed()``,
            ``assert_existing_objects_matched()``,
            ``assert_nontrivial_match()``, ``expect_partial()``).

        Raises:
            ValueError: a ``saving.errors`` error naming the file and the
                object that does not fit.
        """
        if save_path is None:
            return None
        save_path = os.fspath(save_path)
        tensors, meta = object_checkpoint.read(save_path)
        counter = _stored_save_counter(save_path, meta)
        status = object_checkpoint.restore(self._flat_objects(), save_path,
                                           tensors, meta)
        if counter is not None:
            self.save_counter.assign(counter)
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
        ckpt.save_counter.assign_add(1)
        if checkpoint_number is None:
            checkpoint_number = int(ckpt.save_counter)
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
