"""Core operations of ``torchkeras.ops`` (Keras 3 ``ops/core.py``).

Owns how Python values, NumPy arrays and torch tensors become torch
tensors: Python floats (and lists of them) take ``backend.floatx()``,
Python ints ``int32``, NumPy arrays and tensors keep their dtype unless one
is given. Device placement is left to the caller (``device=``).

Strings have no torch dtype: a string value is a NumPy object array of
``str``/``bytes`` (the ``StringArray`` leaf of ``torchkeras.data``), and the
``string_*`` helpers here give ``expand_dims``, ``reshape`` and
``concatenate`` their string branch.

Also owns the structural ops (``slice``, ``scatter``, ``unstack``, ...) and
the control flow (``cond``, ``while_loop``, ``scan``, ...). Control flow
runs eagerly in Python, as Keras's torch backend runs it; called on a
KerasTensor it raises a ``TypeError`` that suggests a Layer.
"""

import builtins

import numpy as np
import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import standardize_dtype
from torchkeras.backend.config import to_torch_dtype
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.ops.dispatch import any_symbolic
from torchkeras.ops.dispatch import keras_op
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


def _python_dtype(x):
    """The Keras dtype of a Python scalar or (nested) list of them."""
    flat = np.asarray(x)
    if flat.dtype == np.bool_:
        return torch.bool
    if np.issubdtype(flat.dtype, np.integer):
        return torch.int32
    if np.issubdtype(flat.dtype, np.floating):
        return to_torch_dtype(floatx())
    return None


# --------------------------------------------------------------------------
# Strings.


def _all_strings(value):
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_all_strings(v) for v in value)
    return isinstance(value, (str, bytes, np.str_, np.bytes_))


def is_string(x):
    """Whether ``x`` is a string value: ``str``/``bytes``, a (nested) list
    of them, or a NumPy array of strings (object, ``U`` or ``S`` dtype)."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "US":
            return True
        if x.dtype != object:
            return False
        flat = x.reshape(-1)
        return flat.size > 0 and isinstance(
            flat[0], (str, bytes, np.str_, np.bytes_))
    return _all_strings(x)


def string_array(x):
    """``x`` as a string leaf: a ``StringArray`` (object array of str or
    bytes) whose ``numpy()`` reads like a ``tf.string`` tensor's."""
    from torchkeras.data.structure import as_string_leaf

    if isinstance(x, np.ndarray) and x.dtype.kind in "US":
        x = x.astype(object)
    elif not isinstance(x, np.ndarray):
        x = np.asarray(x, dtype=object)
    return as_string_leaf(x)


def string_expand_dims(x, axis):
    """``expand_dims`` of a string value (Keras's ``axis`` forms)."""
    x = string_array(x)
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    return string_array(np.expand_dims(np.asarray(x), tuple(axes)))


def string_reshape(x, newshape):
    """``reshape`` of a string value."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    return string_array(np.reshape(np.asarray(string_array(x)),
                                   tuple(newshape)))


def string_concatenate(xs, axis=0):
    """``concatenate`` of string values along ``axis``."""
    arrays = [np.asarray(string_array(x)) for x in xs]
    return string_array(np.concatenate(arrays, axis=axis))


# --------------------------------------------------------------------------
# Conversion.


@keras_op(tf=("convert_to_tensor", ("value", "dtype")))
def convert_to_tensor(x, dtype=None, device=None, sparse=None, ragged=None):
    """Converts `x` (a Python value, NumPy array or tensor) to a torch tensor.

    Python floats (and lists of them) become `backend.floatx()`, Python ints
    `int32`; NumPy arrays and tensors keep their dtype unless `dtype` is given.
    Strings (`str`, lists of them, NumPy string arrays) become a NumPy object
    array of strings, torchkeras's string tensor.

    Args:
        x: The value to convert.
        dtype: Target dtype (a Keras name such as `"float32"` or a torch
            dtype); `None` keeps or infers the dtype as above.
        device: Torch device to place the result on; `None` leaves a tensor
            where it is and creates new tensors on the default device.
        sparse: Accepted for Keras compatibility; the result is always dense.
        ragged: Accepted for Keras compatibility; the result is always dense.

    Returns:
        A torch tensor (or a string array for string input).

    Examples:
        >>> keras.ops.convert_to_tensor([1, 2])
        tensor([1, 2], dtype=torch.int32)
        >>> keras.ops.convert_to_tensor([1.0, 2.0]).dtype
        torch.float32
        >>> keras.ops.convert_to_tensor(np.array([1, 2]), dtype="float64")
        tensor([1., 2.], dtype=torch.float64)
    """
    if isinstance(x, torch.Tensor):
        if dtype is not None:
            torch_dtype = to_torch_dtype(dtype)
            if x.dtype != torch_dtype:
                x = x.to(torch_dtype)
        if device is not None and x.device != torch.device(device):
            x = x.to(device)
        return x
    if dtype == "string" or (dtype is None and not isinstance(
            x, (bool, int, float)) and is_string(x)):
        return string_array(x)
    torch_dtype = None if dtype is None else to_torch_dtype(dtype)
    if isinstance(x, (bool, int, float, list, tuple)) and torch_dtype is None:
        if isinstance(x, (list, tuple)) and any(
            isinstance(item, torch.Tensor) for item in x
        ):
            return torch.stack([convert_to_tensor(i, None, device) for i in x])
        torch_dtype = _python_dtype(x)
    return torch.as_tensor(np.asarray(x), dtype=torch_dtype, device=device)


@keras_export("keras.ops.convert_to_numpy")
def convert_to_numpy(x):
    """Returns `x` as a NumPy array.

    A tensor is copied to a detached CPU array (`bfloat16` becomes
    `float32`, which NumPy can hold); a NumPy array is returned as is.

    Args:
        x: A tensor, NumPy array or Python value.

    Returns:
        A NumPy array.

    Examples:
        >>> keras.ops.convert_to_numpy(keras.ops.ones((2,)))
        array([1., 1.], dtype=float32)
    """
    if isinstance(x, KerasTensor):
        raise _symbolic_error("convert_to_numpy")
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy().copy()
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(convert_to_tensor(x))


@keras_op(tf=("cast", ("x", "dtype")))
def cast(x, dtype):
    """Casts `x` to `dtype`.

    Float to integer casts truncate toward zero, as in NumPy.

    Args:
        x: Input tensor or value.
        dtype: Target dtype, a Keras name (`"int32"`) or a torch dtype.

    Returns:
        A tensor of dtype `dtype`.

    Examples:
        >>> keras.ops.cast([1.7, -2.3], "int32")
        tensor([ 1, -2], dtype=torch.int32)
    """
    return convert_to_tensor(x, dtype=dtype)


@keras_op(tf=("dtypes.saturate_cast", ("value", "dtype")))
def saturate_cast(x, dtype):
    """Casts `x` to `dtype`, clipping values to the range of `dtype` first.

    Unlike `cast`, values outside the target range saturate at its bounds
    instead of wrapping around.

    Args:
        x: Input tensor or value.
        dtype: Target dtype, a Keras name (`"uint8"`) or a torch dtype.

    Returns:
        A tensor of dtype `dtype`.

    Examples:
        >>> keras.ops.saturate_cast([-1.0, 127.5, 300.0], "uint8")
        tensor([  0, 127, 255], dtype=torch.uint8)
    """
    x = convert_to_tensor(x)
    target = to_torch_dtype(dtype)
    if target == torch.bool:
        return x.to(torch.bool)
    info = (torch.finfo if target.is_floating_point else torch.iinfo)(target)
    source = (torch.finfo if x.is_floating_point() else torch.iinfo)(x.dtype)
    low = builtins.max(float(info.min), float(source.min))
    high = builtins.min(float(info.max), float(source.max))
    if not x.is_floating_point():
        # Integer bounds stay exact in the source dtype.
        low, high = int(low), int(high)
    return torch.clamp(x, low, high).to(target)


@keras_export("keras.ops.is_tensor")
def is_tensor(x):
    """Whether `x` is a tensor of the backend (a torch tensor).

    Args:
        x: Any value.

    Returns:
        `True` for a torch tensor, `False` otherwise (lists and NumPy arrays
        included).

    Examples:
        >>> keras.ops.is_tensor(keras.ops.ones((2,)))
        True
        >>> keras.ops.is_tensor([1.0, 2.0])
        False
    """
    return isinstance(x, torch.Tensor)


@keras_export("keras.ops.shape")
def shape(x):
    """The shape of `x` as a tuple of ints.

    A KerasTensor gives its static shape, with `None` for unknown
    dimensions, as Keras 3 does.

    Args:
        x: A tensor, KerasTensor, NumPy array or nested list.

    Returns:
        A tuple.

    Examples:
        >>> keras.ops.shape(keras.ops.zeros((2, 3)))
        (2, 3)
    """
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    if isinstance(x, (torch.Tensor, np.ndarray)):
        return tuple(x.shape)
    return tuple(np.shape(x))


@keras_export("keras.ops.dtype")
def dtype(x):
    """The Keras dtype name of `x` (`"float32"`, `"int32"`, `"string"`, ...).

    Args:
        x: A tensor, KerasTensor or value convertible to a tensor.

    Returns:
        The dtype name as a string.

    Examples:
        >>> keras.ops.dtype(keras.ops.ones((2,), dtype="int32"))
        'int32'
    """
    if isinstance(x, KerasTensor):
        return x.dtype
    if not isinstance(x, torch.Tensor) and is_string(x):
        return "string"
    return standardize_dtype(convert_to_tensor(x).dtype)


@keras_op(tf=("stop_gradient", ("input",)))
def stop_gradient(variable):
    """Returns `variable` with no gradient flowing back through it.

    The values are unchanged; the result is detached from the autograd
    graph, so it acts as a constant in a backward pass.

    Args:
        variable: A tensor or value.

    Returns:
        A tensor with the same values, detached.

    Examples:
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = keras.ops.stop_gradient(x)
        >>> y
        tensor([1., 2.])
        >>> y.requires_grad
        False
    """
    return convert_to_tensor(variable).detach()


# --------------------------------------------------------------------------
# Structural ops.


def _index_list(indices):
    if isinstance(indices, torch.Tensor):
        return [int(i) for i in indices.tolist()]
    return [int(i) for i in np.asarray(indices).reshape(-1)]


@keras_op(tf=("slice", ("input_", "begin", "size")))
def slice(inputs, start_indices, shape):
    """The block of `inputs` of size `shape` starting at `start_indices`.

    Along each axis `i` it takes `inputs[start_indices[i]:start_indices[i] +
    shape[i]]`; a negative size takes the rest of the axis.

    Args:
        inputs: Input tensor.
        start_indices: One start index per axis of `inputs`.
        shape: One size per axis of `inputs`.

    Returns:
        A tensor of shape `shape` (or shorter where it runs past the end).

    Examples:
        >>> x = keras.ops.reshape(keras.ops.arange(12), (3, 4))
        >>> keras.ops.slice(x, (1, 1), (2, 2))
        tensor([[ 5,  6],
                [ 9, 10]], dtype=torch.int32)
    """
    inputs = convert_to_tensor(inputs)
    starts = _index_list(start_indices)
    sizes = _index_list(shape)
    index = tuple(
        builtins.slice(s, None if n < 0 else s + n)
        for s, n in zip(starts, sizes))
    return inputs[index]


@keras_op()
def slice_update(inputs, start_indices, updates):
    """Returns a copy of `inputs` whose block at `start_indices` is `updates`.

    The block has the shape of `updates`; `inputs` itself is not modified.

    Args:
        inputs: Input tensor.
        start_indices: One start index per axis of `inputs`.
        updates: Tensor of the same rank as `inputs` holding the new values
            (cast to the dtype of `inputs`).

    Returns:
        A tensor of the shape and dtype of `inputs`.

    Examples:
        >>> keras.ops.slice_update(keras.ops.zeros((2, 3)), (0, 1),
        ...                        keras.ops.ones((2, 1)))
        tensor([[0., 1., 0.],
                [0., 1., 0.]])
    """
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype, inputs.device)
    starts = _index_list(start_indices)
    index = tuple(builtins.slice(s, s + n)
                  for s, n in zip(starts, updates.shape))
    out = inputs.clone()
    out[index] = updates
    return out


def _scatter_index(indices, device):
    indices = convert_to_tensor(indices, device=device).long()
    return tuple(indices.reshape(-1, indices.shape[-1]).unbind(-1)), indices


@keras_op(tf=("scatter_nd", ("indices", "updates", "shape")))
def scatter(indices, values, shape):
    """Returns a zero tensor of `shape` with `values` added at `indices`.

    `indices` has shape `(..., k)`: each row indexes the first `k` axes of
    the output. Values written to the same position are summed.

    Args:
        indices: Integer tensor of shape `(..., k)`.
        values: Tensor of the values to write, one per index row (each a slice
            of the trailing `len(shape) - k` axes when `k < len(shape)`).
        shape: Shape of the output.

    Returns:
        A tensor of shape `shape` and the dtype of `values`.

    Examples:
        >>> keras.ops.scatter([[0], [2], [0]], [1.0, 2.0, 3.0], (4,))
        tensor([4., 0., 2., 0.])
    """
    values = convert_to_tensor(values)
    index, indices = _scatter_index(indices, values.device)
    out = torch.zeros(tuple(_index_list(shape)), dtype=values.dtype,
                      device=values.device)
    rest = tuple(out.shape[indices.shape[-1]:])
    out.index_put_(index, values.reshape((-1,) + rest), accumulate=True)
    return out


@keras_op()
def scatter_update(inputs, indices, updates, reduction=None):
    """Returns a copy of `inputs` with `updates` written at `indices`.

    `indices` has shape `(..., k)`: each row indexes the first `k` axes of
    `inputs`. Without `reduction` the updates replace the old values; with one
    they are combined with them.

    Args:
        inputs: Input tensor.
        indices: Integer tensor of shape `(..., k)`.
        updates: Tensor of new values, one per index row (cast to the dtype
            of `inputs`).
        reduction: `None` to overwrite, or `"add"`, `"max"`, `"min"` or
            `"mul"` to combine each update with the value already there.

    Returns:
        A tensor of the shape and dtype of `inputs`.

    Examples:
        >>> x = keras.ops.ones((4,))
        >>> keras.ops.scatter_update(x, [[1], [3]], [5.0, 6.0])
        tensor([1., 5., 1., 6.])
        >>> keras.ops.scatter_update(x, [[1], [3]], [5.0, 6.0], reduction="add")
        tensor([1., 6., 1., 7.])
    """
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype, inputs.device)
    index, indices = _scatter_index(indices, inputs.device)
    rest = tuple(inputs.shape[indices.shape[-1]:])
    updates = updates.reshape((-1,) + rest)
    out = inputs.clone()
    if reduction is None:
        out[index] = updates
        return out
    if reduction == "add":
        return out.index_put_(index, updates, accumulate=True)
    combine = {"max": torch.maximum, "min": torch.minimum,
               "mul": torch.mul}.get(reduction)
    if combine is None:
        raise ValueError(
            "`scatter_update` expects `reduction` to be None, 'add', 'max', "
            f"'min' or 'mul'. Received: reduction={reduction!r}")
    for i in range(updates.shape[0]):
        at = tuple(t[i] for t in index)
        out[at] = combine(out[at], updates[i])
    return out


@keras_op(tf=("unstack", ("value", "num", "axis")))
def unstack(x, num=None, axis=0):
    """Splits `x` along `axis` into a list of tensors.

    Args:
        x: Input tensor.
        num: Expected size of `axis`; a different size raises a `ValueError`.
            `None` skips the check.
        axis: The axis to split along.

    Returns:
        A list of `x.shape[axis]` tensors, each of rank one less than `x`.

    Examples:
        >>> keras.ops.unstack(keras.ops.convert_to_tensor([[1, 2], [3, 4]]))
        [tensor([1, 2], dtype=torch.int32), tensor([3, 4], dtype=torch.int32)]
    """
    x = convert_to_tensor(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(
            f"`unstack` got num={num} but axis {axis} of x has size "
            f"{x.shape[axis]}. Received: x.shape={tuple(x.shape)}")
    return list(torch.unbind(x, dim=axis))


# --------------------------------------------------------------------------
# Control flow (eager only).


def _symbolic_error(name):
    return TypeError(
        f"`keras.ops.{name}` runs eagerly on tensors; it cannot be called on "
        "a KerasTensor (a functional-model input). Put the computation in "
        "the `call` method of a Layer subclass, which runs on real tensors. "
        f"Received: a KerasTensor argument to {name}")


def _eager_only(name, *args, **kwargs):
    if any_symbolic(*args, **kwargs):
        raise _symbolic_error(name)


@keras_export("keras.ops.cond")
def cond(pred, true_fn, false_fn):
    """Returns `true_fn()` if `pred` is true, else `false_fn()`.

    Runs eagerly (only the chosen branch is called); it cannot be called on a
    KerasTensor: put the logic in a Layer's `call` instead.

    Args:
        pred: A scalar boolean (tensor or Python value).
        true_fn: Callable of no arguments, called when `pred` is true.
        false_fn: Callable of no arguments, called otherwise.

    Returns:
        The output of the branch that ran.

    Examples:
        >>> x = keras.ops.convert_to_tensor(3.0)
        >>> keras.ops.cond(x > 0, lambda: x * 2, lambda: -x)
        tensor(6.)
    """
    _eager_only("cond", pred)
    return true_fn() if bool(pred) else false_fn()


@keras_export("keras.ops.switch")
def switch(index, branches, *operands):
    """Calls `branches[index](*operands)`.

    `index` is clamped to `[0, len(branches) - 1]`. Runs eagerly; it cannot be
    called on a KerasTensor.

    Args:
        index: Integer scalar selecting the branch.
        branches: Sequence of callables, each taking the `operands`.

    Returns:
        The output of the selected branch.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 2.0])
        >>> keras.ops.switch(1, [lambda v: v + 1, lambda v: v * 10], x)
        tensor([10., 20.])
    """
    _eager_only("switch", index, *operands)
    i = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[i](*operands)


@keras_export("keras.ops.while_loop")
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Runs `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true.

    Runs eagerly in Python; it cannot be called on a KerasTensor.

    Args:
        cond: Callable taking the loop variables, returning a boolean.
        body: Callable taking the loop variables, returning their new values
            (same structure).
        loop_vars: A value or a tuple/list of values: the initial loop
            variables.
        maximum_iterations: Optional maximum number of iterations.

    Returns:
        The final loop variables, in the structure of `loop_vars`.

    Examples:
        >>> keras.ops.while_loop(lambda i, total: i < 4,
        ...                      lambda i, total: (i + 1, total + i), (0, 0))
        (4, 6)
    """
    _eager_only("while_loop", loop_vars)
    is_tuple = isinstance(loop_vars, (list, tuple))
    values = tuple(loop_vars) if is_tuple else (loop_vars,)
    step = 0
    while (maximum_iterations is None or step < maximum_iterations) and bool(
            cond(*values)):
        values = body(*values)
        if not isinstance(values, (list, tuple)):
            values = (values,)
        values = tuple(values)
        step += 1
    if not is_tuple:
        return values[0]
    return type(loop_vars)(values) if isinstance(loop_vars, list) else values


@keras_export("keras.ops.fori_loop")
def fori_loop(lower, upper, body_fun, init_val):
    """Runs `val = body_fun(i, val)` for `i` in `range(lower, upper)`.

    Runs eagerly in Python; it cannot be called on a KerasTensor.

    Args:
        lower: First loop index (inclusive).
        upper: Last loop index (exclusive).
        body_fun: Callable `(i, val) -> new val`.
        init_val: Initial value of `val`.

    Returns:
        The final `val`.

    Examples:
        >>> keras.ops.fori_loop(0, 5, lambda i, total: total + i, 0)
        10
    """
    _eager_only("fori_loop", lower, upper, init_val)
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def _stack_structure(items):
    """A list of equally structured outputs -> one structure of stacks."""
    if not items:
        return None
    flat = [tree.flatten(item) for item in items]
    stacked = [None if column[0] is None else torch.stack(
        [convert_to_tensor(v) for v in column]) for column in zip(*flat)]
    return tree.pack_sequence_as(items[0], stacked)


def _length(xs, length):
    leaves = [x for x in tree.flatten(xs) if x is not None]
    if leaves:
        return int(convert_to_tensor(leaves[0]).shape[0])
    if length is None:
        raise ValueError(
            "`scan` needs `xs` or `length` to know how many steps to run. "
            "Received: xs=None, length=None")
    return int(length)


@keras_export("keras.ops.scan")
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Scans `f` over the leading axis of `xs`, carrying a state along.

    At each step `carry, y = f(carry, x)`; the `y`s are stacked along a new
    leading axis. Runs eagerly in Python; it cannot be called on a
    KerasTensor.

    Args:
        f: Callable `(carry, x) -> (carry, y)`.
        init: Initial carry.
        xs: Tensor (or nested structure of tensors) to scan over its leading
            axis; `None` calls `f` with `x=None` `length` times.
        length: Number of steps, needed only when `xs` is `None`.
        reverse: Whether to scan from the last element to the first (the `y`s
            stay in the order of `xs`).
        unroll: Accepted for Keras compatibility; the loop always runs in
            Python.

    Returns:
        A tuple `(final_carry, stacked_ys)`.

    Examples:
        >>> def step(carry, x):
        ...     carry = carry + x
        ...     return carry, carry
        >>> xs = keras.ops.convert_to_tensor([1.0, 2.0, 3.0])
        >>> keras.ops.scan(step, 0.0, xs)
        (tensor(6.), tensor([1., 3., 6.]))
    """
    _eager_only("scan", init, xs)
    n = _length(xs, length)
    xs = tree.map_structure(
        lambda v: None if v is None else convert_to_tensor(v), xs)
    carry = init
    ys = [None] * n
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = None if xs is None else tree.map_structure(
            lambda v, i=i: None if v is None else v[i], xs)
        carry, ys[i] = f(carry, x)
    return carry, _stack_structure(ys)


@keras_export("keras.ops.map")
def map(f, xs):
    """Applies `f` to each slice of `xs` along its leading axis; stacks results.

    Runs eagerly in Python; it cannot be called on a KerasTensor.

    Args:
        f: Callable applied to each slice (with the structure of `xs`).
        xs: Tensor or nested structure of tensors sharing a leading axis.

    Returns:
        The outputs of `f`, stacked along a new leading axis.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.ops.map(lambda row: keras.ops.sum(row), x)
        tensor([3., 7.])
    """
    _eager_only("map", xs)
    n = _length(xs, None)
    return _stack_structure([
        f(tree.map_structure(lambda v, i=i: convert_to_tensor(v)[i], xs))
        for i in range(n)])


@keras_export("keras.ops.vectorized_map")
def vectorized_map(function, elements):
    """Applies `function` to each slice of `elements` along its leading axis.

    On torch this loops over the slices and stacks the results, as Keras's
    torch backend does.

    Args:
        function: Callable applied to each slice.
        elements: Tensor or nested structure of tensors sharing a leading
            axis.

    Returns:
        The outputs of `function`, stacked along a new leading axis.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.ops.vectorized_map(lambda v: keras.ops.dot(v, v), x)
        tensor([ 5., 25.])
    """
    _eager_only("vectorized_map", elements)
    return map(function, elements)


@keras_export("keras.ops.associative_scan")
def associative_scan(f, elems, reverse=False, axis=0):
    """Cumulative reduction of `elems` along `axis` with an associative `f`.

    `out[0] = elems[0]` and `out[i] = f(out[i - 1], elems[i])` (from the end
    when `reverse`). Runs eagerly in Python; it cannot be called on a
    KerasTensor.

    Args:
        f: Associative callable combining two slices (or two structures of
            slices) into one.
        elems: Tensor or nested structure of tensors with the same size along
            `axis`.
        reverse: Whether to accumulate from the last element to the first.
        axis: The axis to scan along.

    Returns:
        Tensors of the structure and shapes of `elems`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1, 2, 3, 4])
        >>> keras.ops.associative_scan(lambda a, b: a + b, x)
        tensor([ 1,  3,  6, 10], dtype=torch.int32)
    """
    _eager_only("associative_scan", elems)
    elems = tree.map_structure(
        lambda v: convert_to_tensor(v).movedim(axis, 0), elems)
    n = int(tree.flatten(elems)[0].shape[0])
    steps = range(n - 1, -1, -1) if reverse else range(n)
    out = [None] * n
    acc = None
    for i in steps:
        x = tree.map_structure(lambda v, i=i: v[i], elems)
        acc = x if acc is None else f(acc, x)
        out[i] = acc
    stacked = _stack_structure(out)
    return tree.map_structure(lambda v: v.movedim(0, axis), stacked)


@keras_export("keras.ops.custom_gradient")
def custom_gradient(f):
    """Decorates `f` so the backward pass uses the gradient function it returns.

    `f(*args)` returns `(output, grad_fn)`; during backpropagation
    `grad_fn(*args, upstream=upstream)` gives the gradients with respect to
    `args` (Keras 3's torch convention). The decorated function runs eagerly;
    it cannot be called on a KerasTensor.

    Args:
        f: Callable returning `(output, grad_fn)`.

    Returns:
        The decorated function.

    Examples:
        >>> @keras.ops.custom_gradient
        ... def clipped_square(x):
        ...     def grad_fn(*args, upstream):
        ...         return keras.ops.clip(2.0 * x * upstream, -1.0, 1.0)
        ...     return x * x, grad_fn
        >>> x = torch.tensor([0.25, 3.0], requires_grad=True)
        >>> clipped_square(x).sum().backward()
        >>> x.grad
        tensor([0.5000, 1.0000])
    """
    def wrapper(*args, **kwargs):
        _eager_only(getattr(f, "__name__", "custom_gradient"), *args,
                    **kwargs)
        return _CustomGradient.apply(f, kwargs, *args)

    return wrapper


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, f, kwargs, *args):
        ctx.save_for_backward(*[
            a for a in args if isinstance(a, torch.Tensor)])
        ctx.args = args
        output, ctx.grad_fn = f(*args, **kwargs)
        return output

    @staticmethod
    def backward(ctx, *upstream):
        grads = ctx.grad_fn(*ctx.args, upstream=upstream[0]
                            if len(upstream) == 1 else upstream)
        if not isinstance(grads, (list, tuple)):
            grads = (grads,)
        return (None, None) + tuple(grads)


# --------------------------------------------------------------------------
# einops-style rearrange.


def _parse_side(side):
    """``"b (h w) c"`` -> ``[["b"], ["h", "w"], ["c"]]``."""
    groups = []
    current = None
    for token in side.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            current = []
        elif token == ")":
            groups.append(current)
            current = None
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    return groups


@keras_op(keras3=False)
def rearrange(tensor, pattern, **axes_lengths):
    """Reorders, splits and merges the axes of `tensor` by an einops pattern.

    The pattern is `"left -> right"`: each side names the axes, with
    parenthesised groups for merged axes (`"b (h w) c -> b h w c"`). The size
    of a split axis that cannot be inferred is passed as a keyword argument.

    Args:
        tensor: Input tensor.
        pattern: The einops pattern.
        **axes_lengths: Sizes of named axes, such as `h=4`.

    Returns:
        The rearranged tensor.

    Examples:
        >>> x = keras.ops.arange(6)
        >>> keras.ops.rearrange(x, "(h w) -> w h", h=2)
        tensor([[0, 3],
                [1, 4],
                [2, 5]], dtype=torch.int32)
    """
    tensor = convert_to_tensor(tensor)
    if "->" not in pattern:
        raise ValueError(
            "`rearrange` expects a pattern 'left -> right'. Received: "
            f"pattern={pattern!r}")
    left, right = (_parse_side(s) for s in pattern.split("->"))
    if len(left) != tensor.ndim:
        raise ValueError(
            f"`rearrange`: the pattern's left side has {len(left)} axes "
            f"but the tensor has {tensor.ndim}. Received: "
            f"pattern={pattern!r}, shape={tuple(tensor.shape)}")
    sizes = dict(axes_lengths)
    for group, size in zip(left, tensor.shape):
        unknown = [a for a in group if a not in sizes]
        known = 1
        for a in group:
            known *= sizes.get(a, 1)
        if len(unknown) > 1:
            raise ValueError(
                f"`rearrange` cannot infer the sizes of {unknown}; pass "
                f"them as keyword arguments. Received: pattern={pattern!r}")
        if unknown:
            sizes[unknown[0]] = size // known
    flat_left = [a for group in left for a in group]
    flat_right = [a for group in right for a in group]
    if sorted(flat_left) != sorted(flat_right):
        raise ValueError(
            "`rearrange`: both sides must name the same axes. Received: "
            f"pattern={pattern!r}")
    x = tensor.reshape([sizes[a] for a in flat_left])
    x = x.permute([flat_left.index(a) for a in flat_right])
    shape = []
    for group in right:
        size = 1
        for a in group:
            size *= sizes[a]
        shape.append(size)
    return x.reshape(shape)
