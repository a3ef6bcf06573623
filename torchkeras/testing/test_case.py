"""``run_layer_test``: the standard checks every layer must pass.

Modelled on Keras's ``testing/test_case.py``. For one layer class and its
constructor arguments it checks:

- the config round trip: ``get_config`` is JSON, ``from_config`` (and
  ``layers.serialize``/``deserialize``) rebuild a layer with the same config;
- ``supports_masking`` and, optionally, ``built`` right after construction;
- an eager call: output shape, dtype and values, weight counts, losses;
- a symbolic call (KerasTensors of the data's shape): same output shape as
  the eager call;
- a functional model around a layer rebuilt from the eager layer's config,
  with weights set from its ``get_weights()`` (Keras layouts): the same
  outputs;
- the ``training`` flag: inference is deterministic; a stochastic layer
  gives different outputs on two training calls, a deterministic one the
  same outputs;
- a training step: the gradient of the sum of the outputs reaches every
  trainable weight and is finite.

Failures raise ``AssertionError`` naming the check. Model saving is left to
the saving tests.
"""

import copy
import json
import unittest

import numpy as np
import torch

from torchkeras.backend import config as backend_config
from torchkeras.utils import tree
from torchkeras.utils.serialization import custom_object_scope


class TestCase(unittest.TestCase):
    """A ``unittest.TestCase`` with Keras's layer-test helpers."""

    def run_layer_test(self, layer_cls, init_kwargs, **kwargs):
        run_layer_test(layer_cls, init_kwargs, **kwargs)

    def assertAllClose(self, x1, x2, atol=1e-6, rtol=1e-6, msg=None):
        np.testing.assert_allclose(_to_numpy(x1), _to_numpy(x2), atol=atol,
                                   rtol=rtol, err_msg=msg or "")


def run_layer_test(layer_cls, init_kwargs, input_shape=None,
                   input_dtype=None, input_data=None, call_kwargs=None,
                   expected_output_shape=None, expected_output=None,
                   expected_output_dtype=None,
                   expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None,
                   expected_num_losses=None, supports_masking=None,
                   stochastic=None, run_training_check=True,
                   assert_built_after_instantiation=False,
                   custom_objects=None, atol=1e-6, rtol=1e-6):
    """Runs the standard layer checks (see the module docstring).

    Args:
        layer_cls: the layer class.
        init_kwargs: dict of constructor arguments.
        input_shape: full input shape (a tuple, or a list of tuples for
            several inputs); random data of that shape is used.
        input_dtype: dtype name(s) for ``input_shape`` (``floatx()``).
        input_data: the input tensor(s) or arrays, instead of a shape.
        call_kwargs: extra keyword arguments for every call.
        expected_output_shape: expected output shape (``None`` entries
            match anything).
        expected_output: expected eager output values (needs input_data).
        expected_output_dtype: expected output dtype name.
        expected_num_trainable_weights: number of trainable weights.
        expected_num_non_trainable_weights: number of non-trainable ones.
        expected_num_losses: ``len(layer.losses)`` after a call.
        supports_masking: expected ``layer.supports_masking``.
        stochastic: True if two ``training=True`` calls must differ,
            False if they must agree, None to skip that comparison.
        run_training_check: whether to run the gradient check.
        assert_built_after_instantiation: whether the layer must be built
            right after construction (stateless layers).
        custom_objects: dict of objects needed to deserialize the config.
        atol, rtol: tolerances of the numeric comparisons.

    Raises:
        AssertionError: naming the failed check.
        ValueError: for inconsistent arguments.
    """
    init_kwargs = init_kwargs or {}
    call_kwargs = call_kwargs or {}
    _check_arguments(input_shape, input_data, expected_output_shape,
                     expected_output, call_kwargs)
    with custom_object_scope(custom_objects or {}):
        _run_serialization_test(layer_cls, init_kwargs)
    layer = layer_cls(**init_kwargs)
    if supports_masking is not None:
        _expect(layer.supports_masking == supports_masking,
                f"Unexpected supports_masking value: "
                f"{layer.supports_masking} (expected {supports_masking})")
    if assert_built_after_instantiation:
        _expect(layer.built, f"{layer_cls.__name__} is stateless, so it "
                "should be built after instantiation.")
    if input_shape is None and input_data is None:
        return
    data = (_to_tensors(input_data) if input_data is not None
            else _random_inputs(input_shape, input_dtype))
    expectations = dict(
        shape=expected_output_shape, output=expected_output,
        dtype=expected_output_dtype,
        trainable=expected_num_trainable_weights,
        non_trainable=expected_num_non_trainable_weights,
        losses=expected_num_losses, atol=atol, rtol=rtol)
    layer, output = _run_eager_test(layer_cls, init_kwargs, data,
                                    call_kwargs, expectations)
    _run_symbolic_test(layer_cls, init_kwargs, data, call_kwargs, output,
                       expectations)
    with custom_object_scope(custom_objects or {}):
        _run_functional_test(layer, data, call_kwargs, atol, rtol)
    _run_training_flag_test(layer, data, call_kwargs, stochastic, atol,
                            rtol)
    if run_training_check:
        _run_training_step(layer_cls, init_kwargs, data, call_kwargs)


# ----------------------------------------------------------------------
# The checks.


def _run_serialization_test(layer_cls, init_kwargs):
    from torchkeras import layers

    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    try:
        json_config = _json_round_trip(config)
    except TypeError as e:
        raise AssertionError(
            f"{layer_cls.__name__}.get_config() is not JSON-serializable: "
            f"{e}. Config: {config}"
        ) from e
    revived = layer_cls.from_config(copy.deepcopy(json_config))
    _expect(_json_round_trip(revived.get_config()) == json_config,
            f"Config round trip changed the config of "
            f"{layer_cls.__name__}:\n{revived.get_config()}\n!= {config}")
    serialized = layers.serialize(layer)
    revived = layers.deserialize(
        _json_round_trip(serialized),
        custom_objects={layer_cls.__name__: layer_cls})
    _expect(type(revived) is layer_cls,
            f"layers.deserialize returned {type(revived).__name__}, "
            f"expected {layer_cls.__name__}")
    _expect(_json_round_trip(revived.get_config()) == json_config,
            f"layers.serialize/deserialize changed the config of "
            f"{layer_cls.__name__}")


def _run_eager_test(layer_cls, init_kwargs, data, call_kwargs, expect):
    layer = layer_cls(**init_kwargs)
    output = layer(data, **call_kwargs)
    _expect(layer.built, f"{layer_cls.__name__} is not built after a call")
    _check_weight_counts(layer, expect)
    _check_output_shape(output, expect["shape"], "eager")
    if expect["dtype"] is not None:
        for x in tree.flatten(output):
            got = backend_config.standardize_dtype(x.dtype)
            _expect(got == expect["dtype"],
                    f"Expected output dtype {expect['dtype']}, got {got}")
    if expect["output"] is not None:
        _assert_close(output, expect["output"], expect["atol"],
                      expect["rtol"], "Unexpected output value")
    if expect["losses"] is not None:
        _expect(len(layer.losses) == expect["losses"],
                f"Expected {expect['losses']} losses, got "
                f"{len(layer.losses)}")
    return layer, output


def _run_symbolic_test(layer_cls, init_kwargs, data, call_kwargs, output,
                       expect):
    from torchkeras.graph.keras_tensor import KerasTensor

    inputs = tree.map_structure(
        lambda x: KerasTensor(tuple(x.shape),
                              backend_config.standardize_dtype(x.dtype)),
        data)
    layer = layer_cls(**init_kwargs)
    symbolic = layer(inputs, **call_kwargs)
    _expect(layer.built, f"{layer_cls.__name__} is not built after a "
            "symbolic call")
    _check_weight_counts(layer, expect)
    _check_output_shape(symbolic, expect["shape"], "symbolic")
    flat_sym, flat_out = tree.flatten(symbolic), tree.flatten(output)
    _expect(len(flat_sym) == len(flat_out),
            f"The symbolic call returned {len(flat_sym)} outputs, the eager"
            f" call {len(flat_out)}")
    for sym, out in zip(flat_sym, flat_out):
        _expect(_shapes_match(sym.shape, tuple(out.shape)),
                f"Symbolic output shape {sym.shape} differs from the eager "
                f"output shape {tuple(out.shape)}")


def _run_functional_test(layer, data, call_kwargs, atol, rtol):
    """A layer rebuilt from ``layer``'s config, in a functional model, with
    ``layer``'s weights, must compute what ``layer`` computes."""
    from torchkeras.engine.model import Model
    from torchkeras.layers.core.input_layer import Input

    inputs = tree.map_structure(
        lambda x: Input(shape=tuple(x.shape[1:]),
                        dtype=backend_config.standardize_dtype(x.dtype)),
        data)
    config = _json_round_trip(layer.get_config())
    config["name"] = f"{layer.name}_revived"
    fresh = type(layer).from_config(config)
    outputs = fresh(inputs, **call_kwargs)
    model = Model(inputs, outputs)
    fresh.set_weights(layer.get_weights())
    for a, b in zip(fresh.get_weights(), layer.get_weights()):
        _expect(a.shape == b.shape and np.array_equal(a, b),
                "set_weights(get_weights()) did not copy the weights")
    with torch.no_grad():
        expected = layer(data, **_inference(call_kwargs))
        got = model(data)
    _assert_close(got, expected, atol, rtol,
                  "A functional model around the layer rebuilt from its "
                  "config, with the same weights, gives other outputs")


def _run_training_flag_test(layer, data, call_kwargs, stochastic, atol,
                            rtol):
    with torch.no_grad():
        first = layer(data, **_inference(call_kwargs))
        second = layer(data, **_inference(call_kwargs))
    _assert_close(first, second, 0.0, 0.0,
                  "Two inference calls gave different outputs")
    if stochastic is None:
        return
    kwargs = dict(call_kwargs, training=True)
    with torch.no_grad():
        first = layer(data, **kwargs)
        second = layer(data, **kwargs)
    same = all(torch.equal(a, b) for a, b in zip(tree.flatten(first),
                                                 tree.flatten(second)))
    if stochastic:
        _expect(not same, "Two training calls of a stochastic layer gave "
                "the same outputs")
    else:
        _assert_close(first, second, atol, rtol,
                      "Two training calls of a deterministic layer gave "
                      "different outputs")


def _run_training_step(layer_cls, init_kwargs, data, call_kwargs):
    layer = layer_cls(**init_kwargs)
    data = tree.map_structure(
        lambda x: x.detach().clone().requires_grad_(True)
        if x.is_floating_point() else x, data)
    output = layer(data, **dict(call_kwargs, training=True))
    trainable = layer.trainable_weights
    terms = [x.float().sum() for x in tree.flatten(output)
             if torch.is_tensor(x) and x.requires_grad]
    terms += [t.float().sum() for t in layer.losses
              if torch.is_tensor(t) and t.requires_grad]
    if not terms:
        _expect(not trainable, "No output depends on the trainable weights"
                f" {[w.name for w in trainable]}")
        return
    sum(terms).backward()
    for w in trainable:
        _expect(w.grad is not None,
                f"Trainable weight {w.name} received no gradient")
        _expect(bool(torch.isfinite(w.grad).all()),
                f"Trainable weight {w.name} has a non-finite gradient")
    for w in layer.non_trainable_weights:
        _expect(not w.requires_grad,
                f"Non-trainable weight {w.name} requires a gradient")


# ----------------------------------------------------------------------
# Helpers.


def _check_arguments(input_shape, input_data, expected_output_shape,
                     expected_output, call_kwargs):
    if input_shape is not None and input_data is not None:
        raise ValueError(
            "input_shape and input_data cannot be passed at the same time.")
    if expected_output_shape is not None and expected_output is not None:
        raise ValueError(
            "expected_output_shape and expected_output cannot be passed at "
            "the same time.")
    if expected_output is not None and input_data is None:
        raise ValueError(
            "In order to use expected_output, input_data must be provided.")
    if "training" in call_kwargs:
        raise ValueError(
            "Do not pass `training` in call_kwargs: run_layer_test calls "
            "the layer in both modes (see `stochastic`).")


def _check_weight_counts(layer, expect):
    for key, weights in (("trainable", layer.trainable_weights),
                         ("non_trainable", layer.non_trainable_weights)):
        if expect[key] is not None:
            _expect(len(weights) == expect[key],
                    f"Unexpected number of {key} weights: {len(weights)} "
                    f"(expected {expect[key]})")


def _check_output_shape(output, expected, kind):
    if expected is None:
        return
    flat = tree.flatten(output)
    shapes = expected if flat and len(flat) > 1 else [expected]
    for x, shape in zip(flat, shapes):
        got = tuple(x.shape)
        ok = len(got) == len(shape) and all(
            e is None or e == g for e, g in zip(shape, got))
        _expect(ok, f"Expected {kind} output shape {tuple(shape)}, got "
                f"{got}")


def _shapes_match(symbolic, eager):
    return len(symbolic) == len(eager) and all(
        s is None or s == e for s, e in zip(symbolic, eager))


def _inference(call_kwargs):
    return dict(call_kwargs, training=False)


def _random_inputs(input_shape, input_dtype):
    rng = np.random.default_rng(1337)
    if isinstance(input_shape, list):
        dtypes = input_dtype or [None] * len(input_shape)
        return [_random_tensor(rng, s, d)
                for s, d in zip(input_shape, dtypes)]
    return _random_tensor(rng, input_shape, input_dtype)


def _random_tensor(rng, shape, dtype):
    dtype = backend_config.standardize_dtype(dtype)
    if backend_config.is_float_dtype(dtype):
        array = rng.standard_normal(shape)
    elif dtype == "bool":
        array = rng.integers(0, 2, shape).astype(bool)
    else:
        array = rng.integers(0, 10, shape)
    return torch.as_tensor(array).to(backend_config.to_torch_dtype(dtype))


def _to_tensors(data):
    return tree.map_structure(
        lambda x: x if torch.is_tensor(x) else torch.as_tensor(
            np.asarray(x)), data)


def _json_round_trip(config):
    return json.loads(json.dumps(config))


def _to_numpy(x):
    if torch.is_tensor(x):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _assert_close(got, expected, atol, rtol, message):
    flat_got, flat_expected = tree.flatten(got), tree.flatten(expected)
    _expect(len(flat_got) == len(flat_expected),
            f"{message}: {len(flat_got)} outputs, expected "
            f"{len(flat_expected)}")
    for a, b in zip(flat_got, flat_expected):
        np.testing.assert_allclose(_to_numpy(a), _to_numpy(b), atol=atol,
                                   rtol=rtol, err_msg=message)


def _expect(condition, message):
    if not condition:
        raise AssertionError(message)
