"""Fuzz targets for the tensor files: ``.safetensors`` weights and the
native checkpoint, with a Keras or a ``torch.optim`` optimizer's state
(see ``fuzzing.py``).

The checkpoint targets also check that nothing is half-applied: a load
that fails must leave every weight and optimizer slot of the model it
was loading into exactly as it was (else the case is ``bad``).
"""

import copy
import os
import shutil
import tempfile

import numpy as np

from fuzzing import Target

DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"


def _model():
    import torchkeras as keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,), name="x")
    hidden = keras.layers.Dense(4, name="d1")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="d2")(hidden))


def safetensors_target():
    """``model.load_weights`` of a ``.safetensors`` weights file."""
    model = _model()
    folder = tempfile.mkdtemp(prefix="fuzz-src-")
    path = os.path.join(folder, "w.safetensors")
    model.save_weights(path)
    with open(path, "rb") as f:
        data = f.read()
    original = [w.copy() for w in model.get_weights()]
    fresh = _model()

    def load(case_path):
        fresh.set_weights([np.zeros_like(w) for w in original])
        fresh.load_weights(case_path)
        return fresh

    def verify(loaded):
        for got, want in zip(loaded.get_weights(), original):
            np.testing.assert_array_equal(got, want)

    return Target(data, ".safetensors", load, verify)


# -- the native checkpoint -------------------------------------------------

def _trained(optimizer, seed):
    """A model compiled with ``optimizer`` ("adam": Keras's; "sgd": a
    ``torch.optim.SGD`` with momentum) after one epoch of two steps."""
    import torch

    model = _model()
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = "adam"
    model.compile(optimizer=opt, loss="mse")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    return model


def model_state(model):
    """Every weight and optimizer slot of ``model``, as NumPy copies."""
    import torch

    opt = model.optimizer
    if hasattr(opt, "load_own_variables"):
        slots = [np.array(v) for v in opt.get_weights()]
    else:
        state = opt.state_dict()
        slots = [v.detach().cpu().numpy().copy()
                 for i in sorted(state["state"])
                 for _, v in sorted(state["state"][i].items())
                 if torch.is_tensor(v)]
        slots.append(repr(state["param_groups"]))
    return [np.array(w) for w in model.get_weights()], slots


def restore_state(model, snapshot):
    """Undoes a successful load (``snapshot`` from ``_snapshot``)."""
    weights, opt_state = snapshot
    model.set_weights(weights)
    opt = model.optimizer
    if hasattr(opt, "load_own_variables"):
        opt.set_weights(opt_state)
    else:
        opt.load_state_dict(copy.deepcopy(opt_state))


def _snapshot(model):
    opt = model.optimizer
    if hasattr(opt, "load_own_variables"):
        return ([np.array(w) for w in model.get_weights()],
                [np.array(v) for v in opt.get_weights()])
    return ([np.array(w) for w in model.get_weights()],
            copy.deepcopy(opt.state_dict()))


def assert_same_state(got, want, what):
    """Compares two ``model_state`` results exactly."""
    for kind, a, b in (("weight", got[0], want[0]),
                       ("optimizer slot", got[1], want[1])):
        assert len(a) == len(b), f"{what}: {kind} count {len(a)}/{len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if isinstance(x, str) or isinstance(y, str):
                assert x == y, f"{what}: {kind} {i}: {x} != {y}"
            else:
                np.testing.assert_array_equal(
                    x, y, err_msg=f"{what}: {kind} {i}")


def _checkpoint_target(optimizer, fuzz="data"):
    from torchkeras import saving
    from torchkeras.saving.errors import SavingError

    source = _trained(optimizer, seed=1)
    folder = tempfile.mkdtemp(prefix="fuzz-src-")
    prefix = os.path.join(folder, "ckpt")
    source.save_weights(prefix)
    original = model_state(source)
    epoch = saving.read_checkpoint_epoch(prefix)
    with open(prefix + DATA_SUFFIX, "rb") as f:
        data_bytes = f.read()
    with open(prefix + INDEX_SUFFIX, "rb") as f:
        index_bytes = f.read()
    fresh = _trained(optimizer, seed=2)  # other weights and slots
    before = _snapshot(fresh)
    expected_before = model_state(fresh)
    suffix = DATA_SUFFIX if fuzz == "data" else INDEX_SUFFIX

    def load(case_path):
        case_prefix = case_path[:-len(suffix)]
        companion = (case_prefix + INDEX_SUFFIX if fuzz == "data"
                     else case_prefix + DATA_SUFFIX)
        with open(companion, "wb") as f:
            f.write(index_bytes if fuzz == "data" else data_bytes)
        restore_state(fresh, before)
        try:
            fresh.load_weights(case_prefix)
            loaded_epoch = saving.read_checkpoint_epoch(case_prefix)
        except SavingError:
            # Item 4: a failed load changes nothing.
            assert_same_state(model_state(fresh), expected_before,
                              "a failed load changed the model")
            raise
        finally:
            os.remove(companion)
        return model_state(fresh), loaded_epoch

    def verify(result):
        state, loaded_epoch = result
        assert_same_state(state, original, "loaded")
        assert loaded_epoch == epoch, (loaded_epoch, epoch)

    shutil.rmtree(folder)
    return Target(data_bytes if fuzz == "data" else index_bytes, suffix,
                  load, verify)


def checkpoint_target():
    """``model.load_weights(prefix)`` of a native checkpoint's data file
    holding a Keras Adam optimizer's state and the epoch."""
    return _checkpoint_target("adam")


def checkpoint_torch_optimizer_target():
    """The same with a ``torch.optim.SGD`` (momentum) optimizer: its
    slots as tensors, its groups and plain state as JSON metadata."""
    return _checkpoint_target("sgd")


def checkpoint_index_target():
    """The native checkpoint's ``.index`` file (the data file intact)."""
    return _checkpoint_target("adam", fuzz="index")
