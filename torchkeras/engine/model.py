"""Model: a Layer that can be trained, built two ways as in Keras.

- Functional: ``Model(inputs, outputs)`` returns a `Functional`
  (``engine/functional.py``), which keeps a ``GraphNetwork`` and runs its
  ordered plan; ``Sequential`` builds on it.
- Subclassed: ``class MyModel(Model)`` with ``call`` (and optionally
  ``build``); sublayers are tracked as torch submodules. A subclass whose
  ``__init__`` passes ``inputs``/``outputs`` to ``Model.__init__`` becomes
  a functional model, as in Keras (its class gains `Functional`).

Training (``compile``/``fit``/...) comes from the ``Trainer`` mixin in
``engine/trainer.py``.
"""

import re

import torch

from torchkeras.engine.trainer import Trainer
from torchkeras.layers import legacy_interfaces
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export


def _module_key(name):
    return re.sub(r"\W", "_", name)


def functional_init_arguments(args, kwargs):
    """Whether a ``Model(...)`` call gives a graph: ``inputs`` and
    ``outputs`` (or Keras 1's ``input``/``output``), by keyword or first
    positionally."""
    return (len(args) >= 2 and not isinstance(args[0], str)
            or (len(args) == 1 and not isinstance(args[0], str)
                and ("outputs" in kwargs or "output" in kwargs))
            or ("inputs" in kwargs or "input" in kwargs)
            and ("outputs" in kwargs or "output" in kwargs))


@keras_export("keras.Model", "keras.models.Model")
class Model(Trainer, Layer):
    """A model: groups layers into an object with training and inference.

    Two ways to make one, as in tf.keras: the functional API
    ``Model(inputs, outputs, name=None)`` where ``inputs``/``outputs`` are
    KerasTensors (single, list or dict), or subclassing ``Model`` and
    defining ``call``.

    Examples:
        >>> import torchkeras as keras
        >>> inputs = keras.Input(shape=(3,))
        >>> outputs = keras.layers.Dense(2)(inputs)
        >>> model = keras.Model(inputs, outputs)
        >>> model.output_shape
        (None, 2)
    """

    _float32_outputs = True  # under a mixed policy (see Layer.forward)
    # tf.keras code reads it; `Functional` answers whether its graph is
    # built (a Sequential's is once its input shape is known).
    _is_graph_network = False
    # What the model is to code below the engine (saving, summaries), which
    # cannot import these classes: "subclassed", "functional" (Functional)
    # or "sequential" (Sequential, a Functional whose graph may not exist
    # yet).
    _model_kind = "subclassed"

    def __new__(cls, *args, **kwargs):
        if cls is Model and functional_init_arguments(args, kwargs):
            from torchkeras.engine.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if functional_init_arguments(args, kwargs):
            # A subclass calling `super().__init__(inputs, outputs)`.
            from torchkeras.engine.functional import Functional

            _inject_functional(type(self), Functional)
            Functional.__init__(self, *args, **kwargs)
            return
        if "input" in kwargs or "output" in kwargs:  # Keras 1 names
            kwargs = legacy_interfaces.model_kwargs(kwargs)
        inputs, outputs = kwargs.pop("inputs", None), kwargs.pop(
            "outputs", None)
        if inputs is not None or outputs is not None:
            raise ValueError(
                "A functional Model needs both `inputs` and `outputs`. "
                f"Received: inputs={inputs}, outputs={outputs}"
            )
        args = list(args)
        if args:
            kwargs.setdefault("name", args.pop(0))
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)

    def _track_layer(self, layer):
        key = _module_key(layer.name)
        existing = self._modules.get(key)
        if existing is not None and existing is not layer:
            raise ValueError(
                f"Model '{self.name}': all layer names should be unique. "
                f"The name '{layer.name}' is used by two different layers."
            )
        self._modules[key] = layer


    # ------------------------------------------------------------------
    # Running.

    def call(self, inputs, training=None, mask=None):
        raise NotImplementedError(
            f"Model '{self.name}' was not built with the functional API "
            "and does not define `call()`. Subclasses of Model must "
            "override `call` to be called; a model that is only a "
            "training procedure (its own `train_step`) trains with "
            "`fit` and is not called: call its sub-models instead. "
            f"Received: call of {type(self).__name__}"
        )

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it on zeros of that shape."""
        if self.built:
            return
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
        raise AttributeError(
            f"Model '{self.name}' has no `{attr}`: it is a subclassed "
            "model that has not been built with the functional API."
        )

    @property
    def inputs(self):
        self._require_graph("inputs")

    @property
    def outputs(self):
        self._require_graph("outputs")

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


def _inject_functional(cls, functional):
    """Puts `Functional` between ``cls``'s chain and `Model`, as Keras does
    for a subclass that calls ``Model.__init__`` with a graph."""
    if issubclass(cls, functional):
        return
    for klass in cls.__mro__:
        if Model in klass.__bases__:
            klass.__bases__ = tuple(
                functional if base is Model else base
                for base in klass.__bases__)
            return

