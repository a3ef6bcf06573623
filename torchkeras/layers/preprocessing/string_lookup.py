"""StringLookup: maps strings to integer indices, on the host.

Strings arrive as NumPy object arrays (or lists); the lookup is a Python
dict over the flattened array and the indices go to the layer's device as
an int64 tensor. OOV buckets for ``num_oov_indices > 1`` use FarmHash
``Fingerprint64``, as TensorFlow's ``to_hash_bucket_fast`` does.
"""

import numpy as np
import torch

from torchkeras.layers.preprocessing.hash_functions import fingerprint64
from torchkeras.layers.preprocessing.index_lookup import IndexLookup
from torchkeras.layers.preprocessing.preprocessing_utils import to_numpy
from torchkeras.layers.preprocessing.preprocessing_utils import (
    to_string_array,
)
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.layers.StringLookup",
    "keras.layers.experimental.preprocessing.StringLookup",
)
class StringLookup(IndexLookup):
    """A preprocessing layer that maps strings to (possibly encoded) indices.

    The vocabulary comes from ``vocabulary`` or from ``adapt``; its terms
    are ordered by frequency, ties broken by the terms (both descending).
    Index 0 is the mask token when ``mask_token`` is set (``'int'``
    output), then come the ``num_oov_indices`` OOV indices, then the terms.
    The layer runs on the host: ``call`` takes a NumPy array, list or str
    and returns a torch tensor on the layer's device.

    Args:
        max_tokens: maximum vocabulary size, special tokens included.
        num_oov_indices: number of OOV indices (OOV strings are hashed
            among them when more than 1; 0 makes OOV inputs an error).
        mask_token: a token mapped to index 0 (``'int'`` output) or dropped.
        oov_token: the token returned for OOV indices when ``invert``.
        vocabulary: list, array or tensor of terms, or a file path.
        idf_weights: IDF weights, only for ``output_mode='tf_idf'``.
        invert: map indices to strings instead.
        output_mode: ``'int'``, ``'one_hot'``, ``'multi_hot'``, ``'count'``
            or ``'tf_idf'``.
        pad_to_max_tokens: pad the encoded axis to ``max_tokens``.
        sparse: must be False (no sparse tensors in torchkeras).
        encoding: the encoding of ``bytes`` inputs.
        name: Optional name of the layer.

    Input shape:
        Strings of shape ``(batch_size, ...)`` (ints when ``invert``).

    Output shape:
        ``'int'``: same as the input, int64. ``'one_hot'``: one encoded
        axis per element (a trailing 1 is replaced). Others:
        ``(batch_size, depth)`` float32, the last input axis reduced.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]])
        tensor([[1, 3, 4],
                [4, 0, 2]])
        >>> layer = keras.layers.StringLookup()
        >>> layer.adapt(["b", "a", "b", "c", "b", "a"])
        >>> layer.get_vocabulary()
        ['[UNK]', 'b', 'a', 'c']
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None,
                 oov_token="[UNK]", vocabulary=None, idf_weights=None,
                 invert=False, output_mode="int", pad_to_max_tokens=False,
                 sparse=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens, num_oov_indices=num_oov_indices,
            mask_token=mask_token, oov_token=oov_token,
            vocabulary_dtype="string", vocabulary=vocabulary,
            idf_weights=idf_weights, invert=invert, output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
            **kwargs)
        self._accepts_string_inputs = True
        self._inverse_vocabulary = None

    def _tokens_from_values(self, values):
        return list(to_string_array(to_numpy(values) if torch.is_tensor(
            values) else values, self.encoding, "vocabulary").reshape(-1))

    def _adapt_array(self, data):
        return to_string_array(data, self.encoding, "data")

    def _on_vocabulary_change(self):
        self._inverse_vocabulary = None

    def _lookup(self, inputs):
        strings = to_string_array(inputs, self.encoding)
        indices = self._lookup_numpy(strings.reshape(-1))
        return self._on_device(torch.from_numpy(
            indices.reshape(strings.shape)))

    def _lookup_numpy(self, flat):
        """int64 NumPy indices of a 1D object array of ``str``."""
        table, default = self._table, self._default_value()
        indices = np.fromiter((table.get(s, default) for s in flat),
                              dtype=np.int64, count=len(flat))
        mask = None
        if self.mask_token is not None:
            mask = flat == self.mask_token
        n = max(self.num_oov_indices, 1)
        return self._resolve_indices(
            indices, mask, lambda oov: list(flat[oov]),
            lambda oov: np.array(
                [fingerprint64(s.encode(self.encoding)) % n
                 for s in flat[oov]], dtype=np.int64))

    def _invert(self, inputs):
        indices = to_numpy(inputs).astype(np.int64)
        if self._inverse_vocabulary is None:
            self._inverse_vocabulary = np.array(
                self.get_vocabulary() + [self.oov_token], dtype=object)
        vocab = self._inverse_vocabulary
        known = (indices >= 0) & (indices < len(vocab) - 1)
        return vocab[np.where(known, indices, len(vocab) - 1)]

    def get_config(self):
        config_ = super().get_config()
        # There is only one valid dtype for strings (as Keras).
        del config_["vocabulary_dtype"]
        config_["encoding"] = self.encoding
        return config_
