"""Property: wrong inputs to core layers fail at graph construction.

Hypothesis draws a core layer and a KerasTensor input that cannot work for
it (wrong rank, a ``'string'`` dtype, shapes that do not merge, a dimension
that differs from the one the layer was built for, an axis out of range).
Calling the layer on it must raise ``ValueError`` or ``TypeError`` whose
message contains the layer's (drawn, unique) name, before any data flows.
Five families of 100 examples each: 500 in all.
"""

import hypothesis.strategies as st
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings

import torchkeras as keras
from torchkeras import layers

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow])

NAMES = st.from_regex(r"[a-z]{4,8}", fullmatch=True).map(
    lambda s: f"probe_{s}")
DIMS = st.integers(2, 6)


def shapes(min_rank=1, max_rank=3):
    return st.lists(DIMS, min_size=min_rank, max_size=max_rank).map(tuple)


def inp(shape, dtype=None):
    return keras.Input(shape=tuple(shape), dtype=dtype)


def batch_input(batch_shape):
    return keras.Input(batch_shape=tuple(batch_shape))


def string_input(shape):
    return inp(shape, dtype="string")


def other_dim(dim):
    return dim + 1 if dim < 6 else dim - 1


def change_one(shape, axis):
    changed = list(shape)
    changed[axis] = other_dim(changed[axis])
    return tuple(changed)


def expect_graph_error(layer, build_inputs):
    """Builds the (valid) warm-up graph, then calls ``layer`` on bad inputs.

    ``build_inputs`` returns ``(warmup, bad)``: KerasTensor inputs the layer
    accepts (or None) and the inputs that must be refused.
    """
    warmup, bad = build_inputs()
    if warmup is not None:
        layer(warmup)
    try:
        layer(bad)
    except (ValueError, TypeError) as e:
        assert layer.name in str(e), (
            f"message does not name layer {layer.name!r}: {e}")
        return
    raise AssertionError(
        f"{type(layer).__name__} '{layer.name}' accepted bad inputs "
        f"{_describe(bad)} without raising")


def _describe(inputs):
    if isinstance(inputs, (list, tuple)):
        return [(x.shape, x.dtype) for x in inputs]
    return (inputs.shape, inputs.dtype)


# ---------------------------------------------------------------------------
# Dense.


@st.composite
def dense_cases(draw):
    name = draw(NAMES)
    layer = layers.Dense(draw(st.integers(1, 4)), name=name)
    kind = draw(st.sampled_from(["rank1", "string", "rebuilt", "unknown"]))
    shape = draw(shapes())
    if kind == "rank1":
        batch = draw(st.sampled_from([None, 2]))
        return layer, lambda: (None, batch_input((batch,)))
    if kind == "string":
        return layer, lambda: (None, string_input(shape))
    if kind == "rebuilt":
        return layer, lambda: (inp(shape), inp(change_one(shape, -1)))
    return layer, lambda: (None, inp(shape[:-1] + (None,)))


@SETTINGS
@given(dense_cases())
def test_dense_rejects_bad_inputs(case):
    expect_graph_error(*case)


# ---------------------------------------------------------------------------
# Merging layers.

ELEMENTWISE = [layers.Add, layers.Subtract, layers.Multiply, layers.Average,
               layers.Maximum, layers.Minimum]


@st.composite
def elementwise_cases(draw):
    cls = draw(st.sampled_from(ELEMENTWISE))
    layer = cls(name=draw(NAMES))
    shape = draw(shapes())
    kind = draw(st.sampled_from(["clash", "string", "not_a_list",
                                 "batch"]))
    if cls is layers.Subtract and draw(st.booleans()):
        count = draw(st.sampled_from([1, 3]))
        return layer, lambda: (None, [inp(shape) for _ in range(count)])
    if kind == "clash":
        other = change_one(shape, draw(st.integers(0, len(shape) - 1)))
        return layer, lambda: (None, [inp(shape), inp(other)])
    if kind == "string":
        return layer, lambda: (None, [string_input(shape),
                                      string_input(shape)])
    if kind == "not_a_list":
        return layer, lambda: (None, inp(shape))
    return layer, lambda: (None, [batch_input((2,) + shape),
                                  batch_input((3,) + shape)])


@st.composite
def concatenate_cases(draw):
    shape = draw(shapes(2, 4))
    rank = len(shape) + 1
    axis = draw(st.integers(1, rank - 1))
    kind = draw(st.sampled_from(["clash", "rank", "string", "axis"]))
    if kind == "axis":
        # Positive axis beyond the rank of lower-rank inputs.
        short = (None,) + shape[:axis - 1]
        layer = layers.Concatenate(axis=axis, name=draw(NAMES))
        return layer, lambda: (None, [batch_input(short),
                                      batch_input(short)])
    layer_axis = draw(st.sampled_from([axis, axis - rank]))
    layer = layers.Concatenate(axis=layer_axis, name=draw(NAMES))
    if kind == "clash":
        others = [a for a in range(len(shape)) if a != axis - 1]
        other = change_one(shape, draw(st.sampled_from(others)))
        return layer, lambda: (None, [inp(shape), inp(other)])
    if kind == "rank":
        return layer, lambda: (None, [inp(shape), inp(shape + (2,))])
    return layer, lambda: (None, [string_input(shape), inp(shape)])


@st.composite
def dot_cases(draw):
    layer_axes = draw(st.integers(1, 2))
    layer = layers.Dot(axes=layer_axes, name=draw(NAMES))
    kind = draw(st.sampled_from(["mismatch", "three", "string", "axis"]))
    dims = draw(st.lists(DIMS, min_size=2, max_size=2))
    if kind == "mismatch":
        a = tuple(dims)
        b = change_one(a, layer_axes - 1)
        return layer, lambda: (None, [inp(a), inp(b)])
    if kind == "three":
        return layer, lambda: (None, [inp(dims)] * 3)
    if kind == "string":
        return layer, lambda: (None, [string_input(dims),
                                      string_input(dims)])
    # An axis the inputs do not have: axes >= rank, or rank-1 inputs.
    if layer_axes == 2:
        layer = layers.Dot(axes=draw(st.integers(2, 4)), name=layer.name)
        return layer, lambda: (None, [inp(dims[:1]), inp(dims[:1])])
    return layer, lambda: (None, [batch_input((None,)),
                                  batch_input((None,))])


@SETTINGS
@given(st.one_of(elementwise_cases(), concatenate_cases(), dot_cases()))
def test_merging_layers_reject_bad_inputs(case):
    expect_graph_error(*case)


# ---------------------------------------------------------------------------
# Reshaping layers.


@st.composite
def reshaping_cases(draw):
    name = draw(NAMES)
    which = draw(st.sampled_from(["Flatten", "Reshape", "Permute",
                                  "RepeatVector"]))
    shape = draw(shapes())
    use_string = draw(st.booleans()) or which == "Flatten"
    if which == "Flatten":
        layer = layers.Flatten(name=name)
    elif which == "Reshape":
        size = _prod(shape)
        target = draw(shapes())
        if draw(st.booleans()):
            # `-1` cannot absorb the rest when the rest does not divide.
            target = (-1,) + target[1:]
            assume(size % _prod(target[1:]) != 0)
        else:
            assume(_prod(target) != size)
        layer = layers.Reshape(target, name=name)
    elif which == "Permute":
        k = draw(st.integers(1, 3))
        dims = draw(st.permutations(list(range(1, k + 1))))
        layer = layers.Permute(tuple(dims), name=name)
        if not use_string:
            shape = draw(shapes().filter(lambda s: len(s) != k))
    else:
        layer = layers.RepeatVector(draw(st.integers(1, 3)), name=name)
        if not use_string:
            shape = draw(shapes(2, 3))
    if use_string:
        return layer, lambda: (None, string_input(shape))
    return layer, lambda: (None, inp(shape))


def _prod(shape):
    out = 1
    for d in shape:
        out *= abs(d)
    return out


@SETTINGS
@given(reshaping_cases())
def test_reshaping_layers_reject_bad_inputs(case):
    expect_graph_error(*case)


# ---------------------------------------------------------------------------
# Normalization layers.


@st.composite
def normalization_cases(draw):
    cls = draw(st.sampled_from([layers.BatchNormalization,
                                layers.LayerNormalization]))
    shape = draw(shapes())
    rank = len(shape) + 1
    kind = draw(st.sampled_from(["string", "axis", "rebuilt", "unknown"]))
    name = draw(NAMES)
    if kind == "axis":
        axis = draw(st.sampled_from([rank, rank + 1, -rank - 1]))
        return cls(axis=axis, name=name), lambda: (None, inp(shape))
    layer = cls(name=name)
    if kind == "string":
        return layer, lambda: (None, string_input(shape))
    if kind == "rebuilt":
        return layer, lambda: (inp(shape), inp(change_one(shape, -1)))
    return layer, lambda: (None, inp(shape[:-1] + (None,)))


@SETTINGS
@given(normalization_cases())
def test_normalization_layers_reject_bad_inputs(case):
    expect_graph_error(*case)


# ---------------------------------------------------------------------------
# Activation and regularization layers.


def _activation_layers():
    return [
        lambda n: layers.Activation("relu", name=n),
        lambda n: layers.ReLU(name=n),
        lambda n: layers.LeakyReLU(name=n),
        lambda n: layers.PReLU(name=n),
        lambda n: layers.ELU(name=n),
        lambda n: layers.Softmax(name=n),
        lambda n: layers.Dropout(0.5, name=n),
        lambda n: layers.GaussianNoise(0.1, name=n),
        lambda n: layers.SpatialDropout1D(0.5, name=n),
        lambda n: layers.SpatialDropout2D(0.5, name=n),
        lambda n: layers.Lambda(lambda t: t * 2, name=n),
    ]


@st.composite
def activation_cases(draw):
    name = draw(NAMES)
    kind = draw(st.sampled_from(["string", "string", "spatial", "prelu",
                                 "softmax_axis"]))
    if kind == "string":
        make = draw(st.sampled_from(_activation_layers()))
        layer = make(name)
        rank = {"SpatialDropout1D": 2, "SpatialDropout2D": 3}.get(
            type(layer).__name__)
        shape = draw(shapes(rank or 1, rank or 3))
        return layer, lambda: (None, string_input(shape))
    if kind == "spatial":
        cls, rank = draw(st.sampled_from([(layers.SpatialDropout1D, 2),
                                          (layers.SpatialDropout2D, 3)]))
        shape = draw(shapes(1, 4).filter(lambda s: len(s) != rank))
        return cls(0.5, name=name), lambda: (None, inp(shape))
    shape = draw(shapes())
    if kind == "prelu":
        return layers.PReLU(name=name), lambda: (
            inp(shape), inp(change_one(shape, -1)))
    rank = len(shape) + 1
    axis = draw(st.sampled_from([rank, -rank - 1]))
    return layers.Softmax(axis=axis, name=name), lambda: (None, inp(shape))


@SETTINGS
@given(activation_cases())
def test_activation_layers_reject_bad_inputs(case):
    expect_graph_error(*case)
