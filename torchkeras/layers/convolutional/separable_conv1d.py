"""SeparableConv1D: 1D separable (depthwise, then pointwise) convolution."""

from torchkeras.layers.convolutional.base_separable_conv import (
    BaseSeparableConv,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.SeparableConv1D",
    "keras.layers.SeparableConvolution1D",
)
class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution layer.

    A depthwise convolution (each input channel with its own
    ``depth_multiplier`` filters) followed by a pointwise ``1 x 1``
    convolution mixing the channels into ``filters`` outputs, then the bias
    and the activation. ``get_weights()`` returns ``[depthwise_kernel
    (k..., in, depth_multiplier), pointwise_kernel (1..., in *
    depth_multiplier, filters), bias (filters,)]`` in Keras layout.

    Args:
        filters: the number of output channels.
        kernel_size: int or tuple of 1 int.
        strides: int or tuple of 1 int (default 1).
        padding: ``"valid"``, ``"same"`` or ``"causal"``
            (case-insensitive); ``"same"`` puts the odd extra pixel at the
            end, as TF.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"``.
        dilation_rate: int or tuple of 1 int (default 1).
        depth_multiplier: depthwise output channels per input channel.
        activation: activation function (default linear).
        use_bias: whether to add a bias vector.
        depthwise_initializer: Initializer for the depthwise kernel (default
            `"glorot_uniform"`).
        pointwise_initializer: Initializer for the pointwise kernel (default
            `"glorot_uniform"`).
        bias_initializer: default ``"zeros"``.
        depthwise_regularizer: Optional regularizer function applied to the
            depthwise kernel.
        pointwise_regularizer: Optional regularizer function applied to the
            pointwise kernel.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        depthwise_constraint: Optional constraint function applied to the
            depthwise kernel after each optimizer update.
        pointwise_constraint: Optional constraint function applied to the
            pointwise kernel after each optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.

    Input shape:
        ``(batch_size, steps, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        The spatial dims as for a convolution, ``filters`` channels.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> x = torch.ones((4, 10, 3))
        >>> keras.layers.SeparableConv1D(5, 3)(x).shape
        torch.Size([4, 8, 5])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(
            rank=1, depth_multiplier=depth_multiplier, filters=filters,
            kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint, **kwargs)
