"""ConvLSTM1D/2D/3D against references.

- A NumPy re-implementation of the recurrence (hand-written correlation
  with TF's 'same' placement, float64) on random weights, for every rank,
  padding, strides, dilation, masks, initial states, go_backwards and the
  return modes.
- Real Keras 3 (``TORCHKERAS_KERAS_PYTHON``, jax backend) in a subprocess:
  the same layers with the same weights give the same outputs within
  1e-5 and the same config keys; a ``.keras`` file it writes with
  ConvLSTM2D loads here and predicts the same; one we write loads there.
- ``run_layer_test`` (config round trip, symbolic shapes, training step,
  weights round trip), stateful runs, dropout, and a next-frame toy that
  learns.
"""

import doctest
import importlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.layers.rnn.conv_lstm import ConvLSTMCell
from torchkeras.testing import run_layer_test

CLASSES = {1: layers.ConvLSTM1D, 2: layers.ConvLSTM2D, 3: layers.ConvLSTM3D}
SPATIAL = {1: (9,), 2: (7, 6), 3: (5, 4, 5)}


# ----------------------------------------------------------------------
# The NumPy reference.


def np_conv(x, w, strides, padding, dilation):
    """Cross-correlation of channels-last ``x`` (N, *S, C) with ``w``
    (*k, C, O), TF's 'same' placement (extra pixel after)."""
    rank = w.ndim - 2
    ksize = w.shape[:rank]
    if padding == "same":
        pads = []
        for n, k, s, d in zip(x.shape[1:-1], ksize, strides, dilation):
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out_sp = [(n - ((k - 1) * d + 1)) // s + 1 for n, k, s, d in
              zip(x.shape[1:-1], ksize, strides, dilation)]
    y = np.zeros((x.shape[0], *out_sp, w.shape[-1]))
    for idx in np.ndindex(*ksize):
        window = tuple(slice(i * d, i * d + (o - 1) * s + 1, s) for
                       i, d, o, s in zip(idx, dilation, out_sp, strides))
        y += x[(slice(None),) + window] @ w[idx]
    return y


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_conv_lstm(x, kernel, recurrent_kernel, bias, strides, padding,
                 dilation, mask=None, initial=None, go_backwards=False):
    """Returns (outputs in processing order (B, T, ...), h, c)."""
    rank = kernel.ndim - 2
    x = x.astype(np.float64)
    steps = x.shape[1]
    probe = np_conv(x[:, 0], kernel, strides, padding, dilation)
    state_shape = probe.shape[:-1] + (kernel.shape[-1] // 4,)
    h = np.zeros(state_shape) if initial is None else initial[0]
    c = np.zeros(state_shape) if initial is None else initial[1]
    previous = np.zeros(state_shape)
    outputs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        z = (np_conv(x[:, t], kernel, strides, padding, dilation) + bias
             + np_conv(h, recurrent_kernel, (1,) * rank, "same",
                       (1,) * rank))
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        new_c = _sigmoid(z_f) * c + _sigmoid(z_i) * np.tanh(z_c)
        new_h = _sigmoid(z_o) * np.tanh(new_c)
        out = new_h
        if mask is not None:
            keep = mask[:, t].reshape((-1,) + (1,) * (rank + 1))
            new_h = np.where(keep, new_h, h)
            new_c = np.where(keep, new_c, c)
            out = np.where(keep, new_h, previous)
        h, c, previous = new_h, new_c, out
        outputs.append(out)
    return np.stack(outputs, 1), h, c


def random_weights(rank, kernel_size, channels, filters, seed=0):
    rng = np.random.RandomState(seed)
    k = (kernel_size,) * rank if isinstance(kernel_size, int) else (
        tuple(kernel_size))
    return [
        (rng.randn(*k, channels, 4 * filters) * 0.3).astype("float32"),
        (rng.randn(*k, filters, 4 * filters) * 0.3).astype("float32"),
        (rng.randn(4 * filters) * 0.3).astype("float32"),
    ]


REFERENCE_CASES = [
    # rank, kernel_size, kwargs
    (1, 3, dict(padding="same")),
    (1, 4, dict(padding="valid", strides=2)),
    (1, 2, dict(padding="same", dilation_rate=2)),
    (2, 3, dict(padding="same")),
    (2, 3, dict(padding="valid")),
    (2, (2, 3), dict(padding="same", strides=2)),
    (2, 2, dict(padding="same", dilation_rate=(2, 1))),
    (2, 3, dict(padding="valid", strides=(2, 1), go_backwards=True)),
    (3, 3, dict(padding="same")),
    (3, 2, dict(padding="valid", strides=2, go_backwards=True)),
]


def _case_id(case):
    rank, k, kw = case
    return f"{rank}d-k{k}-" + "-".join(f"{a}={b}" for a, b in kw.items())


@pytest.mark.parametrize("case", REFERENCE_CASES, ids=_case_id)
def test_matches_numpy_reference(case):
    rank, kernel_size, kwargs = case
    channels, filters, steps = 2, 3, 4
    x = np.random.RandomState(1).rand(2, steps, *SPATIAL[rank], channels)
    x = x.astype("float32")
    weights = random_weights(rank, kernel_size, channels, filters)
    layer = CLASSES[rank](filters, kernel_size, return_sequences=True,
                          return_state=True, **kwargs)
    layer(torch.from_numpy(x))
    layer.set_weights(weights)
    with torch.no_grad():
        out, h, c = layer(torch.from_numpy(x))
    geometry = layer.cell
    want_out, want_h, want_c = np_conv_lstm(
        x, *weights, geometry.strides, geometry.padding,
        geometry.dilation_rate, go_backwards=kwargs.get("go_backwards"))
    np.testing.assert_allclose(out.numpy(), want_out, atol=1e-5)
    np.testing.assert_allclose(h.numpy(), want_h, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), want_c, atol=1e-5)
    # return_sequences=False gives the last output.
    last = CLASSES[rank](filters, kernel_size, **kwargs)
    last(torch.from_numpy(x))
    last.set_weights(weights)
    with torch.no_grad():
        np.testing.assert_allclose(last(torch.from_numpy(x)).numpy(),
                                   want_out[:, -1], atol=1e-5)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("rank", [1, 2])
def test_mask_and_initial_state_match_reference(rank, go_backwards):
    channels, filters, steps = 2, 3, 5
    rng = np.random.RandomState(2)
    x = rng.rand(3, steps, *SPATIAL[rank], channels).astype("float32")
    # Left-, right- and middle-masked rows.
    mask = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 0, 1]],
                    dtype=bool)
    weights = random_weights(rank, 3, channels, filters, seed=3)
    state_shape = (3, *SPATIAL[rank], filters)
    initial = [rng.randn(*state_shape).astype("float32") for _ in "hc"]
    layer = CLASSES[rank](filters, 3, padding="same", return_sequences=True,
                          return_state=True, go_backwards=go_backwards)
    layer(torch.from_numpy(x))
    layer.set_weights(weights)
    with torch.no_grad():
        out, h, c = layer(torch.from_numpy(x), mask=torch.from_numpy(mask),
                          initial_state=[torch.from_numpy(s)
                                         for s in initial])
    reference_mask = mask[:, ::-1] if go_backwards else mask
    reference_x = x[:, ::-1] if go_backwards else x
    want_out, want_h, want_c = np_conv_lstm(
        reference_x, *weights, (1,) * rank, "same", (1,) * rank,
        mask=reference_mask, initial=[s.astype(np.float64)
                                      for s in initial])
    np.testing.assert_allclose(out.numpy(), want_out, atol=1e-5)
    np.testing.assert_allclose(h.numpy(), want_h, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), want_c, atol=1e-5)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_channels_first_is_channels_last_transposed(rank):
    x = np.random.RandomState(4).rand(2, 3, *SPATIAL[rank], 2)
    x = x.astype("float32")
    weights = random_weights(rank, 3, 2, 3, seed=5)
    outputs = {}
    for fmt in ("channels_last", "channels_first"):
        data = x if fmt == "channels_last" else np.moveaxis(x, -1, 2)
        layer = CLASSES[rank](3, 3, padding="same", strides=2,
                              data_format=fmt, return_sequences=True,
                              return_state=True)
        layer(torch.from_numpy(data))
        layer.set_weights(weights)
        with torch.no_grad():
            outputs[fmt] = [t.numpy() for t in layer(torch.from_numpy(data))]
    last, first = outputs["channels_last"], outputs["channels_first"]
    np.testing.assert_allclose(np.moveaxis(first[0], 2, -1), last[0],
                               atol=1e-6)
    for a, b in zip(first[1:], last[1:]):
        np.testing.assert_allclose(np.moveaxis(a, 1, -1), b, atol=1e-6)


def test_cell_step_matches_reference():
    cell = ConvLSTMCell(rank=2, filters=3, kernel_size=3, padding="same")
    x = np.random.RandomState(6).rand(2, 6, 5, 2).astype("float32")
    states = [np.random.RandomState(s).randn(2, 6, 5, 3).astype("float32")
              for s in (7, 8)]
    cell.build(x.shape)
    weights = random_weights(2, 3, 2, 3, seed=9)
    cell.set_weights(weights)
    with torch.no_grad():
        h, (h2, c) = cell(torch.from_numpy(x),
                          [torch.from_numpy(s) for s in states])
    _, want_h, want_c = np_conv_lstm(
        x[:, None], *weights, (1, 1), "same", (1, 1),
        initial=[s.astype(np.float64) for s in states])
    np.testing.assert_allclose(h.numpy(), want_h, atol=1e-5)
    np.testing.assert_allclose(h2.numpy(), want_h, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), want_c, atol=1e-5)


def test_input_convolution_runs_once_for_all_steps(monkeypatch):
    # Fused: one batched input convolution, then one recurrent
    # convolution per step.
    import torch.nn.functional as F

    from torchkeras.layers.convolutional import conv_utils

    calls = []
    real = F.conv2d

    def counting(x, w, *args, **kwargs):
        calls.append(tuple(x.shape))
        return real(x, w, *args, **kwargs)

    monkeypatch.setitem(conv_utils.CONV_FUNCTIONS, 2, counting)
    layer = layers.ConvLSTM2D(4, 3, padding="same")
    layer(torch.ones((2, 6, 5, 5, 3)))
    assert len(calls) == 1 + 6
    assert calls[0] == (12, 3, 5, 5)  # batch * timesteps, channels first
    assert all(shape == (2, 4, 5, 5) for shape in calls[1:])


def test_softmax_activation_acts_over_channels():
    # An activation that is not elementwise sees Keras's layout (softmax
    # over the last, channel, axis), as in Keras.
    x = np.random.RandomState(10).rand(2, 3, 5, 4, 2).astype("float32")
    weights = random_weights(2, 3, 2, 3, seed=11)
    layer = layers.ConvLSTM2D(3, 3, padding="same", activation="softmax",
                              return_state=True)
    layer(torch.from_numpy(x))
    layer.set_weights(weights)
    with torch.no_grad():
        _, h, c = layer(torch.from_numpy(x))
    h_ref = np.zeros((2, 5, 4, 3))
    c_ref = np.zeros((2, 5, 4, 3))

    def softmax(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    for t in range(3):
        z = (np_conv(x[:, t].astype(np.float64), weights[0], (1, 1), "same",
                     (1, 1)) + weights[2]
             + np_conv(h_ref, weights[1], (1, 1), "same", (1, 1)))
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        c_ref = _sigmoid(z_f) * c_ref + _sigmoid(z_i) * softmax(z_c)
        h_ref = _sigmoid(z_o) * softmax(c_ref)
    np.testing.assert_allclose(h.numpy(), h_ref, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), c_ref, atol=1e-5)


# ----------------------------------------------------------------------
# Layer behaviour.


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_run_layer_test(rank):
    run_layer_test(
        CLASSES[rank],
        {"filters": 3, "kernel_size": 2, "padding": "same",
         "return_sequences": True},
        input_shape=(2, 3, *SPATIAL[rank], 2),
        expected_output_shape=(2, 3, *SPATIAL[rank], 3),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        supports_masking=True)


def test_run_layer_test_with_dropout_and_state():
    run_layer_test(
        layers.ConvLSTM2D,
        {"filters": 2, "kernel_size": 3, "strides": 2, "dropout": 0.5,
         "recurrent_dropout": 0.5, "return_state": True, "seed": 1},
        input_shape=(2, 3, 7, 7, 2),
        expected_output_shape=[(2, 3, 3, 2)] * 3,
        stochastic=True)


def test_weights_in_keras_layout_and_forget_bias():
    layer = layers.ConvLSTM2D(5, (3, 2))
    layer.build((None, 4, 8, 8, 3))
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 3, 20)
    assert recurrent.shape == (3, 2, 5, 20)
    np.testing.assert_array_equal(bias, [0] * 5 + [1] * 5 + [0] * 10)
    assert [w.path for w in layer.weights] == [
        "conv_lstm_cell/kernel", "conv_lstm_cell/recurrent_kernel",
        "conv_lstm_cell/bias"]
    no_forget = layers.ConvLSTM2D(5, 3, unit_forget_bias=False,
                                  use_bias=False)
    no_forget.build((None, 4, 8, 8, 3))
    assert len(no_forget.weights) == 2


def test_config_round_trip_and_symbolic_shapes():
    layer = layers.ConvLSTM3D(
        4, (3, 2, 2), strides=(1, 2, 1), padding="valid",
        recurrent_activation="hard_sigmoid", kernel_regularizer="l2",
        return_sequences=True, return_state=True, go_backwards=True)
    config = layer.get_config()
    assert "rank" not in config and "cell" not in config
    clone = layers.ConvLSTM3D.from_config(config)
    assert clone.get_config() == config
    inputs = keras.Input((5, 6, 6, 6, 2))
    out, h, c = clone(inputs)
    assert tuple(out.shape) == (None, 5, 4, 3, 5, 4)
    assert tuple(h.shape) == tuple(c.shape) == (None, 4, 3, 5, 4)
    restored = layers.deserialize(layers.serialize(layer))
    assert type(restored) is layers.ConvLSTM3D


def test_stateful_continues_from_last_state():
    x = torch.from_numpy(
        np.random.RandomState(12).rand(2, 6, 5, 5, 2).astype("float32"))
    whole = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True)
    whole(x)
    stateful = layers.ConvLSTM2D(3, 3, padding="same",
                                 return_sequences=True, stateful=True)
    stateful(x[:, :1])
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()
    with torch.no_grad():
        first = stateful(x[:, :3])
        second = stateful(x[:, 3:])
        expected = whole(x)
    np.testing.assert_allclose(torch.cat([first, second], 1).numpy(),
                               expected.numpy(), atol=1e-6)
    stateful.reset_states()
    with torch.no_grad():
        np.testing.assert_allclose(stateful(x[:, :3]).numpy(),
                                   first.numpy(), atol=1e-6)


def test_dropout_only_in_training():
    x = torch.rand((2, 4, 6, 6, 2))
    layer = layers.ConvLSTM2D(3, 3, padding="same", dropout=0.4,
                              recurrent_dropout=0.4)
    plain = layers.ConvLSTM2D(3, 3, padding="same")
    layer(x)
    plain(x)
    plain.set_weights(layer.get_weights())
    with torch.no_grad():
        np.testing.assert_allclose(layer(x).numpy(), plain(x).numpy(),
                                   atol=1e-6)
        a, b = layer(x, training=True), layer(x, training=True)
    assert not torch.allclose(a, b)
    assert not torch.allclose(a, plain(x))
    assert torch.isfinite(a).all()


def test_invalid_arguments_and_shapes():
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="filters"):
        layers.ConvLSTM2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="expected ndim=5, found ndim=4"):
        layers.ConvLSTM2D(2, 3)(torch.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="static input shapes"):
        layers.ConvLSTM2D(2, 3)(keras.Input((3, None, 4, 1)))


def test_next_frame_toy_learns():
    # Bright squares moving one pixel right per frame; predict the next
    # frame of every frame.
    rng = np.random.RandomState(0)
    frames = np.zeros((32, 6, 8, 8, 1), dtype="float32")
    for n in range(32):
        row, col = rng.randint(0, 6), rng.randint(0, 3)
        for t in range(6):
            frames[n, t, row:row + 2, col + t // 2:col + t // 2 + 2] = 1.0
    x, y = frames[:, :-1], frames[:, 1:]
    inputs = keras.Input((5, 8, 8, 1))
    hidden = layers.ConvLSTM2D(8, 3, padding="same",
                               return_sequences=True)(inputs)
    outputs = layers.Conv3D(1, 3, padding="same",
                            activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss="binary_crossentropy")
    history = model.fit(x, y, epochs=6, batch_size=8, verbose=0)
    losses = history.history["loss"]
    # 0.234 is the cross-entropy of the best constant prediction (the
    # squares cover 1/16 of the pixels): below it, the model predicts
    # where the squares are.
    assert losses[-1] < 0.2 < losses[0], losses


@pytest.mark.parametrize("name", ["conv_lstm", "conv_lstm1d",
                                  "conv_lstm2d", "conv_lstm3d"])
def test_docstring_examples(name):
    module = importlib.import_module(f"torchkeras.layers.rnn.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, name
    if name != "conv_lstm":
        assert result.attempted > 0, name


# ----------------------------------------------------------------------
# Real Keras 3.

ORACLE_CASES = [
    # rank, kernel_size, kwargs, initial_state. Keras 3 (jax) cannot run
    # ConvLSTM with a mask (its backend's ``where`` does not broadcast a
    # (batch, 1) mask against image states), so masks are checked against
    # the NumPy reference only.
    (2, 3, dict(padding="same", return_sequences=True, return_state=True),
     False),
    (2, 3, dict(padding="valid", strides=2, go_backwards=True), False),
    (2, 2, dict(padding="same", dilation_rate=2, return_sequences=True),
     False),
    (1, 3, dict(padding="same", go_backwards=True, return_sequences=True,
                return_state=True), False),
    (3, 2, dict(padding="valid", return_state=True), False),
    (2, 3, dict(padding="same", data_format="channels_first",
                activation="relu", recurrent_activation="hard_sigmoid",
                use_bias=False, return_sequences=True), True),
    (2, 3, dict(padding="same", activation="softmax", return_state=True),
     False),
]

_ORACLE_SCRIPT = r"""
import json, sys
import numpy as np
import keras

folder = sys.argv[1]
cases = json.load(open(folder + "/cases.json"))
data = np.load(folder + "/inputs.npz")
results = {}
for i, case in enumerate(cases):
    cls = getattr(keras.layers, "ConvLSTM%dD" % case["rank"])
    layer = cls(case["filters"], case["kernel_size"], **case["kwargs"])
    x = data["x%d" % i]
    layer.build(x.shape)
    n = len(layer.weights)
    layer.set_weights([data["w%d_%d" % (i, j)] for j in range(n)])
    kwargs = {}
    if case["initial"]:
        kwargs["initial_state"] = [data["s%d_0" % i], data["s%d_1" % i]]
    out = layer(x, **kwargs)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    for j, o in enumerate(out):
        results["o%d_%d" % (i, j)] = np.asarray(o)
    config = layer.get_config()
    results["c%d" % i] = np.array(json.dumps(
        {k: v.get("class_name") if isinstance(v, dict) else v
         for k, v in config.items()}))

# A small model with ConvLSTM2D for the .keras check.
inp = keras.Input((4, 6, 6, 2))
y = keras.layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True)(inp)
y = keras.layers.ConvLSTM2D(2, 2, strides=2)(y)
y = keras.layers.Flatten()(y)
y = keras.layers.Dense(1)(y)
model = keras.Model(inp, y)
xm = np.random.RandomState(0).rand(3, 4, 6, 6, 2).astype("float32")
model.save(folder + "/keras_model.keras")
results["model_x"] = xm
results["model_y"] = model.predict(xm, verbose=0)

# The model torchkeras saved (see ``_save_our_model``) loads here.
ours = keras.saving.load_model(folder + "/ours.keras")
results["ours_y"] = ours.predict(np.load(folder + "/ours_x.npy"), verbose=0)
np.savez(folder + "/outputs.npz", **results)
print("ok")
"""



def _keras_python():
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("set TORCHKERAS_KERAS_PYTHON to a Python with Keras 3 "
                    "to compare with real Keras")
    return python


def _run_keras(python, script, folder):
    path = folder / "script.py"
    path.write_text(script)
    # One XLA thread: the CPUs running the tests are shared.
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               XLA_FLAGS="--xla_cpu_multi_thread_eigen=false "
               "intra_op_parallelism_threads=1")
    result = subprocess.run([python, str(path), str(folder)],
                            capture_output=True, text=True, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def _oracle_inputs(index, case):
    rank, kernel_size, kwargs, initial = case
    rng = np.random.RandomState(100 + index)
    channels, filters, steps = 2, 3, 4
    shape = (2, steps, *SPATIAL[rank], channels)
    if kwargs.get("data_format") == "channels_first":
        shape = (2, steps, channels, *SPATIAL[rank])
    arrays = {f"x{index}": rng.rand(*shape).astype("float32")}
    weights = random_weights(rank, kernel_size, channels, filters,
                             seed=index)
    if not kwargs.get("use_bias", True):
        weights = weights[:2]
    for j, w in enumerate(weights):
        arrays[f"w{index}_{j}"] = w
    if initial:
        state = (2, *SPATIAL[rank], filters)
        if kwargs.get("data_format") == "channels_first":
            state = (2, filters, *SPATIAL[rank])
        for j in range(2):
            arrays[f"s{index}_{j}"] = rng.randn(*state).astype("float32")
    spec = dict(rank=rank, filters=filters, kernel_size=kernel_size,
                kwargs=kwargs, initial=initial)
    return spec, arrays


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    python = _keras_python()
    folder = tmp_path_factory.mktemp("conv_lstm_oracle")
    specs, arrays = [], {}
    for i, case in enumerate(ORACLE_CASES):
        spec, case_arrays = _oracle_inputs(i, case)
        specs.append(spec)
        arrays.update(case_arrays)
    (folder / "cases.json").write_text(json.dumps(specs))
    np.savez(folder / "inputs.npz", **arrays)
    ours_y = _save_our_model(folder)
    _run_keras(python, _ORACLE_SCRIPT, folder)
    results = dict(np.load(folder / "outputs.npz"))
    results["ours_expected"] = ours_y
    return folder, specs, arrays, results


def _save_our_model(folder):
    inputs = keras.Input((3, 5, 5, 2))
    y = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True)(
        inputs)
    y = layers.ConvLSTM2D(2, 2, go_backwards=True)(y)
    y = layers.Flatten()(y)
    model = keras.Model(inputs, layers.Dense(1)(y))
    x = np.random.RandomState(13).rand(2, 3, 5, 5, 2).astype("float32")
    model.save(str(folder / "ours.keras"))
    np.save(folder / "ours_x.npy", x)
    return model.predict(x, verbose=0)


@pytest.mark.parametrize("index", range(len(ORACLE_CASES)),
                         ids=[_case_id(c[:3]) + f"-initial_state={c[3]}"
                              for c in ORACLE_CASES])
def test_matches_keras(oracle, index):
    _, specs, arrays, results = oracle
    spec = specs[index]
    layer = CLASSES[spec["rank"]](spec["filters"], spec["kernel_size"],
                                  **spec["kwargs"])
    x = torch.from_numpy(arrays[f"x{index}"])
    layer(x)
    layer.set_weights([arrays[f"w{index}_{j}"]
                       for j in range(len(layer.weights))])
    kwargs = {}
    if spec["initial"]:
        kwargs["initial_state"] = [torch.from_numpy(arrays[f"s{index}_{j}"])
                                   for j in range(2)]
    with torch.no_grad():
        out = layer(x, **kwargs)
    out = out if isinstance(out, list) else [out]
    expected = [results[f"o{index}_{j}"] for j in range(len(out))]
    assert f"o{index}_{len(out)}" not in results
    for got, want in zip(out, expected):
        assert got.shape == want.shape
        np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-5)
    # Same config keys, and the same values for the plain ones.
    theirs = json.loads(str(results[f"c{index}"]))
    ours = layer.get_config()
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        if isinstance(mine, dict):
            assert mine["class_name"] == value, key
        elif key not in ("name", "dtype"):
            mine = list(mine) if isinstance(mine, tuple) else mine
            assert mine == value, key


def test_keras_file_with_conv_lstm2d_loads_and_predicts(oracle):
    folder, _, _, results = oracle
    model = keras.models.load_model(str(folder / "keras_model.keras"))
    np.testing.assert_allclose(
        model.predict(results["model_x"], verbose=0), results["model_y"],
        rtol=0, atol=1e-5)


def test_file_written_here_loads_in_keras(oracle):
    _, _, _, results = oracle
    np.testing.assert_allclose(results["ours_y"], results["ours_expected"],
                               rtol=0, atol=1e-5)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
