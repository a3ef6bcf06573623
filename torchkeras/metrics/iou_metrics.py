"""Intersection-over-Union metrics: ``IoU``, ``MeanIoU``, ``BinaryIoU``,
``OneHotIoU`` and ``OneHotMeanIoU``.

All accumulate a weighted ``(num_classes, num_classes)`` confusion matrix
(rows: true class, columns: predicted class) and compute
``tp / (tp + fp + fn)`` per class from it, as Keras 3's
``keras/src/metrics/iou_metrics.py``.
"""

import torch

from torchkeras.backend.config import epsilon
from torchkeras.backend.config import to_torch_dtype
from torchkeras.metrics import _utils
from torchkeras.metrics.metric import Metric
from torchkeras.utils.registry import keras_export


class _IoUBase(Metric):
    """Accumulates the confusion matrix of integer labels/predictions."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        # Keras defaults to float32 here to keep the matrix exact.
        super().__init__(name=name, dtype=dtype or "float32")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(num_classes, num_classes), name="total_confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the (weighted) confusion matrix of this batch."""
        device = self._state_device()
        dtype = to_torch_dtype(self.dtype)
        y_true = _utils.to_tensor(y_true, device=device)
        y_pred = _utils.to_tensor(y_pred, device=device)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        y_true = y_true.to(dtype).reshape(-1)
        y_pred = y_pred.to(dtype).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"{_utils.describe(self)}: `y_true` and `y_pred` must hold "
                f"the same number of labels. Received: y_true.shape="
                f"{tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)} "
                "(flattened)"
            )
        weights = 1.0 if sample_weight is None else sample_weight
        weights = _utils.to_tensor(weights, dtype, device)
        if weights.dim() > 1:
            weights = weights.reshape(-1)
        weights = _utils.broadcast_to(
            weights, y_true.shape, self, "sample_weight", "y_true"
        )
        if self.ignore_class is not None:
            valid = (y_true != self.ignore_class).to(dtype)
            y_true, y_pred, weights = (y_true * valid, y_pred * valid,
                                       weights * valid)
        self.total_cm.assign_add(self._confusion_matrix(y_true, y_pred,
                                                        weights))

    def _confusion_matrix(self, y_true, y_pred, weights):
        n = self.num_classes
        labels = y_true.to(torch.int64)
        predictions = y_pred.to(torch.int64)
        _utils.check_label_range(self, labels, n, "y_true")
        _utils.check_label_range(self, predictions, n, "y_pred")
        valid = (labels >= 0) & (labels < n) & (predictions >= 0) & (
            predictions < n
        )
        # Off the CPU a bad label cannot be reported without a host sync;
        # it is dropped instead of triggering a device-side assert.
        weights = torch.where(valid, weights, torch.zeros_like(weights))
        index = torch.where(valid, labels * n + predictions, 0)
        cm = torch.zeros(n * n, dtype=weights.dtype, device=weights.device)
        cm.scatter_add_(0, index, weights)
        return cm.reshape(n, n)

    def reset_state(self):
        self.total_cm.assign(0.0)


@keras_export("keras.metrics.IoU")
class IoU(_IoUBase):
    """Computes the Intersection-Over-Union metric for specific classes.

    ``iou = tp / (tp + fp + fn)`` per class; the result is the mean IoU of
    ``target_class_ids`` (classes never seen are left out of the mean).

    Args:
        num_classes: The possible number of labels of the task.
        target_class_ids: A tuple or list of target class ids whose IoU is
            averaged.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        ignore_class: Optional integer: a class ID ignored in the
            computation (e.g. a "void" class such as -1 or 255).
        sparse_y_true: Whether labels are integers (``True``) or dense
            vectors (``False``: ``argmax`` is taken).
        sparse_y_pred: Whether predictions are integers (``True``) or dense
            vectors (``False``: ``argmax`` is taken).
        axis: (Optional) The class axis of dense inputs. Defaults to ``-1``.

    Examples:
        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 6)
        0.333333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(
            num_classes=num_classes, name=name, dtype=dtype,
            ignore_class=ignore_class, sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred, axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, "
                f"which is [0, {num_classes}). "
                f"Received: target_class_ids={list(target_class_ids)}"
            )
        self.target_class_ids = list(target_class_ids)
        self.register_buffer(
            "_target_index",
            torch.tensor(self.target_class_ids, dtype=torch.int64,
                         device=self._new_state_device()),
            persistent=False,
        )

    def result(self):
        """The mean IoU over ``target_class_ids``."""
        cm = self.total_cm.value().to(to_torch_dtype(self.dtype))
        true_positives = torch.diagonal(cm)
        denominator = cm.sum(dim=0) + cm.sum(dim=1) - true_positives
        true_positives = true_positives[self._target_index]
        denominator = denominator[self._target_index]
        num_valid_entries = (denominator > 1e-9).to(cm.dtype).sum()
        iou = true_positives / (denominator + epsilon())
        return iou.sum(dim=self.axis) / (num_valid_entries + epsilon())

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@keras_export("keras.metrics.BinaryIoU")
class BinaryIoU(IoU):
    """Computes the Intersection-Over-Union metric for class 0 and/or 1.

    Predictions at or above ``threshold`` are class 1, the rest class 0;
    then as ``IoU`` with ``num_classes=2``.

    Args:
        target_class_ids: ``[0]``, ``[1]`` or ``[0, 1]`` (default: the mean
            of both).
        threshold: A threshold applied to the predictions.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> round(float(m.result()), 6)
        0.333333
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None,
                 dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids,
                         name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Thresholds ``y_pred`` then adds the confusion matrix."""
        dtype = to_torch_dtype(self.dtype)
        y_pred = _utils.to_tensor(y_pred, dtype, self._state_device())
        y_pred = (y_pred >= self.threshold).to(dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids,
                "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


@keras_export("keras.metrics.MeanIoU")
class MeanIoU(IoU):
    """Computes the mean Intersection-Over-Union metric over all classes.

    Args:
        num_classes: The possible number of labels of the task.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        ignore_class: Optional integer: a class ID ignored in the
            computation.
        sparse_y_true: Whether labels are integers or dense vectors.
        sparse_y_pred: Whether predictions are integers or dense vectors.
        axis: (Optional) The class axis of dense inputs. Defaults to ``-1``.

    Examples:
        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 6)
        0.333333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)), name=name,
            dtype=dtype, ignore_class=ignore_class,
            sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@keras_export("keras.metrics.OneHotIoU")
class OneHotIoU(IoU):
    """Computes the Intersection-Over-Union metric for one-hot labels.

    Labels (and, unless ``sparse_y_pred``, predictions) are turned into
    class ids with ``argmax`` over ``axis``; then as ``IoU``.

    Args:
        num_classes: The possible number of labels of the task.
        target_class_ids: A tuple or list of target class ids.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        ignore_class: Optional integer: a class ID ignored in the
            computation.
        sparse_y_pred: Whether predictions are integers or dense vectors.
        axis: (Optional) The class axis. Defaults to ``-1``.

    Examples:
        >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1],
        ...                 [0.1, 0.4, 0.5]],
        ...                sample_weight=[0.1, 0.2, 0.3, 0.4])
        >>> round(float(m.result()), 3)
        0.071
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(
            num_classes=num_classes, target_class_ids=target_class_ids,
            name=name, dtype=dtype, ignore_class=ignore_class,
            sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis,
        )

    def get_config(self):
        return {"num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@keras_export("keras.metrics.OneHotMeanIoU")
class OneHotMeanIoU(MeanIoU):
    """Computes the mean Intersection-Over-Union for one-hot labels.

    Args:
        num_classes: The possible number of labels of the task.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        ignore_class: Optional integer: a class ID ignored in the
            computation.
        sparse_y_pred: Whether predictions are integers or dense vectors.
        axis: (Optional) The class axis. Defaults to ``-1``.

    Examples:
        >>> m = OneHotMeanIoU(num_classes=3)
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1],
        ...                 [0.1, 0.4, 0.5]],
        ...                sample_weight=[0.1, 0.2, 0.3, 0.4])
        >>> round(float(m.result()), 3)
        0.048
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(
            num_classes=num_classes, name=name, dtype=dtype,
            ignore_class=ignore_class, sparse_y_true=False,
            sparse_y_pred=sparse_y_pred, axis=axis,
        )

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
