"""The entry points: ``save_model``, ``load_model``, ``save_weights``,
``load_weights``, chosen by suffix as tf.keras and Keras 3 choose.

Weights (``save_weights``/``load_weights``):
- ``.weights.h5``: Keras 3 layout (``h5_keras3``);
- ``.h5``/``.hdf5``: Keras 2 layout (``h5_keras2``); loading also reads a
  Keras 3 layout or a full-model ``.h5`` (its ``model_weights``);
- ``.safetensors``: flat Keras weight paths (``safetensors_io``);
- ``.keras``: loading reads the archive's weights;
- any other path: a native checkpoint with optimizer state and epoch
  (``checkpoint``).
Models (``save_model``/``load_model``): ``.keras`` archives, ``.h5``
full-model files, and a SavedModel-like folder for a path without suffix.

Every write is atomic; every read verifies the whole file before any
weight changes, and ``load_weights`` hands each reader the model, so the
file's declared shapes are checked against the model's before any value is
read or allocated; a model that is not built keeps the values until its
first call (``deferred``).
"""

import os

from torchkeras.saving import atomic
from torchkeras.saving import checkpoint
from torchkeras.saving import deferred
from torchkeras.saving import serving
from torchkeras.saving import file_format
from torchkeras.saving import h5_keras2
from torchkeras.saving import h5_keras3
from torchkeras.saving import h5_model
from torchkeras.saving import keras_archive
from torchkeras.saving import model_config
from torchkeras.saving import safetensors_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import SavingError
from torchkeras.utils.registry import keras_export


def _kind(filepath):
    path = filepath.lower()
    if path.endswith(".weights.h5"):
        return "weights_h5"
    if path.endswith(".keras"):
        return "keras"
    if path.endswith((".h5", ".hdf5")):
        return "h5"
    if path.endswith(".safetensors"):
        return "safetensors"
    return "other"


def _require_built(model, filepath):
    if not getattr(model, "built", False) or deferred.needs_deferral(model):
        raise ValueError(
            f"Cannot save the weights of model '{model.name}' to "
            f"'{filepath}': the model is not built yet, so it has no "
            "weights. Call it on data or call `model.build(input_shape)` "
            "first."
        )
    deferred.apply_now(model)


# ----------------------------------------------------------------------
# Weights.


@keras_export("keras.saving.save_weights")
def save_weights(model, filepath, overwrite=True):
    """Saves `model`'s weights; the file format follows the suffix.

    `.weights.h5` writes Keras 3's layout, `.h5` tf.keras 2's, `.safetensors`
    a safetensors file; a path without a known suffix writes a checkpoint
    (`load_weights` reads all of them back).

    Args:
        model: A built model.
        filepath: The file to write.
        overwrite: Whether to replace an existing file (otherwise the user is
            asked).

    Raises:
        ValueError: for a `.keras` path (use `model.save`) or an unbuilt
            model.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.saving.save_weights(model, "model.weights.h5")
        >>> keras.saving.load_weights(model, "model.weights.h5")
    """
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    if kind == "keras":
        raise ValueError(
            "The filename must end in `.weights.h5` (or `.h5`, "
            "`.safetensors`); use `model.save()` for a `.keras` archive. "
            f"Received: filepath={filepath}"
        )
    _require_built(model, filepath)
    if kind == "other":
        atomic.check_overwrite(filepath + checkpoint.DATA_SUFFIX, overwrite)
        checkpoint.save(model, filepath)
        return
    atomic.check_overwrite(filepath, overwrite)
    if kind in ("h5", "safetensors"):
        weight_paths.unique_names(filepath, model)
    with atomic.atomic_file(filepath) as tmp:
        if kind == "weights_h5":
            h5_keras3.save_weights(model, tmp)
        elif kind == "h5":
            h5_keras2.save_weights(model, tmp)
        else:
            safetensors_io.save_weights(model, tmp)


def _h5_loader(model, filepath, by_name, skip_mismatch):
    with file_format.open_h5(filepath) as f:
        root = f["model_weights"] if "model_weights" in f else f
        if h5_keras2.is_keras2_layout(root):
            if skip_mismatch and not by_name:
                raise ValueError(
                    "When calling `load_weights` on a Keras 2 '.h5' file, "
                    "`skip_mismatch` can only be True when `by_name` is "
                    "True. Received: by_name=False, skip_mismatch=True"
                )
            saved = h5_keras2.read_group(filepath, root, model, by_name,
                                         skip_mismatch)
            return lambda: h5_keras2.apply(filepath, model, saved, by_name,
                                           skip_mismatch)
        if "vars" not in f and "layers" not in f:
            raise FileFormatError(
                filepath,
                "an HDF5 file, but not a Keras weights file: it has neither "
                "a 'layer_names' attribute (Keras 2) nor 'vars'/'layers' "
                f"groups (Keras 3). Top-level keys: {list(f.keys())[:10]}"
            )
        store = h5_keras3.read_store(filepath, f, model, skip_mismatch)
    _no_by_name(by_name, filepath)
    return lambda: h5_keras3.apply_store(model, filepath, store,
                                         skip_mismatch)


def _no_by_name(by_name, filepath):
    if by_name:
        raise ValueError(
            "`by_name=True` is only supported for '.h5' files in the Keras "
            "2 layout (Keras 3 files match weights by position in the "
            f"model). Received: by_name=True, filepath={filepath}"
        )


def _loader(model, filepath, by_name, skip_mismatch):
    """Reads and verifies the file now; returns what assigns it."""
    kind = _kind(filepath)
    if kind == "other" and not os.path.isfile(filepath):
        if not checkpoint.exists(filepath):
            raise FileNotFoundError(
                f"No weights file or checkpoint found at '{filepath}'."
            )
        # The model's shapes are checked against the header before any
        # tensor is read.
        tensors, meta = checkpoint.read(filepath, model)

        def restore():
            try:
                return checkpoint.restore(model, filepath, tensors, meta)
            except SavingError:
                raise
            except ValueError as error:
                # The optimizer refused a value (its iteration count past
                # int64, say) before assigning anything: name the file.
                raise FileFormatError(
                    filepath + checkpoint.DATA_SUFFIX,
                    f"the optimizer state cannot be restored: {error}"
                ) from error

        restore.returns_status = True
        return restore
    content = file_format.sniff(filepath)
    if kind in ("weights_h5", "h5") or (kind == "other"
                                        and content == "hdf5"):
        return _h5_loader(model, filepath, by_name, skip_mismatch)
    _no_by_name(by_name, filepath)
    if kind == "keras" or (kind == "other" and content == "zip"):
        _, store = keras_archive.read(filepath, model, skip_mismatch)
        return lambda: h5_keras3.apply_store(model, filepath, store,
                                             skip_mismatch)
    if kind == "safetensors" or content == "safetensors":
        if content in ("hdf5", "zip", "directory"):
            file_format.expect(filepath, "safetensors", "a safetensors file")
        return _safetensors_loader(model, filepath)
    raise FileFormatError(
        filepath,
        f"unknown weights format: the file is {file_format.describe(content)}"
        " and its suffix is none of '.weights.h5', '.h5', '.hdf5', "
        "'.keras', '.safetensors'."
    )


def _safetensors_loader(model, filepath):
    """A built model's shapes are checked against the header before any
    tensor is read (``read_for_model``); a model that is not built yet has
    no shapes to check, so the file is read whole and matched at its first
    call."""
    if deferred.needs_deferral(model):
        tensors, _ = safetensors_io.read(filepath)
        return lambda: weight_paths.assign_all(
            filepath, safetensors_io.match_items(filepath, model, tensors))
    items = safetensors_io.read_for_model(filepath, model)
    return lambda: weight_paths.assign_all(filepath, items)


@keras_export("keras.saving.load_weights")
def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Loads weights saved by ``save_weights``, tf.keras or Keras 3.

    The file is read and verified in full before any weight changes; on an
    error the model keeps its weights. A model that is not built yet keeps
    the values and applies them when its first call builds it.

    Args:
        model: The model to load into.
        filepath: The file: `.weights.h5`, `.h5`, `.safetensors`, or a
            checkpoint prefix.
        by_name: For `.h5` files, match layers by name instead of by order.
        skip_mismatch: With `by_name`, skip layers whose weights do not fit
            instead of raising.

    Returns:
        For a checkpoint (a path without a known suffix, written by
        ``save_weights``), a ``CheckpointLoadStatus`` with TF's
        ``assert_consumed()``, ``assert_existing_objects_matched()``,
        ``assert_nontrivial_match()`` and ``expect_partial()``; values are
        matched by the model's structure, not its layer names. ``None`` for
        the other formats, as Keras.

    Raises:
        FileNotFoundError: when nothing is at ``filepath``.
        torchkeras.saving.SavingError: (a ``ValueError``) naming the file
            and the problem.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.saving.save_weights(model, "model.weights.h5")
        >>> keras.saving.load_weights(model, "model.weights.h5")
    """
    filepath = os.fspath(filepath)
    apply = _loader(model, filepath, by_name, skip_mismatch)
    if getattr(apply, "returns_status", False):
        return apply()  # a checkpoint: restores now and at first call
    if deferred.needs_deferral(model):
        deferred.defer(model, apply)
        return None
    apply()
    return None


# ----------------------------------------------------------------------
# Models.


@keras_export("keras.saving.save_model", "keras.models.save_model")
def save_model(model, filepath, overwrite=True, include_optimizer=True,
               save_format=None, signatures=None, options=None,
               save_traces=True, **kwargs):
    """Saves a whole model (`model.save`): a `.keras`, `.h5` file or a folder.

    The format follows the suffix of `filepath` (`.keras`, `.h5`; another
    path writes a SavedModel-like folder) unless `save_format` names it.

    Args:
        model: The model to save.
        filepath: Where to write it.
        overwrite: Whether to replace an existing file (otherwise the user is
            asked).
        include_optimizer: Whether to save the compile arguments and the
            optimizer state too.
        save_format: `"keras"`, `"h5"` or `"tf"` (a model folder); `None`
            infers it from `filepath`.
        signatures: Accepted for tf.keras compatibility; ignored.
        options: Accepted for tf.keras compatibility; ignored.
        save_traces: Accepted for tf.keras compatibility; ignored.
        **kwargs: Other tf.keras arguments, accepted and ignored.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.models.save_model(model, "model.keras")
        >>> keras.models.load_model("model.keras").output_shape
        (None, 2)
    """
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    if save_format in ("h5", "keras", "tf"):
        kind = {"h5": "h5", "keras": "keras", "tf": "other"}[save_format]
    if kind in ("weights_h5", "safetensors"):
        raise ValueError(
            "`model.save()` writes a whole model: use a '.keras' or '.h5' "
            f"filepath, or `model.save_weights()` for weights. Received: "
            f"filepath={filepath}"
        )
    deferred.apply_now(model)
    atomic.check_overwrite(filepath, overwrite)
    if kind == "other":
        serving.save_model_folder(model, filepath,
                                     include_optimizer=include_optimizer)
        return
    if kind == "h5":
        _check_h5_model(model, filepath)
    with atomic.atomic_file(filepath) as tmp:
        if kind == "keras":
            keras_archive.save(model, tmp, include_optimizer)
        else:
            h5_model.save(model, tmp, include_optimizer)


def _check_h5_model(model, filepath):
    if getattr(model, "_model_kind", None) not in ("functional",
                                                   "sequential"):
        raise NotImplementedError(
            f"Saving model '{model.name}' to '{filepath}' (HDF5) requires a "
            "functional or Sequential model: a subclassed model's "
            "architecture is its code. Save it as '.keras' (with "
            "`get_config`) or save its weights."
        )
    weight_paths.unique_names(filepath, model)


def _load_h5_model(filepath, custom_objects, compile, safe_mode):
    # Structure, configs, model, declared shapes, values, optimizer: each
    # bounded by the one before, everything assigned last.
    return h5_model.load(filepath, custom_objects, compile, safe_mode)


def _load_store_model(filepath, entry, store, custom_objects, compile,
                      safe_mode):
    # As an archive loads (keras_archive.load), from a folder's parts.
    with model_config.state_restored_on_failure():
        model = model_config.deserialize_model(filepath, entry,
                                               custom_objects, safe_mode)
        if compile and entry.get("compile_config"):
            model_config.compile_from_config(filepath, model,
                                             entry["compile_config"],
                                             custom_objects)
        h5_keras3.apply_loaded_store(model, filepath, store, compile)
    return model


@keras_export("keras.saving.load_model", "keras.models.load_model")
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by ``save_model``, Keras 3 or tf.keras 2.

    Args:
        filepath: a ``.keras`` archive, a ``.h5`` model file or a model
            folder written by ``save_model``.
        custom_objects: ``{name: class or function}`` for custom layers,
            losses, subclassed models, Lambda functions.
        compile: whether to compile the model as it was saved (and restore
            the optimizer state).
        safe_mode: refuse Lambda layers (whose code cannot be loaded).

    Returns:
        The model, compiled when `compile` is True and the file holds compile
        arguments.

    Raises:
        FileNotFoundError: when nothing is at ``filepath``.
        torchkeras.saving.SavingError: (a ``ValueError``) naming the file
            and the problem; ``UnsafeFileError`` for a Lambda under
            ``safe_mode``.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> model.save("model.keras")
        >>> restored = keras.models.load_model("model.keras")
        >>> restored.output_shape
        (None, 2)
    """
    filepath = os.fspath(filepath)
    content = file_format.sniff(filepath)
    kind = _kind(filepath)
    if content == "directory":
        entry, store = serving.read_model_folder(filepath)
        return _load_store_model(filepath, entry, store, custom_objects,
                                 compile, safe_mode)
    if kind == "keras" or (kind == "other" and content == "zip"):
        # Config, model and weights, each bounded by the one before.
        return keras_archive.load(filepath, custom_objects, compile,
                                  safe_mode)
    if kind == "h5" or (kind == "other" and content == "hdf5"):
        return _load_h5_model(filepath, custom_objects, compile, safe_mode)
    if kind == "weights_h5":
        raise FileFormatError(
            filepath,
            "a '.weights.h5' file holds weights only: build the model and "
            "call `model.load_weights()`."
        )
    raise FileFormatError(
        filepath,
        f"unknown model format: the file is {file_format.describe(content)}"
        "; expected a '.keras' archive, a '.h5' model file or a model "
        "folder."
    )


@keras_export("keras.saving.export_saved_model")
def export_saved_model(model, filepath, input_signature=None):
    """Writes a SavedModel-like folder (tf.keras 2's `export_saved_model`).

    The folder holds the config, the weights and a serving program;
    `load_from_saved_model` reads it back.

    Args:
        model: The model to export.
        filepath: The folder to write.
        input_signature: Optional input specs of the serving program; `None`
            uses the model's input shapes.

    Returns:
        The folder's path.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.saving.export_saved_model(model, "exported")
        'exported'
    """
    deferred.apply_now(model)
    return serving.save_model_folder(model, filepath, input_signature)


@keras_export("keras.saving.load_from_saved_model")
def load_from_saved_model(saved_model_path, custom_objects=None):
    """Reads a model folder (tf.keras 2's `load_from_saved_model`).

    Args:
        saved_model_path: A folder written by `export_saved_model` (or
            `model.save` with a path without suffix).
        custom_objects: Optional dict of user-defined classes and functions
            by name.

    Returns:
        The compiled model.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> _ = keras.saving.export_saved_model(model, "exported")
        >>> keras.saving.load_from_saved_model("exported").output_shape
        (None, 2)
    """
    entry, store = serving.read_model_folder(
        os.fspath(saved_model_path))
    return _load_store_model(os.fspath(saved_model_path), entry, store,
                             custom_objects, True, True)
