"""Tests for ``torchkeras/losses/__init__.py``: get, serialize, deserialize."""

import numpy as np
import pytest

from torchkeras import losses
from torchkeras import utils

ALL_CLASSES = [
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0),
    losses.CategoricalCrossentropy(axis=1, reduction="sum"),
    losses.CategoricalFocalCrossentropy(alpha=[0.1, 0.9]),
    losses.SparseCategoricalCrossentropy(ignore_class=255),
    losses.MeanSquaredError(name="mse_loss"),
    losses.MeanAbsoluteError(),
    losses.MeanAbsolutePercentageError(),
    losses.MeanSquaredLogarithmicError(),
    losses.Huber(delta=2.5),
    losses.LogCosh(),
    losses.Hinge(),
    losses.SquaredHinge(),
    losses.CategoricalHinge(),
    losses.KLDivergence(),
    losses.Poisson(),
    losses.CosineSimilarity(axis=0),
    losses.Tversky(alpha=0.3, beta=0.7),
    losses.Dice(axis=(1, 2)),
    losses.CTC(reduction=None),
]


def test_config_round_trip_for_every_class():
    for loss in ALL_CLASSES:
        config = losses.serialize(loss)
        assert config["class_name"] == type(loss).__name__
        clone = losses.deserialize(config)
        assert type(clone) is type(loss)
        assert clone.get_config() == loss.get_config()
        # Keras 3 files carry "module"/"registered_name" too.
        assert type(losses.get(dict(config, module="keras.losses"))) is type(
            loss
        )


def test_get_names_aliases_classes_and_callables():
    assert losses.get(None) is None
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MAE") is losses.mean_absolute_error
    assert losses.get("kullback_leibler_divergence") is losses.kl_divergence
    assert losses.get("logcosh") is losses.log_cosh
    assert losses.get("bce") is losses.binary_crossentropy
    loss = losses.get("CategoricalCrossentropy")
    assert isinstance(loss, losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    huber = losses.Huber()
    assert losses.get(huber) is huber
    assert losses.get(np.square) is np.square
    assert losses.serialize(losses.mse) == "mean_squared_error"
    config = {
        "class_name": "SparseCategoricalCrossentropy",
        "config": {"from_logits": True},
    }
    assert losses.get(config).from_logits is True


def test_unknown_identifiers_raise_value_error_naming_them():
    with pytest.raises(ValueError, match="'categorical_cross_entropy'"):
        losses.get("categorical_cross_entropy")
    with pytest.raises(ValueError, match="identifier=3"):
        losses.get(3)
    with pytest.raises(ValueError, match="'Nope'"):
        losses.deserialize({"class_name": "Nope", "config": {}})


def test_custom_objects_and_registered_losses():
    def my_loss(y_true, y_pred):
        return (y_pred - y_true).sum(-1)

    assert losses.deserialize("my_loss", {"my_loss": my_loss}) is my_loss

    @utils.register_keras_serializable(package="Test")
    class Scaled(losses.Loss):
        def call(self, y_true, y_pred):
            return (y_pred - y_true).abs().mean(-1)

    clone = losses.deserialize(losses.serialize(Scaled(name="scaled")))
    assert isinstance(clone, Scaled) and clone.name == "scaled"
