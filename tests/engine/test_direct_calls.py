"""Graph runs that call ``layer.call`` directly (``CallPlan.direct``)
and ``predict`` that skips the model's calling machinery
(``Functional._direct_predictor``) must keep every behaviour of the full call:
hooks, ``training``, activity regularizers, replaced ``call`` methods,
overridden ``predict_step``, input checks, no autograd graph in predict.
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def _dense_model(units=3, features=4):
    inputs = keras.Input(shape=(features,))
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(units, name="head")(hidden)
    return keras.Model(inputs, outputs)


def _numpy_forward(model, x):
    (k1, b1), (k2, b2) = (model.get_layer(n).get_weights()
                          for n in ("hidden", "head"))
    return np.maximum(x @ k1 + b1, 0) @ k2 + b2


def _x(n=6, features=4):
    return np.random.default_rng(0).standard_normal(
        (n, features)).astype("float32")


@pytest.mark.parametrize("entry", ["call", "predict", "fit"])
def test_forward_hook_on_an_inner_layer_fires(entry):
    model = _dense_model()
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    model.get_layer("hidden").register_forward_hook(
        lambda mod, args, out: seen.append(tuple(out.shape)))
    x = _x()
    if entry == "call":
        model(torch.from_numpy(x))
    elif entry == "predict":
        model.predict(x, batch_size=4, verbose=0)
    else:
        model.fit(x, np.zeros((6, 3), "float32"), batch_size=3, verbose=0)
    assert seen == ([(6, 5)] if entry == "call" else
                    [(4, 5), (2, 5)] if entry == "predict" else
                    [(3, 5), (3, 5)])


def test_forward_pre_hook_changing_the_input_is_honoured():
    model = _dense_model()
    model.get_layer("hidden").register_forward_pre_hook(
        lambda mod, args: (args[0] * 2,))
    x = _x()
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out, _numpy_forward(model, 2 * x),
                               rtol=1e-5, atol=1e-5)


def test_global_module_hook_sees_the_inner_layers():
    model = _dense_model()
    names = []
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda mod, args, out: names.append(getattr(mod, "name", None)))
    try:
        model.predict(_x(), verbose=0)
    finally:
        handle.remove()
    assert "hidden" in names and "head" in names


def test_activity_regularizer_set_after_the_first_call_applies():
    model = _dense_model()
    x = _x()
    model(torch.from_numpy(x))
    model.get_layer("head").activity_regularizer = (
        keras.regularizers.L2(0.1))
    out = model(torch.from_numpy(x))
    losses = model.losses
    assert len(losses) == 1
    expected = 0.1 * np.sum(out.detach().numpy() ** 2) / len(x)
    np.testing.assert_allclose(float(losses[0].detach()), expected,
                               rtol=1e-5)


class _RecordsTraining(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def test_training_flag_reaches_a_direct_call_in_every_entry_point():
    inputs = keras.Input(shape=(4,))
    recorder = _RecordsTraining()
    outputs = layers.Dense(2)(recorder(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x, y = _x(4), np.zeros((4, 2), "float32")
    recorder.seen.clear()  # the symbolic calls that built the graph
    model.fit(x, y, batch_size=4, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    model(torch.from_numpy(x), training=True)
    assert recorder.seen == [True, False, False, True]


def test_dropout_in_predict_is_off_and_in_a_training_call_on():
    inputs = keras.Input(shape=(200,))
    outputs = layers.Dropout(0.5)(inputs)
    model = keras.Model(inputs, outputs)
    x = np.ones((3, 200), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    dropped = model(torch.from_numpy(x), training=True).numpy()
    assert (dropped == 0).any() and set(np.unique(dropped)) <= {0.0, 2.0}


def test_replacing_a_layers_call_after_a_run_takes_effect():
    model = _dense_model()
    x = _x()
    model.predict(x, verbose=0)
    head = model.get_layer("head")
    head.call = lambda inputs: torch.zeros(inputs.shape[0], 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0),
                                  np.zeros((6, 3), "float32"))


def test_an_overridden_predict_step_is_used():
    class Doubled(keras.Model):
        def predict_step(self, data):
            return super().predict_step(data) * 2

    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(3, name="head")(hidden)
    model = Doubled(inputs, outputs)
    x = _x()
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               2 * _numpy_forward(model, x), rtol=1e-5,
                               atol=1e-5)


def test_predict_function_records_no_autograd_graph():
    model = _dense_model()
    out = model.make_predict_function()((torch.from_numpy(_x()),))
    assert not out.requires_grad
    np.testing.assert_allclose(out.numpy(), _numpy_forward(model, _x()),
                               rtol=1e-5, atol=1e-5)


def test_a_wrong_input_shape_after_good_batches_still_raises():
    model = _dense_model()
    model.predict(_x(), verbose=0)
    with pytest.raises(ValueError, match="expected shape"):
        model.predict(_x(features=5), verbose=0)


def test_masking_models_keep_the_full_call():
    inputs = keras.Input(shape=(3,), dtype="int64")
    embedded = layers.Embedding(5, 2, mask_zero=True)(inputs)
    outputs = layers.GlobalAveragePooling1D()(embedded)
    model = keras.Model(inputs, outputs)
    x = np.array([[1, 2, 0], [3, 0, 0]])
    table = model.layers[1].get_weights()[0]
    expected = np.stack([table[[1, 2]].mean(0), table[[3]].mean(0)])
    np.testing.assert_allclose(model.predict(x, verbose=0), expected,
                               rtol=1e-6)


def _compiled_dense(optimizer):
    model = _dense_model()
    model.compile(optimizer=optimizer, loss="mse")
    return model


def test_optimizer_step_hooks_fire_in_fit():
    model = _dense_model()
    optimizer = keras.optimizers.SGD(0.1)
    model.compile(optimizer=optimizer, loss="mse")
    calls = []
    optimizer.register_step_pre_hook(lambda opt, a, k: calls.append("pre"))
    optimizer.register_step_post_hook(lambda opt, a, k: calls.append("post"))
    model.fit(_x(), np.zeros((6, 3), "float32"), batch_size=3, verbose=0)
    assert calls == ["pre", "post"] * 2


def test_fit_updates_equal_plain_sgd_and_clear_gradients():
    model = _dense_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x, y = _x(), np.ones((6, 3), "float32")
    before = [p.detach().clone() for p in model.parameters()]
    loss = torch.mean((model(torch.from_numpy(x), training=True)
                       - torch.from_numpy(y)) ** 2)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    model.fit(x, y, batch_size=6, verbose=0, shuffle=False)
    for w0, g, w1 in zip(before, grads, model.parameters()):
        np.testing.assert_allclose(w1.detach().numpy(),
                                   (w0 - 0.1 * g).numpy(), rtol=1e-5,
                                   atol=1e-6)
    assert all(p.grad is None for p in model.parameters())


def test_a_torch_lr_scheduler_sees_the_steps_fit_takes():
    optimizer = keras.optimizers.SGD(0.1)
    model = _compiled_dense(optimizer)
    model.optimizer.build(list(model.trainable_variables))
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)

    class StepScheduler(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            scheduler.step()  # warns if fit's steps bypassed optimizer.step

    model.fit(_x(), np.zeros((6, 3), "float32"), batch_size=3, epochs=2,
              verbose=0, callbacks=[StepScheduler()])
    assert optimizer._opt_called



class _FailsOnSecondBatch(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        if self.calls == 2:  # batch 1 takes the full call, batch 2 not
            raise RuntimeError("second batch")
        return inputs


def test_predict_shortcut_restores_the_call_context_after_an_error():
    from torchkeras.backend.call_context import CALL_CONTEXT

    inputs = keras.Input(shape=(4,))
    outputs = layers.Dense(2, activation="softmax")(
        _FailsOnSecondBatch()(inputs))
    model = keras.Model(inputs, outputs)
    layer = model.layers[1]
    layer.calls = 0
    with pytest.raises(RuntimeError, match="second batch"):
        model.predict(_x(8), batch_size=4, verbose=0)
    assert layer.calls == 2
    assert (CALL_CONTEXT.depth, CALL_CONTEXT.training,
            CALL_CONTEXT.predicting) == (0, None, False)


def test_evaluate_after_predict_still_uses_the_softmax_logits():
    inputs = keras.Input(shape=(4,))
    outputs = layers.Dense(3, activation="softmax", name="head")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy")
    x, y = _x(), np.array([0, 1, 2, 0, 1, 2])
    model.predict(x, verbose=0)
    out = model(torch.from_numpy(x), training=False)
    assert hasattr(out, "_keras_logits")
    kernel, bias = model.get_layer("head").get_weights()
    logits = x @ kernel + bias
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -log_probs[np.arange(6), y].mean()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected,
                               rtol=1e-5)


def _mixed_model():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        inputs = keras.Input(shape=(4,))
        hidden = layers.Dense(8, activation="relu", name="mixed")(inputs)
        hidden = layers.Dense(8, activation="relu", name="mixed2")(hidden)
        pinned = layers.Dense(8, name="pinned", dtype="float32")(hidden)
        outputs = layers.Dense(3, activation="softmax", name="head")(pinned)
        model = keras.Model(inputs, outputs)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return model


def test_mixed_models_call_directly_with_the_same_numbers(monkeypatch):
    model = _mixed_model()
    x = torch.from_numpy(_x()).to(next(model.parameters()).device)
    forwarded = []
    plain_forward = layers.Layer.forward

    def counting_forward(self, *args, **kwargs):
        forwarded.append(self.name)
        return plain_forward(self, *args, **kwargs)

    monkeypatch.setattr(layers.Layer, "forward", counting_forward)
    direct = model(x, training=False)
    # Full calls: the model, the mixed layers given float32 inputs (cast
    # there) and the float32 layer (autocast off); "mixed2" runs directly.
    assert forwarded == [model.name, "mixed", "pinned", "head"]
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda mod, args, out: None)  # every layer takes its full call
    try:
        full = model(x, training=False)
    finally:
        handle.remove()
    assert direct.dtype == torch.float32  # the model's outputs
    torch.testing.assert_close(direct, full, rtol=0, atol=0)
