"""InputLayer and ``Input``: where a functional graph starts.

``Input(shape=(224, 224, 3), name="input_image")`` creates an ``InputLayer``
whose only node has no inputs, and returns that node's KerasTensor. Its
shape excludes the batch dimension, which is ``batch_size`` (``None`` by
default). ``dtype='string'`` inputs are carried as NumPy object arrays.
"""

from torchkeras.backend import config
from torchkeras.backend import global_state
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.graph.node import Node
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.InputLayer", "keras.InputLayer")
class InputLayer(Layer):
    """The layer behind ``Input``: holds the graph's input KerasTensor.

    Args:
        shape: shape tuple excluding the batch dimension.
        batch_size: optional static batch size.
        dtype: dtype name (default ``floatx()``), including ``'string'``.
        sparse: accepted for tf.keras compatibility; must be False.
        batch_shape: full shape including the batch dimension.
        input_tensor: an existing KerasTensor to wrap.
        name: the input's name (used to feed data by name).
        ragged: accepted for tf.keras compatibility; must be False.

    Examples:
        >>> layer = keras.layers.InputLayer(shape=(3,))
        >>> layer.output.shape
        (None, 3)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, name=None,
                 ragged=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("optional", None)
        if sparse:
            raise ValueError(
                "torchkeras does not support sparse inputs. "
                f"Received: sparse={sparse}"
            )
        if ragged:
            raise ValueError(
                "torchkeras does not support ragged inputs. "
                f"Received: ragged={ragged}"
            )
        if name is None:
            name = global_state.unique_name("input_layer")
        dtype = config.standardize_dtype(dtype) if dtype is not None else (
            config.floatx())
        super().__init__(name=name, **kwargs)
        self._dtype = dtype
        if batch_shape is None:
            if shape is None:
                if input_tensor is None:
                    raise ValueError(
                        "You must pass a `shape` argument to Input. "
                        "Received: shape=None"
                    )
                batch_shape = input_tensor.shape
            else:
                if isinstance(shape, int):
                    shape = (shape,)
                _check_shape(shape)
                batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(
            None if d is None else int(d) for d in batch_shape)
        self.built = True
        self._accepts_string_inputs = True
        tensor = KerasTensor(self._batch_shape, dtype=dtype, name=name)
        Node(self, (), {}, tensor)

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self._batch_shape), "dtype": self.dtype,
                "sparse": False, "name": self.name}

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        if "batch_input_shape" in config_:
            config_["batch_shape"] = config_.pop("batch_input_shape")
        config_.pop("ragged", None)
        return cls(**config_)


def _check_shape(shape):
    if not isinstance(shape, (list, tuple)):
        raise ValueError(
            "`shape` of Input must be a tuple of integers or None. "
            f"Received: shape={shape!r}"
        )
    for d in shape:
        if d is not None and (not isinstance(d, int) or d < 0):
            raise ValueError(
                "`shape` of Input must contain non-negative integers or "
                f"None. Received: shape={tuple(shape)}"
            )


@keras_export("keras.layers.Input", "keras.Input")
def Input(shape=None, batch_size=None, dtype=None, sparse=None,
          batch_shape=None, name=None, tensor=None, ragged=None,
          optional=False):
    """Creates a symbolic input for a functional model.

    Args:
        shape: shape excluding the batch dimension, e.g. ``(224, 224, 3)``.
        batch_size: optional static batch size.
        dtype: dtype name, default ``floatx()``; ``'string'`` is allowed.
        sparse: must be False (accepted for tf.keras code).
        batch_shape: full shape including the batch dimension.
        name: name of the input, used to feed data by name.
        tensor: an existing KerasTensor to wrap.
        ragged: must be False (accepted for tf.keras code).
        optional: accepted for Keras 3 code; the input is not optional.

    Returns:
        A ``KerasTensor``.

    Examples:
        >>> import torchkeras as keras
        >>> x = keras.Input(shape=(224, 224, 3), name="input_image")
        >>> x.shape
        (None, 224, 224, 3)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       sparse=sparse, batch_shape=batch_shape, name=name,
                       input_tensor=tensor, ragged=ragged)
    return layer.output
