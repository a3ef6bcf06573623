"""Bad labels and bad training arguments: a clear error before any update.

Every failing call is checked three ways: the error type, a message that
names the argument (or loss) and the received value, and weights equal to
those before the call. The models train with a real learning rate, so the
weights would move if the step ran (``test_a_valid_call_moves_the_weights``
shows they do). ``tests/engine/test_inputs.py`` holds the ``fit(arrays)``
label check these extend to the other paths.
"""

import math
import re
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras import losses

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 4)).astype("float32")
Y = RNG.integers(0, 3, size=(16,))


def make_model(loss="sparse_categorical_crossentropy", outputs=1, units=3):
    inp = keras.Input(shape=(4,), name="x")
    outs = [layers.Dense(units, activation="softmax", name=f"out{i}")(inp)
            for i in range(outputs)]
    model = keras.Model(inp, outs if outputs > 1 else outs[0])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    return model


def snapshot(model):
    return [w.copy() for w in model.get_weights()]


def assert_unchanged(model, before):
    after = model.get_weights()
    assert len(after) == len(before)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def with_label(value, at=2):
    y = Y.copy()
    y[at] = value
    return y


def np_sparse_cce(y, p):
    return -np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1 - 1e-7))


def np_softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype("float32")


def np_forward(model, x, name="out0"):
    kernel, bias = model.get_layer(name).get_weights()
    return np_softmax(x @ kernel + bias)


def test_a_valid_call_moves_the_weights():
    # The control for every `assert_unchanged` below.
    model = make_model()
    before = snapshot(model)
    model.train_on_batch(X, Y)
    assert any(not np.array_equal(a, b)
               for a, b in zip(before, model.get_weights()))


# ----------------------------------------------------------------------
# Item 8: sparse labels on every path.

_BAD_LABELS = [(3, r"\[0, 3\).*\[3\]"), (-1, r"\[0, 3\).*\[-1\]"),
               (-100, r"-100.*ignore_class.*\[-100\]")]


@pytest.mark.parametrize("label, pattern", _BAD_LABELS)
def test_train_on_batch_rejects_labels_before_the_update(label, pattern):
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=pattern):
        model.train_on_batch(X, with_label(label))
    assert_unchanged(model, before)


@pytest.mark.parametrize("label, pattern", _BAD_LABELS)
def test_test_on_batch_and_evaluate_reject_labels(label, pattern):
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=pattern):
        model.test_on_batch(X, with_label(label))
    with pytest.raises(ValueError, match=pattern):
        model.evaluate(X, with_label(label), batch_size=4, verbose=0)
    assert_unchanged(model, before)


def test_evaluate_with_every_label_minus_100_is_an_error_not_nan():
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy"
                       r".*\[0, 3\).*-100"):
        model.evaluate(X, np.full(16, -100), verbose=0)
    with pytest.raises(ValueError, match=r"\[-100\]"):
        model.fit(X, np.full(16, -100), verbose=0)
    assert_unchanged(model, before)


@pytest.mark.parametrize("from_logits", [False, True])
def test_loss_functions_do_not_skip_minus_100(from_logits):
    p = np.full((4, 3), 1 / 3, dtype="float32")
    for loss in (losses.SparseCategoricalCrossentropy(from_logits=from_logits),
                 lambda t, q: losses.sparse_categorical_crossentropy(
                     t, q, from_logits=from_logits)):
        with pytest.raises(ValueError, match=r"\[0, 3\).*\[-100\]"):
            loss(np.full(4, -100), p)
        with pytest.raises(ValueError, match=r"\[0, 3\).*\[3\]"):
            loss(np.array([0, 1, 2, 3]), p)


def test_ignore_class_still_skips_its_label():
    # Keras's one legitimate way: masked out of the loss and of the mean.
    y = with_label(-100, at=0)
    y[5] = -100
    keep = y != -100
    for ignore in (-100, 2):
        loss = losses.SparseCategoricalCrossentropy(ignore_class=ignore)
        labels = np.where(y == -100, ignore, y)
        p = np_softmax(X[:, :3])
        kept = labels != ignore
        expected = np_sparse_cce(labels[kept], p[kept]).mean()
        np.testing.assert_allclose(float(loss(labels, p)), expected,
                                   rtol=1e-5)
    model = make_model()
    model.compile(optimizer=keras.optimizers.SGD(0.0),
                  loss=losses.SparseCategoricalCrossentropy(
                      ignore_class=-100))
    expected = np_sparse_cce(y[keep], np_forward(model, X)[keep]).mean()
    np.testing.assert_allclose(model.evaluate(X, y, verbose=0), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(model.train_on_batch(X, y), expected,
                               rtol=1e-5)
    history = model.fit(X, y, batch_size=16, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], expected,
                               rtol=1e-5)
    # Other out-of-range labels are still refused.
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[7\]"):
        model.train_on_batch(X, np.where(keep, with_label(7), -100))


class LabelSequence(keras.utils.Sequence):
    def __init__(self, y):
        super().__init__()
        self.y = y

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return X[8 * i:8 * i + 8], self.y[8 * i:8 * i + 8]


def _iterable(kind, y):
    if kind == "generator":
        return ((X[i:i + 8], y[i:i + 8]) for i in (0, 8))
    if kind == "sequence":
        return LabelSequence(y)
    if kind == "dataset":
        return keras.data.Dataset.from_tensor_slices((X, y)).batch(8)
    return torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X),
                                       torch.from_numpy(y)), batch_size=8)


_KINDS = ["generator", "sequence", "dataset", "dataloader"]


@pytest.mark.parametrize("kind", _KINDS)
@pytest.mark.parametrize("label", [3, -100])
def test_iterable_inputs_reject_labels_before_the_update(kind, label):
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=rf"\[0, 3\).*\[{label}\]"):
        model.fit(_iterable(kind, with_label(label, at=1)), shuffle=False,
                  verbose=0)
    assert_unchanged(model, before)
    with pytest.raises(ValueError, match=rf"\[{label}\]"):
        model.evaluate(_iterable(kind, with_label(label, at=1)), verbose=0)


@pytest.mark.parametrize("kind", ["generator", "sequence"])
def test_a_bad_second_batch_stops_before_its_own_update(kind):
    # Weights after the failing fit == weights after the first batch alone.
    model = make_model()
    reference = make_model()
    reference.set_weights(model.get_weights())
    reference.train_on_batch(X[:8], Y[:8])
    with pytest.raises(ValueError, match=r"\[3\]"):
        model.fit(_iterable(kind, with_label(3, at=12)), shuffle=False,
                  verbose=0)
    assert_unchanged(model, reference.get_weights())


def test_validation_arrays_are_checked_before_the_first_epoch():
    model = make_model()
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[3\]"):
        model.fit(X, Y, validation_data=(X, with_label(3)), verbose=0)
    assert_unchanged(model, before)
    # The validation tail of `validation_split` too.
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[-100\]"):
        model.fit(X, with_label(-100, at=15), validation_split=0.25,
                  verbose=0)
    assert_unchanged(model, before)
    # Generators as training data, arrays for validation.
    with pytest.raises(ValueError, match=r"\[3\]"):
        model.fit(_iterable("generator", Y),
                  validation_data=(X, with_label(3)), verbose=0)
    assert_unchanged(model, before)


def test_batches_bound_for_an_accelerator_are_checked_on_the_host():
    # On CUDA the loss kernel could only assert, so the trainer checks a
    # batch's labels before moving it. No GPU is needed to see the order:
    # the check raises before the (impossible here) move to "cuda".
    model = make_model()
    cuda = torch.device("cuda")
    adapter = model._adapter(_iterable("generator", with_label(3)),
                             device=cuda)
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[3\]"):
        next(iter(adapter))
    assert data_adapter_check(model, cuda) is not None
    assert data_adapter_check(model, torch.device("cpu")) is None
    model.__dict__["_device"] = lambda: cuda
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[-100\]"):
        model.train_on_batch(X, with_label(-100))
    with pytest.raises(ValueError, match=r"\[0, 3\).*\[3\]"):
        model.test_on_batch(X, with_label(3))
    assert_unchanged(model, before)


def data_adapter_check(model, device):
    adapter = model._adapter(_iterable("generator", Y), device=device)
    return adapter.check_targets


_READS = ("item", "tolist", "__bool__", "__float__", "__int__", "numpy")


def test_generator_steps_read_nothing_back_on_the_cpu(monkeypatch):
    # The label check rides in the loss kernel: no host read per step.
    counter = {"n": 0}
    for name in _READS:
        original = getattr(torch.Tensor, name)

        def wrapped(self, *args, _original=original, **kwargs):
            counter["n"] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, wrapped)
    x = RNG.standard_normal((640, 4)).astype("float32")
    y = RNG.integers(0, 3, size=(640,))
    counts = []
    for n in (80, 640):
        model = make_model()
        model.fit(_iterable("generator", Y), verbose=0)  # build, warm up
        counter["n"] = 0
        model.fit(((x[i:i + 8], y[i:i + 8]) for i in range(0, n, 8)),
                  verbose=0)
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


# ----------------------------------------------------------------------
# Item 9: arguments.

@pytest.mark.parametrize("call, argument, value", [
    ("fit", "batch_size", 0),
    ("fit", "batch_size", -4),
    ("fit", "batch_size", 2.5),
    ("fit", "validation_batch_size", 0),
    ("fit", "steps_per_epoch", 0),
    ("fit", "steps_per_epoch", -2),
    ("fit", "steps_per_epoch", 1.5),
    ("fit", "validation_steps", 0),
    ("fit", "validation_split", 1.0),
    ("fit", "validation_split", 1.5),
    ("fit", "validation_split", -0.1),
    ("fit", "epochs", 1.5),
    ("fit", "epochs", "2"),
    ("fit", "epochs", -1),
    ("fit", "initial_epoch", 0.5),
    ("evaluate", "batch_size", 0),
    ("evaluate", "steps", 0),
    ("predict", "batch_size", 0),
    ("predict", "steps", -3),
])
def test_bad_arguments_raise_value_errors_naming_them(call, argument, value):
    model = make_model()
    before = snapshot(model)
    kwargs = {argument: value}
    if argument.startswith("validation_") and argument != (
            "validation_split"):
        kwargs["validation_data"] = (X, Y)
    args = (X,) if call == "predict" else (X, Y)
    with pytest.raises(ValueError, match=rf"`{argument}`.*"
                       + re.escape(f"{argument}={value!r}")):
        getattr(model, call)(*args, verbose=0, **kwargs)
    assert_unchanged(model, before)


def test_steps_per_epoch_minus_one_runs_until_the_data_ends():
    # tf.keras 2: "If `steps_per_epoch=-1` the training will run
    # indefinitely with an infinitely repeating dataset" -- i.e. None.
    seen = []
    model = make_model()
    model.fit(X, Y, batch_size=5, steps_per_epoch=-1, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(
                  on_train_batch_end=lambda batch, logs: seen.append(batch))])
    assert seen == list(range(math.ceil(16 / 5)))


def test_class_weight_missing_classes():
    model = make_model()
    before = snapshot(model)
    cw = {0: 1.0, 1: 2.0}
    with pytest.raises(ValueError, match=r"`class_weight`.*\(3\).*\[2\].*"
                       r"class_weight=\{0: 1\.0, 1: 2\.0\}"):
        model.fit(X, Y, class_weight=cw, verbose=0)
    with pytest.raises(ValueError, match=r"class_weight=\{0: 1\.0"):
        model.train_on_batch(X, Y, class_weight=cw)
    with pytest.raises(ValueError, match=r"class_weight=\{0: 1\.0"):
        model.fit(_iterable("generator", Y), class_weight=cw, verbose=0)
    with pytest.raises(ValueError, match=r"class_weight=\{'a': 1\.0\}"):
        model.fit(X, Y, class_weight={"a": 1.0}, verbose=0)
    assert_unchanged(model, before)


def test_class_weight_labels_without_a_weight_on_a_subclassed_model():
    # The class count is unknown before a subclassed model runs: the
    # labels themselves are checked (arrays once, batches at the lookup).
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3, activation="softmax")

        def call(self, x):
            return self.dense(x)

    model = Net()
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss="sparse_categorical_crossentropy")
    model.predict(X, verbose=0)
    before = snapshot(model)
    cw = {0: 1.0, 1: 2.0}
    with pytest.raises(ValueError, match=r"\[2\].*class_weight=\{0: 1\.0"):
        model.fit(X, Y, class_weight=cw, verbose=0)
    with pytest.raises(ValueError, match=r"\[2\].*class_weight=\{0: 1\.0"):
        model.fit(_iterable("generator", Y), class_weight=cw, verbose=0)
    with pytest.raises(ValueError, match=r"single output.*class_weight="):
        model.train_on_batch(X, [Y, Y], class_weight={0: 1, 1: 1, 2: 1})
    assert_unchanged(model, before)


def test_class_weight_keys_may_be_floats_or_digit_strings():
    # `dict(zip(np.unique(y), w))` of float labels, or a JSON round trip,
    # mean the same weights as integer keys.
    y = Y.astype("float32")
    losses_seen = []
    for cw in ({0: 0.5, 1: 2.0, 2: 3.0}, {0.0: 0.5, 1.0: 2.0, 2.0: 3.0},
               {"0": 0.5, "1": 2.0, "2": 3.0}):
        model = make_model()
        model.compile(optimizer=keras.optimizers.SGD(0.0),
                      loss="sparse_categorical_crossentropy")
        losses_seen.append(model.fit(X, y, class_weight=cw, batch_size=16,
                                     verbose=0).history["loss"][0])
        expected = (np_sparse_cce(Y, np_forward(model, X))
                    * np.array([0.5, 2.0, 3.0])[Y]).mean()
        np.testing.assert_allclose(losses_seen[-1], expected, rtol=1e-5)


def test_class_weight_on_a_multi_output_model():
    model = make_model(outputs=2)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"single output.*class_weight="
                       r"\{0: 1\.0, 1: 1\.0, 2: 1\.0\}"):
        model.fit(X, [Y, Y], class_weight={0: 1.0, 1: 1.0, 2: 1.0},
                  verbose=0)
    assert_unchanged(model, before)


@pytest.mark.parametrize("loss", ["mse", "sparse_categorical_crossentropy",
                                  "categorical_crossentropy"])
def test_string_labels_for_a_numeric_loss(loss):
    model = make_model(loss=loss)
    before = snapshot(model)
    y = np.array(["cat", "dog", "eel", "cat"] * 4)
    with pytest.raises(ValueError, match=rf"`{loss}`.*dtype.*'cat'"):
        model.fit(X, y, verbose=0)
    with pytest.raises(ValueError, match=r"dtype.*'cat'"):
        model.train_on_batch(X, y)
    with pytest.raises(ValueError, match=r"dtype.*'cat'"):
        model.fit(_iterable("generator", y), verbose=0)
    assert_unchanged(model, before)


def _nan_at(array, index):
    array = array.astype("float32").copy()
    array.reshape(-1)[index] = np.nan
    return array


@pytest.mark.parametrize("argument", ["x", "y", "sample_weight",
                                      "class_weight", "validation_data"])
def test_non_finite_arrays_warn_before_training(argument):
    model = make_model(loss="mse")
    y = np.eye(3, dtype="float32")[Y]
    kwargs = {"x": X, "y": y}
    if argument == "x":
        kwargs["x"] = _nan_at(X, 5)
    elif argument == "y":
        kwargs["y"] = y.copy()
        kwargs["y"][3, 1] = np.inf
    elif argument == "sample_weight":
        kwargs["sample_weight"] = _nan_at(np.ones(16), 7)
    elif argument == "class_weight":
        kwargs["class_weight"] = {0: 1.0, 1: float("nan"), 2: 1.0}
    else:
        kwargs["validation_data"] = (_nan_at(X, 0), y)
    before = snapshot(model)
    # As an error, the warning stops `fit`: it came before any update.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match=rf"`{argument}`.*(NaN|Inf)"):
            model.fit(verbose=0, **kwargs)
    assert_unchanged(model, before)


def test_finite_arrays_do_not_warn():
    model = make_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X * 1e37, Y, sample_weight=np.ones(16), verbose=0,
                  class_weight={0: 1, 1: 2, 2: 3})


@pytest.mark.parametrize("loss", [
    losses.CategoricalCrossentropy(label_smoothing=0.5),
    losses.SparseCategoricalCrossentropy(ignore_class=1),
])
def test_compiled_loss_on_softmax_logits_keeps_the_loss_arguments(loss):
    # The engine computes the crossentropy from the softmax's logits; that
    # must not drop `label_smoothing` or `ignore_class` on the way.
    model = make_model()
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=loss)
    y = np.eye(3, dtype="float32")[Y] if isinstance(
        loss, losses.CategoricalCrossentropy) else Y
    direct = float(loss(y, model.predict(X, verbose=0)))
    np.testing.assert_allclose(model.evaluate(X, y, verbose=0), direct,
                               rtol=1e-5)


def test_ops_sparse_crossentropy_does_not_skip_minus_100():
    probs = np.full((4, 3), 1 / 3, "float32")
    with pytest.raises(ValueError):
        keras.ops.sparse_categorical_crossentropy(np.full(4, -100), probs)
    got = keras.ops.sparse_categorical_crossentropy(np.array([0, 1, 2, 1]),
                                                    probs)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got),
                               np.full(4, np.log(3.0)), rtol=1e-5)


@pytest.mark.parametrize("label", [5, -1, -100])
def test_backend_and_tf_crossentropy_name_out_of_range_labels(label):
    from torchkeras import backend as K
    from torchkeras.compat import tf

    probs = np.full((4, 3), 1 / 3, "float32")
    labels = np.array([0, 1, label, 2])
    calls = {
        "backend.sparse_categorical_crossentropy":
            lambda: K.sparse_categorical_crossentropy(labels, probs),
        "tf.nn.sparse_softmax_cross_entropy_with_logits":
            lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=labels, logits=np.log(probs)),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match=re.escape(name) + (
                rf".*\[0, 3\).*\[{label}\]")):
            call()
    good = K.sparse_categorical_crossentropy(np.array([0, 1, 2, 1]), probs)
    np.testing.assert_allclose(np.asarray(good), np.full(4, np.log(3.0)),
                               rtol=1e-5)
