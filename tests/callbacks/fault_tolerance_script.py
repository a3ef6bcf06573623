"""The trainer that `test_backup_fault_tolerance.py` runs and kills.

    python fault_tolerance_script.py RUN_DIR [--pause-at-step N]
                                             [--pause-in-write N]

Trains a tiny model (shuffled data, an unseeded and a seeded Dropout, Adam)
for `EPOCHS` epochs under `BackupAndRestore(RUN_DIR/backup, save_freq=7)`
and writes the final weights and the epoch logs to `RUN_DIR/final.pt`.
Started again after being killed, the same command resumes from the backup.

`--pause-at-step N` stops before global training batch N (N batches done);
`--pause-in-write N` stops in the middle of the N-th backup write, after
half of its bytes are on disk. Either way the script prints `PAUSED` and
sleeps until the test kills it with SIGKILL.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

import torchkeras as keras
from torchkeras.callbacks import _atomic

SAMPLES = 96
BATCH_SIZE = 4
EPOCHS = 10
SAVE_FREQ = 7
STEPS_PER_EPOCH = SAMPLES // BATCH_SIZE


def make_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, 6)).astype("float32")
    y = (x @ rng.standard_normal((6, 1)) + 0.1).astype("float32")
    return x, y


def build_model():
    """The same initial weights and random states in every process."""
    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(42)
    inputs = keras.Input(shape=(6,))
    h = keras.layers.Dense(16, activation="relu")(inputs)
    h = keras.layers.Dropout(0.3)(h)
    h = keras.layers.Dense(8, activation="relu")(h)
    h = keras.layers.Dropout(0.2, seed=5)(h)
    outputs = keras.layers.Dense(1)(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="mse", metrics=["mae"])
    return model


def train(run_dir, callbacks=(), epochs=EPOCHS):
    """One run; returns the model and its History."""
    x, y = make_data()
    model = build_model()
    backup = keras.callbacks.BackupAndRestore(
        os.path.join(run_dir, "backup"), save_freq=SAVE_FREQ)
    history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs,
                        shuffle=True, verbose=0,
                        callbacks=[backup, *callbacks])
    return model, history


def final_state(model, history):
    """The final weights and the logs of each epoch this process ran."""
    logs = {epoch: {key: values[i] for key, values in history.history.items()}
            for i, epoch in enumerate(history.epoch)}
    return {"weights": {k: v.detach().clone()
                        for k, v in model.state_dict().items()},
            "epoch_logs": logs}


class PauseAt(keras.callbacks.Callback):
    """Pauses before global training batch `step` (counted from 0)."""

    def __init__(self, step):
        super().__init__()
        self.step = step
        self.seen = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = epoch * STEPS_PER_EPOCH

    def on_train_batch_begin(self, batch, logs=None):
        if self.seen + batch == self.step:
            pause()


def pause_in_write(write_index):
    """Makes the `write_index`-th backup write stop half-way."""
    original = _atomic._write_all
    count = {"writes": 0}

    def write_all(file, data):
        count["writes"] += 1
        if count["writes"] != write_index:
            return original(file, data)
        file.write(data[:len(data) // 2])
        file.flush()
        os.fsync(file.fileno())
        pause()

    _atomic._write_all = write_all


def pause():
    print("PAUSED", flush=True)
    while True:
        time.sleep(60)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir")
    parser.add_argument("--pause-at-step", type=int, default=None)
    parser.add_argument("--pause-in-write", type=int, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    callbacks = []
    if args.pause_at_step is not None:
        callbacks.append(PauseAt(args.pause_at_step))
    if args.pause_in_write is not None:
        pause_in_write(args.pause_in_write)
    model, history = train(args.run_dir, callbacks)
    torch.save(final_state(model, history),
               os.path.join(args.run_dir, "final.pt"))
    print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
