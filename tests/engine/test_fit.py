"""fit/evaluate/predict against NumPy-computed expectations.

Most tests train with ``SGD(learning_rate=0.0)`` so the weights stay fixed
and every logged loss can be recomputed exactly in NumPy from the model's
own weights.
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def np_softmax(z):
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def np_sparse_cce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.log(p[np.arange(len(y)), y])


def make_model(in_dim=4, classes=3, name=None):
    inp = keras.Input(shape=(in_dim,), name="x")
    out = layers.Dense(classes, activation="softmax", name="out")(inp)
    return keras.Model(inp, out, name=name)


def forward_np(model, x):
    kernel, bias = model.get_layer("out").get_weights()
    return np_softmax(x @ kernel + bias)


def data(n=40, in_dim=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, in_dim)).astype("float32")
    y = rng.integers(0, classes, size=(n,))
    return x, y


def frozen(model, **compile_kwargs):
    compile_kwargs.setdefault("loss", "sparse_categorical_crossentropy")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0),
                  **compile_kwargs)
    return model


def test_fit_logs_equal_numpy_loss_and_accuracy():
    x, y = data()
    model = frozen(make_model(), metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    p = forward_np(model, x)
    expected_loss = np_sparse_cce(y, p).mean()
    expected_acc = (p.argmax(-1) == y).mean()
    assert history.epoch == [0, 1]
    assert set(history.history) == {"loss", "accuracy"}
    np.testing.assert_allclose(history.history["loss"], [expected_loss] * 2,
                               rtol=1e-5)
    # Metrics are reset every epoch: the same value, not a running total.
    np.testing.assert_allclose(history.history["accuracy"],
                               [expected_acc] * 2, rtol=1e-6)
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.params["epochs"] == 2 and history.params["steps"] == 5


def test_sample_weight_changes_loss_by_numpy_amount():
    x, y = data()
    w = np.random.default_rng(1).random(len(y)).astype("float32")
    model = frozen(make_model())
    per_sample = np_sparse_cce(y, forward_np(model, x))
    got = model.evaluate(x, y, sample_weight=w, batch_size=len(y), verbose=0)
    np.testing.assert_allclose(got, (per_sample * w).mean(), rtol=1e-5)
    history = model.fit(x, y, sample_weight=w, batch_size=len(y), epochs=1,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"][0],
                               (per_sample * w).mean(), rtol=1e-5)


def test_class_weight_becomes_sample_weight():
    x, y = data()
    class_weight = {0: 0.5, 1: 2.0, 2: 3.0}
    model = frozen(make_model())
    per_sample = np_sparse_cce(y, forward_np(model, x))
    weights = np.array([class_weight[int(c)] for c in y])
    history = model.fit(x, y, class_weight=class_weight, batch_size=len(y),
                        epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0],
                               (per_sample * weights).mean(), rtol=1e-5)
    logs = model.train_on_batch(x, y, class_weight=class_weight,
                                return_dict=True)
    np.testing.assert_allclose(logs["loss"], (per_sample * weights).mean(),
                               rtol=1e-5)


def test_validation_split_takes_last_rows_before_shuffling():
    x, y = data(n=40)
    model = frozen(make_model(), metrics=["accuracy"])
    history = model.fit(x, y, validation_split=0.25, batch_size=7, epochs=1,
                        shuffle=True, verbose=0)
    p = forward_np(model, x)
    np.testing.assert_allclose(history.history["val_loss"][0],
                               np_sparse_cce(y[30:], p[30:]).mean(),
                               rtol=1e-5)
    np.testing.assert_allclose(history.history["loss"][0],
                               np_sparse_cce(y[:30], p[:30]).mean(),
                               rtol=1e-5)


def test_validation_data_tuples_and_freq():
    x, y = data(n=24)
    vx, vy = data(n=10, seed=3)
    vw = np.linspace(0.1, 1.0, 10).astype("float32")
    model = frozen(make_model())
    history = model.fit(x, y, validation_data=(vx, vy, vw), epochs=4,
                        validation_freq=2, verbose=0)
    per_sample = np_sparse_cce(vy, forward_np(model, vx))
    assert len(history.history["val_loss"]) == 2
    np.testing.assert_allclose(history.history["val_loss"][0],
                               (per_sample * vw).mean(), rtol=1e-5)
    history = model.fit(x, y, validation_data=(vx, vy), epochs=3,
                        validation_freq=[1, 3], verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_initial_epoch_and_steps_per_epoch_with_repeating_generator():
    x, y = data(n=16)
    drawn = []

    def gen():
        while True:
            for i in range(0, 16, 4):
                drawn.append(i)
                yield x[i:i + 4], y[i:i + 4]

    model = frozen(make_model())
    history = model.fit(gen(), steps_per_epoch=3, epochs=5, initial_epoch=2,
                        verbose=0)
    assert history.epoch == [2, 3, 4]
    assert len(drawn) == 9  # 3 epochs x 3 steps, continuing the generator
    assert drawn[:5] == [0, 4, 8, 12, 0]


def test_steps_per_epoch_with_arrays_cycles():
    x, y = data(n=16)
    model = frozen(make_model())
    seen = []

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    model.fit(x, y, batch_size=4, steps_per_epoch=6, epochs=2, verbose=0,
              callbacks=[Count()])
    assert seen == list(range(6)) * 2


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attr = object.__getattribute__(self, name)
        if name.startswith("on_") and callable(attr):
            calls = object.__getattribute__(self, "calls")

            def record(*args, **kwargs):
                calls.append(name)
                return attr(*args, **kwargs)

            return record
        return attr


def _overriding_recorder():
    hooks = [f"on_{m}_{w}" for m in ("train", "test", "predict")
             for w in ("begin", "end")]
    hooks += ["on_epoch_begin", "on_epoch_end"]
    hooks += [f"on_{m}_batch_{w}" for m in ("train", "test", "predict")
              for w in ("begin", "end")]
    calls = []
    namespace = {}
    for hook in hooks:
        def make(h):
            def fn(self, *args, **kwargs):
                calls.append(h)
            return fn
        namespace[hook] = make(hook)
    cls = type("Rec", (keras.callbacks.Callback,), namespace)
    return cls(), calls


def test_hook_order_across_fit_evaluate_predict():
    x, y = data(n=8)
    model = frozen(make_model())
    cb, calls = _overriding_recorder()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y),
              callbacks=[cb], verbose=0)
    epoch = (["on_epoch_begin"]
             + ["on_train_batch_begin", "on_train_batch_end"] * 2
             + ["on_test_begin"]
             + ["on_test_batch_begin", "on_test_batch_end"] * 2
             + ["on_test_end", "on_epoch_end"])
    assert calls == ["on_train_begin"] + epoch * 2 + ["on_train_end"]
    calls.clear()
    model.evaluate(x, y, batch_size=8, callbacks=[cb], verbose=0)
    assert calls == ["on_test_begin", "on_test_batch_begin",
                     "on_test_batch_end", "on_test_end"]
    calls.clear()
    model.predict(x, batch_size=8, callbacks=[cb], verbose=0)
    assert calls == ["on_predict_begin", "on_predict_batch_begin",
                     "on_predict_batch_end", "on_predict_end"]


def test_batch_logs_are_floats_for_plain_callbacks():
    x, y = data(n=8)
    model = frozen(make_model(), metrics=["accuracy"])
    seen = []
    cb = keras.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: seen.append(dict(logs)))
    model.fit(x, y, batch_size=4, epochs=1, callbacks=[cb], verbose=0)
    assert len(seen) == 2
    assert set(seen[-1]) == {"loss", "accuracy"}
    assert all(isinstance(v, float) for v in seen[-1].values())


def test_stop_training_from_callback():
    x, y = data(n=8)
    model = frozen(make_model())

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    history = model.fit(x, y, epochs=10, callbacks=[Stop()], verbose=0)
    assert history.epoch == [0, 1]


def test_training_actually_learns():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    model = make_model(classes=2)
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.5
    assert history.history["accuracy"][-1] > 0.9


def test_shuffle_false_keeps_order_and_batch_shuffle_is_a_permutation():
    x = np.arange(12, dtype="float32").reshape(12, 1)
    y = np.zeros(12, dtype="int64")
    order = {}

    class Spy(keras.layers.Layer):
        def call(self, inputs):
            order.setdefault("rows", []).extend(
                inputs[:, 0].detach().numpy().astype(int).tolist())
            return inputs

    for shuffle in (False, "batch", True):
        order.clear()
        inp = keras.Input(shape=(1,))
        out = layers.Dense(2, activation="softmax")(Spy()(inp))
        model = frozen(keras.Model(inp, out))
        order.clear()  # shape inference traced the layer on zeros
        model.fit(x, y, batch_size=4, epochs=1, shuffle=shuffle, verbose=0)
        rows = order["rows"]
        assert sorted(rows) == list(range(12))
        if shuffle is False:
            assert rows == list(range(12))
        if shuffle == "batch":
            chunks = [rows[i:i + 4] for i in range(0, 12, 4)]
            assert sorted(c[0] for c in chunks) == [0, 4, 8]
            assert all(c == list(range(c[0], c[0] + 4)) for c in chunks)


def test_evaluate_return_dict_and_metrics_names():
    x, y = data()
    model = frozen(make_model(), metrics=["accuracy", "sparse_top_k_"
                                          "categorical_accuracy"])
    result = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert model.metrics_names == ["loss", "accuracy",
                                   "sparse_top_k_categorical_accuracy"]
    assert result == [as_dict[n] for n in model.metrics_names]
    assert as_dict["sparse_top_k_categorical_accuracy"] == 1.0


def test_predict_needs_no_compile_and_matches_numpy():
    x, _ = data(n=37)
    model = make_model()
    out = model.predict(x, batch_size=8, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (37, 3)
    np.testing.assert_allclose(out, forward_np(model, x), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5],
                               rtol=1e-6)


def two_output_model():
    inp = keras.Input(shape=(4,), name="x")
    a = layers.Dense(3, activation="softmax", name="cls")(inp)
    b = layers.Dense(1, name="reg")(inp)
    return keras.Model(inp, [a, b])


def test_multi_output_losses_weights_and_log_names():
    x, y = data()
    t = np.random.default_rng(2).standard_normal((len(y), 1)).astype(
        "float32")
    model = two_output_model()
    model.compile(optimizer=keras.optimizers.SGD(0.0),
                  loss={"cls": "sparse_categorical_crossentropy",
                        "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.5},
                  metrics={"cls": ["accuracy"], "reg": ["mae"]})
    history = model.fit(x, {"cls": y, "reg": t}, batch_size=len(y),
                        epochs=1, verbose=0)
    k1, b1 = model.get_layer("cls").get_weights()
    k2, b2 = model.get_layer("reg").get_weights()
    p = np_softmax(x @ k1 + b1)
    r = x @ k2 + b2
    cls_loss = np_sparse_cce(y, p).mean()
    reg_loss = ((r - t) ** 2).mean()
    h = history.history
    assert set(h) == {"loss", "cls_loss", "reg_loss", "cls_accuracy",
                      "reg_mae"}
    np.testing.assert_allclose(h["cls_loss"][0], cls_loss, rtol=1e-5)
    np.testing.assert_allclose(h["reg_loss"][0], reg_loss, rtol=1e-5)
    np.testing.assert_allclose(h["loss"][0], cls_loss + 0.5 * reg_loss,
                               rtol=1e-5)
    np.testing.assert_allclose(h["reg_mae"][0], np.abs(r - t).mean(),
                               rtol=1e-5)
    # A list of targets in output order is the same thing.
    logs = model.test_on_batch(x, [y, t], return_dict=True)
    np.testing.assert_allclose(logs["loss"], cls_loss + 0.5 * reg_loss,
                               rtol=1e-5)
    preds = model.predict(x, verbose=0)
    assert isinstance(preds, list) and preds[1].shape == (len(y), 1)


def test_generator_yielding_dict_targets():
    x, y = data(n=16)
    t = np.zeros((16, 1), dtype="float32")

    def gen():
        for i in range(0, 16, 8):
            yield x[i:i + 8], {"cls": y[i:i + 8], "reg": t[i:i + 8]}

    model = two_output_model()
    model.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy",
                                         "mse"])
    history = model.fit(gen(), epochs=1, verbose=0)
    assert history.history["loss"][0] > 0


def test_accuracy_resolution_follows_tf_keras():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 4)).astype("float32")
    cases = [
        (layers.Dense(1, activation="sigmoid"), "binary_crossentropy",
         (rng.random((20, 1)) > 0.5).astype("float32"), "BinaryAccuracy"),
        (layers.Dense(3, activation="softmax"),
         "sparse_categorical_crossentropy", rng.integers(0, 3, (20,)),
         "SparseCategoricalAccuracy"),
        (layers.Dense(3, activation="softmax"), "categorical_crossentropy",
         np.eye(3, dtype="float32")[rng.integers(0, 3, (20,))],
         "CategoricalAccuracy"),
    ]
    for layer, loss, y, expected in cases:
        inp = keras.Input(shape=(4,))
        model = keras.Model(inp, layer(inp))
        model.compile(optimizer="sgd", loss=loss, metrics=["acc"])
        model.fit(x, y, epochs=1, verbose=0)
        assert type(model.metrics[1]).__name__ == expected
        assert model.metrics_names == ["loss", "acc"]


def test_custom_train_step_keras3_torch_pattern():
    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inp = keras.Input(shape=(4,))
    out = layers.Dense(1)(inp)
    model = CustomModel(inp, out)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse",
                  metrics=["mae"])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")
    history = model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]


def test_custom_train_step_tf_keras_compiled_loss_pattern():
    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred,
                                      regularization_losses=self.losses)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.compiled_metrics.update_state(y, y_pred)
            self._loss_tracker.update_state(loss.detach())
            return {m.name: m.result() for m in self.metrics}

    inp = keras.Input(shape=(4,))
    out = layers.Dense(1)(inp)
    model = CustomModel(inputs=inp, outputs=out)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse",
                  metrics=["mae"])
    x = np.random.default_rng(0).standard_normal((32, 4)).astype("float32")
    y = x.sum(-1, keepdims=True)
    history = model.fit(x, y, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_train_on_batch_reset_metrics_and_return_forms():
    x, y = data()
    model = frozen(make_model(), metrics=["accuracy"])
    p = forward_np(model, x)
    first = model.train_on_batch(x[:20], y[:20])
    assert isinstance(first, list) and len(first) == 2
    np.testing.assert_allclose(first[0], np_sparse_cce(y[:20], p[:20]).mean(),
                               rtol=1e-5)
    model.train_on_batch(x[20:], y[20:], reset_metrics=False)
    both = model.test_on_batch(x[:1], y[:1], reset_metrics=False,
                               return_dict=True)
    # Not reset: the running mean covers all 41 samples.
    expected = np.concatenate([np_sparse_cce(y, p),
                               np_sparse_cce(y[:1], p[:1])]).mean()
    np.testing.assert_allclose(both["loss"], expected, rtol=1e-5)
    model.reset_metrics()
    assert float(model.metrics[0].result()) == 0.0


def test_fit_generator_family_warns_and_works():
    x, y = data(n=16)

    def gen():
        while True:
            yield x[:8], y[:8]

    model = frozen(make_model())
    with pytest.warns(UserWarning, match="fit_generator"):
        history = model.fit_generator(gen(), steps_per_epoch=2, epochs=2,
                                      verbose=0)
    assert history.epoch == [0, 1]
    with pytest.warns(UserWarning, match="evaluate_generator"):
        loss = model.evaluate_generator(gen(), steps=2)
    assert loss > 0
    with pytest.warns(UserWarning, match="predict_generator"):
        out = model.predict_generator(gen(), steps=2)
    assert out.shape == (16, 3)


def test_trainable_change_needs_recompile():
    x, y = data()
    model = make_model()
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss="sparse_categorical_crossentropy")
    model.get_layer("out").trainable = False
    before = model.get_weights()
    with pytest.warns(UserWarning, match="compile"):
        model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.get_layer("out").trainable = True
    model.compile(optimizer=keras.optimizers.SGD(0.5),
                  loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.allclose(before[0], model.get_weights()[0])


def test_learning_rate_settable_mid_training():
    x, y = data()
    model = make_model()
    opt = keras.optimizers.SGD(learning_rate=0.1)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")

    class Zero(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.optimizer.learning_rate = 0.0

    model.fit(x, y, epochs=1, verbose=0, callbacks=[Zero()])
    frozen_weights = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(frozen_weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_torch_optimizer_accepted_as_is():
    x, y = data()
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    assert model.optimizer is opt
    before = model.get_weights()[0]
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.allclose(before, model.get_weights()[0])


def test_add_loss_only_model_trains_without_compiled_loss():
    class ActivityLoss(layers.Layer):
        def call(self, inputs):
            self.add_loss(((inputs - 1.0) ** 2).mean())
            return inputs

    inp = keras.Input(shape=(4,))
    out = ActivityLoss()(layers.Dense(1)(inp))
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    x = np.random.default_rng(0).standard_normal((32, 4)).astype("float32")
    history = model.fit(x, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.5


def test_symbolic_add_loss_on_functional_model():
    inp = keras.Input(shape=(4,))
    out = layers.Dense(1, name="d")(inp)
    model = keras.Model(inp, out)
    model.add_loss((out - 1.0) ** 2)  # summed, as Keras 3 sums add_loss
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    x = np.random.default_rng(0).standard_normal((8, 4)).astype("float32")
    kernel, bias = model.get_layer("d").get_weights()
    expected = (((x @ kernel + bias) - 1.0) ** 2).sum()
    got = model.evaluate(x, batch_size=8, verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_regularization_losses_are_added():
    x, y = data()
    inp = keras.Input(shape=(4,))
    out = layers.Dense(3, activation="softmax",
                       kernel_regularizer=keras.regularizers.L2(0.1))(inp)
    model = frozen(keras.Model(inp, out))
    kernel, bias = model.layers[1].get_weights()
    p = np_softmax(x @ kernel + bias)
    expected = np_sparse_cce(y, p).mean() + 0.1 * (kernel ** 2).sum()
    got = model.evaluate(x, y, batch_size=len(y), verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_output_in_a_log_file(capsys, verbose):
    x, y = data(n=16)
    model = frozen(make_model(), metrics=["accuracy"])
    model.fit(x, y, batch_size=4, epochs=2, verbose=verbose)
    out = capsys.readouterr().out
    assert "\r" not in out and "\b" not in out and "\x1b" not in out
    assert out.count("Epoch ") == 2
    assert "loss:" in out and "accuracy:" in out


def test_jit_compile_runs_and_matches_eager():
    x, y = data(n=32)
    weights = make_model().get_weights()
    results = []
    for jit in (False, True):
        model = make_model()
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss="sparse_categorical_crossentropy",
                      jit_compile=jit)
        model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_model_reset_states_resets_stateful_rnns():
    inp = keras.Input(batch_shape=(2, 3, 4))
    model = keras.Model(inp, layers.GRU(5, stateful=True)(inp))
    x = np.ones((2, 3, 4), "float32")
    first = model.predict(x, verbose=0)
    second = model.predict(x, verbose=0)
    assert not np.allclose(first, second)  # the state carried over
    model.reset_states()
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)
