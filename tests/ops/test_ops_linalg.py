"""Tests for ``torchkeras/ops/linalg.py`` against NumPy and SciPy."""

import numpy as np
import pytest
import scipy.linalg
import torch

import torchkeras as keras
from torchkeras import ops

RNG = np.random.default_rng(1)
A = RNG.normal(size=(2, 4, 4))
SPD = A @ np.swapaxes(A, -1, -2) + 4 * np.eye(4)
B = RNG.normal(size=(2, 4, 3))


def test_factorizations_reconstruct_and_match_numpy():
    lower = ops.linalg.cholesky(SPD).numpy()
    np.testing.assert_allclose(lower, np.linalg.cholesky(SPD), rtol=1e-10)
    upper = ops.cholesky(SPD, upper=True).numpy()
    np.testing.assert_allclose(upper, np.swapaxes(lower, -1, -2))
    np.testing.assert_allclose(ops.cholesky_inverse(lower).numpy(),
                               np.linalg.inv(SPD), rtol=1e-8)
    q, r = ops.qr(A[0, :, :3])
    np.testing.assert_allclose(q.numpy() @ r.numpy(), A[0, :, :3])
    assert tuple(ops.qr(A[0, :, :3], mode="complete")[0].shape) == (4, 4)
    u, s, vh = ops.svd(A)
    np.testing.assert_allclose(
        (u.numpy() * s.numpy()[..., None, :]) @ vh.numpy(), A, atol=1e-10)
    np.testing.assert_allclose(ops.svd(A, compute_uv=False).numpy(),
                               np.linalg.svd(A, compute_uv=False))
    w, v = ops.eigh(SPD)
    np.testing.assert_allclose(w.numpy(), np.linalg.eigvalsh(SPD))
    values, _ = ops.eig(A[0])
    np.testing.assert_allclose(np.sort_complex(values.numpy()),
                               np.sort_complex(np.linalg.eigvals(A[0])),
                               atol=1e-10)
    lu, piv = ops.lu_factor(A[0])
    lu_ref, piv_ref = scipy.linalg.lu_factor(A[0])
    np.testing.assert_allclose(lu.numpy(), lu_ref, atol=1e-12)
    np.testing.assert_array_equal(piv.numpy(), piv_ref)


def test_solvers_and_inverses_match_numpy():
    np.testing.assert_allclose(ops.solve(SPD, B).numpy(),
                               np.linalg.solve(SPD, B))
    np.testing.assert_allclose(ops.inv(SPD).numpy(), np.linalg.inv(SPD))
    np.testing.assert_allclose(ops.det(A).numpy(), np.linalg.det(A))
    tri = np.tril(SPD[0])
    np.testing.assert_allclose(
        ops.solve_triangular(tri, B[0], lower=True).numpy(),
        scipy.linalg.solve_triangular(tri, B[0], lower=True))
    np.testing.assert_allclose(
        ops.solve_triangular(tri.T, B[0, :, 0]).numpy(),
        scipy.linalg.solve_triangular(tri.T, B[0, :, 0]))
    tall = RNG.normal(size=(6, 3))
    rhs = RNG.normal(size=(6,))
    np.testing.assert_allclose(ops.lstsq(tall, rhs).numpy(),
                               np.linalg.lstsq(tall, rhs, rcond=None)[0])
    np.testing.assert_allclose(ops.pinv(tall).numpy(), np.linalg.pinv(tall))
    rank = ops.matrix_rank(tall @ tall[:2].T @ tall[:2])
    assert rank.dtype == torch.int32 and int(rank) == 2


@pytest.mark.parametrize("ord, axis", [
    (None, None), (1, -1), (np.inf, 0), ("fro", (1, 2)), ("nuc", (1, 2)),
    (2, (1, 2)), (-np.inf, (2, 1)),
])
def test_norm_matches_numpy(ord, axis):
    expected = np.linalg.norm(A if axis is not None else A[0], ord=ord,
                              axis=axis)
    result = ops.norm(A if axis is not None else A[0], ord=ord, axis=axis)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-10)
    assert ops.norm(np.array([3, 4])).dtype == torch.float32


def test_linalg_ops_in_functional_models():
    inputs = keras.Input((3, 3))
    det = ops.det(inputs)
    inverse = ops.inv(inputs)
    assert det.shape == (None,) and inverse.shape == (None, 3, 3)
    model = keras.Model(inputs, [det, inverse])
    x = (SPD[:, :3, :3]).astype("float32")
    got_det, got_inv = model.predict(x, verbose=0)
    np.testing.assert_allclose(got_det, np.linalg.det(x), rtol=1e-4)
    np.testing.assert_allclose(got_inv, np.linalg.inv(x), rtol=1e-4,
                               atol=1e-6)
    with pytest.raises(ValueError, match="square"):
        ops.inv(np.ones((2, 3)))
    with pytest.raises(TypeError, match="jvp"):
        ops.jvp(lambda t: t, (inputs,), (inputs,))


def test_jvp_matches_the_analytic_derivative():
    x = torch.tensor([1.0, 2.0])
    out, tangent = ops.linalg.jvp(lambda t: t ** 3, (x,),
                                  (torch.tensor([1.0, 0.5]),))
    np.testing.assert_allclose(out.numpy(), [1.0, 8.0])
    np.testing.assert_allclose(tangent.numpy(), [3.0, 6.0])
