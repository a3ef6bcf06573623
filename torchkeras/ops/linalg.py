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
    """Cholesky factor of symmetric positive-definite matrices.

    Returns `L` with `x = L @ L^T` (lower triangular), or the upper factor
    `U = L^T` with `upper=True`.

    Args:
        x: Tensor `(..., n, n)`.
        upper: Whether to return the upper-triangular factor.

    Returns:
        A triangular tensor `(..., n, n)`.

    Examples:
        >>> keras.ops.cholesky([[4.0, 2.0], [2.0, 2.0]])
        tensor([[2., 0.],
                [1., 1.]])
    """
    return torch.linalg.cholesky(_matrices(x, "cholesky"), upper=upper)


@keras_op()
def cholesky_inverse(x, upper=False):
    """Inverse of `L @ L^T` computed from its Cholesky factor `L`.

    Args:
        x: Triangular Cholesky factor `(..., n, n)`.
        upper: Whether `x` is the upper factor `U` (the matrix being
            `U^T @ U`).

    Returns:
        A tensor `(..., n, n)`: the inverse of the factored matrix.

    Examples:
        >>> keras.ops.cholesky_inverse([[2.0, 0.0], [1.0, 1.0]])
        tensor([[ 0.5000, -0.5000],
                [-0.5000,  1.0000]])
    """
    return torch.cholesky_inverse(_matrices(x, "cholesky_inverse"),
                                  upper=upper)


@keras_op(tf=("linalg.det", ("input",)))
def det(x):
    """Determinant of square matrices.

    Args:
        x: Tensor `(..., n, n)` (integers are computed in `floatx`).

    Returns:
        A tensor `(...)`.

    Examples:
        >>> keras.ops.det([[2.0, 1.0], [1.0, 3.0]])
        tensor(5.)
    """
    return torch.linalg.det(_matrices(x, "det"))


@keras_op(tf=("linalg.eig", ("tensor",)))
def eig(x):
    """Eigenvalues and eigenvectors of general square matrices.

    Both are complex, as a real matrix can have complex eigenvalues.

    Args:
        x: Tensor `(..., n, n)`.

    Returns:
        A tuple `(eigenvalues, eigenvectors)`: `(..., n)` and `(..., n, n)`,
        the eigenvectors as columns.

    Examples:
        >>> eigenvalues, eigenvectors = keras.ops.eig([[2.0, 0.0], [0.0, 3.0]])
        >>> eigenvalues
        tensor([2.+0.j, 3.+0.j])
    """
    return torch.linalg.eig(_matrices(x, "eig"))


@keras_op(tf=("linalg.eigh", ("tensor",)))
def eigh(x):
    """Eigenvalues and eigenvectors of symmetric (Hermitian) matrices.

    Only the lower triangle of `x` is read. The eigenvalues are real and in
    ascending order.

    Args:
        x: Tensor `(..., n, n)`.

    Returns:
        A tuple `(eigenvalues, eigenvectors)`: `(..., n)` and `(..., n, n)`,
        the eigenvectors as columns.

    Examples:
        >>> eigenvalues, eigenvectors = keras.ops.eigh([[2.0, 1.0], [1.0, 2.0]])
        >>> keras.ops.round(eigenvalues * 1000) / 1000
        tensor([1., 3.])
    """
    return torch.linalg.eigh(_matrices(x, "eigh"))


@keras_op(tf=("linalg.inv", ("input",)))
def inv(x):
    """Inverse of square matrices.

    Args:
        x: Invertible tensor `(..., n, n)` (integers are computed in `floatx`).

    Returns:
        A tensor `(..., n, n)`.

    Examples:
        >>> keras.ops.inv([[2.0, 0.0], [0.0, 4.0]])
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return torch.linalg.inv(_matrices(x, "inv"))


@keras_op()
def lu_factor(x):
    """LU factorization with partial pivoting, packed as LAPACK returns it.

    Args:
        x: Tensor `(..., n, n)`.

    Returns:
        A tuple `(lu, pivots)`: `lu` holds `U` in its upper triangle and the
        unit-diagonal `L` below it; `pivots` `(..., n)` gives, for each row
        `i`, the row it was swapped with (0-based, as in SciPy and Keras).

    Examples:
        >>> lu, pivots = keras.ops.lu_factor([[1.0, 2.0], [3.0, 4.0]])
        >>> pivots
        tensor([1, 1], dtype=torch.int32)
        >>> lu
        tensor([[3.0000, 4.0000],
                [0.3333, 0.6667]])
    """
    lu, pivots = torch.linalg.lu_factor(_matrices(x, "lu_factor"))
    return lu, pivots - 1


@keras_op(tf=("norm", ("tensor", "ord", "axis", "keepdims")))
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm.

    `ord` takes NumPy's values. With one `axis` (or a 1D `x` and no `axis`)
    it is a vector norm; with two axes (or a 2D `x` and no `axis`) a matrix
    norm; a higher-rank `x` without `axis` gives the 2-norm of all its
    elements.

    Args:
        x: Input tensor.
        ord: Order of the norm (`None`, a number, `inf`, `-inf`, `"fro"` or
            `"nuc"`); `None` is the 2-norm of vectors and the Frobenius norm
            of matrices.
        axis: `None`, an int (vector norm) or a pair of ints (matrix norm).
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A float tensor.

    Examples:
        >>> keras.ops.norm([3.0, 4.0])
        tensor(5.)
        >>> keras.ops.norm([[1.0, 2.0], [3.0, 4.0]], ord=1)
        tensor(6.)
    """
    x = _float(x)
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.linalg.norm(x, ord=ord, dim=dims, keepdim=keepdims)


@keras_op()
def qr(x, mode="reduced"):
    """QR decomposition `x = q @ r`, `q` orthonormal and `r` upper triangular.

    Args:
        x: Tensor `(..., m, n)`.
        mode: `"reduced"` (`q` is `(..., m, k)`, `k = min(m, n)`) or
            `"complete"` (`q` is `(..., m, m)`).

    Returns:
        A tuple `(q, r)`.

    Examples:
        >>> q, r = keras.ops.qr([[3.0, 0.0], [4.0, 5.0]])
        >>> keras.ops.round(r * 1000) / 1000
        tensor([[-5., -4.],
                [ 0.,  3.]])
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(
            "`qr` expects `mode` to be 'reduced' or 'complete'. Received: "
            f"mode={mode!r}")
    return torch.linalg.qr(_matrices(x, "qr", square=False), mode=mode)


@keras_op(tf=("linalg.solve", ("matrix", "rhs")))
def solve(a, b):
    """Solves the linear system `a @ x = b` for `x`.

    Args:
        a: Square matrices `(..., n, n)`.
        b: Right-hand side: matrices `(..., n, k)` or a vector `(n,)`.

    Returns:
        A tensor of the shape of `b`.

    Examples:
        >>> keras.ops.solve([[2.0, 0.0], [0.0, 4.0]], [2.0, 8.0])
        tensor([1., 2.])
    """
    a, b = _pair(a, b)
    return torch.linalg.solve(_matrices(a, "solve"), b)


@keras_op(tf=("linalg.triangular_solve", ("matrix", "rhs", "lower")))
def solve_triangular(a, b, lower=False):
    """Solves `a @ x = b` for `x` when `a` is triangular.

    Only the triangle given by `lower` of `a` is read.

    Args:
        a: Triangular matrices `(..., n, n)`.
        b: Right-hand side: matrices `(..., n, k)` or vectors `(..., n)`.
        lower: Whether `a` is lower triangular (upper otherwise).

    Returns:
        A tensor of the shape of `b`.

    Examples:
        >>> keras.ops.solve_triangular([[2.0, 0.0], [1.0, 1.0]], [4.0, 3.0],
        ...                            lower=True)
        tensor([2., 1.])
    """
    a, b = _pair(a, b)
    a = _matrices(a, "solve_triangular")
    if b.ndim == a.ndim - 1:
        return torch.linalg.solve_triangular(
            a, b[..., None], upper=not lower)[..., 0]
    return torch.linalg.solve_triangular(a, b, upper=not lower)


@keras_op()
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition `x = u @ diag(s) @ vh`.

    Args:
        x: Tensor `(..., m, n)`.
        full_matrices: Whether `u` and `vh` are square (`(m, m)` and
            `(n, n)`) rather than `(m, k)` and `(k, n)`, `k = min(m, n)`.
        compute_uv: Whether to compute `u` and `vh`; if not, only `s` is
            returned.

    Returns:
        A tuple `(u, s, vh)`, or `s` alone; `s` holds the singular values in
        descending order.

    Examples:
        >>> keras.ops.svd([[3.0, 0.0], [0.0, 4.0]], compute_uv=False)
        tensor([4., 3.])
    """
    x = _matrices(x, "svd", square=False)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


@keras_op()
def lstsq(a, b, rcond=None):
    """Least-squares solution `x` minimizing `||a @ x - b||`.

    Args:
        a: Matrix `(m, n)`.
        b: Right-hand side: a matrix `(m, k)` or a vector `(m,)`.
        rcond: Cutoff for small singular values of `a`, relative to the
            largest; `None` uses the default of the solver.

    Returns:
        A tensor `(n, k)` or `(n,)`.

    Examples:
        >>> a = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
        >>> x = keras.ops.lstsq(a, [1.0, 2.0, 3.0])
        >>> keras.ops.round(x * 1000) / 1000
        tensor([1., 2.])
    """
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
    """Moore-Penrose pseudo-inverse of matrices.

    Args:
        x: Tensor `(..., m, n)`.
        rcond: Cutoff for small singular values, relative to the largest;
            `None` uses torch's default.

    Returns:
        A tensor `(..., n, m)`.

    Examples:
        >>> keras.ops.pinv([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
        tensor([[1.0000, 0.0000, 0.0000],
                [0.0000, 0.5000, 0.0000]])
    """
    return torch.linalg.pinv(_matrices(x, "pinv", square=False), rtol=rcond)


@keras_op(tf=("linalg.matrix_rank", ("a", "tol")))
def matrix_rank(x, tol=None):
    """Rank of matrices: the number of singular values above a tolerance.

    Args:
        x: Tensor `(..., m, n)`.
        tol: Absolute cutoff for the singular values; `None` uses a default
            relative to the largest singular value and the matrix size.

    Returns:
        An int32 tensor `(...)`.

    Examples:
        >>> keras.ops.matrix_rank([[1.0, 2.0], [2.0, 4.0]])
        tensor(1, dtype=torch.int32)
    """
    x = _matrices(x, "matrix_rank", square=False)
    return torch.linalg.matrix_rank(x, atol=tol).to(torch.int32)


@keras_export("keras.ops.jvp")
def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product of `fun` at `primals` along `tangents`.

    Forward-mode differentiation (`torch.func.jvp`); it runs eagerly and
    cannot be called on a KerasTensor.

    Args:
        fun: Function of the primals, returning a tensor (or `(output, aux)`
            with `has_aux`).
        primals: Tuple or list of the points to differentiate at, one per
            argument of `fun`.
        tangents: Tuple or list of directions, one per primal, of the same
            shapes.
        has_aux: Whether `fun` returns `(output, aux)`; `aux` is then passed
            through undifferentiated.

    Returns:
        A tuple `(fun(*primals), jvp)`, or `(fun(*primals), jvp, aux)` with
        `has_aux`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 2.0])
        >>> keras.ops.jvp(keras.ops.square, (x,), (keras.ops.ones((2,)),))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    from torchkeras.ops.dispatch import any_symbolic

    if any_symbolic(primals, tangents):
        raise TypeError(
            "`keras.ops.linalg.jvp` runs eagerly on tensors; it cannot be "
            "called on a KerasTensor. Put it in a Layer's `call`. Received:"
            " a KerasTensor among primals/tangents")
    return torch.func.jvp(fun, tuple(primals), tuple(tangents),
                          has_aux=has_aux)
