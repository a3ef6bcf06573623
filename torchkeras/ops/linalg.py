"""Linear algebra of ``torchkeras.ops`` (Keras 3 ``keras.ops.linalg``).

Each op is one ``torch.linalg`` kernel on (batches of) matrices in the last
two axes, with Keras's conventions where torch's differ: ``lu_factor``
returns 0-based pivots, ``solve_triangular`` takes ``lower`` and accepts a
vector right-hand side, ``svd`` returns ``(u, s, vh)`` (or ``s`` without
``compute_uv``), ``matrix_rank`` gives int32. Integer inputs compute in
``floatx``.
"""

import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils.registry import keras_export


def _float(x):
    x = convert_to_tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(to_torch_dtype(floatx()))
    return x


def _matrices(x, name, square=True):
    x = _float(x)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        what = "square matrices" if square else "matrices"
        raise ValueError(
            f"`{name}` expects {what} in the last two axes (rank >= 2). "
            f"Received: x.shape={tuple(x.shape)}")
    return x


def _pair(a, b):
    a, b = _float(a), _float(b)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype=dtype, device=a.device)


@keras_op()
def cholesky(x, upper=False):
    """The Cholesky factor of positive-definite matrices (lower unless
    ``upper``)."""
    return torch.linalg.cholesky(_matrices(x, "cholesky"), upper=upper)


@keras_op()
def cholesky_inverse(x, upper=False):
    """The inverse of ``L @ L.T`` from its Cholesky factor ``x``."""
    return torch.cholesky_inverse(_matrices(x, "cholesky_inverse"),
                                  upper=upper)


@keras_op(tf=("linalg.det", ("input",)))
def det(x):
    return torch.linalg.det(_matrices(x, "det"))


@keras_op(tf=("linalg.eig", ("tensor",)))
def eig(x):
    """``(eigenvalues, eigenvectors)`` of square matrices (complex)."""
    return torch.linalg.eig(_matrices(x, "eig"))


@keras_op(tf=("linalg.eigh", ("tensor",)))
def eigh(x):
    """``(eigenvalues, eigenvectors)`` of symmetric matrices, ascending."""
    return torch.linalg.eigh(_matrices(x, "eigh"))


@keras_op(tf=("linalg.inv", ("input",)))
def inv(x):
    return torch.linalg.inv(_matrices(x, "inv"))


@keras_op()
def lu_factor(x):
    """``(lu, pivots)``: the packed LU factorization, 0-based pivots."""
    lu, pivots = torch.linalg.lu_factor(_matrices(x, "lu_factor"))
    return lu, pivots - 1


@keras_op(tf=("norm", ("tensor", "ord", "axis", "keepdims")))
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (NumPy's ``ord`` values; ``axis`` of one int
    for vectors, two for matrices, None for the flattened vector or the
    matrix of a 2D ``x``)."""
    x = _float(x)
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.linalg.norm(x, ord=ord, dim=dims, keepdim=keepdims)


@keras_op()
def qr(x, mode="reduced"):
    """``(q, r)`` of matrices; ``mode`` is ``"reduced"`` or
    ``"complete"``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(
            "`qr` expects `mode` to be 'reduced' or 'complete'. Received: "
            f"mode={mode!r}")
    return torch.linalg.qr(_matrices(x, "qr", square=False), mode=mode)


@keras_op(tf=("linalg.solve", ("matrix", "rhs")))
def solve(a, b):
    """``x`` with ``a @ x = b`` (``b`` a matrix or a vector)."""
    a, b = _pair(a, b)
    return torch.linalg.solve(_matrices(a, "solve"), b)


@keras_op(tf=("linalg.triangular_solve", ("matrix", "rhs", "lower")))
def solve_triangular(a, b, lower=False):
    """``x`` with ``a @ x = b`` for triangular ``a`` (upper unless
    ``lower``); ``b`` a matrix or a vector."""
    a, b = _pair(a, b)
    a = _matrices(a, "solve_triangular")
    if b.ndim == a.ndim - 1:
        return torch.linalg.solve_triangular(
            a, b[..., None], upper=not lower)[..., 0]
    return torch.linalg.solve_triangular(a, b, upper=not lower)


@keras_op()
def svd(x, full_matrices=True, compute_uv=True):
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``; only ``s`` when not
    ``compute_uv``."""
    x = _matrices(x, "svd", square=False)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


@keras_op()
def lstsq(a, b, rcond=None):
    """The least-squares solution of ``a @ x = b``."""
    a, b = _pair(a, b)
    a = _matrices(a, "lstsq", square=False)
    vector = b.ndim == a.ndim - 1
    if vector:
        b = b[..., None]
    if rcond is not None and a.device.type == "cpu":
        out = torch.linalg.lstsq(a, b, rcond=rcond, driver="gelsd").solution
    elif rcond is not None:
        out = torch.linalg.pinv(a, rtol=rcond) @ b
    else:
        out = torch.linalg.lstsq(a, b).solution
    return out[..., 0] if vector else out


@keras_op(tf=("linalg.pinv", ("a", "rcond")))
def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse (``rcond``: relative cutoff)."""
    return torch.linalg.pinv(_matrices(x, "pinv", square=False), rtol=rcond)


@keras_op(tf=("linalg.matrix_rank", ("a", "tol")))
def matrix_rank(x, tol=None):
    """The rank of matrices (``tol``: absolute singular-value cutoff)."""
    x = _matrices(x, "matrix_rank", square=False)
    return torch.linalg.matrix_rank(x, atol=tol).to(torch.int32)


@keras_export("keras.ops.jvp")
def jvp(fun, primals, tangents, has_aux=False):
    """``(fun(*primals), J @ tangents)`` (``torch.func.jvp``); with
    ``has_aux``, ``fun`` returns ``(output, aux)`` and so does this."""
    from torchkeras.ops.dispatch import any_symbolic

    if any_symbolic(primals, tangents):
        raise TypeError(
            "`keras.ops.linalg.jvp` runs eagerly on tensors; it cannot be "
            "called on a KerasTensor. Put it in a Layer's `call`. Received:"
            " a KerasTensor among primals/tangents")
    return torch.func.jvp(fun, tuple(primals), tuple(tangents),
                          has_aux=has_aux)
