"""plot_model / model_to_dot: the DOT graph read back, and real renders.

The DOT text is parsed here with a small independent reader (node ids to
labels, edges to pairs of layer names) and compared with the connections
written down by hand for each model. Rendering runs Graphviz's own `dot`;
those tests are skipped, with the reason, where Graphviz is not installed.
"""

import re
import shutil
import struct
import subprocess

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
    monkeypatch.setattr(model_visualization.shutil, "which",
                        lambda name: None)
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        plot_model(convnet(), to_file=tmp_path / "model.png")
    assert list(tmp_path.iterdir()) == []


def test_missing_graphviz_in_a_notebook_prints(tmp_path, monkeypatch,
                                               capsys):
    # tf.keras's behaviour inside IPython: print the advice, return None.
    monkeypatch.setattr(model_visualization.shutil, "which",
                        lambda name: None)
    monkeypatch.setattr(model_visualization, "_in_ipython", lambda: True)
    assert plot_model(convnet(), to_file=tmp_path / "model.png") is None
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
