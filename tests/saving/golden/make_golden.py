"""Writes the golden Keras files in tests/saving/golden (run with real Keras).

Not part of the test suite: the tests only read the files it wrote. Run it
in a separate environment, never the project's venv:

    # Keras 3 (files keras3_*):
    python -m venv /tmp/kerasenv
    /tmp/kerasenv/bin/pip install keras jax jaxlib h5py
    KERAS_BACKEND=jax /tmp/kerasenv/bin/python \
        tests/saving/golden/make_golden.py keras3
    # tf.keras 2 (files tfkeras_*):
    python -m venv /tmp/tfenv
    /tmp/tfenv/bin/pip install tensorflow-cpu tf-keras
    TF_USE_LEGACY_KERAS=1 /tmp/tfenv/bin/python \
        tests/saving/golden/make_golden.py tfkeras

For each model (dense, conv, bn, bigru, lstm) it writes, from Keras 3, a
compiled and briefly trained ``.keras`` archive and a ``.weights.h5``; from
tf.keras 2, a full-model ``.h5`` and a weights-only ``.h5`` (Keras 2
layout); and ``<prefix>_<model>_io.npz`` with the input ``x`` and Keras's
prediction ``y`` for it (inference mode). It also writes
``tfkeras_cudnn_gru_weights.h5``/``tfkeras_cudnn_lstm_weights.h5`` from
tf.keras's ``CuDNNGRU``/``CuDNNLSTM`` (built, not run: they need a GPU)
with the input and the output of the equivalent GRU/LSTM loaded by tf.keras.
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _keras():
    if sys.argv[1] == "tfkeras":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras as keras
    else:
        import keras
    return keras


def build_models(keras):
    layers = keras.layers
    rng = np.random.default_rng(0)
    models = {}

    inp = keras.Input((6,), name="features")
    h = layers.Dense(8, activation="relu", name="hidden")(inp)
    out = layers.Dense(3, activation="softmax", name="probs")(h)
    models["dense"] = (keras.Model(inp, out, name="dense_model"),
                       rng.normal(size=(4, 6)).astype("float32"),
                       rng.integers(0, 3, size=(16,)),
                       "sparse_categorical_crossentropy")

    models["conv"] = (keras.Sequential([
        keras.Input((8, 8, 3)),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.Conv2D(2, 3, strides=2),
        layers.Flatten(),
        layers.Dense(2),
    ], name="conv_model"), rng.normal(size=(3, 8, 8, 3)).astype("float32"),
        rng.normal(size=(16, 2)).astype("float32"), "mse")

    inp = keras.Input((5,))
    h = layers.Dense(6)(inp)
    h = layers.BatchNormalization()(h)
    out = layers.Dense(1)(h)
    models["bn"] = (keras.Model(inp, out, name="bn_model"),
                    rng.normal(size=(4, 5)).astype("float32"),
                    rng.normal(size=(16, 1)).astype("float32"), "mse")

    models["bigru"] = (keras.Sequential([
        keras.Input((7,), dtype="int32"),
        layers.Embedding(20, 4),
        layers.Bidirectional(layers.GRU(5)),
        layers.Dense(1),
    ], name="bigru_model"), rng.integers(0, 20, size=(3, 7)).astype("int32"),
        rng.normal(size=(16, 1)).astype("float32"), "mse")

    inp = keras.Input((6, 3))
    h = layers.LSTM(4, return_sequences=True)(inp)
    out = layers.LSTM(3)(h)
    models["lstm"] = (keras.Model(inp, out, name="lstm_model"),
                      rng.normal(size=(3, 6, 3)).astype("float32"),
                      rng.normal(size=(16, 3)).astype("float32"), "mse")
    return models


def _train_data(x, y_train):
    reps = int(np.ceil(len(y_train) / len(x)))
    return np.concatenate([x] * reps)[:len(y_train)]


def write(prefix):
    keras = _keras()
    keras.utils.set_random_seed(0)
    for name, (model, x, y_train, loss) in build_models(keras).items():
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss)
        model.fit(_train_data(x, y_train), y_train, epochs=2, verbose=0)
        y = np.asarray(model.predict(x, verbose=0))
        np.savez(os.path.join(HERE, f"{prefix}_{name}_io.npz"), x=x, y=y)
        if prefix == "keras3":
            model.save(os.path.join(HERE, f"keras3_{name}.keras"))
            model.save_weights(os.path.join(HERE,
                                            f"keras3_{name}.weights.h5"))
        else:
            model.save(os.path.join(HERE, f"tfkeras_{name}.h5"))
            model.save_weights(os.path.join(HERE,
                                            f"tfkeras_{name}_weights.h5"))
    if prefix == "tfkeras":
        write_cudnn(keras)


def write_cudnn(keras):
    """CuDNN layers are built only (running them needs a GPU); tf.keras's
    own conversion loads their weights into GRU/LSTM for the output."""
    import tensorflow as tf

    rng = np.random.default_rng(1)
    v1 = tf.compat.v1.keras.layers
    for kind, cudnn, plain in (
            ("gru", v1.CuDNNGRU, keras.layers.GRU),
            ("lstm", v1.CuDNNLSTM, keras.layers.LSTM)):
        model = keras.Sequential([keras.Input((5, 3)), cudnn(4)])
        for w in model.weights:
            w.assign(rng.normal(size=w.shape).astype("float32") * 0.5)
        path = os.path.join(HERE, f"tfkeras_cudnn_{kind}_weights.h5")
        model.save_weights(path)
        extra = {"reset_after": True} if kind == "gru" else {}
        twin = keras.Sequential([keras.Input((5, 3)),
                                 plain(4, recurrent_activation="sigmoid",
                                       **extra)])
        twin.load_weights(path)
        x = rng.normal(size=(2, 5, 3)).astype("float32")
        np.savez(os.path.join(HERE, f"tfkeras_cudnn_{kind}_io.npz"), x=x,
                 y=np.asarray(twin.predict(x, verbose=0)))


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("keras3", "tfkeras"):
        raise SystemExit("usage: make_golden.py keras3|tfkeras")
    write(sys.argv[1])
