"""TimeDistributed: equal to applying the layer at each step, run once on
the folded batch, with unknown time dimensions and masks."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test


def _x(shape, seed=0):
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.standard_normal(shape).astype("float32"))


def test_dense_equals_each_step_and_runs_once():
    inner = layers.Dense(5, activation="tanh")
    layer = layers.TimeDistributed(inner)
    x = _x((3, 4, 6))
    calls = []
    inner.register_forward_hook(lambda *args: calls.append(1))
    with torch.no_grad():
        out = layer(x)
        assert calls == [1]  # one call on (batch * time, ...)
        for t in range(4):
            np.testing.assert_allclose(out[:, t].numpy(),
                                       inner(x[:, t]).numpy(), atol=1e-6)
    kernel, bias = inner.get_weights()
    np.testing.assert_allclose(out.numpy(),
                               np.tanh(x.numpy() @ kernel + bias),
                               atol=1e-5)


def test_conv2d_channels_last_equals_each_step():
    conv = layers.Conv2D(4, 3, padding="same")
    layer = layers.TimeDistributed(conv)
    x = _x((2, 3, 8, 8, 2))
    with torch.no_grad():
        out = layer(x)
        assert tuple(out.shape) == (2, 3, 8, 8, 4)
        for t in range(3):
            np.testing.assert_allclose(out[:, t].numpy(),
                                       conv(x[:, t]).numpy(), atol=1e-5)


def test_unknown_time_dimension_in_a_model():
    inputs = keras.Input((None, 6))
    out = layers.TimeDistributed(layers.Dense(2))(inputs)
    assert out.shape == (None, None, 2)
    model = keras.Model(inputs, out)
    for steps in (1, 7):
        assert tuple(model(_x((3, steps, 6))).shape) == (3, steps, 2)


def test_mask_passes_through_to_the_next_layer():
    tokens = keras.Input((None,), dtype="int64")
    h = layers.Embedding(10, 4, mask_zero=True)(tokens)
    h = layers.TimeDistributed(layers.Dense(4))(h)
    out = layers.GRU(3)(h)
    model = keras.Model(tokens, out)
    ids = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]])
    with torch.no_grad():
        full = model(ids)
        cut = model(ids[:1, :3])
    np.testing.assert_allclose(full[0].numpy(), cut[0].numpy(), atol=1e-6)


def test_mask_is_folded_for_layers_that_take_one():
    seen = []

    class Recorder(layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(None if mask is None else tuple(mask.shape))
            return inputs

    layer = layers.TimeDistributed(Recorder())
    mask = torch.ones(2, 3, dtype=torch.bool)
    layer(_x((2, 3, 4)), mask=mask)
    assert seen == [(6,)]
    with pytest.raises(ValueError, match="mask"):
        layer(_x((2, 3, 4)), mask=torch.ones(2, 4, dtype=torch.bool))


def test_standard_checks_and_errors():
    run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(3)},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3),
                   expected_num_trainable_weights=2, supports_masking=True,
                   stochastic=False)
    run_layer_test(layers.TimeDistributed,
                   {"layer": layers.Dropout(0.5)},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 5),
                   stochastic=True)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(3))(keras.Input((4,)))
    with pytest.raises(ValueError, match="Layer` instance"):
        layers.TimeDistributed("dense")
