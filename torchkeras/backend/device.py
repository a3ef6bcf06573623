"""The one device policy: where new weights, data and metric states go.

CUDA when torch sees a GPU, unless ``CUDA_VISIBLE_DEVICES=-1`` (the tf.keras
way to force the CPU) or ``set_device``/``device(...)`` says otherwise. Layers
create their weights on ``current_device()``; the engine moves each batch to
the model's device.
"""

import contextlib
import os

import torch

from torchkeras.utils.registry import keras_export

_DEVICE_STACK = []
_DEFAULT = None


def _visible_cuda():
    if os.environ.get("CUDA_VISIBLE_DEVICES", "").strip() == "-1":
        return False
    return torch.cuda.is_available()


def default_device():
    """``cuda`` when a GPU is visible, else ``cpu`` (or what was set)."""
    if _DEFAULT is not None:
        return _DEFAULT
    return torch.device("cuda") if _visible_cuda() else torch.device("cpu")


@keras_export("keras.backend.current_device")
def current_device():
    """The device of the innermost `device(...)` scope, or the default.

    The default is CUDA when torch sees a GPU (and `CUDA_VISIBLE_DEVICES`
    is not `-1`), else the CPU, unless `set_device` chose another.

    Returns:
        A `torch.device`.

    Examples:
        >>> with keras.backend.device("cpu"):
        ...     keras.backend.current_device()
        device(type='cpu')
    """
    if _DEVICE_STACK:
        return _DEVICE_STACK[-1]
    return default_device()


@keras_export("keras.backend.set_device")
def set_device(device_name):
    """Sets the default device for new weights (`'cpu'`, `'cuda:0'`).

    Args:
        device_name: A torch device name (`'cpu'`, `'cuda'`, `'cuda:1'`),
            a TensorFlow spelling such as `'/GPU:0'`, or `None` to go back
            to the automatic choice.

    Raises:
        ValueError: If the name is invalid or names a GPU that torch cannot
            see.

    Examples:
        >>> keras.backend.set_device("cpu")
        >>> keras.backend.current_device()
        device(type='cpu')
        >>> keras.backend.set_device(None)
    """
    global _DEFAULT
    _DEFAULT = None if device_name is None else _parse(device_name)


def _parse(device_name):
    name = str(device_name).lower()
    if name.startswith("/"):  # tf spelling: "/GPU:0", "/device:CPU:0"
        name = name.split("device:")[-1].lstrip("/")
        name = name.replace("gpu", "cuda")
    try:
        device = torch.device(name)
    except RuntimeError as e:
        raise ValueError(
            f"Invalid device name. Expected 'cpu', 'cuda', 'cuda:N' or a tf "
            f"spelling like '/GPU:0'. Received: device_name={device_name!r}"
        ) from e
    if device.type == "cuda" and not _visible_cuda():
        raise ValueError(
            f"Device {device_name!r} was requested, but no CUDA device is "
            "visible to torch."
        )
    return device


@keras_export("keras.device", "keras.backend.device")
@contextlib.contextmanager
def device(device_name):
    """A context manager choosing where new weights and tensors go.

    Inside `with keras.backend.device(name):` (also `keras.device`),
    layers create their weights on that device and the tensor factories of
    `keras.backend` allocate there.

    Args:
        device_name: A torch device name (`'cpu'`, `'cuda:0'`) or a
            TensorFlow spelling such as `'/GPU:0'`.

    Raises:
        ValueError: If the name is invalid or names a GPU that torch cannot
            see.

    Examples:
        >>> with keras.backend.device("cpu"):
        ...     w = keras.backend.zeros((2,))
        >>> w.device
        device(type='cpu')
    """
    _DEVICE_STACK.append(_parse(device_name))
    try:
        yield
    finally:
        _DEVICE_STACK.pop()
