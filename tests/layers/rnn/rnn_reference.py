"""NumPy implementations of Keras's recurrent cells and RNN loop.

Written from Keras's equations (``keras/src/layers/rnn/{gru,lstm,
simple_rnn}.py`` and the backend ``rnn`` masking rules), fed with a layer's
own ``get_weights()`` (Keras layouts, Keras gate orders), in float64.
Shared by the recurrent tests.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gru_step(x, states, kernel, recurrent, bias, reset_after=True):
    """Keras GRUCell: gates z, r, h in that order along the last axis."""
    h = states[0]
    u = h.shape[-1]
    if bias is None:
        bias = np.zeros((2, 3 * u)) if reset_after else np.zeros(3 * u)
    input_bias = bias[0] if reset_after else bias
    mx = x @ kernel + input_bias
    x_z, x_r, x_h = mx[:, :u], mx[:, u:2 * u], mx[:, 2 * u:]
    if reset_after:
        mh = h @ recurrent + bias[1]
        z = sigmoid(x_z + mh[:, :u])
        r = sigmoid(x_r + mh[:, u:2 * u])
        hh = np.tanh(x_h + r * mh[:, 2 * u:])
    else:
        z = sigmoid(x_z + h @ recurrent[:, :u])
        r = sigmoid(x_r + h @ recurrent[:, u:2 * u])
        hh = np.tanh(x_h + (r * h) @ recurrent[:, 2 * u:])
    new_h = z * h + (1 - z) * hh
    return new_h, [new_h]


def lstm_step(x, states, kernel, recurrent, bias):
    """Keras LSTMCell: gates i, f, c, o."""
    h, c = states
    u = h.shape[-1]
    z = x @ kernel + h @ recurrent + (0 if bias is None else bias)
    i = sigmoid(z[:, :u])
    f = sigmoid(z[:, u:2 * u])
    new_c = f * c + i * np.tanh(z[:, 2 * u:3 * u])
    o = sigmoid(z[:, 3 * u:])
    new_h = o * np.tanh(new_c)
    return new_h, [new_h, new_c]


def simple_step(x, states, kernel, recurrent, bias):
    """Keras SimpleRNNCell with tanh."""
    out = np.tanh(x @ kernel + (0 if bias is None else bias)
                  + states[0] @ recurrent)
    return out, [out]


def make_step(kind, weights):
    """The NumPy step of ``kind`` with Keras-layout ``weights``."""
    weights = [np.asarray(w, dtype=np.float64) for w in weights]
    kernel, recurrent = weights[0], weights[1]
    bias = weights[2] if len(weights) > 2 else None
    if kind == "gru":
        return lambda x, s: gru_step(x, s, kernel, recurrent, bias, True)
    if kind == "gru_before":
        return lambda x, s: gru_step(x, s, kernel, recurrent, bias, False)
    if kind == "lstm":
        return lambda x, s: lstm_step(x, s, kernel, recurrent, bias)
    return lambda x, s: simple_step(x, s, kernel, recurrent, bias)


def run_rnn(step, x, states, mask=None, go_backwards=False,
            zero_output_for_mask=False):
    """Keras's RNN loop: returns (outputs in processing order, states).

    At a masked step the states keep their values and the output is the
    previous output (zeros before the first step), or zeros with
    ``zero_output_for_mask``.
    """
    x = np.asarray(x, dtype=np.float64)
    states = [np.asarray(s, dtype=np.float64) for s in states]
    steps = list(range(x.shape[1]))
    if go_backwards:
        steps = steps[::-1]
    outputs = []
    previous = None
    for t in steps:
        out, new_states = step(x[:, t], states)
        if mask is not None:
            keep = np.asarray(mask)[:, t][:, None]
            new_states = [np.where(keep, n, s)
                          for n, s in zip(new_states, states)]
            if previous is None or zero_output_for_mask:
                previous = np.zeros_like(out)
            out = np.where(keep, out, previous)
            previous = out
        states = new_states
        outputs.append(out)
    return np.stack(outputs, 1), states


def zero_states(kind, batch, units):
    n = 2 if kind == "lstm" else 1
    return [np.zeros((batch, units)) for _ in range(n)]
