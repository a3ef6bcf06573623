"""SimpleRNN / GRU / LSTM / RNN behaviour: standard layer checks, the fused
kernel against the Python loop, masks, states, dropout, Keras layouts of
initializers/regularizers/constraints, custom and stacked cells."""

import numpy as np
import pytest
import torch
from rnn_reference import make_step
from rnn_reference import run_rnn
from rnn_reference import sigmoid

import torchkeras as keras
from torchkeras import layers
from torchkeras.layers.rnn import fused_rnn
from torchkeras.testing import run_layer_test

B, T, F, U = 3, 6, 4, 3
RIGHT = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0]]


def _x(seed=0, shape=(B, T, F)):
    return torch.from_numpy(
        np.random.default_rng(seed).standard_normal(shape).astype("float32"))


def _tanh(x):  # equal to tanh, but not torch's kernel: forces the loop
    return torch.tanh(x)


def _sigmoid(x):
    return torch.sigmoid(x)


FUSED_AND_LOOP = {
    "gru": (lambda **kw: layers.GRU(U, **kw),
            lambda **kw: layers.GRU(U, activation=_tanh, **kw)),
    "lstm": (lambda **kw: layers.LSTM(U, **kw),
             lambda **kw: layers.LSTM(U, recurrent_activation=_sigmoid,
                                      **kw)),
    "simple": (lambda **kw: layers.SimpleRNN(U, **kw),
               lambda **kw: layers.SimpleRNN(U, activation=_tanh, **kw)),
}


@pytest.mark.parametrize("cls, kwargs, shape", [
    (layers.SimpleRNN, {"units": 3}, (2, 3)),
    (layers.GRU, {"units": 3, "return_sequences": True}, (2, 5, 3)),
    (layers.GRU, {"units": 3, "reset_after": False}, (2, 3)),
    (layers.LSTM, {"units": 3, "return_state": True},
     [(2, 3), (2, 3), (2, 3)]),
    (layers.LSTM, {"units": 3, "go_backwards": True, "dropout": 0.2},
     (2, 3)),
])
def test_rnn_layers_standard_checks(cls, kwargs, shape):
    run_layer_test(cls, kwargs, input_shape=(2, 5, 4),
                   expected_output_shape=shape,
                   expected_num_trainable_weights=3,
                   expected_num_non_trainable_weights=0,
                   supports_masking=True,
                   stochastic=kwargs.get("dropout", 0) > 0 or None)


def test_rnn_with_cells_standard_checks():
    run_layer_test(layers.RNN, {"cell": layers.GRUCell(3)},
                   input_shape=(2, 5, 4), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=3)
    run_layer_test(
        layers.RNN,
        {"cell": layers.StackedRNNCells([layers.SimpleRNNCell(5),
                                         layers.LSTMCell(3)]),
         "return_sequences": True},
        input_shape=(2, 5, 4), expected_output_shape=(2, 5, 3),
        expected_num_trainable_weights=6)


# ----------------------------------------------------------------------
# The fused kernel and the Python loop give the same numbers.


@pytest.mark.parametrize("mask_name", ["none", "right", "empty"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", list(FUSED_AND_LOOP))
def test_fused_kernel_equals_loop(kind, return_sequences, go_backwards,
                                  mask_name, monkeypatch):
    make_fused, make_loop = FUSED_AND_LOOP[kind]
    kwargs = dict(return_sequences=return_sequences, return_state=True,
                  go_backwards=go_backwards)
    fused, loop = make_fused(**kwargs), make_loop(**kwargs)
    x = _x()
    fused(x)
    loop(x)
    loop.set_weights(fused.get_weights())
    mask = {"none": None, "right": torch.tensor(RIGHT, dtype=torch.bool),
            "empty": torch.tensor([[1] * T, [0] * T, [1, 1, 0, 0, 0, 0]],
                                  dtype=torch.bool)}[mask_name]
    calls = []
    real = fused_rnn.run_cell
    monkeypatch.setattr(fused_rnn, "run_cell",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    out_fused = fused(x, mask=mask)
    assert calls == [1]
    out_loop = loop(x, mask=mask)
    assert calls == [1]  # the custom activation took the loop
    for a, b in zip(out_fused, out_loop):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(),
                                   atol=1e-6)
    sum(o.sum() for o in out_fused).backward()
    sum(o.sum() for o in out_loop).backward()
    for wf, wl in zip(fused.trainable_weights, loop.trainable_weights):
        np.testing.assert_allclose(wf.grad.numpy(), wl.grad.numpy(),
                                   atol=1e-5)


def test_mask_with_holes_takes_the_loop(monkeypatch):
    calls = []
    monkeypatch.setattr(fused_rnn, "run_cell",
                        lambda *a, **k: calls.append(1))
    layer = layers.GRU(U)
    layer(_x(), mask=torch.tensor([[1, 0, 1, 1, 1, 1]] * B,
                                  dtype=torch.bool))
    assert calls == []
    with pytest.raises(ValueError, match="use_cudnn=True"):
        layers.GRU(U, use_cudnn=True, activation=_tanh)(_x())


# ----------------------------------------------------------------------
# Masks.


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("cls", [layers.GRU, layers.LSTM])
def test_masked_batch_equals_truncated_sequences(cls, go_backwards):
    layer = cls(U, return_sequences=True, return_state=True,
                go_backwards=go_backwards)
    x = _x()
    mask = torch.tensor(RIGHT, dtype=torch.bool)
    with torch.no_grad():
        batch = layer(x, mask=mask)
        for b, length in enumerate(mask.sum(1).tolist()):
            alone = layer(x[b:b + 1, :length])
            for got, want in zip(batch[1:], alone[1:]):  # final states
                np.testing.assert_allclose(got[b].numpy(), want[0].numpy(),
                                           atol=1e-6)
            seq = batch[0][b]
            if go_backwards:  # padding comes first, outputs zero there
                np.testing.assert_allclose(seq[T - length:].numpy(),
                                           alone[0][0].numpy(), atol=1e-6)
                assert float(seq[:T - length].abs().sum()) == 0.0
            else:  # padding carries the last valid output
                np.testing.assert_allclose(seq[:length].numpy(),
                                           alone[0][0].numpy(), atol=1e-6)
                np.testing.assert_allclose(
                    seq[length:].numpy(),
                    np.broadcast_to(alone[0][0, -1].numpy(),
                                    (T - length, U)), atol=1e-6)


def test_masked_steps_carry_previous_output_and_state():
    layer = layers.LSTM(U, return_sequences=True, return_state=True)
    holes = torch.tensor([[1, 0, 0, 1, 1, 0]] * B, dtype=torch.bool)
    x = _x()
    with torch.no_grad():
        seq, h, c = layer(x, mask=holes)
        kept, h2, c2 = layer(x[:, [0, 3, 4]])
    np.testing.assert_allclose(seq[:, 1].numpy(), seq[:, 0].numpy())
    np.testing.assert_allclose(seq[:, 2].numpy(), seq[:, 0].numpy())
    np.testing.assert_allclose(seq[:, 5].numpy(), seq[:, 4].numpy())
    np.testing.assert_allclose(seq[:, [0, 3, 4]].numpy(), kept.numpy(),
                               atol=1e-6)
    np.testing.assert_allclose(c.numpy(), c2.numpy(), atol=1e-6)


def test_embedding_mask_zero_feeds_the_rnn_mask():
    inputs = keras.Input((None,), dtype="int64")
    h = layers.Embedding(10, F, mask_zero=True)(inputs)
    out = layers.GRU(U, return_sequences=True)(h)
    model = keras.Model(inputs, out)
    ids = torch.tensor([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]])
    with torch.no_grad():
        got = model(ids)
        alone = model(ids[:1, :3])
    assert got._keras_mask.tolist() == (ids != 0).tolist()
    np.testing.assert_allclose(got[0, 3:].numpy(),
                               np.repeat(alone[0, -1:].numpy(), 3, 0),
                               atol=1e-6)


def test_masking_layer_feeds_the_rnn_mask():
    x = _x().numpy()
    x[1, 4:] = 0.0
    model = keras.Sequential([keras.Input((None, F)), layers.Masking(0.0),
                              layers.SimpleRNN(U)])
    with torch.no_grad():
        full = model(torch.from_numpy(x))
        cut = model(torch.from_numpy(x[1:2, :4]))
    np.testing.assert_allclose(full[1].numpy(), cut[0].numpy(), atol=1e-6)


# ----------------------------------------------------------------------
# States.


def test_stateful_chunks_equal_one_long_sequence():
    stateful = layers.GRU(U, stateful=True, return_sequences=True)
    plain = layers.GRU(U, return_sequences=True)
    x = _x(shape=(B, 2 * T, F))
    plain(x)
    stateful(x[:, :T])
    stateful.set_weights(plain.get_weights())
    stateful.reset_states()
    with torch.no_grad():
        whole = plain(x)
        first = stateful(x[:, :T])
        second = stateful(x[:, T:])
        np.testing.assert_allclose(torch.cat([first, second], 1).numpy(),
                                   whole.numpy(), atol=1e-6)
        np.testing.assert_allclose(stateful.states[0].numpy(),
                                   whole[:, -1].numpy(), atol=1e-6)
        stateful.reset_state()
        assert float(stateful.states[0].abs().sum()) == 0.0
        np.testing.assert_allclose(stateful(x[:, :T]).numpy(),
                                   first.numpy(), atol=1e-6)
        with pytest.raises(ValueError, match="stateful with batch size 3"):
            stateful(x[:2, :T])


def test_stateful_lstm_reset_states_with_values_and_no_gradient_leak():
    layer = layers.LSTM(U, stateful=True)
    x = _x()
    layer(x).sum().backward()
    assert all(not s.requires_grad for s in layer.states)
    h0 = np.full((B, U), 0.5, "float32")
    layer.reset_states([h0, np.zeros((B, U), "float32")])
    with torch.no_grad():
        got = layer(x)
        want = layers.LSTM(U)
        want(x)
        want.set_weights(layer.get_weights())
        expected = want(x, initial_state=[torch.from_numpy(h0),
                                          torch.zeros(B, U)])
    np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-6)


def test_initial_state_in_a_functional_model():
    seq = keras.Input((T, F))
    h0 = keras.Input((U,))
    c0 = keras.Input((U,))
    out, h, c = layers.LSTM(U, return_state=True)(seq,
                                                  initial_state=[h0, c0])
    assert out.shape == (None, U) and c.shape == (None, U)
    model = keras.Model([seq, h0, c0], [out, h, c])
    init = [torch.randn(B, U), torch.randn(B, U)]
    got = model([_x()] + init)
    layer = model.layers[-1]
    outputs, states = run_rnn(make_step("lstm", layer.get_weights()),
                              _x().numpy(), [s.numpy() for s in init])
    np.testing.assert_allclose(got[0].detach().numpy(), outputs[:, -1],
                               atol=1e-5)
    np.testing.assert_allclose(got[2].detach().numpy(), states[1],
                               atol=1e-5)
    with pytest.raises(ValueError, match="initial_state"):
        layers.LSTM(U)(_x(), initial_state=[torch.zeros(B, U)])


# ----------------------------------------------------------------------
# Dropout.


def test_input_dropout_mask_is_the_same_at_every_step():
    layer = layers.SimpleRNN(F, activation="linear", dropout=0.5,
                             return_sequences=True, use_bias=False)
    x = torch.ones(8, T, F)
    layer(x)
    layer.set_weights([np.eye(F, dtype="float32"),
                       np.zeros((F, F), "float32")])
    out = layer(x, training=True)
    assert set(torch.unique(out).tolist()) <= {0.0, 2.0}
    assert torch.equal(out, out[:, :1].expand_as(out))
    assert not torch.equal(out, layer(x, training=True))
    assert torch.equal(layer(x), x)  # inference: no dropout


@pytest.mark.parametrize("cls", [layers.GRU, layers.LSTM, layers.SimpleRNN])
def test_dropout_and_recurrent_dropout_train(cls):
    layer = cls(U, dropout=0.3, recurrent_dropout=0.3)
    x = _x()
    first = layer(x, training=True)
    assert not torch.equal(first, layer(x, training=True))
    assert torch.equal(layer(x), layer(x))
    first.sum().backward()
    assert all(torch.isfinite(w.grad).all() for w in layer.trainable_weights)


# ----------------------------------------------------------------------
# Initializers, regularizers and constraints see Keras's layout.


def test_initializer_regularizer_constraint_use_keras_layout():
    keras_kernel = np.arange(F * 3 * U, dtype="float32").reshape(F, 3 * U)
    layer = layers.GRU(
        U,
        kernel_initializer=lambda shape, dtype=None: torch.as_tensor(
            keras_kernel).reshape(shape),
        kernel_regularizer=lambda k: k[:, :U].sum(),  # Keras's z gate
        recurrent_constraint=keras.constraints.MaxNorm(1.0, axis=0))
    layer(_x())
    kernel, recurrent, _ = layer.get_weights()
    np.testing.assert_array_equal(kernel, keras_kernel)
    (penalty,) = layer.losses
    assert float(penalty.detach()) == pytest.approx(keras_kernel[:, :U].sum())
    weight = layer.cell.recurrent_kernel
    with torch.no_grad():
        weight.mul_(10.0)
        weight.copy_(weight._keras_constraint(weight))
    recurrent = layer.get_weights()[1]
    norms = np.sqrt((recurrent ** 2).sum(0))  # per Keras column
    np.testing.assert_allclose(norms, np.ones(3 * U), atol=1e-5)


def test_unit_forget_bias_false_and_bias_initializer():
    layer = layers.LSTM(2, unit_forget_bias=False, bias_initializer="ones")
    layer(torch.zeros(1, 2, 3))
    np.testing.assert_array_equal(layer.get_weights()[2], np.ones(8))


# ----------------------------------------------------------------------
# Custom and stacked cells.


class MinimalRNNCell(layers.Layer):
    """The cell of Keras's RNN docstring."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), initializer="uniform",
            name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_cell_matches_numpy_with_mask_and_go_backwards():
    layer = layers.RNN(MinimalRNNCell(U), return_sequences=True,
                       return_state=True, go_backwards=True)
    x = _x()
    holes = np.array([[1, 0, 1, 1, 0, 1]] * B, bool)
    with torch.no_grad():
        out, state = layer(x, mask=torch.from_numpy(holes))
    k, r = [w.astype(np.float64) for w in layer.get_weights()]

    def step(x_t, states):
        y = x_t @ k + states[0] @ r
        return y, [y]

    outputs, states = run_rnn(step, x.numpy(), [np.zeros((B, U))], holes,
                              go_backwards=True)
    np.testing.assert_allclose(out.numpy(), outputs, atol=1e-5)
    np.testing.assert_allclose(state.numpy(), states[0], atol=1e-5)
    run_layer_test(layers.RNN, {"cell": MinimalRNNCell(U)},
                   input_shape=(2, 5, 4), expected_output_shape=(2, U),
                   custom_objects={"MinimalRNNCell": MinimalRNNCell})


def test_stacked_cells_match_numpy_composition():
    cells = [layers.GRUCell(5), layers.LSTMCell(U)]
    layer = layers.RNN(cells, return_sequences=True, return_state=True)
    assert isinstance(layer.cell, layers.StackedRNNCells)
    x = _x()
    with torch.no_grad():
        out = layer(x)
    weights = layer.get_weights()
    gru_step = make_step("gru", weights[:3])
    lstm_step = make_step("lstm", weights[3:])

    def step(x_t, states):
        y, (h1,) = gru_step(x_t, [states[0]])
        y, (h2, c2) = lstm_step(y, states[1:])
        return y, [h1, h2, c2]

    outputs, states = run_rnn(step, x.numpy(),
                              [np.zeros((B, 5)), np.zeros((B, U)),
                               np.zeros((B, U))])
    np.testing.assert_allclose(out[0].numpy(), outputs, atol=1e-5)
    assert len(out) == 4  # [output, gru h, lstm h, lstm c], flattened
    for got, want in zip(out[1:], states):
        np.testing.assert_allclose(got.numpy(), want, atol=1e-5)
    symbolic = layers.RNN([layers.GRUCell(5), layers.LSTMCell(U)],
                          return_state=True)(keras.Input((T, F)))
    assert [t.shape for t in symbolic] == [(None, U), (None, 5), (None, U),
                                           (None, U)]


def test_cell_call_api_single_step():
    cell = layers.GRUCell(U)
    x = _x()[:, 0]
    h = torch.randn(B, U)
    out, new = cell(x, [h])
    assert isinstance(new, list) and torch.equal(out, new[0])
    out2, new2 = cell(x, h)  # an unnested state comes back unnested
    assert torch.is_tensor(new2)
    k, r, b = cell.get_weights()
    z = sigmoid(x.numpy() @ k[:, :U] + b[0, :U] + h.numpy() @ r[:, :U]
                + b[1, :U])
    rr = sigmoid(x.numpy() @ k[:, U:2 * U] + b[0, U:2 * U]
                 + h.numpy() @ r[:, U:2 * U] + b[1, U:2 * U])
    hh = np.tanh(x.numpy() @ k[:, 2 * U:] + b[0, 2 * U:]
                 + rr * (h.numpy() @ r[:, 2 * U:] + b[1, 2 * U:]))
    np.testing.assert_allclose(out.detach().numpy(),
                               z * h.numpy() + (1 - z) * hh, atol=1e-5)


# ----------------------------------------------------------------------
# Shapes, config and errors.


def test_symbolic_shapes_and_unknown_time():
    inputs = keras.Input((None, F))
    seq, state = layers.GRU(U, return_sequences=True,
                            return_state=True)(inputs)
    assert seq.shape == (None, None, U) and state.shape == (None, U)
    model = keras.Model(inputs, [seq, state])
    out = model(_x(shape=(2, 7, F)))
    assert tuple(out[0].shape) == (2, 7, U)


def test_time_major_layout():
    layer = layers.GRU(U, return_sequences=True, time_major=True)
    x = _x()
    with torch.no_grad():
        got = layer(x.transpose(0, 1))
        ref = layers.GRU(U, return_sequences=True)
        ref(x)
        ref.set_weights(layer.get_weights())
        np.testing.assert_allclose(got.transpose(0, 1).numpy(),
                                   ref(x).numpy(), atol=1e-6)
    assert layer.get_config()["time_major"] is True


def test_config_has_keras_keys_and_reads_tf_keras_configs():
    config = layers.LSTM(4, return_sequences=True).get_config()
    for key in ("units", "activation", "recurrent_activation",
                "unit_forget_bias", "return_sequences", "go_backwards",
                "stateful", "unroll", "zero_output_for_mask", "dropout",
                "recurrent_dropout", "seed", "kernel_initializer"):
        assert key in config
    assert "cell" not in config
    tf_keras = dict(config, time_major=False, implementation=2)
    del tf_keras["seed"], tf_keras["zero_output_for_mask"]
    layer = layers.LSTM.from_config(tf_keras)
    assert layer.units == 4 and layer.return_sequences


@pytest.mark.parametrize("make, message", [
    (lambda: layers.GRU(0), "units=0"),
    (lambda: layers.GRU(3, use_cudnn="yes"), "use_cudnn=yes"),
    (lambda: layers.RNN(object()), "`call` method"),
])
def test_bad_arguments_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rank_two_input_raises():
    with pytest.raises(ValueError, match="expected ndim=3"):
        layers.LSTM(3)(keras.Input((4,)))
