"""Saving and reloading a subclassed model in the ``.keras`` format.

The style of the Keras "save, serialize, and export models" guide: a
`keras.Model` subclass that builds its layers in ``__init__`` and defines
``get_config`` (and ``from_config``), registered with
``@keras.saving.register_keras_serializable()``, is trained, saved with
``model.save("....keras")`` and reloaded with `keras.models.load_model`;
an unregistered twin is reloaded with ``custom_objects=`` instead. The
reloaded models predict the same numbers and training resumes from the
saved optimizer state with the loss still falling. The data are the
bundled 8x8 digits.
"""

import numpy as np

import torchkeras as keras


@keras.saving.register_keras_serializable()
class DigitClassifier(keras.Model):
    def __init__(self, hidden_units, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes
        self.dense_layers = [
            keras.layers.Dense(units, activation="relu")
            for units in hidden_units
        ]
        self.dropout = keras.layers.Dropout(0.1)
        self.classifier = keras.layers.Dense(num_classes)

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.dense_layers:
            x = layer(x)
        x = self.dropout(x, training=training)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_units": self.hidden_units,
                       "num_classes": self.num_classes})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class UnregisteredClassifier(keras.Model):
    """The same model, never registered: loading needs custom_objects."""

    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.hidden = [keras.layers.Dense(u, activation="tanh")
                       for u in hidden_units]
        self.out = keras.layers.Dense(10)

    def call(self, inputs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.out(x)

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units}


def load_digits():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
    return (x_train, y_train), (x_test, y_test)


def compile_model(model):
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )


def test_registered_subclassed_model(tmp_path):
    keras.utils.set_random_seed(7)
    (x_train, y_train), (x_test, y_test) = load_digits()
    model = DigitClassifier([64, 32], name="digit_classifier")
    compile_model(model)
    history = model.fit(x_train, y_train, batch_size=64, epochs=4,
                        verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses
    accuracy = model.evaluate(x_test, y_test, return_dict=True,
                              verbose=0)["sparse_categorical_accuracy"]
    assert accuracy > 0.8, accuracy

    assert keras.saving.get_registered_name(DigitClassifier) == (
        "Custom>DigitClassifier")
    path = tmp_path / "custom_model.keras"
    model.save(path)
    reconstructed_model = keras.models.load_model(path)
    assert isinstance(reconstructed_model, DigitClassifier)
    assert reconstructed_model.hidden_units == [64, 32]
    assert reconstructed_model.name == "digit_classifier"
    np.testing.assert_allclose(
        model.predict(x_test, verbose=0),
        reconstructed_model.predict(x_test, verbose=0),
        rtol=1e-5, atol=1e-5)

    # The reloaded model is compiled, with the optimizer state saved, so
    # training continues where it stopped: the loss keeps falling and
    # both copies take the same steps.
    assert reconstructed_model.optimizer.iterations == (
        model.optimizer.iterations)
    # (Dropout draws random numbers: the same seed before each run.)
    keras.utils.set_random_seed(11)
    more = reconstructed_model.fit(x_train, y_train, batch_size=64,
                                   epochs=3, shuffle=False, verbose=0)
    assert more.history["loss"][-1] < losses[-1], (
        losses, more.history["loss"])
    keras.utils.set_random_seed(11)
    same = model.fit(x_train, y_train, batch_size=64, epochs=3,
                     shuffle=False, verbose=0)
    np.testing.assert_allclose(same.history["loss"], more.history["loss"],
                               rtol=1e-4)


def test_unregistered_subclassed_model_custom_objects(tmp_path):
    keras.utils.set_random_seed(7)
    (x_train, y_train), (x_test, y_test) = load_digits()
    model = UnregisteredClassifier([32])
    compile_model(model)
    history = model.fit(x_train, y_train, batch_size=32, epochs=4,
                        verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]

    path = tmp_path / "unregistered.keras"
    model.save(path)
    reconstructed_model = keras.models.load_model(
        path, custom_objects={"UnregisteredClassifier":
                              UnregisteredClassifier})
    assert type(reconstructed_model) is UnregisteredClassifier
    np.testing.assert_allclose(
        model.predict(x_test, verbose=0),
        reconstructed_model.predict(x_test, verbose=0),
        rtol=1e-5, atol=1e-5)
    more = reconstructed_model.fit(x_train, y_train, batch_size=64,
                                   epochs=2, verbose=0)
    assert more.history["loss"][-1] < history.history["loss"][-1]
