"""``load_weights`` on a checkpoint: structure matching and TF's status.

tf.keras matches a TF checkpoint's values to variables by the model's
object graph, so any instance of a model class restores another's
checkpoint whatever its layers were auto-named, also before it is built
(delayed restoration), and returns a status whose ``assert_consumed``,
``assert_existing_objects_matched``, ``assert_nontrivial_match`` and
``expect_partial`` behave as in TF. References: the saving model's own
weights and predictions, and hand-listed expectations of what is used.
"""

import json

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import saving
from torchkeras.saving import checkpoint
from torchkeras.saving import safetensors_io
from torchkeras.saving import weight_paths

layers = keras.layers
X = np.linspace(-1.0, 1.0, 24, dtype="float32").reshape(6, 4)


class Net(keras.Model):
    def __init__(self, extra=False, units=3, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = layers.Dense(5, activation="relu")
        self.norm = layers.BatchNormalization()
        self.head = layers.Dense(units)
        self.extra = layers.Dense(units) if extra else None

    def call(self, x, training=None):
        y = self.head(self.norm(self.dense1(x), training=training))
        return self.extra(y) if self.extra is not None else y


def _randomized(model):
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    return model


def _saved(tmp_path, model):
    prefix = str(tmp_path / "ckpt" / "my_ckpt")
    model.save_weights(prefix)
    return prefix


def _other_models_first():
    """Build unrelated layers so the next instance gets other names."""
    for _ in range(3):
        layers.Dense(2)(keras.Input((2,)))
        layers.BatchNormalization()


def _assert_same(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_allclose(a.predict(X, verbose=0),
                               b.predict(X, verbose=0), rtol=0, atol=0)


def test_second_instance_restores_despite_other_layer_names(tmp_path):
    source = Net()
    source(X)
    _randomized(source)
    prefix = _saved(tmp_path, source)
    _other_models_first()
    twin = Net()
    twin(X)
    assert twin.dense1.name != source.dense1.name
    status = twin.load_weights(prefix)
    assert status.assert_consumed() is status
    status.assert_existing_objects_matched().assert_nontrivial_match()
    _assert_same(source, twin)


def test_delayed_restoration_before_build(tmp_path):
    source = Net()
    source(X)
    _randomized(source)
    prefix = _saved(tmp_path, source)
    _other_models_first()
    twin = Net()
    status = twin.load_weights(prefix)
    assert not twin.built
    # Nothing exists to be unmatched, the values belong to its layers, but
    # they are not consumed until the first call builds them.
    status.assert_existing_objects_matched().assert_nontrivial_match()
    with pytest.raises(AssertionError, match="not built yet"):
        status.assert_consumed()
    np.testing.assert_allclose(twin.predict(X, verbose=0),
                               source.predict(X, verbose=0), rtol=0, atol=0)
    status.assert_consumed()
    _assert_same(source, twin)


def test_unused_checkpoint_values_fail_assert_consumed(tmp_path):
    source = Net(extra=True)
    source(X)
    _randomized(source)
    prefix = _saved(tmp_path, source)
    small = Net()
    small(X)
    status = small.load_weights(prefix)
    with pytest.raises(AssertionError) as info:
        status.assert_consumed()
    message = str(info.value)
    assert "extra/kernel" in message and "extra/bias" in message
    assert "dense1/kernel" not in message  # that one was used
    assert status.expect_partial() is status
    status.assert_existing_objects_matched().assert_nontrivial_match()
    np.testing.assert_array_equal(small.head.get_weights()[0],
                                  source.head.get_weights()[0])


def test_unrestored_model_variables_fail_both_asserts(tmp_path):
    source = Net()
    source(X)
    prefix = _saved(tmp_path, source)
    big = Net(extra=True)
    big(X)
    status = big.load_weights(prefix)
    for check in (status.assert_consumed,
                  status.assert_existing_objects_matched):
        with pytest.raises(AssertionError, match="extra/kernel"):
            check()
    status.assert_nontrivial_match()


def test_optimizer_values_need_an_optimizer(tmp_path):
    source = Net()
    source.compile(optimizer="adam", loss="mse")
    y = np.ones((6, 3), "float32")
    source.fit(X, y, epochs=2, verbose=0)
    prefix = _saved(tmp_path, source)

    bare = Net()
    bare(X)
    status = bare.load_weights(prefix)
    with pytest.raises(AssertionError, match="optimizer/"):
        status.assert_consumed()
    status.expect_partial().assert_existing_objects_matched()

    trained = Net()
    trained.compile(optimizer="adam", loss="mse")
    trained(X)
    trained.load_weights(prefix).assert_consumed()
    _assert_same(source, trained)
    assert int(trained.optimizer.iterations) == int(
        source.optimizer.iterations)


def test_functional_models_match_by_position(tmp_path):
    def functional():
        inputs = keras.Input((4,))
        h = layers.Dense(5)(inputs)
        return keras.Model(inputs, layers.Dense(2)(h))

    source = _randomized(functional())
    prefix = _saved(tmp_path, source)
    _other_models_first()
    twin = functional()
    assert twin.layers[1].name != source.layers[1].name
    twin.load_weights(prefix).assert_consumed()
    _assert_same(source, twin)


def test_checkpoint_keys_are_structure_paths(tmp_path):
    source = Net()
    source(X)
    prefix = _saved(tmp_path, source)
    tensors, _ = checkpoint.read(prefix)
    assert set(tensors) == {
        "model/dense1/kernel", "model/dense1/bias", "model/head/kernel",
        "model/head/bias", "model/norm/gamma", "model/norm/beta",
        "model/norm/moving_mean", "model/norm/moving_variance"}


def test_shape_mismatch_raises_and_changes_nothing(tmp_path):
    source = Net(units=4)
    source(X)
    prefix = _saved(tmp_path, source)
    other = Net(units=3)
    other(X)
    before = other.get_weights()
    with pytest.raises(saving.WeightMismatchError, match="head"):
        other.load_weights(prefix)
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_foreign_checkpoint_is_an_error(tmp_path):
    source = Net()
    source(X)
    prefix = _saved(tmp_path, source)
    inputs = keras.Input((4,))
    foreign = keras.Model(inputs, layers.Dense(2)(inputs))
    with pytest.raises(saving.WeightMismatchError, match="none of"):
        foreign.load_weights(prefix)


@pytest.mark.parametrize("index_format", [checkpoint.FORMAT,
                                          "torchkeras-checkpoint-v1"])
def test_checkpoints_of_another_format_are_refused(tmp_path, index_format):
    # Values keyed by layer names (``dense_3/kernel``) under another
    # format name: the index, or else the data file, says it is not ours.
    source = Net()
    source(X)
    _randomized(source)
    expected = source.get_weights()
    prefix = str(tmp_path / "old")
    names = weight_paths.scoped_names(source)[0]
    tensors = {f"model/{names[id(w)]}": weight_paths.to_keras(o, w)
               for o, w in source._weights_with_owner()}
    safetensors_io.write(prefix + checkpoint.DATA_SUFFIX, tensors,
                         {"format": "torchkeras-checkpoint-v1", "epoch": "0"})
    with open(prefix + checkpoint.INDEX_SUFFIX, "w") as f:
        json.dump({"format": index_format}, f)
    refused = (prefix + checkpoint.INDEX_SUFFIX
               if index_format != checkpoint.FORMAT
               else prefix + checkpoint.DATA_SUFFIX)
    with pytest.raises(saving.FileFormatError,
                       match="torchkeras checkpoint|checkpoint format"
                       ) as info:
        source.load_weights(prefix)
    assert refused in str(info.value)
    for a, b in zip(expected, source.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".weights.h5", ".h5"])
def test_h5_loads_return_none(tmp_path, suffix):
    source = Net()
    source(X)
    _randomized(source)
    path = str(tmp_path / f"w{suffix}")
    source.save_weights(path)
    twin = Net()
    twin(X)
    assert twin.load_weights(path) is None
    _assert_same(source, twin)
