"""One rank of a group in which one rank stops answering.

``python stall_worker.py MODE WHERE`` under a torchrun-style environment
(``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ...); ``VICTIM`` names the rank
that goes away and ``TORCHKERAS_DDP_TIMEOUT`` sets the timeout. The victim
does MODE once the group has run a few collectives:

- ``die``: SIGKILL itself; ``stop``: SIGSTOP itself (alive, frozen);
- ``stuck``: sleep outside the collectives (its heartbeat goes on);
- ``error``: raise an error of its own and exit.

WHERE is what the others are doing then: ``collective`` (our
``all_reduce_sum``), ``ddp`` (a training step of ``data_parallel``, whose
first steps are compared with torch's own DDP: ``same_as_ddp``),
``fit_epoch`` / ``fit_batch`` (``Model.fit``, the victim leaving at the end
of the first epoch / after its third batch). Each survivor prints one line
``RESULT {json}`` with the error and the seconds it waited (since the call,
or in ``fit`` since its last callback), then exits with code 7.
"""

import json
import os
import signal
import sys
import time

import numpy as np
import torch

import torchkeras as keras
from torchkeras import distribute

VICTIM = int(os.environ.get("VICTIM", "1"))
RESULT = {}


def leave(mode):
    """What the victim does instead of its next collective."""
    if mode == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "stop":
        os.kill(os.getpid(), signal.SIGSTOP)
        time.sleep(600)  # Until the test kills it.
    elif mode == "stuck":
        time.sleep(600)
    elif mode == "error":
        raise ValueError("the victim's own error")


def on_collective(mode):
    distribute.all_reduce_sum([torch.ones(3)])
    if distribute.rank() == VICTIM:
        leave(mode)
    return lambda: distribute.all_reduce_sum([torch.ones(3)])


def on_ddp(mode):
    """Steps of ``data_parallel``, checked against torch's own DDP first."""
    x = torch.linspace(-1, 1, 32).reshape(8, 4) * (distribute.rank() + 1)
    models = []
    for wrap in (distribute.data_parallel,
                 torch.nn.parallel.DistributedDataParallel):
        torch.manual_seed(0)
        model = wrap(torch.nn.Linear(4, 2))
        models.append((model, torch.optim.SGD(model.parameters(), lr=0.1)))

    def step(model, optimizer):
        optimizer.zero_grad()
        model(x).square().sum().backward()
        optimizer.step()

    for _ in range(3):
        for model, optimizer in models:
            step(model, optimizer)
    RESULT["same_as_ddp"] = all(
        torch.equal(a, b) for a, b in zip(models[0][0].parameters(),
                                          models[1][0].parameters()))
    if distribute.rank() == VICTIM:
        leave(mode)
    return lambda: step(*models[0])


class _Leave(keras.callbacks.Callback):
    def __init__(self, mode, where):
        super().__init__()
        self.mode, self.where = mode, where

    def on_train_batch_end(self, batch, logs=None):
        if self.where == "fit_batch" and batch == 2:
            leave(self.mode)

    def on_epoch_end(self, epoch, logs=None):
        if self.where == "fit_epoch":
            leave(self.mode)


class _Progress(keras.callbacks.Callback):
    """Times the survivor's wait from its last step of progress."""

    def _mark(self, *args, **kwargs):
        RESULT["_since"] = time.monotonic()

    on_epoch_begin = on_epoch_end = _mark
    on_train_batch_begin = on_train_batch_end = _mark


def on_fit(mode, where):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 4)).astype("float32")
    y = (x.sum(1) > 0).astype("int64")
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(2, activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    callbacks = [_Leave(mode, where) if distribute.rank() == VICTIM
                 else _Progress()]
    return lambda: model.fit(x, y, batch_size=8, epochs=3, verbose=0,
                             callbacks=callbacks)


def main(mode, where):
    distribute.maybe_init()  # The timeout comes from the environment.
    if where == "collective":
        call = on_collective(mode)
    elif where == "ddp":
        call = on_ddp(mode)
    else:
        call = on_fit(mode, where)
    RESULT["_since"] = time.monotonic()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - what a survivor sees
        RESULT.update(rank=distribute.rank(),
                      seconds=time.monotonic() - RESULT.pop("_since"),
                      type=type(error).__name__, message=str(error),
                      stopped=list(getattr(error, "stopped", [])))
        print("RESULT " + json.dumps(RESULT), flush=True)
        sys.exit(7)
    RESULT.pop("_since")
    RESULT.update(rank=distribute.rank(), type=None)
    print("RESULT " + json.dumps(RESULT), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
