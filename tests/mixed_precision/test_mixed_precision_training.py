"""Layers and models under a mixed policy (the dtype handling of
``layers/layer.py``, ``engine/model.py`` and ``engine/trainer.py``).

References: torch's own bfloat16/float16 kernels for the numbers, Keras's
documented behaviour for the dtypes (variables float32, outputs of a mixed
layer in the compute dtype, ``Activation('softmax', dtype='float32')`` in
float32, ``compile`` wrapping the optimizer for ``mixed_float16``).
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras import mixed_precision


@pytest.fixture
def bfloat16_policy():
    mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    mixed_precision.set_global_policy(None)


@pytest.fixture
def float16_policy():
    mixed_precision.set_global_policy("mixed_float16")
    yield
    mixed_precision.set_global_policy(None)


def _outputs_seen(layers_):
    seen = {}

    def hook(layer, args, output):
        seen[layer.name] = output

    for layer in layers_:
        layer.register_forward_hook(hook)
    return seen


def test_dense_keeps_float32_weights_and_computes_bfloat16(bfloat16_policy):
    dense = layers.Dense(5)
    x = torch.randn(4, 3)
    y = dense(x)
    assert (dense.compute_dtype, dense.variable_dtype, dense.dtype) == (
        "bfloat16", "float32", "float32")
    assert all(w.dtype == torch.float32 for w in dense.weights)
    assert y.dtype == torch.bfloat16
    kernel, bias = (torch.from_numpy(a) for a in dense.get_weights())
    expected = torch.addmm(bias.bfloat16(), x.bfloat16(), kernel.bfloat16())
    torch.testing.assert_close(y, expected, rtol=1e-2, atol=1e-2)
    symbolic = layers.Dense(2)(keras.Input((3,)))
    assert symbolic.dtype == "bfloat16"


def test_final_float32_softmax_and_float32_model_outputs(bfloat16_policy):
    inputs = keras.Input((6,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    logits = layers.Dense(3)(hidden)
    probs = layers.Activation("softmax", dtype="float32")(logits)
    model = keras.Model(inputs, probs)
    seen = _outputs_seen(model.layers)
    out = model(torch.randn(2, 6))
    assert seen["dense_1"].dtype == torch.bfloat16
    assert seen["activation"].dtype == torch.float32
    # Computed in float32 from the bfloat16 logits.
    torch.testing.assert_close(
        out, torch.softmax(seen["dense_1"].float(), dim=-1),
        rtol=1e-6, atol=1e-7)
    assert out.dtype == torch.float32

    plain = keras.Sequential([keras.Input((6,)), layers.Dense(3),
                              layers.Softmax()])
    assert plain(torch.randn(2, 6)).dtype == torch.float32
    assert plain.predict(np.zeros((2, 6), np.float32), verbose=0).dtype == (
        np.float32)


def test_per_layer_policy_in_a_float32_model():
    inputs = keras.Input((4,))
    half = layers.Dense(4, dtype="mixed_bfloat16")(inputs)
    model = keras.Model(inputs, layers.Dense(2)(half))
    seen = _outputs_seen(model.layers)
    out = model(torch.randn(3, 4))
    assert seen["dense"].dtype == torch.bfloat16
    assert out.dtype == torch.float32
    # The float32 layer computes in float32 on the upcast bfloat16 values.
    kernel, bias = (torch.from_numpy(a) for a in model.layers[2].get_weights())
    expected = seen["dense"].double() @ kernel.double() + bias.double()
    torch.testing.assert_close(out.double(), expected, rtol=1e-6, atol=1e-6)


def _data(n=256):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x[:, :4].sum(-1) > 0).astype("int64")
    return x, y


def _classifier():
    inputs = keras.Input((8,))
    h = layers.Dense(16, activation="relu")(inputs)
    out = layers.Dense(2)(h)
    out = layers.Activation("softmax", dtype="float32")(out)
    return keras.Model(inputs, out)


def test_mixed_bfloat16_trains_on_cpu_like_float32():
    x, y = _data()
    keras.utils.set_random_seed(1)
    reference = _classifier()
    mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        keras.utils.set_random_seed(1)
        model = _classifier()
    finally:
        mixed_precision.set_global_policy(None)
    model.set_weights(reference.get_weights())
    losses = {}
    for name, m in (("float32", reference), ("mixed", model)):
        m.compile(keras.optimizers.Adam(0.01),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
        losses[name] = m.fit(x, y, batch_size=32, epochs=4,
                             verbose=0).history["loss"]
    assert model.layers[1].compute_dtype == "bfloat16"
    assert all(w.dtype == torch.float32 for w in model.weights)
    assert losses["mixed"][-1] < 0.7 * losses["mixed"][0]
    np.testing.assert_allclose(losses["mixed"], losses["float32"], rtol=0.1)


def test_mixed_rnn_conv_batchnorm_model_trains(bfloat16_policy):
    model = keras.Sequential([
        keras.Input((10,), dtype="int64"), layers.Embedding(20, 8),
        layers.LSTM(8, return_sequences=True),
        layers.Conv1D(4, 3, padding="same"), layers.BatchNormalization(),
        layers.GlobalAveragePooling1D(), layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy")
    seen = _outputs_seen(model.layers)
    x = np.random.randint(0, 20, (32, 10))
    y = np.random.randint(0, 2, 32)
    history = model.fit(x, y, epochs=1, verbose=0).history
    assert [seen[layer.name].dtype for layer in model.layers[1:4]] == [
        torch.bfloat16] * 3  # LSTM, Conv1D, BatchNormalization
    assert np.isfinite(history["loss"][0])
    assert model.predict(x[:3], verbose=0).dtype == np.float32


def test_config_keeps_the_policy(bfloat16_policy):
    config = layers.Dense(3).get_config()
    assert config["dtype"] == {
        "module": "keras", "class_name": "DTypePolicy",
        "config": {"name": "mixed_bfloat16"}, "registered_name": None}
    mixed_precision.set_global_policy(None)
    assert layers.Dense.from_config(config).compute_dtype == "bfloat16"
    tf2 = dict(config, dtype={"class_name": "Policy",
                              "config": {"name": "mixed_float16"}})
    assert layers.Dense.from_config(tf2).dtype_policy.name == "mixed_float16"
    assert layers.Dense(3).get_config()["dtype"] == "float32"


def test_mixed_float16_compile_wraps_the_optimizer(float16_policy):
    x, y = _data(64)
    model = _classifier()
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    assert isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    assert keras.optimizers.LossScaleOptimizer is (
        mixed_precision.LossScaleOptimizer)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert model.layers[1].compute_dtype == "float16"
    assert float(model.optimizer.dynamic_scale) == 2.0**15
    assert int(model.optimizer.iterations) == 4
    assert all(torch.isfinite(w).all() for w in model.weights)
    model.compile("sgd", "sparse_categorical_crossentropy",
                  auto_scale_loss=False)
    assert not isinstance(model.optimizer,
                          mixed_precision.LossScaleOptimizer)


def test_float16_overflow_skips_the_step(float16_policy):
    x, y = _data(16)
    model = _classifier()
    model.compile(
        mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.1),
                                           initial_scale=2.0**100),
        "sparse_categorical_crossentropy")
    model.train_on_batch(x[:1], y[:1])  # builds the model and optimizer
    before = [w.detach().clone() for w in model.weights]
    scale = float(model.optimizer.dynamic_scale)
    model.train_on_batch(x, y)
    # 2**100 times a float16 gradient is inf: the step is skipped.
    assert float(model.optimizer.dynamic_scale) == scale / 2
    for old, new in zip(before, model.weights):
        torch.testing.assert_close(new.detach(), old, rtol=0, atol=0)


def test_loss_scale_optimizer_survives_save_and_load(float16_policy,
                                                     tmp_path):
    model = _classifier()
    model.compile(keras.optimizers.Adam(0.01),
                  "sparse_categorical_crossentropy")
    x, y = _data(32)
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "mixed.keras")
    model.save(path)
    mixed_precision.set_global_policy(None)
    loaded = keras.models.load_model(path)
    assert loaded.layers[1].dtype_policy.name == "mixed_float16"
    assert isinstance(loaded.optimizer, mixed_precision.LossScaleOptimizer)
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


def test_mixed_softmax_output_keeps_float32_logits_for_the_loss():
    """A saturated bfloat16 softmax: the crossentropy comes from the logits
    (about 30 here), not from clipped probabilities (at most -log(1e-7))."""
    import numpy as np
    import torchkeras as keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        inputs = keras.Input(shape=(2,))
        outputs = keras.layers.Dense(2, activation="softmax")(inputs)
        model = keras.Model(inputs, outputs)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.set_weights([np.array([[15.0, -15.0], [0.0, 0.0]], "float32"),
                       np.zeros(2, "float32")])
    model.compile(loss="sparse_categorical_crossentropy")
    x = np.array([[1.0, 0.0], [1.0, 0.0]], "float32")
    y = np.array([1, 1])
    out = model(x)
    assert out.dtype.is_floating_point and str(out.dtype) == "torch.float32"
    logits = x @ model.get_weights()[0]
    expected = np.mean(np.log(np.exp(logits).sum(1)) - logits[:, 1])
    loss = model.evaluate(x, y, verbose=0)
    assert expected > 20  # beyond what clipped probabilities can give
    np.testing.assert_allclose(loss, expected, rtol=1e-2)
