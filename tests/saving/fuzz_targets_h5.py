"""Fuzz targets for the HDF5 files (see ``fuzzing.py``): a Keras 3
``.weights.h5``, a Keras 2 style ``.h5`` weights file and a full ``.h5``
model with its optimizer state.

Each ``load`` first puts the model (and optimizer) in a known state that
differs from the file's, so a load that half-applied a damaged file, or
applied it wrongly, fails ``verify``.
"""

import os
import tempfile

import numpy as np

from fuzzing import Target


def _model():
    import torchkeras as keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,), name="x")
    hidden = keras.layers.Dense(4, name="d1")(inputs)
    hidden = keras.layers.BatchNormalization(name="bn")(hidden)
    return keras.Model(inputs, keras.layers.Dense(2, name="d2")(hidden))


def _trained_model():
    """A compiled model whose Adam slots are built and non-zero."""
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(8, 3)).astype("float32"),
              rng.normal(size=(8, 2)).astype("float32"), epochs=1,
              batch_size=4, verbose=0)
    return model


def _file_bytes(write, name):
    folder = tempfile.mkdtemp(prefix="fuzz-src-")
    path = os.path.join(folder, name)
    write(path)
    with open(path, "rb") as f:
        return f.read()


def optimizer_values(model):
    """The optimizer's variables as NumPy arrays (Keras 3 order)."""
    opt = model.optimizer
    return [np.asarray(v.numpy() if hasattr(v, "numpy") else v).copy()
            for v in opt.variables]


def _assert_all_equal(got, want, what):
    assert len(got) == len(want), f"{what}: {len(got)} != {len(want)}"
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_array_equal(a, b, err_msg=f"{what} {i}")


def _weights_target(name, include_optimizer=True):
    """``model.load_weights`` of a weights file written by
    ``save_weights(name)``."""
    source = _trained_model()
    data = _file_bytes(source.save_weights, name)
    original = [w.copy() for w in source.get_weights()]
    fresh = _model()

    def load(case_path):
        fresh.set_weights([np.zeros_like(w) for w in original])
        fresh.load_weights(case_path)
        return fresh

    def verify(loaded):
        _assert_all_equal(loaded.get_weights(), original, "weight")

    return Target(data, name[name.index("."):], load, verify)


def weights_h5_target():
    """``load_weights`` of a Keras 3 ``.weights.h5`` (with the optimizer
    group, which a model without an optimizer ignores)."""
    return _weights_target("w.weights.h5")


def keras2_h5_target():
    """``load_weights`` of a Keras 2 style ``.h5`` weights file."""
    return _weights_target("w.h5")


def _described(model):
    """What a load must reproduce besides the values: the architecture,
    the optimizer's settings and the loss."""
    return (model.get_config(), model.optimizer.get_config(),
            repr(getattr(model, "loss", None)))


def h5_model_target():
    """``load_model`` of a full ``.h5`` model with Adam's state."""
    from torchkeras import saving

    source = _trained_model()
    data = _file_bytes(source.save, "m.h5")
    weights = [w.copy() for w in source.get_weights()]
    slots = optimizer_values(source)
    described = _described(source)

    def load(case_path):
        return saving.load_model(case_path)

    def verify(loaded):
        _assert_all_equal(loaded.get_weights(), weights, "weight")
        _assert_all_equal(optimizer_values(loaded), slots, "optimizer slot")
        assert _described(loaded) == described, "config, optimizer or loss"

    return Target(data, ".h5", load, verify)


def h5_model_load_target():
    """``h5_model.load`` (the order that compares every dataset with the
    rebuilt model before reading it) on the same file."""
    from torchkeras.saving import h5_model

    target = h5_model_target()
    return Target(target.data, ".h5", h5_model.load, target.verify)
