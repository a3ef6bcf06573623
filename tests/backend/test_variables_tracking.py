"""Variables behave as TF variables do in Keras code.

``keras.Variable`` / ``K.variable`` against Keras 3's constructor rules;
variables assigned to layer and model attributes are weights (they train,
against a NumPy SGD step, and survive every file format); ``weights``
returns the objects the user holds; ``numpy()`` is a copy.
"""

import copy

import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.backend as K


class Scale(keras.layers.Layer):
    """y = alpha * x * gains + offset; `count` is non-trainable state."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.alpha = K.variable(0.5)
        self.count = keras.Variable(0.0, trainable=False)
        self.pair = [K.variable(1.0), keras.Variable(2.0, trainable=False)]
        self.named = {"first": keras.Variable(np.float32(3.0))}

    def build(self, input_shape):
        self.gains = keras.Variable("ones", shape=(input_shape[-1],),
                                    name="gains")
        self.offset = self.add_weight(shape=(input_shape[-1],),
                                      initializer="zeros", name="offset")

    def call(self, x):
        return x * self.alpha * self.gains + self.offset


class Affine(keras.Model):
    """A subclassed model holding a variable of its own."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(1)
        self.shift = K.variable(0.25, name="shift")

    def call(self, x):
        return self.dense(x) + self.shift


# ---------------------------------------------------------------------------
# keras.Variable / K.variable: Keras 3's constructor.

@pytest.mark.parametrize("initializer, dtype", [
    # Keras 3 (jax backend) prints these dtypes for the same calls.
    (3, torch.int32), (0.5, torch.float32), (np.zeros(2), torch.float32),
    ([1, 2], torch.int32), (np.zeros(2, "float16"), torch.float16),
    (True, torch.bool),
])
def test_variable_default_dtype(initializer, dtype):
    v = keras.Variable(initializer)
    assert v.dtype == dtype
    np.testing.assert_array_equal(v.numpy(), np.asarray(initializer))
    assert v.trainable == dtype.is_floating_point
    assert v.name == "variable"


def test_variable_from_initializer_needs_shape():
    v = keras.Variable(keras.initializers.Constant(2.0), shape=(2, 3),
                       trainable=False, name="c", dtype="float64")
    np.testing.assert_array_equal(v.numpy(), np.full((2, 3), 2.0))
    assert v.dtype == torch.float64 and not v.trainable and v.name == "c"
    np.testing.assert_array_equal(keras.Variable("ones", shape=(2,)).numpy(),
                                  np.ones(2, "float32"))
    with pytest.raises(ValueError, match="shape"):
        keras.Variable("zeros")
    with pytest.raises(ValueError, match="Received: name='a/b'"):
        keras.Variable(1.0, name="a/b")
    with pytest.raises(ValueError, match="aggregation"):
        keras.Variable(1.0, aggregation="max")


def test_variable_copies_its_initial_value():
    source = np.ones(3, "float32")
    tensor = torch.ones(3)
    a, b, c = keras.Variable(source), K.variable(source), keras.Variable(
        tensor)
    source[:] = 7.0
    tensor[:] = 7.0
    for v in (a, b, c):
        np.testing.assert_array_equal(v.numpy(), np.ones(3))


def test_numpy_is_a_copy_of_the_value():
    v = keras.Variable(np.array([1.0, 2.0]))
    before = v.numpy()
    v.assign([5.0, 6.0])
    np.testing.assert_array_equal(before, [1.0, 2.0])
    np.testing.assert_array_equal(K.get_value(v), [5.0, 6.0])
    got = K.get_value(v)
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(got, [5.0, 6.0])
    K.set_value(v, [0.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0])


def test_variable_docstring_example_runs():
    import doctest

    from torchkeras.backend import variables

    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(
            variables.Variable, globs={"np": np, "keras": keras,
                                       "Variable": keras.Variable}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 3


def test_variable_pickles_and_deep_copies():
    import pickle

    v = keras.Variable(np.arange(3.0), name="v", aggregation="sum")
    for other in (copy.deepcopy(v), pickle.loads(pickle.dumps(v))):
        assert type(other) is type(v) and other is not v
        np.testing.assert_array_equal(other.numpy(), v.numpy())
        assert other.name == "v" and other.aggregation == "sum"


# ---------------------------------------------------------------------------
# Attribute tracking.

def test_attribute_variables_are_weights_in_assignment_order():
    layer = Scale()
    layer(np.ones((2, 3), "float32"))
    assert [w.name for w in layer.weights] == [
        "scale/alpha", "scale/count", "scale/pair_0", "scale/pair_1",
        "scale/named_first", "scale/gains", "scale/offset"]
    assert [w.name for w in layer.trainable_weights] == [
        "scale/alpha", "scale/pair_0", "scale/named_first", "scale/gains",
        "scale/offset"]
    assert [w.name for w in layer.non_trainable_weights] == [
        "scale/count", "scale/pair_1"]
    # The very objects the user holds.
    expected = [layer.alpha, layer.count, *layer.pair,
                layer.named["first"], layer.gains, layer.offset]
    assert all(a is b for a, b in zip(layer.weights, expected))
    assert layer.count_params() == 1 + 1 + 2 + 1 + 3 + 3


def test_weights_are_the_objects_add_weight_returned():
    class Linear(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2))
            self.b = self.add_weight(shape=(2,), initializer="zeros")
            self.n = self.add_weight(shape=(), trainable=False)

        def call(self, x):
            return x @ self.w + self.b

    layer = Linear()
    layer.build((None, 3))
    w, b, n = layer.w, layer.b, layer.n
    assert layer.weights == [w, b, n]
    assert layer.trainable_weights == [w, b]
    layer.to(torch.float64)  # moves replace torch buffers: ours stay
    assert all(x is y for x, y in zip(layer.weights, [w, b, n]))
    assert n.dtype == torch.float64 and layer.n is n


def test_reassigning_an_attribute_replaces_or_drops_the_weight():
    layer = Scale()
    layer.build((None, 2))
    first = layer.alpha
    layer.alpha = K.variable(4.0)
    assert layer.alpha is not first
    assert [w for w in layer.weights if w.name == "scale/alpha"] == [
        layer.alpha]
    names = [w.name for w in layer.weights]
    layer.alpha = layer.alpha  # the same variable: nothing changes
    layer.count = layer.count
    assert [w.name for w in layer.weights] == names
    assert layer.count is layer.non_trainable_weights[0]
    assert layer.count is layer._buffers["count"]
    layer.alpha = 1.5  # no longer a variable: no longer a weight
    layer.pair = None
    assert "scale/alpha" not in [w.name for w in layer.weights]
    assert [w.name for w in layer.weights] == [
        "scale/count", "scale/named_first", "scale/gains", "scale/offset"]
    assert layer.alpha == 1.5


def test_variables_of_frozen_layers_and_models_are_non_trainable():
    layer = Scale(trainable=False)
    layer.build((None, 2))
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == len(layer.weights) == 7
    model = Affine()
    model(np.ones((1, 2), "float32"))
    assert model.weights[0] is model.shift
    assert [w.name for w in model.trainable_weights] == [
        "affine/shift", "dense/kernel", "dense/bias"]


def _scale_model():
    inputs = keras.Input((3,))
    return keras.Model(inputs, Scale()(inputs))


def test_attribute_variables_train_as_numpy_sgd():
    model = _scale_model()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)).astype("float32")
    y = rng.standard_normal((8, 3)).astype("float32")
    before = {w.name: w.numpy() for w in model.weights}
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    after = {w.name: w.numpy() for w in model.weights}
    # NumPy: pred = x * a * g + o, loss = mean((pred - y) ** 2).
    a, g, o = (before["scale/alpha"], before["scale/gains"],
               before["scale/offset"])
    d = 2 * (x * a * g + o - y) / y.size
    grads = {"scale/alpha": (d * x * g).sum(), "scale/gains":
             (d * x * a).sum(0), "scale/offset": d.sum(0)}
    for name, grad in grads.items():
        np.testing.assert_allclose(after[name], before[name] - 0.1 * grad,
                                   rtol=1e-5, atol=1e-6)
    # Unused or non-trainable ones keep their values.
    for name in ("scale/count", "scale/pair_0", "scale/pair_1",
                 "scale/named_first"):
        np.testing.assert_array_equal(after[name], before[name])


def test_k_variable_constraint_applies_after_each_step():
    class Clipped(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.alpha = K.variable(0.05, constraint="non_neg")

        def call(self, x):
            return x * self.alpha

    inputs = keras.Input((1,))
    model = keras.Model(inputs, Clipped()(inputs))
    model.compile(keras.optimizers.SGD(1.0), "mse")
    # The gradient step takes alpha to 0.05 - 2 * 0.05 < 0.
    model.fit(np.ones((1, 1)), np.zeros((1, 1)), epochs=1, verbose=0)
    assert float(model.layers[-1].alpha) == 0.0


# ---------------------------------------------------------------------------
# Saving and loading.

def _perturbed(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.standard_normal(np.shape(w)).astype("float32")
                       for w in model.get_weights()])
    return model


@pytest.mark.parametrize("suffix", [".weights.h5", ".h5", ".safetensors"])
def test_attribute_variables_round_trip_weight_files(tmp_path, suffix):
    x = np.random.default_rng(1).standard_normal((4, 3)).astype("float32")
    source = _perturbed(_scale_model(), 1)
    path = str(tmp_path / f"m{suffix}")
    source.save_weights(path)
    keras.backend.clear_session()  # same layer names in the new model
    target = _perturbed(_scale_model(), 2)
    target.load_weights(path)
    for a, b in zip(source.weights, target.weights):
        assert a.name == b.name
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(target.predict(x, verbose=0),
                                  source.predict(x, verbose=0))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_attribute_variables_round_trip_model_save(tmp_path, suffix):
    x = np.random.default_rng(1).standard_normal((4, 3)).astype("float32")
    source = _perturbed(_scale_model(), 3)
    source.save(str(tmp_path / f"m{suffix}"))
    loaded = keras.models.load_model(str(tmp_path / f"m{suffix}"),
                                     custom_objects={"Scale": Scale})
    assert [w.name for w in loaded.weights] == [
        w.name for w in source.weights]
    for a, b in zip(source.weights, loaded.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                  source.predict(x, verbose=0))


def test_subclassed_model_variable_round_trips_keras_file(tmp_path):
    x = np.ones((2, 2), "float32")
    model = Affine()
    model(x)
    K.set_value(model.shift, 3.0)
    model.save(str(tmp_path / "m.keras"))
    loaded = keras.models.load_model(str(tmp_path / "m.keras"),
                                     custom_objects={"Affine": Affine})
    assert float(loaded.shift) == 3.0
    np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


_KERAS3_WRITER = """
import sys
import numpy as np
import keras


@keras.saving.register_keras_serializable(package="test")
class Scale(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.alpha = keras.Variable(0.5)
        self.count = keras.Variable(0.0, trainable=False)

    def build(self, input_shape):
        self.gains = keras.Variable("ones", shape=(input_shape[-1],))
        self.offset = self.add_weight(shape=(input_shape[-1],),
                                      initializer="zeros")

    def call(self, x):
        return x * self.alpha * self.gains + self.offset + self.count


inputs = keras.Input((3,))
model = keras.Model(inputs, Scale()(inputs))
rng = np.random.default_rng(5)
model.set_weights([rng.standard_normal(np.shape(w)).astype("float32")
                   for w in model.get_weights()])
x = rng.standard_normal((4, 3)).astype("float32")
model.save(sys.argv[1] + "/m.keras")
np.savez(sys.argv[1] + "/io.npz", x=x, y=model.predict(x, verbose=0),
         *[w.numpy() for w in model.weights])
print([w.path for w in model.weights])
"""


def test_keras3_file_with_attribute_variables_loads(tmp_path, keras_oracle):
    class Scale(keras.layers.Layer):  # noqa: F811 - Keras 3 names it so
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.alpha = keras.Variable(0.5)
            self.count = keras.Variable(0.0, trainable=False)

        def build(self, input_shape):
            self.gains = keras.Variable("ones", shape=(input_shape[-1],))
            self.offset = self.add_weight(shape=(input_shape[-1],),
                                          initializer="zeros")

        def call(self, x):
            return x * self.alpha * self.gains + self.offset + self.count

    keras_oracle(_KERAS3_WRITER, tmp_path)
    saved = np.load(tmp_path / "io.npz")
    model = keras.models.load_model(str(tmp_path / "m.keras"),
                                    custom_objects={"test>Scale": Scale,
                                                    "Scale": Scale})
    # Keras 3 lists trainable variables, then non-trainable ones.
    layer = model.layers[-1]
    ours = layer.trainable_weights + layer.non_trainable_weights
    for i, w in enumerate(ours):
        np.testing.assert_array_equal(w.numpy(), saved[f"arr_{i}"])
    np.testing.assert_allclose(model.predict(saved["x"], verbose=0),
                               saved["y"], rtol=1e-6, atol=1e-6)
