"""The ``Metric`` base class and the state variables metrics accumulate into.

A metric is a ``torch.nn.Module`` whose state lives in buffers: they sit on
the module's device, move with ``.to()``, appear in ``state_dict()`` and can
be all-reduced across processes (each says how, in ``aggregation``). Every
state buffer is a ``StateVariable``: a tensor with the tf.keras variable
methods (``assign``, ``assign_add``, ``assign_sub``, ``numpy``), which update
it in place, so a metric written the tf.keras way runs unchanged::

    self.tp = self.add_weight(name="tp", initializer="zeros")
    ...
    self.tp.assign_add(ops.sum(values))

Concrete metrics live in the sibling modules; lookup by name in
``metrics/__init__.py``. Synchronising states across processes belongs to
``distribute``.
"""

import copy

import torch

from torchkeras.backend.config import floatx
from torchkeras.backend.config import standardize_dtype
from torchkeras.backend.config import to_torch_dtype
from torchkeras.backend.device import current_device
from torchkeras.backend.global_state import unique_name
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.registry import keras_export

_AGGREGATIONS = ("sum", "mean", "none", "only_first_replica")


class StateVariable(torch.Tensor):
    """A metric state tensor with Keras's variable methods.

    ``assign``, ``assign_add`` and ``assign_sub`` write in place (``copy_``,
    ``add_``, ``sub_``) and detach the value first, so a metric never keeps
    an autograd graph alive. Arithmetic on a state variable returns plain
    tensors (``__torch_function__`` is disabled, which also keeps ops fast).
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    @property
    def name(self):
        """The Keras name given to ``add_variable`` (``'total'``)."""
        return self.__dict__.get("_keras_name")

    @property
    def path(self):
        """``'metric_name/variable_name'``."""
        return self.__dict__.get("_keras_path")

    @property
    def aggregation(self):
        """How processes combine this state: ``'sum'``, ``'mean'``, ..."""
        return self.__dict__.get("_aggregation", "sum")

    @property
    def trainable(self):
        return False

    def value(self):
        """The current value as a plain (detached) tensor."""
        return torch.Tensor.detach(self)

    def numpy(self, *args, **kwargs):
        """The current value as a NumPy array (copies to the host)."""
        host = torch.Tensor.cpu(torch.Tensor.detach(self))
        return torch.Tensor.numpy(host, *args, **kwargs)

    def assign(self, value):
        self.copy_(_as_update(value, self))
        return self

    def assign_add(self, value):
        self.add_(_as_update(value, self))
        return self

    def assign_sub(self, value):
        self.sub_(_as_update(value, self))
        return self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        clone = torch.Tensor.clone(self, memory_format=torch.preserve_format)
        result = clone.as_subclass(type(self))
        memo[id(self)] = result
        result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return result

    def __repr__(self, *args, **kwargs):
        return (f"<StateVariable path={self.path}, shape={tuple(self.shape)}, "
                f"dtype={self.dtype}>")


def _as_update(value, variable):
    """Turns ``value`` into something ``variable``'s in-place ops accept."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        if value.device != variable.device and value.dim() > 0:
            value = value.to(variable.device, non_blocking=True)
        return value
    if isinstance(value, (bool, int, float)):
        return value
    return torch.as_tensor(value, dtype=variable.dtype, device=variable.device)


@keras_export("keras.metrics.Metric")
class Metric(torch.nn.Module):
    """Encapsulates metric logic and state.

    Subclasses create their state in ``__init__`` (or lazily, on the first
    ``update_state``) with ``add_variable``/``add_weight``, accumulate into
    it in ``update_state`` and compute the value in ``result``. Calling the
    metric runs ``update_state`` and returns ``result()``.

    Args:
        name: (Optional) string name of the metric instance. Defaults to the
            snake-case class name, made unique.
        dtype: (Optional) data type of the metric result. Defaults to
            ``backend.floatx()``.

    Examples:
        >>> class BinaryTruePositives(Metric):
        ...     def __init__(self, name="binary_true_positives", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.true_positives = self.add_weight(name="tp")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         values = (torch.as_tensor(y_true) == 1) & (
        ...             torch.as_tensor(y_pred) == 1)
        ...         self.true_positives.assign_add(values.sum())
        ...     def result(self):
        ...         return self.true_positives.value()
        >>> m = BinaryTruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name=None, dtype=None):
        super().__init__()
        if name is None:
            name = unique_name(to_snake_case(type(self).__name__))
        self.name = name
        self._dtype = floatx() if dtype is None else standardize_dtype(dtype)
        self._state_keys = []
        self._state_specs = {}
        self._state_aliases = {}
        self._device = None

    # -- state -------------------------------------------------------------

    def add_variable(self, shape, initializer="zeros", dtype=None,
                     aggregation="sum", name=None):
        """Creates a state buffer and returns it (a ``StateVariable``).

        Args:
            shape: the shape, a tuple of ints (``()`` for a scalar).
            initializer: ``'zeros'``, ``'ones'``, a number, an array, an
                initializer name/config/object or ``fn(shape, dtype)``.
                ``reset_state`` restores this value.
            dtype: the variable dtype. Defaults to the metric's ``dtype``.
            aggregation: how processes combine it: ``'sum'`` (default),
                ``'mean'``, ``'none'`` or ``'only_first_replica'``.
            name: the variable name (also its buffer name when free).
        """
        self._check_super_called()
        if aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"Invalid `aggregation` for variable {name!r} of metric "
                f"'{self.name}'. Expected one of {_AGGREGATIONS}. "
                f"Received: aggregation={aggregation!r}"
            )
        shape = _standardize_shape(shape, name)
        dtype = to_torch_dtype(self._dtype if dtype is None else dtype)
        key = self._free_buffer_key(name or "variable")
        with torch.inference_mode(False):
            value = torch.empty(shape, dtype=dtype,
                                device=self._new_state_device())
            _initialize(value, initializer, name)
        self.register_buffer(key, value.as_subclass(StateVariable))
        self._state_keys.append(key)
        self._state_specs[key] = {
            "name": name or key,
            "initializer": initializer,
            "aggregation": aggregation,
        }
        self._tag_state(key)
        return self._buffers[key]

    def add_weight(self, name=None, shape=None, initializer="zeros",
                   dtype=None, aggregation="sum", **kwargs):
        """The tf.keras spelling of ``add_variable``.

        Takes ``name`` first (tf.keras: ``add_weight("tp", shape=())``); a
        shape passed first is read in the Keras 3 order,
        ``add_weight(shape, initializer, dtype, name)``. tf.keras-only
        keywords such as ``synchronization`` are accepted and ignored.
        """
        kwargs.pop("synchronization", None)
        if kwargs:
            raise TypeError(
                f"Metric '{self.name}': unexpected keyword arguments for "
                f"`add_weight`. Received: {sorted(kwargs)}"
            )
        if name is not None and not isinstance(name, str):
            # Keras 3 order: the second positional is the initializer.
            if shape is not None:
                initializer = shape
            name, shape = None, name
        return self.add_variable(shape=shape, initializer=initializer,
                                 dtype=dtype, aggregation=aggregation,
                                 name=name)

    @property
    def variables(self):
        """State variables, in creation order, then those of sub-metrics."""
        variables = [self._buffers[key] for key in self._state_keys]
        for module in self.children():
            if isinstance(module, Metric):
                variables.extend(module.variables)
        return variables

    @property
    def weights(self):
        return self.variables

    @property
    def non_trainable_weights(self):
        return self.variables

    @property
    def trainable_weights(self):
        return []

    @property
    def dtype(self):
        """The Keras name of the result dtype (``'float32'``)."""
        return self._dtype

    # -- the metric API ----------------------------------------------------

    def update_state(self, *args, **kwargs):
        """Accumulates statistics for the metric."""
        raise NotImplementedError(
            f"Metric {type(self).__name__} does not implement "
            "`update_state()`."
        )

    def result(self):
        """Computes the current value from the state (no host sync)."""
        raise NotImplementedError(
            f"Metric {type(self).__name__} does not implement `result()`."
        )

    def reset_state(self):
        """Restores every state variable to its initial value."""
        for module in self.modules():
            if isinstance(module, Metric):
                module._reset_own_variables()

    def reset_states(self):
        """The tf.keras alias of ``reset_state``."""
        return self.reset_state()

    def forward(self, *args, **kwargs):
        """``metric(y_true, y_pred)``: ``update_state`` then ``result()``."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        """Returns the serializable config of the metric."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # -- torch.nn.Module plumbing -----------------------------------------

    def __setattr__(self, name, value):
        aliases = self.__dict__.get("_state_aliases")
        if aliases is not None and isinstance(value, StateVariable):
            key = self._key_of(value)
            if key is not None and key != name:
                # `self.tp = self.add_weight(name="true_positives")`: the
                # attribute follows the buffer, which `.to()` replaces.
                self.__dict__.pop(name, None)
                aliases[name] = key
                return
        if aliases is not None:
            aliases.pop(name, None)
        super().__setattr__(name, value)
        if name == "name" and aliases is not None:
            for key in self._state_keys:  # paths are "metric_name/var"
                self._tag_state(key)

    def __getattr__(self, name):
        aliases = self.__dict__.get("_state_aliases")
        if aliases is not None and name in aliases:
            return self._buffers[aliases[name]]
        return super().__getattr__(name)

    def __delattr__(self, name):
        aliases = self.__dict__.get("_state_aliases")
        if aliases is not None and name in aliases:
            del aliases[name]
            return
        super().__delattr__(name)

    def _apply(self, fn, recurse=True):
        dtype = to_torch_dtype(self._dtype)
        probe = torch.empty(0, dtype=dtype, device=self._device)
        super()._apply(fn, recurse)
        moved = fn(probe)
        self._device = moved.device
        if moved.dtype != dtype and moved.is_floating_point():
            self._dtype = standardize_dtype(moved.dtype)
        for key in self._state_keys:
            self._tag_state(key)
        return self

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    def __str__(self):
        return self.__repr__()

    # -- helpers for subclasses -------------------------------------------

    def _new_state_device(self):
        """Where new states and constant buffers go: where the metric was
        moved, else the device policy's device."""
        return self._device or current_device()

    def _state_device(self):
        """Where the state lives (``None`` before any state or ``.to()``)."""
        if self._state_keys:
            return self._buffers[self._state_keys[0]].device
        return self._device

    def _check_super_called(self):
        if "_state_keys" not in self.__dict__:
            raise RuntimeError(
                f"You forgot to call `super().__init__()` in the `__init__()` "
                f"method of {type(self).__name__}. Go add it!"
            )

    def _reset_own_variables(self):
        for key in self._state_keys:
            spec = self._state_specs[key]
            _initialize(self._buffers[key], spec["initializer"], spec["name"])

    def _key_of(self, value):
        for key in self._state_keys:
            if self._buffers.get(key) is value:
                return key
        return None

    def _free_buffer_key(self, name):
        base = str(name).replace("/", "_").replace(".", "_") or "variable"
        key, index = base, 0
        while self._is_taken(key):
            index += 1
            key = f"{base}_{index}"
        return key

    def _is_taken(self, key):
        return (key in self._buffers or key in self._parameters
                or key in self._modules or key in self.__dict__
                or key in self._state_aliases or hasattr(type(self), key))

    def _tag_state(self, key):
        """Re-attaches the ``StateVariable`` type and names after ``_apply``."""
        value = self._buffers[key]
        if type(value) is not StateVariable:
            value = value.as_subclass(StateVariable)
            self._buffers[key] = value
        spec = self._state_specs[key]
        value._keras_name = spec["name"]
        value._keras_path = f"{self.name}/{spec['name']}"
        value._aggregation = spec["aggregation"]


def _standardize_shape(shape, name):
    if shape is None:
        return ()
    if isinstance(shape, int):
        return (shape,)
    try:
        shape = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"Invalid shape for metric variable {name!r}: expected a tuple "
            f"of ints. Received: shape={shape!r}"
        ) from None
    return shape


def _initialize(variable, initializer, name):
    """Writes ``initializer``'s value into ``variable`` in place."""
    with torch.no_grad():
        if initializer is None or _is_name(initializer, "zeros", "zero"):
            variable.zero_()
        elif _is_name(initializer, "ones", "one"):
            variable.fill_(1)
        elif isinstance(initializer, (bool, int, float)):
            variable.fill_(initializer)
        else:
            variable.copy_(_initial_value(initializer, variable, name))


def _is_name(initializer, *names):
    return isinstance(initializer, str) and initializer.lower() in names


def _initial_value(initializer, variable, name):
    if isinstance(initializer, torch.Tensor):
        return initializer.detach()
    if hasattr(initializer, "__array__") or isinstance(initializer, list):
        return torch.as_tensor(initializer, dtype=variable.dtype)
    from torchkeras import initializers

    fn = initializers.get(initializer)
    value = fn(tuple(variable.shape), dtype=standardize_dtype(variable.dtype))
    if not isinstance(value, torch.Tensor):
        value = torch.as_tensor(value, dtype=variable.dtype)
    if tuple(value.shape) != tuple(variable.shape) and value.dim() > 0:
        raise ValueError(
            f"The initializer of metric variable {name!r} returned a value "
            f"of shape {tuple(value.shape)}; expected "
            f"{tuple(variable.shape)}. Received: initializer={initializer!r}"
        )
    return value
