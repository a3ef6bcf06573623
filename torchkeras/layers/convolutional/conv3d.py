"""Conv3D: 3D convolution layer (e.g. spatial convolution over volumes)."""

from torchkeras.layers.convolutional.base_conv import BaseConv
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.Conv3D")
class Conv3D(BaseConv):
    """3D convolution layer (e.g. spatial convolution over volumes).

    Convolves a kernel with the inputs and returns
    ``activation(conv(inputs, kernel) + bias)``, running torch's fused
    convolution on a zero-copy channels-first view of channels-last inputs.
    ``get_weights()`` returns the kernel in Keras layout
    ``(k..., in_channels / groups, filters)`` and the bias.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple of 3 ints, the window size.
        strides: int or tuple of 3 ints (default (1, 1, 1)).
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
            ``"same"`` pads as TF does: the odd extra pixel at the end.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        dilation_rate: int or tuple of 3 ints (default (1, 1, 1)).
        groups: number of groups the input channels are split into; both
            input channels and ``filters`` must divide by it.
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
        >>> x = torch.ones((4, 10, 10, 10, 128))
        >>> keras.layers.Conv3D(32, 3, activation="relu")(x).shape
        torch.Size([4, 8, 8, 8, 32])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1),
                 padding="valid", data_format=None, dilation_rate=(1, 1, 1),
                 groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=3, filters=filters, kernel_size=kernel_size,
            strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, groups=groups,
            activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
