"""Bidirectional: merge modes, states and masks against NumPy Keras RNNs,
the fused bidirectional kernel against two separate loops, naming, weights
and config."""

import numpy as np
import pytest
import torch
from rnn_reference import make_step
from rnn_reference import run_rnn
from rnn_reference import zero_states

import torchkeras as keras
from torchkeras import layers
from torchkeras.layers.rnn import fused_rnn
from torchkeras.testing import run_layer_test

B, T, F, U = 3, 5, 4, 3
MASK = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)


def _x():
    rng = np.random.default_rng(0)
    return rng.standard_normal((B, T, F)).astype("float32")


def _tanh(x):
    return torch.tanh(x)


def _numpy_bidirectional(kind, layer, x, mask, return_sequences):
    weights = layer.get_weights()
    half = len(weights) // 2
    zero_output = return_sequences and mask is not None
    fwd, fwd_states = run_rnn(make_step(kind, weights[:half]), x,
                              zero_states(kind, B, U), mask, False,
                              zero_output)
    bwd, bwd_states = run_rnn(make_step(kind, weights[half:]), x,
                              zero_states(kind, B, U), mask, True,
                              zero_output)
    if return_sequences:
        return fwd, bwd[:, ::-1], fwd_states + bwd_states
    return fwd[:, -1], bwd[:, -1], fwd_states + bwd_states


MERGES = {
    "concat": lambda a, b: np.concatenate([a, b], -1),
    "sum": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "ave": lambda a, b: (a + b) / 2,
    None: lambda a, b: [a, b],
}


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind, merge_mode", [
    ("gru", mode) for mode in MERGES] + [("lstm", "concat"), ("lstm", None)])
def test_bidirectional_matches_numpy(kind, merge_mode, return_sequences,
                                     masked):
    inner = (layers.GRU if kind == "gru" else layers.LSTM)(
        U, return_sequences=return_sequences, return_state=True)
    layer = layers.Bidirectional(inner, merge_mode=merge_mode)
    x = _x()
    mask = MASK if masked else None
    with torch.no_grad():
        out = layer(torch.from_numpy(x),
                    mask=None if mask is None else torch.from_numpy(mask))
    fwd, bwd, states = _numpy_bidirectional(kind, layer, x, mask,
                                            return_sequences)
    expected = MERGES[merge_mode](fwd, bwd)
    expected = expected if isinstance(expected, list) else [expected]
    assert len(out) == len(expected) + len(states)
    for got, want in zip(out, expected + states):
        np.testing.assert_allclose(got.numpy(), want, atol=2e-5)


@pytest.mark.parametrize("mask_name", ["none", "right", "empty", "holes"])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cls", [layers.GRU, layers.LSTM, layers.SimpleRNN])
def test_fused_bidirectional_equals_separate_loops(cls, return_sequences,
                                                   mask_name, monkeypatch):
    masks = {"none": None, "right": MASK,
             "empty": np.array([[1] * T, [0] * T, [1, 1, 0, 0, 0]], bool),
             "holes": np.array([[1, 0, 1, 1, 1]] * B, bool)}
    mask = masks[mask_name]
    mask = None if mask is None else torch.from_numpy(mask)
    fused = layers.Bidirectional(cls(U, return_sequences=return_sequences,
                                     return_state=True))
    loop = layers.Bidirectional(cls(U, activation=_tanh,
                                    return_sequences=return_sequences,
                                    return_state=True))
    x = torch.from_numpy(_x())
    fused(x)
    loop(x)
    loop.set_weights(fused.get_weights())
    calls = []
    real = fused_rnn.run_bidirectional
    monkeypatch.setattr(fused_rnn, "run_bidirectional",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    out_fused = fused(x, mask=mask)
    out_loop = loop(x, mask=mask)
    assert calls == ([] if mask_name == "holes" else [1])
    for a, b in zip(out_fused, out_loop):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(),
                                   atol=1e-6)
    sum(o.sum() for o in out_fused).backward()
    sum(o.sum() for o in out_loop).backward()
    for wf, wl in zip(fused.trainable_weights, loop.trainable_weights):
        np.testing.assert_allclose(wf.grad.numpy(), wl.grad.numpy(),
                                   atol=1e-5)


def test_names_weights_order_and_weights_argument():
    layer = layers.Bidirectional(layers.GRU(U, name="enc"))
    layer(torch.from_numpy(_x()))
    assert layer.forward_layer.name == "forward_enc"
    assert layer.backward_layer.name == "backward_enc"
    assert layer.backward_layer.go_backwards
    weights = layer.get_weights()
    assert len(weights) == 6
    np.testing.assert_array_equal(weights[0],
                                  layer.forward_layer.get_weights()[0])
    np.testing.assert_array_equal(weights[3],
                                  layer.backward_layer.get_weights()[0])
    given = [w + 1.0 for w in weights]
    copy = layers.Bidirectional(layers.GRU(U), weights=given)
    copy(torch.from_numpy(_x()))
    for a, b in zip(copy.get_weights(), given):
        np.testing.assert_array_equal(a, b)


def test_standard_checks_and_config_round_trip():
    run_layer_test(layers.Bidirectional,
                   {"layer": layers.LSTM(U, return_sequences=True)},
                   input_shape=(2, T, F), expected_output_shape=(2, T, 2 * U),
                   expected_num_trainable_weights=6, supports_masking=True)
    run_layer_test(layers.Bidirectional,
                   {"layer": layers.GRU(U), "merge_mode": "sum",
                    "backward_layer": layers.GRU(U, go_backwards=True,
                                                 reset_after=False)},
                   input_shape=(2, T, F), expected_output_shape=(2, U))
    config = layers.Bidirectional(layers.GRU(U, name="g")).get_config()
    assert config["layer"]["config"]["name"] == "forward_g"
    assert config["backward_layer"]["config"]["go_backwards"] is True


def test_symbolic_outputs_mask_and_initial_state():
    inputs = keras.Input((None, F))
    outs = layers.Bidirectional(layers.LSTM(U, return_state=True),
                                merge_mode=None)(inputs)
    assert [t.shape for t in outs] == [(None, U)] * 6
    layer = layers.Bidirectional(layers.GRU(U, return_sequences=True))
    x = torch.from_numpy(_x())
    out = layer(x, mask=torch.from_numpy(MASK))
    assert out._keras_mask.tolist() == MASK.tolist()
    init = [torch.randn(B, U), torch.randn(B, U)]
    with torch.no_grad():
        got = layer(x, initial_state=init)
        forward = layer.forward_layer(x, initial_state=[init[0]])
    np.testing.assert_allclose(got[..., :U].numpy(), forward.numpy(),
                               atol=1e-6)


def test_stateful_bidirectional_and_reset_states():
    layer = layers.Bidirectional(layers.GRU(U, stateful=True))
    x = torch.from_numpy(_x())
    with torch.no_grad():
        first = layer(x)
        second = layer(x)
        assert not torch.allclose(first, second)
        assert len(layer.states) == 2
        layer.reset_states()
        np.testing.assert_allclose(layer(x).numpy(), first.numpy(),
                                   atol=1e-6)
    with pytest.raises(AttributeError, match="stateful"):
        layers.Bidirectional(layers.GRU(U)).reset_states()


def test_dropout_in_training_runs_each_direction():
    layer = layers.Bidirectional(layers.GRU(U, dropout=0.5))
    x = torch.from_numpy(_x())
    assert not torch.equal(layer(x, training=True), layer(x, training=True))
    assert torch.equal(layer(x), layer(x))


@pytest.mark.parametrize("kwargs, message", [
    ({"layer": "gru"}, "Layer` instance"),
    ({"layer": layers.GRU(2), "merge_mode": "max"}, "Invalid merge mode"),
    ({"layer": layers.GRU(2), "backward_layer": layers.GRU(2)},
     "different `go_backwards`"),
    ({"layer": layers.GRU(2),
      "backward_layer": layers.GRU(2, go_backwards=True,
                                   return_sequences=True)},
     "return_sequences"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Bidirectional(**kwargs)


def test_time_major_layers_flip_the_time_axis():
    x = torch.from_numpy(_x())
    batch_major = layers.Bidirectional(layers.GRU(U, return_sequences=True))
    time_major = layers.Bidirectional(layers.GRU(U, return_sequences=True,
                                                 time_major=True))
    with torch.no_grad():
        want = batch_major(x)
        time_major(x.transpose(0, 1))
        time_major.set_weights(batch_major.get_weights())
        got = time_major(x.transpose(0, 1)).transpose(0, 1)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6)
