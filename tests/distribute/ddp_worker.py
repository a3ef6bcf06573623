"""Trains one small model; run alone or under torchrun (one rank each).

Writes ``<out>/rank<R>.npz`` with the final weights, the epoch logs, the
predictions, MirroredStrategy.reduce results and where the rank ran (its
torchrun node and local rank), so the tests can compare gloo runs of 2
processes, or of 2 nodes of 2, with a single-process run.
"""

import os
import sys

import numpy as np

import torchkeras as keras


def main(out):
    strategy = keras.distribute.MirroredStrategy()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 6)).astype("float32")
    y = (x[:, :3].sum(1) > 0).astype("int64")
    with strategy.scope():
        inp = keras.Input(shape=(6,))
        h = keras.layers.Dense(8, activation="relu")(inp)
        out_t = keras.layers.Dense(2, activation="softmax")(h)
        model = keras.Model(inp, out_t)
        model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                      loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    files = os.path.join(out, "files")
    os.makedirs(files, exist_ok=True)
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            os.path.join(files, "ckpt.{epoch:02d}.weights.h5"),
            save_weights_only=True),
        keras.callbacks.CSVLogger(os.path.join(files, "log.csv")),
    ]
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=True,
                        validation_data=(x[:40], y[:40]), verbose=0,
                        callbacks=callbacks)
    preds = model.predict(x[:41], batch_size=8, verbose=0)
    evaluated = model.evaluate(x[:50], y[:50], batch_size=7, verbose=0)
    rank = keras.distribute.rank()
    reduce_sum = strategy.reduce("SUM", np.array([rank + 1.0, 2.0]))
    reduce_mean = strategy.reduce("MEAN", np.array([rank + 1.0, 2.0]))
    arrays = {f"w{i}": w for i, w in enumerate(model.get_weights())}
    np.savez(os.path.join(out, f"rank{rank}.npz"),
             preds=preds, evaluated=np.array(evaluated),
             loss=np.array(history.history["loss"]),
             accuracy=np.array(history.history["accuracy"]),
             val_loss=np.array(history.history["val_loss"]),
             replicas=np.array(strategy.num_replicas_in_sync),
             reduce_sum=reduce_sum.numpy(), reduce_mean=reduce_mean.numpy(),
             node=int(os.environ.get("GROUP_RANK", 0)),
             local_rank=int(os.environ.get("LOCAL_RANK", 0)), **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
