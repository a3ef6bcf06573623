"""The transfer-learning workflow of Keras's guide on an application model:
freeze the base, train a head, unfreeze the top, recompile, fine-tune."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import applications, layers


def _data(n=48, size=32, classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, classes, n)
    x = rng.uniform(0, 255, (n, size, size, 3)).astype("float32")
    x[..., 0] += 60.0 * y[:, None, None]  # a learnable colour cue
    x = np.clip(x, 0, 255)
    return applications.mobilenet_v2.preprocess_input(x), y


def _snapshot(layer_list):
    return {w.path if hasattr(w, "path") else id(w): w.detach().clone()
            for layer in layer_list for w in layer.weights}


def _changed(before, layer_list):
    after = _snapshot(layer_list)
    return {k for k in before if not torch.equal(before[k], after[k])}


@pytest.fixture
def transfer_model():
    keras.utils.set_random_seed(0)
    base = applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35,
                                    include_top=False, weights=None)
    inputs = keras.Input((32, 32, 3))
    x = base(inputs, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    return base, keras.Model(inputs, outputs)


def test_a_frozen_base_does_not_change_and_runs_bn_in_inference(
        transfer_model):
    base, model = transfer_model
    x, y = _data()
    base.trainable = False
    assert base.trainable_weights == []
    model.compile(keras.optimizers.Adam(1e-2),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert len(model.trainable_weights) == 2  # the head's kernel and bias
    before = _snapshot(base.layers)
    head_before = _snapshot(model.layers[-1:])
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0)
    assert _changed(before, base.layers) == set()  # moving stats too
    assert _changed(head_before, model.layers[-1:])
    assert history.history["loss"][-1] < history.history["loss"][0]
    # Frozen BatchNormalization ignores training=True (Keras's rule).
    xt = torch.from_numpy(x[:8])
    np.testing.assert_allclose(base(xt, training=True).detach().numpy(),
                               base(xt, training=False).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


def test_unfreezing_the_top_layers_trains_only_those(transfer_model):
    base, model = transfer_model
    x, y = _data()
    base.trainable = False
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)

    base.trainable = True
    top = 12
    for layer in base.layers[:-top]:
        layer.trainable = False
    model.compile(keras.optimizers.Adam(1e-3),
                  "sparse_categorical_crossentropy")
    expected = sum(len(layer.trainable_weights)
                   for layer in base.layers[-top:]) + 2
    assert len(model.trainable_weights) == expected
    frozen_before = _snapshot(base.layers[:-top])
    top_before = _snapshot(base.layers[-top:])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert _changed(frozen_before, base.layers[:-top]) == set()
    changed = _changed(top_before, base.layers[-top:])
    trainable = {w.path for layer in base.layers[-top:]
                 for w in layer.trainable_weights}
    # Moving statistics stay (the base is called with training=False);
    # a BatchNorm scale behind a saturated ReLU6 may get no gradient.
    assert changed <= trainable
    assert {p for p in trainable if p.endswith("kernel")} <= changed


def test_a_trainable_bn_updates_its_statistics_when_called_in_training():
    keras.utils.set_random_seed(0)
    base = applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35,
                                    include_top=False, weights=None,
                                    pooling="avg")
    outputs = layers.Dense(3, activation="softmax")(base.output)
    model = keras.Model(base.input, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    bn = base.get_layer("bn_Conv1")
    before = bn.moving_mean.detach().clone()
    model.fit(*_data(), epochs=1, batch_size=16, verbose=0)
    assert not torch.equal(before, bn.moving_mean.detach())


def test_summary_shows_the_base_as_one_line_with_keras_counts(
        transfer_model, capsys):
    base, model = transfer_model
    base.trainable = False
    model.summary(line_length=110)
    out = capsys.readouterr().out
    params = base.count_params()
    assert f"{base.name} (Functional)" in out
    assert f"{params}" in out
    head = 1280 * 3 + 3
    assert f"Trainable params: {head} " in out
    assert f"Non-trainable params: {params} " in out
    base.summary(line_length=200)
    inner = capsys.readouterr().out
    for layer in base.layers:
        assert f"{layer.name} ({type(layer).__name__})" in inner


def test_plot_model_draws_every_layer_and_connection_of_a_residual_net():
    import re

    model = applications.ResNet50V2(weights=None, include_top=False,
                                    input_shape=(32, 32, 3), pooling="avg")
    dot = keras.utils.model_to_dot(model, show_shapes=True).to_string()
    labels = re.findall(r'label="([^":|]+): (\w+)', dot)
    drawn = [(name, kind) for name, kind in labels]
    assert drawn == [(layer.name, type(layer).__name__)
                     for layer in model.layers]
    # One edge per (inbound layer, layer) connection of the graph.
    connections = sum(len(node.input_tensors) for layer in model.layers
                      for node in layer._inbound_nodes)
    assert dot.count("->") == connections
    assert "(None, 1, 1, 2048)" in dot  # post_relu's output shape
