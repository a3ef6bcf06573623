"""TextVectorization: strings to token indices or bag-of-words vectors.

Everything up to the indices runs on the host, in Python: standardize
(``lower`` is ASCII-only and punctuation is ASCII ``string.punctuation``,
as TensorFlow's ``strings.lower`` and Keras's regex), split (whitespace as
``tf.strings.split``: ASCII whitespace, empty tokens dropped), n-grams
(``tf.strings.ngrams``: widths in order, joined by a space) and the
vocabulary lookup of an inner ``StringLookup`` with mask token ``''``.
The result goes to the layer's device as a torch tensor.
"""

import re

import numpy as np
import torch

from torchkeras.layers.preprocessing.index_lookup import (
    standardize_output_mode,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    encode_categorical,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    iterate_batches,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    to_string_array,
)
from torchkeras.layers.preprocessing.string_lookup import StringLookup
from torchkeras.utils import serialization
from torchkeras.utils.registry import keras_export

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                             "abcdefghijklmnopqrstuvwxyz")


def _check_arguments(standardize, split, ngrams, output_mode,
                     output_sequence_length, sparse, ragged):
    if not (standardize is None or callable(standardize)
            or standardize in _STANDARDIZE):
        raise ValueError(
            "`standardize` must be one of (None, "
            f"{', '.join(repr(s) for s in _STANDARDIZE)}) or a callable. "
            f"Received: standardize={standardize}"
        )
    if not (split is None or callable(split) or split in _SPLIT):
        raise ValueError(
            "`split` must be one of (None, 'whitespace', 'character') or a "
            f"callable. Received: split={split}"
        )
    if not (ngrams is None or (isinstance(ngrams, int)
                               and not isinstance(ngrams, bool))
            or (isinstance(ngrams, tuple)
                and all(isinstance(n, int) for n in ngrams))):
        raise ValueError(
            "`ngrams` must be None, an integer, or a tuple of integers. "
            f"Received: ngrams={ngrams}"
        )
    if output_mode == "int" and not (output_sequence_length is None or (
            isinstance(output_sequence_length, int))):
        raise ValueError(
            "`output_sequence_length` must be either None or an integer "
            "when `output_mode` is 'int'. Received: "
            f"output_sequence_length={output_sequence_length}"
        )
    if output_mode != "int" and output_sequence_length is not None:
        raise ValueError(
            "`output_sequence_length` must not be set if `output_mode` is "
            "not 'int'. Received output_sequence_length="
            f"{output_sequence_length}."
        )
    for arg, value in (("sparse", sparse), ("ragged", ragged)):
        if value:
            raise ValueError(
                f"torchkeras has no {arg} tensors: `{arg}` must be False. "
                f"Received: {arg}={value}"
            )


@keras_export(
    "keras.layers.TextVectorization",
    "keras.layers.experimental.preprocessing.TextVectorization",
)
class TextVectorization(PreprocessingLayer):
    """A preprocessing layer which maps text features to integer sequences.

    Each string is standardized, split into tokens, optionally combined
    into n-grams, and looked up in a vocabulary learned by ``adapt`` or
    given as ``vocabulary``. Index 0 is padding (``''``) and 1 is OOV
    (``'[UNK]'``) in ``'int'`` mode; the other modes encode each string as
    one vector over the vocabulary (OOV at index 0).

    Args:
        max_tokens: maximum vocabulary size, padding and OOV included.
        standardize: ``'lower_and_strip_punctuation'``, ``'lower'``,
            ``'strip_punctuation'``, None, or a callable taking and
            returning a NumPy object array of ``str``.
        split: ``'whitespace'``, ``'character'``, None (each string is one
            token), or a callable mapping a 1D object array of strings to
            a list of token lists.
        ngrams: None, an int (all n-grams up to it) or a tuple of widths.
        output_mode: ``'int'``, ``'multi_hot'``, ``'count'``, ``'tf_idf'``
            (or ``'one_hot'``, one vector per token).
        output_sequence_length: ``'int'`` only: pad or truncate to this
            many tokens (default: the longest string of the batch).
        pad_to_max_tokens: pad encoded vectors to ``max_tokens``.
        vocabulary: list or array of tokens, or a file path.
        idf_weights: IDF weights for ``'tf_idf'`` with a ``vocabulary``.
        sparse: Must be False (torchkeras has no sparse tensors).
        ragged: Must be False (torchkeras has no ragged tensors).
        encoding: the encoding of ``bytes`` inputs.
        name: Optional name of the layer.

    Input shape:
        Strings of shape ``(batch_size,)`` or ``(batch_size, 1)``.

    Output shape:
        ``'int'``: ``(batch_size, output_sequence_length)`` int64; other
        modes ``(batch_size, depth)`` float32.

    Examples:
        >>> import torchkeras as keras
        >>> layer = keras.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> layer([["foo qux bar"], ["qux baz"]])
        tensor([[4, 1, 3, 0],
                [1, 2, 0, 0]])
    """

    def __init__(self, max_tokens=None,
                 standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary",
                                          vocabulary is not None)
        kwargs.pop("vocabulary_size", None)
        output_mode = standardize_output_mode(
            output_mode, layer="TextVectorization")
        _check_arguments(standardize, split, ngrams, output_mode,
                         output_sequence_length, sparse, ragged)
        super().__init__(name=name, **kwargs)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = (tuple(range(1, ngrams + 1))
                        if isinstance(ngrams, int) else ngrams)
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._accepts_string_inputs = True
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary,
            idf_weights=idf_weights, pad_to_max_tokens=pad_to_max_tokens,
            mask_token="", output_mode=output_mode,
            has_input_vocabulary=has_input_vocabulary, encoding=encoding)

    # ------------------------------------------------------------------
    # Vocabulary.

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and document frequencies) from ``data``.

        Args:
            data: a list or NumPy array of strings (each one a document), a
                ``torchkeras.data.Dataset`` or an iterable of batches.
            batch_size: accepted for Keras compatibility; unused.
            steps: the number of batches to read from a dataset.
        """
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray)):
            data = to_string_array(data, self._encoding, "data")
            if data.ndim == 1:
                data = data.reshape(-1, 1)
        for batch in iterate_batches(data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        self._lookup_layer._check_adaptable()
        documents, _ = self._tokenize(data)
        self._lookup_layer._count_documents(documents)

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary; a token's position is its index."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """Size of the vocabulary, padding and OOV included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (and IDF weights for ``'tf_idf'``)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------
    # Host-side text processing.

    def _standardize_strings(self, strings):
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            strings = _map_strings(strings, lambda s: s.translate(
                _ASCII_LOWER))
        if self._standardize in ("strip_punctuation",
                                 "lower_and_strip_punctuation"):
            strings = _map_strings(strings,
                                   lambda s: _PUNCTUATION.sub("", s))
        if callable(self._standardize):
            strings = to_string_array(self._standardize(strings),
                                      self._encoding, "standardize output")
        return strings

    def _tokenize(self, inputs):
        """Token lists, one per string, and the leading (batch) shape."""
        strings = to_string_array(inputs, self._encoding)
        scalar = strings.ndim == 0
        strings = self._standardize_strings(strings.reshape(-1) if scalar
                                            else strings)
        if self._split is not None and strings.ndim > 1:
            if strings.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, "
                    "the input rank must be 1 or the last shape dimension "
                    f"must be 1. Received: inputs.shape={strings.shape} "
                    f"with rank={strings.ndim}"
                )
            strings = strings.reshape(strings.shape[:-1])
        if self._split is None:
            rows = strings.reshape(-1, 1) if strings.ndim <= 1 else strings
            documents = [list(row) for row in rows.reshape(
                -1, rows.shape[-1])]
            lead = rows.shape[:-1]
        else:
            documents = self._split_strings(strings.reshape(-1))
            lead = strings.shape
        if self._ngrams is not None:
            documents = [_ngrams(doc, self._ngrams) for doc in documents]
        return documents, (() if scalar else tuple(lead))

    def _split_strings(self, flat):
        if self._split == "whitespace":
            return [[t for t in _WHITESPACE.split(s) if t] for s in flat]
        if self._split == "character":
            return [list(s) for s in flat]
        return [list(to_string_array(tokens, self._encoding,
                                     "split output").reshape(-1))
                for tokens in self._split(flat)]

    # ------------------------------------------------------------------
    # Calling.

    def call(self, inputs):
        lookup = self._lookup_layer
        lookup._check_vocabulary_known()
        documents, lead = self._tokenize(inputs)
        lengths = np.array([len(d) for d in documents], dtype=np.int64)
        flat = np.empty(int(lengths.sum()), dtype=object)
        flat[:] = [t for doc in documents for t in doc]
        indices = lookup._lookup_numpy(flat)
        if self._output_mode == "int":
            width = self._output_sequence_length
            padded = _pad_rows(indices, lengths, width, 0)
            return self._finish(padded, lead)
        padded = _pad_rows(indices, lengths, None, -1, min_width=1)
        encoded = encode_categorical(
            self._on_device(torch.from_numpy(padded)),
            "count" if self._output_mode == "tf_idf" else self._output_mode,
            lookup._depth())
        if self._output_mode == "tf_idf":
            encoded = encoded * lookup._idf_on(encoded.device)
        return encoded.reshape(lead + tuple(encoded.shape[1:]))

    def _finish(self, padded, lead):
        out = self._on_device(torch.from_numpy(padded))
        return out.reshape(lead + (out.shape[-1],))

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape[:1])
        if self._output_mode == "int":
            length = self._output_sequence_length
            if length is None and self._split is None and (
                    self._ngrams is None):
                # Each string is one token: one per input element.
                length = input_shape[-1] if len(input_shape) > 1 else 1
            return batch + (length,)
        depth = self._lookup_layer._depth()
        if self._output_mode == "one_hot" and self._split is not None:
            return batch + (None, depth)
        return batch + (depth,)

    def compute_output_dtype(self):
        return "int64" if self._output_mode == "int" else "float32"

    # ------------------------------------------------------------------
    # Config and assets.

    def get_config(self):
        lookup = self._lookup_layer.get_config()
        config_ = super().get_config()
        config_.update({
            "max_tokens": self._lookup_layer.max_tokens,
            "standardize": _serialize_callable(self._standardize),
            "split": _serialize_callable(self._split),
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": lookup["vocabulary"],
            "idf_weights": lookup["idf_weights"],
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        })
        if "has_input_vocabulary" in lookup:
            config_["has_input_vocabulary"] = lookup["has_input_vocabulary"]
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        for key in ("standardize", "split"):
            value = config_.get(key)
            if value is not None and not isinstance(value, str):
                config_[key] = serialization.deserialize_keras_object(
                    value, printable_module_name=key)
        if isinstance(config_.get("ngrams"), list):
            config_["ngrams"] = tuple(config_["ngrams"])
        return cls(**config_)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)


def _map_strings(strings, fn):
    out = np.empty(strings.shape, dtype=object)
    flat_out = out.reshape(-1)
    for i, s in enumerate(strings.reshape(-1)):
        flat_out[i] = fn(s)
    return out


def _ngrams(tokens, widths):
    grams = []
    for width in widths:
        grams.extend(" ".join(tokens[i:i + width])
                     for i in range(len(tokens) - width + 1))
    return grams


def _pad_rows(values, lengths, width, pad_value, min_width=0):
    """Rows of ``values`` (cut by ``lengths``) padded or cut to ``width``."""
    if width is None:
        width = max(int(lengths.max()) if lengths.size else 0, min_width)
    out = np.full((lengths.size, width), pad_value, dtype=np.int64)
    rows = np.repeat(np.arange(lengths.size), lengths)
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(values.size) - np.repeat(starts, lengths)
    keep = pos < width
    out[rows[keep], pos[keep]] = values[keep]
    return out


def _serialize_callable(value):
    if value is None or isinstance(value, str):
        return value
    return serialization.serialize_keras_object(value)
