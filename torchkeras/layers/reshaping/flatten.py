"""Flatten: collapses every non-batch axis into one."""

import math

from torchkeras.backend import config as backend_config
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


def _standardize_data_format(data_format):
    if data_format is None:
        return backend_config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', "
            f"'channels_last'}}. Received: data_format={data_format}"
        )
    return value


@keras_export("keras.layers.Flatten")
class Flatten(Layer):
    """Flattens the input. Does not affect the batch size.

    With ``data_format="channels_first"`` the channels axis is moved last
    first, so that the flattened order is the channels-last one (as Keras
    does, making the following ``Dense`` weights layout-independent).
    Inputs shaped ``(batch,)`` become ``(batch, 1)``.

    Args:
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        **kwargs: base layer keyword arguments.

    Input shape:
        ``(batch_size, ...)``.

    Output shape:
        ``(batch_size, prod(non-batch dims))``.

    Examples:
        >>> import torchkeras as keras
        >>> x = keras.Input(shape=(10, 64))
        >>> keras.layers.Flatten()(x).shape
        (None, 640)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self._channels_first = self.data_format == "channels_first"
        self.built = True

    def call(self, inputs):
        if inputs.ndim == 1:
            return inputs.reshape(-1, 1)
        if self._channels_first and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.flatten(1)

    def compute_output_shape(self, input_shape):
        non_batch = tuple(input_shape[1:])
        if not non_batch:
            flat = 1
        elif any(d is None for d in non_batch):
            flat = None
        else:
            flat = math.prod(non_batch)
        return (input_shape[0], flat)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
