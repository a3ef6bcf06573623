"""ConvLSTM2D: an LSTM whose input and recurrent transformations are
2D convolutions (Shi et al., 2015)."""

from torchkeras.layers.rnn.conv_lstm import ConvLSTM
from torchkeras.utils.registry import keras_export


@keras_export("keras.layers.ConvLSTM2D")
class ConvLSTM2D(ConvLSTM):
    """2D Convolutional LSTM.

    Similar to an LSTM layer, but the input transformations and recurrent
    transformations are both convolutional. The input convolution of every
    timestep runs as one batched torch convolution before the loop over
    time; only the recurrent convolution (stride 1, ``'same'``) runs per
    step. ``get_weights()`` returns Keras's layout: ``kernel``
    ``(*kernel_size, channels, 4 * filters)``, ``recurrent_kernel``
    ``(*kernel_size, filters, 4 * filters)`` and ``bias``
    ``(4 * filters,)``, gates in the order ``i, f, c, o``.

    Args:
        filters: the number of output filters (state channels).
        kernel_size: int or tuple of 2 ints, the convolution window.
        strides: int or tuple of 2 ints (input convolution only);
            ``strides > 1`` is incompatible with ``dilation_rate > 1``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive), for the
            input convolution; ``"same"`` pads as TF does (the odd extra
            pixel at the end). The recurrent convolution always pads
            ``"same"``.
        data_format: ``"channels_last"`` (default, from
            ``image_data_format()``) or ``"channels_first"`` (inputs
            ``(batch, time, channels, rows, cols)``).
        dilation_rate: int or tuple of 2 ints (input convolution only).
        activation: default ``tanh``.
        recurrent_activation: activation of the gates, default
            ``sigmoid``.
        use_bias: whether the layer uses a bias vector.
        kernel_initializer: default ``"glorot_uniform"``.
        recurrent_initializer: default ``"orthogonal"``.
        bias_initializer: default ``"zeros"``.
        unit_forget_bias: add 1 to the forget gate's bias at
            initialization (default True).
        kernel_regularizer: Optional regularizer function applied to the
            `kernel` weights matrix.
        recurrent_regularizer: Optional regularizer function applied to the
            `recurrent_kernel` weights matrix.
        bias_regularizer: Optional regularizer function applied to the bias
            vector.
        activity_regularizer: Optional regularizer function applied to the
            output of the layer.
        kernel_constraint: Optional constraint function applied to the `kernel`
            weights matrix after each optimizer update.
        recurrent_constraint: Optional constraint function applied to the
            `recurrent_kernel` weights matrix after each
            optimizer update.
        bias_constraint: Optional constraint function applied to the bias vector
            after each optimizer update.
        dropout: fraction of the input units to drop (one mask per gate,
            the same at every step).
        recurrent_dropout: fraction of the state units to drop.
        seed: random seed for dropout.
        return_sequences: return the full output sequence (default: the
            last output only).
        return_state: also return the last states ``h, c``.
        go_backwards: process the sequence backwards and return the
            reversed sequence.
        stateful: the last states of a batch are the initial states of the
            next one.

    Call arguments:
        inputs: a 5D tensor.
        initial_state: list ``[h, c]`` of initial states.
        mask: ``(batch, timesteps)`` boolean tensor; masked steps keep the
            previous states.
        training: whether dropout applies.

    Input shape:
        ``(batch_size, timesteps, rows, cols, channels)``
        (channels_last) or the channels-first equivalent.

    Output shape:
        ``(batch_size, timesteps, new_rows, new_cols, filters)``
        with ``return_sequences``, else
        ``(batch_size, new_rows, new_cols, filters)``;
        with ``return_state`` a list ``[output, h, c]``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.ConvLSTM2D(4, 3)
        >>> layer(torch.ones((2, 5, 8, 8, 3))).shape
        torch.Size([2, 6, 6, 4])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        super().__init__(
            rank=2, filters=filters, kernel_size=kernel_size,
            strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed,
            return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, stateful=stateful, **kwargs)
