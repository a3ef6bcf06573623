"""Round trips through every format, for every kind of model.

The reference is the model before saving: after a reload, predictions are
identical, and one more epoch of training (same data, no shuffling) gives
identical weights, which needs the optimizer state (Adam moments and step)
to have survived.
"""

import os
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import saving
from torchkeras.utils.serialization import register_keras_serializable

layers = keras.layers


@register_keras_serializable(package="SavingTest")
class TwoTower(keras.Model):
    """A subclassed model with a list of layers and a nested layer."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.blocks = [layers.Dense(4, activation="tanh"),
                       layers.Dense(4)]
        self.norm = layers.BatchNormalization()
        self.head = layers.Dense(units)

    def call(self, x, training=None):
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x, training=training))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def functional():
    inp = keras.Input((5,), name="x")
    h = layers.Dense(6, activation="relu")(inp)
    h = layers.BatchNormalization()(h)
    return keras.Model(inp, layers.Dense(2)(h))


def sequential_conv():
    return keras.Sequential([
        keras.Input((6, 6, 2)),
        layers.Conv2D(3, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(2),
    ])


def nested():
    inner_in = keras.Input((4,))
    inner = keras.Model(inner_in, layers.Dense(3)(inner_in), name="inner")
    inp = keras.Input((5,))
    h = layers.Dense(4)(inp)
    return keras.Model(inp, layers.Dense(2)(inner(h)))


def shared_multi_io():
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    shared = layers.Dense(4, name="shared")
    merged = layers.Concatenate()([shared(a), shared(b)])
    out1 = layers.Dense(2, name="out1")(merged)
    out2 = layers.Dense(1, name="out2")(layers.Add()([shared(a),
                                                      shared(b)]))
    return keras.Model([a, b], [out1, out2])


def recurrent():
    return keras.Sequential([
        keras.Input((5,), dtype="int32"),
        layers.Embedding(10, 3),
        layers.Bidirectional(layers.GRU(4, return_sequences=True)),
        layers.LSTM(3),
        layers.Dense(2),
    ])


def subclassed():
    model = TwoTower(units=2)
    model.build((None, 5))
    return model


RNG = np.random.default_rng(0)
DATA = {
    "functional": (RNG.normal(size=(8, 5)), RNG.normal(size=(8, 2))),
    "sequential_conv": (RNG.normal(size=(8, 6, 6, 2)),
                        RNG.normal(size=(8, 2))),
    "nested": (RNG.normal(size=(8, 5)), RNG.normal(size=(8, 2))),
    "shared_multi_io": ([RNG.normal(size=(8, 3)), RNG.normal(size=(8, 3))],
                        [RNG.normal(size=(8, 2)), RNG.normal(size=(8, 1))]),
    "recurrent": (RNG.integers(0, 10, size=(8, 5)),
                  RNG.normal(size=(8, 2))),
    "subclassed": (RNG.normal(size=(8, 5)), RNG.normal(size=(8, 2))),
}
BUILDERS = {"functional": functional, "sequential_conv": sequential_conv,
            "nested": nested, "shared_multi_io": shared_multi_io,
            "recurrent": recurrent, "subclassed": subclassed}


def _as_float(data):
    if isinstance(data, list):
        return [_as_float(d) for d in data]
    return data.astype("int32") if data.dtype.kind == "i" else (
        data.astype("float32"))


def trained(kind):
    model = BUILDERS[kind]()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x, y = _as_float(DATA[kind][0]), _as_float(DATA[kind][1])
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    return model, x, y


def predictions(model, x):
    out = model.predict(x, verbose=0)
    return out if isinstance(out, list) else [out]


def assert_same_predictions(a, b, x):
    for pa, pb in zip(predictions(a, x), predictions(b, x)):
        np.testing.assert_array_equal(pa, pb)


def assert_same_continued_training(a, b, x, y):
    for model in (a, b):
        model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def fresh_compiled(kind, model):
    if kind == "subclassed":
        # Name-keyed formats (.h5, .safetensors) need the same layer names:
        # a fresh session gives the sublayers the same automatic names.
        keras.backend.clear_session(free_memory=False)
        twin = TwoTower(units=2)
        twin.build((None, 5))
    else:
        twin = saving.clone_model(model)
    twin.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return twin


KINDS = sorted(BUILDERS)


# Recurrent models cost ~0.3 s a train step on CPU here: they take the
# formats whose layouts differ most (positional Keras 3, named checkpoint).
WEIGHT_CASES = [(kind, suffix) for kind in KINDS for suffix in (
    ".weights.h5", ".h5", ".safetensors", "")
    if kind != "recurrent" or suffix in (".weights.h5", "")]


@pytest.mark.parametrize("kind,suffix", WEIGHT_CASES)
def test_weights_round_trip(tmp_path, kind, suffix):
    model, x, y = trained(kind)
    path = str(tmp_path / f"w{suffix}")
    saving.save_weights(model, path)
    twin = fresh_compiled(kind, model)
    with torch.no_grad():  # the clone starts from other values
        assert any(not np.array_equal(a, b) for a, b in zip(
            model.get_weights(), twin.get_weights()))
    saving.load_weights(twin, path)
    assert_same_predictions(model, twin, x)
    if suffix in (".weights.h5", ""):  # these carry the optimizer state
        assert_same_continued_training(model, twin, x, y)


MODEL_CASES = [(kind, suffix) for kind in KINDS for suffix in (
    ".keras", ".h5", "") if not (kind == "subclassed" and suffix == ".h5")
    # The model folder adds a torch.export program: two kinds suffice
    # here (export has its own tests).
    and (suffix != "" or kind in ("functional", "subclassed"))
    and (kind != "recurrent" or suffix == ".keras")]


@pytest.mark.parametrize("kind,suffix", MODEL_CASES)
def test_model_round_trip(tmp_path, kind, suffix):
    model, x, y = trained(kind)
    path = str(tmp_path / f"m{suffix}")
    if suffix == "":
        with pytest.warns(UserWarning, match="serving program") if (
                kind == "subclassed") else _no_warning():
            saving.save_model(model, path)
    else:
        saving.save_model(model, path)
    loaded = saving.load_model(path)
    assert isinstance(loaded, keras.Model)
    if kind in ("subclassed", "sequential_conv", "recurrent"):
        assert type(loaded) is type(model)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    assert_same_predictions(model, loaded, x)
    assert_same_continued_training(model, loaded, x, y)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_checkpoint_keeps_epoch_and_torch_optimizer(tmp_path):
    model = functional()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.compile(optimizer=opt, loss="mse")
    x, y = _as_float(DATA["functional"][0]), _as_float(DATA["functional"][1])
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    prefix = str(tmp_path / "ckpt" / "weights")
    saving.save_weights(model, prefix)
    assert os.path.exists(prefix + ".index")
    assert os.path.exists(tmp_path / "ckpt" / "checkpoint")
    assert saving.read_checkpoint_epoch(prefix) == 3
    twin = saving.clone_model(model)
    twin.compile(optimizer=torch.optim.SGD(twin.parameters(), lr=0.1,
                                           momentum=0.9), loss="mse")
    saving.load_weights(twin, prefix)
    assert_same_predictions(model, twin, x)
    assert_same_continued_training(model, twin, x, y)


def test_delayed_restoration_subclassed(tmp_path):
    model, x, _ = trained("subclassed")
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(model, path)
    twin = TwoTower(units=2)
    assert not twin.built
    saving.load_weights(twin, path)  # nothing to assign to yet
    # The first call builds the model and the values apply before it runs.
    np.testing.assert_array_equal(twin.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_delayed_restoration_sequential_h5(tmp_path):
    model, x, _ = trained("sequential_conv")
    path = str(tmp_path / "w.h5")
    saving.save_weights(model, path)
    twin = keras.Sequential([
        layers.Conv2D(3, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])
    saving.load_weights(twin, path)
    out = twin(torch.as_tensor(x))
    np.testing.assert_allclose(out.detach().numpy(),
                               model.predict(x, verbose=0), rtol=0, atol=0)


def test_to_json_and_clone(tmp_path):
    model, x, _ = trained("shared_multi_io")
    text = saving.model_to_json(model)
    rebuilt = saving.model_from_json(text)
    assert [layer.name for layer in rebuilt.layers] == [
        layer.name for layer in model.layers]
    rebuilt.set_weights(model.get_weights())
    assert_same_predictions(model, rebuilt, x)
    clone = saving.clone_model(model)
    assert clone.get_layer("shared") is not model.get_layer("shared")
    # The shared layer is cloned once and called at the same 4 places.
    assert len(clone.get_layer("shared")._inbound_nodes) == 4
    assert len(clone.layers) == len(model.layers)
    new_in = [keras.Input((3,)), keras.Input((3,))]
    assert saving.clone_model(model, input_tensors=new_in).inputs == new_in


def test_export_torch_program_dynamic_batch(tmp_path):
    model, x, _ = trained("functional")
    path = str(tmp_path / "model.pt2")
    saving.export(model, path)
    program = torch.export.load(path).module()
    for batch in (1, 3, 8):
        got = program(torch.as_tensor(x[:batch]))
        np.testing.assert_allclose(got.detach().numpy(),
                                   model.predict(x[:batch], verbose=0),
                                   rtol=1e-6, atol=1e-6)


def _first(x, batch):
    if isinstance(x, list):
        return [torch.as_tensor(a[:batch]) for a in x]
    return [torch.as_tensor(x[:batch])]


class _Positional(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, *inputs):
        return self.model(inputs[0] if len(inputs) == 1 else list(inputs))


@pytest.mark.parametrize("kind,how", [
    ("functional", "saving.export"), ("nested", "saving.export"),
    ("shared_multi_io", "saving.export"), ("nested", "strict"),
    ("nested", "non-strict")])
def test_exported_program_takes_the_last_batch_size_predicted(
        tmp_path, kind, how):
    # A functional model remembers the last input shape it checked; while
    # tracing, that memory must not turn into a guard on the batch size.
    model, x, _ = trained(kind)
    model.predict(x[:4] if not isinstance(x, list)
                  else [a[:4] for a in x], verbose=0)
    if how == "saving.export":
        path = str(tmp_path / "model.pt2")
        saving.export(model, path)
        program = torch.export.load(path).module()
    else:
        model.eval()
        batch = {0: torch.export.Dim.DYNAMIC}
        with warnings.catch_warnings():
            # Strict tracing lists the call context's global state as a
            # side effect of `forward`; the program does not depend on it.
            warnings.filterwarnings(
                "ignore", "While compiling, we found certain side effects",
                UserWarning)
            program = torch.export.export(
                _Positional(model), tuple(_first(x, 2)),
                dynamic_shapes=(tuple(batch for _ in _first(x, 2)),),
                strict=how == "strict").module()
    for batch in (4, 7):
        got = program(*_first(x, batch))
        got = got if isinstance(got, (list, tuple)) else [got]
        inputs = [t.numpy() for t in _first(x, batch)]
        expected = predictions(model, inputs[0] if len(inputs) == 1
                               else inputs)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g.detach().numpy(), e, rtol=1e-6,
                                       atol=1e-6)


def test_saved_model_folder_spelling(tmp_path):
    model, x, _ = trained("functional")
    path = str(tmp_path / "saved")
    saving.export_saved_model(model, path)
    assert sorted(os.listdir(path)) == ["config.json", "model.pt2",
                                        "model.weights.h5",
                                        "saved_model.json"]
    loaded = saving.load_from_saved_model(path)
    assert_same_predictions(model, loaded, x)
    program = saving.load_program(path)
    np.testing.assert_allclose(
        program(torch.as_tensor(x)).detach().numpy(),
        model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
