"""SpatialDropout1D/2D/3D: dropout of whole feature maps (channels).

The keep-mask has one entry per sample and channel and broadcasts over the
spatial axes, so a dropped channel is zero everywhere in that sample.
"""

from torchkeras.backend import config as backend_config
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.regularization.dropout import Dropout
from torchkeras.layers.regularization.dropout import apply_dropout_mask
from torchkeras.layers.regularization.dropout import generator_for
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


class BaseSpatialDropout(Dropout):
    """Dropout with a ``(batch, 1, ..., channels)`` keep-mask."""

    _rank = None

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = _standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.built = False  # the first call checks the input's rank

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = [1] * inputs.ndim
        shape[0] = inputs.shape[0]
        channel_axis = 1 if self.data_format == "channels_first" else -1
        shape[channel_axis] = inputs.shape[channel_axis]
        return apply_dropout_mask(inputs, self.rate, tuple(shape),
                                  generator_for(self, inputs))

    def get_config(self):
        # Keras 3 writes exactly these keys for the spatial variants.
        config = {"rate": self.rate, "seed": self.seed, "name": self.name,
                  "dtype": self.dtype}
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config


@keras_export("keras.layers.SpatialDropout1D")
class SpatialDropout1D(BaseSpatialDropout):
    """Spatial 1D version of Dropout: drops entire 1D feature maps.

    Use it instead of ``Dropout`` when adjacent frames are strongly
    correlated (early convolution layers), so that the channels themselves
    are regularized.

    Args:
        rate: float in ``[0, 1]``, fraction of the channels to drop.
        seed: optional integer seed.

    Input shape:
        3D tensor ``(samples, timesteps, channels)``.

    Output shape:
        Same as the input.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> y = keras.layers.SpatialDropout1D(0.5)(torch.ones(2, 4, 3),
        ...                                       training=True)
        >>> bool((y.amax(1) == y.amin(1)).all())  # constant along time
        True
    """

    _rank = 1

    def __init__(self, rate, seed=None, **kwargs):
        kwargs.pop("data_format", None)
        super().__init__(rate, data_format="channels_last", seed=seed,
                         **kwargs)


@keras_export("keras.layers.SpatialDropout2D")
class SpatialDropout2D(BaseSpatialDropout):
    """Spatial 2D version of Dropout: drops entire 2D feature maps.

    Args:
        rate: float in ``[0, 1]``, fraction of the channels to drop.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        seed: optional integer seed.

    Input shape:
        4D tensor ``(samples, rows, cols, channels)`` (channels_last) or
        ``(samples, channels, rows, cols)`` (channels_first).

    Output shape:
        Same as the input.

    Examples:
        >>> layer = keras.layers.SpatialDropout2D(0.5)
        >>> y = layer(torch.ones(2, 3, 3, 4), training=True)
        >>> bool((y.amax((1, 2)) == y.amin((1, 2))).all())  # whole maps
        True
    """

    _rank = 2


@keras_export("keras.layers.SpatialDropout3D")
class SpatialDropout3D(BaseSpatialDropout):
    """Spatial 3D version of Dropout: drops entire 3D feature maps.

    Args:
        rate: float in ``[0, 1]``, fraction of the channels to drop.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        seed: optional integer seed.

    Input shape:
        5D tensor ``(samples, dim1, dim2, dim3, channels)`` (channels_last)
        or ``(samples, channels, dim1, dim2, dim3)`` (channels_first).

    Output shape:
        Same as the input.

    Examples:
        >>> layer = keras.layers.SpatialDropout3D(0.5)
        >>> y = layer(torch.ones(2, 3, 3, 3, 4), training=True)
        >>> bool((y.amax((1, 2, 3)) == y.amin((1, 2, 3))).all())  # whole maps
        True
    """

    _rank = 3
