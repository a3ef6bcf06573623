"""Functional: the model ``Model(inputs, outputs)`` makes.

It holds a ``GraphNetwork`` (``engine/graph_network.py``: the nodes between
the input and output KerasTensors, ordered once) and everything that reads
it: running the graph, mapping the user's inputs to the graph's (flattening
and adapting dtype, device and rank), the graph attributes tf.keras names
(``inputs``, ``output_shape``, ``get_input_at``...) and the config.
``Sequential`` builds on it; its graph exists once its input shape is known.
"""

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.backend import global_state
from torchkeras.backend import call_context
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.engine.graph_network import GraphNetwork
from torchkeras.engine.graph_network import nothing_global_to_honour
from torchkeras.engine.model import Model
from torchkeras.engine.model import _apply_deferred_weights
from torchkeras.engine.trainer import Trainer
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.layers import legacy_interfaces
from torchkeras.layers.layer import Layer
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


def _enter_inference(context):
    """Sets ``context`` (a thread's call-context fields,
    ``call_context.fields()``) as an outermost ``training=False`` call of
    ``predict`` would (its outputs go to NumPy); returns what to
    restore."""
    outer = context["training"]
    context["training"] = False
    context["depth"] = 1
    context["generation"] += 1
    context["losses_added"] = False
    context["predicting"] = True
    return outer


def _leave_inference(context, outer):
    context["training"] = outer
    context["depth"] = 0
    context["predicting"] = False


@keras_export("keras.models.Functional")
class Functional(Model):
    """A model defined by a graph of layers between KerasTensors.

    Made by ``Model(inputs, outputs, name=None)``; tf.keras 2 and Keras 3
    name the class in configs ``Functional``.

    Examples:
        >>> inputs = keras.Input(shape=(3,))
        >>> outputs = keras.layers.Dense(2)(inputs)
        >>> model = keras.Model(inputs, outputs)
        >>> type(model).__name__, isinstance(model, keras.models.Functional)
        ('Functional', True)
    """

    _model_kind = "functional"

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
        if kwargs.get("name") is None and type(self) is Functional:
            kwargs["name"] = global_state.unique_name("model")  # tf.keras's
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)
        self._graph = None
        self._symbolic_losses = []
        self._symbolic_metrics = []  # (KerasTensor, name)
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError(
                    "A functional Model needs both `inputs` and `outputs`. "
                    f"Received: inputs={inputs}, outputs={outputs}"
                )
            self._init_graph_network(inputs, outputs)

    @property
    def _is_graph_network(self):
        return self.__dict__.get("_graph") is not None

    # ------------------------------------------------------------------
    # Construction.

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
            return Model.call(self, inputs, training=training, mask=mask)
        return self._run_graph(inputs)

    def _direct_predictor(self):
        """``predict``'s per-batch call without the calling machinery, or
        None where it would skip something.

        The model-wide conditions are checked here, once per ``predict``
        (or per batch while a callback listens between batches): an
        outermost call of a built graph whose class overrides none of the
        calling machinery nor ``predict_step``, with no hooks, mixed
        policy, activity regularizer, gradient recording or global state
        to honour. The function returned checks only the batch and returns
        ``NotImplemented`` for one that needs the full call.
        """
        if not self._calls_plainly():
            return None
        # The predictor runs in this thread (predict's loop): its call
        # context is fetched once, not per batch.
        context = call_context.fields()
        graph = self._graph
        if (graph.is_chain and not self._symbolic_losses
                and not self._symbolic_metrics
                and isinstance(self._output_structure, KerasTensor)):
            accepted = self.__dict__["_accepted_shapes"]
            dtype = self._input_dtypes[0]
            device = self._model_device()
            on_cpu = device is None or device.type == "cpu"
            run_chain = graph.run_chain

            def predict_chain(x):
                # An input checked and adapted before (same shape, dtype
                # and device) goes straight to the graph.
                if not (type(x) is torch.Tensor
                        and accepted.get(0) == x.shape and x.dtype is dtype
                        and (x.is_cpu if on_cpu else x.device == device)):
                    return NotImplemented
                outer = _enter_inference(context)
                try:
                    return run_chain(x, False, False)
                finally:
                    _leave_inference(context, outer)

            return predict_chain

        def predict_graph(x):
            if type(x) is not torch.Tensor:
                return NotImplemented
            outer = _enter_inference(context)
            try:
                return self._run_graph(x)
            finally:
                _leave_inference(context, outer)

        return predict_graph

    def _calls_plainly(self):
        """An outermost call of this model, with gradients off, would only
        run its graph: see `_direct_predictor`."""
        d = self.__dict__
        plain = d.get("_plain_graph")
        if plain is None:
            cls = type(self)
            plain = bool(cls.call is Functional.call
                         and cls._run_graph is Functional._run_graph
                         and cls.predict_step is Trainer.predict_step
                         and cls.__call__ is Layer.__call__
                         and cls.forward is Layer.forward)
            d["_plain_graph"] = plain
        return not (not plain or not self._is_graph_network
                    or not self.built or CALL_CONTEXT.depth
                    or torch.is_grad_enabled()
                    or self._forward_hooks or self._forward_pre_hooks
                    or self._dtype_policy._is_mixed
                    or self.activity_regularizer is not None
                    or not nothing_global_to_honour())

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
        """``inputs`` of a call as the graph's input tensors (the hot path:
        a lone tensor for a one-input model maps without a lookup)."""
        if type(inputs) is torch.Tensor and isinstance(
                self._input_structure, KerasTensor):
            return [self._adapt_input(0, inputs, self._model_device())]
        device = self._model_device()
        return [self._adapt_input(i, x, device)
                for i, x in enumerate(self._match_inputs(inputs))]

    def _match_inputs(self, x, argument="inputs", strict=False):
        """``x`` as a list in the graph's input order.

        The one mapping from what users pass (one value, a list or tuple
        in the order of ``inputs``, a dict by input name or, for a model
        made with a dict of inputs, by its keys) to the graph's inputs,
        for calls and for ``fit``'s arrays alike. ``strict`` (data given
        to ``fit``/``evaluate``) also refuses dict keys that name no input
        and, for a one-input model, a list holding several arrays.
        Raises ValueError naming the model and ``argument``.
        """
        structure = self._input_structure
        names = [t.name for t in self._graph.flat_inputs]
        expected = len(names)
        if isinstance(x, dict):
            known = list(structure) if isinstance(structure, dict) else names
            missing = [n for n in known if n not in x]
            unknown = sorted((k for k in x if k not in known), key=str)
            if missing or unknown and (strict or isinstance(structure,
                                                            dict)):
                problems = []
                if missing:
                    problems.append(f"missing data for input(s) {missing}")
                if unknown:
                    problems.append(f"unknown input keys {unknown}")
                raise ValueError(
                    f"Model '{self.name}': the keys of `{argument}` must be "
                    f"the input names {known} ({'; '.join(problems)}). "
                    f"Received: keys={sorted(x, key=str)}"
                )
            flat = (tree.flatten(x) if isinstance(structure, dict)
                    else [x[n] for n in names])
        elif isinstance(x, (list, tuple)) and not (
                expected == 1 and isinstance(structure, KerasTensor)
                and (len(x) != 1 and not strict or _scalars(x))):
            flat = (list(tree.flatten(x)) if isinstance(structure, dict)
                    else list(x))
        else:
            flat = [x]
        if len(flat) != expected:
            raise ValueError(
                f"Model '{self.name}' expects {expected} input(s) {names}, "
                f"but it received {len(flat)} input tensors in "
                f"`{argument}`. Inputs received: "
                f"{[tuple(getattr(v, 'shape', ())) for v in flat]}"
            )
        return flat

    def _check_input_data(self, x, argument="x"):
        """Checks the arrays given to ``fit``/``evaluate`` once, before the
        first step: their structure (``_match_inputs``), then each layer
        that defines ``_check_data_once(values, input_name)`` (an
        Embedding's index range) on the model input feeding it.

        Returns True when every such layer reads a model input directly,
        so the per-step checks can be skipped.
        """
        if not self._is_graph_network:
            return False
        flat = self._match_inputs(x, argument, strict=True)
        index_of = {id(t): i for i, t in enumerate(self._graph.flat_inputs)}
        covered = True
        for node in self._graph.nodes:
            check = getattr(node.layer, "_check_data_once", None)
            if check is None or node.is_input:
                continue
            tensor = node.input_tensors[0] if node.input_tensors else None
            index = index_of.get(id(tensor))
            if index is None:
                covered = False
                continue
            values = flat[index]
            if torch.is_tensor(values) and values.numel():
                check(values, self._graph.flat_inputs[index].name)
        return covered

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
        # Traced (torch.export, torch.compile), the shapes may be symbolic:
        # a lookup would become a guard (the program would refuse the
        # last batch size seen), a write would keep the symbols.
        accepted = None
        if not torch.compiler.is_compiling():
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
        if accepted is not None:
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
        if self._is_graph_network:
            self.built = True
            return
        Model.build(self, input_shape)

    # ------------------------------------------------------------------
    # The graph's attributes (tf.keras names).

    @property
    def layers(self):
        if self._is_graph_network:
            return list(self._graph.layers)
        return self._sublayers()

    def _require_graph(self, attr):
        if not self._is_graph_network:
            Model._require_graph(self, attr)

    def _symbolic_outputs(self):
        return self.outputs if self._is_graph_network else None

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

    def get_config(self):
        if not self._is_graph_network:
            return Layer.get_config(self)
        from torchkeras.engine.functional_config import functional_config

        return functional_config(self)


def _scalars(x):
    """A list of numbers (one input's values), not a list of arrays."""
    return bool(x) and np.asarray(x[0]).ndim == 0


class _OwnGraphNode:
    """A functional model's node 0 (its own inputs and outputs), as the
    graph attributes of ``Layer`` read it."""

    is_input = False

    def __init__(self, inputs, outputs):
        self.input_tensors = inputs
        self.output_tensors = outputs

