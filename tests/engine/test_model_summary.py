"""``model.summary()`` against tables written by hand in tf.keras 2's format.

The expected tables below follow tf.keras 2.13+ (``tf_keras/utils/
layer_utils.py``): 65 columns and positions (.45, .85, 1) for sequential-like
models, 98 columns, (.3, .6, .7, 1) and "Connected to" otherwise, a blank
row after each layer, InputLayer shapes as a list, memory sizes in the
totals. Lines are compared without trailing spaces, and every table line is
checked to be exactly ``line_length`` long.
"""

import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.utils.summary_utils import print_summary
from torchkeras.utils.summary_utils import readable_memory_size


def summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def check(lines, expected, width):
    assert [l.rstrip() for l in lines] == [l.rstrip() for l in expected]
    for line in lines:
        if not line.startswith(("Model:", "Total", "Trainable", "Non-")):
            assert len(line) == width, repr(line)


def test_sequential_table():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2),
                              layers.Dense(3)])
    expected = [
        'Model: "sequential"',
        "_" * 65,
        " Layer (type)                Output Shape              Param #",
        "=" * 65,
        " dense (Dense)               (None, 2)                 10",
        "",
        " dense_1 (Dense)             (None, 3)                 9",
        "",
        "=" * 65,
        "Total params: 19 (76.00 Byte)",
        "Trainable params: 19 (76.00 Byte)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_" * 65,
    ]
    check(summary_lines(model), expected, 65)


def test_linear_functional_model_omits_connected_to():
    x = keras.Input(shape=(4,), name="features")
    y = layers.Dense(1, name="score")(x)
    model = keras.Model(x, y, name="linear")
    expected = [
        'Model: "linear"',
        "_" * 65,
        " Layer (type)                Output Shape              Param #",
        "=" * 65,
        " features (InputLayer)       [(None, 4)]               0",
        "",
        " score (Dense)               (None, 1)                 5",
        "",
        "=" * 65,
        "Total params: 5 (20.00 Byte)",
        "Trainable params: 5 (20.00 Byte)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_" * 65,
    ]
    check(summary_lines(model), expected, 65)


def _branching_model():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="b")
    shared = layers.Dense(2, name="shared")
    total = layers.Add(name="sum")([shared(a), shared(b)])
    return keras.Model([a, b], total, name="siamese")


def test_functional_table_with_connections():
    expected = [
        'Model: "siamese"',
        "_" * 98,
        (" Layer (type)                Output Shape                 Param #"
         "   Connected to"),
        "=" * 98,
        (" a (InputLayer)              [(None, 3)]                  0"
         "         []"),
        "",
        (" b (InputLayer)              [(None, 3)]                  0"
         "         []"),
        "",
        (" shared (Dense)              (None, 2)                    8"
         "         ['a[0][0]',"),
        " " * 68 + " 'b[0][0]']",
        "",
        (" sum (Add)                   (None, 2)                    0"
         "         ['shared[0][0]',"),
        " " * 68 + " 'shared[1][0]']",
        "",
        "=" * 98,
        "Total params: 8 (32.00 Byte)",
        "Trainable params: 8 (32.00 Byte)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_" * 98,
    ]
    check(summary_lines(_branching_model()), expected, 98)


def test_nested_model_collapsed_and_expanded():
    inner_in = keras.Input(shape=(3,), name="inner_in")
    inner = keras.Model(inner_in, layers.Dense(4, name="inner_dense")(
        inner_in), name="inner")
    x = keras.Input(shape=(3,), name="x")
    outer = keras.Model(x, layers.Dense(1, name="head")(inner(x)),
                        name="outer")
    collapsed = [
        'Model: "outer"',
        "_" * 65,
        " Layer (type)                Output Shape              Param #",
        "=" * 65,
        " x (InputLayer)              [(None, 3)]               0",
        "",
        " inner (Functional)          (None, 4)                 16",
        "",
        " head (Dense)                (None, 1)                 5",
        "",
        "=" * 65,
        "Total params: 21 (84.00 Byte)",
        "Trainable params: 21 (84.00 Byte)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_" * 65,
    ]
    check(summary_lines(outer), collapsed, 65)
    expanded = collapsed[:6] + [
        " inner (Functional)          (None, 4)                 16",
        "|" + "-" * 63 + "|",
        "| inner_in (InputLayer)      [(None, 3)]               0        |",
        "|" + " " * 63 + "|",
        "| inner_dense (Dense)        (None, 4)                 16       |",
        "-" * 65,
        "",
    ] + collapsed[8:]
    check(summary_lines(outer, expand_nested=True), expanded, 65)


def test_show_trainable_and_non_trainable_params():
    model = keras.Sequential([keras.Input(shape=(4,)),
                              layers.Dense(2, name="frozen"),
                              layers.Dense(3, name="free")])
    model.get_layer("frozen").trainable = False
    expected = [
        'Model: "sequential"',
        "_" * 76,
        (" Layer (type)                Output Shape              Param #"
         "   Trainable"),
        "=" * 76,
        (" frozen (Dense)              (None, 2)                 10"
         "        N"),
        "",
        (" free (Dense)                (None, 3)                 9"
         "         Y"),
        "",
        "=" * 76,
        "Total params: 19 (76.00 Byte)",
        "Trainable params: 9 (36.00 Byte)",
        "Non-trainable params: 10 (40.00 Byte)",
        "_" * 76,
    ]
    check(summary_lines(model, show_trainable=True), expected, 76)


def test_line_length_and_absolute_positions():
    model = keras.Sequential([keras.Input(shape=(4,)),
                              layers.Dense(2, name="d")])
    lines = summary_lines(model, line_length=40, positions=[15, 30, 40])
    assert lines[1] == "_" * 40
    assert lines[2].rstrip() == " Layer (type)  Output Shape   Param #"
    assert lines[4].rstrip() == " d (Dense)     (None, 2)      10"
    assert all(len(l) == 40 for l in lines[1:7])


def test_long_names_wrap_within_columns():
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        layers.Dense(2, name="a_really_long_layer_name_x")])
    lines = summary_lines(model)
    # 26 characters fit in the first column; the rest goes to a new line.
    assert lines[4].rstrip() == (" a_really_long_layer_name_x"
                                 "  (None, 2)                 10")
    assert lines[5].rstrip() == "  (Dense)"


def test_layer_range():
    x = keras.Input(shape=(2,), name="x")
    h = layers.Dense(2, name="first")(x)
    h = layers.Dense(2, name="second")(h)
    model = keras.Model(x, layers.Dense(2, name="third")(h))
    lines = summary_lines(model, layer_range=["fir", "sec"])
    rows = [l.split()[0] for l in lines[4:] if l.startswith(" ") and
            l.strip()]
    assert rows == ["first", "second"]
    with pytest.raises(ValueError, match="do not match"):
        summary_lines(model, layer_range=["nope", "third"])
    with pytest.raises(ValueError, match="length 2"):
        summary_lines(model, layer_range=["first"])


def test_batch_normalization_counts_non_trainable():
    model = keras.Sequential([keras.Input(shape=(5,)),
                              layers.BatchNormalization(name="bn")])
    lines = summary_lines(model)
    assert lines[4].rstrip() == (" bn (BatchNormalization)     (None, 5)"
                                 "                 20")
    assert lines[-4] == "Total params: 20 (80.00 Byte)"
    assert lines[-3] == "Trainable params: 10 (40.00 Byte)"
    assert lines[-2] == "Non-trainable params: 10 (40.00 Byte)"


def test_subclassed_model_rows():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self.used = layers.Dense(3, name="used")
            self.unused = layers.Dense(2, name="unused")

        def call(self, x):
            return self.used(x)

    model = Net()
    model(torch.ones(1, 4))
    lines = summary_lines(model)
    assert lines[0] == 'Model: "net"'
    assert lines[4].rstrip() == (" used (Dense)                (None, 3)"
                                 "                 15")
    assert lines[6].rstrip() == (" unused (Dense)              ?"
                                 "                         0 (unused)")
    assert lines[-4] == "Total params: 15 (60.00 Byte)"


def test_default_print_fn_writes_stdout(capsys):
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    print_summary(model)
    out = capsys.readouterr().out
    assert out.startswith('Model: "sequential"\n')
    assert "Total params: 10 (40.00 Byte)\n" in out


def test_unbuilt_model_raises():
    with pytest.raises(ValueError, match="not yet been built"):
        keras.Sequential([layers.Dense(1)]).summary()


@pytest.mark.parametrize("size,text", [
    (0, "0.00 Byte"), (76, "76.00 Byte"), (40400, "39.45 KB"),
    (3 * 1024 ** 2, "3.00 MB"), (5 * 1024 ** 3, "5.00 GB")])
def test_readable_memory_size(size, text):
    assert readable_memory_size(size) == text
