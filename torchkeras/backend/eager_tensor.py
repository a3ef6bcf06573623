"""EagerTensor: what an outermost eager layer or model call returns.

tf.keras programs read eager results as NumPy: ``model(x).numpy()``,
``np.asarray(layer(x))``, ``print(f"{loss:.3f}")``. A torch output that
takes part in autograd refuses ``.numpy()``, so the outermost eager call
(``Layer.__call__`` at depth 0, outside the engine's own steps) hands its
tensors back as ``EagerTensor``: the same object with its Python class
re-labelled. There is no copy, no new tensor and no autograd node, so
``grad_fn``, ``requires_grad``, ``_keras_mask``/``_keras_logits`` and
identity are those of the plain output, and ``loss = f(model(x));
loss.backward()`` builds the very graph it built before.

``numpy()`` and ``__array__`` detach and copy to the host first, as a TF
tensor's ``numpy()`` does for a GPU tensor. The Python operators and
indexing keep the label, as TF's tensor surface does: ``model(x) + 1``,
``2 * q``, ``probs[0, a]`` and ``returns - value`` are ``EagerTensor``s,
and a NumPy array on either side of an operator is taken as a tensor of
the other operand's device (and dtype, where both are floating or both
integral), as TF converts it (``rewards + gamma * q_max`` with
``rewards`` an ndarray). NumPy functions (``np.squeeze(probs)``,
``np.random.choice(n, p=probs)``) read an ``EagerTensor`` as its detached
array. Torch functions and tensor methods (``F.relu(out)``,
``out.sum()``, ``loss.backward()``) go straight to the C++ kernel and
return plain tensors: torch function dispatch stays disabled on the
class, so a torch loop over a model's outputs pays nothing per op.
Pickling, ``torch.save``, ``copy.deepcopy``, ``repr`` and ``format``
treat it as the plain tensor it is, so files written from it load with
``torch.load(weights_only=True)`` as plain tensors.

Under ``torch.compile`` tracing the output stays plain (the re-labelling
is eager-only bookkeeping). Patching ``torch.Tensor.numpy`` instead would
change what ``.numpy()`` means for every tensor of every library in the
process, silently detaching tensors that torch code expects to refuse.
"""

import contextlib

import numpy as np
import torch

from torchkeras.utils import tree

_PLAIN = torch.Tensor
_is_compiling = torch.compiler.is_compiling


class EagerTensor(torch.Tensor):
    """An eager layer or model output, readable as NumPy.

    A ``torch.Tensor`` in every respect but ``numpy()``/``__array__``,
    which detach it and bring it to the host first (tf.keras's
    ``EagerTensor.numpy()``), and the Python operators and indexing, which
    keep the label and accept NumPy operands. Torch functions and methods
    return plain tensors.

    Examples:
        >>> import numpy as np
        >>> import torch
        >>> import torchkeras as keras
        >>> dense = keras.layers.Dense(2, kernel_initializer="ones")
        >>> y = dense(torch.ones(1, 3))
        >>> y.requires_grad, y.numpy()
        (True, array([[3., 3.]], dtype=float32))
        >>> (np.ones(2, "float32") + 2 * y[0]).numpy()
        array([7., 7.], dtype=float32)
        >>> type(y.sum()) is torch.Tensor
        True
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    def numpy(self, *, force=False):
        """The values as a NumPy array (shares memory on the CPU).

        NumPy has no bfloat16: such a tensor comes out as float32, as
        ``keras.ops.convert_to_numpy`` gives it.
        """
        if self.dtype is torch.bfloat16:
            return _PLAIN.numpy(_PLAIN.float(self), force=True)
        return _PLAIN.numpy(self, force=True)

    def __float__(self):
        # tf.keras code logs `float(loss)`; torch warns for a tensor that
        # requires grad, which an eager output usually does.
        return _PLAIN.__float__(_PLAIN.detach(self))

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype, copy=copy is not False)
        return array.copy() if copy else array

    def __repr__(self, *, tensor_contents=None):
        with _as_plain(self):
            return _PLAIN.__repr__(self, tensor_contents=tensor_contents)

    def __format__(self, format_spec):
        with _as_plain(self):
            return _PLAIN.__format__(self, format_spec)

    def __reduce_ex__(self, proto):
        with _as_plain(self):
            return _PLAIN.__reduce_ex__(self, proto)

    def __deepcopy__(self, memo):
        with _as_plain(self):
            return _PLAIN.__deepcopy__(self, memo)

    # ``__eq__`` is defined below: keep the identity hash tensors have.
    __hash__ = _PLAIN.__hash__

    def __getitem__(self, index):
        return _labelled(_PLAIN.__getitem__(self, index))

    def __array_function__(self, func, types, args, kwargs):
        # NumPy functions see the detached array, as they see a TF tensor
        # through ``__array__`` (``np.squeeze(probs)`` would otherwise call
        # the torch method and get a tensor that refuses conversion).
        args, kwargs = tree.map_structure(_as_array, (args, kwargs))
        return func(*args, **kwargs)


def _as_array(value):
    return value.numpy() if type(value) is EagerTensor else value


def _labelled(result):
    if type(result) is _PLAIN and not _is_compiling():
        result.__class__ = EagerTensor
    return result


def _operand(other, tensor):
    """A NumPy operand of an operator as a tensor beside ``tensor``.

    TF converts it to the tensor's dtype. Here a numeric array takes a
    floating tensor's dtype (float64 rewards beside a float32 Q-value give
    float32), an integral array an integral tensor's; torch's promotion
    decides the rest (TF refuses those).
    """
    if isinstance(other, np.generic):
        return other.item()
    if not isinstance(other, np.ndarray):
        return other
    value = torch.as_tensor(other, device=tensor.device)
    if value.dtype is not tensor.dtype and _numeric(value) and (
            tensor.is_floating_point() or (
                _numeric(tensor) and not value.is_floating_point())):
        value = value.to(tensor.dtype)
    return value


def _numeric(tensor):
    return not (tensor.is_complex() or tensor.dtype is torch.bool)


def _operator(name):
    plain = getattr(_PLAIN, name)

    def method(self, other):
        return _labelled(plain(self, _operand(other, self)))

    method.__name__ = name
    method.__qualname__ = f"EagerTensor.{name}"
    return method


def _unary(name):
    plain = getattr(_PLAIN, name)

    def method(self):
        return _labelled(plain(self))

    method.__name__ = name
    method.__qualname__ = f"EagerTensor.{name}"
    return method


for _name in (
        "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
        "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__",
        "__mod__", "__rmod__", "__pow__", "__rpow__", "__matmul__",
        "__rmatmul__", "__and__", "__rand__", "__or__", "__ror__",
        "__xor__", "__rxor__", "__lt__", "__le__", "__gt__", "__ge__",
        "__eq__", "__ne__"):
    setattr(EagerTensor, _name, _operator(_name))
for _name in ("__neg__", "__pos__", "__abs__", "__invert__"):
    setattr(EagerTensor, _name, _unary(_name))
del _name


@contextlib.contextmanager
def _as_plain(tensor):
    """``tensor`` seen as the plain tensor it is, for torch code that
    tests ``type(t) is torch.Tensor`` (printing, pickling, copying)."""
    tensor.__class__ = _PLAIN
    try:
        yield
    finally:
        tensor.__class__ = EagerTensor


def eager_outputs(outputs, args, kwargs):
    """``outputs`` of an outermost eager call, their plain tensors made
    ``EagerTensor`` in place (containers are kept as they are).

    A tensor that is also an input of the call (an identity layer) keeps
    its class: it is the caller's object. Tensor subclasses (``Variable``,
    a user's own) are left alone, and so is everything while
    ``torch.compile`` traces.
    """
    if type(outputs) is _PLAIN:
        if not (_among(outputs, args, kwargs) or _is_compiling()):
            outputs.__class__ = EagerTensor
        return outputs
    if not isinstance(outputs, _NESTED) or _is_compiling():
        return outputs
    for leaf in tree.flatten(outputs):
        if type(leaf) is _PLAIN and not _among(leaf, args, kwargs):
            leaf.__class__ = EagerTensor
    return outputs


_NESTED = (list, tuple, dict)


def _among(tensor, args, kwargs):
    """Whether ``tensor`` is one of the call's arguments (or inside one)."""
    for value in args:
        if value is tensor or (type(value) is not _PLAIN and _inside(
                value, tensor)):
            return True
    if kwargs:
        for value in kwargs.values():
            if value is tensor or _inside(value, tensor):
                return True
    return False


def _inside(value, tensor):
    if not isinstance(value, _NESTED):
        return False
    for leaf in tree.flatten(value):
        if leaf is tensor:
            return True
    return False
