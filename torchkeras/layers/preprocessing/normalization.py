"""Normalization: ``(x - mean) / sqrt(var)`` with statistics from ``adapt``.

Adapted statistics are non-trainable weights named ``mean``, ``variance``
and ``count`` (Keras 3's names and order), so they are saved with the
model's weights; statistics passed to the constructor are constants kept
in the config, as in Keras.
"""

import math

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    iterate_batches,
)
from torchkeras.layers.preprocessing.preprocessing_utils import to_numpy
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.Normalization",
    "keras.layers.experimental.preprocessing.Normalization",
)
class Normalization(PreprocessingLayer):
    """A preprocessing layer that normalizes continuous features.

    It shifts and scales inputs into a distribution centered around 0 with
    standard deviation 1: ``(input - mean) / sqrt(var)`` (the square root
    is kept above ``backend.epsilon()``), with ``mean`` and ``var`` given
    or computed by ``adapt`` over all axes but ``axis``.

    Args:
        axis: the axis or axes with separate statistics (default -1: the
            features); None for a single mean and variance.
        mean: the mean (then ``variance`` too), broadcast on the kept axes.
        variance: the variance.
        invert: apply the inverse transformation instead.

    Examples:
        >>> import numpy as np
        >>> import torchkeras as keras
        >>> data = np.array([[0., 7., 4.], [2., 9., 6.],
        ...                  [0., 7., 4.], [2., 9., 6.]], dtype="float32")
        >>> layer = keras.layers.Normalization(axis=-1)
        >>> layer.adapt(data)
        >>> layer(np.array([[0., 7., 4.]], dtype="float32"))
        tensor([[-1., -1., -1.]])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False,
                 **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` "
                f"must be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` "
                    "must have the same shape. Received: mean shape "
                    f"{np.shape(mean)} and variance shape "
                    f"{np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    "The rank of `mean` must be less than or equal to the "
                    f"number of axes ({len(self.axis)}). Received: mean "
                    f"shape {np.shape(mean)} for axis {self.axis}"
                )

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). "
                f"Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        keep = tuple(sorted(a % ndim for a in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have a known shape. "
                    f"Received axis={self.axis}, inputs.shape={input_shape},"
                    f" with unknown axis at index {d}"
                )
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = [input_shape[d] if d in keep else 1
                                 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in keep)
        self._build_shape = tuple(input_shape)
        if self.input_mean is None:
            shape = self._mean_and_var_shape
            self.adapt_mean = self.add_weight(
                name="mean", shape=shape, initializer="zeros",
                trainable=False)
            self.adapt_variance = self.add_weight(
                name="variance", shape=shape, initializer="ones",
                trainable=False)
            self.count = self.add_weight(
                name="count", shape=(), dtype="int64", initializer="zeros",
                trainable=False)
        else:
            self._set_constants()
        self.built = True

    def _set_constants(self):
        """Broadcasts the given mean/variance onto the kept axes."""
        ndim = len(self._broadcast_shape)
        stats = []
        for value in (self.input_mean, self.input_variance):
            value = np.asarray(value, dtype=np.float64)
            shape = [1] * ndim
            for i in range(1, value.ndim + 1):
                shape[self._keep_axis[-i]] = value.shape[-i]
            value = np.broadcast_to(value.reshape(shape),
                                    self._broadcast_shape)
            stats.append(torch.tensor(value, dtype=self._torch_dtype))
        self.register_buffer("mean", stats[0], persistent=False)
        self.register_buffer("variance", stats[1], persistent=False)

    def adapt(self, data):
        """Computes the mean and variance of ``data`` (arrays, tensors, a
        ``torchkeras.data.Dataset`` or an iterable of batches)."""
        batches = iterate_batches(data)
        first = next(batches, None)
        if first is None:
            raise ValueError(
                "adapt() received an empty iterable (no batches). Expected "
                "at least one batch. Received: data=empty"
            )
        first = _batch_array(first)
        if not self.built:
            self._maybe_build(first.shape)
        self._check_adapt_shape(first.shape)
        mean, var, count = _moments(first, self._reduce_axis)
        for batch in batches:
            batch = _batch_array(batch)
            self._check_adapt_shape(batch.shape)
            mean, var, count = _combine(mean, var, count,
                                        *_moments(batch, self._reduce_axis))
        with torch.no_grad():
            self.adapt_mean.copy_(torch.as_tensor(mean))
            self.adapt_variance.copy_(torch.as_tensor(var))

    def _check_adapt_shape(self, shape):
        if self.input_mean is not None:
            raise ValueError(
                f"Layer '{self.name}': cannot adapt a Normalization layer "
                "created with `mean` and `variance`. Received: "
                f"mean={self.input_mean}"
            )
        for d in self._keep_axis:
            if len(shape) != len(self._build_shape) or (
                    shape[d] != self._build_shape[d]):
                raise ValueError(
                    "The layer was built with input_shape="
                    f"{self._build_shape}, but adapt() is being called "
                    "with data with an incompatible shape. Received: "
                    f"data.shape={tuple(shape)}"
                )

    def _statistics(self):
        if self.input_mean is not None:
            return self.mean, self.variance
        return (self.adapt_mean.reshape(self._broadcast_shape),
                self.adapt_variance.reshape(self._broadcast_shape))

    def call(self, inputs):
        mean, variance = self._statistics()
        x = inputs.to(mean.dtype) if inputs.dtype != mean.dtype else inputs
        scale = torch.clamp(torch.sqrt(variance), min=config.epsilon())
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "axis": list(self.axis),
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        })
        return config_

    def get_build_config(self):
        shape = getattr(self, "_build_shape", None)
        return {"input_shape": list(shape)} if shape else None

    def build_from_config(self, config_):
        if config_:
            self._maybe_build(tuple(config_["input_shape"]))


def _batch_array(batch):
    if isinstance(batch, (tuple, list)) and batch and not np.isscalar(
            batch[0]) and len(batch) in (1, 2, 3) and hasattr(
                batch[0], "shape"):
        batch = batch[0]  # (x, y[, sample_weight]) from a dataset
    return np.asarray(to_numpy(batch), dtype=np.float64)


def _moments(batch, reduce_axis):
    count = math.prod(batch.shape[d] for d in reduce_axis)
    return (batch.mean(axis=reduce_axis), batch.var(axis=reduce_axis),
            count)


def _combine(mean, var, count, batch_mean, batch_var, batch_count):
    """Merges running statistics with a batch's (parallel variance)."""
    total = count + batch_count
    w = batch_count / total
    new_mean = mean * (1 - w) + batch_mean * w
    new_var = ((var + (mean - new_mean) ** 2) * (1 - w)
               + (batch_var + (batch_mean - new_mean) ** 2) * w)
    return new_mean, new_var, total
