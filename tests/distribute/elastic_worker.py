"""Trains with BackupAndRestore under torchrun, a rank killed once.

``python elastic_worker.py OUT [RANK:EPOCH:BATCH]`` on every rank of a
``torchrun --max-restarts=1`` job. With the second argument, that rank
SIGKILLs itself after that batch of that epoch, once (``OUT/killed``
marks it done: torchrun's restart count is per node, and a node restarted
for another's failure keeps 0); torchrun then restarts every rank and
``fit`` resumes from the last backup. Each rank writes ``OUT/rank<R>.npz``:
the weights and optimizer variables, its node's restart count and the
epochs its attempt started.
"""

import os
import signal
import sys

import numpy as np

import torchkeras as keras

X = np.random.default_rng(0).standard_normal((96, 6)).astype("float32")
Y = (X[:, :3].sum(1) > 0).astype("int64")


class _KillOnce(keras.callbacks.Callback):
    def __init__(self, epoch, batch, marker):
        super().__init__()
        self.at, self.epoch, self.marker = (epoch, batch), None, marker

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            with open(self.marker, "x"):
                pass
            os.kill(os.getpid(), signal.SIGKILL)


class _Epochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.started = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started.append(epoch)


def main(out, kill=None):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(6,))
    h = keras.layers.Dense(16, activation="relu")(inputs)
    h = keras.layers.Dropout(0.25)(h)
    outputs = keras.layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy")
    epochs = _Epochs()
    callbacks = [epochs]
    attempt = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
    rank = keras.distribute.rank() if keras.distribute.maybe_init() else 0
    marker = os.path.join(out, "killed")
    if kill and not os.path.exists(marker):
        victim, epoch, batch = map(int, kill.split(":"))
        if rank == victim:
            callbacks.append(_KillOnce(epoch, batch, marker))
    callbacks.append(keras.callbacks.BackupAndRestore(
        os.path.join(out, "backup"), save_freq=4))
    model.fit(X, Y, batch_size=16, epochs=4, shuffle=True, verbose=0,
              callbacks=callbacks)
    arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    arrays.update({f"opt{i}": keras.ops.convert_to_numpy(v)
                   for i, v in enumerate(model.optimizer.variables)})
    np.savez(os.path.join(out, f"rank{rank}.npz"), attempt=attempt,
             node=int(os.environ.get("GROUP_RANK", 0)),
             epochs=np.array(epochs.started), **arrays)


if __name__ == "__main__":
    main(*sys.argv[1:])
