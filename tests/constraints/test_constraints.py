"""Constraints against NumPy re-implementations of Keras's projections."""

import numpy as np
import pytest
import torch

from torchkeras import constraints

EPS = 1e-7


def np_norms(w, axis):
    return np.sqrt(np.sum(w * w, axis=axis, keepdims=True))


def np_max_norm(w, max_value, axis):
    norms = np_norms(w, axis)
    return w * np.clip(norms, 0, max_value) / (EPS + norms)


def np_min_max_norm(w, min_value, max_value, rate, axis):
    norms = np_norms(w, axis)
    desired = rate * np.clip(norms, min_value, max_value) + (1 - rate) * norms
    return w * desired / (EPS + norms)


def test_projections_match_numpy():
    rng = np.random.default_rng(0)
    dense = rng.normal(size=(8, 5)) * 2
    conv = rng.normal(size=(3, 3, 4, 6))
    cases = [
        (constraints.MaxNorm(), dense, np_max_norm(dense, 2, 0)),
        (constraints.MaxNorm(1.5, axis=1), dense, np_max_norm(dense, 1.5, 1)),
        (constraints.MaxNorm(1.0, axis=[0, 1, 2]), conv,
         np_max_norm(conv, 1.0, (0, 1, 2))),
        (constraints.UnitNorm(), dense, dense / (EPS + np_norms(dense, 0))),
        (constraints.UnitNorm(axis=[0, 1, 2]), conv,
         conv / (EPS + np_norms(conv, (0, 1, 2)))),
        (constraints.NonNeg(), dense, np.where(dense >= 0, dense, 0.0)),
        (constraints.MinMaxNorm(), dense,
         np_min_max_norm(dense, 0.0, 1.0, 1.0, 0)),
        (constraints.MinMaxNorm(2.0, 3.0, rate=0.5, axis=1), dense,
         np_min_max_norm(dense, 2.0, 3.0, 0.5, 1)),
        (constraints.Constraint(), dense, dense),
    ]
    for constraint, w, expected in cases:
        out = constraint(torch.tensor(w))
        assert out.dtype == torch.float64, constraint
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12,
                                   err_msg=repr(constraint))


def test_projected_norms_land_in_range():
    w = torch.randn(10, 7, dtype=torch.float64) * 3
    norms = constraints.MaxNorm(1.25)(w).norm(dim=0)
    assert (norms <= 1.25 + 1e-9).all()
    norms = constraints.UnitNorm()(w).norm(dim=0)
    torch.testing.assert_close(norms, torch.ones(7, dtype=w.dtype))
    norms = constraints.MinMaxNorm(4.0, 5.0)(w * 0.1).norm(dim=0)
    assert ((norms >= 4.0 - 1e-6) & (norms <= 5.0 + 1e-6)).all()
    # A small weight is left alone by MaxNorm (up to epsilon).
    small = torch.full((4, 2), 0.1, dtype=torch.float64)
    torch.testing.assert_close(constraints.MaxNorm()(small), small)
    zeros = torch.zeros(3, 3)
    assert torch.equal(constraints.UnitNorm()(zeros), zeros)


def test_configs_round_trip():
    cases = [
        (constraints.MaxNorm(), {"max_value": 2, "axis": 0}),
        (constraints.UnitNorm(axis=[0, 1]), {"axis": [0, 1]}),
        (constraints.MinMaxNorm(), {"min_value": 0.0, "max_value": 1.0,
                                    "rate": 1.0, "axis": 0}),
        (constraints.NonNeg(), {}),
    ]
    for constraint, config in cases:
        assert constraint.get_config() == config
        serialized = constraints.serialize(constraint)
        assert serialized == {"class_name": type(constraint).__name__,
                              "config": config}
        clone = constraints.deserialize(serialized)
        assert type(clone) is type(constraint)
        assert clone.get_config() == config


def test_get():
    assert constraints.get(None) is None
    for name, cls in (
        ("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
        ("non_neg", constraints.NonNeg), ("unit_norm", constraints.UnitNorm),
        ("min_max_norm", constraints.MinMaxNorm),
        ("maxnorm", constraints.MaxNorm), ("nonneg", constraints.NonNeg),
        ("unitnorm", constraints.UnitNorm),
    ):
        assert type(constraints.get(name)) is cls, name
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.non_neg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    c = constraints.get({"class_name": "MaxNorm",
                         "config": {"max_value": 3, "axis": [0, 1, 2]}})
    assert c.get_config() == {"max_value": 3, "axis": [0, 1, 2]}
    assert isinstance(constraints.get(constraints.NonNeg),
                      constraints.NonNeg)
    instance = constraints.UnitNorm(axis=1)
    assert constraints.get(instance) is instance

    def custom(w):
        return w.clamp(-1, 1)

    assert constraints.get(custom) is custom
    with pytest.raises(ValueError, match="max_nrom"):
        constraints.get("max_nrom")
    with pytest.raises(ValueError, match="identifier=7"):
        constraints.get(7)
