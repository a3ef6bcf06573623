"""Sequential: a plain stack of layers, each with one input and one output.

The model becomes a functional graph as soon as its input shape is known:
from an ``Input``/``InputLayer`` first, an ``input_shape=`` keyword on the
first layer, ``build(input_shape)``, or the first call on data (deferred
build). Until then it has layers but no weights.
"""

import logging
import warnings

import numpy as np
import torch

from torchkeras.engine.functional import Functional
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.layers.core.input_layer import InputLayer
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


@keras_export("keras.Sequential", "keras.models.Sequential")
class Sequential(Functional):
    """A linear stack of layers.

    Args:
        layers: optional list of layers to add.
        name: the model's name.
        trainable: whether the model's weights are updated in training.

    Examples:
        >>> import torchkeras as keras
        >>> model = keras.Sequential([keras.Input(shape=(16,)),
        ...                           keras.layers.Dense(8)])
        >>> model.output_shape
        (None, 8)
    """

    _model_kind = "sequential"

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    def add(self, layer, rebuild=True):
        """Adds a layer on top of the stack."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. "
                f"Received: layer={layer} of type {type(layer)}."
            )
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(
                f"Sequential model '{self.name}': an InputLayer can only be "
                "the first layer."
            )
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(
                "All layers added to a Sequential model should have unique "
                f"names. Name '{layer.name}' is already the name of a layer "
                "in this model. Update the `name` argument to pass a "
                "unique name."
            )
        self._stack.append(layer)
        self._track_layer(layer)
        if rebuild:
            self._rebuild()

    def pop(self, rebuild=True):
        """Removes the last layer."""
        layers = self.layers
        if not layers:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        for key, module in list(self._modules.items()):
            if module is layer:
                del self._modules[key]
        if rebuild:
            self._rebuild()
        return layer

    def _input_batch_shape(self):
        if not self._stack:
            return None
        first = self._stack[0]
        if isinstance(first, InputLayer):
            return first.batch_shape
        if getattr(first, "_is_graph_network", False) and len(
                first.inputs) == 1:
            return first.inputs[0].shape
        return first._batch_input_shape

    def _rebuild(self):
        self._forget_graph_nodes()
        self._graph = None
        self.built = False
        batch_shape = self._input_batch_shape()
        if batch_shape is not None and self.layers:
            self._build_graph(batch_shape)
        elif batch_shape is not None:
            self.built = False

    def _forget_graph_nodes(self):
        """Drops the nodes of the graph that a rebuild replaces.

        tf.keras 2 calls each added layer once, so ``layer.output`` has one
        node to name; without this every ``add`` would leave one more node
        on each earlier layer. Only a node still last on its layer goes,
        so no other node's index moves.
        """
        if self._graph is None:
            return
        for node in reversed(self._graph.nodes):
            nodes = node.layer._inbound_nodes
            if node.is_input or not nodes or nodes[-1] is not node:
                continue
            nodes.pop()
            for parent in node.inbound_layers:
                parent._outbound_nodes[:] = [
                    n for n in parent._outbound_nodes if n is not node]

    def _build_graph(self, batch_shape, dtype=None):
        from torchkeras.layers.core.input_layer import Input

        first = self._stack[0]
        if isinstance(first, InputLayer):
            inputs = first.output
        else:
            inputs = Input(batch_shape=batch_shape,
                           dtype=dtype or getattr(first, "_input_dtype",
                                                  None))
        x = inputs
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, (list, tuple)) and not isinstance(x,
                                                               KerasTensor):
                raise ValueError(
                    "All layers in a Sequential model should have a single "
                    f"output tensor. Layer '{layer.name}' has "
                    f"{len(x)} outputs."
                )
        self._init_graph_network(inputs, x)

    @property
    def layers(self):
        return [l for l in self._stack if not isinstance(l, InputLayer)]

    def build(self, input_shape=None):
        """Builds the model for ``input_shape`` (batch dimension first)."""
        if self._is_graph_network:
            return
        if input_shape is None:
            input_shape = self._input_batch_shape()
        if input_shape is None:
            raise ValueError(
                f"Sequential model '{self.name}' cannot be built: it has no "
                "input shape. Add an `Input`, pass `input_shape=` to the "
                "first layer, or call `build(input_shape)`."
            )
        if not self.layers:
            raise ValueError(
                f"Sequential model '{self.name}' has no layers to build."
            )
        self._build_graph(tuple(input_shape))

    def _maybe_build(self, input_shape):
        if not self._is_graph_network:
            if isinstance(input_shape, (list, dict)):
                raise ValueError(
                    f"Sequential model '{self.name}' takes a single input. "
                    f"Received: input_shape={input_shape}"
                )
            self.build((None,) + tuple(input_shape)[1:])

    def forward(self, *args, **kwargs):
        if not self._is_graph_network:
            x = args[0] if args else kwargs.get("inputs")
            if isinstance(x, np.ndarray) and x.dtype == object:
                # Raw strings (a TextVectorization first): a string Input,
                # as Keras builds from the first batch's dtype.
                self._build_graph((None,) + x.shape[1:], dtype="string")
                return super().forward(*args, **kwargs)
            if not torch.is_tensor(x):
                x = torch.as_tensor(x)
            self._maybe_build(tuple(x.shape))
        return super().forward(*args, **kwargs)

    def get_config(self):
        from torchkeras.utils.serialization import serialize_keras_object

        layers = []
        stack = self._stack
        if (self._is_graph_network and self.inputs[0].dtype == "string"
                and not isinstance(stack[0], InputLayer)):
            # Built from raw strings: the InputLayer carries the dtype, as
            # Keras writes the one its deferred build added.
            stack = [self.inputs[0]._keras_history[0]] + list(stack)
        for layer in stack:
            layers.append(serialize_keras_object(layer))
        cfg = {"name": self.name, "layers": layers}
        if self._is_graph_network and not isinstance(self._stack[0],
                                                     InputLayer):
            cfg["build_input_shape"] = list(self.input_shape)
        return cfg

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        from torchkeras.layers import deserialize

        model = cls(name=config_.get("name"))
        for layer_config in config_["layers"]:
            model.add(deserialize(layer_config,
                                  custom_objects=custom_objects),
                      rebuild=False)
        model._rebuild()
        if not model._is_graph_network and config_.get("build_input_shape"):
            model.build(config_["build_input_shape"])
        return model

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Deprecated tf.keras (<= 2.5) class predictions.

        The argmax over the last axis of ``predict(x)`` when it has more
        than one unit, else ``(p > 0.5)`` as int32.
        """
        warnings.warn(
            "`model.predict_classes()` is deprecated and will be removed "
            "after 2021-01-01. Please use instead:* "
            "`np.argmax(model.predict(x), axis=-1)`,   if your model does "
            "multi-class classification   (e.g. if it uses a `softmax` "
            "last-layer activation).* `(model.predict(x) > "
            "0.5).astype(\"int32\")`,   if your model does binary "
            "classification   (e.g. if it uses a `sigmoid` last-layer "
            "activation).", stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Deprecated tf.keras (<= 2.5) spelling of ``predict``."""
        warnings.warn(
            "`model.predict_proba()` is deprecated and will be removed "
            "after 2021-01-01. Please use `model.predict()` instead.",
            stacklevel=2)
        preds = self.predict(x, batch_size=batch_size, verbose=verbose)
        if preds.min() < 0.0 or preds.max() > 1.0:
            logging.getLogger(__name__).warning(
                "Network returning invalid probability values. The last "
                "layer might not normalize predictions into probabilities "
                "(like softmax or sigmoid would).")
        return preds
