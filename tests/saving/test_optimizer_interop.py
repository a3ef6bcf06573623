"""Optimizer state across files: Keras's orders and layouts, resuming.

References: the golden files Keras 3.15 and tf.keras 2.21 wrote
(tests/saving/golden, with their Adam state), read with plain h5py; an optimizer
step recomputed with NumPy from gradients measured in Keras layout (an SGD
step with learning rate 1 on a twin model, read with ``get_weights``); an
uninterrupted run; and, when Keras 3 is installed (or
``TORCHKERAS_KERAS_PYTHON`` names a Python that has it), Keras itself
loading our files and writing its own, each side continuing the training.
"""

import io
import os
import subprocess
import textwrap
import zipfile

import h5py
import numpy as np
import pytest

import torchkeras as keras
from torchkeras import saving

DATA = os.path.join(os.path.dirname(__file__), "golden")
MODELS = ["dense", "conv", "bn", "bigru", "lstm"]
RNG = np.random.default_rng(7)
X = RNG.normal(size=(8, 4, 3, 2)).astype("float32")
Y = RNG.normal(size=(8, 2)).astype("float32")

OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(0.003),
    "sgd": lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.003, momentum=0.5,
                                                centered=True),
}


def build():
    """Conv2D, GRU and Dense: the layouts that differ from torch's."""
    inp = keras.Input((4, 3, 2))
    h = keras.layers.Conv2D(3, 2, padding="same", activation="tanh")(inp)
    h = keras.layers.Reshape((4, 9))(h)
    h = keras.layers.GRU(4)(h)
    return keras.Model(inp, keras.layers.Dense(2)(h))


def fit_epoch(model):
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)


def trained(opt_name):
    model = build()
    model.compile(optimizer=OPTIMIZERS[opt_name](), loss="mse")
    fit_epoch(model)
    # Optimizer tests change the learning rate mid-run.
    model.optimizer.learning_rate = model.optimizer.learning_rate * 0.7
    fit_epoch(model)
    return model


def optimizer_vars(path):
    """Keras 3's ``optimizer/vars/<i>`` of a ``.keras`` or ``.weights.h5``."""
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as z:
            path = io.BytesIO(z.read("model.weights.h5"))
    with h5py.File(path, "r") as f:
        group = f["optimizer/vars"]
        return [group[str(i)][()] for i in range(len(group))]


def h5_optimizer_weights(path):
    with h5py.File(path, "r") as f:
        group = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in group.attrs["weight_names"]]
        return names, [group[n][()] for n in names]


def reload(model, path, suffix):
    if suffix == ".weights.h5":
        saving.save_weights(model, path)
        twin = saving.clone_model(model)
        twin.compile(optimizer=type(model.optimizer).from_config(
            model.optimizer.get_config()), loss="mse")
        saving.load_weights(twin, path)
        return twin
    saving.save_model(model, path)
    return saving.load_model(path)


# ----------------------------------------------------------------------
# Resuming equals not stopping.


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_continued_training_equals_uninterrupted(tmp_path, opt_name,
                                                 suffix):
    model = trained(opt_name)
    loaded = reload(model, str(tmp_path / f"m{suffix}"), suffix)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert int(loaded.optimizer.iterations) == 4
    # float32 in the file; the exact value from the config.
    assert loaded.optimizer.learning_rate == model.optimizer.learning_rate
    for m in (model, loaded):
        fit_epoch(m)
        fit_epoch(m)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
        np.testing.assert_array_equal(a, b)  # and in fact bit-identical


# ----------------------------------------------------------------------
# The order and layouts Keras uses, from gradients in Keras layout.


def _one_step(opt):
    """(gradients in Keras layout, the file of one ``opt`` step)."""
    model = build()
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    twin = saving.clone_model(model)
    twin.set_weights(model.get_weights())
    twin.compile(optimizer=opt, loss="mse")
    before = model.get_weights()
    model.train_on_batch(X, Y)
    grads = [b - a for b, a in zip(before, model.get_weights())]
    twin.train_on_batch(X, Y)
    return grads, twin


def _expected(opt_name, grads, lr):
    g = [x.astype(np.float64) for x in grads]
    if opt_name == "adam":  # beta_1 = beta_2 = 0.5
        slots = [s for x in g for s in (0.5 * x, 0.5 * x * x)]
    elif opt_name == "sgd":
        slots = [-lr * x for x in g]
    else:  # rho = 0.5, momentum, centered: velocity, momentum, average
        slots = ([0.5 * x * x for x in g]
                 + [lr * x / np.sqrt(0.25 * x * x + 1e-7) for x in g]
                 + [0.5 * x for x in g])
    return [1, np.float32(lr)] + slots


STEP_OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(0.01, beta_1=0.5, beta_2=0.5),
    "sgd": lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.01, rho=0.5, momentum=0.5,
                                                centered=True),
}


@pytest.mark.parametrize("opt_name", sorted(STEP_OPTIMIZERS))
def test_keras3_file_lists_state_in_keras_order_and_layout(tmp_path,
                                                           opt_name):
    grads, model = _one_step(STEP_OPTIMIZERS[opt_name]())
    # Keras layouts: Conv2D HWIO, GRU (in, 3 * units) in z, r, h order.
    assert [g.shape for g in grads] == [
        (2, 2, 2, 3), (3,), (9, 12), (4, 12), (2, 12), (4, 2), (2,)]
    path = str(tmp_path / "m.keras")
    saving.save_model(model, path)
    stored = optimizer_vars(path)
    expected = _expected(opt_name, grads, 0.01)
    assert len(stored) == len(expected)
    assert stored[0] == 1 and stored[1].dtype == np.float32
    for i, (s, e) in enumerate(zip(stored, expected)):
        assert np.shape(s) == np.shape(e), i
        np.testing.assert_allclose(s, e, rtol=1e-4, atol=2e-5,
                                   err_msg=f"optimizer/vars/{i}")


def test_tf_keras_h5_lists_adam_state_in_tf_keras_order(tmp_path):
    grads, model = _one_step(STEP_OPTIMIZERS["adam"]())
    path = str(tmp_path / "m.h5")
    saving.save_model(model, path)
    names, values = h5_optimizer_weights(path)
    weights = ["conv2d/kernel", "conv2d/bias", "gru/gru_cell/kernel",
               "gru/gru_cell/recurrent_kernel", "gru/gru_cell/bias",
               "dense/kernel", "dense/bias"]
    prefix = model.optimizer.name
    assert names == ["iteration:0"] + [
        f"{prefix}/{slot}/{w}:0" for w in weights for slot in ("m", "v")]
    expected = _expected("adam", grads, 0.01)
    del expected[1]  # tf.keras 2 keeps the learning rate in the config
    for s, e in zip(values, expected):
        np.testing.assert_allclose(s, e, rtol=1e-4, atol=2e-5)


# ----------------------------------------------------------------------
# Keras's own files (golden, with Adam state after two steps).


def golden(name):
    return os.path.join(DATA, name)


@pytest.mark.parametrize("name", MODELS)
def test_keras3_golden_state_loads(tmp_path, name):
    path = golden(f"keras3_{name}.keras")
    model = saving.load_model(path)  # warnings are errors: none here
    opt = model.optimizer
    assert int(opt.iterations) == 2
    theirs = optimizer_vars(path)
    ours = [v.value for v in opt.export_keras_variables(
        saving.optimizer_io.ModelLayout(model))]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    # Written back: the same tree (names and shapes) as Keras's.
    ours_path = str(tmp_path / "ours.weights.h5")
    saving.save_weights(model, ours_path)
    assert _tree(ours_path, "optimizer") == _tree(
        golden(f"keras3_{name}.weights.h5"), "optimizer")
    np.testing.assert_array_equal(optimizer_vars(ours_path)[2],
                                  optimizer_vars(golden(
                                      f"keras3_{name}.weights.h5"))[2])


def _tree(path, prefix):
    out = {}
    with h5py.File(path, "r") as f:
        f[prefix].visititems(lambda name, obj: out.__setitem__(
            name, obj.shape if isinstance(obj, h5py.Dataset) else None))
    return out


def test_keras3_golden_conv_slots_are_permuted_into_torch_layout():
    model = saving.load_model(golden("keras3_conv.keras"))
    kernel = model.trainable_weights[0]
    assert tuple(kernel.shape) == (4, 3, 3, 3)  # torch (out, in, kh, kw)
    theirs = optimizer_vars(golden("keras3_conv.keras"))
    state = model.optimizer.state[kernel]
    np.testing.assert_array_equal(
        state["momentum"].numpy(), theirs[2].transpose(3, 2, 0, 1))
    np.testing.assert_array_equal(
        state["velocity"].numpy(), theirs[3].transpose(3, 2, 0, 1))


@pytest.mark.parametrize("name", MODELS)
def test_tf_keras_golden_state_loads_and_is_written_back(tmp_path, name):
    path = golden(f"tfkeras_{name}.h5")
    model = saving.load_model(path)
    assert int(model.optimizer.iterations) == 2
    their_names, theirs = h5_optimizer_weights(path)
    ours_path = str(tmp_path / "ours.h5")
    saving.save_model(model, ours_path)
    our_names, ours = h5_optimizer_weights(ours_path)
    # Same names (``Adam/m/bidirectional/forward_gru/gru_cell/kernel:0``),
    # order and values as tf.keras wrote.
    assert our_names == their_names
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------
# What does not fit is skipped with a warning, never half-loaded.


def _fresh_twin(model, opt):
    twin = saving.clone_model(model)
    twin.compile(optimizer=opt, loss="mse")
    return twin


def test_other_optimizer_is_skipped_with_a_warning(tmp_path):
    model = trained("adam")
    path = str(tmp_path / "m.weights.h5")
    saving.save_weights(model, path)
    twin = _fresh_twin(model, keras.optimizers.RMSprop())
    with pytest.warns(UserWarning, match=r"m\.weights\.h5.*skipping the "
                                         r"optimizer state.*has 9 variables"):
        saving.load_weights(twin, path)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)  # the weights did load
    assert int(twin.optimizer.iterations) == 0


def test_wrong_shape_leaves_the_optimizer_untouched(tmp_path):
    model = trained("adam")
    path = str(tmp_path / "m.weights.h5")
    saving.save_weights(model, path)
    with h5py.File(path, "r+") as f:
        group = f["optimizer/vars"]
        last = str(len(group) - 1)
        del group[last]
        group.create_dataset(last, data=np.zeros((3,), np.float32))
    twin = _fresh_twin(model, keras.optimizers.Adam(0.003))
    with pytest.warns(UserWarning, match=r"variable 15 \('velocity'\) has "
                                         r"shape \(2,\)"):
        saving.load_weights(twin, path)
    assert int(twin.optimizer.iterations) == 0
    assert all(not v.any() for v in twin.optimizer.get_weights()[2:])


def test_unknown_h5_names_are_skipped_and_foreign_groups_refused(tmp_path):
    model = trained("sgd")
    h5_path = str(tmp_path / "m.h5")
    saving.save_model(model, h5_path)
    with h5py.File(h5_path, "r+") as f:
        # Names no Keras writes: the order of the values is unknown.
        count = len(f["optimizer_weights"].attrs["weight_names"])
        del f["optimizer_weights"]
        group = f.create_group("optimizer_weights")
        names = [f"SGD/variable_{i}:0" for i in range(count)]
        group.attrs["weight_names"] = np.asarray(names, dtype="S")
        for name in names:
            group.create_dataset(name, data=np.float32(0))
    with pytest.warns(UserWarning, match="order is unknown"):
        loaded = saving.load_model(h5_path)
    assert int(loaded.optimizer.iterations) == 0
    # A group that is neither a layer nor Keras's 'optimizer' is refused
    # before anything is read or assigned.
    path = str(tmp_path / "m.weights.h5")
    saving.save_weights(model, path)
    with h5py.File(path, "r+") as f:
        f.move("optimizer", "torchkeras_optimizer")
    twin = _fresh_twin(model, OPTIMIZERS["sgd"]())
    before = twin.get_weights()
    with pytest.raises(saving.WeightMismatchError,
                       match="'torchkeras_optimizer'") as info:
        saving.load_weights(twin, path)
    assert path in str(info.value)
    assert int(twin.optimizer.iterations) == 0
    for got, want in zip(twin.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_load_without_compile_ignores_the_state(tmp_path):
    model = trained("rmsprop")
    path = str(tmp_path / "m.keras")
    saving.save_model(model, path)
    loaded = saving.load_model(path, compile=False)
    assert getattr(loaded, "optimizer", None) is None


# ----------------------------------------------------------------------
# Keras 3 itself: reads our state, writes its own.

_KERAS_SIDE = textwrap.dedent("""
    import sys, numpy as np, keras
    folder = sys.argv[1]
    data = np.load(f"{folder}/data.npz")
    x, y = data["x"], data["y"]
    OPTIMIZERS = {
        "adam": lambda: keras.optimizers.Adam(0.003),
        "sgd": lambda: keras.optimizers.SGD(0.01, momentum=0.9),
        "rmsprop": lambda: keras.optimizers.RMSprop(
            0.003, momentum=0.5, centered=True),
    }

    def build():
        inp = keras.Input((4, 3, 2))
        h = keras.layers.Conv2D(3, 2, padding="same", activation="tanh")(inp)
        h = keras.layers.Reshape((4, 9))(h)
        h = keras.layers.GRU(4)(h)
        return keras.Model(inp, keras.layers.Dense(2)(h))

    def fit(model):
        model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)

    for name, make in OPTIMIZERS.items():
        model = keras.models.load_model(f"{folder}/ours_{name}.keras")
        np.savez(f"{folder}/ours_{name}_vars.npz",
                 *[np.asarray(v) for v in model.optimizer.variables])
        fit(model)
        np.savez(f"{folder}/ours_{name}_next.npz", *model.get_weights())
        keras.utils.set_random_seed(0)
        model = build()
        model.compile(optimizer=make(), loss="mse")
        fit(model)
        fit(model)
        model.save(f"{folder}/keras_{name}.keras")
        model.save(f"{folder}/keras_{name}.h5")
        fit(model)
        np.savez(f"{folder}/keras_{name}_next.npz", *model.get_weights())
    print("ok")
""")


def _keras_runner():
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if python:
        return [python]
    try:
        import keras as real_keras  # noqa: F401
    except ImportError:
        pytest.skip("Keras 3 is not installed (set TORCHKERAS_KERAS_PYTHON "
                    "to a Python that has it to run this check)")
    import sys

    return [sys.executable]


def _npz_list(path):
    arrays = np.load(path)
    return [arrays[f"arr_{i}"] for i in range(len(arrays.files))]


def test_keras3_resumes_from_our_files_and_we_from_its(tmp_path):
    runner = _keras_runner()
    np.savez(tmp_path / "data.npz", x=X, y=Y)
    ours_next = {}
    ours_vars = {}
    for name in OPTIMIZERS:
        model = trained(name)
        saving.save_model(model, str(tmp_path / f"ours_{name}.keras"))
        ours_vars[name] = [v.value for v in
                           model.optimizer.export_keras_variables(
                               saving.optimizer_io.ModelLayout(model))]
        fit_epoch(model)
        ours_next[name] = model.get_weights()
    script = tmp_path / "keras_side.py"
    script.write_text(_KERAS_SIDE)
    env = dict(os.environ, KERAS_BACKEND=os.environ.get("KERAS_BACKEND",
                                                        "jax"))
    result = subprocess.run(runner + [str(script), str(tmp_path)],
                            capture_output=True, text=True, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
    for name in OPTIMIZERS:
        # Keras's ``optimizer.variables`` after loading our file are ours.
        theirs = _npz_list(tmp_path / f"ours_{name}_vars.npz")
        assert len(theirs) == len(ours_vars[name]), name
        for a, b in zip(ours_vars[name], theirs):
            np.testing.assert_array_equal(a, b.astype(a.dtype), name)
        # Keras continued from our state as we did.
        for a, b in zip(ours_next[name],
                        _npz_list(tmp_path / f"ours_{name}_next.npz")):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-5,
                                       err_msg=name)
        # We continue from Keras's files as Keras did.
        expected = _npz_list(tmp_path / f"keras_{name}_next.npz")
        for suffix in (".keras", ".h5"):
            loaded = saving.load_model(str(tmp_path / f"keras_{name}"
                                           f"{suffix}"))
            assert int(loaded.optimizer.iterations) == 4
            fit_epoch(loaded)
            for a, b in zip(loaded.get_weights(), expected):
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-5,
                                           err_msg=f"{name}{suffix}")
