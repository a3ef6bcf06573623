"""Random initializers: statistics against Keras's formulas, exact fans,
seeding and orthogonality."""

import math

import numpy as np
import pytest
import torch

from torchkeras import initializers
from torchkeras.initializers.random_initializers import compute_fans

# Keras: stddev of a unit normal truncated to [-2, 2].
TRUNC = 0.87962566103423978
# Kernel (kh, kw, in, out): fan_in = 3*3*64, fan_out = 3*3*128.
KERNEL = (3, 3, 64, 128)
FAN_IN, FAN_OUT = 576, 1152


def _stats(t):
    a = t.double().numpy()
    return a.mean(), a.std(), np.abs(a).max()


def test_compute_fans_follows_keras_layout():
    assert compute_fans(()) == (1, 1)
    assert compute_fans((7,)) == (7, 7)
    assert compute_fans((3, 5)) == (3, 5)
    assert compute_fans((4, 3, 5)) == (12, 20)
    assert compute_fans(KERNEL) == (FAN_IN, FAN_OUT)
    assert compute_fans((2, 3, 4, 5, 6)) == (120, 144)
    assert compute_fans(torch.Size([2, 6])) == (2, 6)


def test_random_normal_uniform_truncated_statistics():
    shape = (400, 500)
    mean, std, _ = _stats(initializers.RandomNormal(1.0, 2.0)(shape))
    assert abs(mean - 1.0) < 0.03 and abs(std / 2.0 - 1) < 0.02
    t = initializers.RandomUniform(-1.0, 3.0)(shape)
    assert t.min() >= -1.0 and t.max() < 3.0
    mean, std, _ = _stats(t)
    assert abs(mean - 1.0) < 0.02 and abs(std / (4 / math.sqrt(12)) - 1) < 0.02
    t = initializers.TruncatedNormal(mean=0.5, stddev=2.0)(shape)
    assert t.min() >= 0.5 - 4.0 and t.max() <= 0.5 + 4.0
    assert t.min() < 0.5 - 3.9 and t.max() > 0.5 + 3.9
    mean, std, _ = _stats(t)
    assert abs(mean - 0.5) < 0.03 and abs(std / (2.0 * TRUNC) - 1) < 0.02


def test_default_arguments_are_keras_defaults():
    shape = (300, 400)
    _, std, _ = _stats(initializers.RandomNormal()(shape))
    assert abs(std / 0.05 - 1) < 0.02
    t = initializers.RandomUniform()(shape)
    assert t.min() >= -0.05 and t.max() < 0.05
    _, std, peak = _stats(initializers.TruncatedNormal()(shape))
    assert peak <= 0.1 and abs(std / (0.05 * TRUNC) - 1) < 0.02


def test_variance_scaling_statistics():
    for mode, n in (("fan_in", FAN_IN), ("fan_out", FAN_OUT),
                    ("fan_avg", (FAN_IN + FAN_OUT) / 2)):
        _check_variance_scaling(mode, n, scale=1.7)


def _check_variance_scaling(mode, n, scale):
    target = math.sqrt(scale / n)
    init = initializers.VarianceScaling(scale, mode, "truncated_normal")
    _, std, peak = _stats(init(KERNEL))
    # Keras divides by the truncation's stddev: the result has `target`.
    assert abs(std / target - 1) < 0.02
    assert peak <= 2 * target / TRUNC + 1e-7
    init = initializers.VarianceScaling(scale, mode, "untruncated_normal")
    _, std, peak = _stats(init(KERNEL))
    assert abs(std / target - 1) < 0.02 and peak > 3 * target
    limit = math.sqrt(3 * scale / n)
    init = initializers.VarianceScaling(scale, mode, "uniform")
    _, std, peak = _stats(init(KERNEL))
    assert peak <= limit and peak > 0.99 * limit
    assert abs(std / (limit / math.sqrt(3)) - 1) < 0.02


def test_variance_scaling_uses_exact_fans():
    # Seeded draws equal torch's uniform_ with the hand-computed limit.
    shape = (5, 3, 7)  # fan_in = 15, fan_out = 35
    for mode, n in (("fan_in", 15), ("fan_out", 35), ("fan_avg", 25)):
        init = initializers.VarianceScaling(2.0, mode, "uniform", seed=11)
        limit = math.sqrt(3 * 2.0 / n)
        gen = torch.Generator().manual_seed(11)
        expected = torch.empty(shape).uniform_(-limit, limit, generator=gen)
        torch.testing.assert_close(init(shape), expected, rtol=0, atol=0)


def test_variance_scaling_small_fans_and_aliases():
    # max(1, fan): a scalar weight keeps `scale` unchanged.
    init = initializers.VarianceScaling(3.0, "fan_in", "uniform")
    assert init(()).abs() <= 3.0 and init(()).shape == ()
    assert initializers.VarianceScaling(distribution="normal").distribution \
        == "truncated_normal"
    for kwargs, match in (
        ({"scale": 0.0}, "scale"),
        ({"mode": "fan_sum"}, "mode"),
        ({"distribution": "gamma"}, "distribution"),
    ):
        with pytest.raises(ValueError, match=match):
            initializers.VarianceScaling(**kwargs)


PRESETS = [
    # class, expected bound or stddev from the Keras docstrings
    ("GlorotUniform", "limit", lambda fi, fo: math.sqrt(6 / (fi + fo))),
    ("GlorotNormal", "std", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    ("HeUniform", "limit", lambda fi, fo: math.sqrt(6 / fi)),
    ("HeNormal", "std", lambda fi, fo: math.sqrt(2 / fi)),
    ("LecunUniform", "limit", lambda fi, fo: math.sqrt(3 / fi)),
    ("LecunNormal", "std", lambda fi, fo: math.sqrt(1 / fi)),
]


def test_glorot_he_lecun_presets():
    shape = (256, 768)
    for name, kind, formula in PRESETS:
        t = getattr(initializers, name)(seed=3)(shape)
        _, std, peak = _stats(t)
        expected = formula(*shape)
        if kind == "limit":
            assert expected * 0.99 < peak <= expected, name
        else:
            assert abs(std / expected - 1) < 0.02, name
            assert peak <= 2 * expected / TRUNC + 1e-7, name


def test_seeded_initializers_repeat_and_unseeded_follow_global_rng():
    classes = [initializers.RandomNormal, initializers.RandomUniform,
               initializers.TruncatedNormal, initializers.GlorotUniform,
               initializers.HeNormal, initializers.Orthogonal]
    for cls in classes:
        seeded = cls(seed=42)
        a = seeded((6, 5))
        assert torch.equal(a, seeded((6, 5))), cls.__name__
        assert torch.equal(a, cls(seed=42)((6, 5))), cls.__name__
        assert not torch.equal(a, cls(seed=43)((6, 5))), cls.__name__
        unseeded = cls()
        torch.manual_seed(0)
        first, second = unseeded((6, 5)), unseeded((6, 5))
        assert not torch.equal(first, second), cls.__name__
        torch.manual_seed(0)
        assert torch.equal(unseeded((6, 5)), first), cls.__name__


def test_seeded_draws_do_not_touch_global_rng():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    initializers.GlorotUniform(seed=1)((10, 10))
    assert torch.equal(torch.rand(3), expected)


def test_dtypes():
    init = initializers.HeNormal(seed=0)
    assert init((4, 4)).dtype == torch.float32
    expected = {"float64": torch.float64, "float16": torch.float16,
                "bfloat16": torch.bfloat16, torch.float64: torch.float64}
    for dtype, torch_dtype in expected.items():
        out = init((4, 4), dtype=dtype)
        assert out.dtype == torch_dtype and out.device.type == "cpu"
    for cls in (initializers.RandomNormal, initializers.Orthogonal):
        with pytest.raises(ValueError, match="floating point"):
            cls()((2, 2), dtype="int32")


def test_bad_seed_and_shape():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")
    with pytest.raises(ValueError, match="seed"):
        initializers.GlorotUniform(seed=1.5)
    with pytest.raises(ValueError, match="shape"):
        initializers.RandomNormal()((None, 3))


def test_orthogonal():
    for shape, flat in (((6, 4), (6, 4)), ((4, 6), (4, 6)),
                        ((3, 4, 5), (12, 5)), ((2, 2, 3, 8), (12, 8))):
        q = initializers.Orthogonal(gain=2.0, seed=1)(shape, "float64")
        assert q.shape == shape
        m = q.reshape(flat).numpy()
        small = min(flat)
        gram = m.T @ m if flat[0] >= flat[1] else m @ m.T
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-10)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((5,))


def test_orthogonal_is_the_signed_q_of_a_seeded_normal():
    # Keras: q of qr(normal draw), columns multiplied by sign(diag(r)).
    q = initializers.Orthogonal(seed=9)((5, 3), "float64").numpy()
    gen = torch.Generator().manual_seed(9)
    a = torch.empty(5, 3, dtype=torch.float64).normal_(generator=gen)
    ref_q, ref_r = np.linalg.qr(a.numpy())
    np.testing.assert_allclose(q, ref_q * np.sign(np.diag(ref_r)),
                               atol=1e-12)


def test_configs_round_trip_with_keras_keys():
    cases = [
        (initializers.RandomNormal(), {"seed": None, "mean": 0.0,
                                       "stddev": 0.05}),
        (initializers.RandomUniform(seed=2), {"seed": 2, "minval": -0.05,
                                              "maxval": 0.05}),
        (initializers.TruncatedNormal(), {"seed": None, "mean": 0.0,
                                          "stddev": 0.05}),
        (initializers.VarianceScaling(), {
            "seed": None, "scale": 1.0, "mode": "fan_in",
            "distribution": "truncated_normal"}),
        (initializers.GlorotUniform(seed=7), {"seed": 7}),
        (initializers.HeNormal(), {"seed": None}),
        (initializers.LecunUniform(), {"seed": None}),
        (initializers.Orthogonal(gain=0.5), {"seed": None, "gain": 0.5}),
    ]
    for init, config in cases:
        assert init.get_config() == config, type(init).__name__
        clone = type(init).from_config(init.get_config())
        assert clone.get_config() == config
    seeded = initializers.GlorotNormal(seed=4)
    assert torch.equal(seeded.clone()((3, 3)), seeded((3, 3)))
