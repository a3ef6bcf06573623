"""Normalization: adapt against NumPy mean/var, formula, config, saving."""

import os

import numpy as np
import pytest
import torch

import torchkeras as keras

RNG = np.random.default_rng(0)
DATA = RNG.normal(3.0, 2.0, size=(40, 3, 4)).astype("float32")


@pytest.mark.parametrize("axis,reduce", [(-1, (0, 1)), ((1, 2), (0,)),
                                         (None, (0, 1, 2)), (1, (0, 2))])
def test_adapt_matches_numpy(axis, reduce):
    layer = keras.layers.Normalization(axis=axis)
    layer.adapt(DATA)
    mean = DATA.astype(np.float64).mean(axis=reduce, keepdims=True)
    var = DATA.astype(np.float64).var(axis=reduce, keepdims=True)
    expected = (DATA - mean) / np.sqrt(var)
    np.testing.assert_allclose(layer(DATA).numpy(), expected, rtol=1e-5,
                               atol=1e-5)
    kept = [d for d in range(3) if d not in reduce]
    assert layer.get_weights()[0].shape == tuple(DATA.shape[d]
                                                 for d in kept)


def test_batched_adapt_equals_full_statistics():
    full = keras.layers.Normalization()
    full.adapt(DATA)
    batched = keras.layers.Normalization()
    batched.adapt(keras.data.Dataset.from_tensor_slices(DATA).batch(7))
    from_iter = keras.layers.Normalization()
    from_iter.adapt(iter([DATA[:13], DATA[13:]]))
    for layer in (batched, from_iter):
        for got, want in zip(layer.get_weights()[:2],
                             full.get_weights()[:2]):
            np.testing.assert_allclose(got, want, rtol=1e-5)


def test_given_statistics_invert_and_epsilon():
    layer = keras.layers.Normalization(mean=3.0, variance=2.0)
    x = np.array([[1.0], [2.0], [3.0]], dtype="float32")
    np.testing.assert_allclose(layer(x).numpy(), (x - 3.0) / np.sqrt(2.0),
                               rtol=1e-6)
    per_feature = keras.layers.Normalization(mean=[1.0, 2.0],
                                             variance=[4.0, 0.0])
    out = per_feature(np.array([[3.0, 2.0]], dtype="float32"))
    # sqrt(variance) is kept above backend.epsilon() (1e-7).
    np.testing.assert_allclose(out.numpy(), [[1.0, 0.0]])
    inverse = keras.layers.Normalization(axis=-1, invert=True)
    inverse.adapt(np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.],
                            [2., 9., 6.]], dtype="float32"))
    np.testing.assert_allclose(
        inverse(np.array([[1., 2., 3.]], dtype="float32")).numpy(),
        [[2., 10., 8.]])


def test_weights_names_and_config():
    layer = keras.layers.Normalization(axis=-1)
    layer.adapt(DATA[:, 0, :])
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/mean", f"{layer.name}/variance", f"{layer.name}/count"]
    assert not layer.trainable_weights
    config = layer.get_config()
    assert config["axis"] == [-1] and config["mean"] is None
    given = keras.layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0])
    clone = keras.layers.Normalization.from_config(given.get_config())
    x = np.array([[2.0, 4.0]], dtype="float32")
    torch.testing.assert_close(clone(x), given(x))


def test_adapted_model_saves_and_loads(tmp_path):
    layer = keras.layers.Normalization()
    x = DATA[:, 0, :]
    layer.adapt(x)
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(layer(inputs)))
    import torchkeras.saving as saving

    path = os.path.join(tmp_path, "norm.keras")
    saving.save_model(model, path)
    loaded = saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("kwargs,match", [
    ({"mean": 1.0}, "both"),
    ({"mean": [1.0, 2.0], "variance": [1.0]}, "same shape"),
    ({"mean": [[1.0]], "variance": [[1.0]]}, "rank"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.layers.Normalization(**kwargs)


def test_adapt_with_other_feature_size_raises():
    layer = keras.layers.Normalization()
    layer.adapt(DATA[:, 0, :])
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.ones((3, 5), "float32"))


def test_weights_are_mean_variance_count_as_in_keras_files():
    # `self.count = self.add_weight(name="count")` must not move `count`
    # (a buffer) ahead of mean and variance: files list them in this order.
    layer = keras.layers.Normalization(axis=-1)
    layer.build((None, 3))
    assert [w.name.split("/")[-1] for w in layer.weights] == [
        "mean", "variance", "count"]
    assert [np.shape(w) for w in layer.get_weights()] == [(3,), (3,), ()]
    assert "count" in dict(layer.named_buffers())
    assert layer.count is layer.weights[2]
