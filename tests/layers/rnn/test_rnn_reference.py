"""SimpleRNN, GRU (both reset_after modes) and LSTM against NumPy
implementations of Keras's cell equations and masking rules.

Every combination of return_sequences x return_state x go_backwards x mask
(none, right-padded, with holes) runs on the layer's own ``get_weights()``;
right-padded masks take the packed fused kernel, masks with holes the
Python loop. (Fully masked rows: ``test_rnn_layers`` and the Keras golden
file.)
"""

import numpy as np
import pytest
import torch
from rnn_reference import make_step
from rnn_reference import run_rnn
from rnn_reference import zero_states

from torchkeras import layers

B, T, F, U = 3, 5, 4, 3

MASKS = {
    "none": None,
    "right_padded": [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]],
    "holes": [[1, 0, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]],
    "empty_row": [[1, 1, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 0]],
}

KINDS = {
    "simple": lambda **kw: layers.SimpleRNN(U, **kw),
    "gru": lambda **kw: layers.GRU(U, **kw),
    "gru_before": lambda **kw: layers.GRU(U, reset_after=False, **kw),
    "lstm": lambda **kw: layers.LSTM(U, **kw),
}


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((B, T, F)).astype("float32")


def _randomize(layer):
    # Non-trivial biases so that every weight matters.
    rng = np.random.default_rng(1)
    layer.set_weights([w + 0.3 * rng.standard_normal(w.shape)
                       for w in layer.get_weights()])


@pytest.mark.parametrize("mask_name", ["none", "right_padded", "holes"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", list(KINDS))
def test_layer_matches_numpy_keras_equations(kind, return_sequences,
                                             return_state, go_backwards,
                                             mask_name):
    x = _data()
    layer = KINDS[kind](return_sequences=return_sequences,
                        return_state=return_state, go_backwards=go_backwards)
    layer(torch.from_numpy(x))
    _randomize(layer)
    mask = MASKS[mask_name]
    mask_t = None if mask is None else torch.tensor(mask, dtype=torch.bool)
    with torch.no_grad():
        out = layer(torch.from_numpy(x), mask=mask_t)
    outputs, states = run_rnn(make_step(kind, layer.get_weights()), x,
                              zero_states(kind, B, U),
                              None if mask is None else np.array(mask, bool),
                              go_backwards)
    expected = outputs if return_sequences else outputs[:, -1]
    got = out[0] if return_state else out
    np.testing.assert_allclose(got.numpy(), expected, atol=2e-5)
    if return_state:
        assert len(out) == 1 + len(states)
        for got_state, state in zip(out[1:], states):
            np.testing.assert_allclose(got_state.numpy(), state, atol=2e-5)


@pytest.mark.parametrize("kind", ["simple", "gru", "gru_before", "lstm"])
def test_initial_state_matches_numpy(kind):
    x = _data()
    layer = KINDS[kind](return_sequences=True, return_state=True)
    layer(torch.from_numpy(x))
    _randomize(layer)
    rng = np.random.default_rng(2)
    init = [rng.standard_normal((B, U)).astype("float32")
            for _ in zero_states(kind, B, U)]
    mask = np.array(MASKS["right_padded"], bool)
    with torch.no_grad():
        out = layer(torch.from_numpy(x),
                    initial_state=[torch.from_numpy(s) for s in init],
                    mask=torch.from_numpy(mask))
    outputs, states = run_rnn(make_step(kind, layer.get_weights()), x, init,
                              mask)
    np.testing.assert_allclose(out[0].numpy(), outputs, atol=2e-5)
    for got, state in zip(out[1:], states):
        np.testing.assert_allclose(got.numpy(), state, atol=2e-5)


def test_keras_weight_layouts_and_gate_orders():
    """Hand-built Keras weights: only the z gate's bias is set, so the
    output is ``z * h + (1 - z) * tanh(0)`` with ``z = sigmoid(b_z)``."""
    gru = layers.GRU(2, return_sequences=True)
    gru(torch.zeros(1, 2, 3))
    kernel, recurrent, bias = gru.get_weights()
    assert (kernel.shape, recurrent.shape, bias.shape) == (
        (3, 6), (2, 6), (2, 6))
    bias = np.zeros((2, 6), "float32")
    bias[0, :2] = 2.0  # Keras z gate of the input bias
    gru.set_weights([np.zeros_like(kernel), np.zeros_like(recurrent), bias])
    h0 = np.array([[1.0, -1.0]], "float32")
    out = gru(torch.zeros(1, 2, 3), initial_state=torch.from_numpy(h0))
    z = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(out[0, 0].detach().numpy(), z * h0[0],
                               rtol=1e-6)
    lstm = layers.LSTM(2)
    lstm(torch.zeros(1, 2, 3))
    shapes = [w.shape for w in lstm.get_weights()]
    assert shapes == [(3, 8), (2, 8), (8,)]
    np.testing.assert_array_equal(lstm.get_weights()[2],
                                  [0, 0, 1, 1, 0, 0, 0, 0])  # forget = 1
    simple = layers.SimpleRNN(2, use_bias=False)
    simple(torch.zeros(1, 2, 3))
    assert [w.shape for w in simple.get_weights()] == [(3, 2), (2, 2)]
    before = layers.GRU(2, reset_after=False)
    before(torch.zeros(1, 2, 3))
    assert before.get_weights()[2].shape == (6,)
