"""LambdaCallback: tf.keras 2 arguments plus any hook by keyword."""

import pytest
import torch

from torchkeras.callbacks import CallbackList
from torchkeras.callbacks import LambdaCallback


def test_tf_keras_arguments_are_called_with_their_arguments():
    calls = []
    callback = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(("eb", epoch, logs)),
        on_epoch_end=lambda epoch, logs: calls.append(("ee", epoch, logs)),
        on_batch_begin=lambda batch, logs: calls.append(("bb", batch)),
        on_batch_end=lambda batch, logs: calls.append(("be", batch, logs)),
        on_train_begin=lambda logs: calls.append(("tb", logs)),
        on_train_end=lambda logs: calls.append(("te", logs)),
    )
    callbacks = CallbackList([callback])
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": torch.tensor(0.5)})
    callbacks.on_test_batch_begin(0)
    callbacks.on_test_batch_end(0, {"loss": torch.tensor(9.0)})
    callbacks.on_epoch_end(0, {"loss": torch.tensor(0.25)})
    callbacks.on_train_end({"loss": 0.25})
    assert calls == [
        ("tb", {}),
        ("eb", 0, {}),
        ("bb", 0),
        ("be", 0, {"loss": 0.5}),
        ("ee", 0, {"loss": 0.25}),
        ("te", {"loss": 0.25}),
    ]


def test_other_hooks_by_keyword():
    calls = []
    callback = LambdaCallback(
        on_train_batch_end=lambda batch, logs: calls.append(("train", batch)),
        on_test_end=lambda logs: calls.append(("test_end", logs)),
        on_predict_batch_end=lambda batch, logs: calls.append(("pred", batch)),
    )
    callbacks = CallbackList([callback])
    assert callbacks.needs_batch_logs("predict")
    assert not callbacks.needs_batch_logs("test")
    callbacks.on_train_batch_end(1, {"loss": 1.0})
    callbacks.on_test_end({"loss": torch.tensor(2.0)})
    callbacks.on_predict_batch_end(2, {"outputs": torch.zeros(2)})
    assert calls == [("train", 1), ("test_end", {"loss": 2.0}), ("pred", 2)]


def test_unset_hooks_stay_default():
    callbacks = CallbackList([LambdaCallback(on_epoch_end=lambda e, l: None)])
    assert not callbacks.needs_batch_logs("train")


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: on_epoch_ends="):
        LambdaCallback(on_epoch_ends=lambda epoch, logs: None)
    with pytest.raises(ValueError, match="Received: set_model="):
        LambdaCallback(set_model=lambda model: None)
    with pytest.raises(TypeError, match="Received: on_train_end=3"):
        LambdaCallback(on_train_end=3)
