"""Conv3DTranspose: the 3D transposed convolution ("deconvolution")."""

from torchkeras.layers.convolutional.base_conv_transpose import (
    BaseConvTranspose,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.Conv3DTranspose",
    "keras.layers.Convolution3DTranspose",
)
class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution layer.

    Goes the opposite way of a ``Conv3D`` with the same arguments: the
    output has the shape of that convolution's input. Output lengths are
    Keras's: ``"valid"`` gives ``(n - 1) * s + max(k, s)``, ``"same"`` gives
    ``n * s``; ``output_padding`` sets ``(n - 1) * s + k - 2 * pad +
    output_padding`` instead (``pad = k // 2`` for ``"same"``). Values match
    TF's (see ``base_conv_transpose``). ``get_weights()`` returns the kernel
    in Keras layout ``(k..., filters, in_channels)`` and the bias.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple of 3 ints.
        strides: int or tuple of 3 ints (default (1, 1, 1)).
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        output_padding: int or tuple of 3 ints smaller than
            ``strides``, or ``None`` (default) to infer it.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        dilation_rate: int or tuple of 3 ints (default (1, 1, 1)).
        activation: activation function (default linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: default ``"glorot_uniform"``.
        bias_initializer: default ``"zeros"``.
        kernel_regularizer: Optional regularizer function applied to the
            `kernel` weights matrix.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        kernel_constraint: Optional constraint function applied to the `kernel`
            weights matrix after each optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.

    Input shape:
        ``(batch_size, d1, d2, d3, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        ``(batch_size, new_d1, new_d2, new_d3, filters)``
        (channels_last) or the channels-first equivalent.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((4, 10, 8, 6, 8))
        >>> layer = keras.layers.Conv3DTranspose(16, 3, strides=2,
        ...                                       padding="same")
        >>> layer(x).shape
        torch.Size([4, 20, 16, 12, 16])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1),
                 padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=3, filters=filters, kernel_size=kernel_size,
            strides=strides, padding=padding, output_padding=output_padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
