"""``model.summary()``: the layer table, in tf.keras 2's plain-text format.

``print_summary`` prints the title ``Model: "name"``, a header row (Layer
(type), Output Shape, Param #, and Connected to for functional models that
are more than a linear chain), one row per layer (each followed by a blank
row, as tf.keras 2.13+ prints them), and the parameter totals with their
memory size. Everything is plain ASCII; the rows nested models expand into
are framed by ``|`` and ``-`` rules (tf.keras draws them with a macron).
Shapes come from the functional graph; layers of subclassed models, which
have no graph, show the shape computed from their build input shape, or
``?``. The model classes own the layers and the graph; this module only
formats them.
"""

import re

from torchkeras.utils import tree

_SEQUENTIAL_POSITIONS = (0.45, 0.85, 1.0)
_FUNCTIONAL_POSITIONS = (0.3, 0.6, 0.7, 1.0)
_BREAKS = ("),", "},", "],", "',")


def print_summary(model, line_length=None, positions=None, print_fn=None,
                  expand_nested=False, show_trainable=False,
                  layer_range=None):
    """Prints a summary of a model, as tf.keras's ``model.summary()``.

    Args:
        model: a built ``Model`` (functional, Sequential or subclassed).
        line_length: total length of printed lines (65, or 98 with the
            "Connected to" column).
        positions: relative (<= 1) or absolute ends of the columns; default
            ``[0.45, 0.85, 1.]`` or ``[0.3, 0.6, 0.7, 1.]``.
        print_fn: called with each line; default ``print``.
        expand_nested: whether to list the layers of nested models.
        show_trainable: whether to add a "Trainable" column (Y/N).
        layer_range: two names or regexes, the first and last layer to
            show (both inclusive).

    Raises:
        ValueError: if the model is not built or ``layer_range`` is bad.

    Examples:
        >>> import torchkeras as keras
        >>> model = keras.Sequential([keras.Input(shape=(4,)),
        ...                           keras.layers.Dense(2)], name="tiny")
        >>> lines = []
        >>> print_summary(model, print_fn=lines.append)
        >>> lines[0], lines[-4]
        ('Model: "tiny"', 'Total params: 10 (40.00 Byte)')
    """
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not yet been built. Build the model "
            "first by calling `build()` or by calling the model on a batch "
            "of data."
        )
    print_fn = print_fn or print
    relevant = _relevant_nodes(model)
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or _SEQUENTIAL_POSITIONS)
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = list(positions or _FUNCTIONAL_POSITIONS)
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")
    table = _Table(print_fn, positions, line_length)
    start, stop = _layer_index_range(model, layer_range)

    def fields(layer):
        row = [f"{layer.name} ({_class_name(layer)})", _output_shape(layer),
               _param_count(layer)]
        if not sequential_like:
            row.append(_connections(layer, relevant))
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        return row

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    table.row(header)
    print_fn("=" * line_length)
    for layer in model.layers[start:stop]:
        _print_layer(table, layer, fields, expand_nested, 0, False)
    print_fn("=" * line_length)
    _print_totals(model, print_fn)
    print_fn("_" * line_length)


class _Table:
    """Prints rows whose cells wrap inside fixed column positions."""

    def __init__(self, print_fn, positions, line_length):
        self.print_fn = print_fn
        self.positions = positions
        self.line_length = line_length

    def row(self, fields, level=0):
        left = [str(f) for f in fields]
        last = len(self.positions) - 1
        while any(left):
            line = ""
            for col, text in enumerate(left):
                start = self.positions[col - 1] if col > 0 else 0
                end = self.positions[col]
                space = 0 if col == last else 2
                cutoff = end - start - space - (0 if col == last else 1)
                if col == 0:
                    cutoff -= level
                    line += "|" * level + " "
                piece = _wrap(text[:cutoff])
                line += piece + " " * space
                left[col] = text[len(piece):]
                pad_to = end - (level if col == last else 0)
                line += " " * (pad_to - len(line))
            self.print_fn(line + "|" * level)

    def rule(self, level, char):
        width = self.line_length - 2 * level
        self.print_fn("|" * level + char * width + "|" * level)


def _wrap(piece):
    """Cuts a cell at the first tuple/list/dict/string end, as tf.keras."""
    cuts = [piece.find(b) + len(b) for b in _BREAKS if piece.find(b) >= 0]
    return piece[:min(cuts)] if cuts else piece


def _print_layer(table, layer, fields, expand_nested, level, is_last):
    table.row(fields(layer), level)
    sublayers = _nested_layers(layer) if expand_nested else []
    if sublayers:
        table.rule(level + 1, "-")
        for i, sub in enumerate(sublayers):
            _print_layer(table, sub, fields, expand_nested, level + 1,
                         i == len(sublayers) - 1)
        table.rule(level, "-")
    if not is_last:
        table.rule(level, " ")


def _nested_layers(layer):
    try:
        return list(getattr(layer, "layers", None) or [])
    except (AttributeError, TypeError):
        return []


def _graph(model):
    if getattr(model, "_is_graph_network", False):
        return getattr(model, "_graph", None)
    return None


def _relevant_nodes(model):
    graph = _graph(model)
    return list(graph.nodes) if graph is not None else []


def _is_sequential_like(model):
    """tf.keras's rule: a chain of single-input nodes, no shared layers."""
    graph = _graph(model)
    if type(model).__name__ == "Sequential" or graph is None:
        return True
    nodes = graph.nodes
    if len([n for n in nodes if n.is_input]) > 1:
        return False
    consumers = {}
    seen_layers = set()
    for node in nodes:
        if len(node.input_tensors) > 1 or id(node.layer) in seen_layers:
            return False
        seen_layers.add(id(node.layer))
        for parent in node.parent_nodes:
            consumers[id(parent)] = consumers.get(id(parent), 0) + 1
    return all(count <= 1 for count in consumers.values())


def _class_name(layer):
    name = type(layer).__name__
    if name == "Model" and getattr(layer, "_is_graph_network", False):
        return "Functional"  # tf.keras's class for Model(inputs, outputs)
    return name


def _output_shape(layer):
    """The shape column: from the graph, else from the build shape."""
    nodes = layer._inbound_nodes
    if nodes:
        shapes = [_node_output_shapes(n) for n in nodes]
        if any(str(s) != str(shapes[0]) for s in shapes):
            return "multiple"
        if type(layer).__name__ == "InputLayer":
            return [shapes[0]]  # tf.keras prints input shapes as a list
        return shapes[0]
    if getattr(layer, "_is_graph_network", False):
        return layer.output_shape
    return _shape_from_build(layer)


def _node_output_shapes(node):
    return tree.map_structure(lambda t: t.shape, node.outputs)


def _shape_from_build(layer):
    """Output shape for the shape the layer was built with (batch None)."""
    build_shape = getattr(layer, "_build_input_shape", None)
    if not layer.built or build_shape is None:
        return "?"
    try:
        return layer.compute_output_shape(_unknown_batch(build_shape))
    except Exception:  # noqa: BLE001 - any failure means "unknown"
        return "?"


def _unknown_batch(shape):
    if isinstance(shape, dict):
        return {k: _unknown_batch(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) for s in shape):
        return [_unknown_batch(s) for s in shape]
    if isinstance(shape, (list, tuple)) and shape:
        return (None,) + tuple(shape[1:])
    return shape


def _param_count(layer):
    if not layer.built and not getattr(layer, "_is_graph_network", False):
        return "0 (unused)"
    return _count(layer.weights)


def _connections(layer, relevant):
    found = []
    for node in layer._inbound_nodes:
        if relevant and node not in relevant:
            continue
        for tensor in node.input_tensors:
            history = tensor._keras_history
            if history is not None:
                found.append(f"{history.layer.name}[{history.node_index}]"
                             f"[{history.tensor_index}]")
    return found


def _layer_index_range(model, layer_range):
    layers = model.layers
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range={layer_range} of length {len(layer_range)}"
        )
    if not all(isinstance(n, str) for n in layer_range):
        raise ValueError(
            "layer_range should contain string type only. Received: "
            f"layer_range={layer_range}"
        )
    lower = [i for i, l in enumerate(layers) if re.match(layer_range[0],
                                                         l.name)]
    upper = [i for i, l in enumerate(layers) if re.match(layer_range[1],
                                                         l.name)]
    if not lower or not upper:
        raise ValueError(
            "Passed layer_names do not match the layer names in the model. "
            f"Received: layer_range={layer_range}"
        )
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _unique(weights):
    return list({id(w): w for w in weights}.values())


def _count(weights):
    return int(sum(w.numel() for w in _unique(weights)))


def _memory(weights):
    return int(sum(w.numel() * w.element_size() for w in _unique(weights)))


def readable_memory_size(size):
    """Bytes as tf.keras writes them: ``'40.00 Byte'``, ``'1.50 KB'``."""
    units = ["Byte", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def _print_totals(model, print_fn):
    trainable = model.trainable_weights
    ids = {id(w) for w in trainable}
    frozen = [w for w in model.weights if id(w) not in ids]
    n_train, n_frozen = _count(trainable), _count(frozen)
    m_train, m_frozen = _memory(trainable), _memory(frozen)
    print_fn(f"Total params: {n_train + n_frozen} "
             f"({readable_memory_size(m_train + m_frozen)})")
    print_fn(f"Trainable params: {n_train} "
             f"({readable_memory_size(m_train)})")
    print_fn(f"Non-trainable params: {n_frozen} "
             f"({readable_memory_size(m_frozen)})")
