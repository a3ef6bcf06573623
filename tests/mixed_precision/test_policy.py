"""DTypePolicy and the global policy, against Keras's documented values.

Keras 3 ``DTypePolicy``: ``mixed_float16`` computes in float16 with float32
variables, ``mixed_bfloat16`` in bfloat16; any dtype name uses that dtype
for both; ``clear_session()`` resets the global policy.
"""

import doctest

import pytest
import torch

import torchkeras
from torchkeras import config as keras_config
from torchkeras import mixed_precision


@pytest.mark.parametrize("name, compute, variable", [
    ("mixed_float16", "float16", "float32"),
    ("mixed_bfloat16", "bfloat16", "float32"),
    ("float32", "float32", "float32"),
    ("float64", "float64", "float64"),
    ("bfloat16", "bfloat16", "bfloat16"),
])
def test_policy_dtypes(name, compute, variable):
    policy = mixed_precision.Policy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (
        name, compute, variable)


def test_default_policy_follows_floatx():
    assert mixed_precision.DTypePolicy().name == "float32"
    torchkeras.backend.set_floatx("float64")
    try:
        assert mixed_precision.global_policy().compute_dtype == "float64"
    finally:
        torchkeras.backend.set_floatx("float32")


def test_invalid_names():
    with pytest.raises(ValueError, match="Received: name='mixed_int8'"):
        mixed_precision.Policy("mixed_int8")
    with pytest.raises(TypeError, match="must be a string"):
        mixed_precision.Policy(torch.float16)


def test_config_round_trip_equality_and_repr():
    policy = mixed_precision.DTypePolicy("mixed_float16")
    assert policy.get_config() == {"name": "mixed_float16"}
    again = mixed_precision.DTypePolicy.from_config(policy.get_config())
    assert again == policy and hash(again) == hash(policy)
    assert again != mixed_precision.DTypePolicy("float32")
    assert repr(policy) == '<DTypePolicy "mixed_float16">'


def test_set_global_policy_and_reset():
    mixed_precision.set_global_policy("mixed_bfloat16")
    assert mixed_precision.global_policy().name == "mixed_bfloat16"
    assert keras_config.dtype_policy().name == "mixed_bfloat16"
    mixed_precision.set_global_policy(None)
    assert mixed_precision.global_policy().name == "float32"
    keras_config.set_dtype_policy(mixed_precision.Policy("mixed_float16"))
    assert mixed_precision.dtype_policy().name == "mixed_float16"
    # Keras 3: clear_session() forgets the global policy.
    torchkeras.backend.clear_session()
    assert mixed_precision.global_policy().name == "float32"


def test_set_global_policy_rejects_bad_values():
    with pytest.raises(ValueError, match="Invalid `policy` argument"):
        mixed_precision.set_global_policy(3)
    with pytest.raises(ValueError, match="floating-point policy"):
        mixed_precision.set_global_policy("int32")
    assert mixed_precision.global_policy().name == "float32"


def test_docstring_examples():
    runner = doctest.DocTestRunner()
    globs = {"DTypePolicy": mixed_precision.DTypePolicy, "keras": torchkeras}
    for obj in (mixed_precision.DTypePolicy,
                mixed_precision.LossScaleOptimizer):
        for test in doctest.DocTestFinder().find(obj, globs=dict(globs)):
            runner.run(test)
    assert runner.tries >= 3 and runner.failures == 0
