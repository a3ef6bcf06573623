"""CategoryEncoding: one-hot, multi-hot or count encoding of integer ids."""

import torch

from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    categorical_output_shape,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    encode_categorical,
)
from torchkeras.utils.registry import keras_export

_MODES = ("one_hot", "multi_hot", "count")


@keras_export(
    "keras.layers.CategoryEncoding",
    "keras.layers.experimental.preprocessing.CategoryEncoding",
)
class CategoryEncoding(PreprocessingLayer):
    """A preprocessing layer which encodes integer features.

    Args:
        num_tokens: the number of tokens; inputs must lie in
            ``[0, num_tokens)``.
        output_mode: ``'one_hot'`` (one vector per element, a trailing
            axis of size 1 replaced), ``'multi_hot'`` or ``'count'`` (one
            vector per sample: the last axis is reduced).
        sparse: must be False.

    Call arguments:
        inputs: integer tensor of rank 1 (one id per sample) or 2.
        count_weights: weights of each id for ``'count'``.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.CategoryEncoding(num_tokens=4,
        ...                                       output_mode="multi_hot")
        >>> layer([[0, 1], [0, 0], [1, 2], [3, 1]])
        tensor([[1., 1., 0., 0.],
                [1., 0., 0., 0.],
                [0., 1., 1., 0.],
                [0., 1., 0., 1.]])
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot",
                 sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(
                f"Unknown arg for output_mode: expected one of {_MODES}. "
                f"Received: output_mode={output_mode}"
            )
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number "
                "of tokens is not known beforehand, use the IntegerLookup "
                "layer instead. Received: num_tokens=None"
            )
        if num_tokens < 1:
            raise ValueError(
                f"`num_tokens` must be >= 1. Received: num_tokens="
                f"{num_tokens}."
            )
        if sparse:
            raise ValueError(
                "torchkeras has no sparse tensors: `sparse` must be False. "
                f"Received: sparse={sparse}"
            )
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = False
        self._checked_on_device = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "`count_weights` is not used when `output_mode` is not "
                f"`'count'`. Received `count_weights={count_weights}`."
            )
        indices = inputs.to(torch.int64) if torch.is_tensor(inputs) else (
            torch.as_tensor(inputs, dtype=torch.int64))
        self._check_range(indices)
        out = encode_categorical(indices, self.output_mode, self.num_tokens,
                                 count_weights)
        return out.to(self._torch_dtype)

    def _check_range(self, indices):
        """Out-of-range ids raise (checked once on accelerators)."""
        on_cpu = indices.device.type == "cpu"
        if (not on_cpu and self._checked_on_device) or (
                indices.numel() == 0 or torch.compiler.is_compiling()):
            return
        low, high = torch.stack(torch.aminmax(indices)).tolist()
        if low < 0 or high >= self.num_tokens:
            raise ValueError(
                f"Layer '{self.name}' (CategoryEncoding): input values must "
                f"be in the range 0 <= values < num_tokens with "
                f"num_tokens={self.num_tokens}. Received: "
                f"value={low if low < 0 else high}"
            )
        self._checked_on_device = not on_cpu

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode,
                                        self.num_tokens)

    def compute_output_dtype(self):
        return self.dtype

    def get_config(self):
        config_ = super().get_config()
        config_.update({"num_tokens": self.num_tokens,
                        "output_mode": self.output_mode,
                        "sparse": self.sparse})
        return config_
