"""InputSpec: what a layer accepts, checked when it is called.

A layer sets ``self.input_spec`` (one spec, or a list, one per input) and
``Layer.__call__`` checks every input against it before building, with
Keras's messages naming the layer, the expectation and the received shape.
"""

from torchkeras.backend.config import standardize_dtype
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.InputSpec")
class InputSpec:
    """Specifies the rank, dtype and shape of every input to a layer.

    Args:
        dtype: expected dtype name, or None.
        shape: expected shape tuple (``None`` entries match anything).
        ndim: Expected rank of the input, or `None`.
        max_ndim: Largest rank accepted, or `None`.
        min_ndim: Smallest rank accepted, or `None`.
        axes: dict mapping axis index to its expected size.
        allow_last_axis_squeeze: accept a missing or extra last axis of 1.
        name: the input's name.
        optional: whether the input may be `None` (an optional input).

    Examples:
        >>> layer = keras.layers.Dense(2)
        >>> layer.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: 3})
        >>> layer(torch.ones(2, 4))
        Traceback (most recent call last):
        ...
        ValueError: Input 0 of layer "..." is incompatible with the layer: ...
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None,
                 min_ndim=None, axes=None, allow_last_axis_squeeze=False,
                 name=None, optional=False):
        self.dtype = standardize_dtype(dtype) if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim is not None
                       else self.max_ndim) - 1
            if max(self.axes) > max_dim:
                raise ValueError(
                    f"Axis {max(self.axes)} is greater than the maximum "
                    f"allowed value: {max_dim}"
                )

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim,
                "axes": self.axes}

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in self.get_config().items()
                 if v not in (None, {})]
        return f"InputSpec({', '.join(parts)})"


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises ValueError if ``inputs`` (tensors or KerasTensors) mismatch."""
    if not input_spec:
        return
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [
        input_spec]
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if isinstance(inputs, (list, tuple)) and len(specs) != len(inputs) and (
        len(specs) > 1 or len(inputs) != 1
    ):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it '
            f"received {len(inputs)} input tensors. Inputs received: "
            f"{_shapes(inputs)}"
        )
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None or x is None:
            continue
        _check_one(spec, x, index, layer_name)


def _shapes(inputs):
    return [tuple(getattr(x, "shape", ())) for x in inputs]


def _check_one(spec, x, index, layer_name):
    if not hasattr(x, "shape"):
        return
    shape = tuple(x.shape)
    ndim = len(shape)
    head = (f'Input {index} of layer "{layer_name}" is incompatible with '
            "the layer: ")
    if spec.ndim is not None and not spec.allow_last_axis_squeeze:
        if ndim != spec.ndim:
            raise ValueError(
                f"{head}expected ndim={spec.ndim}, found ndim={ndim}. "
                f"Full shape received: {_fmt(shape)}"
            )
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(
            f"{head}expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
            f"Full shape received: {_fmt(shape)}"
        )
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(
            f"{head}expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
            f"Full shape received: {_fmt(shape)}"
        )
    if spec.dtype is not None:
        dtype = standardize_dtype(getattr(x, "dtype", None))
        if dtype != spec.dtype:
            raise ValueError(
                f"{head}expected dtype={spec.dtype}, found dtype={dtype}"
            )
    for axis, value in spec.axes.items():
        if value is None:
            continue
        if -ndim <= axis < ndim and shape[axis] not in (value, None):
            raise ValueError(
                f"{head}expected axis {axis} of input shape to have value "
                f"{value}, but received input with shape {_fmt(shape)}"
            )
    if spec.shape is not None:
        for expected, got in zip(spec.shape, shape):
            if expected is not None and got is not None and expected != got:
                raise ValueError(
                    f"{head}expected shape={_fmt(spec.shape)}, found "
                    f"shape={_fmt(shape)}"
                )


def _fmt(shape):
    return tuple(None if d is None else int(d) for d in shape)
