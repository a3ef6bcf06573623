"""Conv1D/2D/3D, DepthwiseConv1D/2D and SeparableConv1D/2D against NumPy.

The reference is a direct NumPy convolution written here from Keras's
definition (TF's ``'same'`` padding: ``pad_total = max((ceil(n / s) - 1) * s
+ (k - 1) * d + 1 - n, 0)``, ``pad_before = pad_total // 2``), computed from
Keras-layout kernels that are put into the layer with ``set_weights``.
"""

import itertools

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import constraints
from torchkeras import layers
from torchkeras.testing import run_layer_test

# ----------------------------------------------------------------------
# NumPy reference.


def _tf_pads(sizes, kernel, strides, dilation, padding):
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        k_eff = (k - 1) * d + 1
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((k_eff - 1, 0))
        else:
            out = -(-n // s)
            total = max((out - 1) * s + k_eff - n, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def _windows(x, kernel, strides, dilation, padding, pad_value=0.0):
    """Yields (kernel offset, strided slice of the padded input)."""
    pads = _tf_pads(x.shape[1:-1], kernel, strides, dilation, padding)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=pad_value)
    out = [(n + b + a - ((k - 1) * d + 1)) // s + 1 for n, (b, a), k, s, d
           in zip(x.shape[1:-1], pads, kernel, strides, dilation)]
    for offset in itertools.product(*[range(k) for k in kernel]):
        index = tuple(
            slice(o * d, o * d + s * (m - 1) + 1, s)
            for o, d, s, m in zip(offset, dilation, strides, out))
        yield offset, xp[(slice(None),) + index + (slice(None),)]


def np_conv(x, kernel, bias, strides, padding, dilation, groups=1):
    """Channels-last conv; ``kernel`` is Keras ``(k..., in/groups, out)``."""
    cin_g, cout = kernel.shape[-2], kernel.shape[-1]
    cout_g = cout // groups
    result = None
    for offset, window in _windows(x, kernel.shape[:-2], strides, dilation,
                                   padding):
        k = kernel[offset]
        parts = [window[..., g * cin_g:(g + 1) * cin_g]
                 @ k[:, g * cout_g:(g + 1) * cout_g] for g in range(groups)]
        term = np.concatenate(parts, axis=-1)
        result = term if result is None else result + term
    return result if bias is None else result + bias


def np_depthwise(x, kernel, strides, padding, dilation):
    """``kernel`` is Keras ``(k..., in, depth_multiplier)``."""
    result = None
    for offset, window in _windows(x, kernel.shape[:-2], strides, dilation,
                                   padding):
        term = window[..., :, None] * kernel[offset]
        term = term.reshape(term.shape[:-2] + (-1,))
        result = term if result is None else result + term
    return result


def _to_channels_last(x, data_format):
    return x if data_format == "channels_last" else np.moveaxis(x, 1, -1)


def _from_channels_last(y, data_format):
    return y if data_format == "channels_last" else np.moveaxis(y, -1, 1)


def _set_random_weights(layer, rng):
    weights = [rng.standard_normal(w.shape).astype("float32")
               for w in layer.get_weights()]
    layer.set_weights(weights)
    for got, want in zip(layer.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    return weights


def _input(rng, rank, data_format, channels=4):
    spatial = {1: (7,), 2: (7, 6), 3: (5, 5, 6)}[rank]
    shape = (2,) + spatial + (channels,)
    x = rng.standard_normal(shape).astype("float32")
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 1)


CONV = {1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}
GEOMETRIES = [(1, 1), (2, 1), (1, 2)]  # (strides, dilation_rate)


def _cases(ranks, paddings_of_rank):
    """Every padding/stride/dilation with channels_last; channels_first
    with the strided 'same' case (the layout change is padding-blind)."""
    cases = [(rank, padding, s, d, "channels_last")
             for rank in ranks for padding in paddings_of_rank(rank)
             for s, d in GEOMETRIES]
    return cases + [(rank, "same", 2, 1, "channels_first")
                    for rank in ranks]


def _conv_paddings(rank):
    return ("valid", "same", "causal") if rank == 1 else ("valid", "same")


# ----------------------------------------------------------------------
# Conv1D/2D/3D.


@pytest.mark.parametrize("rank, padding, strides, dilation, data_format",
                         _cases((1, 2, 3), _conv_paddings))
def test_conv_matches_numpy(rank, padding, strides, dilation, data_format):
    rng = np.random.default_rng(rank * 100 + strides * 10 + dilation)
    kernel_size = {1: 3, 2: (3, 2), 3: (2, 3, 2)}[rank]
    groups = 2 if strides == 1 else 1
    layer = CONV[rank](6, kernel_size, strides=strides, padding=padding,
                       dilation_rate=dilation, groups=groups,
                       data_format=data_format)
    x = _input(rng, rank, data_format)
    layer(torch.from_numpy(x))
    kernel, bias = _set_random_weights(layer, rng)
    assert kernel.shape == layer.kernel_size + (4 // groups, 6)
    out = layer(torch.from_numpy(x))
    expected = np_conv(_to_channels_last(x, data_format), kernel, bias,
                       layer.strides, padding, layer.dilation_rate, groups)
    expected = _from_channels_last(expected, data_format)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    assert layer.compute_output_shape(x.shape) == tuple(out.shape)


def test_same_padding_puts_the_extra_pixel_at_the_end():
    # TF pads [1, 2, 3] to [1, 2, 3, 0] for a width-2 kernel.
    layer = layers.Conv1D(1, 2, padding="same", use_bias=False,
                          kernel_initializer="ones")
    out = layer(torch.tensor([[[1.0], [2.0], [3.0]]]))
    np.testing.assert_array_equal(out.detach().numpy().ravel(), [3, 5, 3])
    strided = layers.Conv1D(1, 3, strides=2, padding="same", use_bias=False,
                            kernel_initializer="ones")
    # n=4, s=2: pad_total = 1 -> [1, 2, 3, 4, 0]; windows start at 0, 2.
    out = strided(torch.tensor([[[1.0], [2.0], [3.0], [4.0]]]))
    np.testing.assert_array_equal(out.detach().numpy().ravel(), [6, 7])


def test_causal_padding_sees_only_the_past():
    layer = layers.Conv1D(1, 2, padding="causal", dilation_rate=2,
                          use_bias=False, kernel_initializer="ones")
    out = layer(torch.arange(1.0, 6.0).reshape(1, 5, 1))
    # y[t] = x[t] + x[t - 2] (zeros before the start).
    np.testing.assert_array_equal(out.detach().numpy().ravel(),
                                  [1, 2, 4, 6, 8])


def test_kernel_is_stored_in_torch_layout():
    rng = np.random.default_rng(0)
    layer = layers.Conv2D(5, (3, 2), groups=1)
    layer.build((None, 6, 6, 4))
    kernel, _ = _set_random_weights(layer, rng)
    assert tuple(layer.kernel.shape) == (5, 4, 3, 2)
    np.testing.assert_array_equal(layer.kernel.detach().numpy(),
                                  kernel.transpose(3, 2, 0, 1))
    # channels-last layers keep it in torch's channels_last memory format.
    assert layer.kernel.is_contiguous(memory_format=torch.channels_last)
    first = layers.Conv2D(5, 3, data_format="channels_first")
    first.build((None, 4, 6, 6))
    assert first.kernel.is_contiguous()


def test_initializer_regularizer_and_constraint_see_keras_layout():
    seen = []

    def init(shape, dtype=None):
        seen.append(tuple(shape))
        return torch.arange(float(np.prod(shape))).reshape(shape)

    def first_filter_sum(w):
        return w[..., 0].sum()

    max_norm = constraints.MaxNorm(max_value=1.0, axis=[0, 1, 2])
    layer = layers.Conv2D(3, (2, 2), kernel_initializer=init,
                          kernel_regularizer=first_filter_sum,
                          kernel_constraint=max_norm)
    layer.build((None, 5, 5, 2))
    assert seen == [(2, 2, 2, 3)]
    kernel = layer.get_weights()[0]
    np.testing.assert_array_equal(kernel, np.arange(24.0).reshape(2, 2, 2,
                                                                  3))
    (penalty,) = layer.losses
    assert float(penalty.detach()) == pytest.approx(kernel[..., 0].sum())
    constrained = layer.kernel._keras_constraint(layer.kernel)
    expected = max_norm(torch.from_numpy(kernel)).numpy()
    got = constrained.detach().permute(2, 3, 1, 0).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_glorot_fans_use_the_keras_kernel_shape():
    layer = layers.Conv2D(64, 3)
    layer.build((None, 8, 8, 32))
    limit = np.sqrt(6.0 / (9 * 32 + 9 * 64))
    kernel = layer.get_weights()[0]
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_conv_run_layer_test(rank):
    shape = {1: (2, 7, 3), 2: (2, 7, 6, 3), 3: (2, 4, 5, 3, 3)}[rank]
    out = {1: (2, 4, 4), 2: (2, 4, 3, 4), 3: (2, 2, 3, 2, 4)}[rank]
    run_layer_test(CONV[rank], {"filters": 4, "kernel_size": 3,
                                "strides": 2, "padding": "same",
                                "activation": "relu"},
                   input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=2, stochastic=False,
                   atol=1e-5, rtol=1e-5)


def test_symbolic_shapes_with_unknown_spatial_dims():
    x = keras.Input((None, None, 3))
    y = layers.Conv2D(4, 3, strides=2, padding="valid")(x)
    assert y.shape == (None, None, None, 4)
    x = keras.Input((9, None, 3))
    y = layers.Conv2D(4, 3, strides=2, padding="same")(x)
    assert y.shape == (None, 5, None, 4)
    eager = layers.Conv2D(4, 3, strides=2, padding="same")(
        torch.zeros(2, 9, 7, 3))
    assert tuple(eager.shape) == (2, 5, 4, 4)
    x = keras.Input((3, None, None), name="cf")
    y = layers.Conv2D(4, 3, data_format="channels_first")(x)
    assert y.shape == (None, 4, None, None)


def test_channels_last_runs_on_a_zero_copy_view():
    # No copy of the activations: neither the input nor the output is
    # copied, padded or made contiguous (the kernel is stored channels-last
    # too, but whether torch reorders it is up to the torch version).
    import warnings

    from torch.profiler import ProfilerActivity
    from torch.profiler import profile

    layer = layers.Conv2D(4, 3, padding="same")
    x = torch.randn(2, 6, 6, 3)
    layer(x)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # profiler notices on some versions
        with profile(activities=[ProfilerActivity.CPU],
                     record_shapes=True) as p:
            out = layer(x)
        events = [(e.name, e.input_shapes) for e in p.events()]
    activations = ([2, 6, 6, 3], [2, 3, 6, 6], [2, 6, 6, 4], [2, 4, 6, 6])
    copies = [(name, shapes) for name, shapes in events
              if name in ("aten::copy_", "aten::clone", "aten::contiguous",
                          "aten::constant_pad_nd")
              and shapes and list(shapes[0]) in activations]
    assert not copies
    assert out.is_contiguous()
    assert out.movedim(-1, 1).is_contiguous(
        memory_format=torch.channels_last)


def test_conv_errors_name_the_argument():
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="filters=0"):
        layers.Conv1D(0, 3)
    with pytest.raises(ValueError, match="groups"):
        layers.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv2D(2, (3, 0))
    with pytest.raises(ValueError, match="data_format"):
        layers.Conv2D(2, 3, data_format="NHWC")
    with pytest.raises(ValueError, match="groups"):
        layers.Conv2D(4, 3, groups=2)(keras.Input((5, 5, 3)))
    with pytest.raises(ValueError, match="conv_small"):
        layers.Conv2D(2, 5, name="conv_small")(keras.Input((3, 3, 1)))


# ----------------------------------------------------------------------
# Depthwise and separable.


DEPTHWISE = {1: layers.DepthwiseConv1D, 2: layers.DepthwiseConv2D}
SEPARABLE = {1: layers.SeparableConv1D, 2: layers.SeparableConv2D}


def _dw_cases():
    return _cases((1, 2), lambda rank: ("valid", "same"))


@pytest.mark.parametrize("rank, padding, strides, dilation, data_format",
                         _dw_cases())
def test_depthwise_matches_numpy(rank, padding, strides, dilation,
                                 data_format):
    rng = np.random.default_rng(7 + strides + dilation)
    layer = DEPTHWISE[rank]({1: 3, 2: (3, 2)}[rank], strides=strides,
                            padding=padding, depth_multiplier=2,
                            dilation_rate=dilation, data_format=data_format)
    x = _input(rng, rank, data_format, channels=3)
    layer(torch.from_numpy(x))
    kernel, bias = _set_random_weights(layer, rng)
    assert kernel.shape == layer.kernel_size + (3, 2)
    assert bias.shape == (6,)
    out = layer(torch.from_numpy(x))
    expected = np_depthwise(_to_channels_last(x, data_format), kernel,
                            layer.strides, padding, layer.dilation_rate)
    expected = _from_channels_last(expected + bias, data_format)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    assert layer.compute_output_shape(x.shape) == tuple(out.shape)


@pytest.mark.parametrize("rank, padding, strides, dilation, data_format",
                         _dw_cases())
def test_separable_matches_numpy(rank, padding, strides, dilation,
                                 data_format):
    rng = np.random.default_rng(11 + strides + dilation)
    layer = SEPARABLE[rank](5, {1: 3, 2: (2, 3)}[rank], strides=strides,
                            padding=padding, depth_multiplier=2,
                            dilation_rate=dilation, data_format=data_format)
    x = _input(rng, rank, data_format, channels=3)
    layer(torch.from_numpy(x))
    depthwise, pointwise, bias = _set_random_weights(layer, rng)
    assert pointwise.shape == (1,) * rank + (6, 5)
    out = layer(torch.from_numpy(x))
    middle = np_depthwise(_to_channels_last(x, data_format), depthwise,
                          layer.strides, padding, layer.dilation_rate)
    expected = middle @ pointwise.reshape(6, 5) + bias
    expected = _from_channels_last(expected, data_format)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)


def test_tf_keras_configs_with_groups_one_load():
    # tf.keras writes `groups: 1` into these layers' configs.
    depthwise = layers.DepthwiseConv2D.from_config(
        {"kernel_size": [3, 3], "groups": 1, "depth_multiplier": 2})
    assert depthwise.depth_multiplier == 2
    separable = layers.SeparableConv1D.from_config(
        {"filters": 4, "kernel_size": [3], "groups": 1})
    assert separable.filters == 4
    transpose = layers.Conv2DTranspose.from_config(
        {"filters": 4, "kernel_size": [3, 3], "groups": 1,
         "output_padding": None})
    assert transpose.filters == 4
    with pytest.raises(ValueError, match="groups=2"):
        layers.DepthwiseConv1D(3, groups=2)


def test_depthwise_weight_names_and_run_layer_test():
    layer = layers.DepthwiseConv2D(3)
    layer.build((None, 5, 5, 2))
    assert [w.name for w in layer.weights] == [
        "depthwise_conv2d/depthwise_kernel", "depthwise_conv2d/bias"]
    assert layer.kernel is layer.depthwise_kernel
    run_layer_test(layers.DepthwiseConv2D,
                   {"kernel_size": 3, "depth_multiplier": 2,
                    "padding": "same"},
                   input_shape=(2, 5, 5, 3),
                   expected_output_shape=(2, 5, 5, 6),
                   expected_num_trainable_weights=2, stochastic=False,
                   atol=1e-5, rtol=1e-5)


def test_separable_weight_names_and_run_layer_test():
    layer = layers.SeparableConv1D(4, 3)
    layer.build((None, 7, 2))
    assert [w.name.split("/")[1] for w in layer.weights] == [
        "depthwise_kernel", "pointwise_kernel", "bias"]
    run_layer_test(layers.SeparableConv1D,
                   {"filters": 4, "kernel_size": 3, "padding": "causal"},
                   input_shape=(2, 7, 3), expected_output_shape=(2, 7, 4),
                   expected_num_trainable_weights=3, stochastic=False,
                   atol=1e-5, rtol=1e-5)
