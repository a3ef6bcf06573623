"""A subclassed model through ``model.save("m.keras")`` and ``load_model``.

The loaded model must predict what the saved one did and train again: its
weights were once created under ``predict``'s ``torch.inference_mode``
(the first call builds a subclassed model), and inference tensors cannot
train. References: the saved model's predictions, the loss falling over
``fit`` after the load, and real Keras 3 loading our file with the same
class (oracle venv named by ``TORCHKERAS_KERAS_PYTHON``).
"""

import json
import zipfile

import numpy as np
import pytest
import torch

import torchkeras as keras

layers = keras.layers
RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 3)).astype("float32")
Y = (X @ RNG.normal(size=(3, 2))).astype("float32")


@keras.saving.register_keras_serializable(package="roundtrip")
class Registered(keras.Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(units)

    def call(self, x):
        return self.out(self.hidden(x))

    def get_config(self):
        return dict(super().get_config(), units=self.units)


class Plain(keras.Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(8, activation="tanh")
        self.norm = layers.BatchNormalization()
        self.out = layers.Dense(units)

    def call(self, x, training=None):
        return self.out(self.norm(self.hidden(x), training=training))

    def get_config(self):
        return dict(super().get_config(), units=self.units)


def _trained(cls):
    model = cls()
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    return model


def _assert_trains(model):
    losses = model.fit(X, Y, epochs=5, batch_size=16,
                       verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    for w in model.weights:
        assert not w.is_inference()


@pytest.mark.parametrize("compile", [True, False])
@pytest.mark.parametrize("cls", [Registered, Plain])
def test_load_predict_then_fit(tmp_path, cls, compile):
    model = _trained(cls)
    path = str(tmp_path / "m.keras")
    model.save(path)
    custom = None if cls is Registered else {"Plain": Plain}
    loaded = keras.models.load_model(path, custom_objects=custom,
                                     compile=compile)
    assert type(loaded) is cls
    # The first call is predict's, under torch.inference_mode.
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               model.predict(X, verbose=0), rtol=1e-6,
                               atol=1e-6)
    if not compile:
        loaded.compile(optimizer="adam", loss="mse")
    _assert_trains(loaded)


def test_file_without_build_config_builds_at_predict(tmp_path):
    # Older files (and models first called in a way that left no shape)
    # have no build_config: the values wait for the first call, which is
    # predict's, under torch.inference_mode.
    model = _trained(Plain)
    path = str(tmp_path / "m.keras")
    model.save(path)
    stripped = str(tmp_path / "stripped.keras")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "config.json":
                entry = json.loads(data)
                entry["build_config"] = {"input_shape": None}
                data = json.dumps(entry).encode()
            elif item == "metadata.json":  # its checksums cover config
                meta = json.loads(data)
                meta.pop("torchkeras_sha256", None)
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    loaded = keras.models.load_model(stripped,
                                     custom_objects={"Plain": Plain})
    assert not all(layer.built for layer in loaded.layers)
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               model.predict(X, verbose=0), rtol=1e-6,
                               atol=1e-6)
    _assert_trains(loaded)


def test_build_config_records_first_call_shape(tmp_path):
    model = _trained(Registered)
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as f:
        entry = json.loads(f.read("config.json"))
    assert entry["build_config"] == {"input_shape": [None, 3]}


def test_fresh_subclassed_model_predicts_then_trains():
    model = Plain()
    model.predict(X, verbose=0)  # built under torch.inference_mode
    model.compile(optimizer="adam", loss="mse")
    _assert_trains(model)


def test_layer_built_under_inference_mode_has_normal_weights():
    layer = layers.Dense(3)
    with torch.inference_mode():
        layer(torch.ones(2, 4))
    assert not any(w.is_inference() for w in layer.weights)
    out = layer(torch.ones(2, 4)).sum()
    out.backward()
    assert layer.kernel.grad is not None


def test_keras_saving_names_match_utils():
    assert keras.saving.register_keras_serializable is (
        keras.utils.register_keras_serializable)
    assert keras.saving.get_registered_object(
        "roundtrip>Registered") is Registered


def test_keras3_loads_our_subclassed_model(tmp_path, keras_oracle):
    model = _trained(Registered)
    model.save(str(tmp_path / "ours.keras"))
    np.save(tmp_path / "x.npy", X[:8])
    script = """
        import numpy as np, keras

        @keras.saving.register_keras_serializable(package="roundtrip")
        class Registered(keras.Model):
            def __init__(self, units=2, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.hidden = keras.layers.Dense(8, activation="relu")
                self.out = keras.layers.Dense(units)

            def call(self, x):
                return self.out(self.hidden(x))

            def get_config(self):
                return dict(super().get_config(), units=self.units)

        m = keras.models.load_model("ours.keras", compile=False)
        np.save("y.npy", m.predict(np.load("x.npy"), verbose=0))
    """
    keras_oracle(script)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"),
                               model.predict(X[:8], verbose=0), rtol=1e-5,
                               atol=1e-5)
