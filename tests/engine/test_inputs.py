"""Every input kind fit/evaluate/predict accept, and the errors bad input gets.

Each input kind trains the same frozen model (SGD with learning rate 0) on
the same rows, so the logged loss must equal the NumPy loss every time.
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers

RNG = np.random.default_rng(0)
X1 = RNG.standard_normal((24, 3)).astype("float32")
X2 = RNG.standard_normal((24, 2)).astype("float32")
Y = RNG.integers(0, 4, size=(24,))


def two_input_model():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    merged = layers.Concatenate()([a, b])
    out = layers.Dense(4, activation="softmax", name="out")(merged)
    model = keras.Model([a, b], out)
    model.compile(optimizer=keras.optimizers.SGD(0.0),
                  loss="sparse_categorical_crossentropy")
    return model


def expected_loss(model):
    kernel, bias = model.get_layer("out").get_weights()
    z = np.concatenate([X1, X2], 1) @ kernel + bias
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return -np.log(np.clip(p[np.arange(len(Y)), Y], 1e-7, 1)).mean()


class PairSequence(keras.utils.Sequence):
    def __init__(self):
        super().__init__()
        self.epochs_ended = 0

    def __len__(self):
        return 3

    def __getitem__(self, i):
        s = slice(8 * i, 8 * (i + 1))
        return (X1[s], X2[s]), Y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


class TorchPairs(torch.utils.data.Dataset):
    def __len__(self):
        return 24

    def __getitem__(self, i):
        return (torch.from_numpy(X1[i]), torch.from_numpy(X2[i])), int(Y[i])


def generator():
    for i in range(0, 24, 6):
        yield {"a": X1[i:i + 6], "b": X2[i:i + 6]}, Y[i:i + 6]


@pytest.mark.parametrize("kind", [
    "numpy_list", "numpy_dict", "tensors", "dataset", "sequence",
    "generator", "torch_dataset", "dataloader",
])
def test_every_input_kind_gives_the_numpy_loss(kind):
    model = two_input_model()
    kwargs = {}
    if kind == "numpy_list":
        data = ([X1, X2], Y)
    elif kind == "numpy_dict":
        data = ({"a": X1, "b": X2}, Y)
    elif kind == "tensors":
        data = ([torch.from_numpy(X1), torch.from_numpy(X2)],
                torch.from_numpy(Y))
    elif kind == "dataset":
        data = (keras.data.Dataset.from_tensor_slices(
            ((X1, X2), Y)).batch(5),)
    elif kind == "sequence":
        seq = PairSequence()
        data = (seq,)
    elif kind == "generator":
        data = (generator(),)
    elif kind == "torch_dataset":
        data = (TorchPairs(),)
        kwargs["batch_size"] = 7
    else:
        data = (torch.utils.data.DataLoader(TorchPairs(), batch_size=5),)
    history = model.fit(*data, epochs=1, verbose=0, shuffle=False,
                        **kwargs)
    np.testing.assert_allclose(history.history["loss"][0],
                               expected_loss(model), rtol=1e-5)
    if kind == "sequence":
        assert seq.epochs_ended == 1
    if kind not in ("generator",):
        result = model.evaluate(*data, verbose=0, **kwargs)
        np.testing.assert_allclose(result, expected_loss(model), rtol=1e-5)


def test_predict_with_dataset_of_pairs_ignores_targets():
    model = two_input_model()
    ds = keras.data.Dataset.from_tensor_slices(((X1, X2), Y)).batch(10)
    out = model.predict(ds, verbose=0)
    np.testing.assert_allclose(out, model.predict([X1, X2], verbose=0),
                               rtol=1e-6)


def test_dict_outputs_predict_returns_dict():
    inp = keras.Input(shape=(3,), name="x")
    model = keras.Model(inp, {"p": layers.Dense(2)(inp),
                              "q": layers.Dense(1)(inp)})
    out = model.predict(X1, batch_size=5, verbose=0)
    assert set(out) == {"p", "q"} and out["p"].shape == (24, 2)


def test_string_identity_model_predict_returns_object_array():
    inp = keras.Input(shape=(), dtype="string", name="text")
    model = keras.Model(inp, inp)
    words = np.array(["a", "bb", "ccc"], dtype=object)
    out = model.predict(words, batch_size=2, verbose=0)
    assert out.dtype == object and list(out) == ["a", "bb", "ccc"]


def test_mismatched_lengths_raise_before_training():
    model = two_input_model()
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit([X1, X2[:20]], Y, verbose=0)
    with pytest.raises(ValueError, match="sizes"):
        model.fit([X1, X2], Y[:10], verbose=0)


def test_wrong_input_count_and_unknown_keys_raise():
    model = two_input_model()
    with pytest.raises(ValueError, match="expects 2 input"):
        model.fit([X1], Y, verbose=0)
    with pytest.raises(ValueError, match="keys of `x` must be the input "
                                         "names"):
        model.fit({"a": X1, "zzz": X2}, Y, verbose=0)
    out = keras.Input(shape=(3,))
    two = keras.Model(out, [layers.Dense(2, name="p")(out),
                            layers.Dense(1, name="q")(out)])
    two.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="Unknown keys in the targets"):
        two.fit(X1, {"p": np.zeros((24, 2)), "nope": np.zeros((24, 1))},
                verbose=0)


def test_sparse_labels_out_of_range_raise_before_training():
    model = two_input_model()
    before = model.get_weights()
    bad = Y.copy()
    bad[3] = 7
    with pytest.raises(ValueError, match="7"):
        model.fit([X1, X2], bad, verbose=0)
    with pytest.raises(ValueError):
        model.fit([X1, X2], Y.astype("float32") + 0.5, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_embedding_indices_checked_once_before_training():
    inp = keras.Input(shape=(5,), dtype="int64")
    emb = layers.Embedding(10, 4, name="emb")(inp)
    out = layers.Dense(1)(layers.Flatten()(emb))
    model = keras.Model(inp, out)
    model.compile(optimizer="sgd", loss="mse")
    x = RNG.integers(0, 10, size=(8, 5))
    x[2, 1] = 12
    with pytest.raises(ValueError, match="emb.*12|12.*emb"):
        model.fit(x, np.zeros((8, 1)), verbose=0)


def test_fit_without_compile_raises():
    model = keras.Sequential([layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(X1, Y, verbose=0)


def test_validation_split_rejects_generators():
    model = two_input_model()
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(generator(), validation_split=0.2, verbose=0)


def test_deferred_sequential_builds_on_fit():
    model = keras.Sequential([layers.Dense(4, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    y = X1.sum(1, keepdims=True)
    history = model.fit(X1, y, epochs=3, verbose=0)
    assert model.built and model.input_shape == (None, 3)
    assert history.history["loss"][-1] < history.history["loss"][0]
