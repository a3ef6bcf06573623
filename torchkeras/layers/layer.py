"""Layer: the base class of every torchkeras layer and model.

A ``Layer`` is a ``torch.nn.Module``. Its weights are ``Variable``s (a
``torch.nn.Parameter`` subclass) registered on the module: trainable ones as
parameters, non-trainable ones as buffers. It builds lazily, as Keras does:
``build(input_shape)`` runs the first time the layer is called and creates
the weights with ``add_weight``; ``call(inputs, training=None, mask=None)``
uses them.

Calling a layer has two modes, chosen by its inputs:
- on KerasTensors (the functional API) it computes nothing: it builds the
  layer from static shapes, infers the output shapes by running ``call`` on
  meta-device tensors (or from ``compute_output_shape``), records a ``Node``
  and returns new KerasTensors;
- on tensors or NumPy arrays it goes through ``torch.nn.Module.__call__``
  (so torch hooks, DDP and ``torch.compile`` see a normal module) into
  ``forward``, which resolves the ``training`` flag and masks and runs
  ``call``.

The graph itself (ordering, running nodes) belongs to ``engine/functional``;
weight layout conversion for Keras files belongs to each layer family.
"""

import dataclasses
import functools
import inspect
import re

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.backend import dtype_policy as dtype_policies
from torchkeras.backend.device import current_device
from torchkeras.backend.eager_tensor import EagerTensor
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.backend.eager_tensor import eager_outputs
from torchkeras.backend import global_state
from torchkeras.backend import session
from torchkeras.backend.variables import Variable
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.graph.node import Node
from torchkeras.layers.input_spec import assert_input_compatibility
from torchkeras.utils import tree
from torchkeras.utils.naming import to_snake_case
from torchkeras.utils.registry import keras_export


class _AddedMetrics:
    """Counts what may change the metrics a layer tracks: a metric created
    by ``add_metric``, a module (metric or sublayer) assigned to or
    removed from a layer's attributes. A model caches the list of its
    layers' metrics until the count changes."""

    generation = 0


ADDED_METRICS = _AddedMetrics()

_BASE_INIT_KWARGS = ("input_shape", "batch_input_shape", "batch_size",
                     "input_dim", "input_length", "weights",
                     "activity_regularizer", "autocast", "dynamic")

_SIGNATURE_CACHE = {}


def _call_signature(cls):
    """Which optional arguments ``cls.call`` accepts (cached per class)."""
    info = _SIGNATURE_CACHE.get(cls)
    if info is None:
        params = inspect.signature(cls.call).parameters
        has_var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        info = (
            "training" in params or has_var_kw,
            "mask" in params or has_var_kw,
        )
        _SIGNATURE_CACHE[cls] = info
    return info


def _is_plain_config_value(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain_config_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain_config_value(v)
                   for k, v in value.items())
    return False


@keras_export("keras.layers.Layer")
class Layer(torch.nn.Module):
    """The base class of all layers: a torch module with Keras's API.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: the layer's name; unique by default (``dense``, ``dense_1``).
        dtype: the dtype of the weights and computation (``floatx()``).
        input_shape, batch_size, input_dim: accepted on a model's first
            layer, as in tf.keras, to create its input.
        activity_regularizer: a regularizer applied to the outputs.

    Examples:
        >>> import torchkeras as keras
        >>> class Scale(keras.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],),
        ...                                  initializer="ones", name="w")
        ...     def call(self, x):
        ...         return x * self.w
        >>> import torch
        >>> Scale()(torch.ones((2, 3))).shape
        torch.Size([2, 3])
    """

    # Model sets this: a mixed model returns float32 outputs (as Keras's
    # final `Activation("softmax", dtype="float32")` would).
    _float32_outputs = False

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        # Keras 3's auto-config: plain constructor arguments make a config
        # for custom layers that do not override `get_config`.
        try:
            signature = inspect.signature(cls.__init__)
            bound = signature.bind(None, *args, **kwargs)
            arguments = dict(bound.arguments)
            arguments.pop(next(iter(arguments)))
            for param in signature.parameters.values():
                if param.kind == param.VAR_KEYWORD:
                    arguments.update(arguments.pop(param.name, {}))
                elif param.kind == param.VAR_POSITIONAL:
                    arguments.pop(param.name, None)
            instance._auto_config = (
                arguments if _is_plain_config_value(arguments) else None
            )
        except TypeError:
            instance._auto_config = None
        return instance

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(_BASE_INIT_KWARGS)
        if unknown:
            raise TypeError(
                "Unrecognized keyword arguments passed to "
                f"{type(self).__name__}: { {k: kwargs[k] for k in unknown} }"
            )
        super().__init__()
        self.training = False  # Keras: inference unless told otherwise.
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"Argument `name` must be a string. Received: name={name!r}"
            )
        self._name = name or global_state.unique_name(
            to_snake_case(type(self).__name__))
        self._dtype_policy = dtype_policies.get(dtype)
        self._dtype = self._dtype_policy.variable_dtype
        self._trainable = bool(trainable)
        self.built = False
        self.supports_masking = getattr(self, "supports_masking", False)
        self.input_spec = None
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._weight_keys = []
        self._weight_aliases = {}
        self._eager_losses = []
        self._regularized = []
        self._batch_input_shape = self._batch_shape_from_kwargs(kwargs)
        self.activity_regularizer = None
        if kwargs.get("activity_regularizer") is not None:
            from torchkeras import regularizers

            self.activity_regularizer = regularizers.get(
                kwargs["activity_regularizer"])
        self._initial_weights = kwargs.get("weights")

    # ------------------------------------------------------------------
    # Construction helpers.

    @staticmethod
    def _batch_shape_from_kwargs(kwargs):
        if kwargs.get("batch_input_shape") is not None:
            return tuple(kwargs["batch_input_shape"])
        if kwargs.get("input_shape") is not None:
            return (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        if kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
            if kwargs.get("input_length") is not None:
                shape = (kwargs["input_length"],) + shape
            return (kwargs.get("batch_size"),) + shape
        return None

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    @property
    def dtype(self):
        """The dtype of the layer's weights (``'float32'``)."""
        return self._dtype

    @property
    def dtype_policy(self):
        """The layer's ``DTypePolicy`` (``mixed_precision``)."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype_policy = dtype_policies.get(value)
        if not self._weight_keys:
            self._dtype = self._dtype_policy.variable_dtype
        self._forget_call_plan()

    @property
    def compute_dtype(self):
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self._dtype

    @property
    def _compute_torch_dtype(self):
        return config.to_torch_dtype(self._dtype_policy.compute_dtype)

    @property
    def _torch_dtype(self):
        return config.to_torch_dtype(self._dtype)

    # ------------------------------------------------------------------
    # Attribute tracking: weights stored under another attribute name, and
    # lists/dicts of layers (tracked by Keras, not by torch).

    def __setattr__(self, name, value):
        if name in _CALL_PLAN_ATTRS:
            self._forget_call_plan()
        aliases = self.__dict__.get("_weight_aliases")
        if aliases is not None and isinstance(value, Variable):
            key = self._key_of(value)
            if key is not None and key != name:
                aliases[name] = key
                return
            if key is None and _unowned(value):
                self._track_attribute(name, {name: value})
                return
            if key == name:
                # `self.count = self.add_weight(name="count")` or
                # `self.alpha = self.alpha`: already this weight's
                # attribute. Passing it on would let torch re-register a
                # buffer as a parameter and reorder the layer's weights.
                return
        if aliases and name in aliases:
            del aliases[name]
        if self.__dict__.get("_attribute_weights"):
            self._untrack_attribute(name)
        if aliases is not None and isinstance(value, (list, tuple, dict)):
            items = _unowned_variables(name, value)
            if items:
                self._track_attribute(name, items)
        if (isinstance(value, (list, tuple)) and value
                and all(isinstance(v, torch.nn.Module) for v in value)
                and self.__dict__.get("_modules") is not None):
            value = torch.nn.ModuleList(value)
        elif (isinstance(value, dict) and value
              and all(isinstance(v, torch.nn.Module) for v in value.values())
              and all(isinstance(k, str) for k in value)
              and self.__dict__.get("_modules") is not None):
            value = torch.nn.ModuleDict(value)
        if isinstance(value, torch.nn.Module) or name in self.__dict__.get(
                "_modules", ()):
            ADDED_METRICS.generation += 1  # tracked metrics may change
        super().__setattr__(name, value)

    def __delattr__(self, name):
        if name in self.__dict__.get("_modules", ()):
            ADDED_METRICS.generation += 1
        super().__delattr__(name)

    def __getattr__(self, name):
        d = self.__dict__
        # Weights and sublayers first: `self.kernel` in `call` is hot.
        params = d.get("_parameters")
        if params is not None and name in params:
            return params[name]
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            return buffers[name]
        modules = d.get("_modules")
        if modules is not None and name in modules:
            return modules[name]
        aliases = d.get("_weight_aliases")
        if aliases and name in aliases:
            name = aliases[name]
        prop = getattr(type(self), name, None)
        if isinstance(prop, property):
            # The property itself raised AttributeError: let its own
            # message through instead of torch's generic one.
            return prop.fget(self)
        return super().__getattr__(name)

    def _track_attribute(self, name, items):
        """Makes user Variables assigned to attribute ``name`` weights.

        ``items`` maps weight keys to Variables (one, or one per element of
        a list/dict attribute). An unnamed Variable is named after its key;
        its path becomes ``'<layer name>/<name>'``. Trainable ones are
        parameters, the others buffers, as ``add_weight`` registers them.
        """
        self._untrack_attribute(name)
        self.__dict__["_weight_keys"] = [
            (k, t) for k, t in self._weight_keys if k not in items]
        device = self._weight_device()
        for key, var in items.items():
            for store in (self.__dict__, self._parameters, self._buffers):
                store.pop(key, None)
            if var.device != device:
                var.data = var.data.to(device)
            var._keras_name = self._unique_weight_name(
                var._keras_name or key)
            var._keras_path = f"{self.name}/{var._keras_name}"
            trainable = var.requires_grad
            if trainable:
                var.requires_grad_(self._trainable)
                self.register_parameter(key, var)
            else:
                self.register_buffer(key, var)
                self.__dict__.setdefault("_buffer_names", {})[key] = (
                    var._keras_path)
            self._weight_keys.append((key, trainable))
        self.__dict__.setdefault("_attribute_weights", {})[name] = list(
            items)

    def _untrack_attribute(self, name):
        keys = self.__dict__.get("_attribute_weights", {}).pop(name, ())
        if keys:
            self.__dict__["_weight_keys"] = [
                (k, t) for k, t in self._weight_keys if k not in keys]
            for key in keys:
                self._parameters.pop(key, None)
                self._buffers.pop(key, None)

    def _key_of(self, variable):
        for key, _ in self.__dict__.get("_weight_keys", ()):
            store = self._parameters if key in self._parameters else (
                self._buffers)
            if store.get(key) is variable:
                return key
        return None

    def _apply(self, fn, recurse=True):
        # Buffers come back from `.to()` as new plain tensors: put the new
        # value in the old Variable, so that its Keras name survives device
        # and dtype moves and user references (`layer.weights`) stay valid.
        before = {key: self._buffers[key] for key, _ in self._weight_keys
                  if isinstance(self._buffers.get(key), Variable)}
        result = super()._apply(fn, recurse=recurse)
        for key, old in before.items():
            new = self._buffers.get(key)
            if new is not None and new is not old:
                old.data = new.data if isinstance(new, Variable) else new
                self._buffers[key] = old
        for key, trainable in self._weight_keys:
            w = self._get_weight(key)
            if w.is_floating_point():
                self._dtype = config.standardize_dtype(w.dtype)
                if self._dtype != self._dtype_policy.variable_dtype:
                    self._dtype_policy = dtype_policies.get(self._dtype)
                break
        self._forget_call_plan()
        for key, _ in self._weight_keys:
            buf = self._buffers.get(key)
            if buf is not None and not isinstance(buf, Variable):
                old = self.__dict__.get("_buffer_names", {}).get(key)
                self._buffers[key] = Variable(buf, requires_grad=False,
                                              name=old, path=old)
        return result

    # ------------------------------------------------------------------
    # Weights.

    def add_weight(self, *args, **kwargs):
        """Creates a weight of this layer and registers it on the module.

        Accepts both spellings: Keras 3's ``add_weight(shape, initializer,
        dtype, trainable, ...)`` and tf.keras 2's ``add_weight(name, shape,
        ...)`` (a string as first positional argument is the name).

        Args:
            shape: the weight's shape, in Keras layout.
            initializer: name, callable or initializer object; default
                ``glorot_uniform`` for floats, ``zeros`` otherwise.
            dtype: default the layer's dtype.
            trainable: trainable weights are parameters, others buffers.
            regularizer: adds its penalty to ``layer.losses``.
            constraint: applied after each optimizer step.
            name: the weight's name inside the layer (``kernel``).

        Returns:
            The ``Variable``.
        """
        names = ["shape", "initializer", "dtype", "trainable", "autocast",
                 "regularizer", "constraint", "aggregation", "name"]
        if args and isinstance(args[0], str):
            names = ["name", "shape", "dtype", "initializer", "regularizer",
                     "trainable", "constraint"]
        for pos, value in enumerate(args):
            if names[pos] in kwargs:
                raise TypeError(f"add_weight() got multiple values for "
                                f"argument '{names[pos]}'")
            kwargs[names[pos]] = value
        return self._add_weight(**kwargs)

    def _add_weight(self, shape=None, initializer=None, dtype=None,
                    trainable=True, regularizer=None, constraint=None,
                    name=None, autocast=True, aggregation="mean",
                    synchronization=None, use_resource=None,
                    experimental_autocast=None, caching_device=None,
                    partitioner=None, overwrite_with_gradient=False):
        from torchkeras import constraints
        from torchkeras import initializers
        from torchkeras import regularizers

        shape = () if shape is None else tuple(
            int(d) if d is not None else None for d in shape)
        if any(d is None or d < 0 for d in shape):
            raise ValueError(
                f"Layer '{self.name}': cannot create weight '{name}' with "
                f"an unknown or negative dimension. Received: shape={shape}"
            )
        dtype = config.standardize_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = ("glorot_uniform" if config.is_float_dtype(dtype)
                           else "zeros")
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype) if not torch.is_tensor(
            init) else init
        value = torch.as_tensor(value, dtype=config.to_torch_dtype(dtype),
                                device=self._weight_device())
        if tuple(value.shape) != shape:
            value = value.reshape(shape)
        name = name or f"variable_{len(self._weight_keys)}"
        name = self._unique_weight_name(name)
        key = re.sub(r"\W", "_", name)
        path = f"{self.name}/{name}"
        trainable = True if trainable is None else bool(trainable)
        var = Variable(value, requires_grad=trainable, name=name, path=path)
        if key in self.__dict__:  # e.g. `self.bias = None` set earlier
            del self.__dict__[key]
        if trainable:
            var.requires_grad_(self._trainable
                               and config.is_float_dtype(dtype))
            self.register_parameter(key, var)
        else:
            self.register_buffer(key, var)
            self.__dict__.setdefault("_buffer_names", {})[key] = path
        self._weight_keys.append((key, trainable))
        var._keras_constraint = constraints.get(constraint)
        if regularizer is not None:
            self._regularized.append((key, regularizers.get(regularizer)))
        return var

    def _weight_device(self):
        """New weights join the layer's existing ones, else the default."""
        for key, _ in self._weight_keys:
            return self._get_weight(key).device
        return current_device()

    def _unique_weight_name(self, name):
        taken = {self._get_weight(k)._keras_name for k, _ in
                 self._weight_keys}
        if name not in taken:
            return name
        i = 1
        while f"{name}_{i}" in taken:
            i += 1
        return f"{name}_{i}"

    def _get_weight(self, key):
        if key in self._parameters:
            return self._parameters[key]
        return self._buffers[key]

    def _own_weights(self):
        return [self._get_weight(k) for k, _ in self._weight_keys]

    def _sublayers(self):
        """Direct sublayers in attribute order (through ModuleList/Dict)."""
        found = []

        def visit(module):
            for child in module._modules.values():
                if isinstance(child, Layer):
                    if child is not self and child not in found:
                        found.append(child)
                elif isinstance(child, (torch.nn.ModuleList,
                                        torch.nn.ModuleDict,
                                        torch.nn.Sequential)):
                    visit(child)
        visit(self)
        return found

    def _weights_with_owner(self):
        """(owning layer, weight) pairs in Keras order, without repeats."""
        pairs = []
        seen = set()

        def add(owner, w):
            if id(w) not in seen:
                seen.add(id(w))
                pairs.append((owner, w))

        for w in self._own_weights():
            add(self, w)
        for name, child in self._modules.items():
            if not isinstance(child, (Layer, torch.nn.ModuleList,
                                      torch.nn.ModuleDict)):
                for w in child.parameters():  # plain torch modules
                    add(self, w)
        for layer in self._sublayers():
            for owner, w in layer._weights_with_owner():
                add(owner, w)
        return pairs

    @property
    def weights(self):
        """All weights: this layer's, then its sublayers'."""
        return [w for _, w in self._weights_with_owner()]

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for w in self.weights
                if isinstance(w, torch.nn.Parameter) and w.requires_grad]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for key, is_trainable in self._weight_keys:
            if is_trainable:
                w = self._get_weight(key)
                w.requires_grad_(value and w.is_floating_point())
        for name, child in self._modules.items():
            if not isinstance(child, (Layer, torch.nn.ModuleList,
                                      torch.nn.ModuleDict)):
                for w in child.parameters():
                    w.requires_grad_(value)
        for layer in self._sublayers():
            layer.trainable = value

    def _to_keras_layout(self, weight):
        """Weight value as a NumPy array in Keras layout (families override).

        Always a copy: later training must not change returned arrays.
        """
        return weight.detach().cpu().numpy().copy()

    def _from_keras_layout(self, weight, array):
        """Inverse of ``_to_keras_layout``: a tensor in the weight's layout."""
        return torch.as_tensor(array, dtype=weight.dtype)

    def _keras_shape(self, weight):
        return tuple(weight.shape)

    def get_weights(self):
        """The weights' values as NumPy arrays, in Keras layouts."""
        return [owner._to_keras_layout(w)
                for owner, w in self._weights_with_owner()]

    def set_weights(self, weights):
        """Sets the weights from NumPy arrays in Keras layouts.

        Raises:
            ValueError: if the list length or a shape does not match, naming
                the layer, the weight and both shapes.
        """
        pairs = self._weights_with_owner()
        weights = list(weights)
        if len(weights) != len(pairs):
            raise ValueError(
                f"Layer '{self.name}' expected {len(pairs)} weights, but "
                f"the given list has {len(weights)} arrays. Expected "
                f"weights: {[getattr(w, 'name', '?') for _, w in pairs]}"
            )
        new_values = []
        for (owner, w), value in zip(pairs, weights):
            value = np.asarray(value)
            expected = owner._keras_shape(w)
            if tuple(value.shape) != tuple(expected):
                raise ValueError(
                    f"Layer '{owner.name}' weight '{getattr(w, 'name', '?')}'"
                    f" has shape {tuple(expected)}, but the value given has "
                    f"shape {tuple(value.shape)}. Received: "
                    f"value.shape={tuple(value.shape)}"
                )
            new_values.append(owner._from_keras_layout(w, value))
        with torch.no_grad():
            for (_, w), value in zip(pairs, new_values):
                w.copy_(value.to(device=w.device, dtype=w.dtype))

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', "
                "but the layer isn't built. You can build it manually via: "
                f"`{self.name}.build(input_shape)`."
            )
        return int(sum(w.numel() for w in self.weights))

    # ------------------------------------------------------------------
    # Losses.

    def add_loss(self, loss):
        """Adds a loss tensor (e.g. an activity penalty) to ``losses``.

        On a functional model a KerasTensor that depends on the model's
        inputs is accepted too; it is computed at every forward pass.
        """
        if isinstance(loss, KerasTensor):
            self._add_symbolic_loss(loss)
            return
        if callable(loss) and not torch.is_tensor(loss):
            self.__dict__.setdefault("_callable_losses", []).append(loss)
            return
        if not torch.is_tensor(loss):
            loss = torch.as_tensor(loss, dtype=torch.float32)
        if self.__dict__.get("_loss_generation") != CALL_CONTEXT.generation:
            self._eager_losses = []
            self._loss_generation = CALL_CONTEXT.generation
        self._eager_losses.append(loss)
        CALL_CONTEXT.losses_added = True

    def _add_symbolic_loss(self, loss):
        raise ValueError(
            f"Layer '{self.name}': a symbolic loss can only be added to a "
            "functional Model built from the tensors it depends on. "
            f"Received: loss={loss}"
        )

    @property
    def losses(self):
        """Losses from the last call plus the weight regularization terms."""
        out = []
        if self.__dict__.get("_loss_generation") == CALL_CONTEXT.generation:
            out.extend(self._eager_losses)
        for fn in self.__dict__.get("_callable_losses", ()):
            out.append(fn())
        for key, reg in self._regularized:
            out.append(reg(self._get_weight(key)))
        for layer in self._sublayers():
            out.extend(layer.losses)
        return out

    # ------------------------------------------------------------------
    # Metrics added by the layer (tf.keras 2).

    def add_metric(self, value, name=None, aggregation=None):
        """Tracks the mean of ``value`` as a metric named ``name``.

        Called in ``call`` with a tensor (tf.keras 2), the values are
        averaged over every call since the metric's last reset (each epoch
        of ``fit``) and appear in the logs under ``name``. A ``Metric``
        object is tracked as it is. A functional model also takes a
        KerasTensor computed from its inputs.

        Raises:
            ValueError: for an aggregation other than ``'mean'``, or a
                tensor without a ``name``.
        """
        from torchkeras.metrics.metric import Metric

        store = self.__dict__.setdefault("_added_metrics", {})
        if isinstance(value, Metric):
            if store.get(value.name) is not value:
                store[value.name] = value
                ADDED_METRICS.generation += 1
            return
        if aggregation not in (None, "mean"):
            raise ValueError(
                "We currently support only `mean` sample-wise metric "
                f"aggregation. Received: aggregation={aggregation!r}"
            )
        if name is None:
            raise ValueError(
                "Please provide a name for your metric like "
                "`self.add_metric(ops.sum(inputs), name='mean_activation')`"
                f". Received: name=None (value={value!r})"
            )
        if isinstance(value, KerasTensor):
            self._add_symbolic_metric(value, name)
            return
        metric = store.get(name)
        if metric is None:
            from torchkeras.metrics.reduction_metrics import Mean

            metric = store[name] = Mean(name=name)
            ADDED_METRICS.generation += 1
        if not torch.is_tensor(value):
            value = torch.as_tensor(value, dtype=torch.float32)
        if value.is_meta:  # shape inference: nothing to measure
            return
        where = metric._state_device()
        if where is not None and where != value.device:
            metric.to(value.device)
        metric.update_state(value.detach())

    def _add_symbolic_metric(self, value, name):
        raise ValueError(
            f"Layer '{self.name}': a symbolic metric can only be added to a "
            "functional Model built from the tensors it depends on. "
            f"Received: value={value}, name={name!r}"
        )

    def _added_metrics_tree(self):
        """The metrics this layer and every layer inside it track, each
        once, outermost layer first.

        A layer's own metrics are those assigned to its attributes (alone,
        or in a list or dict), in the order assigned, then those created
        by ``add_metric``. A sublayer that is a ``Model`` adds no metric
        assigned to its own attributes (its trackers are its training's),
        only its ``add_metric`` ones and its own layers'. A metric's
        inner modules are the metric's state, not tracked metrics.
        """
        from torchkeras.metrics.metric import Metric

        out = []
        seen = set()
        visited = set()

        def add(metric):
            if id(metric) not in seen:
                seen.add(id(metric))
                out.append(metric)

        def own(module, keep, sublayers):
            for child in module._modules.values():
                if isinstance(child, Metric):
                    if keep:
                        add(child)
                elif isinstance(child, (torch.nn.ModuleList,
                                        torch.nn.ModuleDict)):
                    own(child, keep, sublayers)  # a list or dict attribute
                elif child is not None:
                    sublayers.append(child)

        def walk(module, outermost):
            if id(module) in visited:
                return
            visited.add(id(module))
            sublayers = []
            # A model (the engine's Trainer, known here by its train_step,
            # since layers do not import the engine) keeps its own.
            is_model = callable(getattr(type(module), "train_step", None))
            own(module, outermost or not is_model, sublayers)
            for metric in module.__dict__.get("_added_metrics", {}).values():
                add(metric)
            for child in sublayers:
                walk(child, False)

        walk(self, True)
        return out

    @property
    def metrics(self):
        """The metrics this layer and its sublayers track: ``Metric``
        objects assigned as attributes, and those ``add_metric`` made."""
        return self._added_metrics_tree()

    # ------------------------------------------------------------------
    # Building.

    def build(self, input_shape):
        """Creates the weights; override it. Default: nothing to create."""
        self.built = True

    def _maybe_build(self, input_shape):
        if self.built:
            return
        shape = input_shape
        self.__dict__["_build_input_shape"] = shape
        try:
            self.build(shape)
        except (ValueError, TypeError) as e:
            if f"'{self.name}'" in str(e):
                raise
            raise type(e)(
                f"Layer '{self.name}' ({type(self).__name__}) could not be "
                f"built for input shape {shape}: {e}"
            ) from e
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    # ------------------------------------------------------------------
    # Calling.

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; override it."""
        return inputs

    def __call__(self, *args, **kwargs):
        # Fast path: a tensor first argument means an eager call.
        if args and (type(args[0]) is torch.Tensor
                     or type(args[0]) is EagerTensor):
            outputs = super().__call__(*args, **kwargs)
        else:
            flat = tree.flatten((args, kwargs))
            if any(isinstance(x, KerasTensor) for x in flat):
                return self._symbolic_call(args, kwargs)
            outputs = super().__call__(*args, **kwargs)
        context = CALL_CONTEXT.__dict__  # one thread lookup (`fields()`)
        if context["depth"] or context["in_step"]:
            return outputs
        # The outermost eager call: its outputs read as NumPy, as tf.keras
        # eager tensors do (`model(x).numpy()`), with nothing else changed.
        return eager_outputs(outputs, args, kwargs)

    def forward(self, *args, **kwargs):
        """The eager call: build, resolve ``training`` and masks, ``call``."""
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(
                    f"Layer '{self.name}' was called without inputs."
                )
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        plan = self.__dict__.get("_call_plan") or self._call_plan()
        takes_training = plan.takes_training
        takes_mask = plan.takes_mask
        computes_mask = plan.computes_mask
        float_dtype = plan.float_dtype
        if type(inputs) is torch.Tensor:
            if (float_dtype is not None and inputs.dtype != float_dtype
                    and inputs.is_floating_point()):
                inputs = inputs.to(float_dtype)
                args = (inputs,) + args[1:]
        else:
            inputs = self._convert_inputs(inputs)
            args = (inputs,) + args[1:]
        if not self.built:
            self._assert_input_compatibility(inputs)
            self._build_on_first_call(inputs)
        # This thread's context fields: one thread lookup for all of them.
        context = CALL_CONTEXT.__dict__
        outer = context["training"]
        training = kwargs.pop("training", None)
        if training is None:
            training = outer
            if training is None:
                training = self.training
        if takes_training:
            kwargs["training"] = training
        mask = kwargs.get("mask")
        if mask is None:
            mask = self._input_mask(inputs)
            if takes_mask and mask is not None:
                kwargs["mask"] = mask
        elif not takes_mask:
            kwargs.pop("mask")
        if training is not outer:
            context["training"] = training
        depth = context["depth"]
        context["depth"] = depth + 1
        if not depth:
            context["generation"] += 1
            context["losses_added"] = False
        try:
            if self._dtype_policy._is_mixed or context["mixed_calls"]:
                outputs = dtype_policies.call_with_policy(
                    self._dtype_policy, inputs, self.call, args, kwargs)
            else:
                outputs = self.call(*args, **kwargs)
        finally:
            if training is not outer:
                context["training"] = outer
            context["depth"] = depth
        if (self._dtype_policy._is_mixed and not depth
                and self._float32_outputs):
            outputs = dtype_policies.cast_outputs_to_float32(outputs)
        if self.activity_regularizer is not None:
            self._add_activity_loss(outputs)
        if mask is not None or computes_mask:
            self._set_output_mask(inputs, mask, outputs)
        return outputs

    def _forget_call_plan(self):
        self.__dict__.pop("_call_plan", None)

    def _call_plan(self):
        """What calling this layer involves (`CallPlan`), decided once and
        kept until ``call``, ``built``, ``activity_regularizer`` or the
        dtype policy changes."""
        plan = self.__dict__.get("_call_plan")
        if plan is None:
            takes_training, takes_mask = _call_signature(type(self))
            computes_mask = self._computes_mask()
            policy = self._dtype_policy
            plan = CallPlan(
                call=self.call,
                takes_training=takes_training,
                takes_mask=takes_mask,
                computes_mask=computes_mask,
                float_dtype=(self._compute_torch_dtype
                             if config.is_float_dtype(self._dtype) else None),
                direct=bool(self.built and _plain_calling(type(self))
                            and not (takes_mask or computes_mask)
                            and self.activity_regularizer is None),
                mixed_dtype=(policy._torch_compute_dtype
                             if policy._is_mixed else False),
            )
            self.__dict__["_call_plan"] = plan
        return plan

    def _convert_inputs(self, inputs):
        """NumPy and Python numbers become tensors; floats take the dtype."""
        if torch.is_tensor(inputs):
            if (inputs.is_floating_point()
                    and inputs.dtype != self._compute_torch_dtype
                    and config.is_float_dtype(self._dtype)):
                return inputs.to(self._compute_torch_dtype)
            return inputs
        if isinstance(inputs, (list, tuple, dict)):
            return tree.map_structure(self._convert_leaf, inputs)
        return self._convert_leaf(inputs)

    def _convert_leaf(self, x):
        if x is None or torch.is_tensor(x):
            if (torch.is_tensor(x) and x.is_floating_point()
                    and x.dtype != self._compute_torch_dtype
                    and config.is_float_dtype(self._dtype)):
                return x.to(self._compute_torch_dtype)
            return x
        if isinstance(x, np.ndarray) and x.dtype.kind in "OUS":
            return x
        if isinstance(x, (np.ndarray, np.generic, int, float, bool)):
            x = np.asarray(x)
            t = torch.from_numpy(np.ascontiguousarray(x))
            device = self._weight_device()
            if device.type != "cpu":  # data follows the weights
                t = t.to(device)
            if t.is_floating_point() and config.is_float_dtype(self._dtype):
                t = t.to(self._compute_torch_dtype)
            return t
        return x

    def _build_on_first_call(self, inputs):
        shapes = tree.map_structure(
            lambda x: tuple(x.shape) if hasattr(x, "shape") else None,
            inputs)
        self._maybe_build(shapes)
        device = _first_device(inputs)
        if device is not None and device.type != "cpu":
            self.to(device)

    def _assert_input_compatibility(self, inputs):
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)

    def _input_mask(self, inputs):
        if torch.is_tensor(inputs):
            return getattr(inputs, "_keras_mask", None)
        if isinstance(inputs, (list, tuple)):
            masks = [getattr(x, "_keras_mask", None) for x in inputs]
            return masks if any(m is not None for m in masks) else None
        return None

    def _computes_mask(self):
        return type(self).compute_mask is not Layer.compute_mask

    def _set_output_mask(self, inputs, mask, outputs):
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is None:
            return
        flat_out = tree.flatten(outputs)
        flat_mask = (tree.flatten(out_mask)
                     if isinstance(out_mask, (list, tuple)) else
                     [out_mask] * len(flat_out))
        for t, m in zip(flat_out, flat_mask):
            if torch.is_tensor(t):
                try:
                    t._keras_mask = m
                except AttributeError:
                    pass

    def _add_activity_loss(self, outputs):
        for out in tree.flatten(outputs):
            if torch.is_tensor(out):
                penalty = self.activity_regularizer(out)
                self.add_loss(penalty / out.shape[0])

    def compute_mask(self, inputs, mask=None):
        """The output mask: the input mask if the layer supports masking."""
        if not self.supports_masking:
            return None
        return mask

    def compute_output_shape(self, input_shape):
        """Output shape from input shape; by default inferred by tracing."""
        specs = tree.map_structure(
            lambda s: KerasTensor(s, self._dtype), input_shape) if isinstance(
                input_shape, list) else KerasTensor(input_shape, self._dtype)
        out = self._infer_outputs((specs,), {})
        return tree.map_structure(lambda t: t.shape, out)

    def _symbolic_call(self, args, kwargs):
        if not args and "inputs" in kwargs:
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        self._check_string_inputs(args, kwargs)
        self._assert_input_compatibility(inputs)
        shapes = tree.map_structure(
            lambda x: x.shape if isinstance(x, KerasTensor) else (
                tuple(x.shape) if hasattr(x, "shape") else None), inputs)
        self._maybe_build(shapes)
        self._assert_input_compatibility(inputs)
        outputs = self._infer_outputs(args, kwargs)
        for t in tree.flatten(outputs):
            if isinstance(t, KerasTensor) and t.name is None:
                t.name = self.name
        Node(self, args, kwargs, outputs)
        return outputs

    def _check_string_inputs(self, args, kwargs):
        if getattr(self, "_accepts_string_inputs", False):
            return
        for i, x in enumerate(tree.flatten(args)):
            if isinstance(x, KerasTensor) and x.dtype == "string":
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}) expects "
                    f"numeric inputs, but input {i} has dtype 'string' (shape"
                    f" {x.shape}). Convert strings first, e.g. with a "
                    "StringLookup or TextVectorization layer. Received: "
                    f"dtype=string"
                )

    def _infer_outputs(self, args, kwargs):
        """Output KerasTensors for symbolic ``args``, computing nothing."""
        overrides_shape = (type(self).compute_output_shape
                           is not Layer.compute_output_shape)
        if overrides_shape and not getattr(self, "_trace_output_shape",
                                           False):
            return self._outputs_from_compute_output_shape(args)
        from torchkeras.layers.shape_inference import infer_output_spec

        return infer_output_spec(self, args, kwargs)

    def _outputs_from_compute_output_shape(self, args):
        inputs = args[0]
        shapes = tree.map_structure(
            lambda x: x.shape if isinstance(x, KerasTensor) else None, inputs)
        try:
            out_shape = self.compute_output_shape(shapes)
        except (ValueError, TypeError) as e:
            if f"'{self.name}'" in str(e):
                raise
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot be "
                f"called on inputs of shape {shapes}: {e}"
            ) from e
        dtype = self.compute_dtype
        flat_in = [x for x in tree.flatten(inputs)
                   if isinstance(x, KerasTensor)]
        if flat_in and not config.is_float_dtype(
                flat_in[0].dtype) and not self._weight_keys:
            dtype = flat_in[0].dtype
        return _shape_structure_to_tensors(out_shape, dtype)

    # ------------------------------------------------------------------
    # Graph attributes (tf.keras).
    #
    # Read off the inbound nodes as tf.keras 2 reads them. An InputLayer's
    # node has no inputs: its input is its output tensor, and its shapes
    # are one-element lists (`[(None, 8)]`), as tf.keras 2 returns them.

    def _node_at(self, node_index, attr):
        nodes = self._inbound_nodes
        if not nodes:
            raise AttributeError(
                f"Layer '{self.name}' is not connected, no {attr} to return."
            )
        if not -len(nodes) <= node_index < len(nodes):
            raise ValueError(
                f"Asked to get {attr} at node {node_index}, but layer "
                f"'{self.name}' has only {len(nodes)} inbound nodes. "
                f"Received: node_index={node_index}"
            )
        return nodes[node_index]

    def _node_attr(self, node_index, attr):
        node = self._node_at(node_index, attr)
        tensors = node.input_tensors if (
            attr == "input" and not node.is_input) else node.output_tensors
        return tensors[0] if len(tensors) == 1 else list(tensors)

    def _node_shape(self, node_index, attr):
        node = self._node_at(node_index, f"{attr} shape")
        shapes = tree.map_structure(lambda t: t.shape,
                                    self._node_attr(node_index, attr))
        return [shapes] if node.is_input else shapes

    def _single_node_attr(self, attr):
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has multiple inbound nodes, hence the "
                f"notion of \"layer {attr}\" is ill-defined. Use "
                f"`get_{attr}_at(node_index)` instead."
            )
        return self._node_attr(0, attr)

    def _shared_shape(self, attr):
        if not self._inbound_nodes:
            raise AttributeError(
                f"The layer '{self.name}' has never been called and thus "
                f"has no defined {attr} shape."
            )
        shapes = [self._node_shape(i, attr)
                  for i in range(len(self._inbound_nodes))]
        if any(str(s) != str(shapes[0]) for s in shapes[1:]):
            raise AttributeError(
                f"The layer '{self.name}' has multiple inbound nodes with "
                f"different {attr} shapes, hence the notion of \"{attr} "
                f"shape\" is ill-defined for the layer. Use "
                f"`get_{attr}_shape_at(node_index)` instead. Received: "
                f"{attr} shapes {shapes}"
            )
        return shapes[0]

    @property
    def input(self):
        """The input tensor(s) of the layer's only call (tf.keras)."""
        return self._single_node_attr("input")

    @property
    def output(self):
        """The output tensor(s) of the layer's only call (tf.keras)."""
        return self._single_node_attr("output")

    def get_input_at(self, node_index):
        """The input tensor(s) of the layer's call number ``node_index``."""
        return self._node_attr(node_index, "input")

    def get_output_at(self, node_index):
        """The output tensor(s) of the layer's call number ``node_index``."""
        return self._node_attr(node_index, "output")

    def get_input_shape_at(self, node_index):
        return self._node_shape(node_index, "input")

    def get_output_shape_at(self, node_index):
        return self._node_shape(node_index, "output")

    @property
    def input_shape(self):
        """The input shape, when every call of the layer had the same."""
        return self._shared_shape("input")

    @property
    def output_shape(self):
        """The output shape, when every call of the layer had the same."""
        return self._shared_shape("output")

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    # ------------------------------------------------------------------
    # Config.

    def get_config(self):
        """The layer's constructor arguments, as Keras writes them."""
        dtype = (dtype_policies.serialize(self._dtype_policy)
                 if self._dtype_policy._is_mixed else self.dtype)
        config_ = {"name": self.name, "trainable": self.trainable,
                   "dtype": dtype}
        if self._batch_input_shape is not None:
            config_["batch_input_shape"] = list(self._batch_input_shape)
        if type(self).get_config is not Layer.get_config:
            return config_
        auto = self.__dict__.get("_auto_config")
        init_params = [
            name for name, p in inspect.signature(
                type(self).__init__).parameters.items()
            if name not in ("self", "name", "trainable", "dtype")
            and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        if init_params and auto is None:
            raise NotImplementedError(
                f"Layer {type(self).__name__} has arguments {init_params} in "
                "`__init__()` and therefore must override `get_config()`."
            )
        if auto:
            config_.update({k: v for k, v in auto.items()
                            if k not in config_ or k == "name"})
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        return cls(**config_)

    def get_build_config(self):
        return None

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _unowned(var):
    """A Variable no layer has made a weight of yet (``K.variable(...)``)."""
    return "/" not in (var._keras_path or "")


def _unowned_variables(name, value):
    """{weight key: Variable} for a list/dict made only of unowned
    Variables, else ``{}``."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return {}
        pairs = [(name + "_" + re.sub(r"\W", "_", k), v)
                 for k, v in value.items()]
    else:
        pairs = [(f"{name}_{i}", v) for i, v in enumerate(value)]
    if pairs and all(isinstance(v, Variable) and _unowned(v)
                     for _, v in pairs):
        return dict(pairs)
    return {}


def _marks_built(build):
    """Wraps a subclass's ``build`` so that calling it marks the layer built
    (as Keras 3 does), also when the user calls it directly."""
    if getattr(build, "_marks_built", False):
        return build

    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        if args:
            self.__dict__["_build_input_shape"] = args[0]
        # A first call under `predict` (torch.inference_mode) must still
        # create normal parameters: inference tensors can never train.
        with torch.inference_mode(False):
            result = build(self, *args, **kwargs)
        self.built = True
        return result

    wrapper._marks_built = True
    return wrapper


@dataclasses.dataclass(frozen=True)
class CallPlan:
    """What a call of one layer involves, decided once per layer.

    ``Layer.forward`` reads it on every call; the graph runner
    (``engine/graph_network.py``) reads ``direct`` to call ``call`` itself
    when ``__call__`` would only resolve what the run has already resolved.
    """

    # (`slots=True` needs Python 3.10.)
    __slots__ = ("call", "takes_training", "takes_mask", "computes_mask",
                 "float_dtype", "direct", "mixed_dtype")

    call: object  # the bound `call`
    takes_training: bool  # `call` has a `training` argument
    takes_mask: bool  # `call` has a `mask` argument
    computes_mask: bool  # the layer makes an output mask
    float_dtype: object  # torch dtype floating inputs are cast to, or None
    # Built, the calling machinery of Layer and nn.Module not overridden,
    # no masks and no activity regularizer: a graph run may call `call`.
    direct: bool
    # A mixed policy's compute dtype (direct calls only inside an autocast
    # of it), else False.
    mixed_dtype: object


# Setting one of these forgets the layer's `CallPlan`.
_CALL_PLAN_ATTRS = frozenset(("activity_regularizer", "call", "built"))


def _plain_calling(cls):
    """True when ``cls`` keeps the calling machinery of ``Layer`` and
    ``torch.nn.Module`` (so skipping it skips nothing of the class's)."""
    return (cls.__call__ is Layer.__call__ and cls.forward is Layer.forward
            and cls._call_impl is torch.nn.Module._call_impl)


def _first_device(inputs):
    for x in tree.flatten(inputs):
        if torch.is_tensor(x):
            return x.device
    return None


def _shape_structure_to_tensors(shape, dtype):
    if isinstance(shape, dict):
        return {k: _shape_structure_to_tensors(v, dtype)
                for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) or s is None
            for s in shape) and any(
                isinstance(s, (list, tuple)) for s in shape):
        return [_shape_structure_to_tensors(s, dtype) for s in shape]
    return KerasTensor(tuple(shape), dtype)


def _log_placement(module, args):
    """The global forward pre-hook ``backend/session.py`` installs while
    placement logging is on: logs each torchkeras layer's device, read
    from its first input as ``forward`` converts it (NumPy follows the
    weights)."""
    if isinstance(module, Layer):
        inputs = args[0] if args else ()
        if not torch.is_tensor(inputs):
            inputs = module._convert_inputs(inputs)
        session.log_placement(module, inputs)


session.set_placement_hook(_log_placement)
