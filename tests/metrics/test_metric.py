"""Tests of the ``Metric`` base class and its state variables."""

import copy
import warnings

import numpy as np
import pytest
import torch

from torchkeras import metrics
from torchkeras.metrics.metric import Metric
from torchkeras.metrics.metric import StateVariable


class BinaryTruePositives(Metric):
    """A metric written the tf.keras way (add_weight + assign_add)."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="tp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = torch.as_tensor(y_true).bool()
        y_pred = torch.as_tensor(y_pred).bool()
        values = (y_true & y_pred).to(self.true_positives.dtype)
        if sample_weight is not None:
            values = values * torch.as_tensor(sample_weight,
                                              dtype=values.dtype)
        self.true_positives.assign_add(values.sum())

    def result(self):
        return self.true_positives.value().clone()


def test_tf_keras_style_subclass_counts_like_numpy():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 50)
    y_pred = rng.integers(0, 2, 50)
    weights = rng.uniform(0, 2, 50).astype(np.float32)
    m = BinaryTruePositives()
    for i in range(0, 50, 8):
        m.update_state(y_true[i:i + 8], y_pred[i:i + 8], weights[i:i + 8])
    expected = np.sum(((y_true == 1) & (y_pred == 1)) * weights)
    np.testing.assert_allclose(float(m.result()), expected, rtol=1e-6)
    assert m.variables == [m.true_positives]
    assert dict(m.named_buffers())["tp"] is m.true_positives
    assert m.true_positives.name == "tp"
    assert m.true_positives.path == "binary_true_positives/tp"
    m.reset_states()
    assert float(m.result()) == 0.0


def _check_state_variable_assign_methods_work_in_place():
    m = BinaryTruePositives()
    var = m.true_positives
    var.assign(5.0)
    var.assign_sub(torch.tensor(2.0))
    var.assign_add(np.float32(0.5))
    assert var is m.true_positives
    assert isinstance(var, StateVariable)
    assert var.numpy() == np.float32(3.5)
    assert isinstance(var.numpy(), np.ndarray)
    # Arithmetic gives plain tensors, not state variables.
    assert type(var + 1) is torch.Tensor


def test_state_moves_with_module_to_float64_and_aliases_follow():
    m = BinaryTruePositives()
    m.update_state([1, 1, 0], [1, 1, 1])
    m.to(torch.float64)
    assert m.true_positives.dtype == torch.float64
    assert m.true_positives is m._buffers["tp"]
    assert isinstance(m.true_positives, StateVariable)
    assert m.true_positives.path == "binary_true_positives/tp"
    assert m.dtype == "float64"
    m.update_state([1], [1])
    assert float(m.result()) == 3.0
    assert m.variables[0].dtype == torch.float64

    mean = metrics.Mean()
    mean.update_state([1.0, 2.0])
    mean.double()
    mean.update_state([3.0, 4.0 + 1e-12])
    assert mean.result().dtype == torch.float64
    assert all(v.dtype == torch.float64 for v in mean.variables)
    np.testing.assert_allclose(float(mean.result()), 2.5 + 2.5e-13,
                               rtol=0, atol=1e-15)


def test_keras3_add_variable_and_creation_order():
    class TwoStates(Metric):
        def __init__(self):
            super().__init__(name="two")
            self.first = self.add_variable((2,), initializer="ones",
                                           name="z_first")
            self.second = self.add_variable((), initializer=3.0,
                                            aggregation="mean", name="a")
            self.inner = metrics.Mean(name="inner")

    m = TwoStates()
    names = [v.name for v in m.variables]
    assert names == ["z_first", "a", "total", "count"]
    assert m.second.aggregation == "mean"
    np.testing.assert_array_equal(m.first.numpy(), [1.0, 1.0])
    m.first.assign([4.0, 5.0])
    m.second.assign_add(1.0)
    m.inner.update_state([2.0])
    m.reset_state()
    np.testing.assert_array_equal(m.first.numpy(), [1.0, 1.0])
    assert float(m.second) == 3.0
    assert float(m.inner.count) == 0.0


def _check_initial_values_from_arrays_and_initializer_names():
    class Init(Metric):
        def __init__(self):
            super().__init__()
            self.a = self.add_variable((3,), initializer=np.arange(3.0),
                                       name="a")
            self.b = self.add_variable((2,), initializer="Ones", name="b")
            self.c = self.add_variable((2,), initializer={
                "class_name": "Constant", "config": {"value": 2.5}},
                name="c")
            self.d = self.add_weight((2,), "ones")  # Keras 3 order

    m = Init()
    m.a.assign_add(10.0)
    m.c.assign(0.0)
    m.reset_state()
    np.testing.assert_array_equal(m.a.numpy(), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(m.b.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(m.c.numpy(), [2.5, 2.5])
    np.testing.assert_array_equal(m.d.numpy(), [1.0, 1.0])


def _check_variable_name_clash_gets_a_free_buffer_key():
    class Clash(Metric):
        def __init__(self):
            super().__init__()
            self.r = self.add_weight(name="result")

        def result(self):
            return self.r.value().clone()

    m = Clash()
    m.r.assign(2.0)
    assert m.r.name == "result"
    assert float(m.result()) == 2.0
    assert "result" not in dict(m.named_buffers())


def _check_update_state_detaches_values_from_autograd():
    y_pred = torch.tensor([[0.2], [0.7]], requires_grad=True)
    m = metrics.MeanSquaredError()
    m.update_state(torch.tensor([[0.0], [1.0]]), y_pred)
    result = m.result()
    assert not result.requires_grad
    assert all(not v.requires_grad for v in m.variables)


def _check_call_runs_update_state_then_result():
    m = metrics.Mean()
    assert float(m([1.0, 3.0])) == 2.0
    assert float(m(5.0)) == 3.0


def _check_result_is_a_snapshot_not_the_live_state():
    m = metrics.Sum()
    m.update_state([1.0, 2.0])
    snapshot = m.result()
    m.update_state([10.0])
    assert float(snapshot) == 3.0


def test_deepcopy_and_state_dict_round_trip():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 6.0])
    clone = copy.deepcopy(m)
    assert isinstance(clone.total, StateVariable)
    clone.update_state([3.0])
    assert float(m.result()) == 3.0
    assert float(clone.result()) == 3.0
    fresh = metrics.Mean()
    fresh.load_state_dict(m.state_dict())
    assert float(fresh.result()) == 3.0


def _check_auto_names_are_unique_snake_case():
    assert metrics.Precision().name == "precision"
    assert metrics.Precision().name == "precision_1"
    assert metrics.TruePositives().name == "true_positives"


def _check_base_config_round_trip():
    m = BinaryTruePositives(name="btp", dtype="float64")
    assert m.get_config() == {"name": "btp", "dtype": "float64"}
    clone = BinaryTruePositives.from_config(m.get_config())
    assert clone.name == "btp" and clone.dtype == "float64"
    assert clone.true_positives.dtype == torch.float64


def test_bad_aggregation_and_missing_super_init():
    class Bad(Metric):
        def __init__(self):
            super().__init__()
            self.v = self.add_variable((), aggregation="max", name="v")

    with pytest.raises(ValueError, match="aggregation"):
        Bad()

    class NoSuper(Metric):
        def __init__(self):
            self.v = self.add_weight(name="v")

    with pytest.raises(RuntimeError, match="super"):
        NoSuper()


def test_state_variable_methods_snapshots_and_call():
    _check_state_variable_assign_methods_work_in_place()
    _check_result_is_a_snapshot_not_the_live_state()
    _check_call_runs_update_state_then_result()


def test_initializers_and_buffer_keys():
    _check_initial_values_from_arrays_and_initializer_names()
    _check_variable_name_clash_gets_a_free_buffer_key()


def test_autograd_names_and_config():
    _check_update_state_detaches_values_from_autograd()
    _check_auto_names_are_unique_snake_case()
    _check_base_config_round_trip()


def _raise(*args, **kwargs):
    raise AssertionError("host sync in a metric hot path")


def _sync_free_metrics():
    return [
        (metrics.Mean(), "values"),
        (metrics.Sum(), "values"),
        (metrics.MeanTensor(), "values"),
        (metrics.BinaryAccuracy(), "binary"),
        (metrics.CategoricalAccuracy(), "onehot"),
        (metrics.SparseCategoricalAccuracy(), "sparse"),
        (metrics.TopKCategoricalAccuracy(k=2), "onehot"),
        (metrics.SparseTopKCategoricalAccuracy(k=2), "sparse"),
        (metrics.AUC(), "binary"),
        (metrics.AUC(curve="PR", multi_label=True), "multilabel"),
        (metrics.Precision(top_k=2), "onehot"),
        (metrics.Recall(thresholds=[0.2, 0.7]), "binary"),
        (metrics.PrecisionAtRecall(0.5), "binary"),
        (metrics.TruePositives(), "binary"),
        (metrics.MeanIoU(num_classes=4), "sparse_pred"),
        (metrics.OneHotIoU(num_classes=4, target_class_ids=[1]), "onehot"),
        (metrics.RootMeanSquaredError(), "binary"),
        (metrics.MeanAbsolutePercentageError(), "binary"),
        (metrics.CosineSimilarity(), "onehot"),
        (metrics.BinaryCrossentropy(), "binary"),
        (metrics.CategoricalCrossentropy(from_logits=True), "onehot"),
        (metrics.SparseCategoricalCrossentropy(), "sparse"),
        (metrics.Hinge(), "binary"),
        (metrics.KLDivergence(), "onehot"),
        (metrics.F1Score(average="macro"), "onehot"),
        (metrics.R2Score(num_regressors=1), "binary"),
    ]


def test_update_state_and_result_never_read_values_back(monkeypatch):
    rng = np.random.default_rng(3)
    probs = torch.tensor(rng.uniform(size=(6, 4)), dtype=torch.float32)
    labels = torch.tensor([0, 1, 3, 2, 1, 0])
    data = {
        "values": (torch.ones(6, 4),),
        "binary": (torch.tensor(rng.integers(0, 2, (6, 1))), probs[:, :1]),
        "multilabel": (torch.tensor(rng.integers(0, 2, (6, 4))), probs),
        "onehot": (torch.nn.functional.one_hot(labels, 4), probs),
        "sparse": (labels, probs),
        "sparse_pred": (labels, labels.flip(0)),
    }
    cases = _sync_free_metrics()
    for name in ("item", "tolist", "numpy", "__float__", "__int__",
                 "__index__"):
        monkeypatch.setattr(torch.Tensor, name, _raise)
    for metric, kind in cases:
        for _ in range(2):
            metric.update_state(*data[kind],
                                sample_weight=torch.ones(6) * 0.5)
        metric.result()
    monkeypatch.undo()
    assert float(cases[0][0].result()) == 1.0


@pytest.mark.cuda  # detects device syncs
def test_no_cuda_sync_in_update_state():
    device = torch.device("cuda")
    rng = np.random.default_rng(4)
    probs = torch.tensor(rng.uniform(size=(6, 4)), dtype=torch.float32,
                         device=device)
    labels = torch.tensor([0, 1, 3, 2, 1, 0], device=device)
    data = {
        "values": (torch.ones(6, 4, device=device),),
        "binary": (torch.tensor(rng.integers(0, 2, (6, 1)), device=device),
                   probs[:, :1]),
        "multilabel": (torch.tensor(rng.integers(0, 2, (6, 4)),
                                    device=device), probs),
        "onehot": (torch.nn.functional.one_hot(labels, 4), probs),
        "sparse": (labels, probs),
        "sparse_pred": (labels, labels.flip(0)),
    }
    weights = torch.full((6,), 0.5, device=device)
    cases = _sync_free_metrics()
    for metric, kind in cases:
        metric.to(device)
        metric.update_state(*data[kind], sample_weight=weights)  # builds
    torch.cuda.synchronize()
    with warnings.catch_warnings():
        # "Synchronization debug mode is a prototype feature".
        warnings.simplefilter("ignore", UserWarning)
        torch.cuda.set_sync_debug_mode("error")
    try:
        for metric, kind in cases:
            metric.update_state(*data[kind], sample_weight=weights)
            metric.result()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    for metric, _ in cases:
        assert all(v.device.type == "cuda" for v in metric.variables)


@pytest.mark.parametrize("make", [
    lambda m: m.AUC(num_thresholds=5),
    lambda m: m.AUC(multi_label=True, num_labels=2, label_weights=[1, 2]),
    lambda m: m.Precision(thresholds=[0.3, 0.6]),
    lambda m: m.IoU(num_classes=3, target_class_ids=[0, 2]),
    lambda m: m.Mean(),
])
def test_states_and_constant_buffers_follow_the_device_policy(make):
    """On a GPU machine the policy's device is CUDA; a state there and a
    threshold/label-weight/class-id buffer on the CPU broke update_state
    (found on an H100). The meta device stands in for it here."""
    import torchkeras

    with torchkeras.device("meta"):
        metric = make(torchkeras.metrics)
    devices = {b.device.type for b in metric.buffers()}
    assert devices == {"meta"}
