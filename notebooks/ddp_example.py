"""The training function of ``06_multi_gpu.ipynb``, run by each process.

``keras.distribute.launch(train, nprocs=2)`` imports this module in every
process it spawns (a function defined in a notebook cell cannot be imported
by them); ``torchrun --nproc_per_node=2 ddp_example.py`` runs it as a
script. Nothing here is distributed-specific: ``fit`` shards the data by
rank and wraps the model in DistributedDataParallel by itself.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers


def make_data(n=512):
    """The same data on every rank (fit gives each rank its shard)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x[:, :4].sum(axis=1) > 0).astype("int64")
    return x, y


def train(epochs=3):
    keras.utils.set_random_seed(0)  # the same initial weights everywhere
    x, y = make_data()
    inputs = keras.Input(shape=(8,))
    hidden = layers.Dense(32, activation="relu")(inputs)
    outputs = layers.Dense(2, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=2)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    if keras.distribute.is_main_process():
        print(f"{keras.distribute.world_size()} processes: "
              f"loss {loss:.4f}, accuracy {accuracy:.4f}", flush=True)
    return accuracy


if __name__ == "__main__":
    train()
