"""`initializers.get/serialize/deserialize` and the public aliases."""

import pytest
import torch

from torchkeras import initializers
from torchkeras.utils.serialization import custom_object_scope

# Keras 3 lowercase public names -> class names.
ALIASES = {
    "constant": "Constant", "glorot_normal": "GlorotNormal",
    "glorot_uniform": "GlorotUniform", "he_normal": "HeNormal",
    "he_uniform": "HeUniform", "identity": "Identity",
    "lecun_normal": "LecunNormal", "lecun_uniform": "LecunUniform",
    "ones": "Ones", "orthogonal": "Orthogonal",
    "random_normal": "RandomNormal", "random_uniform": "RandomUniform",
    "truncated_normal": "TruncatedNormal",
    "variance_scaling": "VarianceScaling", "zeros": "Zeros",
}
# Older names Keras 3 still resolves.
LEGACY = {"normal": "RandomNormal", "uniform": "RandomUniform",
          "one": "Ones", "zero": "Zeros",
          "IdentityInitializer": "Identity",
          "OrthogonalInitializer": "Orthogonal"}


def test_lowercase_names_are_the_classes_and_resolve():
    for alias, class_name in ALIASES.items():
        cls = getattr(initializers, class_name)
        assert getattr(initializers, alias) is cls, alias
        assert type(initializers.get(alias)) is cls, alias
        assert type(initializers.get(class_name)) is cls, class_name
    for alias, class_name in LEGACY.items():
        cls = getattr(initializers, class_name)
        assert type(initializers.get(alias)) is cls, alias


def test_get_configs_classes_instances_callables():
    assert initializers.get(None) is None
    init = initializers.get(
        {"class_name": "RandomUniform",
         "config": {"minval": 0.0, "maxval": 2.0, "seed": 3}})
    assert isinstance(init, initializers.RandomUniform)
    assert (init.minval, init.maxval, init.seed) == (0.0, 2.0, 3)
    assert isinstance(initializers.get(initializers.HeUniform),
                      initializers.HeUniform)
    instance = initializers.Orthogonal(gain=2.0)
    assert initializers.get(instance) is instance

    def custom(shape, dtype=None):
        return torch.full(shape, 3.0)

    assert initializers.get(custom) is custom


def test_serialize_deserialize_round_trip():
    config = initializers.serialize(initializers.GlorotUniform(seed=3))
    assert config == {"class_name": "GlorotUniform", "config": {"seed": 3}}
    clone = initializers.deserialize(config)
    assert isinstance(clone, initializers.GlorotUniform)
    assert torch.equal(clone((4, 4)), initializers.GlorotUniform(3)((4, 4)))
    vs = initializers.VarianceScaling(2.0, "fan_out", "uniform")
    clone = initializers.deserialize(initializers.serialize(vs))
    assert clone.get_config() == vs.get_config()


def test_custom_initializer_class_through_scope():
    class MyInit(initializers.Initializer):
        def __init__(self, value=1.0):
            self.value = value

        def __call__(self, shape, dtype=None):
            return torch.full(shape, self.value)

        def get_config(self):
            return {"value": self.value}

    config = {"class_name": "MyInit", "config": {"value": 4.0}}
    with custom_object_scope({"MyInit": MyInit}):
        assert initializers.get(config)((2,)).tolist() == [4.0, 4.0]
    assert initializers.deserialize(
        config, custom_objects={"MyInit": MyInit}).value == 4.0


def test_unknown_identifiers_raise_naming_them():
    with pytest.raises(ValueError, match="glorot_unifrom"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match="NoSuchInit"):
        initializers.get({"class_name": "NoSuchInit", "config": {}})
    with pytest.raises(ValueError, match="identifier=5"):
        initializers.get(5)
