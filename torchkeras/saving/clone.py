"""``models.clone_model``: the same architecture with new weights.

Sequential models are rebuilt from clones of their layers; functional
models by replaying their graph, node by node, on new layers (a layer used
twice is cloned once and shared again) and on new or given input tensors;
subclassed models through their config (``get_config``/``from_config``).
``clone_function(layer)`` chooses how each layer is copied (default: from
its config, so weights are freshly initialised, as Keras does).
"""

from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.layers.core.input_layer import InputLayer
from torchkeras.utils import tree
from torchkeras.utils.registry import keras_export


def _default_clone(layer):
    return type(layer).from_config(layer.get_config())


def _model_class(model):
    """The functional ``Model`` class, found without importing engine."""
    for cls in type(model).__mro__:
        if cls.__name__ == "Model":
            return cls
    return type(model)


def _clone_sequential(model, input_tensors, clone_function):
    stack = list(model._stack)
    layers = [clone_function(layer) for layer in stack
              if not isinstance(layer, InputLayer)]
    first = []
    if input_tensors is not None:
        tensors = tree.flatten(input_tensors)
        if len(tensors) != 1:
            raise ValueError(
                "A Sequential model takes one input tensor. Received: "
                f"input_tensors with {len(tensors)} tensors"
            )
        first = [tensors[0]._keras_history.layer]
    elif stack and isinstance(stack[0], InputLayer):
        first = [InputLayer.from_config(stack[0].get_config())]
    return type(model)(layers=first + layers, name=model.name)


def _new_inputs(model, input_tensors):
    old = model._graph.flat_inputs
    if input_tensors is None:
        return [InputLayer.from_config(
            t._keras_history.layer.get_config()).output for t in old]
    new = tree.flatten(input_tensors)
    if len(new) != len(old) or not all(
            isinstance(t, KerasTensor) for t in new):
        raise ValueError(
            f"`input_tensors` must be {len(old)} KerasTensor(s) (from "
            f"`keras.Input`), one per model input. Received: "
            f"input_tensors={input_tensors}"
        )
    return new


def _replay(model, new_inputs, clone_function):
    mapping = {id(o): n for o, n in zip(model._graph.flat_inputs,
                                        new_inputs)}
    clones = {}
    for node in model._graph.nodes:
        if node.is_input:
            continue
        layer = node.layer
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)

        def swap(x):
            return mapping[id(x)] if isinstance(x, KerasTensor) else x

        args = tree.map_structure(swap, node.call_args)
        kwargs = tree.map_structure(swap, node.call_kwargs)
        outputs = clones[id(layer)](*args, **kwargs)
        flat = [t for t in tree.flatten(outputs) if isinstance(t,
                                                               KerasTensor)]
        for old, new in zip(node.output_tensors, flat):
            mapping[id(old)] = new
    return mapping


def _clone_functional(model, input_tensors, clone_function):
    new_inputs = _new_inputs(model, input_tensors)
    mapping = _replay(model, new_inputs, clone_function)

    def rebuild(structure):
        return tree.map_structure(lambda t: mapping[id(t)], structure)

    inputs = rebuild(model._input_structure)
    outputs = rebuild(model._output_structure)
    return _model_class(model)(inputs=inputs, outputs=outputs,
                               name=model.name)


@keras_export("keras.saving.clone_model", "keras.models.clone_model")
def clone_model(model, input_tensors=None, clone_function=None):
    """Returns a new model with `model`'s architecture and new weights.

    Args:
        model: a Sequential, functional or subclassed model.
        input_tensors: optional KerasTensors to call the clone on.
        clone_function: ``layer -> new layer`` (default: from config).

    Returns:
        A new model of the same kind (layers rebuilt, weights freshly
        initialized).

    Raises:
        ValueError: for ``input_tensors`` that do not fit, or a subclassed
            model that cannot be rebuilt from its config.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> clone = keras.models.clone_model(model)
        >>> clone.output_shape, clone is model
        ((None, 2), False)
    """
    clone_function = clone_function or _default_clone
    kind = getattr(model, "_model_kind", None)
    if kind == "sequential":
        return _clone_sequential(model, input_tensors, clone_function)
    if kind == "functional" and model._is_graph_network:
        return _clone_functional(model, input_tensors, clone_function)
    if input_tensors is not None:
        raise ValueError(
            f"Model '{model.name}' is subclassed: `input_tensors` can only "
            "be given for functional and Sequential models. Received: "
            f"input_tensors={input_tensors}"
        )
    try:
        return type(model).from_config(model.get_config())
    except (TypeError, NotImplementedError) as e:
        raise ValueError(
            f"Model '{model.name}' ({type(model).__name__}) is subclassed "
            "and cannot be cloned from its config: implement `get_config` "
            f"and `from_config`. ({e})"
        ) from e
