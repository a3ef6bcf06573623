"""``metrics.get``, ``serialize`` and ``deserialize`` with Keras's names."""

import json

import pytest

from torchkeras import metrics
from torchkeras.utils.serialization import custom_object_scope

NAMES = {
    "mse": metrics.MeanSquaredError, "MSE": metrics.MeanSquaredError,
    "mae": metrics.MeanAbsoluteError,
    "mape": metrics.MeanAbsolutePercentageError,
    "msle": metrics.MeanSquaredLogarithmicError,
    "AUC": metrics.AUC, "auc": metrics.AUC,
    "precision": metrics.Precision, "recall": metrics.Recall,
    "Precision": metrics.Precision,
    "binary_accuracy": metrics.BinaryAccuracy,
    "categorical_accuracy": metrics.CategoricalAccuracy,
    "sparse_categorical_accuracy": metrics.SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": metrics.TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy":
        metrics.SparseTopKCategoricalAccuracy,
    "binary_crossentropy": metrics.BinaryCrossentropy,
    "categorical_crossentropy": metrics.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": metrics.SparseCategoricalCrossentropy,
    "bce": metrics.BinaryCrossentropy,
    "kl_divergence": metrics.KLDivergence, "kld": metrics.KLDivergence,
    "logcosh": metrics.LogCoshError, "hinge": metrics.Hinge,
    "squared_hinge": metrics.SquaredHinge, "poisson": metrics.Poisson,
    "cosine_similarity": metrics.CosineSimilarity,
    "root_mean_squared_error": metrics.RootMeanSquaredError,
    "true_positives": metrics.TruePositives,
    "r2_score": metrics.R2Score, "f1_score": metrics.F1Score,
}


def test_get_by_keras_names():
    for name, cls in NAMES.items():
        assert type(metrics.get(name)) is cls, name
    for name in ("acc", "accuracy", "Accuracy"):
        metric = metrics.get(name)
        assert type(metric) is metrics.Accuracy and metric.name == name
    with pytest.raises(ValueError, match="'no_such_metric'"):
        metrics.get("no_such_metric")
    with pytest.raises(ValueError, match="crossentropy"):
        metrics.get("crossentropy")
    assert metrics.get(None) is None


def test_get_classes_instances_functions_and_configs():
    auc = metrics.AUC(num_thresholds=9)
    assert metrics.get(auc) is auc
    assert type(metrics.get(metrics.Recall)) is metrics.Recall
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    metric = metrics.get({"class_name": "AUC",
                          "config": {"num_thresholds": 7, "curve": "PR"}})
    assert metric.num_thresholds == 7 and metric.curve.value == "PR"

    class Custom(metrics.Mean):
        pass

    with custom_object_scope({"Custom": Custom}):
        assert type(metrics.get("Custom")) is Custom
    with pytest.raises(ValueError, match="Could not interpret"):
        metrics.get(42)


def test_serialize_deserialize_every_metric():
    objects = [
        cls() for cls in metrics.ALL_OBJECTS
        if cls not in (metrics.Metric, metrics.Reduce,
                       metrics.MeanMetricWrapper, metrics.IoU,
                       metrics.MeanIoU, metrics.OneHotIoU,
                       metrics.OneHotMeanIoU, metrics.SensitivityAtSpecificity,
                       metrics.SpecificityAtSensitivity,
                       metrics.PrecisionAtRecall, metrics.RecallAtPrecision)
    ]
    objects += [
        metrics.Reduce("sum", name="s"),
        metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.2),
        metrics.IoU(num_classes=3, target_class_ids=[1]),
        metrics.MeanIoU(num_classes=3), metrics.OneHotMeanIoU(num_classes=2),
        metrics.OneHotIoU(num_classes=3, target_class_ids=[0]),
        metrics.SensitivityAtSpecificity(0.5),
        metrics.SpecificityAtSensitivity(0.5),
        metrics.PrecisionAtRecall(0.5), metrics.RecallAtPrecision(0.5),
    ]
    for metric in objects:
        config = metrics.serialize(metric)
        json.dumps(config)
        assert config["class_name"] == type(metric).__name__
        clone = metrics.deserialize(json.loads(json.dumps(config)))
        assert type(clone) is type(metric)
        assert clone.get_config() == json.loads(json.dumps(
            metric.get_config())), type(metric).__name__
    assert metrics.serialize(metrics.binary_accuracy) == "binary_accuracy"
    assert metrics.deserialize("binary_accuracy") is metrics.binary_accuracy
