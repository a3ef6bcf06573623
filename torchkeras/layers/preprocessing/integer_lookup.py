"""IntegerLookup: maps integers to indices with torch ops on their device.

The vocabulary is kept sorted in an int64 tensor; ``torch.searchsorted``
finds each input, so the lookup runs where the inputs are (CPU or GPU)
without a host round trip. OOV buckets for ``num_oov_indices > 1`` use
``token % num_oov_indices`` (Keras's ``'floormod'``) or FarmHash of the
decimal string (``'farmhash'``, on the host).
"""

import numpy as np
import torch

from torchkeras.layers.preprocessing.hash_functions import fingerprint64
from torchkeras.layers.preprocessing.index_lookup import IndexLookup
from torchkeras.layers.preprocessing.preprocessing_utils import to_numpy
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.IntegerLookup",
    "keras.layers.experimental.preprocessing.IntegerLookup",
)
class IntegerLookup(IndexLookup):
    """A preprocessing layer that maps integers to (possibly encoded) indices.

    Index layout, ``adapt`` ordering and output modes are those of
    ``StringLookup``; tokens are int64 and the OOV token defaults to -1.

    Args:
        max_tokens: maximum vocabulary size, special tokens included.
        num_oov_indices: number of OOV indices (0 makes OOV an error).
        mask_token: an integer mapped to index 0 (``'int'`` output) or
            dropped.
        oov_token: the value returned for OOV indices when ``invert``.
        vocabulary: list, array or tensor of integers, or a file path.
        vocabulary_dtype: must be ``'int64'``.
        idf_weights: IDF weights, only for ``output_mode='tf_idf'``.
        invert: map indices to vocabulary integers instead.
        output_mode: ``'int'``, ``'one_hot'``, ``'multi_hot'``, ``'count'``
            or ``'tf_idf'``.
        sparse: must be False.
        pad_to_max_tokens: pad the encoded axis to ``max_tokens``.
        oov_method: ``'floormod'`` or ``'farmhash'`` (``num_oov_indices>1``).
        name: Optional name of the layer.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer([[12, 1138, 42], [42, 1000, 36]])
        tensor([[1, 3, 4],
                [4, 0, 2]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None,
                 oov_token=-1, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, name=None, **kwargs):
        if vocabulary_dtype not in ("int64", "int"):
            raise ValueError(
                "Only `vocabulary_dtype='int64'` is supported at this time. "
                f"Received: vocabulary_dtype={vocabulary_dtype}"
            )
        mask_token = None if mask_token is None else int(mask_token)
        oov_token = None if oov_token is None else int(oov_token)
        super().__init__(
            max_tokens=max_tokens, num_oov_indices=num_oov_indices,
            mask_token=mask_token, oov_token=oov_token,
            vocabulary_dtype="int64", vocabulary=vocabulary,
            idf_weights=idf_weights, invert=invert, output_mode=output_mode,
            sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, name=name,
            **kwargs)

    def _tokens_from_values(self, values):
        return [int(v) for v in np.asarray(
            to_numpy(values), dtype=np.int64).reshape(-1)]

    def _adapt_array(self, data):
        return np.asarray(to_numpy(data)).astype(np.int64)

    def _on_vocabulary_change(self):
        self.__dict__["_vocab_tensors"] = {}

    def _vocabulary_on(self, device):
        """Sorted tokens, their indices and the full vocabulary on device."""
        cache = self.__dict__.setdefault("_vocab_tensors", {})
        cached = cache.get(device)
        if cached is None:
            tokens = torch.tensor(self._tokens, dtype=torch.int64)
            keys, order = torch.sort(tokens)
            values = order + self._token_start_index()
            full = torch.tensor(
                [-1 if t is None else t for t in self.get_vocabulary()],
                dtype=torch.int64)
            cached = tuple(t.to(device) for t in (keys, values, full))
            cache[device] = cached
        return cached

    def _as_int_tensor(self, inputs):
        if not torch.is_tensor(inputs):
            inputs = torch.as_tensor(np.asarray(inputs))
        return self._on_device(inputs.to(torch.int64))

    def _lookup(self, inputs):
        x = self._as_int_tensor(inputs)
        keys, values, _ = self._vocabulary_on(x.device)
        default = self._default_value()
        if keys.numel():
            pos = torch.searchsorted(keys, x.contiguous()).clamp_(
                max=keys.numel() - 1)
            indices = torch.where(keys[pos] == x, values[pos], default)
        else:
            indices = torch.full_like(x, default)
        if self.mask_token is not None:
            indices = torch.where(x == self.mask_token,
                                  torch.full_like(x, self._mask_value()),
                                  indices)
        if self.num_oov_indices == 1:
            return indices
        return self._resolve_oov(x, indices)

    def _resolve_oov(self, x, indices):
        n = self.num_oov_indices
        if n == 0:
            oov = indices == -1
            if bool(oov.any()):
                raise ValueError(
                    f"Layer '{self.name}': when `num_oov_indices=0` all "
                    "inputs should be in vocabulary, found OOV values "
                    f"{x[oov][:10].tolist()}, consider setting "
                    "`num_oov_indices=1`. Received: num_oov_indices=0"
                )
            return indices
        if self.oov_method == "farmhash":
            flat = to_numpy(x).reshape(-1)
            buckets = torch.tensor(
                [fingerprint64(str(int(v)).encode()) % n for v in flat],
                dtype=torch.int64, device=x.device).reshape(x.shape)
        else:
            buckets = torch.remainder(x, n)
        return torch.where(indices == -1,
                           buckets + self._oov_start_index(), indices)

    def _invert(self, inputs):
        x = self._as_int_tensor(inputs)
        _, _, full = self._vocabulary_on(x.device)
        known = (x >= 0) & (x < full.numel())
        found = full[x.clamp(0, max(full.numel() - 1, 0))]
        oov = -1 if self.oov_token is None else self.oov_token
        return torch.where(known, found, oov)
