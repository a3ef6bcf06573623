"""``plot_model`` and ``model_to_dot``: a model's graph as a picture.

``model_to_dot`` writes the Graphviz DOT text of a model itself (no pydot):
one record-shaped node per layer (name and class, then optionally the
activation, dtype, input/output shapes and trainability, in tf.keras 2's
record layout) and one edge per connection recorded by the functional graph
(each node's input tensors, through their ``_keras_history``). Nested models
are one node, or with ``expand_nested=True`` a cluster holding their own
layers. A subclassed model has no graph and is drawn as a single node.

``plot_model`` renders that text with the ``dot`` executable of Graphviz,
run as a subprocess, into a PNG/SVG/PDF/... chosen by the file's suffix
(``.dot``/``.gv`` write the DOT text and need no Graphviz). Without Graphviz
it raises ``ImportError`` saying how to install it (inside IPython it prints
that message and returns ``None``, as tf.keras does). The models own the
graph; this module only reads it (``layers``, ``_graph.nodes``, ``inputs``,
``outputs``) and never imports the engine.
"""

import os
import re
import shutil
import subprocess
import sys
import uuid

_RANKDIRS = ("TB", "LR", "BT", "RL")
_TEXT_FORMATS = ("dot", "gv")
_MISSING_GRAPHVIZ = (
    "plot_model needs Graphviz's `dot` program on the PATH to render a "
    "picture, and it was not found. Install Graphviz: `apt-get install "
    "graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or `conda "
    "install graphviz`; or save the DOT text with a `.dot` file name "
    "(to_file='model.dot')."
)


class DotGraph:
    """The DOT text of a model plot, with the few pydot methods users call.

    ``model_to_dot(model).create(prog="dot", format="svg")`` returns the
    rendered bytes, as it does with tf.keras's pydot graph.

    Args:
        source: the DOT text.
    """

    def __init__(self, source):
        self.source = source

    def to_string(self):
        """The DOT text."""
        return self.source

    def __str__(self):
        return self.source

    def create(self, prog="dot", format="png"):  # noqa: A002 - pydot name
        """Renders the graph with Graphviz and returns the bytes."""
        exe = _graphviz(prog)
        result = subprocess.run([exe, f"-T{format}"],
                                input=self.source.encode("utf-8"),
                                capture_output=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(
                f"Graphviz `{prog}` failed to render the model plot as "
                f"{format!r}: {result.stderr.decode(errors='replace')}"
            )
        return result.stdout

    def write(self, path, prog="dot", format="raw"):  # noqa: A002
        """Writes the DOT text (``format="raw"``) or a rendered picture."""
        if format in ("raw",) + _TEXT_FORMATS:
            data = self.source.encode("utf-8")
        else:
            data = self.create(prog=prog, format=format)
        _atomic_write(path, data)
        return True


def model_to_dot(model, show_shapes=False, show_dtype=False,
                 show_layer_names=True, rankdir="TB", expand_nested=False,
                 dpi=96, layer_range=None, show_layer_activations=False,
                 show_trainable=False):
    """Converts a Keras model to DOT format.

    Args:
        model: a built Keras model (functional, Sequential or subclassed).
        show_shapes: whether to display input and output shapes.
        show_dtype: whether to display the output dtypes.
        show_layer_names: whether to display layer names.
        rankdir: ``"TB"`` (a vertical plot), ``"LR"`` (horizontal),
            ``"BT"`` or ``"RL"``.
        expand_nested: whether to draw nested models as clusters of their
            layers.
        dpi: image resolution in dots per inch.
        layer_range: two layer names or regexes, the first and last layer
            to draw (both inclusive); top level only.
        show_layer_activations: whether to display the activation of the
            layers that have one.
        show_trainable: whether to display whether each layer is trainable.

    Returns:
        A ``DotGraph`` (``to_string()`` gives the DOT text).

    Raises:
        ValueError: if the model is not built, or ``rankdir``, ``dpi`` or
            ``layer_range`` are invalid.

    Example:
    >>> import torchkeras as keras
    >>> inputs = keras.Input(shape=(4,), name="x")
    >>> outputs = keras.layers.Dense(2, name="out")(inputs)
    >>> dot = model_to_dot(keras.Model(inputs, outputs))
    >>> dot.to_string().startswith("digraph")
    True
    """
    _check_arguments(model, rankdir, dpi)
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   expand_nested=expand_nested,
                   show_layer_activations=show_layer_activations,
                   show_trainable=show_trainable, ids={})
    lines = [
        "digraph G {",
        f'  graph [rankdir="{rankdir}", dpi={float(dpi):g}, '
        'concentrate=true, fontname="Helvetica"];',
        '  node [shape=record, fontname="Helvetica", fontsize=11];',
        '  edge [arrowsize=0.7];',
    ]
    if _graph(model) is None:
        lines += _node_lines(model, None, options, "  ")
    else:
        layers = _select_layers(model.layers, layer_range)
        lines += _model_lines(model, layers, options, "  ")
    lines.append("}")
    return DotGraph("\n".join(lines) + "\n")


def plot_model(model, to_file="model.png", show_shapes=False,
               show_dtype=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=96, layer_range=None,
               show_layer_activations=False, show_trainable=False):
    """Converts a Keras model to DOT format and saves it to a file.

    The picture's format comes from the suffix of ``to_file``: ``.png``,
    ``.svg``, ``.pdf``, ``.jpg``, ... (PNG when there is none) rendered by
    Graphviz's ``dot`` program; ``.dot``/``.gv`` save the DOT text and need
    no Graphviz. The file is written whole or not at all.

    Args:
        model: a built Keras model.
        to_file: the file name of the plot.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
        dpi, layer_range, show_layer_activations, show_trainable: as in
            ``model_to_dot``.

    Returns:
        Inside IPython/Jupyter, an ``IPython.display`` Image (or SVG) of
        the file, so the plot shows inline; otherwise ``None``.

    Raises:
        ImportError: if Graphviz's ``dot`` is not installed (outside
            IPython; inside, the message is printed and ``None`` returned).
        RuntimeError: if Graphviz fails to render the graph.
        ValueError: as ``model_to_dot``.
    """
    dot = model_to_dot(model, show_shapes=show_shapes,
                       show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       layer_range=layer_range,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension not in _TEXT_FORMATS and shutil.which("dot") is None:
        if _in_ipython():
            print(_MISSING_GRAPHVIZ)
            return None
        raise ImportError(_MISSING_GRAPHVIZ)
    dot.write(to_file, format=extension)
    return _display_object(to_file, extension)


# ----------------------------------------------------------------------
# Reading the model.


def _check_arguments(model, rankdir, dpi):
    if not getattr(model, "built", False):
        raise ValueError(
            f"Model '{getattr(model, 'name', model)}' has not yet been "
            "built. Build the model first by calling `build()` or by "
            "calling the model on a batch of data, then plot it."
        )
    if rankdir not in _RANKDIRS:
        raise ValueError(
            f"`rankdir` must be one of {list(_RANKDIRS)}. Received: "
            f"rankdir={rankdir!r}"
        )
    if not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(
            f"`dpi` must be a positive number. Received: dpi={dpi!r}"
        )


def _graph(model):
    """The functional graph of a model, or None (subclassed, plain layer)."""
    if getattr(model, "_is_graph_network", False):
        return getattr(model, "_graph", None)
    return None


def _is_expanded(layer, options):
    return options["expand_nested"] and _graph(layer) is not None


def _select_layers(layers, layer_range):
    if layer_range is None:
        return list(layers)
    if (not isinstance(layer_range, (list, tuple)) or len(layer_range) != 2
            or not all(isinstance(n, str) for n in layer_range)):
        raise ValueError(
            "`layer_range` must be a list or tuple of two layer names (or "
            f"regexes). Received: layer_range={layer_range!r}"
        )
    first = [i for i, layer in enumerate(layers)
             if re.match(layer_range[0], layer.name)]
    last = [i for i, layer in enumerate(layers)
            if re.match(layer_range[1], layer.name)]
    if not first or not last:
        raise ValueError(
            "`layer_range` does not match the layer names of the model "
            f"{[layer.name for layer in layers]}. Received: "
            f"layer_range={layer_range!r}"
        )
    return list(layers)[min(first):max(last) + 1]


def _model_lines(model, layers, options, indent):
    """Nodes (or clusters) of ``layers`` and the edges between them."""
    lines = []
    for layer in layers:
        if _is_expanded(layer, options):
            lines += _cluster_lines(layer, options, indent)
        else:
            lines += _node_lines(layer, model, options, indent)
    drawn = {id(layer) for layer in layers}
    edges = []
    for node in _graph(model).nodes:
        if id(node.layer) not in drawn:
            continue
        for position, tensor in enumerate(node.input_tensors):
            history = tensor._keras_history
            if history is None or id(history.layer) not in drawn:
                continue
            edge = (_source_id(history.layer, history.tensor_index, options),
                    _target_id(node.layer, position, options))
            if edge not in edges:
                edges.append(edge)
    lines += [f"{indent}{a} -> {b};" for a, b in edges]
    return lines


def _cluster_lines(model, options, indent):
    lines = [f"{indent}subgraph cluster_{_node_id(model, options)} {{",
             f'{indent}  label="{_quote(model.name)}";',
             f'{indent}  style="rounded,dashed";']
    lines += _model_lines(model, model.layers, options, indent + "  ")
    lines.append(f"{indent}}}")
    return lines


def _source_id(layer, tensor_index, options):
    """The node an edge starts from: inside an expanded model, the layer
    that made its output number ``tensor_index``."""
    if _is_expanded(layer, options):
        outputs = layer.outputs
        tensor = outputs[min(tensor_index, len(outputs) - 1)]
        history = tensor._keras_history
        return _source_id(history.layer, history.tensor_index, options)
    return _node_id(layer, options)


def _target_id(layer, position, options):
    """The node an edge ends at: inside an expanded model, the input layer
    of its input number ``position``."""
    if _is_expanded(layer, options):
        inputs = layer.inputs
        tensor = inputs[min(position, len(inputs) - 1)]
        return _target_id(tensor._keras_history.layer, 0, options)
    return _node_id(layer, options)


def _node_id(layer, options):
    """``n0``, ``n1``, ...: stable ids, so the DOT text is reproducible."""
    ids = options["ids"]
    return ids.setdefault(id(layer), f"n{len(ids)}")


# ----------------------------------------------------------------------
# Labels.


def _node_lines(layer, owner, options, indent):
    label = _label(layer, owner, options)
    return [f'{indent}{_node_id(layer, options)} [label="{label}"];']


def _label(layer, owner, options):
    """tf.keras 2's record: ``name: Class|activation|dtype|{input:|output:}
    |{{in}|{out}}|Trainable``."""
    cls = _class_name(layer)
    text = f"{layer.name}: {cls}" if options["show_layer_names"] else cls
    label = _escape(text)
    activation = _activation_name(layer)
    if options["show_layer_activations"] and activation is not None:
        label = f"{{{label}}}|{{{_escape(activation)}}}"
    nodes = _own_nodes(layer, owner)
    if options["show_dtype"]:
        label += "|" + _escape(_dtype_text(layer, nodes))
    if options["show_shapes"]:
        inputs, outputs = _shape_texts(layer, nodes)
        label += (f"|{{input:|output:}}|{{{{{_escape(inputs)}}}|"
                  f"{{{_escape(outputs)}}}}}")
    if options["show_trainable"]:
        label += "|" + ("Trainable" if layer.trainable else "Non-trainable")
    return label


def _class_name(layer):
    name = type(layer).__name__
    if name == "Model" and _graph(layer) is not None:
        return "Functional"  # tf.keras's class for Model(inputs, outputs)
    return name


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    for attr in ("name", "__name__"):
        name = getattr(activation, attr, None)
        if isinstance(name, str):
            return name
    return type(activation).__name__


def _own_nodes(layer, owner):
    """The calls of ``layer`` that belong to the graph of ``owner``."""
    graph = _graph(owner) if owner is not None else None
    if graph is None:
        return []
    mine = {id(node) for node in graph.nodes}
    return [node for node in layer._inbound_nodes if id(node) in mine]


def _shape_texts(layer, nodes):
    if not nodes:
        return "?", "?"
    outputs = _same_or_multiple([_shapes(n.output_tensors) for n in nodes])
    if not nodes[0].input_tensors:  # an InputLayer: what it receives
        return outputs, outputs
    inputs = _same_or_multiple([_shapes(n.input_tensors) for n in nodes])
    return inputs, outputs


def _shapes(tensors):
    shapes = [tuple(t.shape) for t in tensors]
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _dtype_text(layer, nodes):
    if not nodes:
        return str(getattr(layer, "dtype", None) or "?")
    texts = []
    for node in nodes:
        dtypes = [str(t.dtype) for t in node.output_tensors]
        texts.append(dtypes[0] if len(dtypes) == 1 else str(dtypes))
    return _same_or_multiple(texts)


def _same_or_multiple(texts):
    return texts[0] if all(t == texts[0] for t in texts) else "multiple"


def _escape(text):
    """Escapes the characters that structure a record label."""
    for char in ("\\", "{", "}", "|", "<", ">", '"'):
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def _quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


# ----------------------------------------------------------------------
# Rendering.


def _graphviz(prog):
    exe = shutil.which(prog)
    if exe is None:
        raise ImportError(_MISSING_GRAPHVIZ)
    return exe


def _atomic_write(path, data):
    """Writes ``data`` to ``path`` through a temporary file and a rename."""
    directory, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as f:  # "x": never clobbers; umask applies
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _in_ipython():
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get is not None and get() is not None


def _display_object(path, extension):
    """An inline picture of ``path`` when running inside IPython."""
    if not _in_ipython():
        return None
    from IPython import display

    if extension == "svg":
        return display.SVG(filename=path)
    if extension in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=path)
    return None
