"""Tests for ``torchkeras/losses/loss.py``: reductions, weights, masks.

References are NumPy re-implementations of Keras 3's ``reduce_values`` /
``apply_mask`` and tf.keras 2's weight broadcasting, written here.
"""

import numpy as np
import pytest
import torch

from torchkeras import losses
from torchkeras.losses.loss import Loss
from torchkeras.losses.loss import LossFunctionWrapper
from torchkeras.losses.loss import squeeze_or_expand_to_same_rank

REDUCTIONS = [
    "sum_over_batch_size",
    "sum",
    "none",
    None,
    "mean",
    "mean_with_sample_weight",
    losses.Reduction.AUTO,
    losses.Reduction.NONE,
    losses.Reduction.SUM,
    losses.Reduction.SUM_OVER_BATCH_SIZE,
]


class SquaredError(Loss):
    """Per-sample mean squared error, written against the base class."""

    def call(self, y_true, y_pred):
        return torch.mean(torch.square(y_pred - y_true), dim=-1)


def np_reduce(values, sample_weight, reduction):
    """Keras's reduction of weighted per-sample values."""
    if sample_weight is not None:
        values = values * sample_weight
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return total / np.sum(sample_weight)
    return total / values.size


def test_reductions_match_numpy():
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=(6, 4))
    y_pred = rng.normal(size=(6, 4))
    per_sample = np.mean((y_pred - y_true) ** 2, axis=-1)
    for reduction in REDUCTIONS:
        for weights in (None, rng.uniform(0.1, 2.0, size=(6,))):
            loss = SquaredError(reduction=reduction, dtype="float64")
            result = loss(y_true, y_pred, sample_weight=weights)
            keras_name = (
                "sum_over_batch_size" if reduction == "auto" else reduction
            )
            expected = np_reduce(per_sample, weights, keras_name)
            assert result.dtype == torch.float64
            np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


def test_auto_is_stored_as_sum_over_batch_size():
    loss = SquaredError(reduction=losses.Reduction.AUTO)
    assert loss.reduction == "sum_over_batch_size"
    assert losses.Reduction.all() == (
        "auto",
        "none",
        "sum",
        "sum_over_batch_size",
    )


def test_tf_keras_positional_reduction():
    # tf.keras 2 spelled Loss(reduction, name); Keras 3 Loss(name, ...).
    loss = SquaredError(losses.Reduction.NONE)
    assert loss.reduction == "none"
    assert loss.name == "squared_error"


def test_invalid_reduction_names_the_value():
    with pytest.raises(ValueError, match="reduction='average'"):
        SquaredError(reduction="average")
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        losses.Reduction.validate("average")


def test_num_target_batch_1_example_keeps_num_target_batch():
    # tf.keras: y_true, y_pred, sample_weight all (num_target, batch, 1),
    # reduction NONE -> (num_target, batch).
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=(3, 5, 1))
    y_pred = rng.normal(size=(3, 5, 1))
    weights = rng.uniform(size=(3, 5, 1))
    loss = losses.MeanSquaredError(
        reduction=losses.Reduction.NONE, dtype="float64"
    )
    result = loss(y_true, y_pred, sample_weight=weights)
    assert tuple(result.shape) == (3, 5)
    expected = ((y_pred - y_true) ** 2)[..., 0] * weights[..., 0]
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    summed = losses.MeanSquaredError(reduction="sum", dtype="float64")
    total = summed(y_true, y_pred, sample_weight=weights)
    np.testing.assert_allclose(total.numpy(), expected.sum(), rtol=1e-6)


def test_sample_weight_shapes_against_batch_values():
    rng = np.random.default_rng(2)
    y_true = rng.normal(size=(4, 3))
    y_pred = rng.normal(size=(4, 3))
    per_sample = np.mean((y_pred - y_true) ** 2, axis=-1)
    loss = losses.MeanSquaredError(reduction="none", dtype="float64")
    for weight_shape in [(), (4,), (4, 1), (1,)]:
        weights = rng.uniform(size=weight_shape)
        result = loss(y_true, y_pred, sample_weight=weights)
        expected = per_sample * np.reshape(weights, (-1,))
        assert tuple(result.shape) == (4,)
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


def test_per_sample_weight_broadcasts_over_timesteps():
    # Values (batch, time) with weights (batch,): tf.keras 2 expands the
    # weights to (batch, 1).
    rng = np.random.default_rng(3)
    y_true = rng.normal(size=(3, 5, 2))
    y_pred = rng.normal(size=(3, 5, 2))
    weights = np.array([0.0, 1.0, 2.0])
    loss = losses.MeanSquaredError(dtype="float64")
    result = loss(y_true, y_pred, sample_weight=weights)
    values = np.mean((y_pred - y_true) ** 2, axis=-1) * weights[:, None]
    np.testing.assert_allclose(result.numpy(), values.mean(), rtol=1e-6)


def test_incompatible_sample_weight_names_loss_and_shapes():
    loss = losses.MeanSquaredError()
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(3,\)"):
        loss(np.zeros((4, 2)), np.ones((4, 2)), sample_weight=np.ones(3))


def masked(x, mask):
    tensor = torch.as_tensor(x)
    tensor._keras_mask = torch.as_tensor(mask)
    return tensor


def test_keras_mask_on_y_pred():
    rng = np.random.default_rng(4)
    y_true = rng.normal(size=(2, 4, 3))
    y_pred = rng.normal(size=(2, 4, 3))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
    weights = np.array([2.0, 0.5])
    values = np.mean((y_pred - y_true) ** 2, axis=-1)
    for reduction in ["sum_over_batch_size", "sum", "none", "mean"]:
        loss = losses.MeanSquaredError(reduction=reduction, dtype="float64")
        result = loss(y_true, masked(y_pred, mask), sample_weight=weights)
        factor = mask.astype(float)
        if reduction in ("sum_over_batch_size", "mean"):
            # Keras rescales the mask so the mean runs over valid steps.
            factor = factor * mask.size / mask.sum()
        weighted = values * factor * weights[:, None]
        expected = np_reduce(weighted, None, reduction)
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)


def test_fully_masked_batch_gives_zero_not_nan():
    y_pred = masked(np.ones((2, 3)), np.zeros(2, dtype=bool))
    result = losses.MeanSquaredError()(np.zeros((2, 3)), y_pred)
    assert float(result) == 0.0


def test_default_dtype_casts_float64_inputs_to_floatx():
    result = losses.MeanSquaredError()(np.zeros((2, 2)), np.ones((2, 2)))
    assert result.dtype == torch.float32
    assert SquaredError(dtype="float64").dtype == "float64"
    assert SquaredError(dtype=torch.float16).dtype == "float16"
    policy = {"class_name": "DTypePolicy", "config": {"name": "mixed_bfloat16"}}
    assert SquaredError(dtype=policy).dtype == "bfloat16"


def test_auto_names_are_unique_snake_case():
    assert SquaredError().name == "squared_error"
    assert SquaredError().name == "squared_error_1"
    assert losses.MeanSquaredError().name == "mean_squared_error"


def test_config_round_trip():
    loss = SquaredError(name="se", reduction="sum", dtype="float64")
    assert loss.get_config() == {"name": "se", "reduction": "sum"}
    clone = SquaredError.from_config(loss.get_config())
    assert (clone.name, clone.reduction) == ("se", "sum")


def test_base_call_is_abstract():
    with pytest.raises(NotImplementedError):
        Loss()(np.zeros(2), np.zeros(2))


def test_loss_function_wrapper_kwargs_and_rank_matching():
    def scaled_error(y_true, y_pred, scale=1.0):
        assert y_true.shape == y_pred.shape
        return scale * torch.mean(torch.abs(y_pred - y_true), dim=-1)

    loss = LossFunctionWrapper(
        scaled_error, reduction="none", name="scaled", scale=3.0
    )
    y_true = np.array([1.0, 2.0, 3.0])  # (n,) labels, (n, 1) predictions
    y_pred = np.array([[1.5], [2.0], [1.0]])
    result = loss(y_true, y_pred)
    np.testing.assert_allclose(result.numpy(), [1.5, 0.0, 6.0], rtol=1e-6)
    assert loss.get_config()["scale"] == 3.0
    assert "scaled_error" in repr(loss)


def test_loss_function_wrapper_config_round_trip_by_name():
    loss = LossFunctionWrapper(losses.mean_absolute_error, reduction="sum")
    config = loss.get_config()
    assert config["fn"] == "mean_absolute_error"
    clone = LossFunctionWrapper.from_config(config)
    assert clone.fn is losses.mean_absolute_error
    result = clone(np.zeros((2, 2)), np.ones((2, 2)))
    np.testing.assert_allclose(result.numpy(), 2.0)


def test_squeeze_or_expand_to_same_rank():
    cases = [
        (((4, 1), (4,)), ((4, 1), (4, 1))),
        (((4,), (4, 1)), ((4, 1), (4, 1))),
        (((4, 3, 1), (4, 3)), ((4, 3), (4, 3))),
        (((4, 3), (4, 3, 1)), ((4, 3), (4, 3))),
        (((4, 3), (4,)), ((4, 3), (4,))),
        (((4, 2), (4, 2)), ((4, 2), (4, 2))),
    ]
    for shapes, expected in cases:
        a, b = (torch.zeros(s) for s in shapes)
        a, b = squeeze_or_expand_to_same_rank(a, b)
        assert (tuple(a.shape), tuple(b.shape)) == expected


def test_gradient_reaches_predictions():
    y_pred = torch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    y_true = torch.zeros(2, 2)
    weights = torch.tensor([1.0, 3.0])
    loss = losses.MeanSquaredError()(y_true, y_pred, sample_weight=weights)
    loss.backward()
    # d/dp sum_i w_i mean_j (p_ij)^2 / n = w_i * 2 p_ij / (2 * n)
    expected = weights[:, None] * y_pred.detach() / 2.0
    torch.testing.assert_close(y_pred.grad, expected)


def test_nested_predictions_reach_custom_call():
    class PairLoss(Loss):
        def call(self, y_true, y_pred):
            first, second = y_pred
            return torch.mean(torch.square(first - second - y_true), -1)

    y_pred = (torch.ones(2, 3), torch.zeros(2, 3))
    result = PairLoss()(np.ones((2, 3)), y_pred)
    assert float(result) == 0.0


def test_losses_run_on_meta_tensors_without_host_reads():
    # Any .item()/.tolist() on a meta tensor raises, so this proves the
    # per-step path never syncs the host.
    y_pred = torch.empty(8, 5, device="meta")
    one_hot = torch.empty(8, 5, device="meta")
    labels = torch.empty(8, dtype=torch.long, device="meta")
    weights = torch.empty(8, device="meta")
    for loss, y_true in [
        (losses.MeanSquaredError(), one_hot),
        (losses.CategoricalCrossentropy(from_logits=True), one_hot),
        (losses.CategoricalCrossentropy(), one_hot),
        (losses.BinaryCrossentropy(from_logits=True), one_hot),
        (losses.BinaryCrossentropy(), one_hot),
        (losses.SparseCategoricalCrossentropy(from_logits=True), labels),
        (losses.SparseCategoricalCrossentropy(), labels),
        (losses.Hinge(), one_hot),
        (losses.CosineSimilarity(), one_hot),
    ]:
        result = loss(y_true, y_pred, sample_weight=weights)
        assert result.device.type == "meta"
        assert tuple(result.shape) == ()
