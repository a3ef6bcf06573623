"""What the IMDB and Reuters loaders do to their word-index sequences.

Keras's ``imdb.load_data`` and ``reuters.load_data`` share these steps, in
this order: shift every index by `index_from` and prepend `start_char`,
drop sequences of `maxlen` words or more, then map indices outside
``[skip_top, num_words)`` to `oov_char` (or drop them).
"""

import json
import warnings

import numpy as np


def shift_indices(xs, start_char, index_from):
    """Adds `index_from` to every index and prepends `start_char`."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def remove_long_seq(maxlen, seq, label):
    """Keeps the sequences shorter than `maxlen` (as Keras: strictly)."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Replaces (or drops) the indices outside ``[skip_top, num_words)``.

    With `num_words` unset it is the largest index seen, so -- as in Keras
    -- that largest index itself becomes `oov_char`.
    """
    if not num_words:
        num_words = max((max(x) for x in xs if len(x)), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x]
                for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(sequences):
    """A 1-D object array of lists, whatever their lengths."""
    array = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        array[i] = sequence
    return array


def pop_legacy_kwargs(kwargs, num_words):
    """tf.keras 2's `nb_words` spelling; any other keyword is an error."""
    if "nb_words" in kwargs:
        warnings.warn(
            "The `nb_words` argument in `load_data` has been renamed "
            "`num_words`.", stacklevel=3)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
    return num_words


def load_word_index(path):
    """Reads a word -> index JSON file, naming the file if it is not one."""
    try:
        with open(path, encoding="utf-8") as f:
            word_index = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(
            f"The word index file {path} is not valid JSON: {e}") from e
    if not isinstance(word_index, dict):
        raise ValueError(
            f"The word index file {path} does not hold a JSON object. "
            f"Received: {type(word_index).__name__}"
        )
    return word_index
