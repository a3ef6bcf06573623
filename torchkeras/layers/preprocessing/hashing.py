"""Hashing: bins strings or integers by a stable hash, on the host.

The bins are TensorFlow's: FarmHash ``Fingerprint64`` modulo the number of
bins (``tf.strings.to_hash_bucket_fast``), or keyed SipHash-2-4 when a
``salt`` is given (``to_hash_bucket_strong``), so a model hashed in Keras
sees the same bins here. Numbers are hashed as their decimal strings
(floats truncated to int64 first), as Keras does.
"""

import numpy as np
import torch

from torchkeras.backend import config
from torchkeras.layers.preprocessing.hash_functions import fingerprint64
from torchkeras.layers.preprocessing.hash_functions import siphash64
from torchkeras.layers.preprocessing.index_lookup import (
    standardize_output_mode,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    categorical_output_shape,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    encode_categorical,
)
from torchkeras.layers.preprocessing.preprocessing_utils import to_numpy
from torchkeras.layers.preprocessing.preprocessing_utils import (
    to_string_array,
)
from torchkeras.utils.registry import keras_export

_MODES = ("int", "one_hot", "multi_hot", "count")


@keras_export(
    "keras.layers.Hashing",
    "keras.layers.experimental.preprocessing.Hashing",
)
class Hashing(PreprocessingLayer):
    """A preprocessing layer which hashes and bins categorical features.

    Args:
        num_bins: number of hash bins, the ``mask_value`` bin included.
        mask_value: a value mapped to bin 0 (the others hash into
            ``num_bins - 1`` bins shifted by one).
        salt: an int or a pair of ints: use SipHash64 keyed by it.
        output_mode: ``'int'``, ``'one_hot'``, ``'multi_hot'`` or
            ``'count'``.
        sparse: must be False.

    Input shape:
        Strings or integers of shape ``(batch_size, ...)``.

    Output shape:
        ``'int'``: the input shape (int64). Other modes: an encoded axis of
        size ``num_bins`` (float32), as ``CategoryEncoding``.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.Hashing(num_bins=3)
        >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]]).flatten()
        tensor([1, 0, 1, 1, 2])
        >>> layer = keras.layers.Hashing(num_bins=3, salt=133)
        >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]]).flatten()
        tensor([0, 0, 2, 1, 0])
    """

    def __init__(self, num_bins, mask_value=None, salt=None,
                 output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = ("int64" if output_mode == "int"
                               else config.floatx())
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or "
                f"non-positive values. Received: num_bins={num_bins}."
            )
        output_mode = standardize_output_mode(output_mode, _MODES,
                                              "Hashing")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(
                'When `output_mode="int"`, `dtype` should be an integer '
                f"type, 'int32' or 'int64'. Received: dtype={self.dtype}"
            )
        if sparse:
            raise ValueError(
                "torchkeras has no sparse tensors: `sparse` must be False. "
                f"Received: sparse={sparse}"
            )
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = False
        self.salt = _standardize_salt(salt)
        self.strong_hash = self.salt is not None
        self._accepts_string_inputs = True

    def call(self, inputs):
        values = _hashable_values(inputs)
        flat = values.reshape(-1)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = _equals(flat, self.mask_value)
        hashed = np.fromiter((self._hash(s) % bins for s in _as_text(flat)),
                             dtype=np.int64, count=flat.size)
        if mask is not None:
            hashed = np.where(mask, 0, hashed + 1)
        indices = self._on_device(torch.from_numpy(
            hashed.reshape(values.shape)))
        if self.output_mode == "int":
            return indices.to(self._torch_dtype)
        return encode_categorical(indices, self.output_mode, self.num_bins)

    def _hash(self, text):
        data = text.encode("utf-8")
        if self.strong_hash:
            return siphash64(self.salt, data)
        return fingerprint64(data)

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode,
                                        self.num_bins)

    def compute_output_dtype(self):
        return self.dtype

    def get_config(self):
        config_ = super().get_config()
        config_.update({
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        })
        return config_


def _standardize_salt(salt):
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return [int(s) for s in salt]
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    raise ValueError(
        "The `salt` argument for `Hashing` can only be a tuple of size 2 "
        f"integers, or a single integer. Received: salt={salt}."
    )


def _hashable_values(inputs):
    """Strings as an object array, numbers as an int64 array."""
    if not torch.is_tensor(inputs):
        arr = np.asarray(inputs)
        if arr.dtype.kind in "OUS":
            return to_string_array(arr)
    arr = to_numpy(inputs)
    if arr.dtype.kind == "f":
        arr = arr.astype(np.int64)
    return arr


def _equals(flat, value):
    """Elementwise ``flat == value`` (False where the kinds differ)."""
    if (flat.dtype == object) != isinstance(value, (str, bytes)):
        return np.zeros(flat.shape, dtype=bool)
    return np.asarray(flat == value, dtype=bool)


def _as_text(flat):
    if flat.dtype == object:
        return flat
    return (str(int(v)) for v in flat)
