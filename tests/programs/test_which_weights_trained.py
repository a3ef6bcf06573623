"""Which weights did training update? A snapshot before and after a step.

The style of debugging answers for "is my frozen layer really frozen?": a
model with one layer set ``trainable = False`` and a custom layer whose
weights come from ``add_weight``; ``{w.name: w.numpy() for w in
model.weights}`` is taken before one ``train_on_batch`` and compared with
the values after it (``numpy()`` returns a copy, as a TF variable does, so
the snapshot does not follow the live weights). Also checks that
``layer.weights`` holds the very objects ``add_weight`` returned.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers


class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            name="w",
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(
            name="b", shape=(self.units,), initializer="zeros",
            trainable=True
        )

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w) + self.b


def test_snapshot_shows_which_weights_moved():
    keras.utils.set_random_seed(9)
    rng = np.random.default_rng(9)
    x = rng.normal(size=(64, 10)).astype("float32")
    y = rng.integers(0, 3, size=(64,))

    inputs = keras.Input(shape=(10,))
    frozen = layers.Dense(16, activation="relu", name="frozen")
    h = frozen(inputs)
    custom = Linear(8, name="linear")
    h = custom(h)
    h = layers.BatchNormalization(name="bn")(h)
    outputs = layers.Dense(3, activation="softmax", name="head")(h)
    model = keras.Model(inputs, outputs)

    # add_weight returned the objects the layer lists, in creation order.
    assert custom.weights == [custom.w, custom.b]
    assert custom.trainable_weights == [custom.w, custom.b]
    assert [w is v for w, v in zip(custom.weights,
                                   [custom.w, custom.b])] == [True, True]

    frozen.trainable = False
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="sparse_categorical_crossentropy")
    assert len(model.trainable_weights) == 2 + 2 + 2
    assert len(model.non_trainable_weights) == 2 + 2

    names = [w.name for w in model.weights]
    print(names)
    before = {w.name: w.numpy() for w in model.weights}
    # A copy, not a view of the live parameter.
    for w in model.weights:
        assert not np.shares_memory(before[w.name], w.numpy())

    first_loss = model.train_on_batch(x, y)
    after = {w.name: w.numpy() for w in model.weights}

    changed = {name for name in before
               if not np.array_equal(before[name], after[name])}
    print("changed:", sorted(changed))
    frozen_names = {w.name for w in frozen.weights}
    trainable_names = {w.name for w in model.trainable_weights}
    # The frozen Dense did not move; every trainable weight did, and so
    # did the BatchNormalization moving statistics (non-trainable, updated
    # by the forward pass in training mode).
    assert not (changed & frozen_names)
    assert trainable_names <= changed
    bn_stats = {w.name for w in model.get_layer("bn").non_trainable_weights}
    assert bn_stats <= changed
    assert changed == trainable_names | bn_stats

    # The frozen layer's values are exactly the ones from before.
    for w in frozen.weights:
        np.testing.assert_array_equal(w.numpy(), before[w.name])

    # Training goes on: the loss on this batch falls.
    for _ in range(30):
        loss = model.train_on_batch(x, y)
    assert loss < 0.7 * first_loss
    for w in frozen.weights:
        np.testing.assert_array_equal(w.numpy(), before[w.name])
