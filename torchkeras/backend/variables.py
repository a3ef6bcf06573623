"""The Keras variable: a ``torch.nn.Parameter`` with a Keras name.

Trainable weights are registered on their layer as parameters; non-trainable
ones (BatchNormalization statistics, user state) as buffers. Either way the
object is a ``Variable`` so that ``w.name``, ``w.path``, ``w.numpy()`` and
``w.assign(...)`` behave as in Keras. A ``Variable`` a user makes
(``keras.Variable(0.5)``, ``K.variable(...)``) and assigns to a layer
attribute is tracked by the layer (``layers/layer.py``). Layout conversion
(Keras kernel layouts vs torch's) is owned by each layer family, not by the
variable.
"""

import copy

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.utils.registry import keras_export

_AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = (None, "none", "on_read", "on_write", "auto")


@keras_export("keras.Variable")
class Variable(torch.nn.Parameter):
    """A Keras variable: a tensor with a name, ``assign`` and ``numpy``.

    Takes Keras 3's arguments. Assigned to an attribute of a layer or model
    (``self.alpha = keras.Variable(0.5)``), it becomes one of that layer's
    weights: it is in ``weights``, trains in ``fit``, and is saved.

    Args:
        initializer: the initial value (a number, NumPy array or tensor,
            copied), or an initializer (a name such as ``"zeros"`` or an
            initializer object), which then needs ``shape``.
        shape: the shape, needed with an initializer.
        dtype: default: an initializer's values and Python floats are
            ``floatx()``, Python ints ``int32``, NumPy float64 arrays
            ``floatx()``; other arrays and tensors keep theirs.
        trainable: whether ``fit`` and optimizers update it (floating
            point variables only).
        autocast: accepted for Keras compatibility.
        aggregation: ``"none"``, ``"mean"``, ``"sum"`` or
            ``"only_first_replica"``.
        synchronization: accepted for Keras compatibility.
        name: the variable's name (no ``/``). A layer that tracks an
            unnamed variable names it after the attribute.

    Internal code wraps an existing tensor without copying it by passing
    ``requires_grad`` (and ``path``); torch's positional form
    ``Variable(tensor, requires_grad)`` does the same.

    Examples:
        >>> v = keras.Variable(np.array([1.0, 2.0]), name="v")
        >>> v.assign([3.0, 4.0]).numpy()
        array([3., 4.], dtype=float32)
        >>> keras.Variable("ones", shape=(2,), trainable=False).trainable
        False
    """

    def __new__(cls, initializer=None, shape=None, dtype=None,
                trainable=True, autocast=True, aggregation="none",
                synchronization="auto", name=None, *, requires_grad=None,
                path=None):
        if isinstance(shape, bool):  # torch: Parameter(data, requires_grad)
            requires_grad, shape = shape, None
        _check_choice("aggregation", aggregation, _AGGREGATIONS)
        _check_choice("synchronization", synchronization, _SYNCHRONIZATIONS)
        if requires_grad is None:
            if name is not None and (
                    not isinstance(name, str) or "/" in name):
                raise ValueError(
                    "Argument `name` must be a string and cannot contain "
                    f"character `/`. Received: name={name!r}"
                )
            data = _initial_value(initializer, shape, dtype)
            requires_grad = bool(trainable) and (
                data.is_floating_point() or data.is_complex())
        else:
            data = _wrapped_value(initializer)
        var = torch.nn.Parameter.__new__(cls, data, requires_grad)
        var._keras_name = name
        var._keras_path = path or name
        if aggregation not in (None, "none"):
            var._keras_aggregation = aggregation
        return var

    def __init__(self, *args, **kwargs):
        pass

    @property
    def name(self):
        """The full name, ``'dense_1/kernel'`` (as ``model.weights`` show)."""
        return self._keras_path or "variable"

    @property
    def path(self):
        return self._keras_path or "variable"

    @property
    def trainable(self):
        return self.requires_grad

    @trainable.setter
    def trainable(self, value):
        self.requires_grad_(bool(value) and self.is_floating_point())

    @property
    def aggregation(self):
        return self.__dict__.get("_keras_aggregation", "none")

    @property
    def constraint(self):
        return self.__dict__.get("_keras_constraint")

    def numpy(self):
        """A NumPy copy of the value (later updates leave it unchanged)."""
        value = self.detach()
        if value.device.type != "cpu":
            return value.cpu().numpy()  # `cpu()` copied already
        return value.numpy().copy()

    # A TF variable converts to a Python number without complaint; torch
    # warns for tensors that require grad, so convert the detached value.
    def item(self):
        return self.detach().item()

    def __float__(self):
        return float(self.detach())

    def __int__(self):
        return int(self.detach())

    def __format__(self, format_spec):
        if self.dim() == 0:  # torch formats only plain 0-dim tensors
            return self.item().__format__(format_spec)
        return super().__format__(format_spec)

    @property
    def value(self):
        """The tensor itself (Keras 3: ``v.value.grad`` is the gradient)."""
        return self

    def assign(self, value):
        with torch.no_grad():
            self.copy_(torch.as_tensor(np.asarray(value)
                                       if not torch.is_tensor(value)
                                       else value, dtype=self.dtype))
        return self

    def assign_add(self, value):
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype,
                                      device=self.device))
        return self

    def assign_sub(self, value):
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype,
                                      device=self.device))
        return self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(
            self.data.clone(memory_format=torch.preserve_format),
            requires_grad=self.requires_grad,
            name=self._keras_name,
            path=self._keras_path,
        )
        memo[id(self)] = result
        result.__dict__.update(
            {k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()
             if k not in ("_keras_name", "_keras_path")}
        )
        return result

    def __reduce_ex__(self, proto):
        return (
            _rebuild_typed_variable,
            (type(self), self.data, self.requires_grad, self._keras_name,
             self._keras_path, self.__dict__.get("_keras_aggregation")),
        )

    def __repr__(self):
        return (f"<Variable path={self.path}, "
                f"shape={tuple(self.shape)}, dtype={self.dtype}>")


def _check_choice(arg, value, choices):
    if value not in choices:
        raise ValueError(
            f"Invalid value for argument `{arg}`. Expected one of "
            f"{[c for c in choices if c is not None]} or None. "
            f"Received: {arg}={value!r}"
        )


def _wrapped_value(data):
    """The tensor an internal ``Variable(tensor, requires_grad=...)`` wraps."""
    if data is None:
        return torch.empty(0)
    if isinstance(data, torch.nn.Parameter):
        return data.data
    return data


def _initial_value(initializer, shape, dtype):
    """A fresh tensor from Keras 3's ``initializer``/``shape``/``dtype``."""
    torch_dtype = None if dtype is None else config.to_torch_dtype(dtype)
    if isinstance(initializer, str) or (
            callable(initializer) and not torch.is_tensor(initializer)):
        from torchkeras import initializers

        if shape is None:
            raise ValueError(
                "When creating a Variable from an initializer, the `shape` "
                f"argument should be specified. Received: "
                f"initializer={initializer!r} and shape={shape}"
            )
        init = initializers.get(initializer)
        dtype = config.standardize_dtype(dtype or config.floatx())
        value = torch.as_tensor(init(tuple(shape), dtype=dtype),
                                dtype=config.to_torch_dtype(dtype))
        return value.reshape(tuple(shape)).clone()
    if initializer is None:
        raise ValueError(
            "Argument `initializer` must be a value or an initializer. "
            "Received: initializer=None"
        )
    if torch.is_tensor(initializer):
        value = initializer.detach().clone()
    else:
        array = np.asarray(initializer)
        if torch_dtype is None:
            torch_dtype = _default_dtype(initializer, array)
        value = torch.tensor(array, dtype=torch_dtype)
    if torch_dtype is not None and value.dtype != torch_dtype:
        value = value.to(torch_dtype)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(
            "The initial value's shape does not match argument `shape`. "
            f"Received: initializer.shape={tuple(value.shape)}, "
            f"shape={tuple(shape)}"
        )
    return value


def _default_dtype(value, array):
    """Keras's dtype for a value given without ``dtype``."""
    if isinstance(value, bool) or array.dtype == np.bool_:
        return torch.bool
    if isinstance(value, int):
        return torch.int32
    if isinstance(value, float) or array.dtype == np.float64:
        return config.to_torch_dtype(config.floatx())
    if array.dtype == np.int64 and not isinstance(value, np.ndarray):
        return torch.int32  # a list of Python ints
    return None


def _rebuild_variable(data, requires_grad, name, path):
    """Unpickles Variables pickled before ``_rebuild_typed_variable``."""
    return Variable(data, requires_grad=requires_grad, name=name, path=path)


def _rebuild_typed_variable(cls, data, requires_grad, name, path,
                            aggregation=None):
    var = cls(data, requires_grad=requires_grad, name=name, path=path)
    if aggregation is not None:
        var._keras_aggregation = aggregation
    return var
