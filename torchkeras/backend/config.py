"""Global numeric settings of the Keras backend.

Owns the process-wide defaults that layers read when they are created:
the float dtype, the fuzz factor ``epsilon`` and the image data format.
Device choice lives in ``backend/device.py``; name counters in
``backend/global_state.py``.
"""

import torch

from torchkeras.utils.registry import keras_export

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


@keras_export("keras.backend.floatx")
def floatx():
    """Returns the default float type, as a string (`'float32'`).

    New weights, `keras.backend.constant` and the other tensor factories
    use this dtype unless told otherwise.

    Returns:
        The dtype name, such as `'float32'`.

    Examples:
        >>> keras.backend.floatx()
        'float32'
    """
    return _FLOATX


@keras_export("keras.backend.set_floatx")
def set_floatx(value):
    """Sets the default float type (`'float16'`, `'float32'`, ...).

    Args:
        value: One of `'float16'`, `'bfloat16'`, `'float32'` or
            `'float64'`.

    Raises:
        ValueError: If `value` is not one of these.

    Examples:
        >>> keras.backend.set_floatx("float64")
        >>> keras.backend.zeros((2,)).dtype
        torch.float64
        >>> keras.backend.set_floatx("float32")
    """
    global _FLOATX
    if value not in _FLOAT_DTYPES:
        raise ValueError(
            f"Unknown `floatx` value. Expected one of {_FLOAT_DTYPES}. "
            f"Received: floatx={value!r}"
        )
    _FLOATX = str(value)


@keras_export("keras.backend.epsilon")
def epsilon():
    """Returns the fuzz factor used in numeric expressions (`1e-7`).

    Losses and metrics add or clip by it to keep logarithms and divisions
    finite.

    Returns:
        A Python float.

    Examples:
        >>> keras.backend.epsilon()
        1e-07
    """
    return _EPSILON


@keras_export("keras.backend.set_epsilon")
def set_epsilon(value):
    """Sets the fuzz factor used in numeric expressions.

    Args:
        value: The new fuzz factor, a float.

    Examples:
        >>> keras.backend.set_epsilon(1e-5)
        >>> keras.backend.epsilon()
        1e-05
        >>> keras.backend.set_epsilon(1e-7)
    """
    global _EPSILON
    _EPSILON = float(value)


@keras_export("keras.backend.image_data_format")
def image_data_format():
    """Returns `'channels_last'` (the default) or `'channels_first'`.

    Image layers and the image functions of `keras.backend` use this
    layout when their `data_format` is `None`.

    Returns:
        The data format name.

    Examples:
        >>> keras.backend.image_data_format()
        'channels_last'
    """
    return _IMAGE_DATA_FORMAT


@keras_export("keras.backend.set_image_data_format")
def set_image_data_format(data_format):
    """Sets the default image data format.

    Args:
        data_format: `'channels_last'` (batch, height, width, channels) or
            `'channels_first'` (batch, channels, height, width).

    Raises:
        ValueError: For any other value.

    Examples:
        >>> keras.backend.set_image_data_format("channels_first")
        >>> keras.backend.image_data_format()
        'channels_first'
        >>> keras.backend.set_image_data_format("channels_last")
    """
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of "
            "{'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format!r}"
        )
    _IMAGE_DATA_FORMAT = str(data_format)


_TORCH_DTYPES = {
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float": torch.float32,
    "float64": torch.float64,
    "double": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}


_STANDARD_CACHE = {}


@keras_export("keras.backend.standardize_dtype")
def standardize_dtype(dtype):
    """Returns the Keras name of a dtype (`'float32'`, `'int64'`, `'string'`).

    Accepts Keras names and their aliases (`'float'`, `'double'`), torch
    dtypes and NumPy dtypes; `None` means `floatx()`.

    Args:
        dtype: The dtype to name.

    Returns:
        The standard dtype name, a string.

    Raises:
        ValueError: If `dtype` names no known dtype.

    Examples:
        >>> keras.backend.standardize_dtype(torch.int64)
        'int64'
        >>> keras.backend.standardize_dtype("double")
        'float64'
        >>> keras.backend.standardize_dtype(np.dtype("float16"))
        'float16'
    """
    try:
        return _STANDARD_CACHE[dtype]
    except (KeyError, TypeError):
        pass
    name = _standardize_dtype(dtype)
    if dtype is not None and isinstance(dtype, (str, torch.dtype)):
        _STANDARD_CACHE[dtype] = name
    return name


def _standardize_dtype(dtype):
    if dtype is None:
        return floatx()
    if isinstance(dtype, torch.dtype):
        return str(dtype).split(".")[-1]
    if hasattr(dtype, "name") and not isinstance(dtype, str):
        dtype = dtype.name  # numpy dtypes
    dtype = str(dtype)
    if dtype in ("string", "str", "object", "<U0") or dtype.startswith("<U"):
        return "string"
    aliases = {"float": "float32", "double": "float64", "half": "float16",
               "int": "int64", "uint": "uint64"}
    dtype = aliases.get(dtype, dtype)
    if dtype not in _TORCH_DTYPES and dtype != "string":
        raise ValueError(f"Invalid dtype: {dtype!r}")
    return dtype


def to_torch_dtype(dtype):
    """Maps a Keras dtype name (or torch dtype) to a ``torch.dtype``."""
    if isinstance(dtype, torch.dtype):
        return dtype
    cached = _TORCH_DTYPES.get(dtype)
    if cached is not None:
        return cached
    name = standardize_dtype(dtype)
    if name == "string":
        raise ValueError(
            "dtype 'string' has no torch equivalent; string tensors are "
            "carried as NumPy object arrays."
        )
    return _TORCH_DTYPES[name]


def is_float_dtype(dtype):
    return standardize_dtype(dtype) in _FLOAT_DTYPES
