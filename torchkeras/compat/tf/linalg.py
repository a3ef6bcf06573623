"""``tf.linalg`` names on ``keras.ops`` (TensorFlow's argument names)."""

from torchkeras import ops
from torchkeras.compat.tf import _support
from torchkeras.compat.tf.math import _alias
from torchkeras.compat.tf.math import l2_normalize as l2_normalize

inv = _alias("linalg.inv", ops.inv, ("input",))
det = _alias("linalg.det", ops.det, ("input",))
solve = _alias("linalg.solve", ops.solve, ("matrix", "rhs"))
cholesky = _alias("linalg.cholesky", ops.cholesky, ("input",))
eigh = _alias("linalg.eigh", ops.eigh, ("tensor",))
trace = _alias("linalg.trace", ops.trace, ("x",))
diag = _alias("linalg.diag", ops.diag, ("diagonal",))
logdet = _alias("linalg.logdet", ops.logdet, ("matrix",))
pinv = _alias("linalg.pinv", ops.pinv, ("a", "rcond"))


def _swap_last(x):
    return ops.swapaxes(x, -1, -2)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False,
           adjoint_b=False, name=None):
    """``tf.linalg.matmul`` with TF's transpose and adjoint flags."""
    if transpose_a or adjoint_a:
        a = _swap_last(ops.conj(a) if adjoint_a else a)
    if transpose_b or adjoint_b:
        b = _swap_last(ops.conj(b) if adjoint_b else b)
    return ops.matmul(a, b)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """``tf.linalg.norm``: ``"euclidean"`` over all entries by default."""
    if ord == "euclidean":
        ord = None if axis is None or not isinstance(
            axis, (list, tuple)) else "fro"
    return ops.norm(tensor, ord=ord, axis=axis, keepdims=bool(keepdims))


def matrix_transpose(a, conjugate=False, name=None):
    return _swap_last(ops.conj(a) if conjugate else a)


_support.eager_results(globals())
__getattr__ = _support.missing("tf.linalg")
