"""plot_model / model_to_dot: the DOT graph read back, and real renders.

The DOT text is parsed here with a small independent reader (node ids to
labels, edges to pairs of layer names) and compared with the connections
written down by hand for each model. Rendering runs Graphviz's own `dot`
where it is installed (those tests are skipped, with the reason, where it
is not) and the package's own layout with `dot` hidden from the PATH; both
SVGs are read alike (``<g class="node">``/``<g class="edge">`` titled with
node ids) and checked against the connections read from the model's nodes.
"""

import doctest
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import torch

import torchkeras as keras
from torchkeras.utils import model_visualization
from torchkeras.utils.model_visualization import model_to_dot
from torchkeras.utils.model_visualization import plot_model

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAS_DOT, reason="Graphviz `dot` is not installed "
    "(apt-get install graphviz)")

_NODE = re.compile(r'^\s*(n\d+) \[label="(.*)"\];$')
_EDGE = re.compile(r"^\s*(n\d+) -> (n\d+);$")


def parse(dot_text):
    """(labels by node id, edges as (src label head, dst label head))."""
    labels, edges = {}, []
    for line in dot_text.splitlines():
        node = _NODE.match(line)
        if node:
            labels[node.group(1)] = node.group(2)
        edge = _EDGE.match(line)
        if edge:
            edges.append((edge.group(1), edge.group(2)))
    names = {k: _head(v) for k, v in labels.items()}
    return labels, [(names[a], names[b]) for a, b in edges]


def _head(label):
    """The layer name: the label's text before ': '."""
    return label.lstrip("{").split(": ")[0]


def convnet():
    inputs = keras.Input(shape=(8, 8, 1), name="image")
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu",
                            name="conv")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name="convnet")


def two_towers():
    """Two inputs through one shared Dense, concatenated, two heads."""
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = keras.layers.Dense(3, name="shared")
    merged = keras.layers.Concatenate(name="cat")([shared(a), shared(b)])
    head1 = keras.layers.Dense(1, name="head1")(merged)
    head2 = keras.layers.Dense(2, name="head2")(merged)
    return keras.Model([a, b], [head1, head2], name="towers")


def nested():
    inner_in = keras.Input(shape=(4,), name="inner_in")
    inner_out = keras.layers.Dense(3, name="inner_dense")(inner_in)
    inner = keras.Model(inner_in, inner_out, name="inner")
    x = keras.Input(shape=(4,), name="x")
    y = keras.layers.Dense(2, name="top")(inner(x))
    return keras.Model(x, y, name="outer")


def test_chain_nodes_and_edges():
    labels, edges = parse(model_to_dot(convnet()).to_string())
    assert sorted(labels.values()) == sorted([
        "image: InputLayer", "conv: Conv2D", "pool: MaxPooling2D",
        "flat: Flatten", "out: Dense"])
    assert edges == [("image", "conv"), ("conv", "pool"), ("pool", "flat"),
                     ("flat", "out")]


def test_shared_layer_and_two_outputs():
    _, edges = parse(model_to_dot(two_towers()).to_string())
    # The shared layer is one node; its two calls give one edge from each
    # input, and its two outputs feeding `cat` one edge (tf.keras's rule).
    assert sorted(edges) == sorted([
        ("a", "shared"), ("b", "shared"), ("shared", "cat"),
        ("cat", "head1"), ("cat", "head2")])


def test_shapes_dtypes_activations_trainable():
    model = convnet()
    model.get_layer("pool").trainable = False
    text = model_to_dot(model, show_shapes=True, show_dtype=True,
                        show_layer_activations=True,
                        show_trainable=True).to_string()
    labels, _ = parse(text)
    by_name = {_head(v): v for v in labels.values()}
    # Shapes by hand: 'same' 3x3 conv keeps 8x8, pool 2 halves, 4*4*4=64.
    assert by_name["conv"] == (
        "{conv: Conv2D}|{relu}|float32|{input:|output:}|"
        "{{(None, 8, 8, 1)}|{(None, 8, 8, 4)}}|Trainable")
    assert by_name["pool"] == (
        "pool: MaxPooling2D|float32|{input:|output:}|"
        "{{(None, 8, 8, 4)}|{(None, 4, 4, 4)}}|Non-trainable")
    assert "{{(None, 4, 4, 4)}|{(None, 64)}}" in by_name["flat"]
    assert by_name["out"].startswith("{out: Dense}|{softmax}|")


def test_input_dtype_and_multiple_input_shapes():
    tokens = keras.Input(shape=(5,), dtype="int32", name="tok")
    emb = keras.layers.Embedding(10, 4, name="emb")(tokens)
    labels, _ = parse(model_to_dot(keras.Model(tokens, emb),
                                   show_dtype=True).to_string())
    assert sorted(labels.values()) == ["emb: Embedding|float32",
                                       "tok: InputLayer|int32"]
    labels, _ = parse(model_to_dot(two_towers(), show_shapes=True)
                      .to_string())
    cat = next(v for v in labels.values() if v.startswith("cat"))
    assert "{{[(None, 3), (None, 3)]}|{(None, 6)}}" in cat


def test_nested_model_collapsed_and_expanded():
    model = nested()
    labels, edges = parse(model_to_dot(model).to_string())
    assert "inner: Functional" in labels.values()
    assert edges == [("x", "inner"), ("inner", "top")]
    text = model_to_dot(model, expand_nested=True).to_string()
    labels, edges = parse(text)
    assert "inner: Functional" not in labels.values()
    assert sorted(edges) == sorted([
        ("x", "inner_in"), ("inner_in", "inner_dense"),
        ("inner_dense", "top")])
    cluster = text[text.index("subgraph cluster_"):]
    cluster = cluster[:cluster.index("  }")]
    assert 'label="inner"' in cluster
    assert "inner_dense: Dense" in cluster and "top: Dense" not in cluster


def test_expanded_sequential_is_entered_at_its_first_layer(tmp_path,
                                                          monkeypatch):
    # A Sequential lists no InputLayer: the edge into it goes to the layer
    # reading its input, not to an undrawn node.
    seq = keras.Sequential([keras.Input(shape=(4,)),
                            keras.layers.Dense(4, name="s1"),
                            keras.layers.Dense(4, name="s2")], name="seq")
    x = keras.Input(shape=(4,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="top")(seq(x)))
    text = model_to_dot(model, expand_nested=True).to_string()
    labels, edges = parse(text)
    assert sorted(edges) == [("s1", "s2"), ("s2", "top"), ("x", "s1")]
    assert set(re.findall(r"\b(n\d+) ->", text)) <= set(labels)
    monkeypatch.setenv("PATH", str(tmp_path))
    plot_model(model, to_file=tmp_path / "seq.svg", expand_nested=True,
               rankdir="BT")
    assert len(read_svg((tmp_path / "seq.svg").read_text())[1]) == 3


def test_layer_names_rankdir_dpi_and_layer_range():
    text = model_to_dot(convnet(), show_layer_names=False, rankdir="LR",
                        dpi=150, layer_range=["conv", "flat"]).to_string()
    assert 'rankdir="LR"' in text and "dpi=150" in text
    labels, edges = parse(text)
    assert sorted(labels.values()) == ["Conv2D", "Flatten", "MaxPooling2D"]
    assert len(edges) == 2


def test_sequential_and_subclassed_models():
    seq = keras.Sequential([keras.Input(shape=(3,)),
                            keras.layers.Dense(2, name="d1"),
                            keras.layers.Dense(1, name="d2")], name="seq")
    _, edges = parse(model_to_dot(seq).to_string())
    assert edges == [("d1", "d2")]

    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    sub = Sub()
    sub(torch.zeros(2, 3))
    labels, edges = parse(model_to_dot(sub).to_string())
    assert list(labels.values()) == ["sub: Sub"] and edges == []


def test_record_characters_are_escaped():
    x = keras.Input(shape=(2,), name="in")
    y = keras.layers.Dense(1, name='odd|{name}<"x">')(x)
    labels, _ = parse(model_to_dot(keras.Model(x, y)).to_string())
    assert r'odd\|\{name\}\<\"x\"\>: Dense' in labels.values()


def test_invalid_arguments():
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(convnet(), rankdir="up")
    with pytest.raises(ValueError, match="layer_range"):
        model_to_dot(convnet(), layer_range=["nope", "out"])
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        model_to_dot(unbuilt)


def test_dot_file_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(model_visualization.shutil, "which",
                        lambda name: None)
    path = tmp_path / "model.dot"
    model = convnet()
    assert plot_model(model, to_file=path, show_shapes=True) is None
    assert path.read_text() == model_to_dot(model,
                                            show_shapes=True).to_string()


def test_missing_graphviz_says_how_to_install(tmp_path, monkeypatch):
    # BMP is a Graphviz format that neither the SVG writer nor matplotlib
    # writes: only there does the missing Graphviz remain an error.
    monkeypatch.setattr(model_visualization.shutil, "which",
                        lambda name: None)
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        plot_model(convnet(), to_file=tmp_path / "model.bmp")
    assert list(tmp_path.iterdir()) == []


def test_missing_graphviz_in_a_notebook_prints(tmp_path, monkeypatch,
                                               capsys):
    # tf.keras's behaviour inside IPython: print the advice, return None.
    monkeypatch.setattr(model_visualization.shutil, "which",
                        lambda name: None)
    monkeypatch.setattr(model_visualization, "_in_ipython", lambda: True)
    assert plot_model(convnet(), to_file=tmp_path / "model.bmp") is None
    assert "brew install graphviz" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_png_is_written(tmp_path):
    path = tmp_path / "model.png"
    result = plot_model(nested(), to_file=str(path), show_shapes=True,
                        expand_nested=True)
    assert result is None  # not inside IPython
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 100 and height > 100 and len(data) > 2000
    assert [p.name for p in tmp_path.iterdir()] == ["model.png"]


@needs_dot
def test_svg_and_dot_accepts_our_text(tmp_path):
    path = tmp_path / "model.svg"
    plot_model(two_towers(), to_file=path, show_shapes=True, rankdir="LR")
    svg = path.read_text()
    assert "<svg" in svg and "shared: Dense" in svg
    # Graphviz parses the text without a warning on stderr.
    text = model_to_dot(two_towers(), show_shapes=True, show_dtype=True,
                        show_layer_activations=True,
                        show_trainable=True).to_string()
    done = subprocess.run([shutil.which("dot"), "-Tcanon"],
                          input=text.encode(), capture_output=True)
    assert done.returncode == 0 and done.stderr == b""


# ----------------------------------------------------------------------
# Rendered pictures, with Graphviz and with `dot` hidden from the PATH.

SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(params=["graphviz", "python"])
def renderer(request, monkeypatch, tmp_path_factory):
    """Graphviz's `dot` when installed, or a PATH where there is none."""
    if request.param == "graphviz":
        if not HAS_DOT:
            pytest.skip("Graphviz `dot` is not installed")
    else:
        monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("no_dot")))
        assert shutil.which("dot") is None
    return request.param


def branchy():
    """Two inputs, a skip connection, a nested model with two inputs and
    two outputs, and two heads (one joining the skip branch again)."""
    ia = keras.Input(shape=(6,), name="inner_a")
    ib = keras.Input(shape=(6,), name="inner_b")
    inner_sum = keras.layers.Add(name="inner_sum")([ia, ib])
    io1 = keras.layers.Dense(5, name="inner_d1")(inner_sum)
    io2 = keras.layers.Dense(3, name="inner_d2")(ib)
    inner = keras.Model([ia, ib], [io1, io2], name="inner")
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(2,), name="b")
    x = keras.layers.Dense(6, activation="relu", name="d1")(a)
    y = keras.layers.Dense(6, name="d2")(x)
    y = keras.layers.Dense(6, name="d3")(y)
    skip = keras.layers.Add(name="skip")([x, y])
    p, q = inner([skip, keras.layers.Dense(6, name="b_dense")(b)])
    out1 = keras.layers.Dense(1, name="out1")(p)
    out2 = keras.layers.Concatenate(name="out2")([q, skip])
    return keras.Model([a, b], [out1, out2], name="branchy")


def drawn_layers(model, expand_nested):
    """The layers with a node of their own in the picture."""
    layers = []
    for layer in model.layers:
        if expand_nested and isinstance(layer, keras.Model):
            layers += drawn_layers(layer, expand_nested)
        else:
            layers.append(layer)
    return layers


def connections(model, expand_nested):
    """(source, target) layer names: for each layer, each input tensor of
    each of its inbound nodes, from the layer in its ``_keras_history``;
    an expanded nested model stands for its output and input layers."""

    def nested(layer):
        return expand_nested and isinstance(layer, keras.Model)

    def source(layer, index):
        if nested(layer):
            history = layer.outputs[index]._keras_history
            return source(history.layer, history.tensor_index)
        return layer.name

    def target(layer, position):
        if nested(layer):
            return target(layer.inputs[position]._keras_history.layer, 0)
        return layer.name

    pairs = set()
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for position, tensor in enumerate(node.input_tensors):
                history = tensor._keras_history
                pairs.add((source(history.layer, history.tensor_index),
                           target(layer, position)))
        if nested(layer):
            pairs |= connections(layer, expand_nested)
    return pairs


def read_svg(text):
    """(texts by node id, edge titles, cluster texts, (width, height))."""
    root = ET.fromstring(text.encode())
    groups = list(root.iter(f"{SVG_NS}g"))

    def title(g):
        return g.find(f"{SVG_NS}title").text

    def texts(g):
        return [t.text for t in g.iter(f"{SVG_NS}text")]

    nodes = {title(g): texts(g) for g in groups
             if g.get("class") == "node"}
    edges = [title(g) for g in groups if g.get("class") == "edge"]
    clusters = [texts(g) for g in groups if g.get("class") == "cluster"]
    size = tuple(float(v) for v in root.get("viewBox").split()[2:])
    return nodes, edges, clusters, size


def shape_texts(layer):
    return {str(tuple(t.shape)) for node in layer._inbound_nodes
            for t in node.input_tensors + node.output_tensors}


@pytest.mark.parametrize("expand_nested", [False, True])
def test_svg_has_every_layer_shape_and_connection(tmp_path, renderer,
                                                  expand_nested):
    model = branchy()
    path = tmp_path / "model.svg"
    plot_model(model, to_file=path, show_shapes=True,
               expand_nested=expand_nested)
    nodes, edges, clusters, _ = read_svg(path.read_text())
    names = {node_id: texts[0].split(": ")[0]
             for node_id, texts in nodes.items()}
    layers = drawn_layers(model, expand_nested)
    assert sorted(names.values()) == sorted(layer.name for layer in layers)
    by_name = {names[node_id]: " ".join(texts)
               for node_id, texts in nodes.items()}
    for layer in layers:
        cls = ("Functional" if isinstance(layer, keras.Model)
               else type(layer).__name__)
        assert by_name[layer.name].startswith(f"{layer.name}: {cls}")
        for shape in shape_texts(layer):
            assert shape in by_name[layer.name], (layer.name, shape)
    pairs = [tuple(names[end] for end in edge.split("->"))
             for edge in edges]
    assert len(pairs) == len(set(pairs))  # one edge per connection
    assert set(pairs) == connections(model, expand_nested)
    if expand_nested:
        # The nested model is a cluster named after it, its layers inside.
        assert [texts for texts in clusters] == [["inner"]]
        assert "inner: Functional" not in by_name
    else:
        assert clusters == []
        assert by_name["inner"].startswith("inner: Functional")


def test_png_is_valid_and_drawn(tmp_path, renderer):
    matplotlib_image = pytest.importorskip("matplotlib.image")
    had_pyplot = "matplotlib.pyplot" in sys.modules
    path = tmp_path / "model.png"
    plot_model(branchy(), to_file=path, show_shapes=True,
               expand_nested=True)
    # A Figure and an Agg canvas of its own: pyplot is left alone.
    assert had_pyplot or "matplotlib.pyplot" not in sys.modules
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    pixels = matplotlib_image.imread(path)
    assert pixels.shape[:2] == (height, width)
    # Eleven records, three of them two rows high, at 96 dpi.
    assert 300 < width < 3000 and 500 < height < 5000
    gray = pixels[..., :3].mean(axis=-1)
    ink = float((gray < 0.5).mean())
    assert 0.01 < ink < 0.5  # drawn, and on a white ground
    assert float((gray > 0.95).mean()) > 0.4


def test_rankdir_turns_the_picture(tmp_path, renderer):
    sizes = {}
    for rankdir in ("TB", "LR"):
        path = tmp_path / f"{rankdir}.svg"
        plot_model(convnet(), to_file=path, rankdir=rankdir)
        sizes[rankdir] = read_svg(path.read_text())[3]
    (tb_w, tb_h), (lr_w, lr_h) = sizes["TB"], sizes["LR"]
    assert tb_h > 2 * tb_w and lr_w > 2 * lr_h


def test_layer_range_names_and_dpi(tmp_path, renderer):
    path = tmp_path / "model.svg"
    plot_model(convnet(), to_file=path, show_layer_names=False,
               layer_range=["conv", "flat"], dpi=144)
    text = path.read_text()
    nodes, edges, _, (width, _) = read_svg(text)
    assert sorted(t[0] for t in nodes.values()) == [
        "Conv2D", "Flatten", "MaxPooling2D"]
    assert len(edges) == 2
    root = ET.fromstring(text.encode())
    assert float(root.get("width").rstrip("pt")) == pytest.approx(
        2 * width, rel=0.02)


def test_escaped_names_and_every_field(tmp_path, renderer):
    x = keras.Input(shape=(2,), name="in")
    y = keras.layers.Dense(1, activation="tanh", name='odd|{&}<"x">')(x)
    model = keras.Model(x, y)
    model.layers[1].trainable = False
    path = tmp_path / "model.svg"
    plot_model(model, to_file=path, show_shapes=True, show_dtype=True,
               show_layer_activations=True, show_trainable=True)
    nodes, _, _, _ = read_svg(path.read_text())
    texts = sorted(nodes.values())
    assert ['odd|{&}<"x">: Dense', "tanh", "float32", "input:", "output:",
            "(None, 2)", "(None, 1)", "Non-trainable"] in texts


def test_python_renderer_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    svg = model_to_dot(convnet(), rankdir="BT").create(format="svg")
    assert b"Drawn by torchkeras" in svg
    nodes, edges, _, (width, height) = read_svg(svg.decode())
    assert len(nodes) == 5 and len(edges) == 4 and height > width
    pytest.importorskip("matplotlib")
    pdf = model_to_dot(convnet()).create(format="pdf")
    assert pdf.startswith(b"%PDF")
    jpg = model_to_dot(convnet(), rankdir="RL").create(format="jpg")
    assert jpg[:3] == b"\xff\xd8\xff"


def test_without_graphviz_nor_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    for name in ("matplotlib", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_model(convnet(), to_file=tmp_path / "model.png")
    assert list(tmp_path.iterdir()) == []
    plot_model(convnet(), to_file=tmp_path / "model.svg")  # needs neither
    assert [p.name for p in tmp_path.iterdir()] == ["model.svg"]


def test_notebook_shows_the_picture_without_graphviz(tmp_path,
                                                     monkeypatch):
    display = pytest.importorskip("IPython.display")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(model_visualization, "_in_ipython", lambda: True)
    shown = plot_model(branchy(), to_file=tmp_path / "model.svg")
    assert isinstance(shown, display.SVG) and "b_dense" in shown.data
    pytest.importorskip("matplotlib")
    shown = plot_model(branchy(), to_file=tmp_path / "model.png")
    assert isinstance(shown, display.Image)
    assert shown.data[:8] == PNG_SIGNATURE


def test_docstring_examples_run(renderer):
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(model_visualization, "model_visualization"):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 10
