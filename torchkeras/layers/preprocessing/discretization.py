"""Discretization: buckets floats by boundaries, learned by ``adapt``.

``adapt`` follows Keras's streaming quantile summary: each batch is
summarized at ``epsilon`` resolution, summaries are merged and compressed,
and the final boundaries interpolate the cumulative weights at
``1/num_bins`` steps, so adapted boundaries equal Keras's.
"""

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    categorical_output_shape,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    encode_categorical,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    iterate_batches,
)
from torchkeras.layers.preprocessing.preprocessing_utils import to_numpy
from torchkeras.utils.registry import keras_export

_MODES = ("int", "one_hot", "multi_hot", "count")


@keras_export(
    "keras.layers.Discretization",
    "keras.layers.experimental.preprocessing.Discretization",
)
class Discretization(PreprocessingLayer):
    """A preprocessing layer which buckets continuous features by ranges.

    Bucket ``i`` holds ``bin_boundaries[i-1] <= x < bin_boundaries[i]``.

    Args:
        bin_boundaries: sorted list of boundaries (or learn them with
            ``adapt`` and ``num_bins``).
        num_bins: number of bins ``adapt`` computes.
        epsilon: error tolerance of the adapted quantiles.
        output_mode: ``'int'``, ``'one_hot'``, ``'multi_hot'`` or
            ``'count'``.
        sparse: must be False.
        dtype: The dtype of the output (default `"int64"` for the `'int'`
            mode, else `floatx()`).
        name: Optional name of the layer.

    Examples:
        >>> import torchkeras as keras
        >>> x = [[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]]
        >>> keras.layers.Discretization(bin_boundaries=[0., 1., 2.])(x)
        tensor([[0, 2, 3, 1],
                [1, 3, 2, 1]])
        >>> layer = keras.layers.Discretization(num_bins=4, epsilon=0.01)
        >>> layer.adapt(x)
        >>> layer(x)
        tensor([[0, 2, 3, 2],
                [1, 3, 3, 1]])
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01,
                 output_mode="int", sparse=False, dtype=None, name=None,
                 **kwargs):
        super().__init__(dtype=dtype, name=name, **kwargs)
        if sparse:
            raise ValueError(
                "torchkeras has no sparse tensors: `sparse` must be False. "
                f"Received: sparse={sparse}"
            )
        if output_mode not in _MODES:
            raise ValueError(
                f"Invalid value for argument `output_mode`. Expected one of "
                f"{_MODES}. Received: output_mode={output_mode}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                "`num_bins` must be greater than or equal to 0. "
                f"Received: `num_bins={num_bins}`"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. "
                f"Received: `num_bins={num_bins}` and "
                f"`bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError(
                "You need to set either `num_bins` or `bin_boundaries`. "
                "Received: num_bins=None, bin_boundaries=None"
            )
        self.bin_boundaries = (None if bin_boundaries is None
                               else [float(b) for b in bin_boundaries])
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.reset_state()

    def adapt(self, data, steps=None):
        """Computes ``num_bins`` quantile boundaries of ``data``."""
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been "
                "initialized with `bin_boundaries`, use `num_bins` instead. "
                f"Received: bin_boundaries={self.bin_boundaries}"
            )
        self.reset_state()
        for batch in iterate_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        values = np.asarray(to_numpy(data)).astype("float32")
        self.summary = merge_summaries(summarize(values, self.epsilon),
                                       self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is None:
            return
        self.bin_boundaries = get_bin_boundaries(self.summary,
                                                 self.num_bins).tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at "
                "construction time or call `adapt(dataset)` before you can "
                "start using the `Discretization` layer. Received: "
                "bin_boundaries=None"
            )
        x = inputs if torch.is_tensor(inputs) else torch.as_tensor(inputs)
        boundaries = torch.tensor(self.bin_boundaries, dtype=x.dtype
                                  if x.is_floating_point()
                                  else torch.float64, device=x.device)
        if not x.is_floating_point():
            x = x.to(boundaries.dtype)
        indices = torch.bucketize(x, boundaries, right=True)
        if self.output_mode == "int":
            return indices
        return encode_categorical(indices, self.output_mode,
                                  len(self.bin_boundaries) + 1)

    def compute_output_shape(self, input_shape):
        depth = None if self.bin_boundaries is None else (
            len(self.bin_boundaries) + 1)
        return categorical_output_shape(input_shape, self.output_mode,
                                        depth)

    def compute_output_dtype(self):
        return "int64" if self.output_mode == "int" else config.floatx()

    def get_config(self):
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        boundaries = config_.get("bin_boundaries")
        if boundaries is not None and config_.get("num_bins") is not None:
            # An adapted layer has both; `__init__` accepts only one.
            config_.pop("bin_boundaries")
            layer = cls(**config_)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(**config_)


def summarize(values, epsilon):
    """Sorted values sampled every ``len * epsilon`` with their weights."""
    values = np.sort(np.reshape(values, [-1]))
    increment = values.size * epsilon
    step = max(increment, 1)
    picked = values[int(increment)::int(step)]
    return np.stack([picked, np.ones_like(picked) * step])


def merge_summaries(prev_summary, next_summary, epsilon):
    """Merges two summaries (sorted by value) and compresses the result."""
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = merged[:, np.argsort(merged[0])]
    return compress_summary(merged, epsilon)


def get_bin_boundaries(summary, num_bins):
    return compress_summary(summary, 1.0 / num_bins)[0, :-1]


def compress_summary(summary, epsilon):
    """Interpolates the summary at cumulative-weight steps of ``epsilon``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    bins = np.interp(percents, fractions, summary[0])
    cumulative = np.interp(percents, fractions, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack((bins, weights)).astype("float32")
