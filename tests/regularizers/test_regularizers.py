"""Regularizers against NumPy re-implementations of Keras's penalties."""

import math

import numpy as np
import pytest
import torch

from torchkeras import regularizers

EPS = 1e-7


def np_orthogonal(w, factor, mode):
    if mode == "columns":
        w = w.T
    norms = np.sqrt(np.sum(w * w, axis=1, keepdims=True))
    unit = w / np.maximum(norms, EPS)
    product = unit @ unit.T
    size = product.shape[0]
    off = product * (1.0 - np.eye(size))
    return factor * 0.5 * np.sum(np.abs(off)) / (size * (size - 1) / 2)


def _weight(shape=(6, 4)):
    return np.random.default_rng(0).normal(size=shape)


def test_penalty_values():
    w = _weight()
    tw = torch.tensor(w)
    cases = [
        (regularizers.L1(0.3), 0.3 * np.abs(w).sum()),
        (regularizers.L2(0.2), 0.2 * np.square(w).sum()),
        (regularizers.L1L2(0.1, 0.05),
         0.1 * np.abs(w).sum() + 0.05 * np.square(w).sum()),
        (regularizers.L1L2(l2=0.05), 0.05 * np.square(w).sum()),
        (regularizers.L1L2(), 0.0),
        (regularizers.L1(), 0.01 * np.abs(w).sum()),
        (regularizers.L2(), 0.01 * np.square(w).sum()),
        (regularizers.l1_l2(), 0.01 * (np.abs(w).sum() + np.square(w).sum())),
        (regularizers.OrthogonalRegularizer(0.5, "rows"),
         np_orthogonal(w, 0.5, "rows")),
        (regularizers.OrthogonalRegularizer(0.5, "columns"),
         np_orthogonal(w, 0.5, "columns")),
        (regularizers.Regularizer(), 0.0),
    ]
    for reg, expected in cases:
        out = reg(tw)
        assert out.shape == () and out.dtype == torch.float64, reg
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12,
                                   err_msg=repr(reg))


def test_orthogonal_of_orthonormal_rows_is_zero_and_zero_rows_are_safe():
    eye = torch.eye(3, 5, dtype=torch.float64)
    reg = regularizers.OrthogonalRegularizer(1.0)
    assert reg(eye).item() == 0.0
    w = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(reg(torch.tensor(w)).numpy(),
                               np_orthogonal(w, 1.0, "rows"), rtol=1e-12)
    with pytest.raises(ValueError, match="rank 2"):
        reg(torch.zeros(2, 2, 2))


def test_penalties_keep_dtype_and_are_differentiable():
    w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    out = regularizers.L1L2(l1=0.1, l2=0.2)(w)
    assert out.dtype == torch.float32 and out.shape == ()
    out.backward()
    expected = 0.1 * np.sign(w.detach().numpy()) + 0.4 * w.detach().numpy()
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)
    half = regularizers.L2(0.5)(torch.ones(3, dtype=torch.float16))
    assert half.dtype == torch.float16 and half.item() == 1.5


def test_invalid_arguments():
    for value in (-0.1, math.nan, math.inf, "0.1", True):
        with pytest.raises(ValueError, match="l1"):
            regularizers.L1(value)
    with pytest.raises(ValueError, match="l2"):
        regularizers.L1L2(l2=-1.0)
    with pytest.raises(ValueError, match="factor"):
        regularizers.OrthogonalRegularizer(factor=-1.0)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(TypeError, match="unexpected"):
        regularizers.L2(0.1, foo=1)
    assert regularizers.L1(l=0.3).l1 == 0.3  # tf.keras 2 spelling
    assert regularizers.L1(None).l1 == 0.01


def test_configs_round_trip():
    cases = [
        (regularizers.L1(0.2), {"l1": 0.2}),
        (regularizers.L2(), {"l2": 0.01}),
        (regularizers.L1L2(l1=0.1), {"l1": 0.1, "l2": 0.0}),
        (regularizers.OrthogonalRegularizer(), {"factor": 0.01,
                                                "mode": "rows"}),
    ]
    for reg, config in cases:
        assert reg.get_config() == config
        assert type(reg).from_config(config).get_config() == config
        serialized = regularizers.serialize(reg)
        assert serialized == {"class_name": type(reg).__name__,
                              "config": config}
        assert regularizers.deserialize(serialized).get_config() == config
    with pytest.raises(NotImplementedError):
        regularizers.Regularizer().get_config()


def test_get():
    assert regularizers.get(None) is None
    assert regularizers.l1 is regularizers.L1
    assert regularizers.l2 is regularizers.L2
    assert regularizers.orthogonal_regularizer is \
        regularizers.OrthogonalRegularizer
    for name, cls, config in (
        ("l1", regularizers.L1, {"l1": 0.01}),
        ("L2", regularizers.L2, {"l2": 0.01}),
        ("l1_l2", regularizers.L1L2, {"l1": 0.01, "l2": 0.01}),
        ("L1L2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
        ("orthogonal_regularizer", regularizers.OrthogonalRegularizer,
         {"factor": 0.01, "mode": "rows"}),
    ):
        reg = regularizers.get(name)
        assert type(reg) is cls and reg.get_config() == config, name
    reg = regularizers.get({"class_name": "L1L2",
                            "config": {"l1": 0.0, "l2": 0.25}})
    assert reg.get_config() == {"l1": 0.0, "l2": 0.25}
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)
    instance = regularizers.L1(0.5)
    assert regularizers.get(instance) is instance

    def custom(w):
        return w.abs().max()

    assert regularizers.get(custom) is custom
    with pytest.raises(ValueError, match="l3"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="identifier=1.5"):
        regularizers.get(1.5)
