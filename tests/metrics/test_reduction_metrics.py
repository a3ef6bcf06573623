"""Sum, Mean, Reduce, MeanMetricWrapper and MeanTensor against NumPy.

The references re-implement Keras 3's sample-weight rule in NumPy: values
are reduced to one per sample (mean, or sum for ``Sum``) over the axes the
weight does not cover, weighted, and ``Mean`` divides the total by the sum
of the per-sample weights.
"""

import json

import numpy as np
import pytest
import torch

from torchkeras import metrics
from torchkeras.utils.serialization import register_keras_serializable


def feed(metric, *arrays, sample_weight=None, batch_size=7):
    """Updates ``metric`` batch by batch, alternating NumPy and torch."""
    n = len(arrays[0])
    for step, start in enumerate(range(0, n, batch_size)):
        part = [a[start:start + batch_size] for a in arrays]
        if step % 2:
            part = [torch.as_tensor(a) for a in part]
        sw = None
        if sample_weight is not None:
            sw = sample_weight[start:start + batch_size]
        metric.update_state(*part, sample_weight=sw)
    return metric.result().numpy()


def np_samplewise(values, weights, reduce):
    """NumPy version of Keras 3's per-sample reduction with weights."""
    if weights is None:
        per_sample = reduce(values.reshape(len(values), -1), axis=1)
        return per_sample, np.ones(len(values))
    if weights.ndim == values.ndim - 1 and values.shape[-1] == 1:
        values = values[..., 0]
    if weights.ndim == values.ndim + 1 and weights.shape[-1] == 1:
        weights = weights[..., 0]
    axes = tuple(range(weights.ndim, values.ndim))
    values = reduce(values, axis=axes) if axes else values
    values = values * np.broadcast_to(weights, values.shape)
    weights = np.broadcast_to(weights, values.shape)
    n = len(values)
    return (reduce(values.reshape(n, -1), axis=1),
            np.mean(weights.reshape(n, -1), axis=1))


WEIGHT_CASES = [
    ((40,), None),
    ((40,), (40,)),
    ((40, 3), None),
    ((40, 3), (40,)),
    ((40, 3), (40, 1)),
    ((40, 3), (40, 3)),
    ((40, 3, 2), (40,)),
    ((40, 3, 2), (40, 3)),
    ((40, 1), (40,)),
]


def test_mean_and_sum_match_numpy_for_all_weight_ranks():
    rng = np.random.default_rng(0)
    for values_shape, weight_shape in WEIGHT_CASES:
        values = rng.normal(size=values_shape).astype(np.float32)
        weights = (None if weight_shape is None
                   else rng.uniform(0, 2, weight_shape).astype(np.float32))
        per_sample, w = np_samplewise(values, weights, np.mean)
        got = feed(metrics.Mean(), values, sample_weight=weights)
        np.testing.assert_allclose(
            got, per_sample.sum() / w.sum(), rtol=1e-5,
            err_msg=f"Mean {values_shape} {weight_shape}")
        per_sample, _ = np_samplewise(values, weights, np.sum)
        got = feed(metrics.Sum(), values, sample_weight=weights)
        np.testing.assert_allclose(
            got, per_sample.sum(), rtol=1e-5, atol=1e-5,
            err_msg=f"Sum {values_shape} {weight_shape}")


def test_mean_scalar_values_and_weights_and_reset():
    m = metrics.Mean()
    losses, sizes = [0.5, 2.0, 1.25], [32, 32, 7]
    for loss, size in zip(losses, sizes):
        m.update_state(torch.tensor(loss), sample_weight=size)
    np.testing.assert_allclose(
        m.result().numpy(), np.dot(losses, sizes) / np.sum(sizes), rtol=1e-6)
    # A scalar weight on a batch counts once (Keras 3): total w * mean(v).
    m.reset_state()
    assert m.result().numpy() == 0.0
    m.update_state([1.0, 3.0, 5.0], sample_weight=2.0)
    m.update_state([10.0], sample_weight=torch.tensor(1.0))
    np.testing.assert_allclose(m.result().numpy(), (2 * 3.0 + 10) / 3)
    assert [v.name for v in m.variables] == ["total", "count"]


def test_reduce_sum_over_batch_size():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(30, 4)).astype(np.float32)
    weights = rng.uniform(size=30).astype(np.float32)
    m = metrics.Reduce("sum_over_batch_size", name="sobs")
    got = feed(m, values, sample_weight=weights)
    expected = np.sum(values * weights[:, None]) / values.size
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert m.get_config() == {"name": "sobs", "dtype": "float32",
                              "reduction": "sum_over_batch_size"}
    with pytest.raises(ValueError, match="reduction"):
        metrics.Reduce("max", name="r")


def absolute_cubes(y_true, y_pred, power=3):
    return np.abs(y_true - y_pred) ** power


def torch_absolute_cubes(y_true, y_pred, power=3):
    return torch.mean(torch.abs(y_true - y_pred) ** power, dim=-1)


def test_mean_metric_wrapper_with_user_function_and_kwargs():
    rng = np.random.default_rng(2)
    y_true = rng.normal(size=(33, 5)).astype(np.float32)
    y_pred = rng.normal(size=(33, 5)).astype(np.float32)
    weights = rng.uniform(size=33).astype(np.float32)
    m = metrics.MeanMetricWrapper(torch_absolute_cubes, power=2)
    assert m.name == "torch_absolute_cubes"
    got = feed(m, y_true, y_pred, sample_weight=weights)
    per_sample = absolute_cubes(y_true, y_pred, power=2).mean(axis=1)
    np.testing.assert_allclose(got, np.sum(per_sample * weights)
                               / weights.sum(), rtol=1e-5)


def test_mean_metric_wrapper_config_round_trip():
    m = metrics.MeanMetricWrapper.from_config(
        {"name": "mse_wrapper", "dtype": "float32",
         "fn": "mean_squared_error"})
    m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
    assert float(m.result()) == 0.5
    config = m.get_config()
    assert config["fn"] == "mean_squared_error"
    json.dumps(config)

    registered = register_keras_serializable("Tests")(torch_absolute_cubes)
    m = metrics.MeanMetricWrapper(registered, name="cubes", power=3)
    config = m.get_config()
    assert config == {"name": "cubes", "dtype": "float32",
                      "fn": "Tests>torch_absolute_cubes", "power": 3}
    clone = metrics.MeanMetricWrapper.from_config(config)
    clone.update_state([[0.0, 2.0]], [[1.0, 0.0]])
    assert float(clone.result()) == 4.5
    with pytest.raises(ValueError, match="no_such_fn"):
        metrics.MeanMetricWrapper.from_config({"fn": "no_such_fn"})


def test_mean_metric_wrapper_rejects_bad_shapes():
    m = metrics.MeanMetricWrapper(torch_absolute_cubes, name="cubes")
    with pytest.raises(ValueError, match=r"MeanMetricWrapper.*cubes.*"
                       r"y_true.shape=\(4, 2\).*y_pred.shape=\(5, 2\)"):
        m.update_state(np.zeros((4, 2)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"y_pred.shape=\(4, 3\)"):
        m.update_state(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="sample_weight"):
        m.update_state(np.zeros((4, 2)), np.zeros((4, 2)),
                       sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="callable"):
        metrics.MeanMetricWrapper(fn="not a function")


def test_mean_tensor_elementwise_with_weights():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(20, 3)).astype(np.float32)
    weights = rng.uniform(size=(20,)).astype(np.float32)
    m = metrics.MeanTensor()
    for row, w in zip(values, weights):
        m.update_state(row, sample_weight=w)
    expected = (values * weights[:, None]).sum(0) / weights.sum()
    np.testing.assert_allclose(m.result().numpy(), expected, rtol=1e-5)
    assert m.get_config()["shape"] == (3,)

    m = metrics.MeanTensor(shape=(2, 3))
    np.testing.assert_array_equal(m.result().numpy(), np.zeros((2, 3)))
    batch = values[:2]
    m.update_state(batch, sample_weight=[1.0, 0.0])
    m.update_state(batch * 3, sample_weight=[1.0, 0.0])
    np.testing.assert_allclose(m.result().numpy()[0], batch[0] * 2,
                               rtol=1e-6)
    np.testing.assert_array_equal(m.result().numpy()[1], 0.0)
    with pytest.raises(ValueError, match="same shape"):
        m.update_state(values[:3])
    with pytest.raises(ValueError, match="does not have any value"):
        metrics.MeanTensor().result()
    m.reset_state()
    np.testing.assert_array_equal(m.result().numpy(), np.zeros((2, 3)))
