"""Model: a Layer that can be trained, built two ways as in Keras.

- Functional: ``Model(inputs, outputs)`` keeps a ``GraphNetwork`` and its
  ``forward`` runs the ordered plan (``_is_graph_network`` is True).
- Subclassed: ``class MyModel(Model)`` with ``call`` (and optionally
  ``build``); sublayers are tracked as torch submodules.

Training (``compile``/``fit``/...) comes from the ``Trainer`` mixin in
``engine/trainer.py``; the graph from ``engine/functional.py``.
"""

import re

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.engine.functional import GraphNetwork
from torchkeras.engine.functional import nothing_global_to_honour
from torchkeras.engine.trainer import Trainer
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.layers.core.input_layer import InputLayer
from torchkeras.layers import legacy_interfaces
from torchkeras.layers.layer import CALL_CONTEXT
from torchkeras.layers.layer import Layer
from torchkeras.utils import tree


def _enter_inference(predicting=False):
    """The call context of an outermost ``training=False`` call (what the
    model's ``forward`` would set); returns what to restore."""
    context = CALL_CONTEXT
    outer = context.training
    context.training = False
    context.depth = 1
    context.generation += 1
    context.losses_added = False
    context.predicting = predicting
    return outer


def _leave_inference(outer):
    context = CALL_CONTEXT
    context.training = outer
    context.depth = 0
    context.predicting = False


def _module_key(name):
    return re.sub(r"\W", "_", name)


class Model(Trainer, Layer):
    """A model: groups layers into an object with training and inference.

    Two ways to make one, as in tf.keras: the functional API
    ``Model(inputs, outputs, name=None)`` where ``inputs``/``outputs`` are
    KerasTensors (single, list or dict), or subclassing ``Model`` and
    defining ``call``.

    Example:
    >>> import torchkeras as keras
    >>> inputs = keras.Input(shape=(3,))
    >>> outputs = keras.layers.Dense(2)(inputs)
    >>> model = keras.Model(inputs, outputs)
    >>> model.output_shape
    (None, 2)
    """

    _float32_outputs = True  # under a mixed policy (see Layer.forward)

    def __init__(self, *args, **kwargs):
        if "input" in kwargs or "output" in kwargs:  # Keras 1 names
            kwargs = legacy_interfaces.model_kwargs(kwargs)
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        args = list(args)
        if inputs is None and args and not isinstance(args[0], str):
            inputs = args.pop(0)
        if outputs is None and args and not isinstance(args[0], str):
            outputs = args.pop(0)
        if args:
            kwargs.setdefault("name", args.pop(0))
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)
        self._graph = None
        self._is_graph_network = False
        self._symbolic_losses = []
        self._symbolic_metrics = []  # (KerasTensor, name)
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError(
                    "A functional Model needs both `inputs` and `outputs`. "
                    f"Received: inputs={inputs}, outputs={outputs}"
                )
            self._init_graph_network(inputs, outputs)

    # ------------------------------------------------------------------
    # Functional construction.

    def _init_graph_network(self, inputs, outputs):
        if isinstance(inputs, dict):
            inputs = dict(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        self._input_structure = inputs
        self._output_structure = outputs
        self._graph = GraphNetwork(
            inputs, list(tree.flatten(outputs)) + self._symbolic_losses
            + [t for t, _ in self._symbolic_metrics], self.name)
        self._is_graph_network = True
        for layer in self._graph.layers:
            self._track_layer(layer)
        flat_in = self._graph.flat_inputs
        self._input_dtypes = [
            None if t.dtype == "string" else config.to_torch_dtype(t.dtype)
            for t in flat_in
        ]
        self._input_ranks = [len(t.shape) for t in flat_in]
        self.__dict__["_accepted_shapes"] = {}
        self.built = True
        _apply_deferred_weights(self)

    def _apply(self, fn, recurse=True):
        result = super()._apply(fn, recurse=recurse)
        self.__dict__.pop("_cached_device", None)
        if self._is_graph_network:
            # `.to(torch.float64)`: float inputs follow the weights' dtype.
            dtype = next((p.dtype for p in self.parameters()
                          if p.is_floating_point()), None)
            if dtype is not None:
                self._dtype = config.standardize_dtype(dtype)
                self._input_dtypes = [
                    dtype if d is not None and d.is_floating_point else d
                    for d in self._input_dtypes]
        return result

    def _track_layer(self, layer):
        key = _module_key(layer.name)
        existing = self._modules.get(key)
        if existing is not None and existing is not layer:
            raise ValueError(
                f"Model '{self.name}': all layer names should be unique. "
                f"The name '{layer.name}' is used by two different layers."
            )
        self._modules[key] = layer

    def _add_symbolic_loss(self, loss):
        if not self._is_graph_network:
            return Layer._add_symbolic_loss(self, loss)
        self._symbolic_losses.append(loss)
        self._init_graph_network(self._input_structure,
                                 self._output_structure)

    def _add_symbolic_metric(self, value, name):
        if not self._is_graph_network:
            return Layer._add_symbolic_metric(self, value, name)
        self._symbolic_metrics.append((value, name))
        self._init_graph_network(self._input_structure,
                                 self._output_structure)

    # ------------------------------------------------------------------
    # Running.

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError(
                f"Model '{self.name}' was not built with the functional API "
                "and does not define `call()`. Subclasses of Model must "
                "override `call` to be called; a model that is only a "
                "training procedure (its own `train_step`) trains with "
                "`fit` and is not called: call its sub-models instead. "
                f"Received: call of {type(self).__name__}"
            )
        return self._run_graph(inputs)

    def _predict_directly(self, x):
        """``self(x, training=False)`` for ``predict`` without the calling
        machinery, when it would add nothing (``_calls_plainly``) and ``x``
        is a tensor. ``NotImplemented`` otherwise (the caller then takes
        the ordinary call)."""
        if type(x) is not torch.Tensor or not self._calls_plainly():
            return NotImplemented
        outer = _enter_inference()
        try:
            return self._run_graph(x)
        finally:
            _leave_inference(outer)

    def _calls_plainly(self):
        """An outermost call of a functional model whose class overrides
        none of the calling machinery, with no hooks, mixed policy,
        activity regularizer or global state to honour."""
        return not (CALL_CONTEXT.depth or not self._plain_graph_model()
                    or self._forward_hooks or self._forward_pre_hooks
                    or self._dtype_policy._is_mixed
                    or self.activity_regularizer is not None
                    or not nothing_global_to_honour())

    def _chain_predictor(self):
        """``predict``'s per-batch call for a chain model, or None.

        The model-wide conditions (``_calls_plainly``) are checked once per
        ``predict``: no callback listens between batches, so nothing
        changes them. The function returned checks only the batch and
        returns ``NotImplemented`` for one that needs the full call.
        """
        if (torch.is_grad_enabled() or not self._calls_plainly()
                or not self._graph.is_chain or self._symbolic_losses
                or self._symbolic_metrics
                or not isinstance(self._output_structure, KerasTensor)):
            return None
        accepted = self.__dict__["_accepted_shapes"]
        dtype = self._input_dtypes[0]
        device = self._model_device()
        on_cpu = device is None or device.type == "cpu"
        run_chain = self._graph.run_chain

        def predict_one(x):
            if not (type(x) is torch.Tensor and accepted.get(0) == x.shape
                    and x.dtype is dtype
                    and (x.is_cpu if on_cpu else x.device == device)):
                return NotImplemented
            outer = _enter_inference(predicting=True)
            try:
                return run_chain(x)
            finally:
                _leave_inference(outer)

        return predict_one

    def _plain_graph_model(self):
        d = self.__dict__
        plain = d.get("_plain_graph")
        if plain is None:
            cls = type(self)
            plain = bool(self._is_graph_network and self.built
                         and cls.call is Model.call
                         and cls._run_graph is Model._run_graph
                         and cls.predict_step is Trainer.predict_step
                         and cls.__call__ is Layer.__call__
                         and cls.forward is Layer.forward)
            d["_plain_graph"] = plain
        return plain

    def _run_graph(self, inputs):
        flat = self._flatten_inputs(inputs)
        outs = self._graph.run(flat)
        n = len(outs) - len(self._symbolic_losses) - len(
            self._symbolic_metrics)
        if n < len(outs):
            extra = outs[n:]
            for value in extra[:len(self._symbolic_losses)]:
                self.add_loss(value)
            for value, (_, name) in zip(
                    extra[len(self._symbolic_losses):],
                    self._symbolic_metrics):
                self.add_metric(value, name=name)
            outs = outs[:n]
        structure = self._output_structure
        if isinstance(structure, KerasTensor):
            return outs[0]
        return tree.pack_sequence_as(structure, outs)

    def _flatten_inputs(self, inputs):
        structure = self._input_structure
        if type(inputs) is torch.Tensor and isinstance(structure,
                                                       KerasTensor):
            return [self._adapt_input(0, inputs, self._model_device())]
        names = [t.name for t in self._graph.flat_inputs]
        expected = len(names)
        if isinstance(inputs, dict) and not isinstance(structure, dict):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}': missing data for input(s) "
                    f"{missing}. Expected keys: {names}. Received: "
                    f"keys={sorted(inputs)}"
                )
            flat = [inputs[n] for n in names]
        elif isinstance(inputs, (list, tuple)) and not (
                expected == 1 and isinstance(structure, KerasTensor)
                and len(inputs) != 1):
            flat = list(tree.flatten(inputs)) if isinstance(
                structure, dict) else list(inputs)
        elif isinstance(inputs, dict):
            unknown = set(inputs) - set(structure)
            if unknown:
                raise ValueError(
                    f"Model '{self.name}': unknown input keys "
                    f"{sorted(unknown)}. Expected keys: "
                    f"{sorted(structure)}. Received: keys={sorted(inputs)}"
                )
            flat = tree.flatten(inputs)
        else:
            flat = [inputs]
        if len(flat) != expected:
            raise ValueError(
                f"Model '{self.name}' expects {expected} input(s), but it "
                f"received {len(flat)} input tensors. Inputs received: "
                f"{[tuple(getattr(x, 'shape', ())) for x in flat]}"
            )
        device = self._model_device()
        return [self._adapt_input(i, x, device) for i, x in enumerate(flat)]

    def _flatten_inputs_for_check(self, x):
        """Input arrays in graph order, or None if they cannot be matched."""
        try:
            names = [t.name for t in self._graph.flat_inputs]
            if isinstance(x, dict):
                return [x.get(n) for n in names]
            flat = list(x) if isinstance(x, (list, tuple)) else [x]
            return flat if len(flat) == len(names) else None
        except (AttributeError, TypeError):
            return None

    def _model_device(self):
        device = self.__dict__.get("_cached_device", False)
        if device is False:
            device = next((p.device for p in self.parameters()), None)
            if device is not None and device.type == "meta":
                return None  # shape inference swaps in meta weights
            self.__dict__["_cached_device"] = device
        return device

    def _adapt_input(self, index, x, device=None):
        dtype = self._input_dtypes[index]
        if dtype is None:  # string input: kept as a NumPy object array
            return x if isinstance(x, np.ndarray) else np.asarray(x, object)
        if not torch.is_tensor(x):
            x = torch.as_tensor(np.asarray(x))
        if x.dtype != dtype:
            x = x.to(dtype)
        if device is not None and x.device != device and not x.is_meta:
            x = x.to(device)
        accepted = self.__dict__.setdefault("_accepted_shapes", {})
        if accepted.get(index) == x.shape:  # as the last batch: checked
            return x
        rank = self._input_ranks[index]
        if x.dim() != rank:
            x = self._adjust_rank(index, x, rank)
        expected = self._graph.flat_inputs[index].shape
        for got, want in zip(x.shape[1:], expected[1:]):
            if want is not None and got != want:
                raise ValueError(
                    f"Input {index} of model '{self.name}' is incompatible "
                    f"with the layer: expected shape={expected}, found "
                    f"shape={tuple(x.shape)}"
                )
        accepted[index] = x.shape
        return x

    def _adjust_rank(self, index, x, rank):
        expected = self._graph.flat_inputs[index].shape
        if x.dim() == rank + 1 and x.shape[-1] == 1:
            return x.squeeze(-1)
        if x.dim() == rank - 1 and expected[-1] == 1:
            return x.unsqueeze(-1)
        raise ValueError(
            f"Input {index} of model '{self.name}' is incompatible: expected"
            f" shape={expected}, found shape={tuple(x.shape)}"
        )

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it on zeros of that shape."""
        if self._is_graph_network or self.built:
            self.built = True
            return
        if input_shape is None:
            raise ValueError(
                f"Model '{self.name}': `build` needs an `input_shape`. "
                "Received: input_shape=None"
            )

        def zeros(shape):
            return torch.zeros([1 if d is None else d for d in shape])

        if isinstance(input_shape, list) and input_shape and isinstance(
                input_shape[0], (list, tuple)):
            dummy = [zeros(s) for s in input_shape]
        elif isinstance(input_shape, dict):
            dummy = {k: zeros(s) for k, s in input_shape.items()}
        else:
            dummy = zeros(input_shape)
        self.built = True  # so forward does not call build again
        with torch.no_grad():
            self(dummy)
        self._build_input_shape = input_shape
        _apply_deferred_weights(self)

    def _maybe_build(self, input_shape):
        if not self.built and type(self).build is not Model.build:
            Layer._maybe_build(self, input_shape)
        elif not self.built and getattr(self, "_build_input_shape",
                                        None) is None:
            # Keras 3 keeps the first call's input shape as the model's
            # build_config, which `load_model` (ours or Keras's) builds
            # from.
            self.__dict__["_build_input_shape"] = _batchless(input_shape)
        self.built = True

    # ------------------------------------------------------------------
    # Inspection (tf.keras names).

    @property
    def layers(self):
        if self._is_graph_network:
            return list(self._graph.layers)
        return self._sublayers()

    def get_layer(self, name=None, index=None):
        """Returns a layer by ``name`` or by ``index`` in ``layers``."""
        if name is not None and index is not None:
            raise ValueError(
                "Provide only a layer name or a layer index. Received: "
                f"index={index}, name={name}."
            )
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but "
                    f"model only has {len(layers)} layers."
                )
            return layers[index]
        if name is None:
            raise ValueError(
                "Provide either a layer name or layer index at `get_layer`."
            )
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: "
            f"{[layer.name for layer in layers]}."
        )

    def _require_graph(self, attr):
        if not self._is_graph_network:
            raise AttributeError(
                f"Model '{self.name}' has no `{attr}`: it is a subclassed "
                "model that has not been built with the functional API."
            )

    @property
    def inputs(self):
        self._require_graph("inputs")
        return list(self._graph.flat_inputs)

    @property
    def outputs(self):
        self._require_graph("outputs")
        n = len(self._graph.flat_outputs) - len(self._symbolic_losses) - len(
            self._symbolic_metrics)
        return list(self._graph.flat_outputs[:n])

    @property
    def input(self):
        inputs = self.inputs
        if isinstance(self._input_structure, dict):
            return self._input_structure
        return inputs[0] if len(inputs) == 1 else inputs

    @property
    def output(self):
        outputs = self.outputs
        if isinstance(self._output_structure, dict):
            return self._output_structure
        return outputs[0] if len(outputs) == 1 else outputs

    @property
    def input_names(self):
        return [t.name for t in self.inputs]

    @property
    def output_names(self):
        if isinstance(getattr(self, "_output_structure", None), dict):
            return sorted(self._output_structure)
        return [t._keras_history.layer.name for t in self.outputs]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def input_layers(self):
        return self._graph.input_layers

    def _node_at(self, node_index, attr):
        # As in tf.keras 2, a functional model's node 0 is its own graph
        # (`get_input_at(0)` is `model.input`); its calls come after.
        if not self._is_graph_network:
            return Layer._node_at(self, node_index, attr)
        count = len(self._inbound_nodes) + 1
        if not -count <= node_index < count:
            raise ValueError(
                f"Asked to get {attr} at node {node_index}, but model "
                f"'{self.name}' has only {count} nodes. Received: "
                f"node_index={node_index}"
            )
        node_index %= count
        if node_index == 0:
            return _OwnGraphNode(self.inputs, self.outputs)
        return self._inbound_nodes[node_index - 1]

    def summary(self, line_length=None, positions=None, print_fn=None,
                expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints a table of the layers, as Keras's ``model.summary()``."""
        from torchkeras.utils.summary_utils import print_summary

        print_summary(self, line_length=line_length, positions=positions,
                      print_fn=print_fn, expand_nested=expand_nested,
                      show_trainable=show_trainable, layer_range=layer_range)

    def reset_states(self):
        """Resets the state of every stateful layer (RNNs with
        ``stateful=True``), as tf.keras's ``model.reset_states()``."""
        for module in self.modules():
            if module is not self and getattr(module, "stateful", False):
                reset = getattr(module, "reset_states", None)
                if reset is not None:
                    reset()

    reset_state = reset_states

    # ------------------------------------------------------------------
    # Files (the formats live in `torchkeras.saving`).

    def save(self, filepath, overwrite=True, include_optimizer=True,
             save_format=None, **kwargs):
        """Saves the model: ``.keras`` archive, Keras 2 ``.h5``, or a
        SavedModel-like folder (config, weights, a ``torch.export``)."""
        from torchkeras import saving

        saving.save_model(self, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer,
                          save_format=save_format, **kwargs)

    def save_weights(self, filepath, overwrite=True, save_format=None,
                     options=None):
        """Saves the weights; the format follows the suffix (``.weights.h5``,
        ``.h5``, ``.safetensors``, none: a checkpoint)."""
        from torchkeras import saving

        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False,
                     options=None):
        """Loads weights saved by torchkeras, tf.keras or Keras 3."""
        from torchkeras import saving

        return saving.load_weights(self, filepath, by_name=by_name,
                                   skip_mismatch=skip_mismatch)

    def export(self, filepath, format="torch", input_signature=None,
               **kwargs):
        """Exports a serving artifact (a ``torch.export`` program)."""
        from torchkeras import saving

        return saving.export(self, filepath, format=format,
                             input_signature=input_signature)

    def to_json(self, **kwargs):
        from torchkeras import saving

        return saving.model_to_json(self, **kwargs)

    def get_config(self):
        if not self._is_graph_network:
            return Layer.get_config(self)
        from torchkeras.engine.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        if "layers" in config_ and "input_layers" in config_:
            from torchkeras.engine.functional_config import (
                functional_from_config,
            )

            return functional_from_config(cls, config_, custom_objects)
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _batchless(shape):
    """``(None, ...)`` shapes: a build shape must not fix the batch size."""
    if isinstance(shape, dict):
        return {k: _batchless(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and not isinstance(
            shape[0], (int, type(None))):
        return [_batchless(s) for s in shape]
    if isinstance(shape, (list, tuple)) and shape:
        return (None,) + tuple(shape[1:])
    return shape


def _apply_deferred_weights(model):
    """Weights loaded before the model was built apply once it is."""
    from torchkeras.saving import deferred

    deferred.apply_now(model)


class Functional(Model):
    """The class of models made by ``Model(inputs, outputs)`` in configs."""


class _OwnGraphNode:
    """A functional model's node 0 (its own inputs and outputs), as the
    graph attributes of ``Layer`` read it."""

    is_input = False

    def __init__(self, inputs, outputs):
        self.input_tensors = inputs
        self.output_tensors = outputs


def is_input_layer(layer):
    return isinstance(layer, InputLayer)
