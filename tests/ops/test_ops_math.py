"""Tests for ``torchkeras/ops/math.py`` against NumPy and SciPy."""

import numpy as np
import pytest
import scipy.special
import torch

import torchkeras as keras
from torchkeras import ops

RNG = np.random.default_rng(0)


def test_segment_reductions_match_numpy_loops():
    data = RNG.normal(size=(7, 2)).astype("float32")
    ids = np.array([0, 2, 2, -1, 1, 2, 5])  # -1 and 5 fall outside [0, 4)
    for op, fn, empty in [(ops.segment_sum, np.sum, 0.0),
                          (ops.segment_max, np.max, -np.inf),
                          (ops.segment_min, np.min, np.inf),
                          (ops.segment_prod, np.prod, 1.0)]:
        expected = np.stack([
            fn(data[ids == s], axis=0) if (ids == s).any()
            else np.full(2, empty) for s in range(4)])
        result = op(data, ids, num_segments=4)
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    assert ops.segment_sum(data, np.array([0, 0, 1, 1, 2, 2, 2])).shape == (
        3, 2)


def test_top_k_in_top_k_logsumexp():
    x = RNG.normal(size=(4, 9)).astype("float32")
    values, indices = ops.top_k(x, 3)
    order = np.argsort(-x, axis=-1)[:, :3]
    np.testing.assert_array_equal(indices.numpy(), order)
    assert indices.dtype == torch.int32
    np.testing.assert_array_equal(values.numpy(),
                                  np.take_along_axis(x, order, -1))
    targets = np.array([0, 3, 5, 8])
    rank = (x > x[np.arange(4), targets][:, None]).sum(-1)
    np.testing.assert_array_equal(ops.in_top_k(targets, x, 2).numpy(),
                                  rank < 2)
    np.testing.assert_allclose(ops.logsumexp(x, axis=1).numpy(),
                               scipy.special.logsumexp(x, axis=1), rtol=1e-6)
    np.testing.assert_allclose(ops.logsumexp(x, keepdims=True).numpy(),
                               scipy.special.logsumexp(x, keepdims=True),
                               rtol=1e-6)


def test_special_functions_match_scipy():
    x = np.linspace(-0.99, 0.99, 21)
    for op, ref in [(ops.erf, scipy.special.erf),
                    (ops.erfc, scipy.special.erfc),
                    (ops.erfinv, scipy.special.erfinv),
                    (ops.rsqrt, lambda v: 1 / np.sqrt(v + 2))]:
        arg = x + 2 if op is ops.rsqrt else x
        np.testing.assert_allclose(op(arg).numpy(), ref(x), rtol=1e-6)
    assert ops.erf(np.array([1, 2])).dtype == torch.float32
    a = RNG.normal(size=(3, 2))
    b = RNG.normal(size=(4, 2))
    np.testing.assert_allclose(
        ops.cdist(a, b).numpy(),
        np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)), rtol=1e-6)
    spd = a.T @ a + np.eye(2)
    np.testing.assert_allclose(ops.logdet(spd).numpy(),
                               np.log(np.linalg.det(spd)), rtol=1e-6)


def test_fft_family_matches_numpy():
    real = RNG.normal(size=(2, 8))
    imag = RNG.normal(size=(2, 8))
    z = real + 1j * imag
    for op, ref in [(ops.fft, np.fft.fft), (ops.fft2, np.fft.fft2),
                    (ops.ifft2, np.fft.ifft2)]:
        re, im = op((real, imag))
        np.testing.assert_allclose(re.numpy() + 1j * im.numpy(), ref(z),
                                   rtol=1e-6, atol=1e-9)
    re, im = ops.rfft(real, 12)
    np.testing.assert_allclose(re.numpy() + 1j * im.numpy(),
                               np.fft.rfft(real, 12), atol=1e-9)
    np.testing.assert_allclose(ops.irfft((re, im), 12).numpy(),
                               np.fft.irfft(np.fft.rfft(real, 12), 12),
                               atol=1e-9)
    with pytest.raises(ValueError, match="real, imag"):
        ops.fft(real)


def test_stft_frames_and_istft_round_trip():
    signal = RNG.normal(size=(2, 40))
    frames = ops.extract_sequences(signal, 8, 3).numpy()
    expected = np.stack([signal[:, i:i + 8] for i in range(0, 33, 3)], 1)
    np.testing.assert_array_equal(frames, expected)
    window = np.hanning(9)[:8]  # periodic Hann
    re, im = ops.stft(signal, 8, 4, 8, center=False)
    manual = np.fft.rfft(
        np.stack([signal[:, i:i + 8] * window for i in range(0, 33, 4)], 1),
        8)
    np.testing.assert_allclose(re.numpy() + 1j * im.numpy(), manual,
                               atol=1e-9)
    re, im = ops.stft(signal, 8, 2, 8)
    back = ops.istft((re, im), 8, 2, 8, length=40)
    np.testing.assert_allclose(back.numpy(), signal, atol=1e-9)


def test_math_ops_in_functional_models():
    inputs = keras.Input((6,))
    values, indices = ops.top_k(inputs, 2)
    assert values.shape == (None, 2) and indices.dtype == "int32"
    out = ops.logsumexp(values, axis=-1, keepdims=True) + ops.erf(values)
    model = keras.Model(inputs, out)
    x = RNG.normal(size=(3, 6)).astype("float32")
    top = np.sort(x, -1)[:, ::-1][:, :2]
    expected = scipy.special.logsumexp(top, -1, keepdims=True) + (
        scipy.special.erf(top))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected,
                               rtol=1e-5)
    frames = ops.extract_sequences(keras.Input((20,)), 5, 5)
    assert frames.shape == (None, 4, 5)
