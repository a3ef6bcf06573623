"""DepthwiseConv1D: 1D depthwise convolution."""

from torchkeras.layers.convolutional.base_depthwise_conv import (
    BaseDepthwiseConv,
)
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.DepthwiseConv1D")
class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution layer.

    Convolves each input channel with its own ``depth_multiplier`` filters
    and concatenates the results: output channel ``c * depth_multiplier +
    m`` comes from input channel ``c``. Runs torch's grouped convolution.
    ``get_weights()`` returns the kernel in Keras layout
    ``(k..., in_channels, depth_multiplier)`` and the bias
    ``(in_channels * depth_multiplier,)``.

    Args:
        kernel_size: int or tuple of 1 int.
        strides: int or tuple of 1 int (default 1).
        padding: ``"valid"``, ``"same"`` or ``"causal"``
            (case-insensitive); ``"same"`` puts the odd extra pixel at the
            end, as TF.
        depth_multiplier: output channels per input channel (default 1).
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        dilation_rate: int or tuple of 1 int (default 1).
        activation: activation function (default linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer: default ``"glorot_uniform"``.
        bias_initializer: default ``"zeros"``.
        depthwise_regularizer: Optional regularizer function applied to the
            depthwise kernel.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        depthwise_constraint: Optional constraint function applied to the
            depthwise kernel after each optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.

    Input shape:
        ``(batch_size, steps, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        The spatial dims as for a convolution, channels
        ``in_channels * depth_multiplier``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((4, 10, 3))
        >>> keras.layers.DepthwiseConv1D(3, depth_multiplier=2)(x).shape
        torch.Size([4, 8, 6])
    """

    def __init__(self, kernel_size, strides=1, padding="valid",
                 depth_multiplier=1, data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=1, depth_multiplier=depth_multiplier,
            kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
