"""Metrics that reduce values: ``Reduce``, ``Sum``, ``Mean``, ``MeanTensor``.

Also ``MeanMetricWrapper``, which averages a per-sample function
``fn(y_true, y_pred)`` and is the base of most built-in metrics. Sample
weights follow Keras 3 (``keras/src/metrics/reduction_metrics.py``): values
are reduced to one per sample, weighted, and ``Mean`` divides their total by
the total weight. ``Reduce`` and ``MeanTensor`` are tf.keras classes.
"""

import torch

from torchkeras.backend.config import to_torch_dtype
from torchkeras.metrics import _utils
from torchkeras.metrics.metric import Metric
from torchkeras.utils.registry import keras_export
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import serialize_keras_object

_REDUCTIONS = ("sum", "sum_over_batch_size", "weighted_mean")


@keras_export("keras.metrics.Reduce")
class Reduce(Metric):
    """Reduces the given values: a (weighted) sum or a mean.

    Args:
        reduction: ``'sum'``, ``'weighted_mean'`` (total / total weight) or
            ``'sum_over_batch_size'`` (total / number of values).
        name: string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Reduce("sum_over_batch_size", name="sobs")
        >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        1.0
    """

    def __init__(self, reduction, name, dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"Invalid `reduction` for metric {name!r}. Expected one of "
                f"{_REDUCTIONS}. Received: reduction={reduction!r}"
            )
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_variable(shape=(), name="total")
        if reduction != "sum":
            self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values, sample_weight=None):
        """Accumulates ``values`` (per-example), weighted by
        ``sample_weight`` (a scalar or an array broadcastable to them)."""
        if self.reduction == "weighted_mean" and type(values) is (
                torch.Tensor) and values.dim() <= 1:
            # The engine's per-step path (the loss tracker, per-sample
            # metric values without weights): two in-place adds on the
            # state, nothing else.
            buffers = self._buffers
            total = buffers[self._state_keys[0]]
            if values.device == total.device and (
                    sample_weight is None or _is_python_number(
                        sample_weight)):
                values = values.detach()
                if sample_weight is None:
                    total.add_(values.sum())
                    buffers[self._state_keys[1]].add_(values.numel())
                    return
                if values.dim() == 0:
                    total.add_(values, alpha=sample_weight)
                    buffers[self._state_keys[1]].add_(sample_weight)
                    return
        if self.reduction == "weighted_mean" and _is_scalar_fast_path(
            values, sample_weight
        ):
            # Keras's fast path: a scalar value with a Python weight.
            values = _utils.to_tensor(values, self.dtype, self._state_device())
            self.total.assign_add(values * sample_weight)
            self.count.assign_add(sample_weight)
            return
        reduce_fn = (_utils.reduce_mean if self.reduction == "weighted_mean"
                     else _utils.reduce_sum)
        if self.reduction == "sum_over_batch_size":
            raw_size = _numel(values)
        values, sample_weight = _utils.reduce_to_samplewise_values(
            self, values, sample_weight, reduce_fn
        )
        self.total.assign_add(values.sum())
        if self.reduction == "sum_over_batch_size":
            self.count.assign_add(raw_size)
        elif self.reduction == "weighted_mean":
            self.count.assign_add(_num_samples(values, sample_weight))

    def result(self):
        if self.reduction == "sum":
            return self.total.value().clone().to(to_torch_dtype(self.dtype))
        return _utils.divide_no_nan(
            self.total.value(), self.count.value()
        ).to(to_torch_dtype(self.dtype))

    def get_config(self):
        return {**super().get_config(), "reduction": self.reduction}


@keras_export("keras.metrics.Sum")
class Sum(Reduce):
    """Computes the (weighted) sum of the given values.

    For example, if ``values`` is ``[1, 3, 5, 7]`` then their sum is 16. If
    ``sample_weight`` was ``[1, 1, 0, 0]`` then the sum would be 4.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Sum()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(reduction="sum", name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.Mean")
class Mean(Reduce):
    """Computes the (weighted) mean of the given values.

    For example, if ``values`` is ``[1, 3, 5, 7]`` then the mean is 4. If
    ``sample_weight`` was ``[1, 1, 0, 0]`` then the mean would be 2. The
    state is ``total`` (sum of weighted values) and ``count`` (sum of
    weights); ``result()`` is ``total / count`` (0 when ``count`` is 0).

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.

    Examples:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(reduction="weighted_mean", name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras_export("keras.metrics.MeanMetricWrapper")
class MeanMetricWrapper(Mean):
    """Wraps a stateless metric function with the ``Mean`` metric.

    The function has the signature ``fn(y_true, y_pred, **kwargs)`` and
    returns per-sample values; ``result()`` is their (weighted) mean over
    every sample seen so far.

    Args:
        fn: The metric function to wrap.
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        **kwargs: Keyword arguments to pass on to ``fn``.

    Examples:
        >>> def squared(y_true, y_pred):
        ...     return (y_true - y_pred) ** 2
        >>> m = MeanMetricWrapper(fn=squared)
        >>> m.update_state([0.0, 1.0], [1.0, 1.0])
        >>> float(m.result())
        0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(
                "MeanMetricWrapper expects a callable `fn(y_true, y_pred)`. "
                f"Received: fn={fn!r}"
            )
        super().__init__(name=name or _fn_name(fn), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulates ``fn(y_true, y_pred)`` weighted by ``sample_weight``.

        Args:
            y_true: Ground truth values, shape ``(batch_size, d0, .. dN)``.
            y_pred: The predicted values, shape ``(batch_size, d0, .. dN)``.
            sample_weight: Optional coefficient per sample (shape
                ``(batch_size,)``), per element, or a scalar.
        """
        mask = getattr(y_pred, "_keras_mask", None)
        y_true, y_pred = self._prepare(y_true, y_pred)
        values = self._call_fn(y_true, y_pred)
        sample_weight = _utils.apply_mask(sample_weight, mask, self.dtype)
        return super().update_state(values, sample_weight=sample_weight)

    def _prepare(self, y_true, y_pred):
        device = self._state_device()
        y_pred = _utils.to_tensor(y_pred, self.dtype, device)
        y_true = _utils.to_tensor(y_true, device=y_pred.device)
        if y_true.dtype == torch.bool:
            y_true = y_true.to(y_pred.dtype)
        _utils.check_batch_sizes(self, y_true, y_pred)
        return _utils.squeeze_or_expand_to_same_rank(y_true, y_pred)

    def _call_fn(self, y_true, y_pred):
        try:
            return self._fn(y_true, y_pred, **self._fn_kwargs)
        except RuntimeError as error:
            if isinstance(error, torch.OutOfMemoryError):
                raise
            raise ValueError(
                f"{_utils.describe(self)} could not compute "
                f"`{_fn_name(self._fn)}` for y_true.shape="
                f"{tuple(y_true.shape)}, y_pred.shape="
                f"{tuple(y_pred.shape)}: {error}"
            ) from error

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype}
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize_keras_object(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if fn is None:
            return cls(**config)
        if not callable(fn):
            # Imported here: the namespace imports this module.
            from torchkeras import metrics

            fn = deserialize_keras_object(
                fn, module_objects=metrics._FUNCTIONS,
                printable_module_name="metric function",
            )
        return cls(fn, **config)


@keras_export("keras.metrics.MeanTensor")
class MeanTensor(Metric):
    """Computes the element-wise (weighted) mean of the given tensors.

    ``result()`` has the shape of the inputs. The state (``total`` and
    ``count``, both of that shape) is created on the first call unless
    ``shape`` is given.

    Args:
        name: (Optional) string name of the metric instance.
        dtype: (Optional) data type of the metric result.
        shape: (Optional) the shape of the values. Inferred at the first
            ``update_state`` when not given.

    Examples:
        >>> m = MeanTensor()
        >>> m.update_state([0.0, 1.0, 2.0, 3.0])
        >>> m.update_state([4.0, 5.0, 6.0, 7.0])
        >>> m.result().tolist()
        [2.0, 3.0, 4.0, 5.0]
    """

    def __init__(self, name="mean_tensor", dtype=None, shape=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape, device=None):
        self._shape = tuple(int(d) for d in shape)
        if self._device is None and device is not None:
            self._device = device
        self.total = self.add_variable(shape=self._shape, name="total")
        self.count = self.add_variable(shape=self._shape, name="count")
        self._built = True

    def update_state(self, values, sample_weight=None):
        """Accumulates ``values`` element-wise, weighted by
        ``sample_weight``."""
        values = _utils.to_tensor(values, self.dtype, self._state_device())
        if not self._built:
            self._build(values.shape, values.device)
        elif tuple(values.shape) != self._shape:
            raise ValueError(
                "MeanTensor input values must always have the same shape. "
                f"Expected shape (set during the first call): {self._shape}."
                f" Got: {tuple(values.shape)}."
            )
        num_values = torch.ones_like(values)
        if sample_weight is not None:
            sample_weight = _utils.to_tensor(
                sample_weight, self.dtype, values.device
            )
            # tf.keras's rank matching: (n,) weights for (n, d) values.
            rank_diff = sample_weight.dim() - values.dim()
            if rank_diff == 1:
                sample_weight = sample_weight.squeeze(-1)
            elif rank_diff == -1:
                sample_weight = sample_weight.unsqueeze(-1)
            sample_weight = _utils.broadcast_to(
                sample_weight, values.shape, self, "sample_weight"
            )
            num_values = num_values * sample_weight
            values = values * sample_weight
        self.total.assign_add(values)
        self.count.assign_add(num_values)

    def result(self):
        if not self._built:
            raise ValueError(
                "MeanTensor does not have any value yet. Please call the "
                "MeanTensor instance or use `.update_state(value)` before "
                "retrieving the result."
            )
        return _utils.divide_no_nan(self.total.value(), self.count.value())

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "shape": self._shape}


def _fn_name(fn):
    return getattr(fn, "__name__", None) or type(fn).__name__


def _is_python_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar_fast_path(values, sample_weight):
    return (
        isinstance(sample_weight, (int, float))
        and not isinstance(sample_weight, bool)
        and hasattr(values, "shape")
        and len(values.shape) == 0
    )


def _numel(values):
    if isinstance(values, torch.Tensor):
        return values.numel()
    return _utils.to_tensor(values).numel()


def _num_samples(values, sample_weight):
    if sample_weight is not None:
        return sample_weight.sum()
    if values.dim() >= 1:
        return values.shape[0]
    return 1
