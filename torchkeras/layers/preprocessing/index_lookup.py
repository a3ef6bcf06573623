"""IndexLookup: the vocabulary logic shared by StringLookup and IntegerLookup.

A vocabulary is a Python list of tokens (without the mask and OOV tokens)
and a dict from token to index. Indices follow Keras: with
``output_mode='int'`` and a ``mask_token``, index 0 is the mask, then
``num_oov_indices`` OOV indices, then the tokens; in the other output modes
the mask token is left out of the vocabulary and dropped from the counts.
``adapt`` orders tokens by count, ties broken by the token itself, both
descending (Keras's ``np.lexsort((tokens, counts))[::-1]``).

Subclasses own the element type: ``_lookup`` maps inputs to int64 indices
(on the host for strings, with torch for integers) and ``_invert`` maps
indices back to tokens. The vocabulary (and the IDF weights) travel in
``get_config``, so ``from_config`` restores an adapted layer; Keras's
``vocabulary.txt`` asset is read and written by ``load_assets`` /
``save_assets``.
"""

import collections
import math
import os

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
from torchkeras.layers.preprocessing.preprocessing_utils import listify

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_INT64_MAX = np.iinfo(np.int64).max


def standardize_output_mode(output_mode, allowed=OUTPUT_MODES,
                            layer="IndexLookup"):
    """Keras's deprecated spellings, then a check against ``allowed``."""
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(
        output_mode, output_mode)
    if output_mode not in allowed:
        raise ValueError(
            f"Invalid value for argument `output_mode` of {layer}. Expected "
            f"one of {allowed}. Received: output_mode={output_mode}"
        )
    return output_mode


def _check_arguments(max_tokens, num_oov_indices, pad_to_max_tokens,
                     invert, output_mode, sparse, idf_weights, oov_method):
    if max_tokens is not None and max_tokens <= 1:
        raise ValueError(
            "If set, `max_tokens` must be greater than 1. "
            f"Received: max_tokens={max_tokens}"
        )
    if pad_to_max_tokens and max_tokens is None:
        raise ValueError(
            "If pad_to_max_tokens is True, must set `max_tokens`. "
            f"Received: max_tokens={max_tokens}"
        )
    if num_oov_indices < 0:
        raise ValueError(
            "`num_oov_indices` must be greater than or equal to 0. "
            f"Received: num_oov_indices={num_oov_indices}"
        )
    if oov_method not in ("floormod", "farmhash"):
        raise ValueError(
            "`oov_method` must be one of ('floormod', 'farmhash'). "
            f"Received: oov_method={oov_method}"
        )
    if invert and output_mode != "int":
        raise ValueError(
            "`output_mode` must be `'int'` when `invert` is true. "
            f"Received: output_mode={output_mode}"
        )
    if sparse:
        raise ValueError(
            "torchkeras has no sparse tensors: `sparse` must be False. "
            f"Received: sparse={sparse}"
        )
    if idf_weights is not None and output_mode != "tf_idf":
        raise ValueError(
            "`idf_weights` should only be set if `output_mode` is "
            f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
            f"output_mode={output_mode}"
        )


class IndexLookup(PreprocessingLayer):
    """Maps tokens to integer indices through a vocabulary (base class).

    Args: as ``StringLookup``/``IntegerLookup``; ``vocabulary_dtype`` is
    ``'string'`` or ``'int64'``.
    """

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token,
                 vocabulary_dtype, vocabulary=None, idf_weights=None,
                 invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", name=None,
                 **kwargs):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary",
                                          vocabulary is not None)
        kwargs.pop("vocabulary_size", None)  # recomputed from the vocabulary
        output_mode = standardize_output_mode(output_mode,
                                              layer=type(self).__name__)
        _check_arguments(max_tokens, num_oov_indices, pad_to_max_tokens,
                         invert, output_mode, sparse, idf_weights,
                         oov_method)
        super().__init__(name=name, **kwargs)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = config.standardize_dtype(vocabulary_dtype)
        self.oov_method = oov_method
        self.input_vocabulary = None
        self.input_idf_weights = None
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens = []
        self._table = {}
        self._token_idf = None
        self._special_idf = None
        self.idf_weights = None
        self.reset_state()
        if output_mode == "tf_idf" and has_input_vocabulary and (
                idf_weights is None):
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF "
                "output mode, the `idf_weights` argument must also be "
                "provided. Received: idf_weights=None"
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
            self.input_vocabulary = list(self.get_vocabulary(
                include_special_tokens=False)) if isinstance(
                    vocabulary, str) else listify(vocabulary)
            self.input_idf_weights = listify(idf_weights)

    # ------------------------------------------------------------------
    # Index layout (Keras's `_oov_start_index` / `_token_start_index`).

    def _oov_start_index(self):
        return 1 if (self.mask_token is not None
                     and self.output_mode == "int") else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _default_value(self):
        """Index of a token not in the vocabulary (-1: resolved later)."""
        return self._oov_start_index() if self.num_oov_indices == 1 else -1

    def _mask_value(self):
        """Index of the mask token: 0, or dropped by the encoders."""
        return 0 if self.output_mode == "int" else _INT64_MAX

    def _depth(self):
        if self.pad_to_max_tokens:
            return self.max_tokens
        return self.vocabulary_size() if self._tokens else None

    # ------------------------------------------------------------------
    # Vocabulary.

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary; with special tokens, a token's position is its
        index."""
        specials = [self.oov_token] * self._token_start_index()
        if self._oov_start_index():
            specials[0] = self.mask_token
        if not include_special_tokens:
            specials = []
        return specials + list(self._tokens)

    def vocabulary_size(self):
        """Size of the vocabulary, mask and OOV indices included."""
        return self._token_start_index() + len(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and the IDF weights for ``'tf_idf'``).

        Args:
            vocabulary: a list, tuple, 1D array or tensor of tokens, or the
                path of a text file with one token per line. It may start
                with the special tokens, in Keras's order.
            idf_weights: for ``output_mode='tf_idf'`` only, one weight per
                vocabulary entry.
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(
                "`idf_weights` must be set if output_mode is 'tf_idf'. "
                "Received: idf_weights=None"
            )
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is "
                f"`'tf_idf'`. Received: output_mode={self.output_mode} "
                f"and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, str):
            vocabulary = self._read_vocabulary_file(vocabulary)
        vocabulary = self._tokens_from_values(vocabulary)
        if not vocabulary:
            raise ValueError(
                "Cannot set an empty vocabulary. "
                f"Received: vocabulary={vocabulary}"
            )
        specials = self.get_vocabulary()[:self._token_start_index()]
        found_specials = vocabulary[:len(specials)] == specials
        tokens = vocabulary[len(specials):] if found_specials else vocabulary
        self._check_tokens(tokens, vocabulary, specials)
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            self._set_idf(vocabulary, idf_weights, found_specials)

    def _check_tokens(self, tokens, vocabulary, specials):
        repeated = [t for t, c in collections.Counter(tokens).items()
                    if c > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. "
                "Please uniquify your dataset. The repeated terms are: "
                f"{repeated}. Received: vocabulary={vocabulary[:20]}"
            )
        reserved = [("mask_token", self.mask_token)]
        if self.invert:
            reserved.append(("oov_token", self.oov_token))
        for arg, token in reserved:
            if token is not None and token in tokens:
                raise ValueError(
                    f"Found reserved {arg} at unexpected location in "
                    "`vocabulary`. Note that passed `vocabulary` does not "
                    "need to include the OOV and mask tokens. Either remove "
                    "all mask and OOV tokens, or include them only at the "
                    "start of the vocabulary in precisely this order: "
                    f"{specials}. Received: {arg}={token} at vocabulary "
                    f"index {vocabulary.index(token)}"
                )
        size = self._token_start_index() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum "
                f"vocab size. Received vocabulary size is {size}; "
                f"`max_tokens` is {self.max_tokens}."
            )

    def _set_tokens(self, tokens):
        start = self._token_start_index()
        self._tokens = list(tokens)
        self._table = {t: start + i for i, t in enumerate(self._tokens)}
        self._on_vocabulary_change()

    def _on_vocabulary_change(self):
        """Hook for subclasses that cache tensors of the vocabulary."""

    def _set_idf(self, vocabulary, idf_weights, found_specials):
        weights = np.asarray(listify(idf_weights), dtype=np.float64)
        if weights.ndim != 1 or len(weights) != len(vocabulary):
            raise ValueError(
                "`idf_weights` must be a 1D array of the same length as "
                f"the vocabulary. Received: len(idf_weights)={weights.size}, "
                f"len(vocabulary)={len(vocabulary)}"
            )
        front = 0 if found_specials else self._token_start_index()
        fill = 0.0 if found_specials else float(np.average(weights))
        self._token_idf = (weights[self._token_start_index():]
                           if found_specials else weights).tolist()
        # Given OOV weights are kept for the config (else: their mean).
        self._special_idf = (weights[:self._token_start_index()].tolist()
                             if found_specials else None)
        back = 0
        if self.pad_to_max_tokens:
            back = self.max_tokens - front - len(weights)
        padded = np.pad(weights, (front, back), constant_values=(fill, 0.0))
        self.idf_weights = torch.tensor(padded, dtype=torch.float32)

    def _read_vocabulary_file(self, path):
        if not os.path.exists(path):
            raise ValueError(
                f"Vocabulary file {path} does not exist. Received: "
                f"vocabulary={path!r}"
            )
        if self.output_mode == "tf_idf":
            raise ValueError(
                "output_mode `'tf_idf'` does not support loading a "
                f"vocabulary from file. Received: vocabulary={path!r}"
            )
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    # ------------------------------------------------------------------
    # adapt.

    def adapt(self, data, steps=None):
        """Computes a vocabulary from the tokens in ``data``.

        Args:
            data: a list, NumPy array or tensor (a 1D one is that many
                one-token documents), a ``torchkeras.data.Dataset`` or an
                iterable of batches.
            steps: the number of batches to read from a dataset.
        """
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray)) or torch.is_tensor(
                data):
            data = self._adapt_array(data)
            if data.ndim == 1:
                data = data.reshape(-1, 1)
        for batch in iterate_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        """Adds the token counts of one batch (rows are documents)."""
        self._check_adaptable()
        data = self._adapt_array(data)
        if data.ndim <= 1:
            data = data.reshape(1, -1)  # a 1D batch is one document
        self._count_documents(data.reshape(data.shape[0], -1).tolist())

    def _check_adaptable(self):
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static "
                "vocabulary via `vocabulary` argument or "
                "`set_vocabulary()` method. Received: "
                f"vocabulary_size={self.vocabulary_size()}"
            )

    def _count_documents(self, documents):
        for doc in documents:
            self._token_counts.update(doc)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(doc))
        self._num_documents += len(documents)

    def finalize_state(self):
        """Turns the counts into the vocabulary (and IDF weights)."""
        if self._has_input_vocabulary or not self._token_counts:
            return
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]),
                         reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        self._set_tokens([token for token, _ in ordered])
        if self.output_mode == "tf_idf":
            self._finalize_idf()
        self.reset_state()

    def _finalize_idf(self):
        n = self._num_documents
        idf = [math.log(1 + n / (1 + self._document_counts[t]))
               for t in self._tokens]
        self._token_idf = idf
        self._special_idf = None
        weights = np.asarray(idf, dtype=np.float32)
        front = np.full(self._token_start_index(), weights.mean(),
                        dtype=np.float32)
        padded = np.concatenate([front, weights])
        if self.pad_to_max_tokens:
            padded = np.pad(padded, (0, self.max_tokens - padded.size))
        self.idf_weights = torch.from_numpy(padded)

    def reset_state(self):
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------
    # Calling.

    def call(self, inputs):
        if self.invert:
            return self._invert(inputs)
        self._check_vocabulary_known()
        indices = self._lookup(inputs)
        if self.output_mode == "int":
            return indices
        output = encode_categorical(
            indices, "count" if self.output_mode == "tf_idf"
            else self.output_mode, self._depth())
        if self.output_mode == "tf_idf":
            output = output * self._idf_on(output.device)
        return output

    def _idf_on(self, device):
        if self.idf_weights.device != device:
            self.idf_weights = self.idf_weights.to(device)
        return self.idf_weights

    def _check_vocabulary_known(self):
        if self.output_mode == "tf_idf" and self.idf_weights is None:
            raise ValueError(
                f"Layer '{self.name}': when `output_mode` is 'tf_idf', "
                "`idf_weights` must be provided or learned with `adapt`. "
                "Received: idf_weights=None"
            )
        if self.output_mode != "int" and self._depth() is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and "
                "`pad_to_max_tokens=False`, you must set the layer's "
                "vocabulary before calling it. Either pass a `vocabulary` "
                "argument to the layer, or call `adapt` with some sample "
                "data. Received: vocabulary=None"
            )

    def _resolve_indices(self, indices, mask, tokens_of_oov, hash_oov):
        """Applies the mask and OOV rules to NumPy ``indices`` (in place).

        ``tokens_of_oov(where)`` returns the OOV tokens (for the error
        message); ``hash_oov(where)`` their OOV buckets.
        """
        if mask is not None:
            indices[mask] = self._mask_value()
        if self.num_oov_indices == 1:
            return indices
        oov = indices == -1
        if not oov.any():
            return indices
        if self.num_oov_indices == 0:
            raise ValueError(
                f"Layer '{self.name}': when `num_oov_indices=0` all inputs "
                "should be in vocabulary, found OOV values "
                f"{tokens_of_oov(oov)[:10]}, consider setting "
                "`num_oov_indices=1`. Received: num_oov_indices=0"
            )
        indices[oov] = hash_oov(oov) + self._oov_start_index()
        return indices

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return categorical_output_shape(input_shape, self.output_mode,
                                        self._depth())

    def compute_output_dtype(self):
        if self.invert:
            return self.vocabulary_dtype
        return "int64" if self.output_mode == "int" else config.floatx()

    # ------------------------------------------------------------------
    # Config and assets.

    def get_config(self):
        config_ = super().get_config()
        # The current vocabulary (without special tokens) travels in the
        # config whether it was given or adapted, so `from_config`
        # restores it; Keras writes an adapted one as an asset instead.
        adapted = not self._has_input_vocabulary and bool(self._tokens)
        vocabulary = list(self._tokens) if self._tokens else None
        idf = listify(self._token_idf) if self._tokens else None
        if idf is not None and self._special_idf is not None:
            vocabulary = self.get_vocabulary()
            idf = self._special_idf + idf
        config_.update({
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": idf,
            "vocabulary": vocabulary,
            "vocabulary_size": (self.vocabulary_size() if self._tokens
                                else None),
            "oov_method": self.oov_method,
        })
        if adapted:
            # Keras pops this key too: the layer stays adaptable.
            config_["has_input_vocabulary"] = False
        return config_

    def save_assets(self, dir_path):
        """Writes ``vocabulary.txt`` as Keras does (when not in config)."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(str(t) for t in self.get_vocabulary()))

    def load_assets(self, dir_path):
        """Reads a Keras ``vocabulary.txt`` asset (when not in config)."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = self._tokens_from_values(lines)
        has_input = self._has_input_vocabulary
        self._has_input_vocabulary = False
        idf = None
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            idf = self.idf_weights.cpu().numpy()[:len(values)]
        self.set_vocabulary(values, idf)
        self._has_input_vocabulary = has_input

    # ------------------------------------------------------------------
    # Element-type hooks.

    def _tokens_from_values(self, values):
        """A list of tokens from a list/array/tensor of values."""
        raise NotImplementedError

    def _adapt_array(self, data):
        """A NumPy array of tokens from one batch of ``adapt`` data."""
        raise NotImplementedError

    def _lookup(self, inputs):
        """int64 indices (a torch tensor) of ``inputs``."""
        raise NotImplementedError

    def _invert(self, inputs):
        """Tokens of int ``inputs`` (``invert=True``)."""
        raise NotImplementedError
