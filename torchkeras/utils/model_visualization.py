"""``plot_model`` and ``model_to_dot``: a model's graph as a picture.

The model is read once into a small graph (``_graph_layout.GraphNode`` and
``GraphCluster``): one record per layer (name and class, then optionally
the activation, dtype, input/output shapes and trainability, the fields of
tf.keras 2's record labels) and one edge per connection recorded by the
functional graph (each node's input tensors, through their
``_keras_history``). Nested models are one node, or with
``expand_nested=True`` a cluster, labelled with the model's name, holding
their own layers. A subclassed model has no graph and is drawn as a single
node.

``model_to_dot`` writes that graph as Graphviz DOT text itself (no pydot).
``plot_model`` picks the format from the file's suffix and draws it:

- with Graphviz's ``dot`` program on the PATH, ``dot`` renders the DOT text
  (run as a subprocess) into any format it knows;
- without it, the graph is laid out in pure Python (ranks, crossing
  reduction, coordinates; see ``_graph_layout``) and written as SVG text,
  or drawn with matplotlib (if installed) as PNG, PDF, JPEG, ...;
- ``.dot``/``.gv`` write the DOT text and need neither.

Only a format that nothing here can render raises ``ImportError`` saying
what to install (inside IPython it prints that message and returns
``None``, as tf.keras does). The models own the graph; this module only
reads it (``layers``, ``_graph.nodes``, ``inputs``, ``outputs``) and never
imports the engine.
"""

import os
import re
import shutil
import subprocess
import sys
import uuid

from torchkeras.utils import _graph_layout
from torchkeras.utils._graph_layout import GraphCluster
from torchkeras.utils._graph_layout import GraphNode

_RANKDIRS = ("TB", "LR", "BT", "RL")
_TEXT_FORMATS = ("dot", "gv")
_GRAPHVIZ_COMMANDS = (
    "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install graphviz`"
)
_MISSING_GRAPHVIZ = (
    "plot_model needs Graphviz's `dot` program on the PATH to write a "
    "{format!r} file, and it was not found. Install Graphviz: "
    + _GRAPHVIZ_COMMANDS + ". Without Graphviz, plot_model writes .svg "
    "files itself and draws .png, .pdf, .jpg, ... files with matplotlib; "
    "a .dot file name (to_file='model.dot') saves the DOT text."
)
_MISSING_MATPLOTLIB = (
    "Without Graphviz's `dot` program on the PATH, plot_model draws a "
    "{format!r} file with matplotlib, and matplotlib is not installed "
    "either. Install matplotlib (`pip install matplotlib`) or Graphviz ("
    + _GRAPHVIZ_COMMANDS + "), or use a .svg file name "
    "(to_file='model.svg'), which needs neither."
)


class DotGraph:
    """The DOT text of a model plot, with the few pydot methods users call.

    ``model_to_dot(model).create(prog="dot", format="svg")`` returns the
    rendered bytes, as it does with tf.keras's pydot graph. Without
    Graphviz, ``prog="dot"`` falls back to this package's own layout
    (SVG, or the formats matplotlib writes).

    Args:
        source: the DOT text.
        graph: the graph the text was written from (a
            ``_graph_layout.GraphCluster``), for rendering without
            Graphviz; ``None`` when there is only the text.
        rankdir: the direction of that rendering.
        dpi: the resolution of that rendering.
    """

    def __init__(self, source, graph=None, rankdir="TB", dpi=96):
        self.source = source
        self._graph = graph
        self._rankdir = rankdir
        self._dpi = dpi

    def to_string(self):
        """The DOT text."""
        return self.source

    def __str__(self):
        return self.source

    def create(self, prog="dot", format="png"):  # noqa: A002 - pydot name
        """Renders the graph and returns the bytes.

        Graphviz's ``prog`` renders it where it is installed; otherwise
        (for ``prog="dot"``) the layout of ``_graph_layout`` draws it.

        Raises:
            ImportError: if nothing here can render ``format``.
            RuntimeError: if Graphviz fails.
        """
        exe = shutil.which(prog)
        if exe is None:
            if prog == "dot" and self._graph is not None:
                return _render(self._graph, format, self._rankdir,
                               self._dpi)
            raise ImportError(_MISSING_GRAPHVIZ.format(format=format))
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

    Each layer is a record node (its fields chosen by the ``show_*``
    arguments) and each connection of the functional graph an edge.

    Args:
        model: a built Keras model (functional, Sequential or subclassed).
        show_shapes: whether to display input and output shapes.
        show_dtype: whether to display the output dtypes.
        show_layer_names: whether to display layer names.
        rankdir: ``"TB"`` (a vertical plot), ``"LR"`` (horizontal),
            ``"BT"`` or ``"RL"``.
        expand_nested: whether to draw nested models as clusters of their
            layers, labelled with the model's name.
        dpi: image resolution in dots per inch.
        layer_range: two layer names or regexes, the first and last layer
            to draw (both inclusive); top level only.
        show_layer_activations: whether to display the activation of the
            layers that have one.
        show_trainable: whether to display whether each layer is trainable.

    Returns:
        A ``DotGraph``: ``to_string()`` gives the DOT text, ``create()``
        renders it (with or without Graphviz).

    Raises:
        ValueError: if the model is not built, or ``rankdir``, ``dpi`` or
            ``layer_range`` are invalid.

    Examples:
        >>> import torchkeras as keras
        >>> inputs = keras.Input(shape=(4,), name="x")
        >>> outputs = keras.layers.Dense(2, name="out")(inputs)
        >>> dot = model_to_dot(keras.Model(inputs, outputs))
        >>> print(dot.to_string().splitlines()[-2])
          n0 -> n1;
        >>> dot.create(format="svg").startswith(b"<?xml")
        True
    """
    _check_arguments(model, rankdir, dpi)
    options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                   show_layer_names=show_layer_names,
                   expand_nested=expand_nested,
                   show_layer_activations=show_layer_activations,
                   show_trainable=show_trainable, ids={})
    graph = _read_graph(model, layer_range, options)
    return DotGraph(_dot_text(graph, rankdir, dpi), graph, rankdir, dpi)


def plot_model(model, to_file="model.png", show_shapes=False,
               show_dtype=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=96, layer_range=None,
               show_layer_activations=False, show_trainable=False):
    """Draws a Keras model's graph and saves it to a file.

    The picture's format comes from the suffix of ``to_file`` (PNG when
    there is none). Graphviz's ``dot`` program renders it where it is on
    the PATH (``.png``, ``.svg``, ``.pdf``, ``.jpg``, ...); without it the
    graph is laid out here and written as ``.svg`` text, or drawn with
    matplotlib as ``.png``, ``.pdf``, ``.jpg``, ``.tif``, ... ``.dot`` and
    ``.gv`` save the DOT text. The file is written whole or not at all.

    Args:
        model: a built Keras model.
        to_file: the file name of the plot.
        show_shapes: whether to display input and output shapes.
        show_dtype: whether to display the output dtypes.
        show_layer_names: whether to display layer names.
        rankdir: ``"TB"`` (top to bottom), ``"LR"`` (left to right),
            ``"BT"`` or ``"RL"``.
        expand_nested: whether to draw nested models as clusters of their
            layers.
        dpi: the resolution: pixels per inch of raster images (the SVG's
            size is scaled by ``dpi / 72``, as Graphviz does).
        layer_range: two layer names or regexes, the first and last layer
            to draw (both inclusive); top level only.
        show_layer_activations: whether to display layer activations.
        show_trainable: whether to display whether each layer is trainable.

    Returns:
        Inside IPython/Jupyter, an ``IPython.display`` Image (or SVG) of
        the file, so the plot shows inline as a cell's value; otherwise
        ``None``.

    Raises:
        ImportError: if nothing can render the format: Graphviz is missing
            and the format is neither SVG nor one that an installed
            matplotlib writes (outside IPython; inside, the message is
            printed and ``None`` returned).
        RuntimeError: if Graphviz fails to render the graph.
        ValueError: as ``model_to_dot``.

    Examples:
        >>> import os, tempfile
        >>> import torchkeras as keras
        >>> inputs = keras.Input(shape=(4,), name="x")
        >>> outputs = keras.layers.Dense(2, name="out")(inputs)
        >>> model = keras.Model(inputs, outputs)
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = os.path.join(folder.name, "model.svg")
        >>> plot_model(model, to_file=path, show_shapes=True)
        >>> with open(path) as f:
        ...     svg = f.read()
        >>> svg.count('class="node"'), "out: Dense" in svg, "(None, 2)" in svg
        (2, True, True)
        >>> folder.cleanup()
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
    try:
        dot.write(to_file, format=extension)
    except ImportError as e:
        if _in_ipython():
            print(e)
            return None
        raise
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


def _read_graph(model, layer_range, options):
    """The graph to draw: a root ``GraphCluster``."""
    root = GraphCluster()
    if _graph(model) is None:
        root.items.append(_graph_node(model, None, options))
    else:
        _fill(root, model, _select_layers(model.layers, layer_range),
              options)
    return root


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


def _fill(cluster, model, layers, options):
    """Adds the nodes (or clusters) of ``layers`` of ``model`` to
    ``cluster``, and the edges between them."""
    for layer in layers:
        if _is_expanded(layer, options):
            child = GraphCluster(_node_id(layer, options), layer.name)
            _fill(child, layer, layer.layers, options)
            cluster.items.append(child)
        else:
            cluster.items.append(_graph_node(layer, model, options))
    drawn = {id(layer) for layer in layers}
    for node in _graph(model).nodes:
        if id(node.layer) not in drawn:
            continue
        for position, tensor in enumerate(node.input_tensors):
            history = tensor._keras_history
            if history is None or id(history.layer) not in drawn:
                continue
            source = _source_id(history.layer, history.tensor_index,
                                options)
            for target in _target_ids(node.layer, position, options):
                if (source, target) not in cluster.edges:
                    cluster.edges.append((source, target))


def _source_id(layer, tensor_index, options):
    """The node an edge starts from: inside an expanded model, the layer
    that made its output number ``tensor_index``."""
    if _is_expanded(layer, options):
        outputs = layer.outputs
        tensor = outputs[min(tensor_index, len(outputs) - 1)]
        history = tensor._keras_history
        return _source_id(history.layer, history.tensor_index, options)
    return _node_id(layer, options)


def _target_ids(layer, position, options):
    """The nodes an edge ends at: inside an expanded model, the input layer
    of its input number ``position``, or, where the model does not list
    that layer (a Sequential), the layers that read the input."""
    if not _is_expanded(layer, options):
        return [_node_id(layer, options)]
    inputs = layer.inputs
    tensor = inputs[min(position, len(inputs) - 1)]
    source = tensor._keras_history.layer
    inner = {id(l) for l in layer.layers}
    if id(source) in inner:
        return _target_ids(source, 0, options)
    ids = []
    for node in _graph(layer).nodes:
        if id(node.layer) not in inner:
            continue
        for index, read in enumerate(node.input_tensors):
            if read is tensor:
                ids += _target_ids(node.layer, index, options)
    return ids


def _node_id(layer, options):
    """``n0``, ``n1``, ...: stable ids, so the DOT text is reproducible."""
    ids = options["ids"]
    return ids.setdefault(id(layer), f"n{len(ids)}")


# ----------------------------------------------------------------------
# Labels.


def _graph_node(layer, owner, options):
    """The record of ``layer`` (called in the graph of ``owner``)."""
    cls = _class_name(layer)
    node = GraphNode(_node_id(layer, options),
                     f"{layer.name}: {cls}" if options["show_layer_names"]
                     else cls)
    if options["show_layer_activations"]:
        node.activation = _activation_name(layer)
    nodes = _own_nodes(layer, owner)
    if options["show_dtype"]:
        node.dtype = _dtype_text(layer, nodes)
    if options["show_shapes"]:
        node.shapes = _shape_texts(layer, nodes)
    if options["show_trainable"]:
        node.trainable = "Trainable" if layer.trainable else "Non-trainable"
    return node


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


# ----------------------------------------------------------------------
# DOT text.


def _dot_text(graph, rankdir, dpi):
    lines = [
        "digraph G {",
        f'  graph [rankdir="{rankdir}", dpi={float(dpi):g}, '
        'concentrate=true, fontname="Helvetica"];',
        '  node [shape=record, fontname="Helvetica", fontsize=11];',
        '  edge [arrowsize=0.7];',
    ]
    lines += _dot_lines(graph, "  ")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_lines(cluster, indent):
    lines = []
    for item in cluster.items:
        if isinstance(item, GraphCluster):
            lines += [f"{indent}subgraph cluster_{item.id} {{",
                      f'{indent}  label="{_quote(item.label)}";',
                      f'{indent}  style="rounded,dashed";']
            lines += _dot_lines(item, indent + "  ")
            lines.append(f"{indent}}}")
        else:
            lines.append(f'{indent}{item.id} [label="{_label(item)}"];')
    lines += [f"{indent}{a} -> {b};" for a, b in cluster.edges]
    return lines


def _label(node):
    """tf.keras 2's record: ``name: Class|activation|dtype|{input:|output:}
    |{{in}|{out}}|Trainable``."""
    label = _escape(node.title)
    if node.activation is not None:
        label = f"{{{label}}}|{{{_escape(node.activation)}}}"
    if node.dtype is not None:
        label += "|" + _escape(node.dtype)
    if node.shapes is not None:
        inputs, outputs = node.shapes
        label += (f"|{{input:|output:}}|{{{{{_escape(inputs)}}}|"
                  f"{{{_escape(outputs)}}}}}")
    if node.trainable is not None:
        label += "|" + node.trainable
    return label


def _escape(text):
    """Escapes the characters that structure a record label."""
    for char in ("\\", "{", "}", "|", "<", ">", '"'):
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def _quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


# ----------------------------------------------------------------------
# Rendering.


def _render(graph, format, rankdir, dpi):  # noqa: A002
    """The bytes of ``graph`` drawn without Graphviz."""
    if format == "svg":
        return _graph_layout.to_svg(graph, rankdir, dpi).encode("utf-8")
    if format not in _graph_layout.IMAGE_FORMATS:
        raise ImportError(_MISSING_GRAPHVIZ.format(format=format))
    try:
        formats = _graph_layout.image_formats()
    except ImportError:
        raise ImportError(
            _MISSING_MATPLOTLIB.format(format=format)) from None
    if format not in formats:
        raise ImportError(_MISSING_GRAPHVIZ.format(format=format))
    return _graph_layout.to_image(graph, format, rankdir, dpi)


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
