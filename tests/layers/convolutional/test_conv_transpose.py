"""Conv1D/2D/3DTranspose against a NumPy scatter-add and against the
adjoint of a NumPy convolution.

TF defines ``conv_transpose`` as the gradient of the convolution from the
(Keras-computed) output shape back to the input: input pixel ``i`` adds
``x[i] * kernel[k]`` to output pixel ``i * s + k * d - pad_before``, with
``pad_before`` TF's ``'same'`` padding of that convolution.
"""

import itertools

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test

TRANSPOSE = {1: layers.Conv1DTranspose, 2: layers.Conv2DTranspose,
             3: layers.Conv3DTranspose}


def _keras_output_length(n, k, s, d, padding, output_padding):
    k = (k - 1) * d + 1
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


def np_conv_transpose(x, kernel, bias, strides, padding, dilation,
                      output_padding):
    """Channels-last scatter-add; ``kernel`` is Keras ``(k..., out, in)``."""
    ksize = kernel.shape[:-2]
    sizes = x.shape[1:-1]
    ops = output_padding or (None,) * len(ksize)
    out_sizes = [_keras_output_length(n, k, s, d, padding, op) for
                 n, k, s, d, op in zip(sizes, ksize, strides, dilation, ops)]
    befores = []
    for n, m, k, s, d in zip(sizes, out_sizes, ksize, strides, dilation):
        total = max((n - 1) * s + (k - 1) * d + 1 - m, 0)
        befores.append(total // 2 if padding == "same" else 0)
    out = np.zeros((x.shape[0],) + tuple(out_sizes) + (kernel.shape[-2],))
    for i in itertools.product(*[range(n) for n in sizes]):
        for k in itertools.product(*[range(n) for n in ksize]):
            o = [a * s + b * d - p for a, b, s, d, p in
                 zip(i, k, strides, dilation, befores)]
            if all(0 <= v < m for v, m in zip(o, out_sizes)):
                index = (slice(None),) + tuple(o)
                out[index] += x[(slice(None),) + i] @ kernel[k].T
    return out + bias


def np_conv(x, kernel, strides, padding):
    """Channels-last forward conv (no dilation), Keras kernel layout."""
    ksize = kernel.shape[:-2]
    pads = []
    for n, k, s in zip(x.shape[1:-1], ksize, strides):
        total = 0
        if padding == "same":
            total = max((-(-n // s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    outs = [(n - k) // s + 1 for n, k, s in zip(xp.shape[1:-1], ksize,
                                                strides)]
    result = 0.0
    for k in itertools.product(*[range(n) for n in ksize]):
        index = tuple(slice(a, a + s * (m - 1) + 1, s)
                      for a, s, m in zip(k, strides, outs))
        result = result + xp[(slice(None),) + index] @ kernel[k]
    return result


def _cases():
    cases = []
    for rank in (1, 2, 3):
        for padding in ("valid", "same"):
            for strides, dilation, op in ((1, 1, None), (2, 1, None),
                                          (1, 2, None), (2, 1, 1),
                                          (3, 1, 0)):
                cases.append((rank, padding, strides, dilation, op,
                              "channels_last"))
        cases.append((rank, "same", 2, 1, None, "channels_first"))
    return cases


def _layer_and_data(rank, padding, strides, dilation, op, data_format):
    rng = np.random.default_rng(rank * 10 + strides + dilation)
    kernel_size = {1: 3, 2: (3, 2), 3: (2, 3, 2)}[rank]
    layer = TRANSPOSE[rank](4, kernel_size, strides=strides, padding=padding,
                            output_padding=op, dilation_rate=dilation,
                            data_format=data_format)
    spatial = {1: (4,), 2: (3, 4), 3: (3, 2, 3)}[rank]
    x = rng.standard_normal((2,) + spatial + (3,)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    layer(torch.from_numpy(x))
    weights = [rng.standard_normal(w.shape).astype("float32")
               for w in layer.get_weights()]
    layer.set_weights(weights)
    return layer, x, weights


@pytest.mark.parametrize(
    "rank, padding, strides, dilation, output_padding, data_format",
    _cases())
def test_conv_transpose_matches_scatter_add(rank, padding, strides,
                                            dilation, output_padding,
                                            data_format):
    layer, x, (kernel, bias) = _layer_and_data(
        rank, padding, strides, dilation, output_padding, data_format)
    assert kernel.shape == layer.kernel_size + (4, 3)
    out = layer(torch.from_numpy(x)).detach().numpy()
    xl = x if data_format == "channels_last" else np.moveaxis(x, 1, -1)
    expected = np_conv_transpose(xl, kernel, bias, layer.strides, padding,
                                 layer.dilation_rate, layer.output_padding)
    if data_format == "channels_first":
        expected = np.moveaxis(expected, -1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape(x.shape) == out.shape


@pytest.mark.parametrize("rank, padding, strides", [
    (1, "same", 2), (1, "valid", 3), (2, "same", 2), (2, "valid", 2),
    (3, "same", 2)])
def test_conv_transpose_is_the_adjoint_of_conv(rank, padding, strides):
    # <conv(z), x> == <conv_transpose(x), z> for the conv with the same
    # kernel from the transpose's output shape back to its input shape.
    layer, x, (kernel, _) = _layer_and_data(rank, padding, strides, 1, None,
                                            "channels_last")
    layer.set_weights([kernel, np.zeros(4, "float32")])
    y = layer(torch.from_numpy(x)).detach().numpy().astype("float64")
    z = np.random.default_rng(3).standard_normal(y.shape)
    conv_z = np_conv(z, kernel.astype("float64"), (strides,) * rank,
                     padding)
    assert conv_z.shape == x.shape
    np.testing.assert_allclose((conv_z * x).sum(), (y * z).sum(),
                               rtol=1e-5)


def test_same_stride_two_matches_tf_placement():
    # TF: conv1d_transpose([1, 2], ones(3), stride 2, 'same') = [1, 1, 3, 2]
    layer = layers.Conv1DTranspose(1, 3, strides=2, padding="same",
                                   use_bias=False, kernel_initializer="ones")
    out = layer(torch.tensor([[[1.0], [2.0]]]))
    np.testing.assert_array_equal(out.detach().numpy().ravel(),
                                  [1, 1, 3, 2])


def test_kernel_layout_and_symbolic_shapes():
    layer = layers.Conv2DTranspose(5, (3, 2), strides=2)
    y = layer(keras.Input((None, 4, 3)))
    assert y.shape == (None, None, 8, 5)  # 4 * 2 + max(2 - 2, 0)
    assert tuple(layer.kernel.shape) == (3, 5, 3, 2)  # torch (in, out, k)
    assert layer.get_weights()[0].shape == (3, 2, 5, 3)  # Keras (k, out, in)
    config = layer.get_config()
    assert config["output_padding"] is None and "groups" not in config
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="padding"):
        layers.Conv1DTranspose(2, 3, padding="causal")


@pytest.mark.parametrize("rank", [1, 2])
def test_conv_transpose_run_layer_test(rank):
    shape = {1: (2, 5, 3), 2: (2, 4, 5, 3)}[rank]
    out = {1: (2, 10, 4), 2: (2, 8, 10, 4)}[rank]
    run_layer_test(TRANSPOSE[rank], {"filters": 4, "kernel_size": 3,
                                     "strides": 2, "padding": "same",
                                     "output_padding": None},
                   input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=2, stochastic=False,
                   atol=1e-5, rtol=1e-5)
