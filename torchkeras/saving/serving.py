"""Export for serving, and the SavedModel-like model folder.

``export(model, path, format='torch')`` traces the model in inference mode
with ``torch.export`` for an example input signature, the batch dimension
dynamic, and writes the program with ``torch.export.save`` (``.pt2``); it
runs without torchkeras (``torch.export.load(path).module()(x)``).
``format='onnx'`` writes ONNX through ``torch.onnx.export`` when ``onnx`` is
installed.

``save_model_folder`` / ``load_model_folder`` stand in for tf.keras 2's
SavedModel (``model.save('dir')``, ``experimental.export_saved_model``):
``saved_model.json`` (format marker), ``config.json`` and
``model.weights.h5`` (as in a ``.keras`` archive) and ``model.pt2`` (the
serving program). The folder is written atomically.
"""

import importlib.util
import json
import os
import warnings

import h5py
import numpy as np
import torch

from torchkeras.backend import config as backend_config
from torchkeras.saving import atomic
from torchkeras.saving import h5_keras3
from torchkeras.saving import model_config
from torchkeras.saving.errors import FileFormatError
from torchkeras.utils.registry import keras_export

FOLDER_FORMAT = "torchkeras-saved-model-v1"
MARKER = "saved_model.json"
PROGRAM = "model.pt2"


class _Serving(torch.nn.Module):
    """Calls the model in inference mode on positional tensors."""

    def __init__(self, model, single):
        super().__init__()
        self.model = model
        self.single = single

    def forward(self, *inputs):
        x = inputs[0] if self.single else list(inputs)
        return self.model(x, training=False)


def _spec_of(item):
    """``(shape, torch dtype)`` of one signature item."""
    if torch.is_tensor(item) or isinstance(item, np.ndarray):
        return tuple(item.shape), torch.as_tensor(item).dtype
    if hasattr(item, "shape"):
        dtype = getattr(item, "dtype", None)
        dtype = backend_config.to_torch_dtype(
            getattr(dtype, "name", dtype) or backend_config.floatx())
        return tuple(item.shape), dtype
    return tuple(item), backend_config.to_torch_dtype(
        backend_config.floatx())


def _signature(model, input_signature):
    if input_signature is None:
        if not getattr(model, "_is_graph_network", False):
            raise ValueError(
                f"Model '{model.name}' is subclassed: pass an "
                "`input_signature` (a list of shapes, tensors or "
                "InputSpecs) to export it. Received: input_signature=None"
            )
        input_signature = list(model.inputs)
    if not isinstance(input_signature, (list, tuple)) or (
            input_signature and isinstance(input_signature[0], int)):
        input_signature = [input_signature]
    return [_spec_of(item) for item in input_signature]


def _examples(specs):
    examples = []
    dynamic = []
    for shape, dtype in specs:
        concrete = [2 if d is None else int(d) for d in shape]
        examples.append(torch.zeros(concrete, dtype=dtype))
        # The first dimension is the batch: always dynamic.
        dynamic.append({0: torch.export.Dim.DYNAMIC} if shape else None)
    return tuple(examples), tuple(dynamic)


def export_program(model, input_signature=None):
    """The ``torch.export.ExportedProgram`` of ``model`` (batch dynamic)."""
    specs = _signature(model, input_signature)
    examples, dynamic = _examples(specs)
    serving = _Serving(model, single=len(specs) == 1)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            program = torch.export.export(serving, examples,
                                          dynamic_shapes=(dynamic,))
    finally:
        model.train(was_training)
    # Kernels kept as channels-last views would be saved as partial
    # storages (torch warns); the program gets plain dense copies.
    for key, value in list(program.state_dict.items()):
        if not value.is_contiguous():
            program.state_dict[key] = torch.nn.Parameter(
                value.detach().contiguous(),
                requires_grad=value.requires_grad)
    return program


@keras_export("keras.saving.export")
def export(model, filepath, format="torch", input_signature=None):
    """Writes a serving artifact of `model`: a `torch.export` program or ONNX.

    The model is traced in inference mode for its input signature, the batch
    dimension dynamic. A `.pt2` program runs without torchkeras:
    `torch.export.load(path).module()(x)` (or `keras.saving.load_program`).

    Args:
        model: The model to export.
        filepath: The file to write.
        format: `"torch"` (a `torch.export` program) or `"onnx"` (needs the
            `onnx` package).
        input_signature: Optional input specs; `None` uses the model's input
            shapes.

    Returns:
        `filepath`.

    Raises:
        ValueError: for an unknown ``format``.
        ImportError: for ``format='onnx'`` without ``onnx`` installed.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> keras.saving.export(model, "model.pt2")
        'model.pt2'
        >>> program = keras.saving.load_program("model.pt2")
        >>> program(torch.ones(4, 3)).shape
        torch.Size([4, 2])
    """
    filepath = os.fspath(filepath)
    if format in ("torch", "torch_export", "pt2"):
        program = export_program(model, input_signature)
        with atomic.atomic_file(filepath) as tmp:
            torch.export.save(program, tmp)
        return filepath
    if format == "onnx":
        return _export_onnx(model, filepath, input_signature)
    raise ValueError(
        "Unrecognized export format. Expected 'torch' or 'onnx'. "
        f"Received: format={format!r}"
    )


def _export_onnx(model, filepath, input_signature):
    if importlib.util.find_spec("onnx") is None:
        raise ImportError(
            "Exporting to ONNX needs the `onnx` package: "
            "`pip install onnx`. Received: format='onnx'"
        )
    specs = _signature(model, input_signature)
    examples, _ = _examples(specs)
    names = [f"input_{i}" for i in range(len(examples))]
    serving = _Serving(model, single=len(specs) == 1)
    with atomic.atomic_file(filepath) as tmp:
        torch.onnx.export(serving.eval(), examples, tmp, input_names=names,
                          dynamic_axes={n: {0: "batch"} for n in names})
    return filepath


def save_model_folder(model, dirpath, input_signature=None,
                      include_optimizer=True):
    """Writes the SavedModel-like folder (atomically)."""
    dirpath = os.fspath(dirpath)
    entry = model_config.serialize_model(model,
                                         include_compile=include_optimizer)
    with atomic.atomic_folder(dirpath) as tmp:
        with open(os.path.join(tmp, MARKER), "w") as f:
            json.dump({"format": FOLDER_FORMAT}, f)
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(entry, f)
        with h5py.File(os.path.join(tmp, "model.weights.h5"), "w") as f:
            h5_keras3.write_group(f, model, include_optimizer)
        try:
            program = export_program(model, input_signature)
            torch.export.save(program, os.path.join(tmp, PROGRAM))
        except (ValueError, RuntimeError, TypeError) as e:
            warnings.warn(
                f"Model '{model.name}' was saved to '{dirpath}' without a "
                f"serving program: torch.export failed ({e}).",
                stacklevel=3,
            )
    return dirpath


def read_model_folder(dirpath):
    """``(config entry, weights store)`` of a folder, verified."""
    marker = os.path.join(dirpath, MARKER)
    if not os.path.exists(marker):
        raise FileFormatError(
            dirpath,
            "not a torchkeras model folder (no 'saved_model.json'). A "
            "TensorFlow SavedModel cannot be read here; save the model "
            "from tf.keras as '.h5' or '.keras'."
        )
    try:
        with open(marker) as f:
            fmt = json.load(f).get("format")
        with open(os.path.join(dirpath, "config.json")) as f:
            entry = json.load(f)
    except (OSError, ValueError, AttributeError) as e:
        raise FileFormatError(dirpath, f"unreadable model folder: {e}") \
            from None
    if fmt != FOLDER_FORMAT:
        raise FileFormatError(dirpath, f"unknown folder format {fmt!r}.")
    weights = os.path.join(dirpath, "model.weights.h5")
    from torchkeras.saving import file_format

    with file_format.open_h5(weights) as f:
        store = h5_keras3.read_store(weights, f)
    return entry, store


@keras_export("keras.saving.load_program")
def load_program(dirpath_or_file):
    """Returns the serving program of a folder or a `.pt2` file, as a module.

    Args:
        dirpath_or_file: A `.pt2` file written by `export`, or a folder
            written by `export_saved_model` (its `model.pt2`).

    Returns:
        The `torch.nn.Module` of the exported program.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> _ = keras.saving.export_saved_model(model, "exported")
        >>> keras.saving.load_program("exported")(torch.ones(4, 3)).shape
        torch.Size([4, 2])
    """
    path = os.fspath(dirpath_or_file)
    if os.path.isdir(path):
        path = os.path.join(path, PROGRAM)
    return torch.export.load(path).module()
